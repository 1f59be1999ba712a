"""What every evaluation shares: reading the eval set's JSONL files, and the reference scorer's
text normalisation and overlap threshold, so retrieval, answers and review are scored by one rule."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

# The reference scorer's rule: a chunk or quote matches a gold span when their longest common
# substring covers this share of the span.
OVERLAP = 0.5


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").replace("\u00ad", "")
    text = re.sub(r"[\u2018\u2019\u201a\u201b\u2032]", "'", text)
    text = re.sub(r"[\u201c\u201d\u201e\u201f\u2033]", '"', text)
    text = re.sub(r"[\u2010-\u2015]", "-", text)
    return re.sub(r"\s+", " ", text).strip().lower()


def load_jsonl(path: Path | str) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
