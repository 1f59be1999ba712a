"""The in-process MiniLM embedder: it loads offline without the offline environment variables,
leaves the environment as it found it, and every embedder in a process shares one model."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Run in a fresh interpreter: huggingface_hub reads HF_HUB_OFFLINE once, at import, and this
# process imported it with the variable set by conftest.
PROBE = """
import json, os, socket
attempts = []
real_connect = socket.socket.connect
def connect(sock, address):
    if sock.family != getattr(socket, "AF_UNIX", None):
        attempts.append(repr(address))
        raise OSError("network blocked")
    return real_connect(sock, address)
def getaddrinfo(host, *args, **kwargs):
    attempts.append(repr(host))
    raise OSError("network blocked")
socket.socket.connect, socket.getaddrinfo = connect, getaddrinfo

from assistant.embedding.minilm import MiniLMEmbedder, _shared_model
first, second = MiniLMEmbedder(threads=1), MiniLMEmbedder(threads=1)
vector = first.embed_query("The total liability of the Supplier shall not exceed the fees paid.")
print(json.dumps({
    "attempts": attempts,
    "dimension": len(vector), "norm": float((vector ** 2).sum()),
    "environment": {k: os.environ.get(k) for k in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")},
    "shared": first._load() is second._load(),
    "cache": [_shared_model.cache_info().maxsize, _shared_model.cache_info().currsize],
}))
"""


@pytest.mark.slow
def test_minilm_loads_offline_without_touching_the_environment():
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    facts = json.loads(out.stdout.strip().splitlines()[-1])
    assert facts["attempts"] == []
    assert facts["dimension"] == 384 and abs(facts["norm"] - 1.0) < 1e-4
    assert facts["environment"] == {"HF_HUB_OFFLINE": None, "TRANSFORMERS_OFFLINE": None}
    assert facts["shared"] is True and facts["cache"] == [1, 1]


def test_the_embedder_runs_on_a_gpu_when_torch_sees_one_and_the_setting_overrides(monkeypatch):
    import torch

    from assistant.embedding import minilm

    monkeypatch.delenv(minilm.DEVICE_ENV, raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert minilm.embedding_device() == "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert minilm.embedding_device() == "cpu"
    monkeypatch.setenv(minilm.DEVICE_ENV, "cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert minilm.embedding_device() == "cpu"


def test_on_this_machine_it_runs_on_the_cpu(minilm):
    minilm.embed_query("warm up")
    assert minilm.device == "cpu"
