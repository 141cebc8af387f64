"""What the logs say about an error: types, frames and where, never what a person typed.

Qt-free, so the window, the background workers and the command line log errors alike.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator

_MESSAGE_LIMIT = 300


def exception_chain(exc: BaseException | None) -> Iterator[BaseException]:
    """The exception, then what caused it, and so on (each once, even in a cycle)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


# Exception types whose messages come from code (names of types, functions and attributes),
# never from what a person typed; only these messages are logged, cut to a few hundred
# characters. Every other message may carry a name or an address and is left out.
_CODE_MESSAGE_TYPES = (TypeError, AttributeError, NameError, ImportError, NotImplementedError)


def _code_message(exc: BaseException) -> str | None:
    if not isinstance(exc, _CODE_MESSAGE_TYPES):
        return None
    text = " ".join(str(exc).split())
    return text[:_MESSAGE_LIMIT] if text else None


def describe_exception(exc: BaseException, context: str = "") -> str:
    """Where an exception happened, for the log: types, frames and a context, not its data.

    Messages can carry a person's name or typed text, so only those of `_CODE_MESSAGE_TYPES`
    are kept. An error raised inside Qt (a signal or a delegate) may have no Python frames
    of its own, so `context` adds the call stack and the widget that had focus.
    """
    lines: list[str] = []
    for current in exception_chain(exc):
        kind = type(current)
        prefix = "caused by " if lines else ""
        lines.append(f"{prefix}{kind.__module__}.{kind.__qualname__}\n")
        message = _code_message(current)
        if message:
            lines.append(f"  says: {message}\n")
        frames = traceback.format_tb(current.__traceback__)
        if frames:
            lines.append("Traceback (most recent call last):\n")
            lines.extend(frames)
        else:
            lines.append("  (no Python frames: raised inside Qt or a C extension)\n")
    if context:
        lines.append(context)
    return "".join(lines)
