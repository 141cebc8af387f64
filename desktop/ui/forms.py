"""Loading Qt Designer forms from `forms/` into a window or dialog."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QCoreApplication, QFile, QIODevice
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop.paths import FORMS_DIR

T = TypeVar("T", bound=QWidget)
_loader: QUiLoader | None = None


def _form_loader() -> QUiLoader:
    """One loader for every form, made without Qt Designer's widget plugins.

    The forms use only standard widgets, yet a loader made as usual loads every plugin in
    Qt's `designer` folder first (Qt Quick's among them): about 10 ms and several megabytes
    before the first dialog can show. With no library paths while it is made, it finds none.
    """
    global _loader
    if _loader is None:
        paths = QCoreApplication.libraryPaths()
        QCoreApplication.setLibraryPaths([])
        try:
            _loader = QUiLoader()
        finally:
            QCoreApplication.setLibraryPaths(paths)
    return _loader


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
        form = _form_loader().load(handle, host)
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
