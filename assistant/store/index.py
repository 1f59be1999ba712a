"""An index is a folder: `manifest.json`, `catalog.sqlite` (documents, chunks, BM25) and
`chroma/` (vectors). This class keeps the two stores consistent.

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

from assistant.settings import ChunkerSettings
from assistant.store.catalog import Catalog
from assistant.store.derived import DerivedFacts
from assistant.store.manifest import load_or_create
from assistant.store.vectors import VectorStore
from assistant.store.writer_lock import unless_another_writer
from assistant.types import Chunk, DocumentState, Page, Source


class Index:
    def __init__(self, folder: Path, embedder_name: str, dimension: int,
                 chunker: ChunkerSettings = ChunkerSettings(), vector_store: Callable[[Path], object] = VectorStore):
        """`vector_store` builds the Chroma side from its folder: VectorStore in process, or the
        app's VectorStoreProcess."""
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.manifest = load_or_create(self.folder, embedder_name, dimension, chunker)
        self.catalog = Catalog(self.folder / "catalog.sqlite")
        self.vectors = vector_store(self.folder / "chroma")
        self.derived = DerivedFacts()
        self.recovered = self._recover()

    @property
    def chunker(self) -> ChunkerSettings:
        return self.manifest.chunker

    def close(self):
        self.derived.clear()
        self.catalog.close()
        self.vectors.close()

    def _recover(self) -> list[str]:
        """Purge what a killed process left half-done; not while another process is writing here,
        since its pending document is work in progress, not a leftover."""
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
        self.derived.forget(source_id)

    def has_complete(self, source_id: str) -> bool:
        return self.catalog.status_of(source_id) == DocumentState.COMPLETE

    def consistency(self) -> dict[str, int]:
        """Counts across both stores; in a consistent index chunks == lexical and
        vectors == windows (the embedding windows the catalog expects Chroma to hold)."""
        counts = self.catalog.counts()
        counts["vectors"] = self.vectors.count()
        return counts
