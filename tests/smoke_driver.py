"""Drives a real first run of Casebook by keyboard alone (run by tests/test_first_run_smoke.py).

`python tests/smoke_driver.py` starts Casebook exactly as `python -m desktop` does (the CLI,
then `desktop.app.main`), with one change: once the QApplication exists, a timer steps
through the setup wizard the way a person at the keyboard would. Each step waits until the
focus is where that person would see it, then presses keys on the focused widget: it never
sets text, calls a page's methods or clicks a button in code.

Exit codes: Casebook's own (0 after Quit), or 3 when a step never came (the watchdog), or
4 when Casebook showed its error dialog. Progress goes to stderr, one line per step.
"""

from __future__ import annotations

import os
import runpy
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

import desktop.app as app_module

if __package__ in (None, ""):  # run as a script: make the tests package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.keystrokes import type_char  # noqa: E402

STUCK, ERROR_SHOWN = 3, 4
TIMEOUT_SECONDS = float(os.environ.get("CASEBOOK_SMOKE_TIMEOUT", "60"))
TICK_MS = 50
PASSWORD = "correct horse battery"

TRUST_NAME = "Académie Saint-Étienne Trust"
TRUST_ADDRESS = ("1 Rue de l'Église", "Oakfield", "OK1 2AB")
SCHOOLS = (
    ("Ysgol Gymraeg Aberystwyth", "Ffordd Llanbadarn, Aberystwyth", "Siân Prys-Jones"),
    ("Oakfield Primary", "Oak Lane, Oakfield", "محمد"),
)
FULL_NAME = "Zoë O'Brien-Łukasz"
WELCOME, TRUST, SCHOOLS_PAGE, PROCEDURE, ADMIN, RECOVERY = range(6)
FIRST_PROCEDURE = "profileRadio_graduated_sanctions"  # chosen to begin with

ALT, CTRL = Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ControlModifier


def say(text: str) -> None:
    print(f"smoke: {text}", file=sys.stderr, flush=True)


# -- the keyboard ------------------------------------------------------------------------------
def focused() -> QWidget | None:
    return QApplication.focusWidget()


def press(key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(focused() or QApplication.activeWindow(), key, modifier)


def type_keys(text: str) -> None:
    """Each character to whatever has the focus now."""
    for char in text:
        type_char(focused(), char)


# -- what is on screen (read only) ---------------------------------------------------------------
def window_of(class_name: str) -> QWidget | None:
    for widget in QApplication.topLevelWidgets():
        if type(widget).__name__ == class_name and widget.isVisible():
            return widget
    return None


def wizard_on(page: int) -> bool:
    wizard = window_of("SetupWizard")
    return wizard is not None and wizard.isActiveWindow() and wizard.currentId() == page


def focus_is(name: str) -> bool:
    widget = focused()
    return widget is not None and widget.objectName() == name


def schools_table_has_focus() -> bool:
    widget = focused()  # the table itself, or a cell's editor inside it
    while widget is not None:
        if widget.objectName() == "schoolsTable":
            return True
        widget = widget.parentWidget()
    return False


def editing_a_cell() -> bool:
    return schools_table_has_focus() and not focus_is("schoolsTable")


def checked(name: str) -> bool:
    widget = focused()
    return widget is not None and widget.objectName() == name and widget.isChecked()


def main_window_active() -> bool:
    window = window_of("MainWindow")
    return window is not None and window.isActiveWindow()


# -- the steps --------------------------------------------------------------------------------
@dataclass
class Step:
    """When `ready()`, press the keys in `act`; repeat until `done()` (by default, once)."""

    name: str
    ready: Callable[[], bool]
    act: Callable[[], object]
    done: Callable[[], bool] | None = None


def type_then(text: str, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier):
    return lambda: (type_keys(text), press(key, modifier))


def type_trust_address() -> None:
    for number, line in enumerate(TRUST_ADDRESS):
        if number:
            press(Qt.Key.Key_Return)  # a new line in the address box
        type_keys(line)
    press(Qt.Key.Key_N, ALT)


def type_school(name: str, address: str, headteacher: str) -> Callable[[], None]:
    def act() -> None:
        # A key typed on the current cell opens its editor; Tab moves on to the next cell's.
        type_keys(name)
        press(Qt.Key.Key_Tab)
        type_keys(address)
        press(Qt.Key.Key_Tab)
        type_keys(headteacher)
        press(Qt.Key.Key_Return)

    return act


def next_page() -> None:
    press(Qt.Key.Key_N, ALT)


def typed(
    name: str,
    page: int,
    field: str,
    text: str,
    key: Qt.Key,
    modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> Step:
    """A step that types into a field once it has the focus, then presses `key`."""
    return Step(name, lambda: wizard_on(page) and focus_is(field), type_then(text, key, modifier))


STEPS = [
    Step("welcome: Set up my trust, Next", lambda: wizard_on(WELCOME), next_page),
    typed("trust name", TRUST, "trustNameEdit", TRUST_NAME, Qt.Key.Key_Tab),
    Step(
        "trust address, Next",
        lambda: wizard_on(TRUST) and focus_is("trustAddressEdit"),
        type_trust_address,
    ),
    Step(
        "first school",
        lambda: wizard_on(SCHOOLS_PAGE) and schools_table_has_focus(),
        type_school(*SCHOOLS[0]),
    ),
    Step(
        "Add school (Alt+A)",
        lambda: wizard_on(SCHOOLS_PAGE) and focus_is("schoolsTable"),
        lambda: press(Qt.Key.Key_A, ALT),
    ),
    Step(
        "second school",
        lambda: wizard_on(SCHOOLS_PAGE) and editing_a_cell(),
        type_school(*SCHOOLS[1]),
    ),
    Step("schools: Next", lambda: wizard_on(SCHOOLS_PAGE) and focus_is("schoolsTable"), next_page),
    Step(
        "procedure: keep the first, Next",
        lambda: wizard_on(PROCEDURE) and checked(FIRST_PROCEDURE),
        next_page,
    ),
    typed("full name", ADMIN, "fullNameEdit", FULL_NAME, Qt.Key.Key_Tab),
    Step(
        "keep the suggested username",
        lambda: wizard_on(ADMIN) and focus_is("usernameEdit"),
        lambda: press(Qt.Key.Key_Tab),
    ),
    typed("password", ADMIN, "passwordEdit", PASSWORD, Qt.Key.Key_Tab),
    typed("password again, Next", ADMIN, "confirmEdit", PASSWORD, Qt.Key.Key_N, ALT),
    Step(
        "Tab to the 'I have saved the sheet' box",
        lambda: wizard_on(RECOVERY) and focused() is not None,
        lambda: focus_is("savedCheck") or press(Qt.Key.Key_Tab),
        done=lambda: focus_is("savedCheck"),
    ),
    Step("tick it (Space)", lambda: focus_is("savedCheck"), lambda: press(Qt.Key.Key_Space)),
    Step(
        "Create case store (Alt+C)",
        lambda: wizard_on(RECOVERY) and checked("savedCheck"),
        lambda: press(Qt.Key.Key_C, ALT),
    ),
    Step(
        "main window: Quit (Ctrl+Q)",
        main_window_active,
        lambda: press(Qt.Key.Key_Q, CTRL),
    ),
]


# -- the driver -----------------------------------------------------------------------------------
class Driver:
    """Takes the steps in order, one check per tick of a timer on the UI thread."""

    def __init__(self) -> None:
        self.index = 0
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)

    def start(self) -> None:
        watchdog = threading.Timer(TIMEOUT_SECONDS, self.give_up)
        watchdog.daemon = True
        watchdog.start()
        self.timer.start()

    def give_up(self) -> None:  # on the watchdog's thread: the UI thread may be stuck
        step = STEPS[self.index].name if self.index < len(STEPS) else "(after the last step)"
        say(f"stuck after {TIMEOUT_SECONDS:g} s waiting for: {step}")
        os._exit(STUCK)

    def tick(self) -> None:
        step = STEPS[self.index] if self.index < len(STEPS) else None
        if window_of("ErrorDialog") is not None:
            say(f"Casebook showed its error dialog during: {step.name if step else 'the end'}")
            os._exit(ERROR_SHOWN)
        if step is None:
            return
        if not step.ready():
            return
        step.act()
        if step.done is None or step.done():
            say(f"done: {step.name}")
            self.index += 1


_driver: Driver | None = None
_make_application = app_module.make_application


def make_application(argv):
    """The real one, then the driver starts: its first tick comes once the wizard is up."""
    global _driver
    app = _make_application(argv)
    _driver = Driver()
    _driver.start()
    return app


if __name__ == "__main__":
    app_module.make_application = make_application
    sys.argv = ["casebook"]
    runpy.run_module("desktop", run_name="__main__", alter_sys=True)
