"""Settings › Signature, driven by clicks: choosing an image stores it, a damaged or wrong file
is refused with its reason, removing asks first, delegates are added and stopped, and a role
that does not sign sees a note (and whom it may sign for)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from PIL import Image, ImageDraw
from PySide6.QtCore import QObject
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QListWidget,
    QPushButton,
)

from desktop.services import signatures
from desktop.services.auth import sign_in
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.ui.settings_dialog import SettingsDialog
from desktop.ui.signature_page import DelegatePicker, SignaturePage
from tests.services.accounts import SCHOOL_USER_PASSWORD, sign_in_new_user
from tests.ui.fakes import FakeBackend
from tests.ui.test_settings_dialog import choose_page, open_dialog
from tests.ui.typing import click, click_row

T = TypeVar("T", bound=QObject)


def w(parent: QObject, kind: type[T], name: str) -> T:
    found = parent.findChild(kind, name)
    assert found is not None, name
    return found


def signature_page(qtbot, session: UserSession) -> tuple[SettingsDialog, SignaturePage]:
    dialog = open_dialog(qtbot, session)
    choose_page(qtbot, dialog, "Signature")
    page = dialog.current_page()
    assert isinstance(page, SignaturePage)
    return dialog, page


def signature_png(path: Path) -> Path:
    image = Image.new("RGB", (300, 100), "white")
    ImageDraw.Draw(image).line([(20, 70), (90, 30), (160, 75), (280, 25)], fill="navy", width=4)
    image.save(path, "PNG")
    return path


def error_text(page: SignaturePage) -> str:
    label = w(page, QLabel, "signatureError")
    return label.text() if label.isVisible() else ""


@pytest.fixture
def head(new_store: SetupResult, store_path: Path) -> Iterator[UserSession]:
    """A headteacher ("Head"), who signs letters; a business manager ("Manager") exists too."""
    session = sign_in_new_user(new_store, store_path, "head", "headteacher")
    sign_in_new_user(new_store, store_path, "manager", "business_manager").close()
    yield session
    session.close()


def test_choosing_an_image_stores_it_and_remove_asks_first(
    qtbot, head: UserSession, tmp_path: Path, messenger: FakeBackend
) -> None:
    _dialog, page = signature_page(qtbot, head)
    image = w(page, QLabel, "signatureImage")
    remove = w(page, QPushButton, "removeSignatureButton")
    assert image.pixmap().isNull() and not remove.isEnabled()
    assert "space to sign by hand" in w(page, QLabel, "signatureStored").text()
    assert "Letters you issue" in w(page, QLabel, "signatureIntro").text()

    path = signature_png(tmp_path / "signature.png")
    messenger.paths.append(path)
    click(qtbot, w(page, QPushButton, "chooseSignatureButton"))
    qtbot.waitUntil(lambda: not image.pixmap().isNull(), timeout=5000)
    assert signatures.my_signature(head).image == path.read_bytes()
    assert w(page, QLabel, "signatureStored").text().startswith("Stored on ")
    assert error_text(page) == ""

    messenger.confirmations.append(False)
    click(qtbot, remove)
    qtbot.wait(100)
    assert signatures.my_signature(head).image is not None
    messenger.confirmations.append(True)
    click(qtbot, remove)
    qtbot.waitUntil(lambda: image.pixmap().isNull(), timeout=5000)
    assert signatures.my_signature(head).image is None
    asked = [text for kind, _title, text in messenger.said if kind == "confirm"]
    assert len(asked) == 2 and "sign by hand" in asked[0]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00not really an image" * 20, "damaged"),
        (b"My signature, typed.", "must be a PNG or JPEG"),
    ],
)
def test_a_damaged_or_wrong_file_is_refused_and_nothing_is_stored(
    qtbot, head: UserSession, tmp_path: Path, messenger: FakeBackend, content: bytes, reason: str
) -> None:
    _dialog, page = signature_page(qtbot, head)
    path = tmp_path / "signature.png"
    path.write_bytes(content)
    messenger.paths.append(path)
    click(qtbot, w(page, QPushButton, "chooseSignatureButton"))
    qtbot.waitUntil(lambda: error_text(page) != "", timeout=5000)
    assert reason in error_text(page)
    assert signatures.my_signature(head).image is None
    assert w(page, QLabel, "signatureImage").pixmap().isNull()
    assert [kind for kind, _t, _x in messenger.said] == ["open_path"]  # no box: the line says


def picker_of(page: SignaturePage) -> DelegatePicker | None:
    found = [p for p in page.findChildren(DelegatePicker) if p.isVisible()]
    return found[0] if found else None


def test_a_delegate_is_allowed_then_stopped(
    qtbot, head: UserSession, messenger: FakeBackend
) -> None:
    _dialog, page = signature_page(qtbot, head)
    delegates = w(page, QListWidget, "delegatesList")
    stop = w(page, QPushButton, "stopDelegateButton")
    assert delegates.count() == 0 and not stop.isEnabled()

    click(qtbot, w(page, QPushButton, "addDelegateButton"))
    qtbot.waitUntil(lambda: picker_of(page) is not None, timeout=3000)
    picker = picker_of(page)
    assert picker is not None
    candidates = w(picker, QListWidget, "candidatesList")
    names = [candidates.item(row).text() for row in range(candidates.count())]
    assert "Manager (School business manager)" in names
    assert not any(name.startswith("Head ") for name in names)  # not oneself
    allow = w(picker, QDialogButtonBox, "buttonBox").button(QDialogButtonBox.StandardButton.Ok)
    assert not allow.isEnabled()
    click_row(qtbot, candidates, names.index("Manager (School business manager)"))
    click(qtbot, allow)
    qtbot.waitUntil(lambda: delegates.count() == 1, timeout=5000)
    assert delegates.item(0).text() == "Manager (School business manager)"
    assert [p.name for p in signatures.my_signature(head).delegates] == ["Manager"]

    manager = signatures.my_signature(head).delegates[0]
    click_row(qtbot, delegates, 0)
    assert stop.isEnabled()
    messenger.confirmations.append(True)
    click(qtbot, stop)
    qtbot.waitUntil(lambda: delegates.count() == 0, timeout=5000)
    assert signatures.my_signature(head).delegates == ()
    asked = [text for kind, _title, text in messenger.said if kind == "confirm"]
    assert len(asked) == 1 and "Manager" in asked[0]
    assert manager.user_id not in {p.user_id for p in signatures.my_signature(head).delegates}


def test_a_delegate_sees_whom_they_may_sign_for(qtbot, store_path: Path, head: UserSession) -> None:
    manager_id = next(
        p.user_id for p in signatures.my_signature(head).candidates if p.name == "Manager"
    )
    signatures.authorise_delegate(head, user_id=manager_id)
    session = sign_in(store_path, username="manager", password=SCHOOL_USER_PASSWORD)
    try:
        _dialog, page = signature_page(qtbot, session)
        assert w(page, QLabel, "signsForLabel").text() == ("You may sign for: Head (Headteacher).")
    finally:
        session.close()


def test_a_role_that_does_not_sign_sees_a_note(
    qtbot, new_store: SetupResult, head: UserSession, messenger: FakeBackend
) -> None:
    admin = new_store.session  # the data protection lead: works on cases, signs nothing
    admin_id = admin.actor.user_id
    signatures.authorise_delegate(head, user_id=admin_id)
    _dialog, page = signature_page(qtbot, admin)
    note = w(page, QLabel, "readOnlyNote")
    assert note.isVisible() and "does not sign letters" in note.text()
    assert not w(page, QGroupBox, "signatureGroup").isVisible()
    assert not w(page, QGroupBox, "delegatesGroup").isVisible()
    signs_for = w(page, QLabel, "signsForLabel")
    assert signs_for.isVisible()
    assert (
        signs_for.text() == "You may issue letters carrying the signature of: Head (Headteacher)."
    )
    assert messenger.said == []
    assert QApplication.activeModalWidget() is None
