"""Pages read by OCR, kept beside the index (`ocr-cache.sqlite`) by the file's hash, the page and
the engine's version: indexing the same bytes again (re-index, a cancelled file resumed, a changed
chunker) takes the pages from here instead of reading them again, seconds a page. A page goes in
as soon as it is read, so a file cancelled half-way resumes where it stopped.

The pages hold the documents' text, so the cache is encrypted with the collection, and a
document's pages go when the user removes it (`Index.remove_document`); re-indexing keeps them
(`keep_ocr`), which is the point. Pages of a file cancelled and never indexed stay until that file
is indexed and removed, or the collection is deleted.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from assistant.store.database import connect, erase_leftovers
from assistant.types import OcrPage

OCR_CACHE_NAME = "ocr-cache.sqlite"

SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    source_id TEXT NOT NULL, number INTEGER NOT NULL, engine TEXT NOT NULL, page TEXT NOT NULL,
    PRIMARY KEY (source_id, number, engine)
)
"""


def page_to_json(page: OcrPage) -> str:
    return json.dumps({"number": page.number, "text": page.text, "confidence": round(page.confidence, 2),
                       "words": [list(w) for w in page.words], "low": page.low, "note": page.note,
                       "rotation": page.rotation, "language": page.language}, ensure_ascii=False)


def page_from_json(text: str) -> OcrPage:
    data = json.loads(text)
    return OcrPage(**{**data, "words": tuple(tuple(w) for w in data["words"])})


class OcrCache:
    def __init__(self, path: Path, key: bytes | None = None):
        self.path = Path(path)
        self._db = connect(self.path, key)
        self._db.execute(SCHEMA)
        self._lock = threading.Lock()

    def pages(self, source_id: str, engine: str) -> dict[int, OcrPage]:
        with self._lock:
            rows = self._db.execute("SELECT number, page FROM pages WHERE source_id=? AND engine=?",
                                    (source_id, engine)).fetchall()
        return {number: page_from_json(text) for number, text in rows}

    def put(self, source_id: str, page: OcrPage, engine: str):
        with self._lock, self._db:
            self._db.execute("INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?)",
                             (source_id, page.number, engine, page_to_json(page)))

    def count(self, source_id: str | None = None) -> int:
        with self._lock:
            if source_id is None:
                return self._db.execute("SELECT count(*) FROM pages").fetchone()[0]
            return self._db.execute("SELECT count(*) FROM pages WHERE source_id=?", (source_id,)).fetchone()[0]

    def forget(self, source_id: str):
        with self._lock:
            if self._db.execute("DELETE FROM pages WHERE source_id=?", (source_id,)).rowcount:
                erase_leftovers(self._db)

    def close(self):
        with self._lock:
            self._db.close()
