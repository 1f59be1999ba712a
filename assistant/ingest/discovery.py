"""Which files a batch covers: folders are walked recursively; hidden files and the lock and
temporary files that office suites leave behind are skipped."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable


def is_ignored(name: str) -> bool:
    return (
        name.startswith(".")
        or name.startswith("~$")  # Word/Excel lock files
        or name.endswith("~")  # editor backups
        or name.lower().endswith((".tmp", ".crdownload", ".part"))
        or name in {"Thumbs.db", "desktop.ini"}
    )


def discover(paths: Iterable[Path | str]) -> list[Path]:
    """Files to ingest, in a stable order. A file named explicitly is always included (an
    unsupported one then gets its own report row); a folder contributes its visible files."""
    found: list[Path] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not is_ignored(d))
                for name in sorted(files):
                    if not is_ignored(name):
                        _add(Path(root) / name, found, seen)
        else:
            _add(path, found, seen)
    return found


def _add(path: Path, found: list[Path], seen: set[Path]):
    key = path.absolute()
    if key not in seen:
        seen.add(key)
        found.append(key)
