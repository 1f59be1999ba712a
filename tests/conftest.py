"""Shared fixtures. Real Chroma and real SQLite in a temporary folder, always; the hash embedder
stands in for MiniLM where a test is about something other than embedding quality."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # Qt tests need no display

from assistant.service import Assistant  # noqa: E402
from assistant.testing import HashEmbedder  # noqa: E402

EVAL_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "eval" / "corpus"


@pytest.fixture
def hash_embedder():
    return HashEmbedder()


@pytest.fixture
def assistant(tmp_path, hash_embedder):
    a = Assistant(tmp_path / "index", embedder=hash_embedder)
    yield a
    a.close()


@pytest.fixture(scope="session")
def minilm():
    from assistant.embedding import MiniLMEmbedder

    return MiniLMEmbedder()


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a network connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args[1:] if len(args) > 1 else args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield
