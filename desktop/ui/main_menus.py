"""The main window's actions, menus and toolbar, kept apart so the window reads as its
behaviour. Every action is added to the window, so its shortcut works wherever the
keyboard is in it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

from desktop.ui.icons import icon
from desktop.ui.print_queue import queue_action_text


def _action(window, name, text, icon_name=None, shortcuts=(), tip=""):
    action = QAction(text, window)
    action.setObjectName(name)
    if icon_name:
        action.setIcon(icon(icon_name))
    keys = [QKeySequence(k) for k in shortcuts]
    keys = [k for i, k in enumerate(keys) if not k.isEmpty() and k not in keys[:i]]
    if keys:
        action.setShortcuts(keys)
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.setToolTip(tip or text.replace("&", "").rstrip("…"))
    if keys:
        action.setToolTip(
            f"{action.toolTip()} ({keys[0].toString(QKeySequence.SequenceFormat.NativeText)})"
        )
    window.addAction(action)
    return action


def build_actions(window) -> None:
    """The main window's actions, each with its shortcut and tooltip."""
    preferences_keys = (QKeySequence.StandardKey.Preferences, "Ctrl+,")
    window.new_case_action = _action(window, "newCaseAction", "&New case…", "new_case", ("Ctrl+N",))
    window.check_action = _action(
        window, "visitorCheckAction", "&Visitor check…", "visitor_check", ("Ctrl+K",)
    )
    window.open_case_action = _action(window, "openCaseAction", "&Open case")
    window.calendar_action = _action(
        window,
        "calendarAction",
        "&Calendar…",
        "calendar",
        ("Ctrl+Shift+C",),
        "Reviews, deadlines and tasks falling due",
    )
    window.print_queue_action = _action(
        window, "printQueueAction", queue_action_text(0), shortcuts=("Ctrl+Shift+P",)
    )
    window.backup_action = _action(
        window,
        "backupAction",
        "&Back up now…",
        tip="Write an encrypted backup of the whole case store to a folder",
    )
    window.restore_action = _action(
        window,
        "restoreAction",
        "&Restore from a backup…",
        tip="Put back the case store from a backup file (the store now here is kept aside)",
    )
    window.annual_report_action = _action(
        window,
        "annualReportAction",
        "&Annual board report…",
        tip="The anonymised yearly report to the board: incidents, action taken and outcomes",
    )
    window.subject_access_action = _action(
        window,
        "subjectAccessAction",
        "&Subject access requests…",
        tip="Requests for the records held about a person: deadlines, redaction and the bundle",
    )
    window.disclosure_log_action = _action(
        window,
        "disclosureLogAction",
        "&Disclosure log…",
        tip="Records given to someone outside the trust, and the legal basis for each",
    )
    window.retention_action = _action(
        window,
        "retentionAction",
        "Re&tention review…",
        tip="Records past their retention period: delete them for good, or keep them longer",
    )
    window.audit_action = _action(
        window,
        "auditAction",
        "Audit &trail…",
        tip="Every change made in Casebook, who made it and when; check that none was altered",
    )
    window.lock_action = _action(window, "lockAction", "&Lock", "lock", ("Ctrl+L",))
    # Ctrl+L locks from whichever Casebook window has the focus (a case, the calendar, the
    # audit trail), not only from the case list: the person leaving the desk is in one.
    window.lock_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
    window.settings_action = _action(
        window, "settingsAction", "&Settings…", "settings", preferences_keys
    )
    window.password_action = _action(window, "changePasswordAction", "Change &password…", "key")
    window.quit_action = _action(window, "quitAction", "&Quit", "quit", ("Ctrl+Q",))
    window.refresh_action = _action(window, "refreshAction", "&Refresh", "refresh", ("F5",))
    window.find_action = _action(window, "findAction", "&Find", "search", ("Ctrl+F",))
    window.help_action = _action(window, "helpAction", "Casebook &Help", "help", ("F1",))
    window.about_action = _action(window, "aboutAction", "&About Casebook")
    window.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
    window.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
    window.about_action.setMenuRole(QAction.MenuRole.AboutRole)


def build_menus_and_toolbar(window) -> None:
    """The menus and the toolbar, from the actions `build_actions` made."""
    menus = window.menuBar()
    file_menu = menus.addMenu("&File")
    file_menu.addActions([window.new_case_action, window.open_case_action, window.check_action])
    file_menu.addAction(window.print_queue_action)
    file_menu.addSeparator()
    file_menu.addActions([window.backup_action, window.restore_action])
    file_menu.addSeparator()
    file_menu.addActions([window.lock_action, window.settings_action, window.password_action])
    file_menu.addSeparator()
    file_menu.addAction(window.quit_action)
    view_menu = menus.addMenu("&View")
    view_menu.addAction(window.calendar_action)
    view_menu.addSeparator()
    view_menu.addActions([window.refresh_action, window.find_action])
    reports_menu = menus.addMenu("&Reports")
    reports_menu.setObjectName("reportsMenu")
    reports_menu.addAction(window.annual_report_action)
    reports_menu.addSeparator()
    reports_menu.addActions(
        [window.subject_access_action, window.disclosure_log_action, window.retention_action]
    )
    reports_menu.addSeparator()
    reports_menu.addAction(window.audit_action)
    help_menu = menus.addMenu("&Help")
    help_menu.addActions([window.help_action, window.about_action])

    toolbar = window.addToolBar("Main")
    toolbar.setObjectName("mainToolBar")
    toolbar.setMovable(False)
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    toolbar.addActions([window.new_case_action, window.check_action, window.calendar_action])
    toolbar.addSeparator()
    toolbar.addActions([window.lock_action, window.refresh_action, window.settings_action])
    toolbar.addSeparator()
    toolbar.addAction(window.help_action)
