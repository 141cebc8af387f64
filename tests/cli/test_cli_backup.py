"""`casebook backup` and `casebook restore`: what they print, and what they refuse."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from desktop.services import auth
from desktop.services.cases import list_cases
from tests.cli.test_cli import PASSWORD, init, open_cases, run


@pytest.fixture
def store(capsys, store_path: Path, monkeypatch: pytest.MonkeyPatch, today) -> Path:
    monkeypatch.setenv("CASEBOOK_PASSWORD", PASSWORD)
    init(capsys, store_path)
    open_cases(store_path, today)
    return store_path


@pytest.fixture
def backup(capsys, store: Path, tmp_path: Path) -> Path:
    out = tmp_path / "usb"
    out.mkdir()
    code, printed, err = run(capsys, "backup", "--db", store, "--user", "admin", "--out", out)
    assert code == 0, err
    path = Path(printed.strip())
    assert path.parent == out and path.is_file()
    return path


def _cases(path: Path) -> int:
    session = auth.sign_in(path, username="admin", password=PASSWORD)
    try:
        return len(list_cases(session))
    finally:
        session.close()


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def test_backup_prints_only_the_path_and_keeps_the_last_n(capsys, store, backup) -> None:
    assert backup.name.startswith("trust backup ") and backup.suffix == ".casebook-backup"
    for _ in range(3):
        code, printed, _ = run(
            capsys,
            "backup",
            "--db",
            store,
            "--user",
            "admin",
            "--out",
            backup.parent,
            "--keep",
            "2",
        )
        assert code == 0 and len(printed.splitlines()) == 1
    assert len(list(backup.parent.iterdir())) == 2 and not backup.exists()


def test_backup_into_a_missing_folder_is_refused(capsys, store, tmp_path: Path) -> None:
    gone = tmp_path / "E:" / "Backups"
    code, out, err = run(capsys, "backup", "--db", store, "--user", "admin", "--out", gone)
    assert code == 1 and out == ""
    assert err.startswith("casebook: There is no folder") and "plug the drive in" in err
    assert not gone.exists()


def test_restore_says_what_the_backup_holds_then_restores(
    capsys, backup: Path, tmp_path: Path
) -> None:
    target = tmp_path / "new laptop" / "trust.casebook"
    target.parent.mkdir()
    code, out, err = run(capsys, "restore", "--backup", backup, "--db", target)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[1] == "Trust:        Oakfield Learning Trust"
    assert lines[2] == "Cases:        3"
    assert lines[3].startswith("Newest entry: ") and lines[4].startswith("Made on:      ")
    assert f"Restored to {target}." in out and "casebook audit verify" in out
    assert _cases(target) == 3


def test_restore_refuses_an_existing_store_unless_forced_and_keeps_it(
    capsys, store: Path, backup: Path
) -> None:
    before = _files(store.parent)
    code, out, err = run(capsys, "restore", "--backup", backup, "--db", store)
    assert code == 1 and "Cases:" in out
    assert "--force" in err and "kept beside" in err and "never deleted" in err
    assert _files(store.parent) == before

    code, out, err = run(
        capsys, "restore", "--backup", backup, "--db", store, "--force", "--user", "admin"
    )
    assert code == 0, err
    assert "is kept as " in out and "(replaced " in out
    assert "Checked as admin: it opens, every page is sound, and its audit trail is intact" in out
    kept = next(p for p in store.parent.iterdir() if p.name.endswith(").casebook"))
    assert kept.read_bytes() == before["trust.casebook"]
    assert _cases(store) == 3 and _cases(kept) == 3


def test_restore_with_the_wrong_password_changes_nothing(
    capsys, store: Path, backup: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _files(store.parent)
    monkeypatch.setenv("CASEBOOK_PASSWORD", "not the password")
    code, _, err = run(
        capsys, "restore", "--backup", backup, "--db", store, "--force", "--user", "admin"
    )
    assert code == 1 and "do not open the store in this backup" in err
    assert _files(store.parent) == before


def _damage(backup: Path) -> None:
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0xFF
    backup.write_bytes(bytes(data))


def _cut(backup: Path) -> None:
    backup.write_bytes(backup.read_bytes()[:-5000])


def _newer(backup: Path) -> None:
    with zipfile.ZipFile(backup) as old:
        members = [(info, old.read(info)) for info in old.infolist()]
    with zipfile.ZipFile(backup, "w") as new:
        for info, data in members:
            if info.filename.endswith("manifest.json"):
                manifest = json.loads(data)
                manifest["schema_revision"] = "0999"
                data = json.dumps(manifest).encode()
            new.writestr(info, data)


def _not_a_backup(backup: Path) -> None:
    backup.write_text("Minutes of the governors' meeting")


@pytest.mark.parametrize(
    ("spoil", "words"),
    [
        (_damage, "is damaged or incomplete"),
        (_cut, "is damaged or incomplete (it may have been cut short"),
        (_newer, "was made by a newer Casebook (schema 0999); update Casebook to restore it."),
        (_not_a_backup, "is not a Casebook backup."),
        (Path.unlink, "There is no backup file at"),
    ],
)
def test_restore_refuses_what_it_cannot_restore_in_one_line(
    capsys, store: Path, backup: Path, spoil, words: str
) -> None:
    spoil(backup)
    before = _files(store.parent)
    code, out, err = run(capsys, "restore", "--backup", backup, "--db", store, "--force")
    assert code == 1 and out == ""
    assert err.startswith("casebook: ") and words in err and len(err.splitlines()) == 1
    assert "Traceback" not in err
    assert _files(store.parent) == before
