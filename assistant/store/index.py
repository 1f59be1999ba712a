"""An index is a folder: `manifest.json`, `catalog.sqlite` (documents, chunks, BM25), `chroma/`
(vectors), `review-cache.sqlite` (review cells) and `audit.jsonl` (assistant/store/audit_log.py);
an encrypted one also holds `keyring.json` (assistant/store/encryption.py). This class keeps the
stores consistent.

Chroma is given vectors and opaque ids only (hashes of the file's bytes, never text or names), so
in an encrypted collection everything that holds document text is encrypted.

Crash safety rests on the order of writes. A document is first recorded as pending, then its
vectors go to Chroma, then one SQLite transaction writes its chunks and lexical entries and marks
it complete. Removal marks it removing, deletes the vectors, then purges it. A process killed at
any point leaves only pending or removing rows behind, and opening the index finishes the job:
whatever is not complete is purged from both stores. Searches read complete documents only.

A document may first be stored with fast vectors (tier FAST: the static model's, kept in the
catalog and written in its completing transaction, so Chroma is not touched) and upgraded later:
it is marked UPGRADING, its MiniLM vectors go to Chroma, then one transaction drops the fast
vectors and marks it FULL. A process killed mid-upgrade leaves an UPGRADING document, still whole
and searchable by its fast vectors; opening the index deletes whatever MiniLM vectors it got and
sets it back to FAST, and the next upgrade starts it again.

Each document's full vectors are in one of two spaces (catalog MAIN or MULTILINGUAL): MiniLM's in
`chroma/`, or, for a document in German or French, the multilingual embedder's in
`chroma-multilingual/`, a Chroma store of its own (created when the first such document is
stored), since the two models' vectors are not comparable. The manifest names both models.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from assistant.errors import DamagedIndex, PassphraseRequired
from assistant.settings import ChunkerSettings
from assistant.store.catalog import FAST, FULL, MAIN, MULTILINGUAL, UPGRADING, Catalog, FastMatrix
from assistant.store.derived import DerivedFacts
from assistant.store.encryption import CollectionKey, is_encrypted
from assistant.store.manifest import load_or_create
from assistant.store.ocr_cache import OCR_CACHE_NAME, OcrCache
from assistant.store.review_cache import REVIEW_CACHE_NAME, ReviewCache
from assistant.store.vectors import VectorStore
from assistant.store.writer_lock import unless_another_writer
from assistant.types import Chunk, DocumentState, Page, Source

MULTILINGUAL_FOLDER = "chroma-multilingual"


class Index:
    def __init__(self, folder: Path, embedder_name: str, dimension: int,
                 chunker: ChunkerSettings = ChunkerSettings(), vector_store: Callable[[Path], object] = VectorStore,
                 key: CollectionKey | None = None, fast: tuple[str, int] | None = None,
                 multilingual: tuple[str, int] | None = None):
        """`vector_store` builds the Chroma side from its folder: VectorStore in process, or the
        app's VectorStoreProcess. `key` opens an encrypted collection (`encryption.unlock`).
        `fast`: the fast embedder's (name, dimension), pinned in the manifest like the embedder's;
        `multilingual` the same for the multilingual embedder."""
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)  # a new collection is its owner's alone
        encrypted = is_encrypted(self.folder)
        if encrypted and key is None:
            raise PassphraseRequired(f"The collection at {self.folder} is encrypted: it opens with its passphrase.")
        self.key = key if encrypted else None
        self.manifest = load_or_create(self.folder, embedder_name, dimension, chunker, encrypted, fast, multilingual)
        if self.manifest.encrypted and not encrypted:
            raise DamagedIndex(f"The encrypted collection at {self.folder} has lost its key file (keyring.json); "
                               "restore it from a backup: without it the collection cannot be opened.")
        if encrypted and not self.manifest.encrypted:
            raise DamagedIndex(f"The collection at {self.folder} was made without encryption, yet a key file "
                               "(keyring.json) lies in its folder; move that file away to open it.")
        self.catalog = Catalog(self.folder / "catalog.sqlite", self._key_for("catalog"))
        self.review_cache = self._open_review_cache()
        self.ocr_cache = self._open_ocr_cache()
        self.vectors = vector_store(self.folder / "chroma")
        self._vector_store = vector_store
        self._multilingual_vectors = None
        if (self.folder / MULTILINGUAL_FOLDER).is_dir():
            self._multilingual_vectors = vector_store(self.folder / MULTILINGUAL_FOLDER)
        self.derived = DerivedFacts()
        self._fast = FastMatrix(-1, [], np.array([], dtype=object), np.zeros((0, 0), dtype=np.float32))
        self.recovered = self.recover()

    @property
    def chunker(self) -> ChunkerSettings:
        return self.manifest.chunker

    def _open_review_cache(self) -> ReviewCache:
        """The cells are derived data: a damaged cache is set aside (kept, in case someone wants to
        look) and an empty one started, rather than locking the user out of the collection."""
        path, key = self.folder / REVIEW_CACHE_NAME, self._key_for("review cache")
        try:
            return ReviewCache(path, key)
        except DamagedIndex:
            for suffix in ("", "-wal", "-shm"):
                damaged = path.with_name(path.name + suffix)
                if damaged.exists():
                    damaged.replace(damaged.with_name(f"{damaged.name}.damaged"))
            return ReviewCache(path, key)

    def _open_ocr_cache(self) -> OcrCache:
        """Derived data too (pages can be read again): a damaged cache is set aside like the review cache."""
        path, key = self.folder / OCR_CACHE_NAME, self._key_for("ocr cache")
        try:
            return OcrCache(path, key)
        except DamagedIndex:
            for suffix in ("", "-wal", "-shm"):
                damaged = path.with_name(path.name + suffix)
                if damaged.exists():
                    damaged.replace(damaged.with_name(f"{damaged.name}.damaged"))
            return OcrCache(path, key)

    def _key_for(self, purpose: str) -> bytes | None:
        return self.key.for_purpose(purpose) if self.key else None

    def close(self):
        self.derived.clear()
        self.catalog.close()
        self.review_cache.close()
        self.ocr_cache.close()
        self.vectors.close()
        if self._multilingual_vectors is not None:
            self._multilingual_vectors.close()

    def vectors_in(self, space: str, create: bool = False):
        """The Chroma store of a vector space; None for a multilingual one not made yet (unless
        `create`: the first German or French document is being stored)."""
        if space != MULTILINGUAL:
            return self.vectors
        if self._multilingual_vectors is None and create:
            self._multilingual_vectors = self._vector_store(self.folder / MULTILINGUAL_FOLDER)
        return self._multilingual_vectors

    def _stores(self) -> list:
        return [store for store in (self.vectors, self._multilingual_vectors) if store is not None]

    def _delete_vectors(self, source_id: str):
        for store in self._stores():
            store.delete_source(source_id)

    def recover(self) -> list[str]:
        """Purge what a killed process left half-done; not while another process is writing here,
        since its pending document is work in progress, not a leftover. Called on opening, and by
        a writer once it holds the lock (the writer it waited for may have been killed)."""
        with unless_another_writer(self.folder) as alone:
            if not alone:
                return []
            leftovers = self.catalog.incomplete()
            for source_id, _status in leftovers:
                self._delete_vectors(source_id)
                self.catalog.purge(source_id)
            for source_id in self.catalog.in_tier(UPGRADING):
                self._delete_vectors(source_id)  # a part of its full vectors, or all of them
                self.catalog.set_tier(source_id, FAST)
        return [source_id for source_id, _ in leftovers]

    def add_document(self, source: Source, pages: Sequence[Page], chunks: Sequence[Chunk],
                     contexts: Sequence[str], vectors: np.ndarray, window_owner: Sequence[int],
                     replaces: Sequence[str] = (), tier: str = FULL, space: str = MAIN):
        """`vectors[i]` embeds a window of `chunks[window_owner[i]]`; with tier FAST they are the
        fast embedder's and stay in the catalog. `space`: the vector space its full vectors are
        (or, for FAST, will be) in."""
        self.catalog.add_pending(source, vectors=len(window_owner))
        if space != MAIN:
            self.catalog.set_space(source.source_id, space)
        fast = None
        if tier == FAST:
            fast = ([chunks[owner].chunk_id for owner in window_owner], vectors)
        else:
            self._add_vectors(source.source_id, source.doc_type, [chunks[o].chunk_id for o in window_owner], vectors,
                              space)
        self.catalog.complete(source.source_id, pages, chunks, contexts, replaces=replaces, fast=fast)
        for old in replaces:
            self._purge(old)

    def _add_vectors(self, source_id: str, doc_type: str, owners: Sequence[str], vectors: np.ndarray,
                     space: str = MAIN):
        if len(owners):
            self.vectors_in(space, create=True).add([f"{chunk_id}#{i}" for i, chunk_id in enumerate(owners)], vectors,
                             [{"source_id": source_id, "doc_type": doc_type, "chunk_id": chunk_id} for chunk_id in owners])

    def upgrade_document(self, source_id: str, doc_type: str, owners: Sequence[str], vectors: np.ndarray):
        """Replace a FAST document's fast vectors with MiniLM's (`vectors[i]` embeds a window of
        chunk `owners[i]`, in the windows' order at ingest). Crash-safe: see the module's note."""
        self.catalog.set_tier(source_id, UPGRADING)
        self._delete_vectors(source_id)  # nothing, unless an earlier try was cut short
        self._add_vectors(source_id, doc_type, owners, vectors, self.catalog.space_of(source_id))
        self.catalog.mark_full(source_id)
        self.review_cache.forget(source_id)  # its cells were found with the fast vectors' passages

    def fast_matrix(self) -> FastMatrix:
        """The fast vectors of the documents that have them, read again only when they changed."""
        version = self.catalog.fast_version()
        if version != self._fast.version:
            self._fast = self.catalog.fast_matrix()
        return self._fast

    def remove_document(self, source_id: str, keep_ocr: bool = False):
        """`keep_ocr`: keep the pages OCR read (assistant/store/ocr_cache.py), because the same file
        is indexed again at once (re-index); a plain removal erases them with the rest."""
        self.catalog.mark_removing(source_id)
        self._purge(source_id, keep_ocr)

    def _purge(self, source_id: str, keep_ocr: bool = False):
        self._delete_vectors(source_id)
        self.catalog.purge(source_id)
        self.review_cache.forget(source_id)
        if not keep_ocr:
            self.ocr_cache.forget(source_id)
        self.derived.forget(source_id)

    def has_complete(self, source_id: str) -> bool:
        return self.catalog.status_of(source_id) == DocumentState.COMPLETE

    def consistency(self) -> dict[str, int]:
        """Counts across both stores; in a consistent index chunks == lexical and
        vectors == windows (the embedding windows the catalog expects Chroma to hold)."""
        counts = self.catalog.counts()
        counts["vectors"] = sum(store.count() for store in self._stores())
        return counts

    def pending_upgrade(self) -> list[str]:
        """Documents still searched by their fast vectors, oldest first."""
        return self.catalog.in_tier(FAST, UPGRADING)
