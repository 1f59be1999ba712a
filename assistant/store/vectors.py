"""Dense vectors in a local Chroma collection. Chroma is only ever given vectors: its default
embedding function would try to download a model, which must never happen."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Sequence

import numpy as np

COLLECTION = "chunks"
# Vectors per Chroma `add`. An add holds the GIL throughout (the app therefore runs Chroma in a
# child process, `vector_process.py`), and a search waits for the add in progress: small batches
# keep that wait short. Batches of 32 cost about 1 % of an ingest's time. (Chroma's ceiling is 5461.)
MAX_BATCH = 32
# Windows fetched per chunk wanted: a chunk's windows often rank together.
WINDOWS_PER_CHUNK = 3


_M_PERTURB = -6  # glibc's mallopt parameter: fill memory with a byte pattern as it is allocated and freed


def _scrub_freed_memory() -> None:
    """Chroma's HNSW index allocates its node array without clearing it and writes the whole array
    to data_level0.bin, so heap memory that once held a passage's text (since freed) can end up
    in that file, where a removed document's words would outlive its removal (seen: 1 index in 15,
    tests/store/test_erasure.py). With glibc's perturb option memory is overwritten when freed
    and when handed out, so what is written is a pattern, never old text. Elsewhere (not glibc)
    this does nothing."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(_M_PERTURB, 0x5A)
    except (OSError, AttributeError):
        pass


class VectorStore:
    def __init__(self, folder: Path):
        os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
        _scrub_freed_memory()
        import chromadb
        from chromadb.config import Settings

        logging.getLogger("chromadb.telemetry").setLevel(logging.CRITICAL)
        self._client = chromadb.PersistentClient(
            path=str(folder), settings=Settings(anonymized_telemetry=False, allow_reset=False)
        )
        self._collection = self._client.get_or_create_collection(
            COLLECTION, embedding_function=None, metadata={"hnsw:space": "cosine"}
        )
        self._batch = min(MAX_BATCH, self._client.get_max_batch_size())

    def add(self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict]):
        for i in range(0, len(ids), self._batch):
            self._collection.add(
                ids=list(ids[i : i + self._batch]),
                embeddings=vectors[i : i + self._batch],
                metadatas=list(metadatas[i : i + self._batch]),
            )

    def close(self):
        self._client.close()

    def delete_source(self, source_id: str):
        self._collection.delete(where={"source_id": source_id})

    def count(self, source_id: str | None = None) -> int:
        if source_id is None:
            return self._collection.count()
        return len(self._collection.get(where={"source_id": source_id}, include=[])["ids"])

    def ids(self) -> list[tuple[str, str]]:
        """(vector id, source id) of every stored vector, read in pages so a large index is
        never fetched in one call."""
        found: list[tuple[str, str]] = []
        page = 5000
        while True:
            batch = self._collection.get(include=["metadatas"], limit=page, offset=len(found))
            found.extend((vid, (meta or {}).get("source_id", "")) for vid, meta in zip(batch["ids"], batch["metadatas"]))
            if len(batch["ids"]) < page:
                return found

    def query(self, vector: np.ndarray, k: int, source_ids: Sequence[str] | None = None,
              doc_types: Sequence[str] | None = None) -> list[tuple[str, str, float]]:
        """(chunk_id, source_id, cosine distance) for the k best chunks, best first. A chunk is
        stored as several windows and ranks by its closest one."""
        clauses = []
        if source_ids is not None:
            clauses.append({"source_id": {"$in": list(source_ids)}})
        if doc_types:
            clauses.append({"doc_type": {"$in": list(doc_types)}})
        where = None if not clauses else clauses[0] if len(clauses) == 1 else {"$and": clauses}
        if k <= 0:
            return []
        # No count() first: Chroma returns what there is when asked for more (an empty collection
        # included), and counting 300,000 vectors took 24 ms of a 97 ms search.
        result = self._collection.query(
            query_embeddings=[vector], n_results=k * WINDOWS_PER_CHUNK, where=where,
            include=["distances", "metadatas"],
        )
        best: dict[str, tuple[str, str, float]] = {}
        for meta, dist in zip(result["metadatas"][0], result["distances"][0]):
            best.setdefault(meta["chunk_id"], (meta["chunk_id"], meta["source_id"], dist))
        return list(best.values())[:k]
