"""`make screenshots` keeps working: every main window renders to a non-empty PNG."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

# Every main window over a 500-case sample. In CI (make test-slow); make screenshots too.
pytestmark = pytest.mark.slow

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
    "settings_trustPage",
    "settings_procedurePage",
    "settings_procedurePage_time_windows",
    "procedure_editor_error",
    "help",
    "sanctions_1_choose",
    "sanctions_2_skip",
    "sanctions_3_verbal_warning",
    "sanctions_3_mediation",
    "sanctions_3_written_warning",
    "sanctions_3_communication_plan",
    "sanctions_3_bar",
    "sanctions_3_referral",
    "sanctions_4_letter",
    "sanctions_5_confirm",
    "case_6_sanctions",
    "lifecycle_0_sanctions_tab",
    "lifecycle_1_representations",
    "lifecycle_2_review_confirm",
    "lifecycle_3_review_vary",
    "lifecycle_4_period_review",
    "lifecycle_5_injunction",
    "letters_1_template_editor",
    "letters_2_letter_viewer",
    "letters_3_print_queue",
    "calendar",
    "settings_peopleAccessPage",
    "backup_1_back_up_now",
    "backup_2_restore",
    "lock_over_case_window",
    "second_factor_enrolment",
    "about",
    "records_1_annual_report",
    "records_2_subject_access",
    "records_3_disclosure_log",
    "records_4_retention_review",
    "records_5_audit_trail",
}


def test_screenshots_script_renders_every_window(qapp, tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("casebook_screenshots", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    assert module.main(tmp_path) == 0

    # Settings pages are numbered in their order, which grows as pages are added.
    written = {re.sub(r"^settings_\d+_", "settings_", p.stem) for p in tmp_path.glob("*.png")}
    assert written >= EXPECTED
    main_window = QImage(str(tmp_path / "main_window.png"))
    assert main_window.width() >= 1000 and main_window.height() >= 600
