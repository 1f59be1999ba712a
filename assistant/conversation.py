"""A conversation as text a reviewer can keep: each question, its answer, and the exact sources
(document, page, verbatim quote) behind it. Shared by the CLI's output and the app's export."""

from __future__ import annotations

from typing import Collection, Sequence

from assistant.types import Answer, Citation, Hit
from assistant.text import normalise_space


def short_quote(text: str, limit: int = 240) -> str:
    text = normalise_space(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Beside a quote from a page that OCR read with low confidence (assistant/ingest/ocr.py).
LOW_CONFIDENCE_NOTE = "read by OCR with low confidence: check the page"


def citation_line(citation: Citation, limit: int = 240, low_confidence: bool = False) -> str:
    note = f" ({LOW_CONFIDENCE_NOTE})" if low_confidence else ""
    return f'[{citation.number}] {citation.doc_name}, p. {citation.page}: "{short_quote(citation.quote, limit)}"{note}'


def passage_line(number: int, hit: Hit, limit: int = 160) -> str:
    return f'[{number}] {hit.doc_name}, p. {hit.page}: "{short_quote(hit.text, limit)}"'


def conversation_markdown(answers: Sequence[Answer], title: str = "Clausewise conversation",
                          low_pages: Collection[tuple[str, int]] = ()) -> str:
    """Markdown with every answer's citations in full, so the export stands on its own.
    `low_pages`: (source id, page) read by OCR with low confidence, noted beside their quotes."""
    out = [f"# {title}", ""]
    for answer in answers:
        out += [f"## {answer.question}", "", answer.text.strip(), ""]
        if answer.citations:
            out += ["Sources:", ""]
            out += [f"- {citation_line(c, limit=10_000, low_confidence=(c.source_id, c.page) in low_pages)}"
                    for c in answer.citations]
            out.append("")
        elif answer.passages:
            out += ["Nearest passages:", ""]
            out += [f"- {passage_line(n, p, limit=400)}" for n, p in enumerate(answer.passages, start=1)]
            out.append("")
        if answer.unsupported and not answer.abstained:
            out += ["Not supported by any passage (check before relying on it):", ""]
            out += [f"- {s}" for s in answer.unsupported]
            out.append("")
        out += [f"Note: {note}\n" for note in answer.notes]
    return "\n".join(out).rstrip() + "\n"
