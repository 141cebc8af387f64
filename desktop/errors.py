"""Typed errors, and the one place that turns them into words for a person.

Services raise these; the UI and the CLI show `user_message(exc)`. Nothing anywhere
recognises an error by its message string.
"""

from __future__ import annotations


class CasebookError(Exception):
    """Base for every error Casebook expects and can explain."""

    default_message = "Casebook could not complete that."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)

    @property
    def message(self) -> str:
        return str(self.args[0])


class WrongPassword(CasebookError):
    default_message = "That username and password do not match. Check them and try again."


class WrongRecoveryKey(CasebookError):
    default_message = (
        "That recovery key does not open this case store. Check each group of letters."
    )


class TooManyAttempts(CasebookError):
    """Sign-in refused until `retry_after` seconds have passed."""

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        seconds = max(1, round(retry_after))
        unit = "second" if seconds == 1 else "seconds"
        super().__init__(f"Too many failed attempts. Wait {seconds} {unit} before trying again.")


class AccountDisabled(CasebookError):
    default_message = "This account has been switched off. Ask your data protection lead."


class NotPermitted(CasebookError):
    default_message = "Your role does not allow that."


class NotFound(CasebookError):
    default_message = "That record no longer exists."


class ValidationError(CasebookError):
    """Input a person typed is not acceptable; `field` names the input when known."""

    def __init__(self, message: str, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)


class StoreMissing(CasebookError):
    default_message = "There is no case store at that location."


class StoreExists(CasebookError):
    default_message = (
        "A case store already exists at that location; Casebook will not overwrite it."
    )


class StoreDamaged(CasebookError):
    default_message = (
        "The case store or its key file is damaged or is not a Casebook file. "
        "Restore it from a backup or ask your IT support."
    )


class StoreBusy(CasebookError):
    default_message = (
        "Another copy of Casebook is saving to this case store. Try again in a moment."
    )


class SessionEnded(CasebookError):
    default_message = (
        "Your account was removed or changed while you were signed in, so this window has "
        "been locked. Sign in again."
    )


class KeyringUnavailable(CasebookError):
    default_message = (
        "This computer has no secure password store, so Casebook cannot remember you here. "
        "Sign in with your password each time."
    )


def user_message(exc: BaseException) -> str:
    """Plain-English text for any exception; unknown ones get a generic sentence."""
    if isinstance(exc, CasebookError):
        return exc.message
    if isinstance(exc, PermissionError):
        return "Casebook is not allowed to read or write that file. Check the folder's permissions."
    if isinstance(exc, FileNotFoundError):
        return "That file or folder does not exist."
    if isinstance(exc, OSError):
        return f"The computer reported a file problem ({exc.strerror or type(exc).__name__})."
    return UNEXPECTED_MESSAGE


UNEXPECTED_MESSAGE = "Something unexpected went wrong. The details are in Casebook's log."


def is_expected(exc: BaseException) -> bool:
    """True when `user_message` has something specific to say about this error."""
    return isinstance(exc, CasebookError | OSError)
