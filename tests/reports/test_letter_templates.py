"""Letter templates: every type renders the facts it must carry into a real PDF, a missing
field is named, and a template cannot reach past its fields."""

from __future__ import annotations

import datetime
import re
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.errors import ValidationError
from reports.letter_fields import FIELDS, and_list, duration, sample_fields, uk_date
from reports.letter_templates import (
    TYPE_IDS,
    MissingField,
    TemplateError,
    check_template,
    default_template,
    letter_type,
    letter_types,
    render_body,
    templates_dir,
)
from reports.letters import Letter, Letterhead, Recipient, Signatory, make_letter
from tests.pdfutil import pdf_text

ROOT = Path(__file__).resolve().parents[2]
CYRILLIC = "Ольга Кузнецова"

# The facts each type must carry, as they print (dates in long form).
FACTS: dict[str, list[str]] = {
    "verbal-warning": ["4 November 2026", "Mrs Priya Shah", "swearing at a member of staff"],
    "mediation-invitation": ["2 December 2026", "3.30pm", "Dr Amelia Hart", "meeting room"],
    "written-warning": [
        "formal written warning",
        "3 November 2026",
        "17 November 2026",
        "abusive telephone call",
        "Staff were shouted at",
        "twelve months",
    ],
    "communication-plan": [
        "in writing, by email",
        "Mr Daniel Okafor",
        "d.okafor@riverside.example.org",
        "Tuesdays and Thursdays, 9.30am to 10.30am",
        "1 December 2026",
        "28 February 2027",
        "22 February 2027",
    ],
    "bar-notice": [
        "written representations",
        "15 December 2026",
        "Mr Daniel Okafor",
        "Staff were shouted at",
        "Mr Ñúñez will bring the children",
        "Mateo Ñúñez-O'Brien",
    ],
    "representations-acknowledgement": ["10 December 2026", "8 January 2027"],
    "bar-confirmation": [
        "12 weeks",
        "1 December 2026",
        "22 February 2027",
        "section 547 of the Education Act 1996",
        "nuisance or disturbance",
        "independent legal advice",
        "civil courts",
        "Mr Daniel Okafor",
        "Staff were shouted at",
    ],
    "bar-lifted": ["lifted", "10 December 2026"],
    "bar-review-outcome": ["renewed", "21 May 2027", "22 February 2027", "section 547"],
    "post-removal-request": ["Facebook", "20 November 2026", "27 November 2026"],
    "covert-recording-notice": ["12 November 2026", "class teacher", "1 December 2026"],
}


def _letter(type_id: str, fields: dict[str, object], name: str) -> Letter:
    rendered = render_body(type_id, fields)
    return Letter(
        letterhead=Letterhead(
            trust_name="Riverside Learning Trust",
            trust_address=["Trust House", "1 Mill Lane", "Riverton", "RV1 2AB"],
            school_name="Riverside Primary Academy",
            school_address=["School Road", "Riverton", "RV2 3CD"],
        ),
        recipient=Recipient(name, ["14 Mill Road", "Riverton", "RV3 4EF"]),
        reference=str(fields["reference"]),
        date=datetime.date(2026, 11, 26),
        salutation=f"Dear {name}",
        subject=rendered.subject,
        body=rendered.paragraphs,
        signatory=Signatory("Dr Amelia Hart", "Headteacher"),
    )


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\ufffe", "").replace("\u00ad", ""))


def test_every_type_has_a_default_template_and_declares_known_fields() -> None:
    assert [t.id for t in letter_types()] == list(TYPE_IDS)
    assert sorted(p.stem for p in templates_dir().glob("*.j2")) == sorted(TYPE_IDS)
    readme = (templates_dir() / "README.md").read_text(encoding="utf-8")
    for kind in letter_types():
        assert kind.required and kind.title
        assert kind.fields <= set(FIELDS), kind.id
        assert kind.id in readme
        check_template(kind.id, default_template(kind.id))
    for name in FIELDS:
        assert f"`{name}`" in readme, name


@pytest.mark.parametrize("type_id", TYPE_IDS)
@pytest.mark.parametrize("name", ["Ms Zoë Ñúñez-O'Brien", CYRILLIC])
def test_every_type_prints_its_facts(type_id: str, name: str) -> None:
    fields = sample_fields() | {"recipient_name": name}
    pdf = make_letter(_letter(type_id, fields, name))
    text = _flat(pdf_text(pdf))
    for fact in [name, "RIV-2026-0042", *FACTS[type_id]]:
        assert fact in text, (type_id, fact)


def test_bar_notice_of_intent_and_review_lifted_read_differently() -> None:
    intended = render_body("bar-notice", sample_fields() | {"bar_kind": "intended"})
    assert intended.subject.startswith("Intention to bar")
    lifted = render_body("bar-review-outcome", sample_fields() | {"review_outcome": "lifted"})
    assert "lifted" in " ".join(lifted.paragraphs)
    assert "section 547" not in " ".join(lifted.paragraphs)


@pytest.mark.parametrize(
    ("type_id", "missing"),
    [
        ("bar-confirmation", "review_date"),
        ("written-warning", "incidents"),
        ("bar-notice", "drop_off"),
    ],
)
def test_a_missing_field_is_named(type_id: str, missing: str) -> None:
    fields = sample_fields()
    fields[missing] = [] if missing == "incidents" else None
    with pytest.raises(MissingField) as caught:
        render_body(type_id, fields)
    assert caught.value.field == missing
    assert f"({missing})" in caught.value.message
    assert isinstance(caught.value, ValidationError)


def test_a_renewed_bar_needs_its_new_dates() -> None:
    fields = sample_fields()
    del fields["new_bar_end"]
    render_body("bar-review-outcome", fields | {"review_outcome": "lifted"})
    with pytest.raises(MissingField, match="new_bar_end"):
        render_body("bar-review-outcome", fields)


def test_a_value_of_the_wrong_kind_is_named() -> None:
    with pytest.raises(ValidationError, match=r"review date \(review_date\) should be a date"):
        render_body("bar-confirmation", sample_fields() | {"review_date": "next Tuesday"})


ESCAPES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ reasons.__class__ }}",
    "{{ reasons['__class__'] }}",
    "{{ reasons|attr('__class__') }}",
    "{% include 'x' %}",
    "{% extends 'base.j2' %}",
    "{% import 'x' as y %}",
    "{% from 'x' import y %}",
    "{{ self }}",
    "{{ self._TemplateReference__context }}",
    "{{ reasons.upper() }}",
    "{{ range(10) }}",
    "{{ lipsum() }}",
    "{{ 'a' * 100000000 }}",
    "{{ 9 ** 999999 }}",
    "{% set x = reasons %}{{ x }}",
    "{% macro m() %}x{% endmacro %}",
    "{{ reasons|center(100000000) }}",
]


@pytest.mark.parametrize("text", ESCAPES)
def test_sandbox_escapes_are_refused(text: str) -> None:
    template = "Subject: Test\n\n" + text
    with pytest.raises(TemplateError):
        check_template("written-warning", template)
    with pytest.raises(TemplateError):
        render_body("written-warning", sample_fields(), template_text=template)


def test_a_syntax_error_names_its_line() -> None:
    text = "Subject: Test\n\nFirst paragraph.\n\n{% if reasons %}\nNo end to this block.\n"
    with pytest.raises(TemplateError) as caught:
        check_template("written-warning", text)
    assert caught.value.line is not None and caught.value.line >= 5
    assert caught.value.message.startswith(f"Line {caught.value.line}:")
    with pytest.raises(TemplateError, match=r"^Line 3:"):
        check_template("written-warning", "Subject: x\n\n{{ reasons }\n")


def test_an_unknown_field_is_named_with_its_line() -> None:
    text = "Subject: Test\n\n{{ reasons }}\n\nYour bar ends {{ bar_end|long_date }}.\n"
    with pytest.raises(TemplateError) as caught:
        check_template("written-warning", text)
    assert caught.value.field == "bar_end"
    assert caught.value.line == 5
    assert "'bar_end'" in caught.value.message


def test_an_unknown_filter_is_refused() -> None:
    with pytest.raises(TemplateError, match="Line 3"):
        check_template("written-warning", "Subject: x\n\n{{ reasons|shout }}")


def test_an_edited_template_renders_and_keeps_line_breaks() -> None:
    text = (
        "{# my wording #}\nSubject: Warning for {{ recipient_name }}\n\n"
        "Dear parent,\nplease note.\n\n\n\n{% for i in incidents %}\n"
        "{{ i.date|uk_date }} {{ i.summary }}\n{% endfor %}\n"
    )
    rendered = render_body("written-warning", sample_fields(), template_text=text)
    assert rendered.subject == "Warning for Ms Zoë Ñúñez-O'Brien"
    assert rendered.paragraphs == (
        "Dear parent,\nplease note.",
        "03/11/2026 Shouting and swearing at the school gate.\n"
        "17/11/2026 An abusive telephone call to the office.",
    )


def test_a_template_without_a_subject_line_uses_the_type_title() -> None:
    rendered = render_body("bar-lifted", sample_fields(), template_text="Hello.")
    assert rendered.subject == letter_type("bar-lifted").title


def test_a_ten_thousand_word_field_renders_and_paginates() -> None:
    reasons = " ".join(f"word{i}" for i in range(10_000))
    fields = sample_fields() | {"reasons": reasons}
    rendered = render_body("written-warning", fields)
    assert any(reasons in p for p in rendered.paragraphs)
    text = pdf_text(make_letter(_letter("written-warning", fields, "Ms Zoë Ñúñez-O'Brien")))
    assert "word9999" in text


def test_filters() -> None:
    assert uk_date(datetime.date(2026, 11, 26)) == "26/11/2026"
    assert and_list(["A", "B", "C"]) == "A, B and C"
    assert and_list(["A"]) == "A"
    assert duration(datetime.date(2026, 12, 1), datetime.date(2027, 2, 22)) == "12 weeks"
    assert duration(datetime.date(2026, 12, 1), datetime.date(2026, 12, 10)) == "1 week and 3 days"
    rendered = render_body(
        "bar-lifted",
        sample_fields(),
        template_text="{{ representations_received|long_date }}",
    )
    assert rendered.paragraphs == ("10 December 2026",)


def test_unknown_type_is_refused() -> None:
    with pytest.raises(ValidationError, match="no letter type"):
        render_body("apology", sample_fields())


def test_importing_the_templates_loads_neither_reportlab_nor_qt() -> None:
    code = (
        "import sys, reports.letter_templates as t; t.letter_types();"
        "t.render_body('bar-confirmation', __import__('reports.letter_fields',"
        " fromlist=['x']).sample_fields());"
        "bad = [m for m in sys.modules if m.startswith(('reportlab', 'PySide6'))];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
