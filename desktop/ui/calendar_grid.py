"""The calendar window's month grid with its marks, and the key that explains them.

The month grid is a table of six weeks (Monday first), so it never changes height from one
month to the next. Each day's marks (`desktop.domain.due.DayMarks`) are worked out once per
load and kept by the model; painting only reads them. A day's colours always come with
words: its letters, its count, its tooltip, and the key beside the grid.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHeaderView,
    QLabel,
    QStyle,
    QStyledItemDelegate,
    QTableView,
    QWidget,
)

from desktop.dates import format_date
from desktop.domain.due import DayMarks, DueKind

WEEKS = 6
GRID_DAYS = WEEKS * 7
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# Each kind's colour; white letters on them are easy to read (contrast above 4.5 : 1).
KIND_COLOURS = {
    DueKind.REPRESENTATIONS_DEADLINE: QColor("#6b21a8"),
    DueKind.BAR_REVIEW: QColor("#b45309"),
    DueKind.BAR_END: QColor("#7c2d12"),
    DueKind.PLAN_REVIEW: QColor("#1d4ed8"),
    DueKind.PLAN_END: QColor("#0f766e"),
    DueKind.WARNING_EXPIRY: QColor("#3f6212"),
    DueKind.TASK: QColor("#475467"),
    DueKind.SUBJECT_ACCESS: QColor("#86198f"),
}
KIND_BY_MARK = {kind.mark: kind for kind in DueKind}
OVERDUE_TEXT = QColor("#b42318")
OVERDUE_FILL = QColor("#fde8e8")
TODAY_COLOUR = QColor("#1f4e79")
OUTSIDE_TEXT = QColor("#98a2b3")
OUTSIDE_FILL = QColor("#f5f6f8")
SELECTED_FILL = QColor("#d6e6f7")
SPAN_FILL = QColor("#eef4fb")  # the other days of the week listed
COUNT_FILL = QColor("#eaecf0")
CHIP = 16  # a kind's letter on its colour, in pixels

DATE_ROLE = Qt.ItemDataRole.UserRole
MARKS_ROLE = Qt.ItemDataRole.UserRole + 1
OVERDUE_ROLE = Qt.ItemDataRole.UserRole + 2
IN_MONTH_ROLE = Qt.ItemDataRole.UserRole + 3
TODAY_ROLE = Qt.ItemDataRole.UserRole + 4
LISTED_ROLE = Qt.ItemDataRole.UserRole + 5  # the day is in the span the agenda lists


# -- dates --------------------------------------------------------------------------------
def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return add_months(month_start(day), 1) - dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier), kept inside a shorter month: 31 Jan + 1
    is 28 or 29 Feb."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    first = dt.date(year, month + 1, 1)
    following = dt.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return first.replace(day=min(day.day, (following - first).days))


def grid_range(month: dt.date) -> tuple[dt.date, dt.date]:
    """The six weeks the grid shows for `month`: from the Monday on or before its first."""
    first = month_start(month)
    start = first - dt.timedelta(days=first.weekday())
    return start, start + dt.timedelta(days=GRID_DAYS - 1)


def week_range(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def month_words(day: dt.date) -> str:
    return f"{MONTH_NAMES[day.month - 1]} {day.year}"


def long_date(day: dt.date) -> str:
    """`Tuesday 24 November 2026`."""
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def short_date(day: dt.date) -> str:
    """`Tue 24/11/2026`: the agenda's dates."""
    return f"{WEEKDAYS[day.weekday()]} {format_date(day)}"


def items_words(count: int) -> str:
    return "1 item" if count == 1 else f"{count:,} items"


def marks_kinds(marks: DayMarks) -> list[DueKind]:
    """The day's kinds in the domain's order (most frequent first)."""
    return [KIND_BY_MARK[letter] for letter in marks.marks.split()]


def day_words(day: dt.date, marks: DayMarks | None, today: dt.date) -> str:
    """What a day holds, in words: its tooltip and what a screen reader says."""
    text = long_date(day) + (" (today)" if day == today else "")
    if marks is None:
        return f"{text}: nothing due"
    parts = ", ".join(f"{marks.counts[k]} {k.label.lower()}" for k in marks_kinds(marks))
    text += f": {items_words(marks.total)} ({parts})"
    if marks.overdue:
        text += f", {marks.overdue:,} overdue"
    return text


# -- the month grid -----------------------------------------------------------------------
class MonthModel(QAbstractTableModel):
    """Six weeks of days around a month, each with its marks (set once per load)."""

    def __init__(self, month: dt.date, today: dt.date, parent=None):
        super().__init__(parent)
        self.today = today
        self.month = month_start(month)
        self.days = self._days()
        self.marks: dict[dt.date, DayMarks] = {}
        self.listed_span: tuple[dt.date, dt.date] | None = None

    def _days(self) -> list[dt.date]:
        start, _end = grid_range(self.month)
        return [start + dt.timedelta(days=n) for n in range(GRID_DAYS)]

    def set_month(self, month: dt.date) -> None:
        month = month_start(month)
        if month == self.month:
            return
        self.beginResetModel()
        self.month = month
        self.days = self._days()
        self.endResetModel()

    def set_marks(self, marks: dict[dt.date, DayMarks], today: dt.date) -> None:
        self.marks = marks
        self.today = today
        self.dataChanged.emit(self.index(0, 0), self.index(WEEKS - 1, 6))

    def set_span(self, span: tuple[dt.date, dt.date] | None) -> None:
        """The days the agenda lists, tinted in the grid (a week; None for none)."""
        if span != self.listed_span:
            self.listed_span = span
            self.dataChanged.emit(self.index(0, 0), self.index(WEEKS - 1, 6))

    def date_at(self, index: QModelIndex | QPersistentModelIndex) -> dt.date | None:
        if not index.isValid():
            return None
        return self.days[index.row() * 7 + index.column()]

    def index_of(self, day: dt.date) -> QModelIndex:
        offset = (day - self.days[0]).days
        if not 0 <= offset < GRID_DAYS:
            return QModelIndex()
        return self.index(offset // 7, offset % 7)

    def rowCount(self, parent=QModelIndex()):  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else WEEKS

    def columnCount(self, parent=QModelIndex()):  # noqa: B008
        return 0 if parent.isValid() else 7

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < 7:
            if role == Qt.ItemDataRole.DisplayRole:
                return WEEKDAYS[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return WEEKDAY_NAMES[section]
        return None

    def flags(self, index):
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        day = self.date_at(index)
        if day is None:
            return None
        marks = self.marks.get(day)
        overdue = bool(marks and marks.overdue)
        in_month = day.month == self.month.month
        if role == Qt.ItemDataRole.DisplayRole:
            return str(day.day)
        if role == DATE_ROLE:
            return day
        if role == MARKS_ROLE:
            return marks
        if role == OVERDUE_ROLE:
            return overdue
        if role == IN_MONTH_ROLE:
            return in_month
        if role == TODAY_ROLE:
            return day == self.today
        if role == LISTED_ROLE:
            return (
                self.listed_span is not None and self.listed_span[0] <= day <= self.listed_span[1]
            )
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return day_words(day, marks, self.today)
        if role == Qt.ItemDataRole.BackgroundRole:
            return OVERDUE_FILL if overdue else (None if in_month else OUTSIDE_FILL)
        if role == Qt.ItemDataRole.ForegroundRole:
            return OVERDUE_TEXT if overdue else (None if in_month else OUTSIDE_TEXT)
        return None


def draw_chip(painter: QPainter, rect: QRect, kind: DueKind) -> None:
    """A kind's letter in white on its colour."""
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(KIND_COLOURS[kind])
    painter.drawRoundedRect(QRectF(rect), 3, 3)
    font = QFont(painter.font())
    font.setBold(True)
    font.setPixelSize(max(8, rect.height() - 5))
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, kind.mark)


def chip_pixmap(kind: DueKind, ratio: float = 1.0) -> QPixmap:
    """The key's picture of a kind, drawn as the grid draws it."""
    pixmap = QPixmap(round(CHIP * ratio), round(CHIP * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    draw_chip(painter, QRect(0, 0, CHIP, CHIP), kind)
    painter.end()
    return pixmap


def swatch_pixmap(fill: QColor, border: QColor, ratio: float = 1.0) -> QPixmap:
    """The key's picture of an overdue day or of today: a small day with its border."""
    size = CHIP + 4
    pixmap = QPixmap(round(size * ratio), round(size * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setPen(QPen(border, 2))
    painter.setBrush(fill)
    painter.drawRect(1, 1, size - 2, size - 2)
    painter.end()
    return pixmap


class DayDelegate(QStyledItemDelegate):
    """Paints a day: its number, how many items fall on it, and each kind's letter."""

    def paint(self, painter, option, index):
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect.adjusted(1, 1, -1, -1)
        overdue = bool(index.data(OVERDUE_ROLE))
        today = bool(index.data(TODAY_ROLE))
        in_month = bool(index.data(IN_MONTH_ROLE))
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        fill = index.data(Qt.ItemDataRole.BackgroundRole)
        if selected:
            fill = SELECTED_FILL
        elif index.data(LISTED_ROLE) and not overdue:
            fill = SPAN_FILL
        painter.fillRect(rect, fill or option.palette.color(QPalette.ColorRole.Base))
        if overdue or today:
            painter.setPen(QPen(OVERDUE_TEXT if overdue else TODAY_COLOUR, 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect.adjusted(1, 1, -1, -1))

        font = QFont(option.font)
        font.setBold(today or overdue)
        painter.setFont(font)
        number = index.data(Qt.ItemDataRole.DisplayRole)
        number_rect = QRect(rect.left() + 4, rect.top() + 3, 22, 18)
        if today:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(TODAY_COLOUR)
            painter.drawEllipse(number_rect.adjusted(1, 0, -1, 0))
            painter.setPen(QColor("white"))
        else:
            colour = index.data(Qt.ItemDataRole.ForegroundRole)
            painter.setPen(colour or option.palette.color(QPalette.ColorRole.Text))
        painter.drawText(number_rect, Qt.AlignmentFlag.AlignCenter, number)

        marks = index.data(MARKS_ROLE)
        if marks is not None:
            self._paint_marks(painter, rect, marks, overdue, in_month)
        if option.state & QStyle.StateFlag.State_HasFocus and selected:
            painter.setPen(QPen(option.palette.color(QPalette.ColorRole.Highlight), 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect.adjusted(3, 3, -3, -3))
        painter.restore()

    def _paint_marks(self, painter, rect: QRect, marks: DayMarks, overdue: bool, in_month: bool):
        small = QFont(painter.font())
        small.setBold(True)
        small.setPointSizeF(max(7.0, small.pointSizeF() * 0.85))
        painter.setFont(small)
        count = f"{marks.total:,}"
        width = painter.fontMetrics().horizontalAdvance(count) + 10
        badge = QRect(rect.right() - width - 3, rect.top() + 4, width, 16)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(OVERDUE_TEXT if overdue else COUNT_FILL)
        painter.drawRoundedRect(QRectF(badge), 8, 8)
        painter.setPen(QColor("white") if overdue else QColor("#344054"))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, count)
        if not in_month:
            painter.setOpacity(0.55)
        x, y = rect.left() + 5, rect.top() + 24
        for kind in marks_kinds(marks):
            if x + CHIP > rect.right() - 3:
                x, y = rect.left() + 5, y + CHIP + 3
            if y + CHIP > rect.bottom() - 2:
                break  # the count and the tooltip still tell the whole day
            draw_chip(painter, QRect(x, y, CHIP, CHIP), kind)
            x += CHIP + 3

    def sizeHint(self, option, index):
        return QSize(64, 56)


class MonthGrid(QTableView):
    """The month's days. Arrow keys move the day, Page Up/Page Down the month, Home and End
    go to its first and last day; Enter or a double-click lists just that day."""

    dayChosen = Signal(object)  # a date: a click or a key chose it (its month may be another)
    dayOpened = Signal(object)  # a date: Enter or a double-click on it

    def __init__(self, model: MonthModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("monthGrid")
        self.setAccessibleName("Month")
        self.setModel(model)
        self.setItemDelegate(DayDelegate(self))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)
        self.setCornerButtonEnabled(False)
        self.setWordWrap(False)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setStyleSheet("QTableView#monthGrid { gridline-color: #d0d5dd; }")
        self.verticalHeader().hide()
        across = self.horizontalHeader()
        across.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        across.setSectionsClickable(False)
        across.setHighlightSections(False)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.setMinimumSize(7 * 62, WEEKS * 54 + across.sizeHint().height())

    def month_model(self) -> MonthModel:
        model = self.model()
        assert isinstance(model, MonthModel)
        return model

    def show_day(self, day: dt.date) -> None:
        """Put the cursor on `day` (in the month shown)."""
        index = self.month_model().index_of(day)
        if index.isValid():
            self.selectionModel().setCurrentIndex(
                index, self.selectionModel().SelectionFlag.ClearAndSelect
            )

    def _current_day(self) -> dt.date:
        day = self.month_model().date_at(self.currentIndex())
        return day if day is not None else self.month_model().month

    def keyPressEvent(self, event):
        key, day = event.key(), self._current_day()
        steps = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1, Qt.Key.Key_Up: -7, Qt.Key.Key_Down: 7}
        if self.layoutDirection() == Qt.LayoutDirection.RightToLeft:
            steps[Qt.Key.Key_Left], steps[Qt.Key.Key_Right] = 1, -1
        moves = {
            Qt.Key.Key_PageUp: lambda: add_months(day, -1),
            Qt.Key.Key_PageDown: lambda: add_months(day, 1),
            Qt.Key.Key_Home: lambda: month_start(day),
            Qt.Key.Key_End: lambda: month_end(day),
        }
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if plain and key in steps:
            self.dayChosen.emit(day + dt.timedelta(days=steps[key]))
        elif plain and key in moves:
            self.dayChosen.emit(moves[key]())
        elif plain and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.dayOpened.emit(day)
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event):
        day = self.month_model().date_at(self.indexAt(event.position().toPoint()))
        if day is None or event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self.dayChosen.emit(day)

    def mouseMoveEvent(self, event):
        event.accept()  # no dragging a selection across days

    def mouseDoubleClickEvent(self, event):
        day = self.month_model().date_at(self.indexAt(event.position().toPoint()))
        if day is not None and event.button() == Qt.MouseButton.LeftButton:
            self.dayOpened.emit(day)


# -- the key ------------------------------------------------------------------------------
def fill_legend(layout: QGridLayout, ratio: float, columns: int = 2) -> None:
    """Each kind as "letter — label" beside its colour, then what red and blue days mean."""
    entries: list[tuple[QPixmap, str, str]] = [
        (chip_pixmap(kind, ratio), f"{kind.mark} \u2014 {kind.label}", f"legend_{kind.value}")
        for kind in DueKind
    ]
    entries.append(
        (
            swatch_pixmap(OVERDUE_FILL, OVERDUE_TEXT, ratio),
            "Red border \u2014 overdue",
            "legend_overdue",
        )
    )
    entries.append(
        (
            swatch_pixmap(QColor("white"), TODAY_COLOUR, ratio),
            "Blue border \u2014 today",
            "legend_today",
        )
    )
    for number, (pixmap, text, name) in enumerate(entries):
        picture = QLabel()
        picture.setPixmap(pixmap)
        picture.setFixedWidth(CHIP + 6)
        label = QLabel(text)
        label.setObjectName(name)
        row, column = divmod(number, columns)
        layout.addWidget(picture, row, column * 2)
        layout.addWidget(label, row, column * 2 + 1)
    for column in range(columns):
        layout.setColumnStretch(column * 2 + 1, 1)
