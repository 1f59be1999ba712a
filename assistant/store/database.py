"""The one way Clausewise opens its SQLite files (the catalog and the review cache), plain or
encrypted.

Both go through SQLCipher's build of SQLite (the `sqlcipher3` wheel). Given no key it is plain
SQLite, and a newer one than Python's (3.5x against 3.40), so plain and encrypted collections run
the same SQL. With a key, every page of the database and of its write-ahead log is AES-256
encrypted, the FTS5 index included.

Every connection is set up so that removed text does not linger in the files:
- `secure_delete` overwrites deleted records and freed pages with zeros;
- temporary tables and sort files stay in memory, never in a temporary file;
- `erase_leftovers` truncates the write-ahead log, which otherwise keeps old page images.
"""

from __future__ import annotations

from pathlib import Path

import sqlcipher3.dbapi2 as sqlite

from assistant.errors import DamagedIndex

Error = sqlite.Error
IntegrityError = sqlite.IntegrityError


def connect(path: Path, key: bytes | None = None):
    """An autocommit connection (transactions are explicit BEGINs) usable from any thread behind
    the caller's lock. A file that is not a database, or not one this key opens, is refused."""
    db = sqlite.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
    try:
        if key is not None:
            db.execute(f"PRAGMA key = \"x'{key.hex()}'\"")  # a raw key: the KDF ran once, on the passphrase
        db.execute("PRAGMA secure_delete=ON")
        db.execute("PRAGMA temp_store=MEMORY")
        # SQLCipher decrypts a page on every read from the file; pages in SQLite's own cache are
        # decrypted already. 64 MiB (taken only as pages are read) holds a large collection's hot
        # pages: search on an encrypted collection measured 7 % slower with the 2 MiB default, 2-3 % with this.
        db.execute("PRAGMA cache_size=-65536")
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the first read decrypts page 1
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
    except sqlite.DatabaseError as exc:
        db.close()
        raise DamagedIndex(
            f"{Path(path).name} in {Path(path).parent} cannot be read ({exc}): it is damaged, or not a "
            "Clausewise file" + (" of this encrypted collection" if key is not None else "")
            + ". Move the folder aside and index the documents into a new collection."
        ) from None
    return db


def erase_leftovers(db) -> None:
    """After a removal: fold the write-ahead log into the database and truncate it to nothing, so
    the old copies of the removed pages are gone from the log as well. Another process reading
    the file at this moment keeps the log alive; the last connection to close removes it."""
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
