"""Review results kept beside the index (`review-cache.sqlite`), keyed by document hash,
checklist id, version and content, the engine's version, and the model: re-running a review after
adding one document reviews only that document; editing a checklist, a new engine, or another
model reviews again. Cells quote the documents, so the cache is encrypted with the collection and
a document's cells go when the document does (`Index` forgets them on every purge)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from assistant.store.database import connect, erase_leftovers
from assistant.types import Cell

REVIEW_CACHE_NAME = "review-cache.sqlite"

ENGINE_VERSION = 4  # raise when the engine's judgement changes, so old cells are not reused (3: text addressed to AI is never evidence; 4: learned detectors, "wording to check")

SCHEMA = """
CREATE TABLE IF NOT EXISTS cells (
    source_id TEXT NOT NULL, checklist TEXT NOT NULL, version TEXT NOT NULL, model TEXT NOT NULL,
    item TEXT NOT NULL, cell TEXT NOT NULL,
    PRIMARY KEY (source_id, checklist, version, model, item)
)
"""


class ReviewCache:
    def __init__(self, path: Path, key: bytes | None = None):
        self.path = Path(path)
        self._db = connect(self.path, key)
        self._db.execute(SCHEMA)
        self._lock = threading.Lock()

    @staticmethod
    def _version(checklist) -> str:
        return f"v{checklist.version}-{checklist.fingerprint}-e{ENGINE_VERSION}"

    def cells(self, source_id: str, checklist, model: str) -> dict[str, Cell]:
        with self._lock:
            rows = self._db.execute(
                "SELECT item, cell FROM cells WHERE source_id=? AND checklist=? AND version=? AND model=?",
                (source_id, checklist.id, self._version(checklist), model)).fetchall()
        return {item: Cell.from_dict(json.loads(text)) for item, text in rows}

    def put(self, cell: Cell, checklist, model: str):
        with self._lock, self._db:
            self._db.execute("INSERT OR REPLACE INTO cells VALUES (?, ?, ?, ?, ?, ?)",
                             (cell.source_id, checklist.id, self._version(checklist), model, cell.item,
                              json.dumps(cell.as_dict(), ensure_ascii=False)))

    def forget(self, source_id: str):
        with self._lock:
            if self._db.execute("DELETE FROM cells WHERE source_id=?", (source_id,)).rowcount:
                erase_leftovers(self._db)

    def close(self):
        with self._lock:
            self._db.close()
