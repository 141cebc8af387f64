"""Evidence files: which names, sizes and types Casebook keeps, and how it shows them.

A file is kept exactly as it came (its bytes and its name, accents and all). Only what
could mislead is refused: an empty file, one over the trust's size limit, a name with
control characters or with the invisible marks that reverse text direction (which can
disguise "photo\u202egpj.exe" as "photoexe.jpg"). A name given with folders in front of it
("C:\\Users\\sam\\letter.pdf", "../letter.pdf") keeps only its last part: the folders say
where the file was, not what it is, and must never steer where an export goes.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from enum import StrEnum

from desktop.domain.text import DIRECTION_CONTROLS
from desktop.errors import ValidationError

MB = 1024 * 1024  # what Windows and macOS call a megabyte when they show a file's size
DEFAULT_LIMIT_MB = 200
MIN_LIMIT_MB = 1
# SQLite keeps a single value of at most 1,000,000,000 bytes; 900 MB stays under it.
MAX_LIMIT_MB = 900
MAX_NAME_LENGTH = 255
OCTET_STREAM = "application/octet-stream"
SNIFF_BYTES = 16  # the longest signature below, with room to spare

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)
_SNIFFED = frozenset(media for _, media in _SIGNATURES)
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$")


class MediaKind(StrEnum):
    """How the in-app viewer shows a file; anything else is described and can be exported."""

    IMAGE = "image"
    PDF = "pdf"
    TEXT = "text"
    AUDIO = "audio"
    VIDEO = "video"
    OTHER = "other"


# Pictures Qt can draw without extra plug-ins.
_IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/bmp", "image/webp"})
_TEXTS = frozenset(
    {"application/json", "application/xml", "message/rfc822", "application/x-subrip"}
)


def clean_filename(name: str) -> str:
    """The name to keep for a file: its last part only, otherwise exactly as given.

    Refuses (ValidationError on "filename") a name that is empty, only dots, too long, or
    holds control characters or direction marks. No other change is made: "Zoë's
    note.txt" and "письмо.pdf" come back byte for byte as they went in.
    """
    last = re.split(r"[\\/]", name or "")[-1]
    if any(unicodedata.category(ch) in ("Cc", "Cs", "Co") for ch in last) or (
        DIRECTION_CONTROLS.intersection(last)
    ):
        raise ValidationError(
            "The file's name contains characters that cannot be stored. "
            "Rename the file and add it again.",
            "filename",
        )
    if not last.strip() or set(last.strip()) == {"."}:
        raise ValidationError("The file needs a name.", "filename")
    if len(last) > MAX_NAME_LENGTH:
        raise ValidationError(
            f"The file's name is too long: keep it to {MAX_NAME_LENGTH} characters.", "filename"
        )
    return last


def format_size(size: int) -> str:
    """A file size the way people read one: "532 bytes", "12 KB", "1.5 MB", "250 MB"."""
    if size < 1024:
        return "1 byte" if size == 1 else f"{size} bytes"
    for unit, scale in (("GB", MB * 1024), ("MB", MB), ("KB", 1024)):
        if size >= scale:
            value = size / scale
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{size} bytes"  # pragma: no cover - every size >= 1024 matched above


def check_size(size: int, *, limit_mb: int) -> None:
    """Refuse an empty file, or one over the trust's limit, saying what to do instead."""
    if size <= 0:
        raise ValidationError("This file is empty (0 bytes), so there is nothing to keep.", "file")
    if size > limit_mb * MB:
        shown = format_size(size)
        if shown == f"{limit_mb} MB":  # just over: say by how much, not "200 MB; limit 200 MB"
            shown = f"{size / MB:.2f} MB"
        raise ValidationError(
            f"This file is {shown}; the limit is {limit_mb} MB (change it in Settings → Trust).",
            "file",
        )


def check_limit_mb(megabytes: int) -> int:
    """A size limit the store can hold: whole megabytes from 1 to `MAX_LIMIT_MB`."""
    if isinstance(megabytes, bool) or not isinstance(megabytes, int):
        raise ValidationError("The size limit is a whole number of megabytes.", "evidence_limit")
    if not MIN_LIMIT_MB <= megabytes <= MAX_LIMIT_MB:
        raise ValidationError(
            f"The size limit can be from {MIN_LIMIT_MB} to {MAX_LIMIT_MB} MB.", "evidence_limit"
        )
    return megabytes


def sniff(head: bytes) -> str | None:
    """The media type the file's first bytes prove (PNG, JPEG, GIF, PDF), if any."""
    for signature, media in _SIGNATURES:
        if head.startswith(signature):
            return media
    return None


def media_type_for(filename: str, head: bytes) -> str:
    """What a file is: proved by its first bytes where they can prove it, else by its name.

    A name claiming a type its bytes do not have ("photo.png" that is not a PNG) is not
    believed: the file is kept as plain data, shown by its details and exported as it is.
    """
    sniffed = sniff(head)
    if sniffed is not None:
        return sniffed
    guessed, _ = mimetypes.guess_type(filename, strict=False)
    if guessed is None or guessed in _SNIFFED:
        return OCTET_STREAM
    return guessed


def check_media_type(value: str) -> str:
    """A media type given by a caller ("image/png"), lower-cased; refuse anything else."""
    text = (value or "").strip().lower()
    if not _MEDIA_TYPE.match(text):
        raise ValidationError("That is not a file type Casebook knows.", "media_type")
    return text


def media_kind(media_type: str) -> MediaKind:
    """Which viewer shows a file of this type."""
    if media_type in _IMAGES:
        return MediaKind.IMAGE
    if media_type == "application/pdf":
        return MediaKind.PDF
    if media_type.startswith("text/") or media_type in _TEXTS:
        return MediaKind.TEXT
    if media_type.startswith("audio/"):
        return MediaKind.AUDIO
    if media_type.startswith("video/"):
        return MediaKind.VIDEO
    return MediaKind.OTHER
