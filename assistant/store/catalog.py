"""The SQLite catalog: documents, their pages, their chunks, and the FTS5 (BM25) index over chunk
text. One database, so that a document's chunks, its lexical entries and its status change in one
transaction. Chroma (vectors) lives beside it; `Index` keeps the two consistent."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from assistant.errors import DocumentNotFound
from assistant.store.database import connect, erase_leftovers
from assistant.store.lexical import LexicalIndex
from assistant.store import lexical_forms
from assistant.text import content_words
from assistant.types import Chunk, DocumentState, OcrPage, OcrReport, Page, Source, WordBox


_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    source_id TEXT PRIMARY KEY, path TEXT NOT NULL, name TEXT NOT NULL, doc_type TEXT NOT NULL,
    title TEXT NOT NULL, pages INTEGER NOT NULL, chunks INTEGER NOT NULL, size INTEGER NOT NULL,
    status TEXT NOT NULL, added REAL NOT NULL, vectors INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS documents_path ON documents(path);
CREATE TABLE IF NOT EXISTS pages (
    source_id TEXT NOT NULL, number INTEGER NOT NULL, label TEXT NOT NULL, text TEXT NOT NULL,
    PRIMARY KEY (source_id, number)
);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY, chunk_id TEXT NOT NULL UNIQUE, source_id TEXT NOT NULL,
    page INTEGER NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL,
    heading TEXT NOT NULL, ordinal INTEGER NOT NULL, text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_source ON chunks(source_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(text, context, tokenize='porter unicode61');
CREATE TABLE IF NOT EXISTS fast_vectors (
    source_id TEXT NOT NULL, chunk_id TEXT NOT NULL, vector BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS fast_vectors_source ON fast_vectors(source_id);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""

# Where a document's dense vectors are. FAST: the static model's, in `fast_vectors` here, written in
# the same transaction as its chunks (searchable at once); UPGRADING: MiniLM's are being written to
# Chroma; FULL: MiniLM's, in Chroma. See assistant/ingest/upgrade.py.
FAST, UPGRADING, FULL = "fast", "upgrading", "full"

# Which embedder's vector space a document's full vectors are in (assistant/embedding/): MAIN, the
# index's embedder (MiniLM), in `chroma/`; MULTILINGUAL, the multilingual one (e5) that the
# manifest names, in `chroma-multilingual/`. Chosen per document from its language at ingest.
MAIN, MULTILINGUAL = "main", "multilingual"

# Raised in every transaction that changes `fast_vectors`, so a reader (this process or another)
# knows with one cheap query whether the matrix it holds in memory is still the table's.
_BUMP_FAST = ("INSERT INTO counters VALUES ('fast_vectors', 1) "
              "ON CONFLICT(name) DO UPDATE SET value = value + 1")


@dataclass(frozen=True)
class FastMatrix:
    """The fast vectors of the documents that have them, one row per embedding window."""
    version: int
    chunk_ids: list[str]
    source_ids: np.ndarray  # of str, for scoping a search to documents
    vectors: np.ndarray  # (windows, dimension) float32, unit length

    def __len__(self) -> int:
        return len(self.chunk_ids)


def fts_query(text: str) -> str:
    """An FTS5 OR-query of the question's content words, each quoted so punctuation is inert."""
    return " OR ".join(f'"{w}"' for w in content_words(text))



# Searching within documents: the FTS5 rows are narrowed by rowid to the documents' chunks, so
# BM25 scores only those. Filtering on the joined chunk's source id instead scored every match in
# the collection first: 50 ms against 13 ms per in-document search at 100,000 passages, with the
# same results (the statistics BM25 uses are the whole table's either way).
_IN_DOCUMENTS = "chunks_fts.rowid IN (SELECT id FROM chunks WHERE source_id IN ({marks}))"


class Catalog:
    def __init__(self, path: Path, key: bytes | None = None):
        """`key`: the SQLCipher key of an encrypted collection (assistant/store/encryption.py)."""
        self.path = path
        self._lock = threading.RLock()
        self._db = connect(path, key)
        self._lexical = LexicalIndex(self._db)  # reads nothing until the first search
        self._db.executescript(_SCHEMA)
        self._add_ai_text_column()
        self._add_tier_column()
        self._add_space_columns()
        self._add_lexical_language_column()
        self._add_ocr_columns()
        self._erase_from_fts_at_once()
        self._migrate_lexical_forms()

    def _erase_from_fts_at_once(self):
        """FTS5 normally only marks a deleted row and keeps its terms until segments merge;
        secure-delete removes them from the index on delete, so a removed document's words do
        not stay behind in the lexical index."""
        row = self._db.execute("SELECT v FROM chunks_fts_config WHERE k='secure-delete'").fetchone()
        if not row or not row[0]:
            self._db.execute("INSERT INTO chunks_fts(chunks_fts, rank) VALUES('secure-delete', 1)")

    def close(self):
        with self._lock:
            self._db.close()

    # --- documents ---------------------------------------------------------------------------

    def add_pending(self, source: Source, vectors: int, added: float | None = None):
        """Record a document before any of its data is written; `vectors` is how many
        embedding windows it will have in Chroma, so consistency can be checked later."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO documents (source_id, path, name, doc_type, title, pages, chunks, size, status, "
                "added, vectors) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (source.source_id, source.path, source.name, source.doc_type, source.title,
                 source.pages, source.chunks, source.size, DocumentState.PENDING, added or time.time(), vectors),
            )

    def complete(self, source_id: str, pages: Sequence[Page], chunks: Sequence[Chunk], contexts: Sequence[str],
                 replaces: Iterable[str] = (), fast: tuple[Sequence[str], np.ndarray] | None = None):
        """Write pages, chunks and lexical entries and mark the document complete, in one
        transaction; documents it replaces are marked for removal in the same step. `fast`:
        (chunk id of each window, the windows' fast vectors), stored here in the same transaction,
        and the document's tier becomes FAST. German and French text goes into the BM25 index as
        word forms (store/lexical_forms.py); the document's language is recorded with it."""
        language = lexical_forms.document_language(p.text for p in pages)
        known = lexical_forms.lexicon([c.text for c in chunks] + list(contexts), language)
        with self._lock, self._db:
            self._db.execute("BEGIN")
            if fast is not None:
                owners, vectors = fast
                vectors = np.ascontiguousarray(vectors, dtype=np.float32)
                self._db.executemany("INSERT INTO fast_vectors VALUES (?,?,?)",
                                     [(source_id, cid, v.tobytes()) for cid, v in zip(owners, vectors)])
                self._db.execute("UPDATE documents SET tier=? WHERE source_id=?", (FAST, source_id))
                self._db.execute(_BUMP_FAST)
            self._db.executemany(
                "INSERT INTO pages VALUES (?,?,?,?)", [(source_id, p.number, p.label, p.text) for p in pages]
            )
            for chunk, context in zip(chunks, contexts):
                cur = self._db.execute(
                    "INSERT INTO chunks (chunk_id, source_id, page, start, end, heading, ordinal, text) VALUES (?,?,?,?,?,?,?,?)",
                    (chunk.chunk_id, source_id, chunk.page, chunk.start, chunk.end, chunk.heading, chunk.ordinal, chunk.text),
                )
                self._db.execute(
                    "INSERT INTO chunks_fts (rowid, text, context) VALUES (?,?,?)",
                    (cur.lastrowid, lexical_forms.index_text(chunk.text, language, known),
                     lexical_forms.index_text(context, language, known)),
                )
            self._db.execute("UPDATE documents SET status=?, lexical_language=? WHERE source_id=?",
                             (DocumentState.COMPLETE, language, source_id))
            for old in replaces:
                self._db.execute("UPDATE documents SET status=? WHERE source_id=?", (DocumentState.REMOVING, old))

    def mark_removing(self, source_id: str):
        with self._lock:
            self._db.execute("UPDATE documents SET status=? WHERE source_id=?", (DocumentState.REMOVING, source_id))

    def purge(self, source_id: str):
        """Delete a document and everything derived from it, in one transaction."""
        with self._lock, self._db:
            self._db.execute("BEGIN")
            self._db.execute(
                "DELETE FROM chunks_fts WHERE rowid IN (SELECT id FROM chunks WHERE source_id=?)", (source_id,)
            )
            self._db.execute("DELETE FROM chunks WHERE source_id=?", (source_id,))
            self._db.execute("DELETE FROM pages WHERE source_id=?", (source_id,))
            if self._db.execute("DELETE FROM fast_vectors WHERE source_id=?", (source_id,)).rowcount:
                self._db.execute(_BUMP_FAST)
            self._db.execute("DELETE FROM ocr_words WHERE source_id=?", (source_id,))
            self._db.execute("DELETE FROM documents WHERE source_id=?", (source_id,))
        with self._lock:
            erase_leftovers(self._db)

    def status_of(self, source_id: str) -> DocumentState | None:
        with self._lock:
            row = self._db.execute("SELECT status FROM documents WHERE source_id=?", (source_id,)).fetchone()
        return DocumentState(row[0]) if row else None

    def incomplete(self) -> list[tuple[str, str]]:
        with self._lock:
            return self._db.execute("SELECT source_id, status FROM documents WHERE status != ?", (DocumentState.COMPLETE,)).fetchall()

    def documents(self) -> list[Source]:
        with self._lock:
            rows = self._db.execute(
                "SELECT source_id, path, name, doc_type, title, pages, chunks, size FROM documents "
                "WHERE status=? ORDER BY name COLLATE NOCASE", (DocumentState.COMPLETE,)
            ).fetchall()
        return [Source(*row) for row in rows]

    def document(self, source_id: str) -> Source | None:
        with self._lock:
            row = self._db.execute(
                "SELECT source_id, path, name, doc_type, title, pages, chunks, size FROM documents "
                "WHERE source_id=? AND status=?", (source_id, DocumentState.COMPLETE)
            ).fetchone()
        return Source(*row) if row else None

    def resolve(self, names_or_ids: Sequence[str]) -> list[str]:
        """Source ids of the documents named by file name or by (a prefix of) their id."""
        docs = self.documents()
        found = []
        for wanted in names_or_ids:
            matches = [d.source_id for d in docs if d.name == wanted or d.source_id.startswith(wanted.lower())]
            if not matches:
                raise DocumentNotFound(f"No indexed document is called '{wanted}'.")
            found.extend(matches)
        return found

    def document_at(self, path: str) -> list[str]:
        with self._lock:
            return [r[0] for r in self._db.execute(
                "SELECT source_id FROM documents WHERE path=? AND status=?", (path, DocumentState.COMPLETE))]

    def page(self, source_id: str, number: int) -> Page | None:
        with self._lock:
            row = self._db.execute(
                "SELECT number, label, text FROM pages WHERE source_id=? AND number=?", (source_id, number)
            ).fetchone()
        return Page(*row) if row else None

    def pages(self, source_id: str) -> list[Page]:
        """All pages of a document, in order, in one query."""
        with self._lock:
            rows = self._db.execute(
                "SELECT number, label, text FROM pages WHERE source_id=? ORDER BY number", (source_id,)
            ).fetchall()
        return [Page(*row) for row in rows]

    # --- chunks ------------------------------------------------------------------------------

    def chunk_ids(self, source_id: str) -> list[str]:
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT chunk_id FROM chunks WHERE source_id=?", (source_id,))]

    def chunks_by_id(self, chunk_ids: Sequence[str]) -> dict[str, Chunk]:
        """Chunks of complete documents only: a half-ingested document is never returned."""
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        with self._lock:
            rows = self._db.execute(
                "SELECT c.chunk_id, c.source_id, d.name, d.doc_type, c.page, c.start, c.end, c.text, c.heading, c.ordinal "
                f"FROM chunks c JOIN documents d USING (source_id) WHERE d.status=? AND c.chunk_id IN ({marks})",
                (DocumentState.COMPLETE, *chunk_ids),
            ).fetchall()
        return {row[0]: Chunk(*row) for row in rows}

    def lexical_search(self, query: str, limit: int, source_ids: Sequence[str] | None = None) -> list[tuple[str, str, float]]:
        """BM25 over chunk text (weight 1) and its context, title and heading (weight 0.5).
        Returns (chunk_id, source_id, bm25) best first; FTS5's bm25() is lower-is-better.
        Scored in memory from the FTS5 index (store/lexical.py): FTS5's own ranking and scores,
        without scoring every passage that holds a query word. A German or French query is given
        in that language's word forms (store/lexical_forms.py)."""
        with self._lock:
            language, sure = lexical_forms.query_choice(query, self.languages(source_ids))
            words = lexical_forms.query_words(query, language, sure)
            if not words:
                return []
            return self._lexical.search(words, limit, source_ids, weights=(1.0, 0.5))

    def languages(self, source_ids: Sequence[str] | None = None) -> set[str]:
        """The languages of the complete documents (all, or these), as their lexical entries hold them."""
        sql = "SELECT DISTINCT lexical_language FROM documents WHERE status=?"
        params: list = [DocumentState.COMPLETE]
        if source_ids is not None:
            sql += f" AND source_id IN ({','.join('?' * len(source_ids))})"
            params.extend(source_ids)
        with self._lock:
            return {row[0] for row in self._db.execute(sql, params)}

    def chunk_frequency(self, word: str, source_ids: Sequence[str] | None = None) -> int:
        """How many indexed chunks contain the word (porter-stemmed, as BM25 matches it), in any of
        the word forms of the languages indexed there (so a German word is counted in German text)."""
        forms = [word.replace("ß", "ss")]
        for language in sorted(self.languages(source_ids)):
            form = lexical_forms.stem(word, language)
            if language != lexical_forms.ENGLISH and form and form not in forms:
                forms.append(form)
        sql = ("SELECT count(*) FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid "
               "JOIN documents d ON d.source_id = c.source_id WHERE chunks_fts MATCH ? AND d.status = ?")
        params: list = [" OR ".join(f'"{form}"' for form in forms), DocumentState.COMPLETE]
        if source_ids is not None:
            sql += f" AND {_IN_DOCUMENTS.format(marks=','.join('?' * len(source_ids)))}"
            params.extend(source_ids)
        with self._lock:
            return self._db.execute(sql, params).fetchone()[0]

    def chunk_total(self) -> int:
        with self._lock:
            return self._db.execute("SELECT count(*) FROM chunks").fetchone()[0]

    def vector_count(self, source_id: str) -> int:
        with self._lock:
            row = self._db.execute("SELECT vectors FROM documents WHERE source_id=?", (source_id,)).fetchone()
        return row[0] if row else 0

    def expected_vectors(self) -> dict[str, int]:
        """Embedding windows each complete FULL document put into Chroma, by source id (a FAST
        document's are in this catalog, and Chroma holds none of its vectors)."""
        with self._lock:
            return dict(self._db.execute("SELECT source_id, vectors FROM documents WHERE status=? AND tier=?",
                                         (DocumentState.COMPLETE, FULL)))

    def chunk_sources(self) -> dict[str, str]:
        """The source id of every chunk of a complete FULL document, by chunk id."""
        with self._lock:
            return dict(self._db.execute(
                "SELECT c.chunk_id, c.source_id FROM chunks c JOIN documents d USING (source_id) "
                "WHERE d.status=? AND d.tier=?", (DocumentState.COMPLETE, FULL)))

    def counts(self) -> dict[str, int]:
        """`windows`: the vectors Chroma should hold (FULL documents'); `fast_windows`: what the
        FAST documents should have in `fast_vectors`, and `fast_vectors` what it holds."""
        with self._lock:
            return {
                "documents": self._db.execute("SELECT count(*) FROM documents").fetchone()[0],
                "windows": self._db.execute(
                    "SELECT coalesce(sum(vectors), 0) FROM documents WHERE tier=?", (FULL,)).fetchone()[0],
                "fast_windows": self._db.execute(
                    "SELECT coalesce(sum(vectors), 0) FROM documents WHERE tier!=?", (FULL,)).fetchone()[0],
                "fast_vectors": self._db.execute("SELECT count(*) FROM fast_vectors").fetchone()[0],
                "chunks": self._db.execute("SELECT count(*) FROM chunks").fetchone()[0],
                "lexical": self._db.execute("SELECT count(*) FROM chunks_fts").fetchone()[0],
                "pages": self._db.execute("SELECT count(*) FROM pages").fetchone()[0],
            }

    # --- text addressed to AI systems ---------------------------------------------------------
    # How many passages of each document speak to an AI rather than state the contract
    # (assistant/addressed_to_ai/), counted at ingest: a finding to show on the document's row.

    def _add_ai_text_column(self):
        """Catalogs made before the count existed get its column; their documents count 0 until
        re-indexed (answers still leave such text out: they check the passages they read)."""
        with self._lock:
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(documents)")}
            if "ai_text" not in columns:
                self._db.execute("ALTER TABLE documents ADD COLUMN ai_text INTEGER NOT NULL DEFAULT 0")

    def set_ai_text(self, source_id: str, count: int):
        with self._lock:
            self._db.execute("UPDATE documents SET ai_text=? WHERE source_id=?", (count, source_id))

    def ai_text_counts(self) -> dict[str, int]:
        """Complete documents holding text addressed to AI systems: passages counted, by source id."""
        with self._lock:
            return dict(self._db.execute("SELECT source_id, ai_text FROM documents WHERE status=? AND ai_text > 0",
                                         (DocumentState.COMPLETE,)))

    # --- tiers: fast vectors first, MiniLM's in the background (assistant/ingest/upgrade.py) ----

    def _add_tier_column(self):
        """Catalogs made before the fast tier hold MiniLM vectors only: their documents are FULL."""
        with self._lock:
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(documents)")}
            if "tier" not in columns:
                self._db.execute(f"ALTER TABLE documents ADD COLUMN tier TEXT NOT NULL DEFAULT '{FULL}'")

    # --- German and French word forms in the lexical index (store/lexical_forms.py) ------------

    def _add_lexical_language_column(self):
        """Catalogs made before the word forms hold every document's text as it is: their
        documents get no language here, and _migrate_lexical_forms gives them one."""
        with self._lock:
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(documents)")}
            if "lexical_language" not in columns:
                self._db.execute("ALTER TABLE documents ADD COLUMN lexical_language TEXT NOT NULL DEFAULT ''")

    def _migrate_lexical_forms(self):
        """Documents with no language recorded were indexed as plain text: detect their language
        and rewrite their lexical entries in its word forms (an English one's only where "ß" was),
        all in one transaction, so a catalog is migrated wholly or not at all. Once done, nothing
        is left to do at the next open. Rows keep their rowids; no search has read the index yet."""
        with self._lock:
            todo = [r[0] for r in self._db.execute("SELECT source_id FROM documents WHERE lexical_language=''")]
            if not todo:
                return
            with self._db:
                self._db.execute("BEGIN")
                for source_id in todo:
                    pages = self._db.execute("SELECT text FROM pages WHERE source_id=? ORDER BY number", (source_id,))
                    language = lexical_forms.document_language(row[0] for row in pages)
                    rows = self._db.execute(
                        "SELECT c.id, c.text, f.context FROM chunks c JOIN chunks_fts f ON f.rowid = c.id "
                        "WHERE c.source_id=? ORDER BY c.ordinal", (source_id,)).fetchall()
                    known = lexical_forms.lexicon([t for _, t, _ in rows] + [ctx for _, _, ctx in rows], language)
                    for rowid, text, context in rows:
                        new_text = lexical_forms.index_text(text, language, known)
                        new_context = lexical_forms.index_text(context, language, known)
                        if (new_text, new_context) != (text, context):
                            self._db.execute("UPDATE chunks_fts SET text=?, context=? WHERE rowid=?",
                                             (new_text, new_context, rowid))
                    self._db.execute("UPDATE documents SET lexical_language=? WHERE source_id=?", (language, source_id))

    def tier_of(self, source_id: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT tier FROM documents WHERE source_id=?", (source_id,)).fetchone()
        return row[0] if row else None

    def set_tier(self, source_id: str, tier: str):
        with self._lock:
            self._db.execute("UPDATE documents SET tier=? WHERE source_id=?", (tier, source_id))

    def in_tier(self, *tiers: str) -> list[str]:
        """Complete documents in these tiers, oldest first (the order an upgrade takes them)."""
        marks = ",".join("?" * len(tiers))
        with self._lock:
            return [r[0] for r in self._db.execute(
                f"SELECT source_id FROM documents WHERE status=? AND tier IN ({marks}) ORDER BY added, rowid",
                (DocumentState.COMPLETE, *tiers))]

    def mark_full(self, source_id: str):
        """The document's MiniLM vectors are all in Chroma: drop its fast ones, in one step."""
        with self._lock, self._db:
            self._db.execute("BEGIN")
            self._db.execute("DELETE FROM fast_vectors WHERE source_id=?", (source_id,))
            self._db.execute("UPDATE documents SET tier=? WHERE source_id=?", (FULL, source_id))
            self._db.execute(_BUMP_FAST)

    def full_windows(self) -> int:
        """The vectors Chroma holds for complete documents (FULL ones)."""
        with self._lock:
            return self._db.execute("SELECT coalesce(sum(vectors), 0) FROM documents WHERE status=? AND tier=?",
                                    (DocumentState.COMPLETE, FULL)).fetchone()[0]

    # --- languages and vector spaces (assistant/ingest/pipeline.py chooses them) --------------

    def _add_space_columns(self):
        """Catalogs made before documents had a vector space hold MiniLM vectors only: MAIN."""
        with self._lock:
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(documents)")}
            if "space" not in columns:
                self._db.execute(f"ALTER TABLE documents ADD COLUMN space TEXT NOT NULL DEFAULT '{MAIN}'")

    def set_space(self, source_id: str, space: str):
        with self._lock:
            self._db.execute("UPDATE documents SET space=? WHERE source_id=?", (space, source_id))

    def space_of(self, source_id: str) -> str:
        with self._lock:
            row = self._db.execute("SELECT space FROM documents WHERE source_id=?", (source_id,)).fetchone()
        return row[0] if row else MAIN

    def space_windows(self, space: str, source_ids: Sequence[str] | None = None) -> int:
        """The vectors a space's Chroma store holds for complete FULL documents (of `source_ids`)."""
        sql = "SELECT coalesce(sum(vectors), 0) FROM documents WHERE status=? AND tier=? AND space=?"
        params: list = [DocumentState.COMPLETE, FULL, space]
        if source_ids is not None:
            if not source_ids:
                return 0
            sql += f" AND source_id IN ({','.join('?' * len(source_ids))})"
            params.extend(source_ids)
        with self._lock:
            return self._db.execute(sql, params).fetchone()[0]

    def expected_vectors_in(self, space: str) -> dict[str, int]:
        """Like `expected_vectors`, for one space's store."""
        with self._lock:
            return dict(self._db.execute("SELECT source_id, vectors FROM documents WHERE status=? AND tier=? AND space=?",
                                         (DocumentState.COMPLETE, FULL, space)))

    def fast_audit(self) -> list[tuple[str, str, int, int, int]]:
        """(source id, tier, windows, fast vectors held, chunks) of each complete document not
        yet FULL: for the consistency report."""
        with self._lock:
            return self._db.execute(
                "SELECT d.source_id, d.tier, d.vectors, (SELECT count(*) FROM fast_vectors f WHERE f.source_id = d.source_id), "
                "d.chunks FROM documents d WHERE d.status=? AND d.tier!=?", (DocumentState.COMPLETE, FULL)).fetchall()

    def fast_version(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT value FROM counters WHERE name='fast_vectors'").fetchone()
        return row[0] if row else 0

    def fast_matrix(self) -> FastMatrix:
        """Every fast vector of a complete FAST or UPGRADING document, read in one query: a
        document being upgraded stays searchable by its fast vectors until its MiniLM vectors are
        all in Chroma (for the moment it has both, a search keeps each chunk once)."""
        with self._lock:
            version = self.fast_version()
            rows = self._db.execute(
                "SELECT f.chunk_id, f.source_id, f.vector FROM fast_vectors f JOIN documents d USING (source_id) "
                "WHERE d.status=? AND d.tier IN (?,?) ORDER BY f.rowid", (DocumentState.COMPLETE, FAST, UPGRADING)).fetchall()
        dimension = len(rows[0][2]) // 4 if rows else 0
        vectors = np.frombuffer(b"".join(r[2] for r in rows), dtype=np.float32).reshape(len(rows), dimension)
        return FastMatrix(version, [r[0] for r in rows], np.array([r[1] for r in rows], dtype=object), vectors)

    def window_texts(self, source_id: str) -> tuple[str, list[Chunk]]:
        """A document's title and chunks in order: what its embedding windows are rebuilt from."""
        with self._lock:
            title = self._db.execute("SELECT title FROM documents WHERE source_id=?", (source_id,)).fetchone()
            ids = [r[0] for r in self._db.execute(
                "SELECT chunk_id FROM chunks WHERE source_id=? ORDER BY ordinal", (source_id,))]
        by_id = self.chunks_by_id(ids)
        return (title[0] if title else ""), [by_id[i] for i in ids if i in by_id]

    # --- OCR: which pages were read from images, how well, and where their words are ----------

    def _add_ocr_columns(self):
        """Catalogs made before OCR get its columns (their documents read no page by OCR) and the
        table of OCR'd pages' word boxes, which the source viewer boxes a passage with."""
        with self._lock:
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(documents)")}
            for name, kind in (("ocr_pages", "INTEGER NOT NULL DEFAULT 0"), ("ocr_confidence", "REAL NOT NULL DEFAULT 0"),
                               ("ocr_low", "TEXT NOT NULL DEFAULT ''"), ("ocr_blank", "TEXT NOT NULL DEFAULT ''")):
                if name not in columns:
                    self._db.execute(f"ALTER TABLE documents ADD COLUMN {name} {kind}")
            self._db.execute("CREATE TABLE IF NOT EXISTS ocr_words (source_id TEXT NOT NULL, number INTEGER NOT NULL, "
                             "confidence REAL NOT NULL, low INTEGER NOT NULL, words BLOB NOT NULL, "
                             "PRIMARY KEY (source_id, number))")

    def set_ocr(self, source_id: str, report: OcrReport, pages: Sequence[OcrPage]):
        """Record a document's OCR figures and its OCR'd pages' word boxes (as float32 rows of
        start, end, x0, y0, x1, y1), in one transaction."""
        with self._lock, self._db:
            self._db.execute("BEGIN")
            self._db.execute(
                "UPDATE documents SET ocr_pages=?, ocr_confidence=?, ocr_low=?, ocr_blank=? WHERE source_id=?",
                (report.pages, report.confidence, ",".join(map(str, report.low_pages)),
                 ",".join(map(str, report.blank_pages)), source_id))
            self._db.executemany("INSERT OR REPLACE INTO ocr_words VALUES (?,?,?,?,?)", [
                (source_id, p.number, p.confidence, int(p.low),
                 np.asarray(p.words, dtype=np.float32).reshape(-1, 6).tobytes()) for p in pages])

    def ocr_reports(self, source_ids: Sequence[str] | None = None) -> dict[str, OcrReport]:
        """The OCR figures of complete documents that had pages read by OCR, by source id."""
        sql = ("SELECT source_id, ocr_pages, ocr_confidence, ocr_low, ocr_blank FROM documents "
               "WHERE status=? AND ocr_pages > 0")
        params: list = [DocumentState.COMPLETE]
        if source_ids is not None:
            sql += f" AND source_id IN ({','.join('?' * len(source_ids))})"
            params.extend(source_ids)
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()

        def numbers(text: str) -> tuple[int, ...]:
            return tuple(int(n) for n in text.split(",") if n)

        return {sid: OcrReport(pages, confidence, numbers(low), numbers(blank))
                for sid, pages, confidence, low, blank in rows}

    def page_words(self, source_id: str, number: int) -> tuple[WordBox, ...]:
        """The word boxes of a page read by OCR; () for a page read from its text layer."""
        with self._lock:
            row = self._db.execute("SELECT words FROM ocr_words WHERE source_id=? AND number=?",
                                   (source_id, number)).fetchone()
        if not row:
            return ()
        rows = np.frombuffer(row[0], dtype=np.float32).reshape(-1, 6)
        return tuple((int(r[0]), int(r[1]), float(r[2]), float(r[3]), float(r[4]), float(r[5])) for r in rows)

    def low_confidence_pages(self, source_ids: Sequence[str]) -> set[tuple[str, int]]:
        """(source id, page) of the pages of these documents that OCR read with low confidence."""
        if not source_ids:
            return set()
        with self._lock:
            return set(self._db.execute(
                f"SELECT source_id, number FROM ocr_words WHERE low=1 AND source_id IN ({','.join('?' * len(source_ids))})",
                list(source_ids)).fetchall())
