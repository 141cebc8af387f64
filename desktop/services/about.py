"""What Help › About shows: Casebook's version, where the open store is, how it is
encrypted, and the versions of the libraries it runs on (for a support call).

Nothing here is personal data, and anyone signed in may see it, so it needs no operation.
Library versions come from the installed packages' metadata: nothing heavy is imported.
"""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass
from importlib import metadata

from sqlalchemy import text
from sqlalchemy.orm import Session

import desktop
from desktop.services.session import UserSession

# (name shown, distribution) for each library a support call may ask about.
LIBRARIES = (
    ("PySide6 (Qt for Python)", "PySide6-Essentials"),
    ("SQLAlchemy", "SQLAlchemy"),
    ("Alembic", "alembic"),
    ("sqlcipher3", "sqlcipher3-binary"),
    ("ReportLab", "reportlab"),
    ("pypdfium2", "pypdfium2"),
    ("cryptography", "cryptography"),
    ("argon2-cffi", "argon2-cffi"),
    ("keyring", "keyring"),
    ("Jinja2", "Jinja2"),
    ("icalendar", "icalendar"),
    ("platformdirs", "platformdirs"),
)


@dataclass(frozen=True)
class Encryption:
    sqlcipher: str  # e.g. "4.12.0 community"
    provider: str  # the crypto library under it, e.g. "OpenSSL 3.5.4 30 Sep 2025"
    sqlite: str
    page_size: int
    hmac: str  # the per-page authentication, e.g. "HMAC_SHA512"

    @property
    def summary(self) -> str:
        return (
            f"SQLCipher {self.sqlcipher}: AES-256 on every {self.page_size:,}-byte page, "
            f"each checked by {self.hmac.replace('_', '-')}; the key comes from your password "
            "through Argon2id and never touches the disk"
        )


@dataclass(frozen=True)
class AboutFacts:
    version: str
    store: str  # where the open store is, in full
    encryption: Encryption
    libraries: tuple[tuple[str, str], ...]  # (name, version)

    def as_text(self) -> str:
        """The facts as plain lines, to paste into a message to whoever supports Casebook."""
        lines = [
            f"Casebook {self.version}",
            f"Case store: {self.store}",
            f"Encryption: {self.encryption.summary}",
            f"Crypto provider: {self.encryption.provider}",
            f"SQLite: {self.encryption.sqlite}",
        ]
        lines += [f"{name}: {version}" for name, version in self.libraries]
        return "\n".join(lines)


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not found"


def library_versions() -> tuple[tuple[str, str], ...]:
    python = f"{platform.python_version()} ({sys.platform})"
    return (("Python", python), *((name, _version(dist)) for name, dist in LIBRARIES))


def _pragma(db: Session, name: str) -> str:
    value = db.execute(text(f"PRAGMA {name}")).scalar()  # noqa: S608 - fixed names only
    return "" if value is None else str(value)


def about(session: UserSession) -> AboutFacts:
    """The facts About shows for the store `session` has open."""
    with session.transaction() as db:
        encryption = Encryption(
            sqlcipher=_pragma(db, "cipher_version"),
            provider=_pragma(db, "cipher_provider_version"),
            sqlite=str(db.execute(text("SELECT sqlite_version()")).scalar()),
            page_size=int(_pragma(db, "cipher_page_size") or 4096),
            hmac=_pragma(db, "cipher_hmac_algorithm") or "HMAC_SHA512",
        )
    return AboutFacts(
        version=desktop.__version__,
        store=session.store.location.description,
        encryption=encryption,
        libraries=library_versions(),
    )
