"""The vector store in a child process, for the desktop app.

Chroma's `add` holds the GIL for the whole call, and now and then (when its HNSW graph is
persisted) one batch takes 200-450 ms: long enough to freeze the window. In a child process it
holds the child's GIL (see `assistant.child_process`). Chroma's folder is then opened by the child
only; the app's process never imports chromadb.

Adds go down in batches of `MAX_BATCH`, one call each, so a question's search waits for at most
one batch of a document being stored. Crash safety is unchanged: `Index` writes the vectors before
the catalog marks a document complete, and a failed or killed add leaves it pending.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from assistant.child_process import ChildFailed, ChildProcess
from assistant.errors import IndexProblem
from assistant.store.vectors import MAX_BATCH


class VectorStoreProcess:
    """Same interface as VectorStore; Chroma lives in a child process started on first use."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._child = ChildProcess("assistant.store.vectors:VectorStore", (self.folder,), name="clausewise-vectors")

    def _call(self, method: str, *args):
        try:
            return self._child.call(method, *args)
        except ChildFailed as exc:
            raise IndexProblem(f"The vector store in {self.folder} failed: {exc}.") from None

    def add(self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict]):
        for at in range(0, len(ids), MAX_BATCH):
            self._call("add", list(ids[at:at + MAX_BATCH]), np.asarray(vectors[at:at + MAX_BATCH]),
                       list(metadatas[at:at + MAX_BATCH]))

    def delete_source(self, source_id: str):
        self._call("delete_source", source_id)

    def count(self, source_id: str | None = None) -> int:
        return self._call("count", source_id)

    def ids(self) -> list[tuple[str, str]]:
        return [tuple(pair) for pair in self._call("ids")]

    def query(self, vector: np.ndarray, k: int, source_ids: Sequence[str] | None = None,
              doc_types: Sequence[str] | None = None) -> list[tuple[str, str, float]]:
        return self._call("query", np.asarray(vector), k, None if source_ids is None else list(source_ids),
                          None if doc_types is None else list(doc_types))

    @property
    def pid(self) -> int | None:
        return self._child.pid

    def terminate(self):
        """Stop the child now (closing the app mid-document); the running add fails and its
        document stays pending, to be purged when the index next opens."""
        self._child.terminate()

    def close(self):
        self._child.close()
