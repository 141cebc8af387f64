"""A wheel built from this checkout carries the forms and resources, and its windows open.

Only the editable install sees the checkout's top-level `forms/` and `resources/`; a
`pip install .` sees only what the wheel holds. So this builds the wheel from a copy of the
checkout, installs it into a fresh venv, and opens the first windows from there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
SHIPPED = ("forms", "resources")
# Files of kinds the resources folder will hold later, added to the copy before the build.
FUTURE_FILES = (
    "resources/fonts/probe.ttf",
    "resources/templates/letters/probe.html.j2",
    "resources/policies/probe.toml",
)
# Left out of the copy that is built: the repo's environments, caches and build leftovers.
NOT_SOURCE = {".git", ".venv", "build", "dist", "screenshots", "tests", "benchmarks"}


def not_source(folder: str, names: list[str]) -> set[str]:
    top = Path(folder) == REPO
    return {
        name
        for name in names
        if name == "__pycache__"
        or name.endswith((".egg-info", ".casebook", ".casebook.keys"))
        or (top and (name in NOT_SOURCE or name.startswith(".") and name != ".gitignore"))
    }


PROBE = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    venv, store, work = (Path(arg).resolve() for arg in sys.argv[1:4])

    import desktop
    from desktop import paths

    assert Path(desktop.__file__).resolve().is_relative_to(venv), desktop.__file__
    for folder in (paths.FORMS_DIR, paths.RESOURCES_DIR):
        assert folder.is_dir() and folder.resolve().is_relative_to(venv), folder
    for future in sys.argv[4:]:
        assert (paths.RESOURCES_DIR.parent / future).is_file(), future

    from PySide6.QtWidgets import QApplication, QWidget

    from desktop.ui.forms import load_form
    from desktop.ui.help_dialog import HelpDialog
    from desktop.ui.icons import icon
    from desktop.ui.setup_wizard import SetupWizard
    from desktop.ui.signin_dialog import SignInDialog

    app = QApplication([])
    forms = sorted(paths.FORMS_DIR.glob("*.ui"))
    assert forms, paths.FORMS_DIR
    for form in forms:
        load_form(form.stem, QWidget())
    assert not icon("casebook").isNull()

    wizard = SetupWizard(work / "new.casebook", sample_path=work / "sample.casebook")
    signin = SignInDialog(store)
    help_window = HelpDialog()
    windows = (wizard, signin, help_window)
    for window in windows:
        window.show()
    app.processEvents()
    assert all(window.isVisible() for window in windows)
    assert "Casebook Help" in help_window.browser.toPlainText()
    for window in windows:
        window.close()
    print(f"opened {len(forms)} forms and {len(windows)} windows from {paths.FORMS_DIR.parent}")
    """
)


def run(args: list[str | Path], **kwargs) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(arg) for arg in args], capture_output=True, text=True, timeout=300, **kwargs
    )
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done


def _probe_text(name: str) -> str:
    """A probe file's text: a profile must be a working one, since the setup wizard and
    Settings read every profile in the folder; other kinds are never read by the probe."""
    if name.endswith(".toml"):
        real = (REPO / "resources/policies/graduated_sanctions.toml").read_text(encoding="utf-8")
        return real.replace('id = "graduated_sanctions"', 'id = "probe"', 1)
    return "probe\n"


def build_wheel(tmp_path: Path) -> Path:
    """The wheel of a clean copy of the checkout (a stale `build/` cannot leak into it)."""
    source = tmp_path / "source"
    shutil.copytree(REPO, source, ignore=not_source)
    for name in FUTURE_FILES:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text(_probe_text(name), encoding="utf-8")
    dist = tmp_path / "dist"
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", dist, source])
    (wheel,) = dist.glob("casebook-*.whl")
    return wheel


def make_venv(tmp_path: Path, wheel: Path) -> Path:
    """A fresh venv holding the wheel, borrowing the dependencies installed beside pytest.

    The borrowed site-packages comes after the venv's own on sys.path, and Python does not
    read the `.pth` files inside it, so neither the checkout nor its editable-install finder
    can stand in for the installed `desktop` package.
    """
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv])
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    run(
        [sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps"]
        + ["--no-index", wheel]
    )
    site = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    borrowed = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    (Path(site.stdout.strip()) / "zz_casebook_test_deps.pth").write_text(
        "".join(f"{path}\n" for path in borrowed), encoding="utf-8"
    )
    return python


def test_wheel_ships_forms_and_resources_and_its_windows_open(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = sorted(
        path.relative_to(tmp_path / "source").as_posix()
        for folder in SHIPPED
        for path in (tmp_path / "source" / folder).rglob("*")
        if path.is_file()
    )
    assert "forms/setup_welcome.ui" in shipped and "resources/help/index.html" in shipped
    assert any(name.startswith("resources/icons/") for name in shipped)
    missing = [name for name in shipped if f"desktop/{name}" not in names]
    assert not missing, f"not in {wheel.name}: {missing}"
    assert not any(name.split("/")[0] in SHIPPED for name in names), "stray top-level folder"

    python = make_venv(tmp_path, wheel)
    bin_dir = python.parent
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV"}
    }
    env.update(
        QT_QPA_PLATFORM="offscreen",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        CASEBOOK_PASSWORD="wheel probe password 1",
        XDG_DATA_HOME=str(tmp_path / "xdg-data"),
        XDG_CONFIG_HOME=str(tmp_path / "xdg-config"),
        XDG_STATE_HOME=str(tmp_path / "xdg-state"),
        XDG_CACHE_HOME=str(tmp_path / "xdg-cache"),
    )
    work = tmp_path / "work"
    work.mkdir()
    store = work / "probe.casebook"
    casebook = bin_dir / ("casebook.exe" if os.name == "nt" else "casebook")
    run(
        [casebook, "init", "--db", store, "--trust", "Probe Trust"]
        + ["--school", "Probe School", "--admin", "admin"],
        env=env,
        cwd=work,
    )
    probe = tmp_path / "probe" / "probe.py"
    probe.parent.mkdir()
    probe.write_text(PROBE, encoding="utf-8")
    venv = python.parent.parent
    done = run([python, probe, venv, store, work, *FUTURE_FILES], env=env, cwd=work)
    assert "windows from" in done.stdout
