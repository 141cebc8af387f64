"""Files a person asked Casebook to write outside the store (a letter, an evidence copy).

Such a file is plaintext by the person's choice, so it is written only together with the
audit entry that says so: the bytes go to a hidden owner-only file beside the target,
flushed to disk, and are renamed into place inside the write transaction that records
the export. If that transaction fails, the file is removed again; the target never shows
half a file.

    with exports.exporting(to) as out:
        with session.transaction(write=True) as db:
            out.write(pdf)
            audit.record(db, ...)
            out.place()
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from desktop.errors import ValidationError

MAX_NAME_BYTES = 255  # the longest file name Windows, macOS and Linux disks all take


def check_target(to: Path, field: str = "to") -> Path:
    """Refuse a folder, a file in a folder that does not exist, or a name no disk can take
    (a NUL, text that is not Unicode, more than 255 bytes)."""
    to = Path(to)
    try:
        usable = b"\0" not in os.fsencode(to)
    except UnicodeEncodeError:  # a lone surrogate: text that is not Unicode
        usable = False
    if not usable:
        raise ValidationError(
            "That file name holds characters a file name cannot have. Choose another name.",
            field,
        )
    if len(os.fsencode(to.name)) > MAX_NAME_BYTES:
        raise ValidationError("That file name is too long. Choose a shorter name.", field)
    if to.is_dir():
        raise ValidationError("Choose a file name to save the copy as, not a folder.", field)
    if not to.parent.is_dir():
        raise ValidationError(f"The folder {to.parent} does not exist.", field)
    return to


class Export:
    """One file on its way to `to`: written beside it, then placed, or discarded."""

    def __init__(self, to: Path, field: str = "to") -> None:
        self.to = to
        self.field = field  # the input that named `to`, for a refusal's message
        self._part: Path | None = None
        self._placed = False

    def write(self, pieces: bytes | Iterable[bytes]) -> None:
        chunks = [pieces] if isinstance(pieces, bytes) else pieces
        try:
            fd, name = tempfile.mkstemp(
                dir=self.to.parent, prefix=".casebook-export-", suffix=".part"
            )
        except OSError:  # a read-only or system folder (/proc), or one gone since it was chosen
            raise ValidationError(
                f"Casebook cannot save files in {self.to.parent}. Choose another folder.",
                self.field,
            ) from None
        self._part = Path(name)
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())

    def place(self) -> None:
        if self._part is None:
            raise RuntimeError("Export.place() before write()")
        os.replace(self._part, self.to)
        self._placed = True

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            if self._placed:
                self.to.unlink()
            elif self._part is not None:
                self._part.unlink()


@contextlib.contextmanager
def exporting(to: Path, field: str = "to") -> Iterator[Export]:
    """An Export to `to` that is undone if anything inside the block fails."""
    export = Export(to, field)
    try:
        yield export
    except BaseException:
        export.discard()
        raise
