"""The PyInstaller bundle: built from this checkout, it runs headless and opens its windows.

Builds the one-folder program with installer/bundle.sh (as `make bundle` does, but into
tmp_path, with a test-only probe executable beside `casebook`), then runs the bundled
`casebook --help`, `casebook demo` and `casebook cases`, and the probe, which opens every
form, icon and main window from the files inside the bundle. About a minute; it needs the
pinned PyInstaller that `make bundle` installs in build/bundle-venv.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BUNDLE_PYTHON = REPO / "build" / "bundle-venv" / "bin" / "python"
PASSWORD = "casebook-sample"


def _pyinstaller_installed() -> bool:
    if not BUNDLE_PYTHON.exists():
        return False
    found = subprocess.run(
        [str(BUNDLE_PYTHON), "-c", "import PyInstaller"], capture_output=True, timeout=60
    )
    return found.returncode == 0


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux", reason="installer/bundle.sh builds on Linux"),
    pytest.mark.skipif(
        sys.platform == "linux" and not _pyinstaller_installed(),
        reason="PyInstaller is not installed: `make bundle` installs the pinned one in "
        "build/bundle-venv, and then this test runs",
    ),
]

PROBE = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    store, work = (Path(arg) for arg in sys.argv[1:3])
    inside = Path(sys._MEIPASS).resolve()

    from desktop import paths

    for folder in (paths.FORMS_DIR, paths.RESOURCES_DIR):
        assert folder.is_dir() and folder.resolve().is_relative_to(inside), folder
    import desktop.storage.migrate as migrate

    assert migrate.MIGRATIONS.resolve().is_relative_to(inside), migrate.MIGRATIONS
    assert (migrate.MIGRATIONS / "versions" / "0001_initial_schema.py").is_file()

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication, QWidget

    from desktop.ui.forms import load_form
    from desktop.ui.icons import icon

    app = QApplication([])
    forms = sorted(paths.FORMS_DIR.glob("*.ui"))
    assert forms, paths.FORMS_DIR
    for form in forms:
        load_form(form.stem, QWidget())
    icons = sorted((paths.RESOURCES_DIR / "icons").glob("*.svg"))
    for path in icons:  # drawn, so Qt's SVG plugin travelled too
        assert not icon(path.stem).pixmap(32, 32).isNull(), path

    from reports.letters import FONT_FILES, fonts_dir

    for name in FONT_FILES.values():
        assert (fonts_dir() / name).is_file(), name

    from desktop.services import auth, cases
    from desktop.ui.change_password_dialog import ChangePasswordDialog
    from desktop.ui.check_window import CheckWindow
    from desktop.ui.help_dialog import HelpDialog
    from desktop.ui.main_window import MainWindow
    from desktop.ui.recovery_dialog import RecoveryDialog
    from desktop.ui.settings_dialog import SettingsDialog
    from desktop.ui.setup_wizard import SetupWizard
    from desktop.ui.signin_dialog import SignInDialog

    session = auth.sign_in(store, username="admin", password="casebook-sample")
    state = QSettings(str(work / "state.ini"), QSettings.Format.IniFormat)
    windows = [
        SetupWizard(work / "new.casebook", sample_path=work / "sample.casebook"),
        SignInDialog(store),
        RecoveryDialog(store),
        HelpDialog(),
        MainWindow(session, state=state),
        SettingsDialog(session),
        ChangePasswordDialog(session),
        CheckWindow(session, front_desk=False),
    ]
    if (paths.FORMS_DIR / "case_window.ui").exists():
        from desktop.ui.case_window import CaseWindow

        first = cases.list_cases(session, limit=1)[0]
        windows.append(CaseWindow(session, first.id, state=state))
    for window in windows:
        window.show()
    app.processEvents()
    assert all(window.isVisible() for window in windows)
    help_text = windows[3].browser.toPlainText()
    assert "Casebook Help" in help_text, help_text[:200]
    for window in windows:
        window.close()
    app.processEvents()
    print(f"opened {len(forms)} forms, {len(icons)} icons, {len(windows)} windows from {inside}")
    """
)


def _run(args: list[str | Path], env: dict[str, str], timeout: float = 120) -> str:
    done = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, env=env, timeout=timeout
    )
    assert done.returncode == 0, f"{args}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dist/Casebook built from this checkout, in a temp folder, with the probe beside it."""
    folder = tmp_path_factory.mktemp("bundle")
    probe = folder / "casebook_probe.py"
    probe.write_text(PROBE, encoding="utf-8")
    env = {
        **os.environ,
        "BUNDLE_DIST": str(folder / "dist"),
        "BUNDLE_WORK": str(folder / "work"),
        "CASEBOOK_BUNDLE_PROBE": str(probe),
    }
    _run(
        ["bash", REPO / "installer" / "bundle.sh", sys.executable, sys.executable],
        env,
        timeout=900,
    )
    return folder / "dist" / "Casebook"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The bundle's environment: offscreen, no keyring, user folders in tmp_path, and no
    Python settings that could let the checkout stand in for the bundled code."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV"}
    }
    clean.update(
        QT_QPA_PLATFORM="offscreen",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        CASEBOOK_PASSWORD=PASSWORD,
        XDG_DATA_HOME=str(tmp_path / "xdg-data"),
        XDG_CONFIG_HOME=str(tmp_path / "xdg-config"),
        XDG_STATE_HOME=str(tmp_path / "xdg-state"),
        XDG_CACHE_HOME=str(tmp_path / "xdg-cache"),
    )
    return clean


def test_the_bundled_program_makes_and_lists_a_sample(
    bundle: Path, env: dict[str, str], tmp_path: Path
) -> None:
    casebook = bundle / "casebook"
    assert "usage: casebook" in _run([casebook, "--help"], env)
    store = tmp_path / "x.casebook"
    _run([casebook, "demo", "--db", store, "--cases", "10"], env)
    listed = json.loads(_run([casebook, "cases", "--db", store, "--user", "admin", "--json"], env))
    assert len(listed) == 10
    assert all(case["reference"].startswith("CB-") for case in listed)


def test_every_window_opens_from_the_bundled_files(
    bundle: Path, env: dict[str, str], tmp_path: Path
) -> None:
    store = tmp_path / "probe.casebook"
    _run([bundle / "casebook", "demo", "--db", store, "--cases", "20"], env)
    work = tmp_path / "work"
    work.mkdir()
    out = _run([bundle / "casebook-probe", store, work], env, timeout=300)
    assert "windows from" in out, out


def test_the_bundle_ships_no_test_tools_and_no_checkout(bundle: Path) -> None:
    internal = bundle / "_internal"
    for tool in ("pytest", "_pytest", "hypothesis", "mypy", "ruff"):
        assert not (internal / tool).exists(), tool
    package = internal / "desktop"
    shipped = {p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file()}
    for folder in ("forms", "resources"):
        expected = {
            p.relative_to(REPO).as_posix()
            for p in (REPO / folder).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }
        assert expected <= shipped, sorted(expected - shipped)[:5]
