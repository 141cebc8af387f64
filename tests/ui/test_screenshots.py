"""`make screenshots` keeps working: every main window renders to a non-empty PNG."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from PySide6.QtGui import QImage

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "screenshots.py"
EXPECTED = {
    "signin_dialog",
    "setup_1_welcome",
    "setup_1_welcome_with_sample",
    "setup_4_procedure",
    "setup_6_recovery",
    "main_window",
    "main_window_locked",
    "lock_screen",
    "settings_1_trustPage",
    "settings_4_procedurePage",
    "procedure_editor_error",
    "help",
}


def test_screenshots_script_renders_every_window(qapp, tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("casebook_screenshots", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    assert module.main(tmp_path) == 0

    written = {p.stem for p in tmp_path.glob("*.png")}
    assert written >= EXPECTED
    main_window = QImage(str(tmp_path / "main_window.png"))
    assert main_window.width() >= 1000 and main_window.height() >= 600
