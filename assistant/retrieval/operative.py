"""Operative text before recitals. An EU regulation or directive opens with recitals ("Whereas:
(39) ... should ...") that explain it, and only after "HAVE ADOPTED THIS REGULATION" come the
articles that bind. Recitals paraphrase the articles closely, so they rank as high; but a
compliance officer asking what the GDPR requires needs the article, and cites it. Among the best
few hits, passages from the articles therefore come first, the recitals after them, each group in
its own order; a recital that ranks high is still shown when no article is near.
"""

from __future__ import annotations

import re
from typing import Sequence

from assistant.types import Hit

_ADOPTED = re.compile(
    r"\b(HAVE|HAS) ADOPTED TH(IS|E PRESENT) (REGULATION|DIRECTIVE|DECISION)\b"
    r"|\bHAB(EN|T) (FOLGENDE|DIESE) (VERORDNUNG|RICHTLINIE|BESCHLUSS|ENTSCHEIDUNG) ERLASSEN\b"  # German acts
    r"|\b(ONT|A) ADOPTÉ (LE PRÉSENT RÈGLEMENT|LA PRÉSENTE (DIRECTIVE|DÉCISION))"  # French acts
)


def articles_start(index, source_id: str) -> tuple[int, int] | None:
    """(page, offset) where a legislative act's enacting terms begin; None for any other document.
    Worked out once per document and kept by its index."""

    def find():
        matches = ((page.number, _ADOPTED.search(page.text)) for page in index.catalog.pages(source_id))
        return next(((number, match.start()) for number, match in matches if match), None)

    return index.derived.get("articles-start", source_id, find)


def is_recital(index, hit: Hit) -> bool:
    start = articles_start(index, hit.chunk.source_id)
    return start is not None and (hit.chunk.page, hit.chunk.start) < start


def articles_first(index, hits: Sequence[Hit], window: int) -> list[Hit]:
    """The hits with recitals moved behind the articles among the first `window`."""
    top = sorted(hits[:window], key=lambda hit: is_recital(index, hit))  # stable: ranks kept within each group
    return top + list(hits[window:])
