"""Running headers and footers: the lines a document repeats at the top or bottom of its pages
("Source: STAAR SURGICAL CO, 10-Q, 8/1/2018", "Organic Preparations INC. & Agape ATP ...", page
numbers). They carry no clause, yet a small model reading a passage copies them as its answer, and
a copied footer then "supports" itself on any page. So the model is not shown them, and a copied
one is removed from its answer. Passages and quotes stay exact slices of the page.
"""

from __future__ import annotations

import re
from collections import Counter
from assistant.text import normalise_space

EDGE_LINES = 2  # lines at the top and at the bottom of a page that may be a header or footer


def line_key(line: str) -> str:
    """A line as compared across pages: spacing and case ignored, numbers as '#' (page numbers)."""
    return re.sub(r"\d+", "#", normalise_space(line)).lower()


def running_lines(index, source_id: str) -> frozenset[str]:
    """Keys of the lines found at a page edge on at least 3 pages and at least 30 % of them;
    worked out once per document and kept by its index."""
    return index.derived.get("running-lines", source_id, lambda: _running_lines(index.catalog.pages(source_id)))


def _running_lines(pages) -> frozenset[str]:
    counts: Counter[str] = Counter()
    with_text = 0
    for page in pages:
        lines = [line for line in page.text.splitlines() if line.strip()]
        if lines:
            with_text += 1
            counts.update({line_key(line) for line in lines[:EDGE_LINES] + lines[-EDGE_LINES:]})
    needed = max(3, 0.3 * with_text)
    return frozenset(key for key, count in counts.items() if count >= needed)


def without_running_lines(text: str, keys: frozenset[str]) -> str:
    """The text without its lines whose key is a running line's."""
    if not keys:
        return text
    return "\n".join(line for line in text.split("\n") if not line.strip() or line_key(line) not in keys)
