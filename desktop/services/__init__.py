"""The operations Casebook offers: the only door to the case store.

Each public function takes the signed-in `UserSession` first and keyword arguments after,
checks the user's role and schools, runs in one transaction, writes the audit trail, and
returns plain objects. The UI and the CLI call these; nothing else touches storage.
"""
