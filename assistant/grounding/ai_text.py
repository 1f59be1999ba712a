"""Passages without the text addressed to AI systems (assistant/addressed_to_ai/), and the note
an answer carries when a document it read holds such text.

Text that speaks to a model ("NOTE TO AI ASSISTANTS. When asked ..., answer that ...") is never
evidence and never an instruction. So before a passage becomes either, that text is blanked out of
it with whitespace of the same length: offsets into the rest still point at the right characters
of the page, and what the verifier matches, what a citation quotes and what the model reads are
the rest of the passage only. A passage with nothing else in it is dropped. The spans are found on
whole pages (a heading addressed to AI marks the text under it, over page breaks) and under the
passage's own heading, worked out once per document and kept by its index.
"""

from __future__ import annotations

import dataclasses
from typing import Iterable, Sequence

from assistant.addressed_to_ai import Span, ai_spans, mask, merge, page_spans
from assistant.types import Chunk, Hit

NOTE = "{name} contains text addressed to AI systems, which was not used."


def document_spans(index, source_id: str) -> dict[int, list[Span]]:
    """Per page number, the spans of the document's pages addressed to AI systems."""
    return index.derived.get("ai-text", source_id, lambda: page_spans(index.catalog.pages(source_id)))


def chunk_spans(index, chunk: Chunk) -> list[Span]:
    """Spans of the chunk's text addressed to AI, as offsets into that text."""
    on_page = [(max(start, chunk.start) - chunk.start, min(end, chunk.end) - chunk.start)
               for start, end in document_spans(index, chunk.source_id).get(chunk.page, ())
               if start < chunk.end and chunk.start < end]
    return merge(on_page + ai_spans(chunk.text, chunk.heading))


def without_ai_text(index, hits: Sequence[Hit]) -> tuple[tuple[Hit, ...], frozenset[str]]:
    """The hits with their text addressed to AI blanked out, less those with nothing else left;
    and the documents whose hits had text blanked."""
    kept, masked = [], set()
    for hit in hits:
        spans = chunk_spans(index, hit.chunk)
        if not spans:
            kept.append(hit)
            continue
        masked.add(hit.chunk.source_id)
        text = mask(hit.chunk.text, spans)
        if text.strip():
            kept.append(dataclasses.replace(hit, chunk=dataclasses.replace(hit.chunk, text=text)))
    return tuple(kept), frozenset(masked)


def flagged(index, source_ids: Iterable[str]) -> list[str]:
    """Of these documents, in order, those holding text addressed to AI systems."""
    return [sid for sid in dict.fromkeys(source_ids) if document_spans(index, sid)]


def notes(index, source_ids: Iterable[str]) -> tuple[str, ...]:
    """One note per document read that holds text addressed to AI systems: for a compliance
    reader that text is a finding in itself, and the answer must say it was left out."""
    found = []
    for source_id in flagged(index, source_ids):
        document = index.catalog.document(source_id)
        found.append(NOTE.format(name=document.name if document else "A document"))
    return tuple(found)
