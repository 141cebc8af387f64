"""Whether a store's files can be opened at all, told before anyone is asked for a password.

Light on purpose: start-up calls it before its first window, so it loads no database code.
"""

from __future__ import annotations

from pathlib import Path

from desktop.storage import damage


def check_store_files(path: Path) -> None:
    """Refuse a store that is missing, is some other kind of file, is cut short, or has no
    key file of the right shape beside it, with the typed error that says which and the way
    forward (`desktop.errors`). Reads only: nothing is written, no key file is made."""
    damage.check_store_files(Path(path))
