"""Named collections ("Supplier contracts", "GDPR policies"): each one is its own index folder
under the collections home, so switching, deleting or backing one up is a folder operation and
one collection's documents never leak into another's answers.

The folder name is a slug fixed at creation; the display name lives in `collection.json` inside
it, so renaming never moves an index that may be open.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import ClausewiseError
from assistant.store.encryption import check_new_passphrase, create_keyring, is_encrypted

NAME_FILE = "collection.json"
DEFAULT_NAME = "My documents"
DEFAULT_FOLDER = "default"  # what the CLI uses, so the app and the CLI share the first collection


class CollectionError(ClausewiseError):
    pass


@dataclass(frozen=True)
class Collection:
    name: str
    folder: Path

    @property
    def encrypted(self) -> bool:
        return is_encrypted(self.folder)


class Collections:
    def __init__(self, home: Path):
        self.home = Path(home)

    def list(self) -> list[Collection]:
        """Every collection, the default first; the default one always exists."""
        self.home.mkdir(parents=True, exist_ok=True)
        default = self.home / DEFAULT_FOLDER
        if not (default / NAME_FILE).exists():
            default.mkdir(exist_ok=True)
            _write_name(default, DEFAULT_NAME)
        return self.existing()

    def existing(self) -> list[Collection]:
        """The collections there are now, the default first, creating nothing (a read-only look,
        for `clausewise doctor`)."""
        if not self.home.is_dir():
            return []
        found = []
        for folder in sorted(self.home.iterdir()):
            if (folder / NAME_FILE).is_file():
                found.append(Collection(_read_name(folder), folder))
        found.sort(key=lambda c: (c.folder.name != DEFAULT_FOLDER, c.name.lower()))
        return found

    def get(self, name: str) -> Collection:
        for collection in self.list():
            if collection.name == name:
                return collection
        raise CollectionError(f"There is no collection called “{name}”.")

    def create(self, name: str, passphrase: str | None = None) -> Collection:
        """A new, empty collection; encrypted under `passphrase` when one is given (its key file is
        written before anything else, so no document of it is ever stored in clear)."""
        name = self._valid_new_name(name)
        if passphrase is not None:
            check_new_passphrase(passphrase)
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "collection"
        folder, n = self.home / slug, 2
        while folder.exists():
            folder, n = self.home / f"{slug}-{n}", n + 1
        folder.mkdir(parents=True, mode=0o700)
        if passphrase is not None:
            create_keyring(folder, passphrase)
        _write_name(folder, name)
        return Collection(name, folder)

    def rename(self, old: str, new: str) -> Collection:
        collection = self.get(old)
        if new.strip() == old:
            return collection
        new = self._valid_new_name(new)
        _write_name(collection.folder, new)
        return Collection(new, collection.folder)

    def delete(self, name: str) -> None:
        collection = self.get(name)
        if collection.folder.name == DEFAULT_FOLDER:
            raise CollectionError(f"“{name}” is the default collection and cannot be deleted; remove its documents instead.")
        shutil.rmtree(collection.folder)

    def _valid_new_name(self, name: str) -> str:
        name = name.strip()
        if not name:
            raise CollectionError("A collection needs a name.")
        if len(name) > 80:
            raise CollectionError(f"“{name[:40]}…” is too long for a collection name (80 characters at most).")
        if any(c.name.lower() == name.lower() for c in self.list()):
            raise CollectionError(f"A collection called “{name}” already exists.")
        return name


def _read_name(folder: Path) -> str:
    try:
        return json.loads((folder / NAME_FILE).read_text(encoding="utf-8"))["name"]
    except (OSError, ValueError, KeyError, TypeError):
        return folder.name  # a damaged name file still leaves the collection usable


def _write_name(folder: Path, name: str):
    tmp = folder / (NAME_FILE + ".tmp")
    tmp.write_text(json.dumps({"name": name}), encoding="utf-8")
    os.replace(tmp, folder / NAME_FILE)
