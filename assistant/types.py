"""Frozen value types that cross stage boundaries. Nothing travels between stages as a bare dict."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True)
class Page:
    """One page of a document. `number` is 1-based for PDFs; DOCX and TXT are a single
    logical page (number 1) whose `label` names it, because they carry no page breaks."""

    number: int
    label: str
    text: str


@dataclass(frozen=True)
class ParsedDocument:
    title: str
    doc_type: str  # "pdf", "docx", "txt", "md"
    pages: tuple[Page, ...]


@dataclass(frozen=True)
class Source:
    """A document as stored: identified by the SHA-256 of its bytes."""

    source_id: str
    path: str
    name: str
    doc_type: str
    title: str
    pages: int
    chunks: int
    size: int


@dataclass(frozen=True)
class Chunk:
    """A passage with its provenance. Invariant: page.text[start:end] == text."""

    chunk_id: str
    source_id: str
    doc_name: str
    doc_type: str
    page: int
    start: int
    end: int
    text: str
    heading: str
    ordinal: int


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with the scores that ranked it (None where a ranker did not return it)."""

    chunk: Chunk
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None
    dense_distance: float | None = None

    @property
    def doc_name(self) -> str:
        return self.chunk.doc_name

    @property
    def page(self) -> int:
        return self.chunk.page

    @property
    def text(self) -> str:
        return self.chunk.text


@dataclass(frozen=True)
class SearchFilters:
    """Restrict a search to some documents (by source id or file name) and/or document types."""

    documents: tuple[str, ...] = ()
    doc_types: tuple[str, ...] = ()


class IngestStatus(str, Enum):
    OK = "ok"
    SKIPPED = "skipped"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class IngestReport:
    """One row per file: what happened to it, in words a user can act on."""

    path: str
    status: IngestStatus
    pages: int = 0
    chunks: int = 0
    reason: str = ""
    source_id: str = ""
    seconds: float = 0.0


@dataclass(frozen=True)
class IngestProgress:
    done: int
    total: int
    current: str  # the file's name, for a progress line
    path: str = ""  # the file's full path, to find its row


@dataclass
class IngestTimings:
    """Where ingestion time went, so the pipeline's own overhead can be told from the embedder's."""

    parse: float = 0.0
    chunk: float = 0.0
    embed: float = 0.0
    store: float = 0.0
    hash: float = 0.0
