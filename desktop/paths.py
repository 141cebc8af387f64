"""Where things live: the user's data folder, logs, and the files shipped with Casebook."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs

APP_DIR_NAME = "Casebook"
STORE_SUFFIX = ".casebook"


def _bundle_root() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)  # set by PyInstaller
    return Path(frozen) if frozen else Path(__file__).resolve().parent.parent


BUNDLE_ROOT = _bundle_root()
FORMS_DIR = BUNDLE_ROOT / "forms"
RESOURCES_DIR = BUNDLE_ROOT / "resources"


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
