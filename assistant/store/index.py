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
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from assistant.errors import DamagedIndex, PassphraseRequired
from assistant.settings import ChunkerSettings
from assistant.store.catalog import Catalog
from assistant.store.derived import DerivedFacts
from assistant.store.encryption import CollectionKey, is_encrypted
from assistant.store.manifest import load_or_create
from assistant.store.review_cache import REVIEW_CACHE_NAME, ReviewCache
from assistant.store.vectors import VectorStore
from assistant.store.writer_lock import unless_another_writer
from assistant.types import Chunk, DocumentState, Page, Source


class Index:
    def __init__(self, folder: Path, embedder_name: str, dimension: int,
                 chunker: ChunkerSettings = ChunkerSettings(), vector_store: Callable[[Path], object] = VectorStore,
                 key: CollectionKey | None = None):
        """`vector_store` builds the Chroma side from its folder: VectorStore in process, or the
        app's VectorStoreProcess. `key` opens an encrypted collection (`encryption.unlock`)."""
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)  # a new collection is its owner's alone
        encrypted = is_encrypted(self.folder)
        if encrypted and key is None:
            raise PassphraseRequired(f"The collection at {self.folder} is encrypted: it opens with its passphrase.")
        self.key = key if encrypted else None
        self.manifest = load_or_create(self.folder, embedder_name, dimension, chunker, encrypted)
        if self.manifest.encrypted and not encrypted:
            raise DamagedIndex(f"The encrypted collection at {self.folder} has lost its key file (keyring.json); "
                               "restore it from a backup: without it the collection cannot be opened.")
        if encrypted and not self.manifest.encrypted:
            raise DamagedIndex(f"The collection at {self.folder} was made without encryption, yet a key file "
                               "(keyring.json) lies in its folder; move that file away to open it.")
        self.catalog = Catalog(self.folder / "catalog.sqlite", self._key_for("catalog"))
        self.review_cache = self._open_review_cache()
        self.vectors = vector_store(self.folder / "chroma")
        self.derived = DerivedFacts()
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

    def _key_for(self, purpose: str) -> bytes | None:
        return self.key.for_purpose(purpose) if self.key else None

    def close(self):
        self.derived.clear()
        self.catalog.close()
        self.review_cache.close()
        self.vectors.close()

    def recover(self) -> list[str]:
        """Purge what a killed process left half-done; not while another process is writing here,
        since its pending document is work in progress, not a leftover. Called on opening, and by
        a writer once it holds the lock (the writer it waited for may have been killed)."""
        with unless_another_writer(self.folder) as alone:
            if not alone:
                return []
            leftovers = self.catalog.incomplete()
            for source_id, _status in leftovers:
                self.vectors.delete_source(source_id)
                self.catalog.purge(source_id)
        return [source_id for source_id, _ in leftovers]

    def add_document(self, source: Source, pages: Sequence[Page], chunks: Sequence[Chunk],
                     contexts: Sequence[str], vectors: np.ndarray, window_owner: Sequence[int],
                     replaces: Sequence[str] = ()):
        """`vectors[i]` embeds a window of `chunks[window_owner[i]]`."""
        self.catalog.add_pending(source, vectors=len(window_owner))
        if len(window_owner):
            self.vectors.add(
                [f"{chunks[owner].chunk_id}#{i}" for i, owner in enumerate(window_owner)],
                vectors,
                [{"source_id": source.source_id, "doc_type": source.doc_type, "chunk_id": chunks[owner].chunk_id}
                 for owner in window_owner],
            )
        self.catalog.complete(source.source_id, pages, chunks, contexts, replaces=replaces)
        for old in replaces:
            self._purge(old)

    def remove_document(self, source_id: str):
        self.catalog.mark_removing(source_id)
        self._purge(source_id)

    def _purge(self, source_id: str):
        self.vectors.delete_source(source_id)
        self.catalog.purge(source_id)
        self.review_cache.forget(source_id)
        self.derived.forget(source_id)

    def has_complete(self, source_id: str) -> bool:
        return self.catalog.status_of(source_id) == DocumentState.COMPLETE

    def consistency(self) -> dict[str, int]:
        """Counts across both stores; in a consistent index chunks == lexical and
        vectors == windows (the embedding windows the catalog expects Chroma to hold)."""
        counts = self.catalog.counts()
        counts["vectors"] = self.vectors.count()
        return counts
