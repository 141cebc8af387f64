"""Typed errors, and the one place that turns them into words for a person.

Services raise these; the UI and the CLI show `user_message(exc)`. Nothing anywhere
recognises an error by its message string.
"""

from __future__ import annotations


class CasebookError(Exception):
    """Base for every error Casebook expects and can explain."""

    default_message = "Casebook could not complete that."
    # A store's files are damaged, foreign or missing, and restoring a backup puts them
    # right: the window offers "Restore from a backup…" beside the message.
    restore_helps = False

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)

    @property
    def message(self) -> str:
        return str(self.args[0])


class WrongPassword(CasebookError):
    default_message = "That username and password do not match. Check them and try again."


class WrongRecoveryKey(CasebookError):
    default_message = (
        "That recovery key does not open this case store. Check that the recovery sheet is "
        "this store's (it names the store's file and the trust), then check each group of "
        "four letters and digits against it."
    )

    @classmethod
    def for_store(cls, name: str) -> WrongRecoveryKey:
        return cls(
            f"That recovery key does not open this case store ({name}). Check that the "
            "recovery sheet is this store's (it names the store's file and the trust), then "
            "check each group of four letters and digits against it."
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


# The way forward from a store whose files are damaged, foreign or missing. Restoring keeps
# the files that were there aside under a new name (desktop/storage/restore.py).
RESTORE_WAYS = (
    "File > Restore from a backup… (offered too when Casebook starts), or `casebook restore "
    "--backup FILE --db STORE --force`; the files there now are kept aside, not deleted."
)
RESTORE_ADVICE = f"Restore from a backup: {RESTORE_WAYS}"
UNCHANGED = "Nothing was changed."


class StoreMissing(CasebookError):
    default_message = "There is no case store at that location."


class KeyFileMissing(StoreMissing):
    """The database is there, its key file is not. Nothing makes a new one in its place:
    a new key file would open nothing in the database."""

    restore_helps = True

    def __init__(self, name: str, keys_name: str) -> None:
        super().__init__(
            f"The key file {keys_name} is missing from beside the case store {name}, so the "
            f"store cannot be opened. The key file travels with the store: look for "
            f"{keys_name} where the store was copied or moved from, or beside a copy of it, "
            f"and put it beside {name} (a Casebook backup holds both). Nothing was changed "
            f"and no new key file was made. Or restore from a backup: {RESTORE_WAYS}"
        )


class StoreExists(CasebookError):
    default_message = (
        "A case store already exists at that location; Casebook will not overwrite it."
    )


class StoreDamaged(CasebookError):
    """A store's file cannot be used as it is. The subclasses below say which and why."""

    default_message = (
        "The case store or its key file is damaged or is not a Casebook file. "
        "Restore it from a backup or ask your IT support."
    )


class DatabaseDamaged(StoreDamaged):
    """The database file is cut short, or its pages fail their seals or SQLite's checks."""

    restore_helps = True

    def __init__(self, name: str, *, incomplete: bool = False) -> None:
        how = "incomplete (a copy cut short, perhaps)" if incomplete else "damaged"
        super().__init__(
            f"The case store {name} is {how}, so Casebook cannot open it. {UNCHANGED} "
            f"{RESTORE_ADVICE}"
        )


class DatabaseUnreadable(StoreDamaged):
    """The key from the key file does not open the database's first page: either the file
    is damaged at its start, or the key file belongs to another store (they cannot be told
    apart without the other store's key)."""

    restore_helps = True

    def __init__(self, name: str, keys_name: str) -> None:
        super().__init__(
            f"The case store {name} does not open with the key file beside it: the store is "
            f"damaged, or {keys_name} belongs to a different store. {UNCHANGED} If the store "
            f"was copied here, copy its own {keys_name} with it. Or restore from a backup: "
            f"{RESTORE_WAYS}"
        )


class NotACaseStore(StoreDamaged):
    """A file in the store's place that is some other kind of file (`what` says which)."""

    restore_helps = True

    def __init__(self, name: str, what: str) -> None:
        super().__init__(
            f"{name} is not a Casebook case store: {what}. {UNCHANGED} Check that this is the "
            f"right file (a case store is a .casebook file with its .keys file beside it). "
            f"{RESTORE_ADVICE}"
        )


class StoreTooNew(StoreDamaged):
    """Made by a newer Casebook (its schema or key file): never migrated, up or down."""

    def __init__(self, name: str | None = None) -> None:
        which = f"The case store {name}" if name else "This case store"
        super().__init__(
            f"{which} was made by a newer version of Casebook, so this version cannot open "
            f"it. Update Casebook, then open it again. {UNCHANGED}"
        )


class KeyFileDamaged(StoreDamaged):
    """The key file is not one (garbage, another program's JSON) or is damaged."""

    restore_helps = True

    def __init__(self, keys_name: str) -> None:
        super().__init__(
            f"The key file {keys_name} is damaged or is not a Casebook key file, so the case "
            f"store cannot be opened. {UNCHANGED} {RESTORE_ADVICE}"
        )


class KeyFileForeign(StoreDamaged):
    """The key file is a sound one, of another store."""

    restore_helps = True

    def __init__(self, name: str, keys_name: str) -> None:
        super().__init__(
            f"The key file {keys_name} belongs to a different store, not to the case store "
            f"{name}. {UNCHANGED} Put {name}'s own key file beside it (the one copied or backed "
            f"up with it). Or restore from a backup: {RESTORE_WAYS}"
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


def restore_may_help(exc: BaseException) -> bool:
    """True when the store's files are damaged, foreign or missing in a way that restoring
    a backup puts right (the window then offers "Restore from a backup…")."""
    return isinstance(exc, CasebookError) and exc.restore_helps


def is_expected(exc: BaseException) -> bool:
    """True when `user_message` has something specific to say about this error."""
    return isinstance(exc, CasebookError | OSError)
