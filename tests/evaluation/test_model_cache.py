"""Replaying the model's replies in an evaluation (assistant/evaluation/model_cache.py)."""

from assistant.evaluation.model_cache import ModelCache
from assistant.testing import ScriptedGenerator

MESSAGES = [{"role": "system", "content": "Answer."}, {"role": "user", "content": "[1] a:\nThe term is 3 years.\n\nQuestion: term?"}]


def test_a_prompt_seen_before_is_replayed_without_the_model(tmp_path):
    model = ScriptedGenerator(script="The term is three years [1].")
    first = ModelCache(model, tmp_path / "replies.jsonl", "m", replay_timing=False)
    assert "".join(first.stream(MESSAGES, max_tokens=64)) == "The term is three years [1]."
    assert len(model.calls) == 1 and first.misses == 1

    again = ModelCache(ScriptedGenerator(script="something else"), tmp_path / "replies.jsonl", "m", replay_timing=False)
    assert "".join(again.stream(MESSAGES, max_tokens=64)) == "The term is three years [1]."
    assert again.hits == 1 and again.generator.calls == []
    # Another model, another token limit or another prompt is asked afresh.
    assert "".join(again.stream(MESSAGES, max_tokens=32)) == "something else"
    other = ModelCache(ScriptedGenerator(script="x"), tmp_path / "replies.jsonl", "other-model", replay_timing=False)
    assert "".join(other.stream(MESSAGES, max_tokens=64)) == "x"


def test_a_reply_cut_short_by_a_cancel_is_not_kept(tmp_path):
    import threading

    cancel = threading.Event()
    cache = ModelCache(ScriptedGenerator(script="one two three four"), tmp_path / "r.jsonl", "m", replay_timing=False)
    for i, _ in enumerate(cache.stream(MESSAGES, cancel=cancel)):
        if i == 1:
            cancel.set()
    assert not (tmp_path / "r.jsonl").exists() or (tmp_path / "r.jsonl").read_text() == ""
