"""Facts derived from a document's stored pages (its running headers and footers, where a
regulation's articles begin) that searches and answers need again and again. They are kept by the
index that holds the document, so they are bounded, dropped when it closes and forgotten when the
document goes; source ids are content hashes, so a changed file never reads a stale fact."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Hashable, TypeVar

T = TypeVar("T")


class DerivedFacts:
    def __init__(self, limit: int = 2048):
        self.limit = limit  # (kind, document) pairs; each fact is small (a few keys or a position)
        self._facts: OrderedDict[tuple[str, str], object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, kind: str, source_id: str, compute: Callable[[], T]) -> T:
        key = (kind, source_id)
        with self._lock:
            if key in self._facts:
                self._facts.move_to_end(key)
                return self._facts[key]  # type: ignore[return-value]
        value = compute()  # outside the lock: it reads the catalog, and two computations agree
        with self._lock:
            self._facts[key] = value
            while len(self._facts) > self.limit:
                self._facts.popitem(last=False)
        return value

    def forget(self, source_id: Hashable) -> None:
        with self._lock:
            for key in [k for k in self._facts if k[1] == source_id]:
                del self._facts[key]

    def clear(self) -> None:
        with self._lock:
            self._facts.clear()
