"""The installer's scripts: ensure-libs.sh run for real against a fake `ldconfig` and
`apt-install.sh`; the per-user Linux install run for real in a home folder in tmp_path; and
the Windows installer script, which nothing here can compile, checked as text."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

INSTALLER = Path(__file__).resolve().parent.parent / "installer"
LIBS = ("libEGL.so.1", "libGL.so.1", "libfontconfig.so.1")
DEBS = "libegl1 libgl1 libfontconfig1"

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or shutil.which("bash") is None,
    reason="ensure-libs.sh only acts on Linux",
)


def _ldconfig_cache(libs: tuple[str, ...]) -> str:
    """`ldconfig -p` output with the wanted libraries first, then far more than a pipe holds,
    so a reader that stops at the first match leaves the writer to die of SIGPIPE."""
    lines = [f"{20_000 + len(libs)} libs found in cache `/etc/ld.so.cache'"]
    lines += [f"\t{lib} (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/{lib}" for lib in libs]
    lines += [
        f"\tlibfiller{i}.so.0 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libfiller{i}.so.0"
        for i in range(20_000)
    ]
    return "\n".join(lines) + "\n"


@pytest.fixture
def installer(tmp_path: Path) -> Path:
    """A copy of ensure-libs.sh beside a stub apt-install.sh that only records its call."""
    folder = tmp_path / "installer"
    folder.mkdir()
    shutil.copy(INSTALLER / "ensure-libs.sh", folder / "ensure-libs.sh")
    marker = tmp_path / "apt-install-called"
    (folder / "apt-install.sh").write_text(f'#!/usr/bin/env bash\necho "$@" >> "{marker}"\n')
    return folder


def _fake_ldconfig(tmp_path: Path, output: str, status: int = 0) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    cache = tmp_path / "ld.so.cache.txt"
    cache.write_text(output)
    ldconfig = bin_dir / "ldconfig"
    # `exec`, so that like the real ldconfig it is the writer SIGPIPE kills.
    ending = f'exec cat "{cache}"' if status == 0 else f'cat "{cache}"\nexit {status}'
    ldconfig.write_text(f"#!/bin/sh\n{ending}\n")
    ldconfig.chmod(0o755)
    return bin_dir


def _ensure_libs(installer: Path, bin_dir: Path, libs: tuple[str, ...]):
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(
        ["bash", str(installer / "ensure-libs.sh"), " ".join(libs), DEBS],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_nothing_is_installed_when_every_library_is_present(
    tmp_path: Path, installer: Path
) -> None:
    bin_dir = _fake_ldconfig(tmp_path, _ldconfig_cache(LIBS))
    for _ in range(20):  # the old pipeline failed only when it lost a race, so try often
        result = _ensure_libs(installer, bin_dir, LIBS)
        assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
        assert not (tmp_path / "apt-install-called").exists()


def test_a_missing_library_installs_the_packages(tmp_path: Path, installer: Path) -> None:
    bin_dir = _fake_ldconfig(tmp_path, _ldconfig_cache(LIBS[:-1]))
    result = _ensure_libs(installer, bin_dir, LIBS)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "apt-install-called").read_text() == f"Qt {DEBS}\n"


def test_an_unreadable_cache_counts_as_missing(tmp_path: Path, installer: Path) -> None:
    bin_dir = _fake_ldconfig(tmp_path, "", status=1)
    result = _ensure_libs(installer, bin_dir, LIBS)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "apt-install-called").read_text() == f"Qt {DEBS}\n"


# -- the per-user Linux install (installer/install-desktop.sh) ------------------------------
def _desktop_entry(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string(path.read_text(encoding="utf-8"))
    return dict(parser["Desktop Entry"])


def test_the_desktop_entry_describes_the_app() -> None:
    entry = _desktop_entry(INSTALLER / "casebook.desktop")
    assert entry["Type"] == "Application" and entry["Name"] == "Casebook"
    assert entry["Exec"] == "casebook" and entry["Icon"] == "casebook"
    assert entry["Terminal"] == "false"
    assert entry["Categories"].endswith(";")
    validator = shutil.which("desktop-file-validate")
    if validator:
        done = subprocess.run([validator, str(INSTALLER / "casebook.desktop")], capture_output=True)
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    """A user's home in tmp_path, with a case store already in the data folder."""
    env = {**os.environ, "HOME": str(tmp_path / "home")}
    env.pop("XDG_DATA_HOME", None)
    data = tmp_path / "home" / ".local" / "share" / "Casebook"
    data.mkdir(parents=True)
    (data / "trust.casebook").write_bytes(b"not really a store")
    return env


def _fake_bundle(folder: Path) -> Path:
    bundle = folder / "Casebook"
    (bundle / "_internal").mkdir(parents=True)
    program = bundle / "casebook"
    program.write_text("#!/bin/sh\necho casebook 0.1.0\n")
    program.chmod(0o755)
    return bundle


def _install(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(INSTALLER / "install-desktop.sh"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_install_is_per_user_and_uninstall_keeps_the_case_stores(
    tmp_path: Path, home: dict[str, str]
) -> None:
    root = Path(home["HOME"])
    bundle = _fake_bundle(tmp_path / "download")
    done = _install([str(bundle)], home)
    assert done.returncode == 0, done.stderr
    program = root / ".local" / "opt" / "Casebook" / "casebook"
    link = root / ".local" / "bin" / "casebook"
    applications = root / ".local" / "share" / "applications"
    icon = root / ".local" / "share" / "icons" / "hicolor" / "scalable" / "apps" / "casebook.svg"
    assert program.is_file() and os.access(program, os.X_OK)
    assert link.is_symlink() and link.resolve() == program.resolve()
    entry = _desktop_entry(applications / "casebook.desktop")
    assert entry["Exec"] == str(program) and entry["TryExec"] == str(program)
    assert (
        icon.read_bytes()
        == (INSTALLER.parent / "resources" / "icons" / "casebook.svg").read_bytes()
    )
    assert subprocess.run([str(link)], capture_output=True, text=True).stdout == "casebook 0.1.0\n"

    again = _install([str(bundle)], home)  # installing again updates in place
    assert again.returncode == 0, again.stderr

    done = _install(["--uninstall"], home)
    assert done.returncode == 0, done.stderr
    assert not program.exists() and not link.exists() and not icon.exists()
    assert not (applications / "casebook.desktop").exists()
    assert (root / ".local" / "share" / "Casebook" / "trust.casebook").exists()
    assert "still in" in done.stdout


def test_install_without_a_program_folder_says_what_to_do(
    tmp_path: Path, home: dict[str, str]
) -> None:
    done = _install([str(tmp_path / "nowhere")], home)
    assert done.returncode == 1
    assert "make bundle" in done.stderr


# -- the per-user Windows installer (installer/casebook.iss), checked as text ------------------
def _inno_sections() -> dict[str, list[str]]:
    """Each [Section]'s lines, comments and blank lines left out (no Inno Setup here)."""
    sections: dict[str, list[str]] = {}
    current = ""
    for raw in (INSTALLER / "casebook.iss").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(";") or line.startswith("//"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            sections[current] = []
        elif current:
            sections[current].append(line)
    return sections


def test_the_windows_installer_is_per_user() -> None:
    sections = _inno_sections()
    setup = dict(line.split("=", 1) for line in sections["Setup"])
    assert setup["PrivilegesRequired"] == "lowest"
    assert setup["DefaultDirName"] == r"{localappdata}\Programs\Casebook"
    assert setup["ChangesAssociations"] == "yes"
    assert any(line.startswith('Name: "{userprograms}\\') for line in sections["Icons"])
    assert any(line.startswith(r'Source: "..\dist\Casebook\*"') for line in sections["Files"])
    # Only the user's own registry hive: a per-user install never writes HKLM.
    assert all(line.startswith("Root: HKCU;") for line in sections["Registry"])
    assert any("Software\\Classes\\.casebook" in line for line in sections["Registry"])
    # The case stores are deleted only when the person says so (twice), never silently.
    code = "\n".join(sections["Code"])
    assert "usPostUninstall" in code and code.count("MsgBox(") == 2
    assert "UninstallSilent()" in code
    for line in sections.get("UninstallDelete", []):
        assert "{localappdata}\\Casebook" not in line
