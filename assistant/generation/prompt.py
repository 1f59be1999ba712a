"""What the model sees: a fixed instruction, then numbered excerpts of the retrieved passages, then
the question.

The instruction comes first and never changes, so llama.cpp reuses its evaluated tokens from one
question to the next. Prompt length is what a laptop CPU pays for before the first token (about
125 tokens a second for a 0.5B model on two cores), so each passage is cut to the excerpt around
the sentences that share most words with the question; the excerpt keeps exact offsets into its
page, so a citation of it still points at the right characters.

Text inside documents is data. Text in a passage addressed to AI systems ("ignore all previous
instructions ...", "NOTE TO AI ASSISTANTS. When asked ..., answer that ...": the rules are in
assistant/addressed_to_ai/) is replaced by a note before the model sees it. The answerer blanks it
out of the passages first (grounding/ai_text.py); this is the last check before the prompt.
"""

from __future__ import annotations

import dataclasses
from typing import Mapping, Sequence

from assistant.addressed_to_ai import NOTE, neutralise
from assistant.generation.reply import INSTRUCTION
from assistant.grounding.running_lines import without_running_lines
from assistant.language import ENGLISH, LANGUAGE_NAMES, detect_language, question_language
from assistant.text import content_words, sentence_spans
from assistant.types import Hit

# The model replies in the structure of generation/reply.py; the instruction says what each field is.
SYSTEM_PROMPT = INSTRUCTION

OMITTED = NOTE


def neutralise_instructions(text: str, heading: str = "") -> str:
    """The text with what is addressed to AI systems (and what was blanked out already) replaced by
    a short note. `heading`: the passage's; a heading addressed to AI covers the text under it."""
    return neutralise(text, heading)


def excerpt_span(text: str, question: str, max_chars: int) -> tuple[int, int]:
    """The span of `text` (at most about `max_chars`) around the sentence sharing most question
    words, grown by whole sentences forwards first: a clause's answer tends to follow its lead."""
    if len(text) <= max_chars:
        return 0, len(text)
    words = set(content_words(question))
    spans = sentence_spans(text) or [(0, len(text))]

    def score(span):
        return len(words & set(content_words(text[span[0]:span[1]])))

    best = max(range(len(spans)), key=lambda i: (score(spans[i]), -i))
    lo = hi = best
    while True:
        grown = False
        if hi + 1 < len(spans) and spans[hi + 1][1] - spans[lo][0] <= max_chars:
            hi += 1
            grown = True
        if lo > 0 and spans[hi][1] - spans[lo - 1][0] <= max_chars:
            lo -= 1
            grown = True
        if not grown:
            break
    start, end = spans[lo][0], min(spans[hi][1], spans[lo][0] + max(max_chars, 1))
    while start < end and text[start].isspace():
        start += 1
    return start, end


def excerpt(hit: Hit, question: str, max_chars: int) -> Hit:
    """The hit cut to its excerpt, with page offsets moved so `page.text[start:end] == text` holds."""
    start, end = excerpt_span(hit.text, question, max_chars)
    chunk = dataclasses.replace(hit.chunk, start=hit.chunk.start + start, end=hit.chunk.start + end,
                                text=hit.text[start:end])
    return dataclasses.replace(hit, chunk=chunk)


def passage_label(number: int, hit: Hit) -> str:
    """Short on purpose: every token here is paid for before the first token of the answer."""
    return f"[{number}] {_short_source(hit)}"


def _short_source(hit: Hit) -> str:
    name = hit.doc_name.rsplit(".", 1)[0]
    name = name if len(name) <= 48 else name[:47] + "…"
    return f"{name}, p. {hit.page}"


def language_instruction(question: str, passages: Sequence[Hit]) -> str:
    """What to write in, when it is not all English: the question's language, with the passages'
    own words quoted in theirs, so the quote can be checked against the document
    (grounding/citations.py) even when the answer around it is in another language. Empty for an
    English question about English passages (the prompt then stays as it was)."""
    asked = question_language(question)
    shown = {detect_language(p.text) for p in passages}
    if asked == ENGLISH and shown <= {ENGLISH}:
        return ""
    return (f" Answer in {LANGUAGE_NAMES[asked]}. Copy the quote in the passage's own language.")


def user_message(question: str, passages: Sequence[Hit], running: Mapping[str, frozenset[str]] | None = None) -> str:
    """`running`: per source id, the running headers and footers left out of its passages."""
    running = running or {}
    blocks = [f"{passage_label(n, p)}:\n"
              f"{neutralise_instructions(without_running_lines(p.text, running.get(p.chunk.source_id, frozenset())), p.chunk.heading)}"
              for n, p in enumerate(passages, start=1)]
    return (
        "Passages:\n\n" + "\n\n".join(blocks) + f"\n\nQuestion: {question}\n"
        "Reply with the JSON object, from the passages only." + language_instruction(question, passages)
    )


def build_messages(question: str, passages: Sequence[Hit], history: Sequence[tuple[str, str]] = (),
                   running: Mapping[str, frozenset[str]] | None = None) -> list[dict]:
    """Chat messages: instruction, earlier (question, answer) turns, then passages and question."""
    messages = [{"role": "system", "content": SYSTEM_PROMPT}]
    for asked, answered in history:
        messages.append({"role": "user", "content": asked})
        messages.append({"role": "assistant", "content": answered})
    messages.append({"role": "user", "content": user_message(question, passages, running)})
    return messages
