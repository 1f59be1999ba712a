"""Fakes for unit tests that compute something real (never fixed answers)."""

from __future__ import annotations

import hashlib
import json
import re
import time
from typing import Sequence

import numpy as np
from assistant.text import normalise_space, sentences


class HashEmbedder:
    """Bag-of-words feature hashing into a unit vector: deterministic, instant, and texts that
    share words really are closer, so retrieval tests exercise real ranking."""

    def __init__(self, dimension: int = 64, name: str = "test/hash-embedder"):
        self.dimension = dimension
        self.name = name
        self.seconds = 0.0
        self.calls = 0

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dimension, dtype=np.float32)
        for word in re.findall(r"\w+", text.lower()):
            digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
            index = int.from_bytes(digest[:4], "little") % self.dimension
            sign = 1.0 if digest[4] & 1 else -1.0
            vec[index] += sign
        norm = float(np.linalg.norm(vec))
        if norm == 0:
            vec[0] = 1.0
            return vec
        return vec / norm

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._vector(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)


class GlossaryEmbedder(HashEmbedder):
    """A multilingual stand-in: each German or French word of its glossary is read as the English
    word it translates before hashing, so "Kündigung" and "termination" really are the same
    feature, as they are close in e5's space, and a question in one language finds a passage in
    another. Words it has no entry for hash as themselves (names and numbers are shared)."""

    GLOSSARY = {
        "kündigung": "termination", "kündigen": "terminate", "frist": "period", "monate": "months",
        "monaten": "months", "schriftlich": "writing", "haftung": "liability", "begrenzt": "limited",
        "gerichtsstand": "court", "recht": "law", "deutsches": "german", "anwendbares": "governing", "anwendbare": "governing",
        "résiliation": "termination", "résilier": "terminate", "préavis": "notice", "mois": "months",
        "responsabilité": "liability", "plafonnée": "limited", "droit": "law", "français": "french",
        "tribunal": "court", "applicable": "governing", "kündigungsfrist": "notice",
    }

    def __init__(self, dimension: int = 64, name: str = "test/glossary-embedder"):
        super().__init__(dimension, name)

    def _vector(self, text: str) -> np.ndarray:
        read = " ".join(self.GLOSSARY.get(w, w) for w in re.findall(r"\w+", text.lower()))
        return super()._vector(read)


class ScriptedGenerator:
    """Stands in for the model in unit tests. Given `script`, it streams those words; otherwise it
    answers extractively: it reads the numbered passages in the prompt and returns the sentence that
    shares most words with the question, cited with that passage's number. It records the messages
    it was given and how many pieces it produced, so tests can check prompts and cancellation.
    `respond`, when given, computes the reply from the messages instead (a review judge in tests)."""

    name = "scripted"

    def __init__(self, script: str | None = None, fail: Exception | None = None, delay: float = 0.0,
                 respond=None):
        self.script = script
        self.respond = respond
        self.fail = fail
        self.delay = delay  # seconds per piece, to stand in for a slow model (cancellation tests)
        self.calls: list[list[dict]] = []
        self.schemas: list[dict | None] = []
        self.pieces_produced = 0

    @staticmethod
    def _stems(text: str) -> set[str]:
        return {w.lower().rstrip("s")[:5] for w in re.findall(r"\w+", text)}

    def _best_sentence(self, prompt: str) -> tuple[str, str] | None:
        """(passage number, sentence) sharing most words with the question, or None."""
        question = prompt.rsplit("Question:", 1)[-1].split("\n", 1)[0]
        # Names pick the document, not the sentence: leave capitalised words out of the match.
        wanted = self._stems(" ".join(w for w in re.findall(r"\w+", question)[1:] if not w[0].isupper()))
        best, best_score = None, 0
        for number, body in re.findall(r"^\[(\d+)\][^\n]*:\n(.*?)(?=\n\n|\Z)", prompt, flags=re.S | re.M):
            for sentence in sentences(normalise_space(body), stops=".;"):
                score = len(wanted & self._stems(sentence))
                if score > best_score:
                    best, best_score = (number, sentence.rstrip(".;")), score
        return best

    def _extract(self, prompt: str, structured: bool) -> str:
        best = self._best_sentence(prompt)
        if structured:  # the reply's JSON (generation/reply.py): the sentence as quote and statement
            quote = best[1] + "." if best else ""
            return json.dumps({"quote": quote, "answer": quote or "NOT FOUND"})
        return f"{best[1]} [{best[0]}]." if best else "The documents do not say."

    def stream(self, messages, max_tokens: int = 256, temperature: float = 0.0, cancel=None, schema=None):
        self.calls.append(list(messages))
        self.schemas.append(schema)
        if self.fail is not None:
            raise self.fail
        if self.respond is not None:
            text = self.respond(messages)
        else:
            text = self.script if self.script is not None else self._extract(messages[-1]["content"], bool(schema))
        for i, word in enumerate(text.split(" ")):
            if cancel is not None and cancel.is_set():
                return
            if self.delay:
                time.sleep(self.delay)
            self.pieces_produced += 1
            yield word if i == 0 else " " + word
