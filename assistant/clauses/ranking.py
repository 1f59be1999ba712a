"""A ranking of a document's passages by the clause a question asks about, for the search.

Dense and BM25 search match the question's words. A clause rarely uses them: "Is liability
capped?" is answered by "in no event shall either party's aggregate liability exceed the fees
paid", and "restrict either party from competing" by "shall not, directly or indirectly, engage in
any business that ...". The checklists already know each clause's usual wording (an item's
signals) and, where labelled contracts taught it, which of those sentences are the clause itself
(the learned detectors, detectors.py). So when a question asks about an item (it names the item's
label or a hint, presence.items_asked), the passages of a routed document that hold the item's
sentences are ranked by how likely the best of them is the clause: the detector's probability
where the item's detector decides its review cells (mode "both"), else the number of signals the
sentence matches. The search fuses this ranking with its own (retrieval/hybrid.py).

A question names a clause in more ways than an item's hints list ("Which jurisdiction's law
governs …?" names no "governing law"; "What license is granted …?" no "license grant"). So when
it names no item, the item nearest to it in meaning is taken: the MiniLM cosine of the question
(without the words that only identify its document) and the item's label, question and hints,
when it reaches NEAREST_ITEM. On cuad100's tuning part that item was the labelled clause for 121
of the 127 answerable questions that reached 0.4 (0.3: 126 of 136; 0.5: 103 of 107), and MRR@10
rose 0.757 -> 0.781 (taking it alongside named items too: 0.785; only it: 0.767).

On cuad100's tuning part: MRR@10 0.663 -> 0.757, recall@10 0.887 -> 0.915 (weight 1.5; the
signal count alone for every item: 0.740). The detectors were trained on the same contracts, so
the validation part is the measure: MRR@10 0.582 -> 0.679, recall@10 0.883 -> 0.934.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from assistant.clauses.candidates import candidates, load_document
from assistant.clauses.checklist import Checklist, Item
from assistant.clauses.detectors import Detectors
from assistant.clauses.presence import items_asked

# The most passages the ranking lists: beyond these the search's own rankings decide.
MAX_RANKED = 50
# The cosine at which the item nearest to a question that names none is taken as asked about.
NEAREST_ITEM = 0.4


class ClauseRanker:
    def __init__(self, index, checklists: Sequence[Checklist], detectors: Detectors | None, embedder=None):
        """`embedder`: the one whose question vectors `rank` is given (MiniLM); without it, only
        the items a question names count."""
        self.index = index
        self.embedder = embedder
        self._item_vectors = None
        self.checklists = tuple(checklists)
        self.detectors = detectors
        fingerprints = [c.fingerprint for c in self.checklists] + [detectors.fingerprint if detectors else ""]
        self._version = "-".join(fingerprints)

    def items(self, question: str, question_vector=None, source_id: str = "") -> list[Item]:
        """The items the question names (not by the document's name), else the one nearest to it
        (see above), else none."""
        named = items_asked(self.index.catalog, question, self.checklists, [source_id] if source_id else ())
        if named or question_vector is None or self.embedder is None:
            return named
        items, vectors = self._vectors()
        if not items:
            return []
        similarity = vectors @ np.asarray(question_vector, dtype=np.float32)
        best = int(np.argmax(similarity))
        return [items[best]] if similarity[best] >= NEAREST_ITEM else []

    def _vectors(self):
        if self._item_vectors is None:
            items = [item for checklist in self.checklists for item in checklist.items if item.signals]
            texts = [f"{item.label}: {item.question} " + ", ".join(item.hints) for item in items]
            vectors = np.array([self.embedder.embed_query(text) for text in texts], dtype=np.float32)
            self._item_vectors = (items, vectors.reshape(len(items), -1))
        return self._item_vectors

    def rank(self, question: str, source_id: str, question_vector=None) -> list[str]:
        """Chunk ids of `source_id`, best first, holding a sentence of an item the question asks
        about; empty when it asks about none. `question_vector`: the embedder's vector of the
        question without the words that only identify the document."""
        scores: dict[str, float] = {}
        for item in self.items(question, question_vector, source_id):
            kind = f"clause-ranking-{item.id}-{self._version}"
            for chunk_id, score in self.index.derived.get(kind, source_id, lambda: self._scores(item, source_id)):
                scores[chunk_id] = max(scores.get(chunk_id, score), score)
        return sorted(scores, key=lambda cid: -scores[cid])[:MAX_RANKED]

    def _scores(self, item: Item, source_id: str) -> list[tuple[str, float]]:
        """(chunk id, score of its likeliest sentence of the item), for the chunks holding one."""
        catalog = self.index.catalog
        chunks = catalog.chunks_by_id(catalog.chunk_ids(source_id)).values()
        by_page: dict[int, list] = {}
        for chunk in chunks:
            by_page.setdefault(chunk.page, []).append(chunk)
        detector = self.detectors.for_item(item) if self.detectors else None
        learned = detector is not None and detector.mode == "both"
        best: dict[str, float] = {}
        for page, start, _end, text in candidates(load_document(catalog, source_id), item):
            holder = next((c for c in by_page.get(page, ()) if c.start <= start < c.end), None)
            if holder is None:
                continue
            score = detector.probability(text, holder.heading) if learned else float(item.signal_count(text))
            best[holder.chunk_id] = max(best.get(holder.chunk_id, score), score)
        return sorted(best.items(), key=lambda pair: -pair[1])
