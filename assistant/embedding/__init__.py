"""Embedders: text -> unit vectors. `minilm.MiniLMEmbedder` runs the packaged MiniLM in this
process (the CLI and the tests); `process.EmbedderProcess` runs it in a child process (the desktop
app); `assistant.testing.HashEmbedder` stands in where embedding quality does not matter. All of
them have the shape of `Embedder`."""

from __future__ import annotations

from typing import Protocol, Sequence

import numpy as np


class Embedder(Protocol):
    name: str
    dimension: int

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...
