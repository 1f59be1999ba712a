"""How likely the model was to open its reply with a refusal, read from its first token's
probabilities rather than from the word it happened to pick.

The instruction tells the model to reply "NOT FOUND" when the passages do not hold the answer.
A small model's greedy choice is a poor judge of that: it answers fluently from a passage that
is about something else, or refuses a question its passages do answer. The probability it gave
the refusal's first token is a graded signal, so the answerer can put its own threshold on it
(tuned on the dev questions) instead of trusting argmax.

A generator that can read its logits fills `OpeningOdds.probability` before it yields the first
piece, and keeps the reply from opening with the refusal: the caller then alone decides between
answering (the model must write an answer) and abstaining (the caller stops reading). A generator
that cannot (a remote server) leaves `probability` as None, and the reply's own words decide.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

REFUSAL = "NOT FOUND"


@dataclass
class OpeningOdds:
    """Asked of a generator for one reply: the probability that it opens with `phrase`."""

    phrase: str = REFUSAL
    probability: float | None = None


def refusal_token_ids(tokenize, phrase: str) -> list[int]:
    """The token ids a reply opening with `phrase` could start with ("NOT", " NOT"), given the
    model's `tokenize(bytes) -> list[int]`."""
    word = phrase.split()[0]
    ids = []
    for variant in (word, " " + word):
        tokens = tokenize(variant.encode())
        if tokens and tokens[0] not in ids:
            ids.append(tokens[0])
    return ids


def read_and_suppress(scores: np.ndarray, token_ids: list[int]) -> tuple[float, np.ndarray]:
    """The softmax probability of `token_ids` among `scores` (one position's logits), and the
    scores with those tokens made impossible."""
    shifted = np.exp(scores - np.max(scores))
    probability = float(shifted[token_ids].sum() / shifted.sum())
    scores = scores.copy()
    scores[token_ids] = -np.inf
    return probability, scores
