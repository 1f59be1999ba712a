"""The background upgrade: FAST documents get their MiniLM vectors, oldest first.

An ingest stores each document with the fast (static) embedder's vectors, so a folder is
searchable seconds after it was dropped; MiniLM reads about 80 windows a second here, and a
hundred contracts would otherwise keep the user waiting minutes. This walks the documents still
on fast vectors and embeds their windows again with MiniLM, rebuilt from the catalog with the
ingest's own `document_windows`, so the same windows get the same ids. Each document is one unit:
it is taken under the writer lock (an ingest or another upgrade waits, or waits for it), and
cancelling stops between documents, or inside one before its vectors are written. What a kill
leaves is undone on opening (see Index).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable

from assistant.ingest.pipeline import document_windows
from assistant.store.catalog import FAST, MAIN, MULTILINGUAL
from assistant.store.index import Index
from assistant.store.writer_lock import writing


@dataclass(frozen=True)
class UpgradeProgress:
    done: int  # documents upgraded so far in this run
    total: int  # documents that were on fast vectors when it started
    current: str  # the file name being upgraded ("" when finished)
    windows: int = 0  # windows embedded so far in this run


@dataclass(frozen=True)
class UpgradeResult:
    upgraded: int
    remaining: int  # still on fast vectors: cancelled, or added while it ran
    seconds: float
    windows: int


UpgradeCallback = Callable[[UpgradeProgress], None]

# Windows MiniLM embeds between two looks at the cancel flag; a batch takes under a second here.
_BATCH = 32
# Between two documents the lock is let go this long: a writer waiting for it (an ingest, which
# polls every 0.2 s) gets it, rather than the upgrade taking it straight back each time.
YIELD_SECONDS = 0.25


def upgrade(index: Index, embedder, progress: UpgradeCallback | None = None,
            cancel: threading.Event | None = None, notify: Callable[[str], None] | None = None,
            multilingual_embedder=None) -> UpgradeResult:
    """Give every FAST document its full vectors: MiniLM's, or for a document in the multilingual
    space (German, French) the `multilingual_embedder`'s. Without one, such a document is moved
    to MiniLM's space, and the catalog says so. `notify` hears that another writer is waited for."""
    began = time.perf_counter()
    todo = index.catalog.in_tier(FAST)
    done = windows = 0
    for n, source_id in enumerate(todo):
        if cancel is not None and (cancel.wait(YIELD_SECONDS) if n else cancel.is_set()):
            break
        if cancel is None and n:
            time.sleep(YIELD_SECONDS)
        with writing(index.folder, notify, cancel) as allowed:
            if not allowed:
                break
            # Under the lock, look again: the document may have been removed or replaced, or
            # upgraded by another process, while this one waited.
            if index.catalog.tier_of(source_id) != FAST or not index.has_complete(source_id):
                continue
            doc = index.catalog.document(source_id)
            if progress:
                progress(UpgradeProgress(done, len(todo), doc.name, windows))
            title, chunks = index.catalog.window_texts(source_id)
            texts, owner = document_windows(title, chunks, index.chunker.window_chars)
            full = embedder
            if index.catalog.space_of(source_id) == MULTILINGUAL:
                if multilingual_embedder is not None:
                    full = multilingual_embedder
                else:
                    index.catalog.set_space(source_id, MAIN)
            vectors = _embed(full, texts, cancel)
            if vectors is None:
                break
            index.upgrade_document(source_id, doc.doc_type, [chunks[o].chunk_id for o in owner], vectors)
        done += 1
        windows += len(texts)
    if progress:
        progress(UpgradeProgress(done, len(todo), "", windows))
    return UpgradeResult(done, len(index.catalog.in_tier(FAST)), time.perf_counter() - began, windows)


def _embed(embedder, texts: list[str], cancel: threading.Event | None):
    """MiniLM's vectors in batches, so a cancel is heard within a second; None when cancelled."""
    import numpy as np

    parts = []
    for at in range(0, len(texts), _BATCH):
        if cancel is not None and cancel.is_set():
            return None
        parts.append(embedder.embed_documents(texts[at:at + _BATCH]))
    if not parts:
        return np.zeros((0, embedder.dimension), dtype=np.float32)
    return np.concatenate(parts)
