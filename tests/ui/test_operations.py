"""Background operations: progress only when slow, errors routed, stale results dropped,
writes serialised per session and announced to the windows that show what they changed."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStatusBar,
    QVBoxLayout,
)

from desktop import app as app_module
from desktop.errors import NotPermitted, user_message
from desktop.services import cases
from desktop.services.setup import SetupResult
from desktop.ui import error_dialog
from desktop.ui.main_window import MainWindow
from desktop.ui.operations import (
    PROGRESS_DELAY_MS,
    BusyIndicator,
    Change,
    Latest,
    ReadOp,
    WriteOp,
    changes,
    settle,
)
from desktop.ui.signin_dialog import SignInDialog
from tests.conftest import ADMIN_PASSWORD
from tests.ui.typing import click, type_into, type_keys

DELAY = PROGRESS_DELAY_MS / 1000
WAIT_MS = 5000


@pytest.fixture
def window(qtbot) -> QDialog:
    """A plain dialog with a field, standing in for any window that starts an op."""
    dialog = QDialog()
    dialog.setObjectName("someDialog")
    layout = QVBoxLayout(dialog)
    field = QLineEdit()
    field.setObjectName("someField")
    layout.addWidget(field)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


@pytest.fixture
def roomy_pool():
    """Enough pool threads for the ops a test runs side by side, whatever the machine."""
    pool = QThreadPool.globalInstance()
    before = pool.maxThreadCount()
    pool.setMaxThreadCount(max(before, 4))
    yield
    pool.setMaxThreadCount(before)


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[BaseException]:
    """What the error dialog would have shown, instead of opening it."""
    calls: list[BaseException] = []
    monkeypatch.setattr(
        error_dialog, "show_error", lambda exc, path, parent=None: calls.append(exc)
    )
    return calls


@pytest.fixture
def release():
    """Lets a blocking op finish; set at the end of the test whatever happened in it."""
    event = threading.Event()
    yield event
    event.set()


def blocking(release: threading.Event, result: object = "done", started=None):
    """An op that holds its pool thread until the test releases it."""

    def run(job):
        if started is not None:
            started.set()
        assert release.wait(WAIT_MS / 1000), "the test never let the op finish"
        return result

    return run


# -- progress -----------------------------------------------------------------------------
def test_a_slow_op_shows_progress_only_after_half_a_second(
    qtbot, window: QDialog, release: threading.Event
) -> None:
    results: list[object] = []

    def run(job):
        job.progress(3, 10, "Copying case files")
        return blocking(release, "copied")(job)

    indicator = BusyIndicator.of(window)
    assert indicator.window() is window and not indicator.isVisible()
    started = time.monotonic()
    with qtbot.assertNotEmitted(indicator.busyChanged, wait=int(PROGRESS_DELAY_MS * 0.8)):
        ReadOp(parent=window, run=run, success=results.append, progress="Copying").start()
    assert not indicator.isVisible()
    with qtbot.waitSignal(indicator.busyChanged, timeout=WAIT_MS) as busy:
        pass  # nothing to do but let the half second run out
    assert busy.args == [True]
    assert time.monotonic() - started >= DELAY * 0.98  # a timer may wake a hair early
    assert indicator.isVisible()
    qtbot.waitUntil(
        lambda: indicator.findChild(QLabel, "busyLabel").text() == "Copying case files",
        timeout=WAIT_MS,
    )
    bar = indicator.findChild(QProgressBar, "busyBar")
    assert (bar.maximum(), bar.value()) == (10, 3)

    with qtbot.waitSignal(indicator.busyChanged, timeout=WAIT_MS) as idle:
        release.set()
    assert idle.args == [False]
    assert not indicator.isVisible()
    assert results == ["copied"]


def test_a_quick_op_never_shows_progress(qtbot, window: QDialog) -> None:
    results: list[object] = []
    indicator = BusyIndicator.of(window)
    with qtbot.assertNotEmitted(indicator.busyChanged, wait=int(PROGRESS_DELAY_MS * 1.6)):
        ReadOp(parent=window, run=lambda job: 42, success=results.append).start()
        qtbot.waitUntil(lambda: results == [42], timeout=WAIT_MS)
    assert not indicator.isVisible()


def test_the_main_window_shows_progress_in_its_status_bar(
    qtbot, new_store: SetupResult, release: threading.Event
) -> None:
    window = MainWindow(new_store.session)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not window.model.loading, timeout=WAIT_MS)
    indicator = window.findChild(BusyIndicator, "busyIndicator")
    assert isinstance(indicator.parentWidget(), QStatusBar)
    op = ReadOp(parent=window, session=new_store.session, run=blocking(release), progress="Busy")
    with qtbot.waitSignal(indicator.busyChanged, timeout=WAIT_MS):
        op.start()
    assert indicator.isVisible()
    assert indicator.findChild(QLabel, "busyLabel").text() == "Busy"
    with qtbot.waitSignal(indicator.busyChanged, timeout=WAIT_MS):
        release.set()
    assert not indicator.isVisible()


# -- errors -------------------------------------------------------------------------------
def refuse(job):
    raise NotPermitted()


def test_an_expected_error_goes_to_the_failure_callback(qtbot, window, messenger) -> None:
    failures: list[BaseException] = []
    done: list[bool] = []
    ReadOp(
        parent=window, run=refuse, failure=failures.append, done=lambda: done.append(True)
    ).start()
    qtbot.waitUntil(lambda: bool(failures), timeout=WAIT_MS)
    assert isinstance(failures[0], NotPermitted)
    assert done == [True]
    assert messenger.said == []


def test_an_expected_error_without_a_callback_is_said_plainly(qtbot, window, messenger) -> None:
    ReadOp(parent=window, run=refuse).start()
    qtbot.waitUntil(lambda: bool(messenger.said), timeout=WAIT_MS)
    assert messenger.said == [("warn", "Casebook", user_message(NotPermitted()))]


def test_a_file_problem_is_expected_too(qtbot, window, messenger) -> None:
    def full(job):
        raise OSError(28, "No space left on device")

    failures: list[BaseException] = []
    WriteOp(parent=window, run=full, failure=failures.append).start()
    qtbot.waitUntil(lambda: bool(failures), timeout=WAIT_MS)
    assert isinstance(failures[0], OSError)


def test_an_unexpected_error_reaches_the_error_dialog_and_the_ui_carries_on(
    qtbot, window, hooks, shown, messenger
) -> None:
    log_path = app_module.setup_logging()
    app_module.install_excepthook(log_path)

    typed = "".join(["Patricia", " Example"])  # as if a person had typed it

    def broken(job):
        raise KeyError(typed)

    failures: list[BaseException] = []
    done: list[int] = []
    ReadOp(
        parent=window,
        run=broken,
        failure=failures.append,  # only for expected errors
        done=lambda: done.append(len(shown)),
    ).start()
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=WAIT_MS)
    assert isinstance(shown[0], KeyError)
    assert done == [0]  # the window was made usable before the dialog opened (queued)
    assert failures == [] and messenger.said == []
    text = log_path.read_text(encoding="utf-8")
    assert "builtins.KeyError" in text and "in broken" in text  # logged, with its frames
    assert typed not in text  # but not its message, which may carry a name

    field = window.findChild(QLineEdit, "someField")
    type_into(qtbot, field, "still typing")
    assert field.text() == "still typing"
    results: list[object] = []
    ReadOp(parent=window, run=lambda job: "next", success=results.append).start()
    qtbot.waitUntil(lambda: results == ["next"], timeout=WAIT_MS)


def test_a_result_for_a_closed_window_is_dropped(qtbot, messenger, release) -> None:
    dialog = QDialog()
    results: list[object] = []
    dropped: list[object] = []
    ReadOp(
        parent=dialog, run=blocking(release, "late"), success=results.append, dropped=dropped.append
    ).start()
    dialog.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog), timeout=WAIT_MS)
    release.set()
    qtbot.waitUntil(lambda: dropped == ["late"], timeout=WAIT_MS)
    assert results == []


# -- stale results ------------------------------------------------------------------------
def test_only_the_newest_result_of_a_series_is_shown(qtbot, window, roomy_pool, release) -> None:
    latest = Latest()
    started = threading.Event()
    results: list[object] = []
    dropped: list[object] = []
    ReadOp(
        parent=window,
        run=blocking(release, "An", started),
        success=results.append,
        dropped=dropped.append,
        latest=latest,
    ).start()
    qtbot.waitUntil(started.is_set, timeout=WAIT_MS)  # the first search is under way
    ReadOp(
        parent=window,
        run=lambda job: "Ann",
        success=results.append,
        dropped=dropped.append,
        latest=latest,
    ).start()  # the person typed again
    qtbot.waitUntil(lambda: results == ["Ann"], timeout=WAIT_MS)
    release.set()  # the older search ends last...
    qtbot.waitUntil(lambda: dropped == ["An"], timeout=WAIT_MS)
    assert results == ["Ann"]  # ...and is not shown over the newer one


def test_a_superseded_op_that_has_not_started_never_runs(
    qtbot, window, new_store: SetupResult, release: threading.Event
) -> None:
    session = new_store.session
    latest = Latest()
    ran: list[str] = []

    def write(job):
        assert release.wait(WAIT_MS / 1000)

    def read(name: str):
        def run(job):
            ran.append(name)
            return name

        return run

    results: list[object] = []
    WriteOp(parent=window, session=session, run=write).start()  # the reads wait behind it
    ReadOp(parent=window, session=session, run=read("old"), latest=latest).start()
    ReadOp(
        parent=window, session=session, run=read("new"), latest=latest, success=results.append
    ).start()
    release.set()
    qtbot.waitUntil(lambda: results == ["new"], timeout=WAIT_MS)
    assert ran == ["new"]


# -- one session --------------------------------------------------------------------------
def test_reads_share_a_session_but_a_write_runs_alone(
    qtbot, window, new_store: SetupResult, roomy_pool
) -> None:
    session = new_store.session
    both_reading = threading.Barrier(2, timeout=WAIT_MS / 1000)
    spans: dict[str, tuple[float, float]] = {}

    def timed(name: str, together: bool = False):
        def run(job):
            start = time.monotonic()
            if together:
                both_reading.wait()  # breaks (an error in the op) unless both reads run at once
            spans[name] = (start, time.monotonic())
            return name

        return run

    finished: list[object] = []
    for op in (
        ReadOp(parent=window, session=session, run=timed("a", True), success=finished.append),
        ReadOp(parent=window, session=session, run=timed("b", True), success=finished.append),
        WriteOp(parent=window, session=session, run=timed("write"), success=finished.append),
        ReadOp(parent=window, session=session, run=timed("c"), success=finished.append),
    ):
        op.start()
    qtbot.waitUntil(lambda: len(finished) == 4, timeout=WAIT_MS)
    assert spans["write"][0] >= max(spans["a"][1], spans["b"][1])  # after both reads
    assert spans["c"][0] >= spans["write"][1]  # and the read after it waited for it


def test_settle_waits_for_running_ops_and_drops_their_results(
    qtbot, window, new_store: SetupResult, release: threading.Event
) -> None:
    session = new_store.session
    started = threading.Event()
    results: list[object] = []
    dropped: list[object] = []
    ReadOp(
        parent=window,
        session=session,
        run=blocking(release, "rows", started),
        success=results.append,
        dropped=dropped.append,
    ).start()
    qtbot.waitUntil(started.is_set, timeout=WAIT_MS)
    queued = WriteOp(
        parent=window, session=session, run=lambda job: "saved", dropped=dropped.append
    )
    queued.start()
    threading.Timer(0.2, release.set).start()  # the UI thread is blocked in settle meanwhile
    assert settle(session)
    assert queued.state == "withdrawn"
    qtbot.waitUntil(lambda: dropped == ["rows"], timeout=WAIT_MS)
    assert results == []


# -- "this changed" -----------------------------------------------------------------------
def test_a_write_announces_a_change_and_the_open_list_refreshes(
    qtbot, new_store: SetupResult
) -> None:
    session = new_store.session
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not window.model.loading, timeout=WAIT_MS)
    assert window.model.rowCount() == 0

    def open_case(job):
        return cases.open_case(
            job.session,
            given_name="Dana",
            family_name="Green",
            relationship="carer",
            school_ids=[1],
            opened_on=dt.date(2026, 3, 2),
        )

    heard: list[str] = []
    changes().changed.connect(heard.append)
    try:
        with qtbot.waitSignal(window.model.loaded, timeout=WAIT_MS):
            WriteOp(parent=None, session=session, run=open_case, changes=[Change.CASES]).start()
    finally:
        changes().changed.disconnect(heard.append)
    assert heard == ["cases"]
    assert window.model.rowCount() == 1
    assert window.model.case_at(0).subject == "Dana Green"


def test_a_read_announces_nothing_and_a_failed_write_nothing(qtbot, window) -> None:
    done: list[str] = []
    with qtbot.assertNotEmitted(changes().changed):
        ReadOp(parent=window, run=lambda job: None, done=lambda: done.append("read")).start()
        WriteOp(
            parent=window,
            run=refuse,
            changes=[Change.CASES],
            failure=lambda exc: None,
            done=lambda: done.append("write"),
        ).start()
        qtbot.waitUntil(lambda: len(done) == 2, timeout=WAIT_MS)


# -- sign-in, as an op --------------------------------------------------------------------
def test_sign_in_runs_off_the_ui_thread_with_its_fields_disabled(
    qtbot, new_store: SetupResult, store_path: Path
) -> None:
    new_store.session.close()
    dialog = SignInDialog(store_path, username="admin")
    qtbot.addWidget(dialog)
    dialog.show()
    password = dialog.findChild(QLineEdit, "passwordEdit")
    button = dialog.findChild(QPushButton, "signInButton")
    qtbot.waitUntil(password.hasFocus)
    type_keys(qtbot, "not my password")
    click(qtbot, button)
    assert not password.isEnabled() and not button.isEnabled()  # until the answer comes
    qtbot.waitUntil(password.isEnabled, timeout=WAIT_MS)
    assert dialog.findChild(QLabel, "errorLabel").isVisible()
    assert password.hasFocus() and password.text() == ""

    type_into(qtbot, password, ADMIN_PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        click(qtbot, button)
        assert not password.isEnabled()
    assert dialog.session is not None and dialog.session.actor.username == "admin"
    dialog.session.close()
