"""A review's result for one document and one checklist item."""

from __future__ import annotations

from dataclasses import asdict, dataclass

FOUND, NOT_FOUND, UNCLEAR = "found", "not_found", "unclear"
STATUS_LABEL = {FOUND: "found", NOT_FOUND: "not found", UNCLEAR: "unclear"}


@dataclass(frozen=True)
class Quote:
    page: int
    quote: str  # whitespace-normalised text of page.text[start:end]
    start: int
    end: int
    verified: bool  # the quote occurs in the page text


@dataclass(frozen=True)
class Cell:
    source_id: str
    doc: str  # the document's file name
    item: str  # the checklist item's id
    status: str  # FOUND, NOT_FOUND or UNCLEAR
    value: str = ""  # the extracted value, always text the quote contains
    evidence: tuple[Quote, ...] = ()  # the quote behind "found"; the passages to check when "unclear"
    reason: str = ""  # why not found or unclear, in plain words
    model_reply: str = ""
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Cell":
        return cls(**{**data, "evidence": tuple(Quote(**q) for q in data.get("evidence", ()))})
