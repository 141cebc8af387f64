"""The layers stay apart: no Qt widgets below the UI, no database in the UI, plain rules."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
QT_GUI = ("PySide6.QtWidgets", "PySide6.QtGui")
# A bare `select(` is SQLAlchemy's; Qt's `selectionModel().select(...)` is a method and fine.
BARE_SELECT = re.compile(r"(?<![\w.])select\(")
HEADLESS = ["desktop/domain", "desktop/storage", "desktop/services", "reports", "desktop/cli"]


def _python_files(*places: str) -> list[Path]:
    """Every .py file under the given folders or files; missing ones are simply skipped."""
    found: list[Path] = []
    for place in places:
        path = ROOT / place
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(sorted(path.rglob("*.py")))
    return found


def _imports(path: Path) -> Iterator[str]:
    """Every module a file imports, with `from a import b` also giving `a.b`."""
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            for alias in node.names:
                yield f"{node.module}.{alias.name}"
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name | ast.Attribute)
            and getattr(node.func, "id", getattr(node.func, "attr", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.args[0].value


def _banned(path: Path, prefixes: tuple[str, ...]) -> list[str]:
    return [
        name
        for name in _imports(path)
        if any(name == p or name.startswith(p + ".") for p in prefixes)
    ]


def _offences(files: list[Path], prefixes: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}: {name}" for path in files for name in _banned(path, prefixes)
    ]


def test_the_scan_finds_the_layers() -> None:
    files = {p.relative_to(ROOT).as_posix() for p in _python_files(*HEADLESS)}
    assert "desktop/domain/roles.py" in files
    assert "desktop/storage/engine.py" in files
    assert "desktop/services/cases.py" in files


def test_the_scan_covers_every_cli_module() -> None:
    scanned = {p.relative_to(ROOT).as_posix() for p in _python_files(*HEADLESS)}
    cli = {p.relative_to(ROOT).as_posix() for p in (ROOT / "desktop" / "cli").glob("*.py")}
    assert {"desktop/cli/__init__.py", "desktop/cli/common.py", "desktop/cli/users.py"} <= cli
    assert cli <= scanned


def test_cli_shared_helpers_never_import_a_command() -> None:
    """`common` is imported by every command, so it must import none of them (no cycles)."""
    assert _offences(_python_files("desktop/cli/common.py"), ("desktop.cli",)) == []


def test_cli_commands_share_only_the_common_module() -> None:
    commands = [
        p for p in _python_files("desktop/cli") if p.name not in ("__init__.py", "common.py")
    ]
    assert commands
    for path in commands:
        own = [
            name
            for name in _imports(path)
            if name.startswith("desktop.cli") and not name.startswith("desktop.cli.common")
        ]
        assert own == [], f"{path.relative_to(ROOT)} imports {own}"


def test_headless_layers_never_import_qt_widgets_or_gui() -> None:
    assert _offences(_python_files(*HEADLESS), QT_GUI) == []


def test_domain_is_plain_python() -> None:
    files = _python_files("desktop/domain")
    assert files
    assert _offences(files, ("sqlalchemy", "PySide6", "desktop.storage", "desktop.services")) == []


def test_ui_never_touches_the_database() -> None:
    files = _python_files("desktop/ui")
    assert _offences(files, ("sqlalchemy", "desktop.storage", "sqlcipher3", "sqlite3")) == []
    for path in files:
        source = path.read_text("utf-8")
        assert not BARE_SELECT.search(source), f"{path.relative_to(ROOT)} builds a query"
        assert "from sqlalchemy" not in source, f"{path.relative_to(ROOT)} uses SQLAlchemy"


def _outside(*layers: str) -> list[Path]:
    """Every module of the app and its reports except those in the given folders or files."""
    skip = tuple(ROOT / layer for layer in layers)
    return [
        path
        for path in _python_files("desktop", "reports")
        if not any(path == place or place in path.parents for place in skip)
    ]


def test_only_services_open_the_storage_layer() -> None:
    """The UI, the CLI, start-up, domain rules and reports reach the store through services."""
    files = _outside("desktop/services", "desktop/storage")
    assert ROOT / "desktop" / "cli" / "store.py" in files
    assert ROOT / "desktop" / "app.py" in files
    assert _offences(files, ("desktop.storage",)) == []


# Creating a new encrypted file store is the one service that knows the file's make-up.
FILE_STORE_MAKERS = ("setup.py",)
# Naming an encrypted file store, as a path's location, is the other.
FILE_STORE_NAMERS = ("store.py",)


def test_services_see_the_store_seam_not_the_file_store() -> None:
    """Services unlock and use stores through `storage.store` (Store, StoreLocation); the
    key vault, the engine and the file store's own class are for the file store alone."""
    files = [
        path for path in _python_files("desktop/services") if path.name not in FILE_STORE_MAKERS
    ]
    assert ROOT / "desktop" / "services" / "auth.py" in files
    assert (
        _offences(
            files,
            (
                "desktop.storage.keyvault",
                "desktop.storage.keycrypto",
                "desktop.storage.engine",
                "desktop.storage.rekeying",
                "desktop.storage.frontdesk",
                "desktop.storage.filelock",
                "desktop.storage.atomic",
                "desktop.storage.keyfile_shape",
            ),
        )
        == []
    )
    namers = [path for path in files if path.name not in FILE_STORE_NAMERS]
    for path in namers:
        text = path.read_text(encoding="utf-8")
        assert "EncryptedFileStore" not in text and "FileStoreLocation" not in text, path


def test_only_services_talk_to_the_keyring() -> None:
    """`desktop.secrets` alone imports keyring, and only services import `desktop.secrets`."""
    files = _outside("desktop/services", "desktop/secrets.py")
    assert ROOT / "desktop" / "ui" / "signin_dialog.py" in files
    assert _offences(files, ("desktop.secrets", "keyring", "keyrings")) == []
    assert _offences(_outside("desktop/secrets.py"), ("keyring", "keyrings")) == []


def test_bare_select_pattern() -> None:
    assert BARE_SELECT.search("rows = select(Case)")
    assert BARE_SELECT.search("x=(select(Case.id))")
    assert not BARE_SELECT.search("view.selectionModel().select(index, flags)")
    assert not BARE_SELECT.search("self.selectRow(0)")


# -- the checker itself must be able to fail ------------------------------------------------
@pytest.mark.parametrize(
    "source",
    [
        "import PySide6.QtWidgets\n",
        "import PySide6.QtGui as gui\n",
        "from PySide6 import QtWidgets\n",
        "from PySide6 import QtCore, QtGui\n",
        "from PySide6.QtWidgets import QDialog\n",
        "def later():\n    from PySide6.QtGui import QIcon\n",
        "import importlib\nimportlib.import_module('PySide6.QtWidgets')\n",
    ],
)
def test_checker_catches_qt_imports(tmp_path: Path, source: str) -> None:
    path = tmp_path / "bad.py"
    path.write_text(source, "utf-8")
    assert _banned(path, QT_GUI)


@pytest.mark.parametrize(
    ("source", "prefixes"),
    [
        ("from desktop import secrets\n", ("desktop.secrets",)),
        ("import desktop.secrets as s\n", ("desktop.secrets",)),
        ("from desktop.storage.models import User\n", ("desktop.storage",)),
        ("from desktop import storage\n", ("desktop.storage",)),
    ],
)
def test_checker_catches_layer_imports(
    tmp_path: Path, source: str, prefixes: tuple[str, ...]
) -> None:
    path = tmp_path / "bad.py"
    path.write_text(source, "utf-8")
    assert _banned(path, prefixes)


@pytest.mark.parametrize(
    "source",
    ["from PySide6 import QtCore\n", "import PySide6.QtCore\n", "from . import QtWidgets\n"],
)
def test_checker_allows_non_gui_imports(tmp_path: Path, source: str) -> None:
    path = tmp_path / "ok.py"
    path.write_text(source, "utf-8")
    assert _banned(path, QT_GUI) == []
