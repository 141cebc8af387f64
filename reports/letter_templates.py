"""The wording of each kind of letter, as a template a trust may edit, and its rendering.

A template is Jinja2 text run in an immutable sandbox: it sees only the case's fields
(plain data) and a few text filters, never Python objects, files or other templates.
Its first lines are a comment that names it and declares the fields it uses:

    {#
    title: Formal written warning
    fields: recipient_name, reference, reasons
    optional: contact_name
    needs when review_outcome=renewed: bar_end, review_date
    #}

The shipped default templates in `resources/letters/` fix each type's fields; an edited
template may use only those. The text after the comment starts with a `Subject: ...`
line; blank lines part paragraphs and a single line break stays a line break, which is
what `reports.letters.Letter.body` expects. Nothing here imports ReportLab or Qt.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2 import meta as jinja_meta
from jinja2.exceptions import SecurityError
from jinja2.exceptions import TemplateError as JinjaError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from desktop.errors import ValidationError
from desktop.paths import RESOURCES_DIR
from reports.letter_fields import FILTERS, check_value, field_spec, is_blank

TYPE_IDS = (
    "verbal-warning",
    "mediation-invitation",
    "written-warning",
    "communication-plan",
    "bar-notice",
    "representations-acknowledgement",
    "bar-confirmation",
    "bar-lifted",
    "bar-review-outcome",
    "post-removal-request",
    "covert-recording-notice",
)
"""Every letter type, in the order the procedure usually reaches them."""

MAX_TEMPLATE_CHARS = 50_000
MAX_OUTPUT_CHARS = 1_000_000
_MAX_REPEAT = 10_000  # the longest a `*` may make a string or a list
_SAFE_JINJA_FILTERS = (
    *("capitalize", "default", "first", "join", "last", "length", "lower"),
    *("replace", "title", "trim", "upper"),
)
_RESERVED_NAMES = frozenset({"self", "super", "caller", "varargs", "kwargs"})
_FRONT_MATTER = re.compile(r"\A\s*\{#(.*?)#\}", re.DOTALL)
_SUBJECT = re.compile(r"\A\s*Subject:[ \t]*(.*)")
_BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*)+")


class TemplateError(ValidationError):
    """A template that cannot be used; `line` is its line number when one is to blame."""

    def __init__(self, message: str, line: int | None = None, field: str | None = None) -> None:
        self.line = line
        super().__init__(f"Line {line}: {message}" if line else message, field=field)


class MissingField(ValidationError):
    """The case lacks a fact the letter must state; `field` names it."""

    def __init__(self, field: str) -> None:
        label = field_spec(field).label
        super().__init__(
            f"This letter needs {label} ({field}); record it on the case first.", field=field
        )


@dataclass(frozen=True)
class LetterType:
    """A kind of letter: `required` fields must be filled to issue it; `optional` may be.
    `conditional` maps (field, value) to fields that become required when field == value."""

    id: str
    title: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    conditional: tuple[tuple[str, str, tuple[str, ...]], ...] = ()

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(self.required) | frozenset(self.optional)


@dataclass(frozen=True)
class RenderedLetter:
    """A letter's words: the subject line and the body's paragraphs, in order."""

    subject: str
    paragraphs: tuple[str, ...]


def templates_dir() -> Path:
    """The shipped default templates, one `<type id>.j2` file per letter type."""
    return RESOURCES_DIR / "letters"


@functools.cache
def default_template(type_id: str) -> str:
    """The default wording of a letter type, as shipped."""
    if type_id not in TYPE_IDS:
        raise ValidationError(f"There is no letter type called {type_id!r}.", field="type")
    return (templates_dir() / f"{type_id}.j2").read_text(encoding="utf-8")


@functools.cache
def letter_type(type_id: str) -> LetterType:
    """A letter type, read from the front matter of its default template."""
    return _parse_front_matter(type_id, default_template(type_id))


def strip_front_matter(text: str) -> str:
    """A template's wording without the comment that declares its fields."""
    found = _FRONT_MATTER.match(text)
    return (text[found.end() :] if found else text).lstrip("\n")


def letter_types() -> list[LetterType]:
    """Every letter type, in procedure order."""
    return [letter_type(type_id) for type_id in TYPE_IDS]


def check_template(type_id: str, text: str) -> None:
    """Refuse a template before it is saved: a syntax error (with its line), a field the
    type does not have, or anything reaching past the fields (`include`, a function call,
    a name starting with an underscore)."""
    _compile(type_id, text)


def render_body(
    type_id: str, fields: Mapping[str, object], *, template_text: str | None = None
) -> RenderedLetter:
    """The subject and paragraphs of a letter of this type for these fields.

    Raises MissingField naming the first required field that is blank, ValidationError
    for a value of the wrong kind, and TemplateError for a template that cannot run.
    """
    kind = letter_type(type_id)
    values = _values(kind, fields)
    template = _compile(
        type_id, default_template(type_id) if template_text is None else template_text
    )
    try:
        text = template.render(values)
    except SecurityError as exc:
        raise TemplateError(f"The template tried something letters may not do ({exc}).") from exc
    except JinjaError as exc:
        raise TemplateError(f"The template could not be filled in: {exc}") from exc
    except (TypeError, ValueError, ArithmeticError, LookupError) as exc:
        raise TemplateError(f"The template could not be filled in: {exc}") from exc
    if len(text) > MAX_OUTPUT_CHARS:
        raise TemplateError("The letter is far too long to print; check the template's loops.")
    return _split(text, kind.title)


# Building blocks.


class _LetterEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox, with `*` and `**` kept small so a template cannot exhaust memory."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            raise SecurityError("powers are not allowed")
        for seq, count in ((left, right), (right, left)):
            if (
                isinstance(seq, (str, list, tuple))
                and isinstance(count, int)
                and len(seq) * count > _MAX_REPEAT
            ):
                raise SecurityError("that repeats text too many times")
        return super().call_binop(context, operator, left, right)


@functools.cache
def _environment() -> _LetterEnvironment:
    env = _LetterEnvironment(
        autoescape=False,  # plain text; the letter engine escapes it for the PDF itself
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        loader=None,
    )
    env.globals.clear()  # no range, cycler, joiner, namespace, lipsum or dict
    filters: dict[str, Callable[..., Any]] = {n: env.filters[n] for n in _SAFE_JINJA_FILTERS}
    filters.update(FILTERS)
    env.filters.clear()
    env.filters.update(filters)
    return env


def _compile(type_id: str, text: str) -> Any:
    kind = letter_type(type_id)
    if len(text) > MAX_TEMPLATE_CHARS:
        raise TemplateError("The template is too long.")
    env = _environment()
    try:
        tree = env.parse(text)
    except TemplateSyntaxError as exc:
        raise TemplateError(f"The template has a mistake: {exc.message}", line=exc.lineno) from exc
    _refuse_unsafe(tree)
    try:  # the analysis compiles the template, finding unknown filters
        undeclared = jinja_meta.find_undeclared_variables(tree)
    except TemplateSyntaxError as exc:
        raise TemplateError(f"The template has a mistake: {exc.message}", line=exc.lineno) from exc
    unknown = sorted(undeclared - kind.fields)
    if unknown:
        name = unknown[0]
        line = next((n.lineno for n in tree.find_all(nodes.Name) if n.name == name), None)
        raise TemplateError(
            f"A {kind.title.lower()} has no field called {name!r}. "
            f"Its fields are: {', '.join(sorted(kind.fields))}.",
            line=line,
            field=name,
        )
    try:
        return env.from_string(tree)
    except TemplateSyntaxError as exc:  # an unknown filter is found when compiling
        raise TemplateError(f"The template has a mistake: {exc.message}", line=exc.lineno) from exc


_FORBIDDEN_NODES: tuple[tuple[type[nodes.Node], str], ...] = (
    (nodes.Include, "a letter cannot include another template"),
    (nodes.Extends, "a letter cannot extend another template"),
    (nodes.Import, "a letter cannot import another template"),
    (nodes.FromImport, "a letter cannot import another template"),
    (nodes.Macro, "a letter cannot define macros"),
    (nodes.CallBlock, "a letter cannot call macros"),
    (nodes.Call, "a letter cannot call functions; use the fields and filters"),
    (nodes.Assign, "a letter cannot set variables"),
    (nodes.AssignBlock, "a letter cannot set variables"),
    (nodes.Mul, "a letter cannot multiply"),
    (nodes.Pow, "a letter cannot raise to a power"),
)


def _refuse_unsafe(tree: nodes.Template) -> None:
    for node in tree.find_all(nodes.Node):
        for kind, why in _FORBIDDEN_NODES:
            if isinstance(node, kind):
                raise TemplateError(why + ".", line=node.lineno)
        name: object = None
        if isinstance(node, nodes.Getattr):
            name = node.attr
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            name = node.arg.value
        elif isinstance(node, nodes.Name):
            name = node.name
            if name in _RESERVED_NAMES:
                raise TemplateError(f"{name!r} is not a letter field.", line=node.lineno)
        if isinstance(name, str) and name.startswith("_"):
            raise TemplateError(f"{name!r} is not a letter field.", line=node.lineno)


def _values(kind: LetterType, fields: Mapping[str, object]) -> dict[str, object]:
    needed = list(kind.required)
    for field, expected, extra in kind.conditional:
        if fields.get(field) == expected:
            needed.extend(extra)
    for name in needed:
        if is_blank(fields.get(name)):
            raise MissingField(name)
    values: dict[str, object] = {}
    for name in kind.fields:
        value = fields.get(name)
        if is_blank(value):
            values[name] = None
        else:
            check_value(name, value)
            values[name] = value
    return values


def _split(text: str, default_subject: str) -> RenderedLetter:
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    subject = default_subject
    found = _SUBJECT.match(text)
    if found:
        subject = found.group(1).strip() or default_subject
        text = text[found.end() :]
    chunks = (chunk.strip("\n") for chunk in _BLANK_LINES.split(text))
    paragraphs = tuple(
        "\n".join(line.rstrip() for line in chunk.split("\n")).strip()
        for chunk in chunks
        if chunk.strip()
    )
    return RenderedLetter(subject=subject, paragraphs=paragraphs)


def _parse_front_matter(type_id: str, text: str) -> LetterType:
    found = _FRONT_MATTER.match(text)
    if not found:
        raise TemplateError(f"The {type_id} template does not declare its fields.", line=1)
    entries: dict[str, str] = {}
    for line in found.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep:
            entries[key.strip().lower()] = value.strip()

    def names(value: str) -> tuple[str, ...]:
        return tuple(n.strip() for n in value.split(",") if n.strip())

    conditional = []
    for key, value in entries.items():
        if key.startswith("needs when "):
            field, _, expected = key.removeprefix("needs when ").partition("=")
            conditional.append((field.strip(), expected.strip(), names(value)))
    return LetterType(
        id=type_id,
        title=entries.get("title", type_id.replace("-", " ").capitalize()),
        required=names(entries.get("fields", "")),
        optional=names(entries.get("optional", "")),
        conditional=tuple(conditional),
    )
