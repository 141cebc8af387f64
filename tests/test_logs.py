"""The logs (issue 12): they rotate, and they hold event names, ids and error types, never a
person's details, a password, the recovery key, a one-time password or a key.

One long day is run in-process, as the window and the `casebook` command run it, with the
window's log set up as `desktop.app` sets it up (its folder is in tmp_path: see conftest's
XDG_STATE_HOME). Then every file in the log folder, rotated ones too, is searched for each
value used, in the forms a careless log call would write it.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import importlib.util
import json
import logging
import re
import shutil
import sys
import threading
import unicodedata
import urllib.parse
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QPushButton, QWidget

from desktop import app as app_module
from desktop import logfiles
from desktop.cli import main
from desktop.cli.common import log_unexpected
from desktop.dates import uk_today
from desktop.domain.ladder import SkipAuthority
from desktop.domain.roles import Role
from desktop.errors import CasebookError, NotPermitted, ValidationError, WrongPassword
from desktop.paths import keys_file_for, log_dir
from desktop.services import auth, cases, due_export, letter_sources, people, users
from desktop.services.case_people import NewPupil, link_pupil
from desktop.services.sanctions import take_step
from desktop.services.session import UserSession
from desktop.services.setup import AdminDraft, SchoolDraft, TrustDraft, create_store
from desktop.ui import error_dialog
from desktop.ui.check_window import CheckWindow
from desktop.ui.messages import Messenger
from desktop.ui.operations import Change, ReadOp, WriteOp
from desktop.ui.signin_dialog import SignInDialog
from tests.services.case_support import record_first_kind
from tests.services.sanction_support import bar_notice
from tests.ui.fakes import FakeBackend
from tests.ui.typing import click, type_into

WAIT_MS = 5000
W = TypeVar("W", bound=QWidget)
TODAY = uk_today()  # the front desk checks bars current today

# -- what the day uses: every one must stay out of the logs ------------------------------------
GIVEN, FAMILY = "Zoë", "Ñúñez-O'Brien"
ADDRESS = "17 Quillfeather Mews\nWrexley\nWX9 4QZ"
EMAIL = "zoe.nunez-obrien@quillmail.example"
PHONE = "07700 900417"
PUPIL = ("Xanthe", FAMILY)
INCIDENTS = (
    "Shouted about the Marzipan Orchard allotments at the gate, then kicked the railings.",
    "Left a voicemail calling the head a Glockenspiel tyrant, twice before nine.",
)
BAR_REASONS = "Threats of Vermilion Kestrel violence towards the office staff."
DROP_OFF = "Great-aunt Hepzibah Crumwallis brings the children to the side gate."
CONTACT, CONTACT_EMAIL = "Marigold Featherstonehaugh", "m.featherstonehaugh@ash.example"
SKIP_REASON = "Brandished a Periwinkle umbrella at the receptionist."
TRUST_ADDRESS = "3 Tamarisk Parade\nOakfield\nOK7 1ZZ"
STAFF = {  # username: (full name, role, password)
    "admin": ("Alasdair Penhaligon", Role.DATA_PROTECTION_LEAD, "Tangerine-Walrus-8841"),
    "casey": ("Quentin Farthingale", Role.TRUST_LEADER, "Heliotrope-Badger-2290"),
    "bm": ("Persephone Wickham", Role.BUSINESS_MANAGER, "Ochre-Narwhal-3317"),
    "head": ("Ottoline Grimsditch", Role.HEADTEACHER, "Viridian-Tapir-4406"),
}
WRONG_PASSWORD = "Wrong-Platypus-5512"
NEW_PASSWORD, RECOVERED_PASSWORD = "Cobalt-Meerkat-7734", "Saffron-Ibis-6620"
BAD_EMAIL = "zoe@@quillmail-typo.example"

# A log that says nothing would pass the search: it must say these.
EVENTS = (
    "uncaught_exception",
    "operation.refused ValidationError",
    "operation.refused NotPermitted",
    "changed cases",
    "sign-in failed: ",
    "visitor_check matches=1",
)
CLI_EVENTS = ("unexpected builtins.RuntimeError", "Traceback")


# -- the forms a value could take in a log line --------------------------------------------------
def ascii_folded(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def text_forms(value: str) -> set[str]:
    """`value` as written, ASCII-folded, JSON-, repr-, HTML- and URL-escaped, and with its
    lines joined as a log call might join them."""
    forms = {value, ascii_folded(value), " ".join(value.split()), ", ".join(value.splitlines())}
    forms |= {json.dumps(value)[1:-1], repr(value)[1:-1], repr(value.encode())[2:-1]}
    forms |= {html.escape(value), urllib.parse.quote(value), urllib.parse.quote_plus(value)}
    return {form for form in forms if form}


def key_forms(key: bytes) -> set[str]:
    """A key as hex, base64 and URL-safe base64, with and without padding."""
    forms = {key.hex(), base64.b64encode(key).decode(), base64.urlsafe_b64encode(key).decode()}
    return forms | {form.rstrip("=") for form in forms}


def personal_values() -> list[str]:
    """Each value typed about a person, whole and in the parts a log might pick out."""
    values = [GIVEN, FAMILY, f"{GIVEN} {FAMILY}", "Ñúñez", "O'Brien", "Quillfeather"]
    values += [ADDRESS, *ADDRESS.splitlines(), EMAIL, EMAIL.split("@")[0], PHONE]
    values += [PHONE.replace(" ", ""), " ".join(PUPIL), PUPIL[0], BAD_EMAIL]
    values += [*INCIDENTS, "Marzipan Orchard", "Glockenspiel", BAR_REASONS, "Vermilion Kestrel"]
    values += [DROP_OFF, "Hepzibah", "Crumwallis", CONTACT, CONTACT_EMAIL, SKIP_REASON]
    values += ["Periwinkle", TRUST_ADDRESS, *TRUST_ADDRESS.splitlines()]
    for full_name, _role, _password in STAFF.values():
        values += [full_name, *full_name.split()]
    return values


# -- the day ----------------------------------------------------------------------------------
class Day:
    """What the day used that must stay out of the logs, gathered as it goes."""

    def __init__(self) -> None:
        self.secrets: list[str] = [WRONG_PASSWORD, NEW_PASSWORD, RECOVERED_PASSWORD]
        self.secrets += [password for _name, _role, password in STAFF.values()]
        self.keys: list[bytes] = []
        self.recovery_key = ""

    def keep_keys(self, session: UserSession) -> None:
        store = session.store
        self.keys.append(store.key)  # type: ignore[attr-defined]  # the file store's key
        keys = store.keys  # type: ignore[attr-defined]
        self.keys += [k for k in (keys.cases, keys.audit, keys.signer, keys.front_desk) if k]

    def forbidden(self) -> dict[str, str]:
        """Each form to search for, mapped to what it is (for the failure message)."""
        found: dict[str, str] = {}
        for value in personal_values():
            found.update({form.casefold(): f"personal: {value!r}" for form in text_forms(value)})
        for secret in self.secrets:
            found.update({form.casefold(): "a secret" for form in text_forms(secret)})
            found[secret.replace("-", "").casefold()] = "a secret, without its dashes"
        for key in self.keys:
            found.update({form.casefold(): "key material" for form in key_forms(key)})
        return found


@pytest.fixture
def window_log(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The window's log, set up as start-up sets it up, with its error hook installed and the
    error dialog answered by a stand-in (it would wait for OK)."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    monkeypatch.setattr(Messenger, "backend", FakeBackend())
    monkeypatch.setattr(error_dialog, "show_error", lambda exc, path, parent=None: None)
    path = app_module.setup_logging()
    assert path == log_dir() / app_module.LOG_NAME
    app_module.install_excepthook(path)
    # Stricter than start-up's INFO: a debug line switched on for support must not leak either.
    logging.getLogger().setLevel(logging.DEBUG)
    yield path
    app_module.stop_logging()


def cli(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    found = capsys.readouterr()
    return code, found.out, found.err


def sign_in(store_path: Path, username: str, password: str | None = None) -> UserSession:
    return auth.sign_in(store_path, username=username, password=password or STAFF[username][2])


def set_up_trust(store_path: Path, day: Day) -> UserSession:
    """The trust, its first administrator (by the setup service) and two more accounts."""
    name, _role, password = STAFF["admin"]
    result = create_store(
        store_path,
        trust=TrustDraft(
            "Oakfield Learning Trust",
            TRUST_ADDRESS,
            None,
            (SchoolDraft("Ash Primary", "Ash Lane", "Ann Ash"), SchoolDraft("Birch Academy")),
        ),
        admin=AdminDraft("admin", name, password),
    )
    day.recovery_key = result.recovery_key
    day.secrets.append(result.recovery_key)
    day.keep_keys(result.session)
    for username in ("casey", "bm"):
        full_name, role, password = STAFF[username]
        schools = [] if role.trust_wide else [1]
        users.add_user(
            result.session,
            username=username,
            full_name=full_name,
            role=role.value,
            school_ids=schools,
            password=password,
        )
    return result.session


def open_the_case(leader: UserSession, out: Path) -> cases.CaseRow:
    """Zoë's case: her details, her child, two incidents, a bar with its letter, exports."""
    case = cases.open_case(
        leader,
        given_name=GIVEN,
        family_name=FAMILY,
        relationship="parent",
        school_ids=[1],
        opened_on=TODAY - dt.timedelta(days=21),
        address=ADDRESS,
    )
    [subject] = people.search_people(leader, f"{GIVEN} {FAMILY}")
    people.update_person(
        leader,
        person_id=subject.id,
        given_name=GIVEN,
        family_name=FAMILY,
        relation="parent",
        address=ADDRESS,
        email=EMAIL,
        phone=PHONE,
    )
    link_pupil(
        leader,
        person_id=subject.id,
        pupil=NewPupil(PUPIL[0], PUPIL[1], 1, "Year 4"),
        relation="parent",
    )
    for day, text in enumerate(INCIDENTS):
        when = dt.datetime.combine(TODAY - dt.timedelta(days=20 - day), dt.time(8, 40))
        record_first_kind(leader, case, when, "on_site", text)
    skip = SkipAuthority(STAFF["casey"][0], Role.TRUST_LEADER, SKIP_REASON)
    draft = bar_notice(
        TODAY - dt.timedelta(days=7),
        ends=TODAY + dt.timedelta(days=120),
        deadline=TODAY + dt.timedelta(days=7),
        review=TODAY + dt.timedelta(days=14),
        skip=skip,
        details={
            "named_contact": CONTACT,
            "contact_email": CONTACT_EMAIL,
            "drop_off_arrangement": DROP_OFF,
            "reasons": BAR_REASONS,
        },
    )
    assert take_step(leader, case_id=case.id, draft=draft).letter_id is not None
    # Files named after the person, as people name them: a log must not print the path.
    letter_sources.export_letter(
        leader, reference=case.reference, type_id="bar-notice", to=out / f"{GIVEN} {FAMILY}.pdf"
    )
    due_export.export_ics(leader, to=out / f"{GIVEN} {FAMILY} dates.ics", with_names=True)
    return case


def refusals(store_path: Path, leader: UserSession, damaged: Path) -> None:
    """A wrong password, a refused permission, bad input and a damaged key file."""
    with pytest.raises(WrongPassword):
        sign_in(store_path, "casey", WRONG_PASSWORD)
    manager = sign_in(store_path, "bm")
    try:
        with pytest.raises(NotPermitted):
            users.add_user(
                manager,
                username="zoe",
                full_name=f"{GIVEN} {FAMILY}",
                role="business_manager",
                school_ids=[1],
                password=WRONG_PASSWORD,
            )
    finally:
        auth.sign_out(manager)
    with pytest.raises(ValidationError):
        cases.open_case(
            leader,
            given_name=GIVEN,
            family_name="",
            relationship="parent",
            school_ids=[1],
            opened_on=TODAY - dt.timedelta(days=21),
            address=ADDRESS,
        )
    shutil.copy(store_path, damaged)
    keys = keys_file_for(damaged)
    text = keys_file_for(store_path).read_text(encoding="utf-8")
    keys.write_text(text[: len(text) // 2], encoding="utf-8")  # cut off half-way
    with pytest.raises(CasebookError):
        sign_in(damaged, "admin")


def commands(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    store_path: Path,
    case: cases.CaseRow,
    out: Path,
    day: Day,
) -> None:
    """The `casebook` command at work, and failing, as an administrator would use it."""
    db = ("--db", store_path)
    monkeypatch.setenv("CASEBOOK_PASSWORD", STAFF["admin"][2])
    as_admin = ("--user", "admin")
    full_name, _role, password = STAFF["head"]
    monkeypatch.setenv("CASEBOOK_NEW_PASSWORD", password)
    code, _, _ = cli(capsys, "user", "add", *db, *as_admin, "--username", "head")
    assert code == 2  # no --full-name or --role: a usage mistake
    add = ("--username", "head", "--full-name", full_name, "--role", "headteacher")
    code, _, err = cli(capsys, "user", "add", *db, *as_admin, *add, "--school", "Ash Primary")
    assert code == 0, err
    code, said, err = cli(capsys, "user", "reset-password", *db, *as_admin, "--username", "bm")
    assert code == 0, err
    found = re.search(r"One-time password for bm: (\S+)", said)
    assert found, said
    day.secrets.append(found.group(1))
    code, said, err = cli(capsys, "backup", *db, *as_admin, "--out", out)
    assert code == 0, err
    data = bytearray(Path(said.strip()).read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = bytes(64)
    damaged = out / "damaged.casebook-backup"
    damaged.write_bytes(bytes(data))
    code, _, err = cli(capsys, "restore", "--backup", damaged, "--db", out / "restored.casebook")
    assert code == 1 and err
    code, _, err = cli(capsys, "audit", "verify", *db, *as_admin)
    assert code == 0, err
    monkeypatch.setenv("CASEBOOK_PASSWORD", STAFF["head"][2])
    code, _, err = cli(capsys, "user", "list", *db, "--user", "head")
    assert code == 1 and err  # a headteacher may not manage accounts

    monkeypatch.setenv("CASEBOOK_PASSWORD", STAFF["casey"][2])
    as_leader = ("--user", "casey", "--db", store_path)
    code, _, err = cli(capsys, "case", "show", *as_leader, case.reference)
    assert code == 0, err
    letter = ("letter", *as_leader, "--case", case.reference)
    code, _, err = cli(capsys, *letter, "--type", "bar-notice", "--out", out / f"{FAMILY}.pdf")
    assert code == 0, err
    code, _, err = cli(capsys, *letter, "--type", "written-warning", "--out", out / "w.pdf")
    assert code == 1 and err  # no written warning was recorded
    code, _, err = cli(capsys, "calendar", *as_leader, "--ics", out / f"{GIVEN}.ics")
    assert code == 0, err
    code, said, err = cli(capsys, "check", *as_leader, "Zoe Nunez O'Brien")
    assert code == 0 and CONTACT in said, err
    code, _, err = cli(capsys, "cases", *as_leader, "--school", f"{FAMILY} Academy")
    assert code == 1 and err  # no such school

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"{GIVEN} {FAMILY} of {ADDRESS} ({EMAIL}, {PHONE})")

    with monkeypatch.context() as patched:
        patched.setattr(cases, "all_cases", broken)
        code, _, err = cli(capsys, "cases", *as_leader)
    assert code == 1 and "Something unexpected went wrong" in err

    monkeypatch.setenv("CASEBOOK_NEW_PASSWORD", NEW_PASSWORD)
    code, _, err = cli(capsys, "passwd", *as_leader)
    assert code == 0, err
    monkeypatch.setenv("CASEBOOK_PASSWORD", WRONG_PASSWORD)
    code, _, err = cli(capsys, "cases", *as_leader)
    assert code == 1 and err
    monkeypatch.setenv("CASEBOOK_RECOVERY_KEY", day.recovery_key)
    monkeypatch.setenv("CASEBOOK_NEW_PASSWORD", RECOVERED_PASSWORD)
    code, _, err = cli(capsys, "recover", *as_leader)
    assert code == 0, err


def second_factor_for(manager: UserSession, day: Day) -> None:
    """The business manager sets up two-step sign-in (when this Casebook has it): its secret,
    a code, the recovery codes, and a wrong code to turn it off."""
    if importlib.util.find_spec("desktop.services.second_factor") is None:
        return
    import pyotp

    from desktop.services import second_factor

    started = second_factor.start_enrolment(manager)
    code = pyotp.TOTP(started.secret).now()
    codes = second_factor.confirm_enrolment(manager, secret=started.secret, code=code)
    day.secrets += [started.secret, started.secret_for_typing, started.uri, code, *codes]
    wrong = str((int(code) + 1) % 1_000_000).zfill(6)
    day.secrets.append(wrong)
    with pytest.raises(CasebookError):
        second_factor.disable(manager, code=wrong)


def child(parent: QWidget, kind: type[W], name: str) -> W:
    found = parent.findChild(kind, name)
    assert found is not None, name
    return found


def in_the_window(
    qtbot, store_path: Path, damaged: Path, leader: UserSession, manager: UserSession
) -> None:
    """The window's background work failing the three ways it can, a visitor check, and
    signing in with a wrong password and to a damaged store."""
    host = QDialog()
    qtbot.addWidget(host)
    host.show()
    errors: list[BaseException] = []

    def unexpected(job: object) -> None:
        raise RuntimeError(f"{GIVEN} {FAMILY} said: {INCIDENTS[0]}")

    def bad_email(job: object) -> None:
        [subject] = people.search_people(leader, f"{GIVEN} {FAMILY}")
        people.update_person(
            leader,
            person_id=subject.id,
            given_name=GIVEN,
            family_name=FAMILY,
            relation="parent",
            email=BAD_EMAIL,
        )

    def not_allowed(job: object) -> None:
        users.add_user(
            manager,
            username="xanthe",
            full_name=" ".join(PUPIL),
            role="business_manager",
            school_ids=[1],
            password=WRONG_PASSWORD,
        )

    done: list[str] = []
    ReadOp(parent=host, run=unexpected, done=lambda: done.append("read")).start()
    WriteOp(parent=host, session=leader, run=bad_email, failure=errors.append).start()
    WriteOp(parent=host, session=manager, run=not_allowed, failure=errors.append).start()
    WriteOp(
        parent=host,
        session=leader,
        run=lambda job: None,
        changes=(Change.CASES,),
        success=lambda _: done.append("write"),
    ).start()
    qtbot.waitUntil(lambda: len(errors) == 2 and len(done) == 2, timeout=WAIT_MS)
    assert {type(e) for e in errors} == {ValidationError, NotPermitted}

    check = CheckWindow(leader, front_desk=False)
    qtbot.addWidget(check)
    check.show()
    type_into(qtbot, child(check, QLineEdit, "nameEdit"), f"{GIVEN} Nunez")
    summary = child(check, QLabel, "summaryLabel")
    qtbot.waitUntil(lambda: "match" in summary.text(), timeout=WAIT_MS)
    check.close()

    for where, password in ((store_path, WRONG_PASSWORD), (damaged, STAFF["admin"][2])):
        dialog = SignInDialog(where)
        qtbot.addWidget(dialog)
        dialog.show()
        type_into(qtbot, child(dialog, QLineEdit, "usernameEdit"), "admin")
        type_into(qtbot, child(dialog, QLineEdit, "passwordEdit"), password)
        click(qtbot, child(dialog, QPushButton, "signInButton"))
        qtbot.waitUntil(child(dialog, QLineEdit, "passwordEdit").isEnabled, timeout=WAIT_MS)
        assert dialog.session is None
        dialog.close()


def log_files() -> list[Path]:
    return sorted(p for p in log_dir().iterdir() if p.is_file())


def leaks(files: Iterable[Path], forbidden: dict[str, str]) -> list[str]:
    """Each form found in a file, and what it is. A form of digits alone (a code) counts
    only where it is not part of a longer number, such as a time."""
    found = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace").casefold()
        for form, what in forbidden.items():
            hit = re.search(rf"(?<!\d){form}(?!\d)", text) if form.isdigit() else form in text
            if hit:
                found.append(f"{path.name}: {what} ({form!r})")
    return found


# -- the tests ----------------------------------------------------------------------------------
def test_a_busy_day_leaves_no_personal_data_or_secret_in_any_log(
    qtbot, capsys, monkeypatch, tmp_path: Path, store_path: Path, window_log: Path
) -> None:
    day = Day()
    out = tmp_path / "exports"
    out.mkdir()
    damaged = tmp_path / "damaged" / store_path.name
    damaged.parent.mkdir()
    admin = set_up_trust(store_path, day)
    leader = sign_in(store_path, "casey")
    day.keep_keys(leader)
    manager = sign_in(store_path, "bm")
    try:
        case = open_the_case(leader, out)
        refusals(store_path, leader, damaged)
        in_the_window(qtbot, store_path, damaged, leader, manager)
        second_factor_for(manager, day)
    finally:
        for session in (manager, leader, admin):
            auth.sign_out(session)
    commands(capsys, monkeypatch, store_path, case, out, day)
    for handler in logging.getLogger().handlers:
        handler.flush()

    files = log_files()
    assert {p.name for p in files} >= {logfiles.WINDOW_LOG, logfiles.CLI_LOG}
    window_text = window_log.read_text(encoding="utf-8")
    assert [e for e in EVENTS if e not in window_text] == [], window_text
    cli_text = (log_dir() / logfiles.CLI_LOG).read_text(encoding="utf-8")
    assert [e for e in CLI_EVENTS if e not in cli_text] == [], cli_text
    forbidden = day.forbidden()
    assert len(day.keys) >= 4 and len(day.secrets) >= 8  # the day did make them
    assert leaks(files, forbidden) == []


def test_the_window_log_rotates_and_keeps_a_few_old_files(window_log: Path) -> None:
    [handler] = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logfiles.RotatingFile) and Path(h.baseFilename) == window_log
    ]
    assert handler.max_bytes == logfiles.MAX_BYTES and handler.backups == logfiles.BACKUPS
    assert 100_000 <= logfiles.MAX_BYTES <= 10_000_000 and 1 <= logfiles.BACKUPS <= 10
    handler.max_bytes = 2_000  # the same handler, filled sooner
    log = logging.getLogger("casebook.test")
    for number in range(400):
        log.info("test.event number=%d", number)
    handler.flush()
    names = sorted(p.name for p in log_files())
    kept = [f"{logfiles.WINDOW_LOG}.{n}" for n in range(1, logfiles.BACKUPS + 1)]
    assert names == sorted([logfiles.WINDOW_LOG, *kept])
    assert all((log_dir() / name).stat().st_size <= 2_000 for name in names)
    assert "number=399" in window_log.read_text(encoding="utf-8")


def test_the_command_line_log_rotates_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logfiles, "MAX_BYTES", 4_000)
    for number in range(60):
        try:
            raise RuntimeError(f"failure {number}")
        except RuntimeError as exc:
            log_unexpected(exc)
    names = sorted(p.name for p in log_files())
    kept = [f"{logfiles.CLI_LOG}.{n}" for n in range(1, logfiles.BACKUPS + 1)]
    assert names == sorted([logfiles.CLI_LOG, *kept])
    assert all((log_dir() / name).stat().st_size <= 4_000 for name in names)
