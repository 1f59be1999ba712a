"""Frozen value types that cross stage boundaries. Nothing travels between stages as a bare dict."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
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
    ocr: tuple[OcrPage, ...] = ()  # the pages read by OCR (assistant/ingest/ocr.py), in page order


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
    page: int = 0  # within a PDF being read: the page just read, of `pages` (0: not reading one)
    pages: int = 0
    share: float = 0.0  # of the batch's work done, by the files' sizes: what time left is estimated from
    ocr: bool = False  # `page` of `pages` counts the pages being read by OCR ("OCR page 3 of 12")


@dataclass
class IngestTimings:
    """Where ingestion time went, so the pipeline's own overhead can be told from the embedder's."""

    parse: float = 0.0
    chunk: float = 0.0
    embed: float = 0.0
    store: float = 0.0
    hash: float = 0.0


class DocumentState(str, Enum):
    """A document's state in the catalog: recorded before its vectors are written, complete once
    its passages and lexical entries are in, removing while it is being deleted."""

    PENDING = "pending"
    COMPLETE = "complete"
    REMOVING = "removing"


# Answers: the events `Assistant.ask` yields, and what an answer's citations and checks are.

@dataclass(frozen=True)
class Citation:
    number: int  # 1-based passage number in the prompt
    doc_name: str
    source_id: str
    page: int
    start: int  # character span of the quote in the page text
    end: int
    quote: str
    repaired: bool  # the model's marker was missing or wrong and the sentence was matched instead


@dataclass(frozen=True)
class SentenceCheck:
    text: str
    markers: tuple[int, ...]
    citations: tuple[Citation, ...]

    @property
    def supported(self) -> bool:
        return bool(self.citations)


@dataclass(frozen=True)
class Evidence:
    unknown_names: tuple[str, ...] = ()  # name-like words of the question found nowhere in the index
    coverage: float = 1.0  # rarity-weighted share of the subject's words found in the routed document
    missing: tuple[str, ...] = ()  # subject words the routed document does not contain
    subject: tuple[str, ...] = ()
    absent_clauses: tuple[str, ...] = ()  # checklist items asked about with no matching sentence (clauses/presence.py)
    signs: dict = field(default_factory=dict)  # what the abstention decision read (grounding/abstention.py)
    answer_probability: float | None = None  # its probability that the documents answer

    def as_dict(self) -> dict:
        return {"unknown_names": list(self.unknown_names), "coverage": round(self.coverage, 3),
                "missing": list(self.missing), "subject": list(self.subject),
                "absent_clauses": list(self.absent_clauses), "signs": dict(self.signs),
                "answer_probability": self.answer_probability}


@dataclass(frozen=True)
class Sources:
    passages: tuple[Hit, ...]


@dataclass(frozen=True)
class Token:
    text: str


@dataclass(frozen=True)
class Answer:
    question: str
    text: str  # shown to the user: the model's sentences with verified markers, or the abstention
    citations: tuple[Citation, ...]
    sentences: tuple[SentenceCheck, ...]
    abstained: bool
    passages: tuple[Hit, ...]  # what the model read; the nearest passages when abstaining
    reason: str = ""  # why it abstained, in plain words
    model_text: str = ""  # what the model wrote, unedited
    evidence: Evidence = field(default_factory=Evidence)
    cancelled: bool = False
    first_token_seconds: float | None = None
    tokens: int = 0
    tokens_per_second: float | None = None
    # Shown with the answer: e.g. that a document read holds text addressed to AI systems, left out.
    notes: tuple[str, ...] = ()
    # The model's wording was not supported, so the answer quotes the passage that addresses the
    # question, verbatim (grounding/fallback.py).
    quoted: bool = False
    # A multi-part question's answers, one per part, in order (generation/parts.py); () otherwise.
    parts: tuple["Answer", ...] = ()

    @property
    def unsupported(self) -> list[str]:
        """Sentences that no passage supports (flagged to the user)."""
        return [s.text for s in self.sentences if not s.supported]

    @property
    def documents(self) -> list[str]:
        """Source ids this answer is about: its citations', else its passages'."""
        ids = [c.source_id for c in self.citations] or [p.chunk.source_id for p in self.passages]
        return list(dict.fromkeys(ids))


@dataclass(frozen=True)
class Failure:
    message: str


Event = Sources | Token | Answer | Failure



class ReviewStatus(str, Enum):
    FOUND = "found"
    NOT_FOUND = "not_found"
    UNCLEAR = "unclear"
    # The clause's usual wording is there and the model accepted it, but the item's detection is
    # known to be imprecise (measured precision of "found" below the bar, or never measured): a
    # person reads it before it counts as found.
    TO_CHECK = "to_check"

    @property
    def label(self) -> str:
        return "wording to check" if self is ReviewStatus.TO_CHECK else self.value.replace("_", " ")


@dataclass(frozen=True)
class Quote:
    page: int
    quote: str  # whitespace-normalised text of page.text[start:end]
    start: int
    end: int
    verified: bool  # the quote occurs in the page text


@dataclass(frozen=True)
class Cell:
    """A review's result for one document and one checklist item."""

    source_id: str
    doc: str  # the document's file name
    item: str  # the checklist item's id
    status: ReviewStatus
    value: str = ""  # the extracted value, always text the quote contains
    evidence: tuple[Quote, ...] = ()  # the quote behind "found"; the passages to check when "unclear"
    reason: str = ""  # why not found or unclear, in plain words
    model_reply: str = ""
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Cell":
        return cls(**{**data, "status": ReviewStatus(data["status"]),
                      "evidence": tuple(Quote(**q) for q in data.get("evidence", ()))})


# OCR: what was read from a page image, and how well (assistant/ingest/ocr.py).

# One word as OCR placed it: its span in the page text and its box as fractions of the page's
# width and height (x0, y0, x1, y1; origin top left, as the page is displayed).
WordBox = tuple[int, int, float, float, float, float]


@dataclass(frozen=True)
class OcrPage:
    number: int  # the PDF's page number, 1-based
    text: str
    confidence: float  # 0-100: the words' confidence, weighted by their length; 0 when nothing was read
    words: tuple[WordBox, ...] = ()
    low: bool = False  # too uncertain to trust without looking: a citation from it says so
    note: str = ""  # what happened, in words: "blank page", "turned 90°", "read with low confidence"
    rotation: int = 0  # degrees the image was turned (counter-clockwise) before it could be read
    language: str = ""  # the traineddata read with: "eng", "deu", "fra"


@dataclass(frozen=True)
class OcrReport:
    """A document's OCR in one line of figures: stored with it in the catalog, shown on its row."""

    pages: int  # pages read by OCR
    confidence: float  # their mean confidence, 0-100
    low_pages: tuple[int, ...] = ()
    blank_pages: tuple[int, ...] = ()
