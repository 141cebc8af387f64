"""Loading Qt Designer forms from `forms/` into a window or dialog."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QFile, QIODevice
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop.paths import FORMS_DIR

T = TypeVar("T", bound=QWidget)


def load_form(name: str, host: QWidget) -> QWidget:
    """Load `forms/<name>.ui` and lay it out to fill `host`; returns the form's root widget.

    Widgets in the form keep their Designer objectNames, so `host.findChild(QLineEdit,
    "usernameEdit")` finds them and tests can too.
    """
    path = FORMS_DIR / f"{name}.ui"
    handle = QFile(str(path))
    if not handle.open(QIODevice.OpenModeFlag.ReadOnly):
        raise FileNotFoundError(f"form {path} is missing")
    try:
        form = QUiLoader().load(handle, host)
    finally:
        handle.close()
    if form is None:
        raise RuntimeError(f"form {path} could not be loaded")
    layout = host.layout() or QVBoxLayout(host)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(form)
    return form


def child(host: QWidget, kind: type[T], name: str) -> T:
    """A named widget from a loaded form; a missing one is a programming error."""
    found = host.findChild(kind, name)
    if found is None:
        raise LookupError(f"{type(host).__name__} has no {kind.__name__} called {name!r}")
    return found
