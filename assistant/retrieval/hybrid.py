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
from assistant.language import question_language
from assistant.retrieval.dense import TieredDense
from assistant.store.catalog import MAIN, MULTILINGUAL
from assistant.retrieval.fusion import reciprocal_rank_fusion
from assistant.retrieval.operative import articles_first
from assistant.retrieval.routing import (acronyms, document_mass, identity_text, identity_words, name_scores,
                                        named_document, route, written_acronyms)
from assistant.text import content_words
from assistant.store.index import Index
from assistant.settings import RetrievalSettings
from assistant.types import Hit, SearchFilters


# A word in at least this share of a document's passages is left out of the search inside it
# (HybridRetriever.focus_query).
COMMON_SHARE = 0.5


@dataclass(frozen=True)
class Retrieval:
    hits: list[Hit]
    routed: list[str]  # the documents the question was routed to and searched again inside


@dataclass(frozen=True)
class _Ranked:
    chunk_id: str
    source_id: str
    raw: float




class HybridRetriever:
    def __init__(self, index: Index, embedder, settings: RetrievalSettings = RetrievalSettings(),
                 fast_embedder=None, multilingual_embedder=None, clause_ranker=None):
        """`fast_embedder`: the one documents not yet upgraded were embedded with;
        `multilingual_embedder`: the one documents in German or French were (retrieval/dense.py);
        `clause_ranker`: ranks a document's passages by the clause a question asks about
        (clauses/ranking.py), fused with the in-document rankings."""
        self.index = index
        self.clause_ranker = clause_ranker
        self.embedder = embedder
        self.settings = settings
        self.dense = TieredDense(index, embedder, fast_embedder, multilingual_embedder)

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

    def _identity(self, source_id: str) -> set[str]:
        chars = self.settings.preamble_chars
        return self.index.derived.get(f"identity-words-{chars}", source_id,
                                      lambda: identity_words(self.index.catalog, source_id, chars))

    def _acronyms(self, source_id: str) -> set[str]:
        chars = self.settings.preamble_chars
        return self.index.derived.get(f"identity-acronyms-{chars}", source_id,
                                      lambda: acronyms(identity_text(self.index.catalog, source_id, chars)))

    def _route(self, query: str, fused: list[tuple[str, float]], source_of: dict[str, str]) -> list[str]:
        """The documents the question is about (retrieval/routing.py), among those the global
        search found: the one it names, the one with most of the fused score, any with a clear share."""
        s = self.settings
        mass = document_mass(fused[: s.candidates], source_of, s.route_top)
        # A name written as initials ("the GE agreement", "P&G") names the document whose title or
        # opening spells it out.
        initials = written_acronyms(query)
        identities = {sid: self._identity(sid) | (self._acronyms(sid) & initials if initials else set()) for sid in mass}
        named = named_document(name_scores(query, identities))
        return route(mass, named, s.route_share, s.max_routed)

    def focus_query(self, query: str, source_id: str) -> str:
        """The question without the words that only identify this document: those its title or
        preamble contains ("Acme", "GDPR", "distributor agreement"). Where that would leave less
        than two words, only the words written as names (capitalised, or with digits) go, since
        the rest then likely describe the clause ("What license is granted under the ... License
        Agreement?").

        Then a word found in half or more of the document's passages goes too, unless nothing
        would be left: it cannot tell them apart, and it is most often a word that names the
        document's kind ("sponsorship" in a sponsorship agreement, whose opening may not say it)
        yet weighs as much as a clause word, since BM25 weighs words by their rarity in the whole
        collection. On cuad100's tuning part: recall@10 0.844 -> 0.872."""
        in_document = self._identity(source_id)
        words = content_words(query)
        kept = [w for w in words if w not in in_document]
        if len(kept) < 2:
            tokens = re.findall(r"\w+", query)
            names = {t.lower() for t in tokens[1:] if t[0].isupper() or any(ch.isdigit() for ch in t)}
            kept = [w for w in words if w not in (names & in_document)]
        return " ".join(self._without_common(kept, source_id))

    def _without_common(self, words: list[str], source_id: str) -> list[str]:
        catalog = self.index.catalog
        passages = self.index.derived.get("passage-count", source_id, lambda: len(catalog.chunk_ids(source_id)))
        rare = [w for w in words if catalog.chunk_frequency(w, [source_id]) < COMMON_SHARE * passages]
        return rare or words

    def _across_languages(self, asked: str, source_id: str) -> bool:
        """The question is in another language than this document, which has multilingual
        vectors. Its in-document BM25 then matches only the names the question shares with it
        ("Cloud Temple"), weighted above everything else, while the document the question is
        really about, in a third language, shares none: an English question about a French
        contract was routed to the German annex of the same company. The dense ranking, which
        reads across languages, decides inside such a document."""
        if self.dense.multilingual_embedder is None or self.index.catalog.space_of(source_id) != MULTILINGUAL:
            return False
        languages = self.index.catalog.languages([source_id])
        return bool(languages) and "" not in languages and languages != {asked}

    def _clause_ranking(self, query: str, focus: str, source_id: str) -> list[str]:
        """The clause ranker's passages of this document (clauses/ranking.py). It also reads the
        focused question's MiniLM vector, which the dense search just computed, where the
        document has MiniLM vectors (not in a fresh collection's fast tier, nor in e5's space,
        where asking for it would load MiniLM for nothing)."""
        if self.clause_ranker is None:
            return []
        vector = None
        if focus and self.index.catalog.space_windows(MAIN, [source_id]):
            vector = self.dense.query_vector(self.embedder, focus)
        return self.clause_ranker.rank(query, source_id, vector)

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
        s = self.settings
        fused = reciprocal_rank_fusion([[r.chunk_id for r in ranking] for ranking in rankings], k=s.fusion_k)
        weights = [s.global_weight, s.global_weight]
        routed = self._route(query, fused, source_of)
        asked = question_language(query)
        across = set()
        for source_id in routed:
            focus = self.focus_query(query, source_id)
            if focus:
                focused_dense, focused_lexical = self._rank(focus, n, [source_id])
                rankings.append(focused_dense)
                weights.append(s.focused_dense_weight)
                if self._across_languages(asked, source_id):
                    across.add(source_id)
                else:
                    rankings.append(focused_lexical)
                    weights.append(s.focused_lexical_weight)
            clause_ranking = self._clause_ranking(query, focus, source_id)
            if clause_ranking:
                rankings.append([_Ranked(cid, source_id, 0.0) for cid in clause_ranking])
                weights.append(s.clause_weight)
        if across:  # nor does the global BM25 ranking rank inside them, for the same reason
            rankings[1] = [r for r in lexical if r.source_id not in across]
        if len(rankings) > 2:
            fused = reciprocal_rank_fusion([[r.chunk_id for r in ranking] for ranking in rankings],
                                           k=s.fusion_k, weights=weights)

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
