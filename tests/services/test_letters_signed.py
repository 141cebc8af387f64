"""Signatures on issued letters: the signatory's own, their delegate's, and nobody else's."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pypdfium2
import pytest
from PIL import Image
from sqlalchemy import select

from desktop.errors import NotFound, NotPermitted, ValidationError
from desktop.services import issued_letters, signatures
from desktop.services.auth import sign_in
from desktop.services.sanctions import take_step
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.services.users import add_user
from desktop.storage.models import AuditEntry, IssuedLetter
from tests.pdfutil import pdf_text
from tests.services.accounts import SCHOOL_USER_PASSWORD
from tests.services.sanction_support import case_with_incidents, verbal_warning

D = dt.date


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 120), "white").save(buffer, "PNG")
    return buffer.getvalue()


def _account(result: SetupResult, path: Path, username: str, name: str, role: str) -> UserSession:
    add_user(
        result.session,
        username=username,
        full_name=name,
        role=role,
        school_ids=[1],
        password=SCHOOL_USER_PASSWORD,
    )
    return sign_in(path, username=username, password=SCHOOL_USER_PASSWORD)


def _images(pdf: bytes) -> int:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return sum(
            len(list(document[i].get_objects(filter=[pypdfium2.raw.FPDF_PAGEOBJ_IMAGE])))
            for i in range(len(document))
        )
    finally:
        document.close()


def _warn(session: UserSession) -> issued_letters.OpenedLetter:
    case = case_with_incidents(session, 1)
    result = take_step(session, case_id=case.id, draft=verbal_warning(D(2026, 1, 20)))
    assert result.letter_id is not None
    return issued_letters.open_letter(session, letter_id=result.letter_id)


@pytest.fixture
def people(new_store: SetupResult, store_path: Path) -> dict[str, UserSession]:
    ann = _account(new_store, store_path, "ann", "Ann Ash", "headteacher")
    signatures.register_signature(ann, image=_png())
    return {
        "ann": ann,
        "bob": _account(new_store, store_path, "bob", "Bob Birch", "business_manager"),
        "cat": _account(new_store, store_path, "cat", "Cat Cole", "business_manager"),
    }


def test_the_signatory_issuing_gets_their_own_signature(people: dict[str, UserSession]) -> None:
    letter = _warn(people["ann"])
    assert letter.info.signed_as == "own"
    assert _images(letter.pdf) == 1
    assert "Ann Ash" in pdf_text(letter.pdf)


def test_a_delegate_applies_it_and_the_letter_says_so(people: dict[str, UserSession]) -> None:
    signatures.authorise_delegate(people["ann"], user_id=people["bob"].actor.user_id)
    letter = _warn(people["bob"])
    assert letter.info.signed_as == "delegate"
    assert _images(letter.pdf) == 1
    assert "Signed on their behalf by Bob Birch" in " ".join(pdf_text(letter.pdf).split())
    with people["bob"].transaction() as db:
        actions = list(
            db.scalars(select(AuditEntry.detail).where(AuditEntry.action == "letter.issued"))
        )
    assert any('"signed_as":"delegate"' in a.replace(" ", "") for a in actions)


def test_anyone_else_gets_the_space_to_sign_by_hand(people: dict[str, UserSession]) -> None:
    signatures.authorise_delegate(people["ann"], user_id=people["bob"].actor.user_id)
    letter = _warn(people["cat"])
    assert letter.info.signed_as == ""
    assert _images(letter.pdf) == 0
    text = pdf_text(letter.pdf)
    assert "Ann Ash" in text and "Headteacher" in text


def test_a_revoked_delegate_signs_no_more(people: dict[str, UserSession]) -> None:
    ann, bob = people["ann"], people["bob"]
    signatures.authorise_delegate(ann, user_id=bob.actor.user_id)
    assert [p.name for p in signatures.my_signature(bob).signs_for] == ["Ann Ash"]
    signatures.revoke_delegate(ann, user_id=bob.actor.user_id)
    assert _images(_warn(bob).pdf) == 0
    with pytest.raises(NotFound):
        signatures.revoke_delegate(ann, user_id=bob.actor.user_id)


def test_removing_the_signature_leaves_issued_letters_alone(people: dict[str, UserSession]) -> None:
    ann = people["ann"]
    first = _warn(ann)
    signatures.remove_signature(ann)
    assert signatures.my_signature(ann).image is None
    again = issued_letters.open_letter(ann, letter_id=first.info.id)
    assert again.pdf == first.pdf and _images(again.pdf) == 1


@pytest.mark.parametrize(
    "data",
    [b"", b"GIF89a....", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, b"\xff\xd8\xff" + b"junk" * 10],
)
def test_a_damaged_or_foreign_image_is_refused(people: dict[str, UserSession], data: bytes) -> None:
    with pytest.raises(ValidationError) as caught:
        signatures.register_signature(people["bob"], image=data)
    assert caught.value.field == "signature"
    assert signatures.my_signature(people["bob"]).image is None


def test_roles_without_signing_cannot_keep_one(new_store: SetupResult, store_path: Path) -> None:
    auditor = _account(new_store, store_path, "aud", "Aud Itor", "auditor")
    with pytest.raises(NotPermitted):
        signatures.register_signature(auditor, image=_png())


def test_a_delegate_must_be_able_to_issue_letters(
    new_store: SetupResult, store_path: Path, people: dict[str, UserSession]
) -> None:
    auditor = _account(new_store, store_path, "aud", "Aud Itor", "auditor")
    with pytest.raises(ValidationError):
        signatures.authorise_delegate(people["ann"], user_id=auditor.actor.user_id)
    with pytest.raises(ValidationError):
        signatures.authorise_delegate(people["ann"], user_id=people["ann"].actor.user_id)
    candidates = {p.name for p in signatures.my_signature(people["ann"]).candidates}
    assert "Aud Itor" not in candidates and "Bob Birch" in candidates


def test_a_name_two_accounts_share_gets_no_image(
    new_store: SetupResult, store_path: Path, people: dict[str, UserSession]
) -> None:
    twin = _account(new_store, store_path, "ann2", "Ann Ash", "headteacher")
    signatures.register_signature(twin, image=_png())
    assert _warn(people["ann"]).info.signed_as == ""


def test_the_letter_row_names_the_signatory(people: dict[str, UserSession]) -> None:
    letter = _warn(people["ann"])
    with people["ann"].transaction() as db:
        row = db.get(IssuedLetter, letter.info.id)
        assert row is not None and row.signature_user_id == people["ann"].actor.user_id
