"""Reading a policy profile's TOML: every field checked, every fault put in words.

A fault raises `PolicyError` naming the file, the line and the field. tomllib reports the
line of a syntax error; for a value that parses but cannot be used, `line_of` finds the line
where its key is set, inside the table that holds it.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Collection, Iterable, Sequence
from typing import Any, NoReturn

from desktop.domain.incidents import DEFAULT_BEHAVIOUR_CATEGORIES, Channel
from desktop.domain.policy import (
    DEFAULT_RETENTION,
    MIN_RECORD_RETENTION_DAYS,
    MIN_WARNING_RETENTION_DAYS,
    LetterMoment,
    PolicyError,
    Profile,
    RetentionRules,
    Step,
    StepKind,
    Windows,
)
from desktop.domain.roles import Operation, Role, is_permitted

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")


# -- finding lines ------------------------------------------------------------------------
_HEADER = re.compile(r"^\s*\[\[?([^\[\]]+)\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_.\-\"' ]+?)\s*=")
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'')


def _dotted(text: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in text.split("."))


def _code(line: str) -> str:
    """A line with its strings and comment removed, to count brackets."""
    return _STRINGS.sub('""', line).split("#", 1)[0]


def line_of(text: str, path: Sequence[str]) -> int | None:
    """The 1-based line where `path` (like `("steps", "bar", "review")`) is set in TOML text.

    A table is found by its `[header]`; a value by `key = ` inside the table that holds it
    (or a dotted key such as `letters.notice = `). A field that is missing gives the line of
    the nearest table that should hold it; None if not even that is in the file.
    """
    seen: dict[tuple[str, ...], int] = {}
    section: tuple[str, ...] = ()
    quoted = False  # inside a multi-line string
    depth = 0  # inside a multi-line array
    for number, line in enumerate(text.splitlines(), start=1):
        if quoted:
            quoted = (line.count('"""') + line.count("'''")) % 2 == 0
            continue
        if depth > 0:
            code = _code(line)
            depth = max(0, depth + code.count("[") - code.count("]"))
            continue
        header = _HEADER.match(line)
        if header:
            section = _dotted(header.group(1))
            for end in range(1, len(section) + 1):  # [a.b.c] also opens a and a.b
                seen.setdefault(section[:end], number)
            continue
        key = _KEY.match(line)
        if key:
            full = section + _dotted(key.group(1))
            for end in range(len(section) + 1, len(full) + 1):
                seen.setdefault(full[:end], number)
            code = _code(line[key.end() :])
            depth = max(0, code.count("[") - code.count("]"))
        quoted = (line.count('"""') + line.count("'''")) % 2 == 1
    target = tuple(path)
    for end in range(len(target), 0, -1):
        if target[:end] in seen:
            return seen[target[:end]]
    return None


def _line_holding(text: str, start: int, value: str) -> int:
    """The first line from `start` on, before the next table, naming `value` in quotes; for
    an entry in a list spread over several lines. `start` itself if none does."""
    quoted = (f'"{value}"', f"'{value}'")
    for number, line in enumerate(text.splitlines()[start - 1 :], start=start):
        if number > start and _HEADER.match(line):
            break
        if any(q in line for q in quoted):
            return number
    return start


# -- reading ------------------------------------------------------------------------------
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column \d+\)\s*$")
_SIGNIFICANT_ROLES = [r for r in Role if is_permitted(r, Operation.EDIT_CASES)]


def _words(values: Iterable[str]) -> str:
    return ", ".join(values)


class _Reader:
    """Reads one profile's parsed TOML, raising PolicyError at the first fault."""

    def __init__(self, text: str, name: str, letter_ids: Collection[str] | None = None) -> None:
        self.text = text
        self.name = name
        self.letter_ids = letter_ids

    def fail(self, path: Sequence[str], message: str, *, value: str | None = None) -> NoReturn:
        """Raise PolicyError at `path`; with `value`, at the line of a list that holds it."""
        line = line_of(self.text, path)
        if line is not None and value is not None:
            line = _line_holding(self.text, line, value)
        raise PolicyError(message, file=self.name, line=line, field=".".join(path) or None)

    def table(self, parent: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
        value = parent.get(path[-1])
        if value is None:
            self.fail(path, f"the [{'.'.join(path)}] table is missing; add it.")
        if not isinstance(value, dict):
            self.fail(path, f"{path[-1]} should be a table of settings, not a single value.")
        return value

    def only(self, table: dict[str, Any], path: tuple[str, ...], allowed: Iterable[str]) -> None:
        known = list(allowed)
        for key in table:
            if key not in known:
                self.fail(
                    (*path, key),
                    f"{key!r} is not a setting Casebook knows here; check its spelling. "
                    f"The settings are: {_words(known)}.",
                )

    def string(
        self,
        table: dict[str, Any],
        path: tuple[str, ...],
        *,
        default: str | None = None,
        slug: bool = False,
    ) -> str:
        value = table.get(path[-1], default)
        if value is None:
            self.fail(path, f"{path[-1]} is missing; add it.")
        if not isinstance(value, str) or (not value.strip() and default is None):
            self.fail(path, f"{path[-1]} should be some text in quotes.")
        value = value.strip()
        if slug and not _SLUG.match(value):
            self.fail(
                path,
                f"{value!r} is not a usable identifier: use lower-case letters, digits, "
                "underscores or hyphens (at most 60).",
            )
        return value

    def flag(self, table: dict[str, Any], path: tuple[str, ...], default: bool) -> bool:
        value = table.get(path[-1], default)
        if not isinstance(value, bool):
            self.fail(path, f"{path[-1]} should be true or false.")
        return value

    def days(self, table: dict[str, Any], path: tuple[str, ...], *, least: int) -> int:
        value = table.get(path[-1])
        if value is None:
            self.fail(path, f"{path[-1]} is missing; give a number of days.")
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, f"{path[-1]} should be a whole number of days, like 10.")
        if value < 0:
            self.fail(path, f"a number of days cannot be negative (it is {value}).")
        if value < least:
            self.fail(path, f"{path[-1]} must be at least {least} days (it is {value}).")
        return value

    def strings(self, table: dict[str, Any], path: tuple[str, ...], *, required: bool) -> list[str]:
        value = table.get(path[-1])
        if value is None:
            if required:
                self.fail(path, f'{path[-1]} is missing; add a list like ["a", "b"].')
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(path, f'{path[-1]} should be a list of text in quotes, like ["a", "b"].')
        if required and not value:
            self.fail(path, f"{path[-1]} is empty; name at least one.")
        return [v.strip() for v in value]

    def roles(
        self, table: dict[str, Any], path: tuple[str, ...], *, required: bool
    ) -> frozenset[Role]:
        chosen: set[Role] = set()
        for value in self.strings(table, path, required=required):
            try:
                role = Role(value)
            except ValueError:
                self.fail(
                    path,
                    f"{value!r} is not a role Casebook knows. "
                    f"Use one of: {_words(_SIGNIFICANT_ROLES)}.",
                    value=value,
                )
            if role not in _SIGNIFICANT_ROLES:
                self.fail(
                    path, f"{value!r} is a read-only role and cannot act on a case.", value=value
                )
            chosen.add(role)
        return frozenset(chosen)

    # -- the sections --
    def profile(self, data: dict[str, Any], digest: str) -> Profile:
        self.only(data, (), ("profile", "windows", "behaviour", "ladder", "steps", "retention"))
        head = self.table(data, ("profile",))
        self.only(head, ("profile",), ("id", "name", "version", "description"))
        profile_id = self.string(head, ("profile", "id"), slug=True)
        name = self.string(head, ("profile", "name"))
        version = self.string(head, ("profile", "version"))
        description = self.string(head, ("profile", "description"), default="")
        windows = self.windows(self.table(data, ("windows",)))
        categories, channels = self.behaviour(self.table(data, ("behaviour",)))
        steps = self.steps(self.table(data, ("steps",)))
        rungs, parallel = self.ladder(self.table(data, ("ladder",)), steps)
        retention = (
            self.retention(self.table(data, ("retention",)), windows)
            if "retention" in data
            else DEFAULT_RETENTION
        )
        return Profile(
            id=profile_id,
            name=name,
            version=version,
            description=description,
            source=self.name,
            digest=digest,
            rungs=rungs,
            parallel=parallel,
            categories=categories,
            channels=channels,
            windows=windows,
            retention=retention,
        )

    def windows(self, table: dict[str, Any]) -> Windows:
        p = ("windows",)
        least = {
            "representations_days": 1,
            "default_bar_days": 1,
            "default_plan_days": 1,
            "review_interval_days": 1,
            "warning_retention_days": MIN_WARNING_RETENTION_DAYS,
        }
        self.only(table, p, least)
        return Windows(**{key: self.days(table, (*p, key), least=n) for key, n in least.items()})

    def retention(self, table: dict[str, Any], windows: Windows) -> RetentionRules:
        """How long closed cases are kept: each period at least a year, and a case with a
        written warning at least as long as the warning itself is kept."""
        p = ("retention",)
        least = {
            "concern_days": MIN_RECORD_RETENTION_DAYS,
            "warning_days": max(MIN_RECORD_RETENTION_DAYS, windows.warning_retention_days),
            "sanction_days": MIN_RECORD_RETENTION_DAYS,
        }
        self.only(table, p, ("rule", *least))
        rule = self.string(table, (*p, "rule"))
        if len(rule) > 300:
            self.fail((*p, "rule"), "rule should name the trust's rule in at most 300 characters.")
        days = {key: self.days(table, (*p, key), least=n) for key, n in least.items()}
        return RetentionRules(rule=rule, **days)

    def behaviour(self, table: dict[str, Any]) -> tuple[tuple[str, ...], tuple[Channel, ...]]:
        p = ("behaviour",)
        self.only(table, p, ("include_default_categories", "categories", "channels"))
        categories: dict[str, str] = {}
        if self.flag(table, (*p, "include_default_categories"), True):
            categories.update((c.casefold(), c) for c in DEFAULT_BEHAVIOUR_CATEGORIES)
        for name in self.strings(table, (*p, "categories"), required=False):
            if not name or len(name) > 200:
                self.fail((*p, "categories"), "each category needs a name of 1 to 200 characters.")
            categories.setdefault(name.casefold(), name)
        if not categories:
            self.fail((*p, "categories"), "the profile has no behaviour categories; add some.")
        channels: list[Channel] = []
        for value in self.strings(table, (*p, "channels"), required=True):
            try:
                channels.append(Channel(value))
            except ValueError:
                self.fail(
                    (*p, "channels"),
                    f"{value!r} is not a channel Casebook knows. Use one of: {_words(Channel)}.",
                    value=value,
                )
        return tuple(categories.values()), tuple(dict.fromkeys(channels))

    def steps(self, table: dict[str, Any]) -> dict[str, dict[str, Any]]:
        if not table:
            self.fail(("steps",), "the profile defines no steps; add a [steps.<id>] table.")
        for step_id, body in table.items():
            if not isinstance(body, dict):
                self.fail(
                    ("steps", step_id), f"steps.{step_id} should be a [steps.{step_id}] table."
                )
            self.string({"id": step_id}, ("steps", step_id, "id"), slug=True)
        return table

    def ladder(
        self, table: dict[str, Any], steps: dict[str, dict[str, Any]]
    ) -> tuple[tuple[tuple[Step, ...], ...], tuple[Step, ...]]:
        p = ("ladder",)
        self.only(table, p, ("order", "parallel"))
        order = table.get("order")
        if not isinstance(order, list) or not order:
            self.fail((*p, "order"), "order should list the ladder's steps, lowest first.")
        placed: set[str] = set()

        def place(step_id: object, field: str) -> str:
            if not isinstance(step_id, str):
                self.fail((*p, field), "each entry should be a step id in quotes.")
            if step_id not in steps:
                self.fail(
                    (*p, field),
                    f"{step_id!r} is not a step in this profile: add a [steps.{step_id}] "
                    "table or correct the name.",
                    value=step_id,
                )
            if step_id in placed:
                self.fail((*p, field), f"{step_id!r} is listed more than once.", value=step_id)
            placed.add(step_id)
            return step_id

        rungs: list[tuple[Step, ...]] = []
        for number, entry in enumerate(order, start=1):
            ids = entry if isinstance(entry, list) else [entry]
            if not ids:
                self.fail((*p, "order"), "a bracketed group of steps cannot be empty.")
            rungs.append(
                tuple(self.step(place(i, "order"), steps[str(i)], rung=number) for i in ids)
            )
        parallel = table.get("parallel", [])
        if not isinstance(parallel, list):
            self.fail((*p, "parallel"), "parallel should be a list of step ids in quotes.")
        alongside = tuple(self.step(place(i, "parallel"), steps[str(i)], None) for i in parallel)
        for step_id in steps:
            if step_id not in placed:
                self.fail(
                    ("steps", step_id),
                    f"step {step_id!r} is neither on the ladder nor alongside it: add it to "
                    "ladder.order or ladder.parallel.",
                )
        if sum(s.kind is StepKind.POLICE_OR_LEGAL_REFERRAL for s in alongside) != 1:
            self.fail(
                (*p, "parallel"),
                "list exactly one step of kind police_or_legal_referral: it is recorded "
                "first when someone's immediate safety is threatened.",
            )
        return tuple(rungs), alongside

    def step(self, step_id: str, body: dict[str, Any], rung: int | None) -> Step:
        p = ("steps", step_id)
        self.only(
            body,
            p,
            ("label", "kind", "optional", "take", "authorise", "skip_to", "review", "letters"),
        )
        kind_text = self.string(body, (*p, "kind"))
        try:
            kind = StepKind(kind_text)
        except ValueError:
            self.fail(
                (*p, "kind"),
                f"{kind_text!r} is not a kind of step Casebook knows. "
                f"Use one of: {_words(StepKind)}.",
            )
        if rung is not None and not kind.on_ladder:
            self.fail(
                (*p, "kind"),
                f"a {kind} step goes alongside the ladder, not on it: move it to ladder.parallel.",
            )
        if rung is None and not kind.alongside:
            self.fail(
                (*p, "kind"), f"a {kind} step belongs on the ladder: move it to ladder.order."
            )
        optional = self.flag(body, (*p, "optional"), False)
        if optional and rung is None:
            self.fail((*p, "optional"), "only a step on the ladder can be optional.")
        if "skip_to" in body and rung is None:
            self.fail(
                (*p, "skip_to"),
                "a step alongside the ladder is never a skip, so it needs no skip_to; remove it.",
            )
        has_review = kind.restriction is not None
        if "review" in body and not has_review:
            self.fail((*p, "review"), "only bars and communication plans are reviewed; remove it.")
        return Step(
            id=step_id,
            label=self.string(body, (*p, "label")),
            kind=kind,
            rung=rung,
            optional=optional,
            take=self.roles(body, (*p, "take"), required=True),
            authorise=self.roles(body, (*p, "authorise"), required=True),
            skip_to=self.roles(body, (*p, "skip_to"), required=False),
            review=self.roles(body, (*p, "review"), required=has_review),
            letters=self.letters(body, p, kind),
        )

    def letters(
        self, body: dict[str, Any], p: tuple[str, ...], kind: StepKind
    ) -> tuple[tuple[LetterMoment, str], ...]:
        table = body.get("letters", {})
        if not isinstance(table, dict):
            self.fail((*p, "letters"), 'letters should be a table of moment = "letter id".')
        moments = sorted(kind.letter_moments)
        found: list[tuple[LetterMoment, str]] = []
        for moment, _template in table.items():
            if moment not in moments:
                self.fail(
                    (*p, "letters", moment),
                    f"a {kind} step sends no letter at {moment!r}. "
                    f"Its moments are: {_words(moments)}.",
                )
            template = self.string(table, (*p, "letters", moment), slug=True)
            if self.letter_ids is not None and template not in self.letter_ids:
                self.fail(
                    (*p, "letters", moment),
                    f"there is no letter called {template!r}. The letters are: "
                    f"{_words(sorted(self.letter_ids))}.",
                )
            found.append((LetterMoment(moment), template))
        return tuple(found)


def read_profile(text: str, name: str, letter_ids: Collection[str] | None = None) -> Profile:
    """A profile from TOML text, or PolicyError; `name` is the file name used in messages.
    With `letter_ids`, every letter a step names must be one of them."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        reason = str(exc)
        match = _TOML_POSITION.search(reason)
        line = int(match.group(1)) if match else None
        reason = _TOML_POSITION.sub("", reason)
        raise PolicyError(
            f"this line is not valid TOML ({reason[:1].lower() + reason[1:]}). Check its "
            "quotes, brackets, commas and equals signs.",
            file=name,
            line=line,
            field=None,
        ) from None
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return _Reader(text, name, letter_ids).profile(data, digest)
