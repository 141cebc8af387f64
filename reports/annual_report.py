"""The annual report to the board as an A4 PDF: `make_annual_report(report)`.

Takes the plain figures `desktop.services.board_report.annual_report` gathered and returns
PDF bytes; nothing is written to disk. A title page (the trust, the period and the one it
is set against, the schools, and that the report is anonymised); then each section as a
table of this period, the previous period and the change, with a bar chart of incidents by
type of behaviour and one of incidents by month against the same months before. Every
figure is shown through `domain.reporting.shown_rows`, and every chart bar through
`chart_value`: counts from 1 to 4 appear only as "fewer than 5", and draw no bar. A named
appendix, only when the report carries one, starts on its own page saying that it holds
personal data, and each of its pages says so at the top; it ends with the disclosures
outside the trust counted by legal basis. Every page says "Page x of y".
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm as MM
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from desktop.dates import format_datetime
from desktop.domain.reporting import (
    ANONYMISED_NOTE,
    FEWER_THAN_5,
    SMALLEST_SHOWN,
    BoardReport,
    Figure,
    NamedCase,
    Section,
    ShownRow,
    chart_value,
    shown_rows,
)
from reports.letter_layout import _register_fonts  # the one registration of DejaVu Sans
from reports.letters import FONT, FONT_BOLD, long_date
from reports.page_style import BOTTOM, GREY, INK, PAGE_HEIGHT, PAGE_WIDTH, RULE, SHADE, TOP
from reports.reportlab_extras import FooterCanvas

SIDE = 18 * MM
TEXT_WIDTH = PAGE_WIDTH - 2 * SIDE
THIS_PERIOD = HexColor("#2f5d8a")
BEFORE = HexColor("#b7c7d8")
WARNING_INK = HexColor("#7a1010")
WARNING_FILL = HexColor("#fde8e8")
CHART_LABEL = 46  # characters of a category's name on the chart (the table has it whole)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

TITLE = "Parent Code of Conduct: annual report to the board"
PERSONAL_DATA = (
    "This appendix contains personal data: the references of cases and the names of the "
    "people they concern. Share it only with those who need it, keep it securely, and "
    "destroy it when it is no longer needed."
)
WITH_APPENDIX = (
    "This copy has a named appendix, which contains personal data (case references and "
    "names). The figures before it are anonymised."
)


def make_annual_report(report: BoardReport) -> bytes:
    """Lay the report out on A4 and return the PDF bytes."""
    _register_fonts()
    styles = _styles()
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=SIDE,
        rightMargin=SIDE,
        topMargin=TOP,
        bottomMargin=BOTTOM,
        title=TITLE,
        subject=f"{report.trust_name}, {report.period.words}",
        author=report.trust_name,
        creator="Casebook",
        invariant=True,
    )
    frame = Frame(
        SIDE,
        BOTTOM,
        TEXT_WIDTH,
        PAGE_HEIGHT - TOP - BOTTOM,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )

    def figures_page(canvas: Canvas, _doc: Any) -> None:
        _draw_head(canvas, report, appendix=False)

    def appendix_page(canvas: Canvas, _doc: Any) -> None:
        _draw_head(canvas, report, appendix=True)

    def footer(canvas: Canvas, total: int) -> None:
        _draw_foot(canvas, report, total)

    doc.addPageTemplates(
        [
            PageTemplate("figures", [frame], onPage=figures_page),
            PageTemplate("appendix", [frame], onPage=appendix_page),
        ]
    )
    doc.build(_story(report, styles), canvasmaker=functools.partial(FooterCanvas, footer=footer))
    return buffer.getvalue()


# -- text -----------------------------------------------------------------------------------
def _line(value: str) -> str:
    """One line of paragraph markup, printed exactly ("<" and "&" are characters)."""
    return escape(" ".join(_CONTROL.sub(" ", value).split()))


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=9, leading=12, textColor=INK)
    return {
        "body": base,
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5),
        "number": ParagraphStyle("number", parent=base, fontSize=8.5, leading=10.5, alignment=2),
        "head": ParagraphStyle("head", parent=base, fontName=FONT_BOLD, fontSize=8.5),
        "head_number": ParagraphStyle(
            "head_number", parent=base, fontName=FONT_BOLD, fontSize=8.5, alignment=2
        ),
        "note": ParagraphStyle("note", parent=base, fontSize=7.5, leading=9.5, textColor=GREY),
        "title": ParagraphStyle(
            "title", parent=base, fontName=FONT_BOLD, fontSize=20, leading=25, spaceAfter=6
        ),
        "trust": ParagraphStyle("trust", parent=base, fontSize=14, leading=18, spaceAfter=14),
        "meta": ParagraphStyle("meta", parent=base, fontSize=10.5, leading=15),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=12,
            leading=15,
            spaceBefore=12,
            spaceAfter=5,
        ),
        "notice": ParagraphStyle(
            "notice",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=10,
            leading=14,
            textColor=WARNING_INK,
            backColor=WARNING_FILL,
            borderColor=WARNING_INK,
            borderWidth=0.8,
            borderPadding=6,
            spaceBefore=10,
            spaceAfter=10,
        ),
        "anonymised": ParagraphStyle(
            "anonymised", parent=base, fontName=FONT_BOLD, fontSize=10.5, leading=15
        ),
    }


def _period_words(start: Any, end: Any) -> str:
    return f"{long_date(start)} to {long_date(end)}"


# -- the story ------------------------------------------------------------------------------
def _story(report: BoardReport, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    story = _title_page(report, styles)
    rows = shown_rows(report)
    for section in report.sections:
        story.extend(_section(report, section, rows, styles))
    story.extend(_reading_notes(styles))
    if report.named_cases is not None:
        story.append(NextPageTemplate("appendix"))
        story.append(PageBreak())
        story.extend(_appendix(report.named_cases, styles))
        if report.disclosures is not None:
            story.extend(_disclosures(report, report.disclosures, styles))
    return story


def _title_page(report: BoardReport, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    story: list[Flowable] = [
        Spacer(1, 30 * MM),
        Paragraph(TITLE, styles["title"]),
        Paragraph(_line(report.trust_name), styles["trust"]),
    ]
    facts = [
        ("Period", _period_words(report.period.start, report.period.end)),
        ("Compared with", _period_words(report.previous.start, report.previous.end)),
        ("Schools", report.school_words),
        ("Prepared", format_datetime(report.made_at)),
    ]
    for label, value in facts:
        story.append(Paragraph(f"<b>{escape(label)}:</b> {_line(value)}", styles["meta"]))
    story.append(Spacer(1, 8 * MM))
    story.append(Paragraph(escape(ANONYMISED_NOTE) + ".", styles["anonymised"]))
    story.append(
        Paragraph(
            "No names appear in the figures. A change is not shown when either of its two "
            f"figures is {FEWER_THAN_5}, and a median only when at least {SMALLEST_SHOWN} "
            "cases make it.",
            styles["body"],
        )
    )
    if report.named:
        story.append(Paragraph(escape(WITH_APPENDIX), styles["notice"]))
    story.append(PageBreak())
    return story


def _section(
    report: BoardReport,
    section: Section,
    rows: Sequence[ShownRow],
    styles: dict[str, ParagraphStyle],
) -> list[Flowable]:
    own = [row for row in rows if row.section == section.title]
    found: list[Flowable] = [CondPageBreak(40 * MM), Paragraph(escape(section.title), styles["h2"])]
    if section.key == "categories" and section.figures:
        found.append(_category_chart(section))
        found.append(Spacer(1, 3 * MM))
    if section.key == "months" and section.figures:
        found.append(_month_chart(section))
        found.append(Spacer(1, 3 * MM))
    if not own:
        found.append(Paragraph("Nothing was recorded in either period.", styles["body"]))
    else:
        found.append(CondPageBreak(25 * MM))  # never a heading row and one figure alone
        found.append(_figures_table(section, own, styles))
    if section.note:
        found.append(Spacer(1, 1.5 * MM))
        found.append(Paragraph(escape(section.note), styles["note"]))
    return found


def _figures_table(
    section: Section, rows: Sequence[ShownRow], styles: dict[str, ParagraphStyle]
) -> Table:
    months = section.key == "months"
    head = ["Month" if months else "", "This period", "Previous period", "Change"]
    table_rows: list[list[Any]] = [
        [Paragraph(escape(h), styles["head_number" if i else "head"]) for i, h in enumerate(head)]
    ]
    for row in rows:
        previous = row.previous
        if months and row.previous_item:
            previous = f"{row.previous} ({row.previous_item})"
        table_rows.append(
            [
                Paragraph(_line(row.item), styles["cell"]),
                Paragraph(escape(row.current), styles["number"]),
                Paragraph(escape(previous), styles["number"]),
                Paragraph(escape(row.change), styles["number"]),
            ]
        )
    widths = [78 * MM, 26 * MM, 38 * MM, TEXT_WIDTH - 142 * MM]
    table = Table(table_rows, colWidths=widths, repeatRows=1)
    table.setStyle(_table_style(len(table_rows)))
    return table


def _table_style(count: int) -> TableStyle:
    style: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.4, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for row in range(1, count):
        style.append(("LINEBELOW", (0, row), (-1, row), 0.25, SHADE))
    return TableStyle(style)


# -- charts ---------------------------------------------------------------------------------
def _short(text: str, limit: int) -> str:
    text = " ".join(_CONTROL.sub(" ", text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _chart_values(counts: Sequence[int]) -> list[int | None]:
    return [chart_value(count) for count in counts]


def _value_axis_top(*series: Sequence[int | None]) -> int:
    top = max([v for values in series for v in values if v is not None] or [0])
    return max(SMALLEST_SHOWN, top)


def _category_chart(section: Section) -> Drawing:
    """Incidents by type, this period and the previous one, as horizontal bars."""
    figures = list(section.figures)
    height = 14 * MM + len(figures) * 7.2 * MM
    drawing = Drawing(TEXT_WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = round(70 * MM), round(10 * MM)  # whole points, as ReportLab types them
    chart.width, chart.height = round(TEXT_WIDTH - 75 * MM), round(height - 14 * MM)
    # Top to bottom in the table's order: a horizontal chart draws its first bar lowest.
    now = _chart_values([f.current for f in reversed(figures)])
    before = _chart_values([f.previous for f in reversed(figures)])
    chart.data = [before, now]
    chart.categoryAxis.categoryNames = [_short(f.item, CHART_LABEL) for f in reversed(figures)]
    _style_chart(chart, now, before)
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -3
    drawing.add(chart)
    drawing.add(_legend(TEXT_WIDTH - 75 * MM, height - 3 * MM))
    return drawing


def _month_chart(section: Section) -> Drawing:
    """Incidents by month against the same months of the previous period, as columns."""
    figures = list(section.figures)
    height = 70 * MM
    drawing = Drawing(TEXT_WIDTH, height)
    chart = VerticalBarChart()
    chart.x, chart.y = round(12 * MM), round(14 * MM)
    chart.width, chart.height = round(TEXT_WIDTH - 16 * MM), round(height - 24 * MM)
    now = _chart_values([f.current for f in figures])
    before = _chart_values([f.previous for f in figures])
    chart.data = [before, now]
    chart.categoryAxis.categoryNames = [f.item for f in figures]
    _style_chart(chart, now, before)
    chart.categoryAxis.labels.angle = 45 if len(figures) > 12 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(figures) > 12 else "n"
    chart.categoryAxis.labels.dy = -2
    drawing.add(chart)
    drawing.add(_legend(TEXT_WIDTH - 75 * MM, height - 3 * MM))
    return drawing


def _style_chart(chart: Any, now: list[int | None], before: list[int | None]) -> None:
    chart.bars[0].fillColor = BEFORE
    chart.bars[1].fillColor = THIS_PERIOD
    chart.bars.strokeColor = white
    chart.barSpacing = 0.5
    chart.groupSpacing = 3
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = _value_axis_top(now, before)
    chart.valueAxis.forceZero = True
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda value: f"{value:,.0f}"
    chart.valueAxis.strokeColor = RULE
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.strokeColor = RULE


def _legend(x: float, y: float) -> Legend:
    legend = Legend()
    legend.x, legend.y = round(x), round(y)
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.fontName = FONT
    legend.fontSize = 7.5
    legend.dx = legend.dy = 7
    legend.deltax = 80
    legend.colorNamePairs = [(THIS_PERIOD, "This period"), (BEFORE, "Previous period")]
    return legend


# -- notes and the appendix -----------------------------------------------------------------
def _reading_notes(styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    notes = [
        f"Counts from 1 to 4 are shown as “{FEWER_THAN_5}” and draw no bar on a chart, so "
        "that no family can be recognised from the figures; 0 is shown as 0.",
        "A change is worked out only when both of its figures are shown; otherwise it says "
        "“not shown”, since it could give the hidden figure away.",
        "Incidents are counted by the day they happened (UK time); steps, notices and "
        "decisions by the day they were taken.",
    ]
    found: list[Flowable] = [CondPageBreak(30 * MM), Paragraph("Reading this report", styles["h2"])]
    found.extend(Paragraph(escape(note), styles["note"]) for note in notes)
    return [KeepTogether(found)]


def _appendix(cases: Sequence[NamedCase], styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    story: list[Flowable] = [
        Paragraph("Named appendix: the cases in the period", styles["title"]),
        Paragraph(escape(PERSONAL_DATA), styles["notice"]),
        Paragraph(
            "Each case with an incident in the period, with the number of its incidents in "
            "the period, and the steps and outcomes recorded in the period.",
            styles["body"],
        ),
        Spacer(1, 3 * MM),
    ]
    if not cases:
        story.append(Paragraph("No case had an incident in the period.", styles["body"]))
        return story
    head = ["Case", "Subject", "Schools", "Incidents", "Steps taken", "Outcomes"]
    rows: list[list[Any]] = [[Paragraph(h, styles["head"]) for h in head]]
    for case in cases:
        rows.append(
            [
                Paragraph(_line(case.reference), styles["cell"]),
                Paragraph(_line(case.subject), styles["cell"]),
                Paragraph(_line(case.schools), styles["cell"]),
                Paragraph(f"{case.incidents:,}", styles["number"]),
                Paragraph(_line(case.steps) or "None", styles["cell"]),
                Paragraph(_line(case.outcomes) or "None", styles["cell"]),
            ]
        )
    widths = [24 * MM, 32 * MM, 32 * MM, 18 * MM, 34 * MM, TEXT_WIDTH - 140 * MM]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(_table_style(len(rows)))
    story.append(table)
    return story


def _disclosures(
    report: BoardReport, figures: Sequence[Figure], styles: dict[str, ParagraphStyle]
) -> list[Flowable]:
    """Disclosures outside the trust by legal basis, in full (the appendix is not
    anonymised), against the previous period."""
    which = (
        "Every disclosure of records outside the trust that was logged"
        if report.every_school
        else "Each disclosure of records outside the trust about a case at the schools reported on"
    )
    found: list[Flowable] = [
        CondPageBreak(50 * MM),
        Paragraph("Disclosures outside the trust", styles["h2"]),
        Paragraph(
            f"{which}, by the legal basis that allowed it, counted by the day it was made.",
            styles["body"],
        ),
        Spacer(1, 2 * MM),
    ]
    head = ["Legal basis", "This period", "Previous period"]
    rows: list[list[Any]] = [
        [Paragraph(escape(h), styles["head_number" if i else "head"]) for i, h in enumerate(head)]
    ]
    for figure in (*figures, Figure("Total", *_totals(figures))):
        rows.append(
            [
                Paragraph(escape(figure.item), styles["cell"]),
                Paragraph(f"{figure.current:,}", styles["number"]),
                Paragraph(f"{figure.previous:,}", styles["number"]),
            ]
        )
    table = Table(rows, colWidths=[78 * MM, 26 * MM, 38 * MM], repeatRows=1, hAlign="LEFT")
    table.setStyle(_table_style(len(rows)))
    found.append(table)
    return found


def _totals(figures: Sequence[Figure]) -> tuple[int, int]:
    return sum(f.current for f in figures), sum(f.previous for f in figures)


# -- pages ----------------------------------------------------------------------------------
def _draw_head(canvas: Canvas, report: BoardReport, *, appendix: bool) -> None:
    canvas.saveState()
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    head_y = PAGE_HEIGHT - 12 * MM
    canvas.setFont(FONT, 8)
    canvas.setFillColor(GREY)
    canvas.drawString(SIDE, head_y, _short(f"{report.trust_name} · Report to the board", 80))
    if appendix:
        canvas.setFont(FONT_BOLD, 8)
        canvas.setFillColor(WARNING_INK)
        canvas.drawRightString(PAGE_WIDTH - SIDE, head_y, "Personal data: named appendix")
    else:
        words = "Anonymised figures; named appendix at the end" if report.named else "Anonymised"
        canvas.drawRightString(PAGE_WIDTH - SIDE, head_y, words)
    canvas.line(SIDE, head_y - 2 * MM, PAGE_WIDTH - SIDE, head_y - 2 * MM)
    canvas.restoreState()


def _draw_foot(canvas: Canvas, report: BoardReport, total: int) -> None:
    canvas.saveState()
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.setFont(FONT, 8)
    canvas.setFillColor(GREY)
    foot_y = 10 * MM
    canvas.line(SIDE, foot_y + 4 * MM, PAGE_WIDTH - SIDE, foot_y + 4 * MM)
    canvas.drawString(SIDE, foot_y, report.period.words)
    canvas.drawRightString(PAGE_WIDTH - SIDE, foot_y, f"Page {canvas.getPageNumber()} of {total}")
    canvas.restoreState()
