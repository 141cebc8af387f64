"""The Evidence tab, driven by clicks, keys and a drop: files go into the encrypted store and
come back byte for byte, pictures get thumbnails, the viewer shows content from memory only,
and a copy leaves only when asked and confirmed (issue 7, item 6)."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
)
from reportlab.pdfgen import canvas
from sqlalchemy import select

from desktop.services import evidence
from desktop.services.cases import CaseRow
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.storage import models as m
from desktop.ui.case_tabs import evidence_tab
from desktop.ui.case_tabs.evidence_tab import EvidenceTab
from desktop.ui.evidence_viewer import EvidenceViewer
from tests.services.case_support import open_parent_case
from tests.ui.case_tab_support import show_tab, wait_rows
from tests.ui.fakes import FakeBackend
from tests.ui.typing import click, click_row, press

MARKER = b"TABMARKER9931"
TABLE = "evidenceTable"


@pytest.fixture
def case(session: UserSession) -> CaseRow:
    return open_parent_case(session, "Zoë", "O'Brien")


def _png(width: int = 120, height: int = 80) -> bytes:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#3b5998"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def _pdf() -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 750, "Written warning")
    page.showPage()
    page.drawString(72, 750, "Second page")
    page.save()
    return out.getvalue()


def _tab(qtbot, session: UserSession, case: CaseRow, rows: int) -> EvidenceTab:
    tab = EvidenceTab(session, case.id)
    return show_tab(qtbot, tab, (900, 420), TABLE, rows, active=True, timeout=10_000)


def _table(tab: EvidenceTab) -> QTableWidget:
    return tab.findChild(QTableWidget, TABLE)


def _wait_rows(qtbot, tab: EvidenceTab, rows: int) -> None:
    wait_rows(qtbot, tab, TABLE, rows, timeout=10_000)  # a file going in can take a while


def _stored(session: UserSession, case: CaseRow) -> list[bytes]:
    return [
        evidence.evidence_content(session, evidence_id=row.id)
        for row in evidence.list_evidence(session, case_id=case.id)
    ]


def test_attach_a_file_with_add_files(
    qtbot, session, case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = b"Dear Head,\n" + MARKER + "\nZoë\n".encode()
    path = tmp_path / "letter from Zoë.txt"
    path.write_bytes(content)
    asked: list[str] = []

    def pick(parent, title, folder, filters):
        asked.append(title)
        return [str(path)], filters

    monkeypatch.setattr(evidence_tab.QFileDialog, "getOpenFileNames", pick)
    tab = _tab(qtbot, session, case, 0)
    with qtbot.waitSignal(tab.changed, timeout=10_000):
        click(qtbot, tab.findChild(QPushButton, "addFilesButton"))
    _wait_rows(qtbot, tab, 1)
    assert asked == ["Add evidence files"]
    table = _table(tab)
    assert [table.item(0, c).text() for c in range(3)] == [
        "letter from Zoë.txt",
        "Text",
        f"{len(content)} bytes",
    ]
    assert _stored(session, case) == [content]
    assert table.item(0, 5).toolTip() == evidence.list_evidence(session, case_id=case.id)[0].sha256


def test_drop_files_onto_the_tab(qtbot, session, case, tmp_path: Path) -> None:
    picture, letter = tmp_path / "post.png", tmp_path / "letter.pdf"
    picture.write_bytes(_png())
    letter.write_bytes(_pdf())
    tab = _tab(qtbot, session, case, 0)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(picture)), QUrl.fromLocalFile(str(letter))])
    where = QPoint(tab.width() // 2, tab.height() // 2)
    actions = Qt.DropAction.CopyAction
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(where, actions, mime, buttons, keys)
    QApplication.sendEvent(tab, enter)
    assert enter.isAccepted()
    with qtbot.waitSignal(tab.thumbnail_ready, timeout=10_000):
        QApplication.sendEvent(tab, QDropEvent(where, actions, mime, buttons, keys))
    _wait_rows(qtbot, tab, 2)
    assert sorted(_stored(session, case)) == sorted([picture.read_bytes(), letter.read_bytes()])
    table = _table(tab)
    row = [r for r in range(2) if table.item(r, 0).text() == "post.png"][0]
    assert not table.item(row, 0).icon().isNull()
    assert table.item(row, 1).text() == "Picture"


def test_a_drop_of_no_files_is_refused(qtbot, session, case) -> None:
    tab = _tab(qtbot, session, case, 0)
    mime = QMimeData()
    mime.setUrls([QUrl("https://example.org/post")])
    enter = QDragEnterEvent(
        QPoint(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(tab, enter)
    assert not enter.isAccepted()


def test_an_oversized_file_is_refused_with_the_limit(
    qtbot, session, case, tmp_path: Path, messenger: FakeBackend, monkeypatch
) -> None:
    evidence.set_evidence_limit(session, megabytes=1)
    big = tmp_path / "recording.mp3"
    big.write_bytes(b"\0" * (2 * 1024 * 1024))
    monkeypatch.setattr(evidence_tab.QFileDialog, "getOpenFileNames", lambda *a: ([str(big)], ""))
    tab = _tab(qtbot, session, case, 0)
    click(qtbot, tab.findChild(QPushButton, "addFilesButton"))
    qtbot.waitUntil(lambda: bool(messenger.said), timeout=10_000)
    assert messenger.said == [
        (
            "warn",
            "Could not add recording.mp3",
            "This file is 2.0 MB; the limit is 1 MB (change it in Settings → Trust).",
        )
    ]
    assert evidence.list_evidence(session, case_id=case.id) == []


def test_open_shows_content_from_memory_and_is_audited(
    qtbot, session, case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    monkeypatch.setenv("TMPDIR", str(private_tmp))
    evidence.add_evidence(session, case_id=case.id, filename="post.png", content=_png(400, 300))
    evidence.add_evidence(session, case_id=case.id, filename="warning.pdf", content=_pdf())
    evidence.add_evidence(session, case_id=case.id, filename="note.txt", content=b"Hi \xff there")
    evidence.add_evidence(
        session, case_id=case.id, filename="call.mp3", content=b"ID3" + b"\0" * 50
    )
    tab = _tab(qtbot, session, case, 4)
    table = _table(tab)
    rows = {table.item(r, 0).text(): r for r in range(4)}

    def open_row(name: str) -> EvidenceViewer:
        click_row(qtbot, table, rows[name])
        press(qtbot, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: _viewer(tab) is not None, timeout=5000)
        viewer = _viewer(tab)
        if name != "call.mp3":
            qtbot.waitUntil(lambda: viewer.stack.currentWidget() is not viewer.message)
        return viewer

    def close(viewer: EvidenceViewer) -> None:
        click(qtbot, viewer.findChild(QPushButton, "closeButton"))
        qtbot.waitUntil(lambda: _viewer(tab) is None, timeout=5000)
        tab.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is tab, timeout=5000)

    picture = open_row("post.png")
    image = picture.findChild(QGraphicsView, "imageView")
    assert image.isVisible() and image.item.pixmap().width() == 400
    close(picture)
    pdf = open_row("warning.pdf")
    assert pdf.findChild(QLabel, "pdfPageNumber").text() == "Page 1 of 2"
    click(qtbot, pdf.findChild(QPushButton, "nextPageButton"))
    assert pdf.findChild(QLabel, "pdfPageNumber").text() == "Page 2 of 2"
    assert not pdf.findChild(QLabel, "pdfPageImage").pixmap().isNull()
    close(pdf)
    text = open_row("note.txt")
    assert text.findChild(QPlainTextEdit, "textView").toPlainText() == "Hi \ufffd there"
    close(text)
    audio = open_row("call.mp3")
    assert "Export a copy" in audio.findChild(QLabel, "viewerMessage").text()
    assert (
        audio.findChild(QLabel, "detailSha256").text()
        == evidence.list_evidence(session, case_id=case.id)[3].sha256
    )
    close(audio)
    assert list(private_tmp.iterdir()) == []  # nothing was written out to be shown
    with session.transaction() as db:
        viewed = db.scalars(
            select(m.AuditEntry.action).where(m.AuditEntry.action == "evidence.viewed")
        ).all()
    assert len(viewed) == 3  # the recording's details are not a viewing of it


def _viewer(tab: EvidenceTab) -> EvidenceViewer | None:
    found = [v for v in tab.findChildren(EvidenceViewer) if v.isVisible()]
    return found[-1] if found else None


def test_export_a_copy_only_when_asked_and_confirmed(
    qtbot, session, case, tmp_path: Path, messenger: FakeBackend
) -> None:
    content = _png() + MARKER
    evidence.add_evidence(session, case_id=case.id, filename="post.png", content=content)
    tab = _tab(qtbot, session, case, 1)
    target = tmp_path / "copy.png"
    messenger.paths.append(target)
    messenger.confirmations.append(False)  # thought better of it
    click(qtbot, tab.findChild(QPushButton, "exportEvidenceButton"))
    assert not target.exists()
    assert messenger.said[0] == ("save_path", "Export a copy", "post.png")
    assert "unencrypted copy" in messenger.said[1][2] and str(target) in messenger.said[1][2]
    messenger.paths.append(target)
    messenger.confirmations.append(True)
    click(qtbot, tab.findChild(QPushButton, "exportEvidenceButton"))
    qtbot.waitUntil(lambda: messenger.said[-1][0] == "info", timeout=10_000)
    assert target.read_bytes() == content
    with session.transaction() as db:
        exported = db.scalars(
            select(m.AuditEntry.action).where(m.AuditEntry.action == "evidence.exported")
        ).all()
    assert len(exported) == 1


def test_a_read_only_role_cannot_add(qtbot, new_store: SetupResult, store_path, case) -> None:
    from tests.services.accounts import sign_in_new_user

    auditor = sign_in_new_user(new_store, store_path, "aud", "auditor", [])
    try:
        tab = _tab(qtbot, auditor, case, 0)
        assert not tab.findChild(QPushButton, "addFilesButton").isEnabled()
        assert not tab.acceptDrops()
    finally:
        auditor.close()
