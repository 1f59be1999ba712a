"""Dense search over both tiers: MiniLM's vectors in Chroma, and the fast vectors of documents
whose upgrade has not reached them yet (assistant/ingest/upgrade.py).

The two models' similarities are not on one scale (a static model's cosines run higher), so the
rankings are merged by rank, not by score: a hit's rank within its tier is scaled to an estimate
of its rank among all passages, rank × all windows / that tier's windows. With a fast tier of 10 %
of the collection, its first hit counts as the tenth of the whole. Each chunk is kept once (a
document briefly has both while its upgrade is written), at its better place.

The same holds for the vector spaces: documents in German or French have the multilingual
embedder's vectors (e5, in a Chroma store of their own), English ones MiniLM's. A question is
embedded by each model whose space holds documents in scope, and the rankings are merged the same
way. e5 puts a question and a passage in different languages close together, which is what
answers an English question about a German contract.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from assistant.store.catalog import MAIN, MULTILINGUAL
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
    return merge_rankings([(full, full_windows), (fast, fast_windows)], k)


def merge_rankings(rankings: Sequence[tuple[list[tuple[str, str, float]], int]], k: int) -> list[tuple[str, str, float]]:
    """One ranking of several (hits, windows searched) rankings, by each hit's estimated rank
    among all their windows; a tie goes to the ranking listed first. Rankings with no hit count
    for nothing."""
    found = [(hits, windows) for hits, windows in rankings if hits]
    if len(found) <= 1:
        return found[0][0][:k] if found else []
    total = sum(windows for _, windows in found)
    placed = [((rank + 1) * total / max(windows, 1), tier, hit)
              for tier, (hits, windows) in enumerate(found) for rank, hit in enumerate(hits)]
    merged: dict[str, tuple[str, str, float]] = {}
    for _place, _tier, hit in sorted(placed, key=lambda p: (p[0], p[1])):
        merged.setdefault(hit[0], hit)
    return list(merged.values())[:k]


class TieredDense:
    """Dense search of an index with every embedder it has vectors of; the fast one is asked only
    while some document has fast vectors, so an upgraded collection never loads it, and the
    multilingual one only when documents in scope are in its space."""

    def __init__(self, index, embedder, fast_embedder=None, multilingual_embedder=None):
        self.index = index
        self.embedder = embedder
        self.fast_embedder = fast_embedder
        self.multilingual_embedder = multilingual_embedder
        self._queries: dict[tuple[int, str], np.ndarray] = {}  # one retrieval embeds a question once per model

    def query_vector(self, embedder, query: str) -> np.ndarray:
        """The query's vector by `embedder`, computed once per retrieval."""
        key = (id(embedder), query)
        if key not in self._queries:
            if len(self._queries) > 32:
                self._queries.clear()
            self._queries[key] = embedder.embed_query(query)
        return self._queries[key]

    def search(self, query: str, k: int, scope: Sequence[str] | None) -> list[tuple[str, str, float]]:
        matrix = self.index.fast_matrix() if self.fast_embedder is not None else None
        catalog = self.index.catalog
        multilingual = self.index.vectors_in(MULTILINGUAL) if self.multilingual_embedder is not None else None
        if (matrix is None or not len(matrix)) and multilingual is None:
            return self.index.vectors.query(self.query_vector(self.embedder, query), k, source_ids=scope)
        rankings = []
        for space, embedder, store in ((MAIN, self.embedder, self.index.vectors),
                                       (MULTILINGUAL, self.multilingual_embedder, multilingual)):
            windows = catalog.space_windows(space)
            if store is None or not windows or (scope is not None and not catalog.space_windows(space, scope)):
                continue  # a fresh collection: MiniLM is not even loaded for it; nor e5 for English ones
            rankings.append((store.query(self.query_vector(embedder, query), k, source_ids=scope), windows))
        if matrix is not None and len(matrix):
            rankings.append((fast_search(matrix, self.query_vector(self.fast_embedder, query), k, scope), len(matrix)))
        return merge_rankings(rankings, k)
