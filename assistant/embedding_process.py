"""An embedder that runs in a child process, for the desktop app.

In one process, torch's import and parts of tokenisation hold Python's GIL for hundreds of
milliseconds at a time, and a GUI thread that cannot get the GIL is a frozen window. In a child
process they hold the child's GIL instead; the app's process only sends texts down a pipe and
reads vectors back (waiting on a pipe releases the GIL).

Requests go in slices of `SLICE` texts, one at a time, so a question's embedding waits for at most
one slice of a document being ingested. The CLI and the tests use the in-process MiniLMEmbedder.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import threading
from typing import Sequence

import numpy as np

from assistant.errors import ClausewiseError

SLICE = 64
DEFAULT_FACTORY = "assistant.embedding:MiniLMEmbedder"


class EmbedderUnavailable(ClausewiseError):
    pass


def _make(factory: str):
    module, _, name = factory.partition(":")
    return getattr(importlib.import_module(module), name)()


def _serve(conn, factory: str):
    """The child: build the embedder, then answer ("texts", [...]) requests until the pipe closes."""
    if hasattr(os, "nice"):
        os.nice(5)  # background work: on a 2-core laptop the window's process must win the CPU
    try:
        embedder = _make(factory)
    except Exception as exc:  # noqa: BLE001 - reported to the parent as the first reply
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", (embedder.name, embedder.dimension)))
    while True:
        try:
            texts = conn.recv()
        except (EOFError, OSError):
            return
        if texts is None:
            return
        try:
            conn.send(("ok", embedder.embed_documents(texts)))
        except Exception as exc:  # noqa: BLE001
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


class EmbedderProcess:
    """Same interface as MiniLMEmbedder; the model lives in a child process started on first use."""

    def __init__(self, name: str, dimension: int, factory: str = DEFAULT_FACTORY):
        self.name, self.dimension, self.factory = name, dimension, factory
        self.seconds = 0.0
        self._lock = threading.Lock()
        self._conn = None
        self._process = None

    @classmethod
    def for_minilm(cls) -> "EmbedderProcess":
        from assistant.embedding import MiniLMEmbedder

        return cls(MiniLMEmbedder.name, MiniLMEmbedder.dimension)

    def _start(self):
        context = multiprocessing.get_context("spawn")  # fork would copy Qt's threads and state
        parent, child = context.Pipe()
        process = context.Process(target=_serve, args=(child, self.factory), name="clausewise-embedder", daemon=True)
        process.start()
        child.close()
        kind, value = self._receive(parent)
        if kind != "ready":
            process.join(5)
            raise EmbedderUnavailable(f"The embedding model could not be loaded ({value}).")
        if tuple(value) != (self.name, self.dimension):
            process.terminate()
            raise EmbedderUnavailable(f"The embedding process loaded {value[0]} ({value[1]} dimensions), not {self.name}.")
        self._conn, self._process = parent, process

    @staticmethod
    def _receive(conn):
        try:
            return conn.recv()
        except (EOFError, OSError):
            return "error", "the embedding process stopped unexpectedly"

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        parts = []
        for at in range(0, len(texts), SLICE):
            with self._lock:
                if self._process is None or not self._process.is_alive():
                    self._process = None
                    self._start()
                self._conn.send(texts[at:at + SLICE])
                kind, value = self._receive(self._conn)
            if kind != "ok":
                raise EmbedderUnavailable(f"Embedding failed: {value}.")
            parts.append(value)
        return np.concatenate(parts).astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]

    def warm_up(self) -> None:
        self.embed_documents(["warm up"])

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def terminate(self):
        """Stop the child now, without waiting for a running request (closing the app mid-document):
        that request fails, and the ingest pipeline leaves nothing half-stored."""
        process = self._process
        if process is not None and process.is_alive():
            process.terminate()

    def close(self, timeout: float = 5.0):
        with self._lock:
            if self._process is None:
                return
            try:
                self._conn.send(None)
            except OSError:
                pass
            self._process.join(timeout)
            if self._process.is_alive():
                self._process.terminate()
                self._process.join(timeout)
            self._conn.close()
            self._conn = self._process = None
