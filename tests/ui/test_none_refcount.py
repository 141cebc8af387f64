"""Guards the PySide6 pin: 6.12.0 on CPython 3.11 drops a reference to None on void calls.

Each leaked reference lowers None's count by one; after enough calls CPython frees None and
the process aborts. Casebook calls void Qt methods millions of times in a long session.
"""

from __future__ import annotations

import sys

import PySide6
from PySide6.QtWidgets import QLabel

CALLS = 10_000


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:2])


def test_pyside6_is_below_the_broken_release() -> None:
    assert _version(PySide6.__version__) < (6, 12)


def test_void_calls_keep_none_alive(qtbot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        label.setText("x")
    after = sys.getrefcount(None)
    assert before - after < 10, f"None lost {before - after} references in {CALLS} calls"
