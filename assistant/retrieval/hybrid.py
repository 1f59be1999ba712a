"""Hybrid search: dense top-k from Chroma and BM25 top-k from SQLite FTS5, fused by rank.

Exact strings decide contracts (clause numbers, defined terms, party names), which BM25 finds and
dense search misses; paraphrases ("how long must records be kept") are the other way round.

Questions about contracts name the contract ("the NETGEAR / Ingram Micro distributor agreement")
and then the clause ("can it be assigned?"). Searched as one string, the party names outweigh the
clause words, and the preamble that names the parties wins for every question. So retrieval runs
in two stages: the global search routes the question to the document(s) it is about, then each
such document is searched again with the words that merely identify it removed (those found in
its title and preamble), so the clause words decide the ranking inside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from assistant.retrieval.definitions import definition_first
from assistant.retrieval.dense import TieredDense
from assistant.retrieval.fusion import reciprocal_rank_fusion
from assistant.retrieval.operative import articles_first
from assistant.text import content_words
from assistant.store.index import Index
from assistant.settings import RetrievalSettings
from assistant.types import Hit, SearchFilters


@dataclass(frozen=True)
class Retrieval:
    hits: list[Hit]
    routed: list[str]  # the documents the question was routed to and searched again inside


@dataclass(frozen=True)
class _Ranked:
    chunk_id: str
    source_id: str
    raw: float


def identity_words(catalog, source_id: str, opening_chars: int) -> set[str]:
    """The lower-cased words of a document's title and opening, where a contract names itself and
    its parties."""
    doc, first = catalog.document(source_id), catalog.page(source_id, 1)
    identity = (doc.title if doc else "") + " " + (first.text[:opening_chars] if first else "")
    return set(re.findall(r"\w+", identity.lower()))


class HybridRetriever:
    def __init__(self, index: Index, embedder, settings: RetrievalSettings = RetrievalSettings(),
                 fast_embedder=None):
        """`fast_embedder`: the one documents not yet upgraded were embedded with (retrieval/dense.py)."""
        self.index = index
        self.embedder = embedder
        self.settings = settings
        self.dense = TieredDense(index, embedder, fast_embedder)

    def _scope(self, filters: SearchFilters | None) -> list[str] | None:
        if filters is None or (not filters.documents and not filters.doc_types):
            return None
        docs = self.index.catalog.documents()
        allowed = {d.source_id for d in docs}
        if filters.documents:
            allowed &= set(self.index.catalog.resolve(filters.documents))
        if filters.doc_types:
            types = {t.lower().lstrip(".") for t in filters.doc_types}
            allowed &= {d.source_id for d in docs if d.doc_type in types}
        return sorted(allowed)

    def _rank(self, query: str, n: int, scope: Sequence[str] | None) -> tuple[list[_Ranked], list[_Ranked]]:
        dense = [_Ranked(*row) for row in self.dense.search(query, n, scope)]
        lexical = [_Ranked(*row) for row in self.index.catalog.lexical_search(query, n, source_ids=scope)]
        return dense, lexical

    def _route(self, fused: list[tuple[str, float]], source_of: dict[str, str]) -> list[str]:
        per_doc: dict[str, list[float]] = {}
        for cid, score in fused[: self.settings.candidates]:
            per_doc.setdefault(source_of[cid], []).append(score)
        mass = {sid: sum(scores[: self.settings.route_top]) for sid, scores in per_doc.items()}
        total = sum(mass.values()) or 1.0
        ranked = sorted(mass.items(), key=lambda pair: -pair[1])
        return [sid for sid, m in ranked[: self.settings.max_routed] if m / total >= self.settings.route_share]

    def focus_query(self, query: str, source_id: str) -> str:
        """The question without the words that only identify this document: those its title or
        preamble contains ("Acme", "GDPR", "distributor agreement"). Where that would leave less
        than two words, only the words written as names (capitalised, or with digits) go, since
        the rest then likely describe the clause ("What license is granted under the ... License
        Agreement?")."""
        in_document = identity_words(self.index.catalog, source_id, self.settings.preamble_chars)
        words = content_words(query)
        kept = [w for w in words if w not in in_document]
        if len(kept) < 2:
            tokens = re.findall(r"\w+", query)
            names = {t.lower() for t in tokens[1:] if t[0].isupper() or any(ch.isdigit() for ch in t)}
            kept = [w for w in words if w not in (names & in_document)]
        return " ".join(kept)

    def search(self, query: str, k: int = 10, filters: SearchFilters | None = None) -> list[Hit]:
        return self.retrieve(query, k, filters).hits

    def retrieve(self, query: str, k: int = 10, filters: SearchFilters | None = None) -> Retrieval:
        if k <= 0:
            raise ValueError(f"k must be positive, got {k}")
        scope = self._scope(filters)
        if scope is not None and not scope:
            return Retrieval([], [])
        n = max(self.settings.candidates, k)
        dense, lexical = self._rank(query, n, scope)
        rankings = [dense, lexical]
        source_of = {r.chunk_id: r.source_id for r in dense + lexical}
        fused = reciprocal_rank_fusion([[r.chunk_id for r in ranking] for ranking in rankings])
        s = self.settings
        weights = [s.global_weight, s.global_weight]
        routed = self._route(fused, source_of)
        for source_id in routed:
            focus = self.focus_query(query, source_id)
            if focus:
                rankings.extend(self._rank(focus, n, [source_id]))
                weights.extend([s.focused_dense_weight, s.focused_lexical_weight])
        if len(rankings) > 2:
            fused = reciprocal_rank_fusion([[r.chunk_id for r in ranking] for ranking in rankings], weights=weights)

        dense_rank = {r.chunk_id: i for i, r in enumerate(dense, start=1)}
        lexical_rank = {r.chunk_id: i for i, r in enumerate(lexical, start=1)}
        distance = {r.chunk_id: r.raw for r in dense}
        chunks = self.index.catalog.chunks_by_id([cid for cid, _ in fused[: max(k * 2, s.articles_window)]])
        hits = [
            Hit(chunk=chunks[cid], score=score, dense_rank=dense_rank.get(cid), lexical_rank=lexical_rank.get(cid),
                dense_distance=distance.get(cid))
            for cid, score in fused
            if cid in chunks
        ]
        hits = articles_first(self.index, hits, s.articles_window)
        hits = definition_first(self.index.catalog, query, hits, scope if scope is not None else routed)
        return Retrieval(hits[:k], routed)
