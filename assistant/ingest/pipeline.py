"""The ingest pipeline: hash, skip what is unchanged, parse, chunk, embed, store.

Parsing PDFs is CPU work comparable to embedding, so it runs one file ahead on a worker thread
while the calling thread embeds the previous file. pypdf holds the GIL but torch releases it while
it computes, so the two really overlap. The app hands the parsing to a child process instead
(`parser_process.py`), where pypdf cannot hold up the window. Each file ends as exactly one
IngestReport row; one bad file never stops the batch.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

from assistant.addressed_to_ai import page_spans
from assistant.errors import CorruptDocument, DocumentError, EmptyFile, FileVanished
from assistant.hashing import sha256_of
from assistant.ingest.chunking import chunk_pages, embedding_windows
from assistant.ingest import ocr
from assistant.ingest.discovery import discover
from assistant.ingest.parsers import parse_bytes, read_file_bytes
from assistant.store.catalog import FAST, FULL, MAIN, MULTILINGUAL
from assistant.store.lexical_forms import document_language
from assistant.store.index import Index
from assistant.types import (Chunk, IngestProgress, IngestReport, IngestStatus, IngestTimings, OcrPage, ParsedDocument,
                             Source)

logger = logging.getLogger(__name__)

# Called with the report of each finished file, and with None when a file starts being indexed
# or, for a long PDF, as each of its pages is read (IngestProgress.page).
ProgressCallback = Callable[[IngestProgress, IngestReport | None], None]
# (page just read, pages); while pages are read by OCR: (k, of m pages to OCR, the OcrPage, fresh)
PageCallback = Callable[..., None]


class ParseCancelled(Exception):
    """Raised from the page callback when the batch is cancelled: stops a file mid-way (OCR takes
    seconds a page). In the app's parser child, the child is stopped (child_process.py)."""

# How many files may be parsed ahead of the embedder; more only costs memory.
PARSE_AHEAD = 2
# A PDF of this many pages reports each page as it is read (a contract is read in about 0.2 s).
PAGES_WORTH_REPORTING = 20


@dataclass(frozen=True)
class _Hashed:
    path: Path
    source_id: str
    size: int = 0


def parse_job(data: bytes, path: str, on_page: PageCallback | None = None,
              ocr_cached: dict[int, OcrPage] | None = None) -> ParsedDocument:
    try:
        if ocr_cached:
            return parse_bytes(data, Path(path), on_page, ocr_cached)
        return parse_bytes(data, Path(path), on_page)
    except (DocumentError, ParseCancelled):
        raise
    except Exception as exc:  # a bug or a crash inside a parser library: still one row, not a dead batch
        # The row says "could not be read"; the log keeps what actually went wrong, to fix it.
        logger.exception("parsing %s failed", path)
        raise CorruptDocument(f"the file could not be read ({type(exc).__name__})") from None


def _read_for_parse(item: _Hashed) -> tuple[_Hashed, bytes]:
    """Read the bytes to parse; if the file changed since it was hashed, index what is there now."""
    data = read_file_bytes(item.path)
    source_id = hashlib.sha256(data).hexdigest()
    return (item if source_id == item.source_id else _Hashed(item.path, source_id, len(data))), data


def embedding_text(title: str, heading: str, text: str) -> str:
    """What the embedder reads: the chunk with its document title and clause heading, so a clause
    that never names its contract or topic can still be found. Only the chunk text is stored."""
    context = context_of(title, heading)
    return f"{context}\n{text}" if context else text


def context_of(title: str, heading: str) -> str:
    return " | ".join(part for part in (title, heading) if part)


def document_windows(title: str, chunks: Sequence[Chunk], window_chars: int) -> tuple[list[str], list[int]]:
    """The texts the embedder reads for a document, and the chunk each belongs to. The upgrade
    rebuilds them from the catalog with this same function, so its MiniLM vectors embed exactly
    the windows the fast vectors did, under the same vector ids."""
    texts, window_owner = [], []
    for n, chunk in enumerate(chunks):
        for window in embedding_windows(chunk.text, window_chars):
            texts.append(embedding_text(title, chunk.heading, window))
            window_owner.append(n)
    return texts, window_owner


def space_for(language: str, multilingual_embedder) -> str:
    """The vector space of a document in `language`: MiniLM's for English (and for everything
    when there is no multilingual embedder), the multilingual one's for German and French."""
    return MULTILINGUAL if language != "en" and multilingual_embedder is not None else MAIN


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


class Ingestor:
    def __init__(self, index: Index, embedder, parser: Callable[[bytes, str], ParsedDocument] | None = None,
                 fast_embedder=None, multilingual_embedder=None):
        """`parser` turns a file's bytes into a ParsedDocument or raises a DocumentError; the
        default parses in this process, the app passes a ParserProcess. With a `fast_embedder`,
        documents are stored with its vectors (tier FAST) and `embedder` is not used: the upgrade
        (assistant/ingest/upgrade.py) brings MiniLM's later. With a `multilingual_embedder`, a
        document that is not in English goes into the multilingual vector space: embedded with it
        (at once, or by the upgrade after its fast vectors), since MiniLM reads English only."""
        self.index = index
        self.embedder = fast_embedder or embedder
        self.multilingual_embedder = multilingual_embedder
        self.tier = FAST if fast_embedder is not None else FULL
        self.parser = parser or parse_job
        self.timings = IngestTimings()

    def ingest(self, paths: Iterable[Path | str], progress: ProgressCallback | None = None,
               cancel: threading.Event | None = None) -> list[IngestReport]:
        files = discover(paths)
        total = len(files)
        reports: list[IngestReport] = []
        sizes = {path: _size(path) for path in files}
        all_bytes = max(sum(sizes.values()), 1)
        finished_bytes = 0

        def emit(report: IngestReport | None, path: Path):
            nonlocal finished_bytes
            if report is not None:
                reports.append(report)
                finished_bytes += sizes.get(path, 0)
            if progress:
                progress(IngestProgress(done=len(reports), total=total, current=path.name, path=str(path),
                                        share=finished_bytes / all_bytes), report)

        def reading(path: Path, source_id: str) -> PageCallback:
            """Progress within a PDF as it is read (on the parser's thread); pages of short files
            are not worth a message each, but every page read by OCR is (seconds each). A page OCR
            has just read goes into the OCR cache at once, so a cancelled file resumes where it
            stopped; a cancel stops the file at its next page."""

            def on_page(page: int, pages: int, ocr_page: OcrPage | None = None, fresh: bool = False):
                if ocr_page is not None and fresh:
                    self.index.ocr_cache.put(source_id, ocr_page, ocr.engine_version())
                if cancel is not None and cancel.is_set():
                    raise ParseCancelled()
                if not progress:
                    return
                if ocr_page is not None:
                    share = (finished_bytes + sizes.get(path, 0) * page / pages) / all_bytes
                    progress(IngestProgress(done=len(reports), total=total, current=path.name, path=str(path),
                                            page=page, pages=pages, share=min(share, 1.0), ocr=True), None)
                elif pages >= PAGES_WORTH_REPORTING:
                    share = (finished_bytes + sizes.get(path, 0) * page / pages) / all_bytes
                    progress(IngestProgress(done=len(reports), total=total, current=path.name, path=str(path),
                                            page=page, pages=pages, share=min(share, 1.0)), None)
            return on_page

        to_parse: list[_Hashed] = []
        for path in files:
            began = time.perf_counter()
            try:
                source_id = self._hash(path)
            except DocumentError as exc:
                emit(IngestReport(str(path), IngestStatus.FAILED, reason=exc.message), path)
                continue
            self.timings.hash += time.perf_counter() - began
            if self.index.has_complete(source_id):
                emit(IngestReport(str(path), IngestStatus.SKIPPED, reason="unchanged since last indexed",
                                  source_id=source_id), path)
                continue
            if any(h.source_id == source_id for h in to_parse):
                emit(IngestReport(str(path), IngestStatus.SKIPPED, reason="same content as another file in this batch",
                                  source_id=source_id), path)
                continue
            to_parse.append(_Hashed(path, source_id, sizes.get(path, 0)))

        for item, parsed in self._parsed(to_parse, cancel, reading):
            if cancel is not None and cancel.is_set():
                break
            emit(None, item.path)  # announce the file now being embedded (report None)
            began = time.perf_counter()
            try:
                if isinstance(parsed, BaseException):
                    raise parsed
                report = self._store(item, parsed)
            except DocumentError as exc:
                report = IngestReport(str(item.path), IngestStatus.FAILED, reason=exc.message, source_id=item.source_id)
            report = IngestReport(**{**report.__dict__, "seconds": time.perf_counter() - began})
            emit(report, item.path)

        done = {r.path for r in reports}
        for item in to_parse:
            if str(item.path) not in done:
                emit(IngestReport(str(item.path), IngestStatus.CANCELLED, reason="cancelled before it was indexed"),
                     item.path)
        return reports

    @staticmethod
    def _hash(path: Path) -> str:
        try:
            if path.stat().st_size == 0:
                raise EmptyFile("the file is empty (0 bytes)")
            return sha256_of(path)
        except OSError:
            read_file_bytes(path)  # raises the same failure as a plain-language DocumentError
            raise

    def _parsed(self, items: list[_Hashed], cancel: threading.Event | None,
                reading: Callable[[Path, str], PageCallback]):
        """Yield (item, ParsedDocument | DocumentError) in order, parsing ahead on a worker thread."""
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="clausewise-parse") as pool:
            pending: list[tuple[_Hashed, Future | DocumentError]] = []
            queue = iter(items)

            def submit(next_item: _Hashed):
                try:
                    next_item, data = _read_for_parse(next_item)
                    on_page = reading(next_item.path, next_item.source_id)
                    cached = self.index.ocr_cache.pages(next_item.source_id, ocr.engine_version())
                    extra = {"ocr_cached": cached} if cached else {}  # custom parsers need not know OCR
                    pending.append((next_item, pool.submit(self.parser, data, str(next_item.path), on_page,
                                                           **extra)))
                except DocumentError as exc:
                    pending.append((next_item, exc))

            for item in queue:
                submit(item)
                if len(pending) >= PARSE_AHEAD:
                    break
            while pending:
                item, future = pending.pop(0)
                nxt = next(queue, None)
                if nxt is not None:
                    submit(nxt)
                began = time.perf_counter()
                try:
                    if isinstance(future, DocumentError):
                        raise future
                    result = future.result()
                except DocumentError as exc:
                    result = exc
                except ParseCancelled:  # the cancel below ends the batch
                    result = CorruptDocument("cancelled while it was being read")
                self.timings.parse += time.perf_counter() - began  # time spent waiting on the parser
                if cancel is not None and cancel.is_set():
                    for _, f in pending:
                        if isinstance(f, Future):
                            f.cancel()
                    return
                yield item, result

    def _store(self, item: _Hashed, parsed: ParsedDocument) -> IngestReport:
        if not item.path.exists():
            raise FileVanished("the file was moved or deleted while it was being indexed")
        size = item.path.stat().st_size
        began = time.perf_counter()
        spans = chunk_pages(parsed.pages, self.index.chunker)
        chunks = [
            Chunk(
                chunk_id=f"{item.source_id[:24]}-{n:05d}", source_id=item.source_id, doc_name=item.path.name,
                doc_type=parsed.doc_type, page=s.page, start=s.start, end=s.end, text=s.text, heading=s.heading,
                ordinal=n,
            )
            for n, s in enumerate(spans)
        ]
        contexts = [context_of(parsed.title, c.heading) for c in chunks]
        texts, window_owner = document_windows(parsed.title, chunks, self.index.chunker.window_chars)
        # Text addressed to AI systems stays in the index (it can be searched and seen) but is
        # never evidence; that a document holds it is a finding, counted here for its row.
        ai_text = sum(len(spans) for spans in page_spans(parsed.pages).values())
        self.timings.chunk += time.perf_counter() - began

        space = space_for(document_language(p.text for p in parsed.pages), self.multilingual_embedder)
        embedder = self.multilingual_embedder if space == MULTILINGUAL and self.tier == FULL else self.embedder
        began = time.perf_counter()
        vectors = embedder.embed_documents(texts)
        self.timings.embed += time.perf_counter() - began

        began = time.perf_counter()
        source = Source(
            source_id=item.source_id, path=str(item.path), name=item.path.name, doc_type=parsed.doc_type,
            title=parsed.title, pages=len(parsed.pages), chunks=len(chunks), size=size,
        )
        replaced = [sid for sid in self.index.catalog.document_at(str(item.path)) if sid != item.source_id]
        self.index.add_document(source, parsed.pages, chunks, contexts, vectors, window_owner, replaces=replaced,
                                tier=self.tier, space=space)
        self.index.catalog.set_ai_text(item.source_id, ai_text)
        ocr_report = ocr.report_of(parsed.ocr)
        if ocr_report is not None:
            self.index.catalog.set_ocr(item.source_id, ocr_report, parsed.ocr)
        self.timings.store += time.perf_counter() - began
        reason = "; ".join(part for part in ("replaced the earlier version" if replaced else "",
                                             ocr.details(ocr_report, parsed.ocr)) if part)
        return IngestReport(str(item.path), IngestStatus.OK, pages=len(parsed.pages), chunks=len(chunks),
                            source_id=item.source_id, reason=reason)
