"""The trust's own wording of letters: versions, checks, restore, and what letters record."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.errors import NotPermitted, ValidationError
from desktop.services import issued_letters, letter_wording
from desktop.services.sanctions import take_step
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.storage.models import AuditEntry
from reports.letter_templates import TYPE_IDS, TemplateError
from tests.pdfutil import pdf_text
from tests.services.sanction_support import case_with_incidents, trust_leader, verbal_warning

D = dt.date
TYPE = "verbal-warning"


def _issue(session: UserSession) -> issued_letters.OpenedLetter:
    case = case_with_incidents(session, 1)
    result = take_step(session, case_id=case.id, draft=verbal_warning(D(2026, 1, 20)))
    assert result.letter_id is not None
    return issued_letters.open_letter(session, letter_id=result.letter_id)


def _edited(admin: UserSession, words: str) -> str:
    shipped = letter_wording.letter_wording(admin, type_id=TYPE).text
    return shipped.replace("\n\n", f"\n\n{words}\n\n", 1)


def test_every_type_is_listed_with_its_default_wording(new_store: SetupResult) -> None:
    listed = letter_wording.letter_wordings(new_store.session)
    assert [w.type_id for w in listed] == list(TYPE_IDS)
    for wording in listed:
        assert wording.version == "default" and not wording.edited
        assert not wording.text.lstrip().startswith("{#")  # the front matter stays hidden
        assert wording.fields and any(f.required for f in wording.fields)


def test_a_saved_edit_is_used_and_recorded_on_the_letter(
    new_store: SetupResult, store_path: Path
) -> None:
    admin = new_store.session
    saved = letter_wording.save_wording(
        admin, type_id=TYPE, text=_edited(admin, "Our trust values every family.")
    )
    assert saved.version == "v1" and saved.edited
    leader = trust_leader(new_store, store_path)
    letter = _issue(leader)
    assert letter.info.template_version == "v1"
    assert "Our trust values every family." in pdf_text(letter.pdf)


def test_restore_default_is_a_new_version_and_old_letters_keep_theirs(
    new_store: SetupResult, store_path: Path
) -> None:
    admin = new_store.session
    letter_wording.save_wording(admin, type_id=TYPE, text=_edited(admin, "First edit."))
    leader = trust_leader(new_store, store_path)
    before = _issue(leader)
    restored = letter_wording.restore_default(admin, type_id=TYPE)
    assert restored.version == "default" and not restored.edited
    assert [v.label for v in restored.history] == ["default", "v1"]
    after = _issue(leader)
    assert after.info.template_version == "default"
    assert "First edit." not in pdf_text(after.pdf)
    assert "First edit." in pdf_text(
        issued_letters.open_letter(leader, letter_id=before.info.id).pdf
    )
    with pytest.raises(ValidationError):
        letter_wording.restore_default(admin, type_id=TYPE)


def test_edits_and_restores_are_audited(new_store: SetupResult) -> None:
    admin = new_store.session
    letter_wording.save_wording(admin, type_id=TYPE, text=_edited(admin, "Audited edit."))
    letter_wording.restore_default(admin, type_id=TYPE)
    with admin.transaction() as db:
        actions = list(
            db.scalars(select(AuditEntry.action).where(AuditEntry.action.like("letter_template.%")))
        )
    assert actions == ["letter_template.saved", "letter_template.restored"]


@pytest.mark.parametrize(
    ("addition", "line"),
    [("{{ favourite_colour }}", 3), ("{% if %}", 3), ("{{ ''.__class__.__mro__ }}", 3)],
)
def test_a_faulty_edit_is_refused_with_its_line_and_nothing_changes(
    new_store: SetupResult, addition: str, line: int
) -> None:
    admin = new_store.session
    text = letter_wording.letter_wording(admin, type_id=TYPE).text
    lines = text.split("\n")
    lines.insert(line - 1, addition)
    with pytest.raises(TemplateError) as caught:
        letter_wording.save_wording(admin, type_id=TYPE, text="\n".join(lines))
    assert caught.value.line == line
    assert letter_wording.letter_wording(admin, type_id=TYPE).version == "default"


def test_preview_reports_the_problem_instead_of_a_pdf(new_store: SetupResult) -> None:
    admin = new_store.session
    good = letter_wording.preview_wording(
        admin, type_id=TYPE, text=_edited(admin, "Preview words."), large_print=True
    )
    assert good.pdf is not None and "Preview words." in pdf_text(good.pdf)
    bad = letter_wording.preview_wording(admin, type_id=TYPE, text="Subject: x\n\n{{ nope }}")
    assert bad.pdf is None and bad.line == 3 and "nope" in bad.problem


def test_unchanged_or_empty_wording_is_not_saved(new_store: SetupResult) -> None:
    admin = new_store.session
    shipped = letter_wording.letter_wording(admin, type_id=TYPE).text
    for text in (shipped, "   \n"):
        with pytest.raises(ValidationError):
            letter_wording.save_wording(admin, type_id=TYPE, text=text)


def test_only_trust_editors_change_wording(new_store: SetupResult, store_path: Path) -> None:
    from tests.services.accounts import sign_in_new_user

    manager = sign_in_new_user(new_store, store_path, "bm", "business_manager")
    with pytest.raises(NotPermitted):
        letter_wording.save_wording(manager, type_id=TYPE, text="Subject: x\n\nHello.")
    with pytest.raises(NotPermitted):
        letter_wording.letter_wordings(manager)
