"""Ship the top-level `forms/` and `resources/` folders inside the `desktop` package.

The project metadata lives in pyproject.toml; this file only adds one build step. In the
checkout the Designer forms and the resources stay at the top of the repo, where people
expect them. A wheel holds only packages, so the build copies both folders, whole, into
`desktop/forms` and `desktop/resources`, where `desktop/paths.py` finds them after a
`pip install`. An editable install (`make setup`) copies nothing: `desktop/paths.py` finds
the folders in the checkout itself.
"""

from __future__ import annotations

import os
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SHIPPED_FOLDERS = ("forms", "resources")  # copied to desktop/<name> in the wheel


def _shipped_files() -> list[tuple[Path, str]]:
    """Every file under the shipped folders, as (source, path inside the package)."""
    found = []
    for folder in SHIPPED_FOLDERS:
        for source in sorted((HERE / folder).rglob("*")):
            if source.is_file() and "__pycache__" not in source.parts:
                found.append((source, source.relative_to(HERE).as_posix()))
    return found


class BuildPyWithFolders(build_py):
    """setuptools' build_py, plus `forms/` and `resources/` copied under `desktop/`."""

    def _copies(self) -> list[tuple[Path, str]]:
        """(source, target in the build) for each shipped file; none for an editable build."""
        if self.editable_mode:
            return []
        return [
            (source, os.path.join(self.build_lib, "desktop", *inside.split("/")))
            for source, inside in _shipped_files()
        ]

    def run(self) -> None:
        super().run()
        for source, target in self._copies():
            self.mkpath(os.path.dirname(target))
            self.copy_file(str(source), target, preserve_mode=False)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        return super().get_outputs(include_bytecode) + [target for _, target in self._copies()]


setup(cmdclass={"build_py": BuildPyWithFolders})
