"""The Reports menu: the annual report and the records windows (subject access, the
disclosure log, retention, the audit trail), each opened only for a role the permission
table allows. The services check again; a greyed item only spares a refusal.

The windows belong to the main window, so locking or signing out closes them with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction

from desktop.domain.roles import Operation

if TYPE_CHECKING:
    from desktop.ui.main_window import MainWindow


def records_actions(window: MainWindow) -> tuple[tuple[QAction, Operation], ...]:
    """The Reports menu's actions, each with the operation it needs."""
    return (
        (window.annual_report_action, Operation.BOARD_REPORT),
        (window.subject_access_action, Operation.SUBJECT_ACCESS),
        (window.disclosure_log_action, Operation.RECORD_DISCLOSURES),
        (window.retention_action, Operation.RETENTION),
        (window.audit_action, Operation.VIEW_AUDIT),
    )


def connect_records_actions(window: MainWindow) -> None:
    for action, operation in records_actions(window):
        action.triggered.connect(
            lambda _checked=False, wanted=operation: open_records_window(window, wanted)
        )


def open_records_window(window: MainWindow, operation: Operation) -> None:
    """Open (or bring forward) the window for `operation`, if the signed-in role may."""
    if window.locked or not window.session.can(operation):
        return
    session = window.session
    if operation is Operation.BOARD_REPORT:
        from desktop.ui.report_dialog import show_report_dialog

        show_report_dialog(session, window)
    elif operation is Operation.SUBJECT_ACCESS:
        from desktop.ui.subject_access_window import open_subject_access

        open_subject_access(window, session)
    elif operation is Operation.RECORD_DISCLOSURES:
        from desktop.ui.disclosure_log import open_disclosure_log

        open_disclosure_log(window, session)
    elif operation is Operation.RETENTION:
        from desktop.ui.retention_window import open_retention_review

        open_retention_review(window, session)
    elif operation is Operation.VIEW_AUDIT:
        from desktop.ui.audit_viewer import open_audit_viewer

        open_audit_viewer(window, session)
