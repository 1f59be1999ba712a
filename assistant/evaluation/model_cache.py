"""Replay the model's replies during evaluation, so a change after the model (verification, the
fallback, citation mapping) is measured without running the model again.

At temperature 0 the same prompt to the same model gives the same reply, so a reply is keyed by
the model's name, the prompt messages and the token limit. A reply is stored with the time its
first piece took, and `replay_timing` waits that long again before the first piece, so a replayed
run reports the time to first token the model really took (it costs wall time, not CPU). Only
`clausewise eval answers --model-cache FILE` uses it; no stage imports it.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from pathlib import Path
from typing import Iterator, Sequence


def reply_key(model: str, messages: Sequence[dict], max_tokens: int, schema: dict | None = None) -> str:
    keyed = [model, list(messages), max_tokens] + ([schema] if schema else [])
    payload = json.dumps(keyed, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class ModelCache:
    """A generator that answers from a JSON-lines file of earlier replies, and asks the wrapped
    generator (appending its reply to the file) for a prompt it has not seen."""

    def __init__(self, generator, path: Path, model: str, replay_timing: bool = True):
        self.generator = generator
        self.path = Path(path)
        self.model = model
        self.replay_timing = replay_timing
        self.hits = self.misses = 0
        self._lock = threading.Lock()
        self._replies: dict[str, dict] = {}
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    entry = json.loads(line)
                    self._replies[entry["key"]] = entry

    @property
    def settings(self):
        return getattr(self.generator, "settings", None)

    def stream(self, messages: Sequence[dict], max_tokens: int = 256, temperature: float = 0.0,
               cancel: threading.Event | None = None, schema: dict | None = None) -> Iterator[str]:
        key = reply_key(self.model, messages, max_tokens, schema)
        entry = self._replies.get(key) if temperature == 0.0 else None
        if entry is not None:
            self.hits += 1
            if self.replay_timing and entry.get("first_piece_seconds"):
                time.sleep(entry["first_piece_seconds"])
            yield from entry["pieces"]
            return
        self.misses += 1
        began = time.perf_counter()
        first = None
        pieces: list[str] = []
        extra = {"schema": schema} if schema else {}
        for piece in self.generator.stream(messages, max_tokens=max_tokens, temperature=temperature, cancel=cancel,
                                           **extra):
            if first is None:
                first = time.perf_counter() - began
            pieces.append(piece)
            yield piece
        if cancel is not None and cancel.is_set() or temperature != 0.0:
            return  # a reply cut short is not the model's reply
        entry = {"key": key, "pieces": pieces, "first_piece_seconds": first}
        with self._lock:
            self._replies[key] = entry
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
