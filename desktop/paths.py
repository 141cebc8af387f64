"""Where things live: the user's data folder, logs, and the files shipped with Casebook."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs

APP_DIR_NAME = "Casebook"
STORE_SUFFIX = ".casebook"


def _shipped_folder(name: str) -> Path:
    """The folder of files shipped with Casebook (`forms` or `resources`), wherever it runs.

    The folders sit at the top of the repo; the wheel build (setup.py) copies them into the
    `desktop` package. So look inside the package first (an installed wheel, or a PyInstaller
    bundle that keeps the package layout), then at the top of a PyInstaller bundle, then
    beside the package (the checkout and its editable install).
    """
    package = Path(__file__).resolve().parent
    candidates = [package / name]
    frozen = getattr(sys, "_MEIPASS", None)  # set by PyInstaller
    if frozen:
        candidates.append(Path(frozen) / name)
    candidates.append(package.parent / name)
    for folder in candidates:
        if folder.is_dir():
            return folder
    return candidates[0]  # missing: loading a form then names where it was expected


FORMS_DIR = _shipped_folder("forms")
RESOURCES_DIR = _shipped_folder("resources")


def keys_file_for(store: Path) -> Path:
    """The key-slot file that belongs beside a store: `<store>.keys`."""
    return store.with_name(store.name + ".keys")


def store_files_exist(store: Path) -> bool:
    """Both files of a store are present (a cheap check, made before anything is imported)."""
    return store.exists() and keys_file_for(store).exists()


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False))


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_DIR_NAME, appauthor=False))


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_DIR_NAME, appauthor=False))


def default_store_path() -> Path:
    return data_dir() / f"trust{STORE_SUFFIX}"


def sample_store_path() -> Path:
    return data_dir() / f"sample-trust{STORE_SUFFIX}"
