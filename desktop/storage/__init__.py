"""Storage: SQLAlchemy models, the SQLCipher engine, the key vault and migrations.

Only `desktop.services` imports this package.
"""
