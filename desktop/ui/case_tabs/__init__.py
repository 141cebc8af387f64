"""The tabs of the case window (`desktop.ui.case_window`), one module each.

Every tab is a QWidget made as `Tab(session, case_id, parent=None)`, with:

- `title`: the tab's label, with its keyboard mnemonic ("&Chronology");
- `changed = Signal()`: emitted after the tab saved something, so the window refreshes
  its header, its banner and the other tabs;
- `reload()`: read the case's records again through the services (never SQL, never a
  business rule here) without losing the selection where it can.

Tabs read through `desktop.services` and show errors with `desktop.ui.messages`. A tab
never reaches another case's records: every service call names this tab's `case_id`.

`common.CaseTab` holds what every tab shares (the signals, reading through a `ReadOp`,
opening a dialog and coming back to the list); `common` also makes the widgets they share.
"""
