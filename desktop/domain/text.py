r"""Checking the names and text people type, so odd input gets a clear message.

Characters no one can see are the one place where what is stored and what is shown part
company, so they are settled here, for every field at once:

- Control characters, lone surrogates and private-use characters are refused: they cannot
  be stored, printed or shown.
- The controls that embed, override or isolate the direction of text (U+202A-U+202E,
  U+2066-U+2069) are refused: "Ann \u202ehtimS" shows as "Ann Smith", so a name could be
  made to show as another, and a sentence to read backwards.
- Other invisible format characters (zero-width space U+200B, word joiner U+2060, the
  byte-order mark U+FEFF, soft hyphen, tags, Hangul fillers) are removed: pasted text
  often carries them innocently, and they would make "Jo\u200bhn Smith" a different name
  from "John Smith" that looks the same.
- The zero-width non-joiner and joiner (U+200C, U+200D) change how Persian, Arabic and
  Indic words and emoji are drawn, so they stay between two letters or symbols of such a
  script; beside a Latin, Greek or Cyrillic letter, a space or nothing, they change nothing
  a reader can see, and are removed.
- The left-to-right and right-to-left marks (U+200E, U+200F, U+061C) only place digits and
  punctuation in mixed-direction prose: a block of text keeps them, a single line (a name, a
  title) does not, since there they only make two equal-looking names differ.
"""

from __future__ import annotations

import re
import unicodedata

from desktop.errors import ValidationError

USERNAME_MIN, USERNAME_MAX = 2, 64
_USERNAME_PUNCTUATION = frozenset("._-")

DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
DIRECTION_MARKS = frozenset("\u200e\u200f\u061c")
JOINERS = frozenset("\u200c\u200d")
# Not format characters, yet shown as nothing: the Hangul fillers and the combining
# grapheme joiner (Unicode's "default ignorable" characters outside category Cf).
_BLANK = frozenset("\u034f\u115f\u1160\u3164\uffa0")
_UNSTORABLE = frozenset(("Cc", "Cs", "Co"))
# Scripts whose letters look alike across them and never need a joiner.
_LOOKALIKE_SCRIPTS = frozenset(("LATIN", "GREEK", "CYRILLIC"))
_PLAIN = re.compile(r"[ -~\t\n\r]*")  # printable ASCII: nothing below needs checking


def is_text(value: str) -> bool:
    """False for a string holding lone surrogates: bytes that were not UTF-8 (from the
    command line or the environment), which no file, database or screen can take."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def refuse_unstorable(value: str, *, field: str, label: str, allowed: str = "") -> None:
    """Refuse control characters (except those `allowed`), lone surrogates, private-use
    characters and direction controls; text that passes can be stored exactly."""
    if _PLAIN.fullmatch(value):
        if any(ch < " " and ch not in allowed for ch in value):
            raise ValidationError(f"{label} contains characters that cannot be stored.", field)
        return
    if any(unicodedata.category(ch) in _UNSTORABLE and ch not in allowed for ch in value):
        raise ValidationError(f"{label} contains characters that cannot be stored.", field)
    if DIRECTION_CONTROLS.intersection(value):
        raise ValidationError(
            f"{label} contains hidden characters that change the direction of the text. "
            "Type it again rather than pasting it.",
            field,
        )


def _invisible(ch: str) -> bool:
    return ch in _BLANK or unicodedata.category(ch) == "Cf"


def _script_letter(ch: str | None) -> bool:
    """A letter or symbol (emoji) of a script in which a joiner can change what is drawn."""
    if ch is None or unicodedata.category(ch)[0] not in "LS":
        return False
    return not ch.isascii() and unicodedata.name(ch, "").split(" ", 1)[0] not in (
        _LOOKALIKE_SCRIPTS
    )


def _base_before(kept: list[str]) -> str | None:
    """The last kept character that is not a combining mark (a virama, a vowel sign)."""
    for ch in reversed(kept):
        if unicodedata.category(ch)[0] != "M":
            return ch
    return None


def visible_text(value: str, *, keep_direction_marks: bool) -> str:
    """`value` without the invisible characters that could make it look like other text
    (see the module's docstring). Refuse direction controls first: they are not removed."""
    if value.isascii():
        return value
    kept: list[str] = []
    for i, ch in enumerate(value):
        if ch in JOINERS:
            after = value[i + 1] if i + 1 < len(value) else None
            if _script_letter(_base_before(kept)) and _script_letter(after):
                kept.append(ch)
        elif ch in DIRECTION_MARKS:
            if keep_direction_marks:
                kept.append(ch)
        elif not _invisible(ch):
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept))


def clean_line(
    value: str, *, field: str, label: str, max_length: int = 200, required: bool = True
) -> str:
    """One line of text (a name, a title): trimmed, inner runs of spaces folded, invisible
    characters removed; control characters and direction controls refused."""
    text = unicodedata.normalize("NFC", value or "")
    refuse_unstorable(text, field=field, label=label)
    text = " ".join(visible_text(text, keep_direction_marks=False).split())
    if required and not text:
        raise ValidationError(f"{label} is required.", field)
    if len(text) > max_length:
        raise ValidationError(f"{label} is too long: keep it to {max_length} characters.", field)
    return text


def clean_block(
    value: str, *, field: str, label: str, max_length: int = 2000, required: bool = False
) -> str:
    """Several lines (an address, a description): each line cleaned, blank lines dropped;
    direction marks, which place punctuation in mixed-direction prose, are kept."""
    text = unicodedata.normalize("NFC", value or "").replace("\r\n", "\n").replace("\r", "\n")
    refuse_unstorable(text, field=field, label=label, allowed="\n\t")
    text = visible_text(text, keep_direction_marks=True)
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
    if not is_text(text):
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
