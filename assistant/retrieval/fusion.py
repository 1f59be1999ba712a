"""Reciprocal rank fusion (Cormack, Clarke and Büttcher, 2009).

Dense cosine distances and BM25 scores live on scales that cannot be compared, but ranks can:
each list contributes 1 / (k + rank) for every item in it. The constant k = 60 is the paper's; it
damps the head of each list so that one ranker's first place cannot outvote agreement between
rankers further down.
"""

from __future__ import annotations

from typing import Hashable, Sequence

RRF_K = 60


def reciprocal_rank_fusion(rankings: Sequence[Sequence[Hashable]], k: int = RRF_K,
                           weights: Sequence[float] | None = None) -> list[tuple[Hashable, float]]:
    """Fuse ranked lists (best first) into one list of (item, score), best first.
    Ties keep the order in which items were first seen, so the result is deterministic."""
    if k < 0:
        raise ValueError(f"RRF constant k must be >= 0, got {k}")
    weights = weights or [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError(f"got {len(weights)} weights for {len(rankings)} rankings")
    scores: dict[Hashable, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda pair: -pair[1])
