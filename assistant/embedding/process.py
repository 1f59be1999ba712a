"""An embedder that runs in a child process, for the desktop app.

torch's import and parts of tokenisation hold the GIL for hundreds of milliseconds at a time
(see `assistant.child_process`). Requests go in slices of `SLICE` texts, one at a time, so a
question's embedding waits for at most one slice of a document being ingested. The CLI and the
tests use the in-process MiniLMEmbedder.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from assistant.child_process import ChildFailed, ChildNotStarted, ChildProcess
from assistant.errors import ClausewiseError

SLICE = 64
DEFAULT_FACTORY = "assistant.embedding.minilm:MiniLMEmbedder"


class EmbedderUnavailable(ClausewiseError):
    pass


class EmbedderProcess:
    """Same interface as MiniLMEmbedder; the model lives in a child process started on first use."""

    def __init__(self, name: str, dimension: int, factory: str = DEFAULT_FACTORY, slice_size: int = SLICE,
                 process_name: str = "clausewise-embedder"):
        self.name, self.dimension, self.slice_size = name, dimension, slice_size
        self._child = ChildProcess(factory, name=process_name, attributes=("name", "dimension"),
                                   on_ready=self._check_identity)

    @classmethod
    def for_minilm(cls) -> "EmbedderProcess":
        from assistant.embedding.minilm import MiniLMEmbedder

        return cls(MiniLMEmbedder.name, MiniLMEmbedder.dimension)

    @classmethod
    def for_static(cls) -> "EmbedderProcess":
        """The fast embedder in a child of its own: in the window's process the largest event-loop
        gaps while contracts-100 was ingested were 325-389 ms. It reads a slice of 1,024 windows
        in about half a second."""
        from assistant.embedding.static import StaticEmbedder

        return cls(StaticEmbedder.name, StaticEmbedder.dimension, factory="assistant.embedding.static:StaticEmbedder",
                   slice_size=1024, process_name="clausewise-fast-embedder")

    @classmethod
    def for_multilingual(cls) -> "EmbedderProcess":
        """e5 for German and French documents, in a child of its own: its C engine runs outside
        the GIL, but a slice of windows still takes seconds of both cores."""
        from assistant.embedding.e5 import E5Embedder

        return cls(E5Embedder.name, E5Embedder.dimension, factory="assistant.embedding.e5:E5Embedder",
                   slice_size=16, process_name="clausewise-multilingual-embedder")

    def _check_identity(self, loaded: dict):
        if (loaded["name"], loaded["dimension"]) != (self.name, self.dimension):
            raise EmbedderUnavailable(f"The embedding process loaded {loaded['name']} "
                                      f"({loaded['dimension']} dimensions), not {self.name}.")

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        parts = []
        for at in range(0, len(texts), self.slice_size):
            try:
                parts.append(self._child.call("embed_documents", texts[at:at + self.slice_size]))
            except ChildNotStarted as exc:
                raise EmbedderUnavailable(f"The embedding model could not be loaded ({exc}).") from None
            except ChildFailed as exc:
                raise EmbedderUnavailable(f"Embedding failed: {exc}.") from None
        return np.concatenate(parts).astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        # The child's own embed_query: e5 embeds a question with its "query: " prefix, not as a passage.
        try:
            return np.asarray(self._child.call("embed_query", text), dtype=np.float32)
        except ChildNotStarted as exc:
            raise EmbedderUnavailable(f"The embedding model could not be loaded ({exc}).") from None
        except ChildFailed as exc:
            raise EmbedderUnavailable(f"Embedding failed: {exc}.") from None

    def warm_up(self) -> None:
        self.embed_documents(["warm up"])

    @property
    def pid(self) -> int | None:
        return self._child.pid

    def terminate(self):
        """Stop the child now (closing the app mid-document): the running request fails, and the
        ingest pipeline leaves nothing half-stored."""
        self._child.terminate()

    def close(self, timeout: float = 5.0):
        self._child.close(timeout)
