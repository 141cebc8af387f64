"""The installer's shell scripts, run for real against a fake `ldconfig` and `apt-install.sh`."""

from __future__ import annotations

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
