"""Shared fixtures. Real Chroma and real SQLite in a temporary folder, always; the hash embedder
stands in for MiniLM where a test is about something other than embedding quality.

Hermetic by default: every test has its own empty data directory (CLAUSEWISE_HOME) and cannot open
a network connection. A test that talks to a server it started on 127.0.0.1 is marked `loopback`.
The prepared models are the one exception to the private data directory: joining the default
model takes seconds and half a gigabyte, so every test reads the copy made at set-up."""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # Qt tests need no display

from assistant.paths import models_home  # noqa: E402

# Read before any test moves the data directory; module-scoped fixtures, which run before the
# per-test directory exists, get a session-wide temporary one instead of the user's.
os.environ["CLAUSEWISE_MODELS"] = str(models_home())
SESSION_HOME = tempfile.mkdtemp(prefix="clausewise-test-home-")
os.environ["CLAUSEWISE_HOME"] = SESSION_HOME

from assistant.service import Assistant  # noqa: E402
from assistant.testing import HashEmbedder  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared"
EVAL_CORPUS = SHARED / "eval" / "corpus"
# For tests that read the evaluation data beside the checkout (CI always has it).
needs_shared = pytest.mark.skipif(not EVAL_CORPUS.is_dir(), reason=f"the evaluation data {SHARED} is not there")


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(SESSION_HOME, ignore_errors=True)


class NetworkBlocked(AssertionError):
    """A test tried to reach the network; Clausewise must work with none."""


def _is_loopback(address) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def own_data_home(tmp_path_factory, monkeypatch):
    """Every test starts with an empty data directory of its own: no settings, collections or
    indexes left by another test or by the user."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("CLAUSEWISE_HOME", str(home))
    return home


@pytest.fixture(autouse=True, scope="module")
def ocr_threads_stopped():
    """A test that OCRs in the test process leaves the OCR threads for the next document; stop
    them after each module, so a later test that counts the app's threads sees only its own."""
    yield
    from assistant.ingest import ocr

    ocr.close_pool()


@pytest.fixture(autouse=True)
def network_blocked(request, monkeypatch):
    """Connections fail unless they are local: Unix sockets always (a pipe to a child process),
    127.0.0.1 and ::1 only for tests marked `loopback`. Name lookups of other hosts fail too."""
    loopback = request.node.get_closest_marker("loopback") is not None
    real_connect, real_connect_ex, real_getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

    def allowed(sock, address) -> bool:
        return sock.family == getattr(socket, "AF_UNIX", None) or (loopback and _is_loopback(address))

    def connect(sock, address):
        if not allowed(sock, address):
            raise NetworkBlocked(f"network access attempted: {address!r}")
        return real_connect(sock, address)

    def connect_ex(sock, address):
        if not allowed(sock, address):
            raise NetworkBlocked(f"network access attempted: {address!r}")
        return real_connect_ex(sock, address)

    def getaddrinfo(host, *args, **kwargs):
        if not (loopback and _is_loopback((host,))):
            raise NetworkBlocked(f"name lookup attempted: {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


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
    from assistant.embedding.minilm import MiniLMEmbedder

    return MiniLMEmbedder()

