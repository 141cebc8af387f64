"""Checking the names and text people type, so odd input gets a clear message."""

from __future__ import annotations

import re
import unicodedata

from desktop.errors import ValidationError

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def clean_line(
    value: str, *, field: str, label: str, max_length: int = 200, required: bool = True
) -> str:
    """One line of text: trimmed, inner runs of spaces folded, no control characters."""
    text = unicodedata.normalize("NFC", value or "")
    if any(unicodedata.category(ch) in ("Cc", "Cs", "Co") for ch in text):
        raise ValidationError(f"{label} contains characters that cannot be stored.", field)
    text = " ".join(text.split())
    if required and not text:
        raise ValidationError(f"{label} is required.", field)
    if len(text) > max_length:
        raise ValidationError(f"{label} is too long: keep it to {max_length} characters.", field)
    return text


def clean_block(
    value: str, *, field: str, label: str, max_length: int = 2000, required: bool = False
) -> str:
    """Several lines (an address, a description): each line cleaned, blank lines dropped."""
    text = unicodedata.normalize("NFC", value or "").replace("\r\n", "\n").replace("\r", "\n")
    if any(unicodedata.category(ch) in ("Cc", "Cs", "Co") and ch not in "\n\t" for ch in text):
        raise ValidationError(f"{label} contains characters that cannot be stored.", field)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    text = "\n".join(line for line in lines if line)
    if required and not text:
        raise ValidationError(f"{label} is required.", field)
    if len(text) > max_length:
        raise ValidationError(f"{label} is too long: keep it to {max_length} characters.", field)
    return text


def clean_username(value: str) -> str:
    """Usernames are lower case letters, digits, dots, dashes and underscores."""
    text = (value or "").strip().lower()
    if not _USERNAME.match(text):
        raise ValidationError(
            "A username is 2 to 64 characters: letters, digits, dots, dashes or underscores, "
            "starting with a letter or digit.",
            "username",
        )
    return text
