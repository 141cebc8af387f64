"""Qt widgets: windows and dialogs. No business rules and no SQL live here."""
