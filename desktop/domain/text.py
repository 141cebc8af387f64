"""Checking the names and text people type, so odd input gets a clear message."""

from __future__ import annotations

import re
import unicodedata

from desktop.errors import ValidationError

USERNAME_MIN, USERNAME_MAX = 2, 64
_USERNAME_PUNCTUATION = frozenset("._-")


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


def normalise_username(value: str) -> str:
    """The one form a username is stored and looked up in: trimmed, NFC, case-folded.

    No rules are checked, so signing in with an odd name simply finds no one; use
    `clean_username()` when creating an account. "Zoë", "zoë" and "zoe" + a combining
    diaeresis all give "zoë". The outer NFC also recomposes what case-folding decomposes,
    so the result normalises to itself. Text that is not Unicode at all (a lone surrogate,
    from an undecodable command-line byte) cannot be a username and is refused here.
    """
    text = unicodedata.normalize("NFC", (value or "").strip())
    text = unicodedata.normalize("NFC", text.casefold())
    if any(unicodedata.category(ch) == "Cs" for ch in text):
        raise ValidationError(
            "That username contains characters that cannot be stored.", "username"
        )
    return text


def _username_character(ch: str, *, first: bool) -> bool:
    kind = unicodedata.category(ch)
    if kind[0] == "L" or kind == "Nd":
        return True
    return not first and (kind[0] == "M" or ch in _USERNAME_PUNCTUATION)


def clean_username(value: str) -> str:
    """A new account's username: letters (any alphabet), digits, dots, dashes, underscores.

    Returned in `normalise_username()` form, so it matches whatever case the person
    types at sign-in.
    """
    text = normalise_username(value)
    if not (
        USERNAME_MIN <= len(text) <= USERNAME_MAX
        and _username_character(text[0], first=True)
        and all(_username_character(ch, first=False) for ch in text[1:])
    ):
        raise ValidationError(
            f"A username is {USERNAME_MIN} to {USERNAME_MAX} characters: letters, digits, "
            "dots, dashes or underscores, starting with a letter or digit.",
            "username",
        )
    return text


_NAME_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")


def suggest_username(full_name: str) -> str:
    """`Zoë Ćwik` -> `z.ćwik`: a starting point the person can change.

    Letters of any alphabet are kept, as usernames allow them; apostrophes are dropped
    (`O'Brien` -> `obrien`), and only the first initial and the last word are used.
    """
    text = unicodedata.normalize("NFC", unicodedata.normalize("NFC", full_name or "").casefold())
    words: list[str] = _NAME_WORD.findall(text.replace("'", "").replace("\u2019", ""))
    if not words:
        return ""
    if len(words) == 1:
        return words[0][:USERNAME_MAX]
    return f"{words[0][0]}.{words[-1]}"[:USERNAME_MAX]
