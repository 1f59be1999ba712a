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

_ADOPTED = re.compile(r"\b(HAVE|HAS) ADOPTED TH(IS|E PRESENT) (REGULATION|DIRECTIVE|DECISION)\b")
_starts: dict[str, tuple[int, int] | None] = {}  # source id (a content hash) -> where the articles begin


def articles_start(catalog, source_id: str) -> tuple[int, int] | None:
    """(page, offset) where a legislative act's enacting terms begin; None for any other document."""
    if source_id not in _starts:
        matches = ((page.number, _ADOPTED.search(page.text)) for page in catalog.pages(source_id))
        _starts[source_id] = next(((number, match.start()) for number, match in matches if match), None)
    return _starts[source_id]


def is_recital(catalog, hit: Hit) -> bool:
    start = articles_start(catalog, hit.chunk.source_id)
    return start is not None and (hit.chunk.page, hit.chunk.start) < start


def articles_first(catalog, hits: Sequence[Hit], window: int) -> list[Hit]:
    """The hits with recitals moved behind the articles among the first `window`."""
    top = sorted(hits[:window], key=lambda hit: is_recital(catalog, hit))  # stable: ranks kept within each group
    return top + list(hits[window:])
