"""Dense search over both tiers: MiniLM's vectors in Chroma, and the fast vectors of documents
whose upgrade has not reached them yet (assistant/ingest/upgrade.py).

The two models' similarities are not on one scale (a static model's cosines run higher), so the
rankings are merged by rank, not by score: a hit's rank within its tier is scaled to an estimate
of its rank among all passages, rank × all windows / that tier's windows. With a fast tier of 10 %
of the collection, its first hit counts as the tenth of the whole. Each chunk is kept once (a
document briefly has both while its upgrade is written), at its better place.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from assistant.store.vectors import WINDOWS_PER_CHUNK


def fast_search(matrix, query: np.ndarray, k: int, scope: Sequence[str] | None) -> list[tuple[str, str, float]]:
    """(chunk_id, source_id, cosine distance) of the k best chunks among the fast vectors."""
    if len(matrix) == 0 or k <= 0:
        return []
    rows = np.arange(len(matrix))
    if scope is not None:
        rows = rows[np.isin(matrix.source_ids, list(scope))]
        if not len(rows):
            return []
    similarity = matrix.vectors[rows] @ np.asarray(query, dtype=np.float32)
    want = min(len(rows), k * WINDOWS_PER_CHUNK)
    best = np.argpartition(-similarity, want - 1)[:want]
    best = best[np.argsort(-similarity[best], kind="stable")]
    found: dict[str, tuple[str, str, float]] = {}
    for i in best:
        row = rows[i]
        cid = matrix.chunk_ids[row]
        found.setdefault(cid, (cid, str(matrix.source_ids[row]), float(1.0 - similarity[i])))
    return list(found.values())[:k]


def merge_tiers(full: list[tuple[str, str, float]], full_windows: int,
                fast: list[tuple[str, str, float]], fast_windows: int, k: int) -> list[tuple[str, str, float]]:
    """One ranking of both tiers' hits, by each hit's estimated rank among all windows."""
    if not fast:
        return full[:k]
    if not full:
        return fast[:k]
    total = full_windows + fast_windows
    placed = [((rank + 1) * total / max(full_windows, 1), 0, hit) for rank, hit in enumerate(full)]
    placed += [((rank + 1) * total / max(fast_windows, 1), 1, hit) for rank, hit in enumerate(fast)]
    merged: dict[str, tuple[str, str, float]] = {}
    for _place, _tier, hit in sorted(placed, key=lambda p: (p[0], p[1])):
        merged.setdefault(hit[0], hit)
    return list(merged.values())[:k]


class TieredDense:
    """Dense search of an index with both embedders; the fast one is asked only while some
    document has fast vectors, so an upgraded collection never loads it."""

    def __init__(self, index, embedder, fast_embedder=None):
        self.index = index
        self.embedder = embedder
        self.fast_embedder = fast_embedder

    def search(self, query: str, k: int, scope: Sequence[str] | None) -> list[tuple[str, str, float]]:
        matrix = self.index.fast_matrix() if self.fast_embedder is not None else None
        if matrix is None or not len(matrix):
            return self.index.vectors.query(self.embedder.embed_query(query), k, source_ids=scope)
        fast = fast_search(matrix, self.fast_embedder.embed_query(query), k, scope)
        full_windows = self.index.catalog.full_windows()
        if not full_windows:  # a fresh collection: MiniLM is not even loaded for it
            return fast
        full = self.index.vectors.query(self.embedder.embed_query(query), k, source_ids=scope)
        return merge_tiers(full, full_windows, fast, len(matrix), k)
