"""Where data lives: CLAUSEWISE_HOME when set; else `indexes/` beside the code in a source
checkout or portable install; else the platform's user data directory.

Prepared models live apart from the user's data when CLAUSEWISE_MODELS is set: an offline install
keeps the joined default model beside the program, and the tests give every test its own data
directory while sharing the one model joined at set-up."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def data_home() -> Path:
    env = os.environ.get("CLAUSEWISE_HOME")
    if env:
        return Path(env).expanduser()
    checkout_indexes = PROJECT_ROOT / "indexes"
    if (checkout_indexes / "README.md").exists():
        return checkout_indexes
    import platformdirs

    return Path(platformdirs.user_data_dir("Clausewise", appauthor=False))


def default_index_dir(name: str = "default") -> Path:
    return data_home() / name


def models_home() -> Path:
    env = os.environ.get("CLAUSEWISE_MODELS")
    return Path(env).expanduser() if env else data_home() / "models"
