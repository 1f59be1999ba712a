"""OCR for PDF pages that have no usable text layer: Tesseract (through tesserocr) on pages
rendered by PDFium, page by page, with each word's box kept.

Why Tesseract: on the scanned evaluation set (200 dpi office scans, English and German) its LSTM
"fast" models read a page in about 1.5-2 CPU-seconds at a character error rate under 1%; RapidOCR
3.10 (PP-OCRv6 through onnxruntime) read as well but took 10-15 CPU-seconds a page even with a
smaller detector (tests/benchmarks/bench_ocr.py; README "Measured"). tesserocr's wheel carries
libtesseract; the language data (eng, deu, fra, osd) comes from Debian's tesseract-ocr-* packages
or the offline bundle (see `tessdata_dir`).

Pages are rendered (not their images extracted) so that whatever a page is made of (one JPEG, a
600 dpi TIFF, strips, a mask, vector art) OCR sees the page as the viewer shows it, and the word
boxes, as fractions of that page, land where the viewer draws them. The resolution follows the
page's own images, capped at MAX_DPI: a 600 dpi scan is read at 300, which is as well and 4x
cheaper. PDFium is not thread-safe, so pages are rendered on the calling thread and recognised
on OCR_THREADS threads (tesserocr releases the GIL while it works).

A page that reads with low confidence or hardly any words is tried again turned: first the way
Tesseract's orientation detector says, then the other quarter turns, keeping the best reading.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Callable, Iterator, Sequence

from assistant.language import FRENCH, GERMAN, detect_language
from assistant.types import OcrPage, OcrReport, WordBox

logger = logging.getLogger(__name__)

# Raise when what OCR produces changes (settings, text assembly), so cached pages are read again.
OCR_FORMAT = 1
MAX_DPI = 300  # finer costs time without reading better
MIN_DPI = 150  # a page whose images are coarser is still rendered this fine
DEFAULT_DPI = 300  # a page without images (vector art) is rendered at this
LOW_CONFIDENCE = 75.0  # below this a page's reading is not to be trusted unchecked (clean scans: 90-96)
GOOD_CONFIDENCE = 85.0  # a turned reading this good ends the search for the page's orientation
MIN_WORDS = 8  # fewer words than this on a page with ink on it: try it turned
BLANK_INK = 0.004  # share of dark pixels under which a page that yields no words is blank
OCR_THREADS = max(1, min(2, os.cpu_count() or 1))
LANGUAGES = {GERMAN: "deu", FRENCH: "fra"}  # detected language -> traineddata; anything else: eng

_TESSDATA_PLACES = (
    "share/tessdata",  # under sys.prefix: where the offline bundle puts it
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
)
_NEEDED = ("eng", "osd")


class OcrUnavailable(RuntimeError):
    """tesserocr or the language data is missing; the message says what to install."""


def tessdata_dir() -> Path | None:
    """The folder holding the traineddata: TESSDATA_PREFIX, the install's own, then Debian's."""
    candidates = [os.environ.get("TESSDATA_PREFIX", "")]
    candidates += [str(Path(sys.prefix) / p) if not p.startswith("/") else p for p in _TESSDATA_PLACES]
    for place in candidates:
        if place and all((Path(place) / f"{lang}.traineddata").is_file() for lang in _NEEDED):
            return Path(place)
    return None


def engine_version() -> str:
    """Names the engine, its version and our format: part of every cache key."""
    try:
        import tesserocr

        version = tesserocr.tesseract_version().split()[1]
    except Exception:  # noqa: BLE001 - no engine: nothing will be cached under this name
        version = "none"
    return f"tesseract-{version}-f{OCR_FORMAT}"


def unavailable_reason() -> str:
    """Why OCR cannot run here ('' when it can), in words that say what to install."""
    try:
        import pypdfium2  # noqa: F401
        import tesserocr  # noqa: F401
    except ImportError as exc:
        return f"the OCR engine is not installed ({exc.name}); run `make setup` again"
    if tessdata_dir() is None:
        return ("Tesseract's language data is missing: install the Debian packages tesseract-ocr-eng "
                "tesseract-ocr-deu tesseract-ocr-fra tesseract-ocr-osd, or set TESSDATA_PREFIX")
    return ""


# --- one page ---------------------------------------------------------------------------------


class _Reader:
    """One Tesseract instance per language and thread (an instance is not shareable across threads,
    and loading a language takes a moment, so each thread keeps its own)."""

    _local = threading.local()

    @classmethod
    def api(cls, lang: str):
        import tesserocr

        apis = cls._local.__dict__.setdefault("apis", {})
        if lang not in apis:
            folder = tessdata_dir()
            if folder is None:
                raise OcrUnavailable(unavailable_reason())
            psm = tesserocr.PSM.OSD_ONLY if lang == "osd" else tesserocr.PSM.AUTO
            api = tesserocr.PyTessBaseAPI(path=f"{folder}/", lang=lang, psm=psm)
            # Tesseract 5 tries every line again as white-on-black text; contracts have none, and
            # skipping it halves the time per page.
            api.SetVariable("tessedit_do_invert", "0")
            apis[lang] = api
        return apis[lang]


def read_image(image, number: int, lang: str = "eng") -> OcrPage:
    """OCR one page image (PIL, any mode); try it turned if it reads badly."""
    gray = image.convert("L")
    best = _recognise(gray, number, lang, 0)
    # A page of few words read with high confidence (a signature page) is taken as it is.
    if best.confidence >= LOW_CONFIDENCE and (len(best.words) >= MIN_WORDS or best.confidence >= GOOD_CONFIDENCE):
        return best
    ink = _ink_share(gray)
    if not best.words and ink < BLANK_INK:
        return OcrPage(number, "", 0.0, note="blank page")
    for rotation in _rotations_to_try(gray):
        turned = _recognise(gray.rotate(rotation, expand=True), number, lang, rotation)
        if _score(turned) > _score(best):
            best = turned
        if best.confidence >= GOOD_CONFIDENCE and len(best.words) >= MIN_WORDS:
            break
    if not best.words:
        return OcrPage(number, "", 0.0, low=ink >= BLANK_INK,
                       note="blank page" if ink < BLANK_INK else "nothing could be read on this page")
    return best


def _score(page: OcrPage) -> float:
    return page.confidence * min(len(page.words), 50)


def _rotations_to_try(gray) -> list[int]:
    """Quarter turns (counter-clockwise), the orientation detector's guess first."""
    order = [180, 90, 270]
    try:
        api = _Reader.api("osd")
        api.SetImage(gray)
        found = api.DetectOrientationScript() or {}
        # orient_deg: how far the page is turned clockwise; turning it back is counter-clockwise
        guess = int(found.get("orient_deg", 0)) % 360
        if guess and guess in order:
            order.remove(guess)
            order.insert(0, guess)
    except Exception:  # noqa: BLE001 - too little text to tell: try them all
        pass
    return order


def _ink_share(gray) -> float:
    small = gray.resize((max(1, gray.width // 4), max(1, gray.height // 4)))
    histogram = small.histogram()
    return sum(histogram[:128]) / max(1, small.width * small.height)


def _recognise(gray, number: int, lang: str, rotation: int) -> OcrPage:
    import tesserocr

    api = _Reader.api(lang)
    api.SetImage(gray)
    api.Recognize()
    width, height = gray.size
    level = tesserocr.RIL.WORD
    words: list[tuple[str, float, tuple[int, int, int, int], bool, bool]] = []
    iterator = api.GetIterator()
    if iterator is not None:
        for item in tesserocr.iterate_level(iterator, level):
            try:
                text = (item.GetUTF8Text(level) or "").strip()
            except RuntimeError:  # "No text returned": an empty word on a blank or noisy page
                continue
            box = item.BoundingBox(level)
            if not text or box is None:
                continue
            new_line = item.IsAtBeginningOf(tesserocr.RIL.TEXTLINE)
            new_para = item.IsAtBeginningOf(tesserocr.RIL.PARA)
            words.append((text, float(item.Confidence(level)), box, new_line, new_para))
    api.Clear()
    text, boxes, confidence = assemble(words, width, height, rotation)
    low = confidence < LOW_CONFIDENCE or not looks_like_text(text)
    note = "read with low confidence" if low else ""
    if rotation:
        turned = "upside down" if rotation == 180 else "sideways"
        note = f"{turned}, read turned {rotation}°" + (f", {note}" if note else "")
    return OcrPage(number, text, confidence, tuple(boxes), low=low, note=note, rotation=rotation, language=lang)


def assemble(words, width: int, height: int, rotation: int = 0) -> tuple[str, list[WordBox], float]:
    """Page text from OCR's words in reading order: lines end in newlines, a word hyphenated at a
    line end is joined ("Verant-" + "wortlichen"), and each word's span in the text is kept with
    its box (as fractions of the unturned page). Returns (text, boxes, mean confidence)."""
    parts: list[str] = []
    boxes: list[WordBox] = []
    length = 0
    weighted = chars = 0.0
    previous_hyphen = False
    for text, conf, box, new_line, new_para in words:
        if parts:
            joins = previous_hyphen and new_line and not new_para and text[:1].islower()
            if joins:
                parts[-1] = parts[-1][:-1]  # drop the hyphen: the word continues
                length -= 1
                start, end, *rect = boxes[-1]
                boxes[-1] = (start, end - 1, *rect)
            else:
                separator = "\n" if new_line else " "
                parts.append(separator)
                length += 1
        start = length
        parts.append(text)
        length += len(text)
        boxes.append((start, length, *_unturn(box, width, height, rotation)))
        weighted += max(conf, 0.0) * len(text)
        chars += len(text)
        previous_hyphen = len(text) > 1 and text.endswith("-") and text[-2].isalpha()
    return "".join(parts), boxes, (weighted / chars if chars else 0.0)


def _unturn(box, width: int, height: int, rotation: int) -> tuple[float, float, float, float]:
    """A box in the turned image, as fractions of the original page (rotation: the image was turned
    that many degrees counter-clockwise)."""
    x0, y0, x1, y1 = box
    u0, v0, u1, v1 = x0 / width, y0 / height, x1 / width, y1 / height
    if rotation == 90:
        u0, v0, u1, v1 = 1 - v1, u0, 1 - v0, u1
    elif rotation == 180:
        u0, v0, u1, v1 = 1 - u1, 1 - v1, 1 - u0, 1 - v0
    elif rotation == 270:
        u0, v0, u1, v1 = v0, 1 - u1, v1, 1 - u0
    return tuple(round(min(max(c, 0.0), 1.0), 5) for c in (u0, v0, u1, v1))


_TOKEN = re.compile(r"\S+")
_VOWELS = set("aeiouyäöüàâæçéèêëîïôœùûÿAEIOUYÄÖÜÀÂÉÈÊËÎÏÔŒÙÛ")


def looks_like_text(text: str, share: float = 0.6) -> bool:
    """Whether text reads as words rather than noise: at least `share` of its tokens are mostly
    letters or digits, and those of three letters or more have a vowel. Used on OCR output and on
    a PDF's own text layer."""
    return wordlike_share(text) >= share if text.strip() else False


def wordlike_share(text: str) -> float:
    tokens = _TOKEN.findall(text)
    if not tokens:
        return 0.0
    wordlike = 0
    for token in tokens:
        letters = sum(ch.isalpha() for ch in token)
        alnum = letters + sum(ch.isdigit() for ch in token)
        if alnum < 0.5 * len(token):
            continue
        if letters >= 3 and token.isascii() and not any(ch in _VOWELS for ch in token):
            continue
        wordlike += 1
    return wordlike / len(tokens)


# --- a document --------------------------------------------------------------------------------


def page_dpi(page) -> int:
    """The resolution to render a PDFium page at: that of its finest image, within MIN..MAX_DPI."""
    import pypdfium2 as pdfium

    best = 0.0
    try:
        for image in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE], max_depth=2):
            left, bottom, right, top = image.get_bounds()
            px_width, px_height = image.get_px_size()
            if right - left > 1 and top - bottom > 1:
                best = max(best, min(px_width / ((right - left) / 72), px_height / ((top - bottom) / 72)))
    except Exception:  # noqa: BLE001 - an odd page object: render at the default
        best = 0.0
    if best <= 0:
        return DEFAULT_DPI
    return int(min(max(best, MIN_DPI), MAX_DPI))


def language_for(text: str) -> str:
    return LANGUAGES.get(detect_language(text), "eng")


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _ocr_pool() -> ThreadPoolExecutor:
    """The OCR threads, kept for the process's life: each keeps its Tesseract instances loaded
    (a language takes a moment to load), so the next document starts at once."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=OCR_THREADS, thread_name_prefix="clausewise-ocr")
        return _pool


def close_pool() -> None:
    """Stop the OCR threads (they are started again when next needed). A parser child ends with
    its process; a process that OCRs in its own threads, such as the tests, calls this."""
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(wait=True)
            _pool = None


def ocr_pdf(data: bytes, numbers: Sequence[int], cached: dict[int, OcrPage] | None = None,
            on_page: Callable[[OcrPage, bool], None] | None = None) -> Iterator[OcrPage]:
    """OCR the given 1-based pages of a PDF, in order. Pages in `cached` are not read again.
    `on_page(page, fresh)` hears each as it is done (fresh: read now, not from the cache). The
    first page read decides the document's language (read in English, and again in German or
    French if that is what it says); the other pages are read in it, OCR_THREADS at a time."""
    import pypdfium2 as pdfium

    reason = unavailable_reason()
    if reason:
        raise OcrUnavailable(reason)
    cached = cached or {}
    language = next((page.language for page in cached.values() if page.language), "")
    document = pdfium.PdfDocument(data)
    try:
        def render(number: int):
            page = document[number - 1]
            try:
                dpi = page_dpi(page)
                return page.render(scale=dpi / 72, grayscale=True).to_pil()
            finally:
                page.close()

        pool = _ocr_pool()
        pending: list[tuple[int, Future | OcrPage]] = []
        todo = iter(numbers)

        def submit() -> bool:
            nonlocal language
            number = next(todo, None)
            if number is None:
                return False
            if number in cached:
                pending.append((number, cached[number]))
                return True
            image = render(number)
            if not language:  # the first page read: find the language before the others start
                page = read_image(image, number, "eng")
                if page.words:
                    language = language_for(page.text)
                    if language != "eng":
                        page = read_image(image, number, language)
                pending.append((number, page))
                return True
            pending.append((number, pool.submit(read_image, image, number, language)))
            return True

        try:
            # Pages rendered ahead are bounded: OCR_THREADS being read and one waiting.
            while len(pending) < OCR_THREADS + 1 and submit():
                pass
            while pending:
                number, item = pending.pop(0)
                fresh = number not in cached
                page = item.result() if isinstance(item, Future) else item
                if on_page is not None:
                    on_page(page, fresh)
                yield page
                while len(pending) < OCR_THREADS + 1 and submit():
                    pass
        finally:  # cancelled or failed: drop what waits, let the pages being read finish
            running = [item for _, item in pending if isinstance(item, Future) and not item.cancel()]
            wait(running)
    finally:
        document.close()


def report_of(pages: Sequence[OcrPage]) -> OcrReport | None:
    """The document's OCR figures; None when no page was read by OCR. Blank pages are counted as
    read but left out of the mean confidence."""
    if not pages:
        return None
    read = [p for p in pages if p.words]
    mean = sum(p.confidence for p in read) / len(read) if read else 0.0
    return OcrReport(pages=len(pages), confidence=round(mean, 1),
                     low_pages=tuple(p.number for p in pages if p.low),
                     blank_pages=tuple(p.number for p in pages if not p.words and not p.low))


def describe(report: OcrReport | None) -> str:
    """The library row's and `clausewise docs`' words: "12 pages read by OCR (2 low confidence)"."""
    if report is None or not report.pages:
        return ""
    noun = "page" if report.pages == 1 else "pages"
    extras = []
    if report.low_pages:
        extras.append(f"{len(report.low_pages)} low confidence")
    if report.blank_pages:
        extras.append(f"{len(report.blank_pages)} blank")
    return f"{report.pages} {noun} read by OCR" + (f" ({', '.join(extras)})" if extras else "")


def details(report: OcrReport | None, pages: Sequence[OcrPage] = ()) -> str:
    """The ingest report's words: the row's summary, then which pages were uncertain and why,
    e.g. "12 pages read by OCR, mean confidence 93 (2 low confidence: p. 4, 9; p. 7 sideways)"."""
    if report is None:
        return ""
    noun = "page" if report.pages == 1 else "pages"
    text = f"{report.pages} {noun} read by OCR, mean confidence {report.confidence:.0f}"
    extras = []
    if report.low_pages:
        extras.append(f"{len(report.low_pages)} low confidence: {_page_list(report.low_pages)}")
    if report.blank_pages:
        extras.append(f"blank: {_page_list(report.blank_pages)}")
    extras += [f"p. {p.number} {p.note.split(',')[0]}" for p in pages if p.rotation]
    return text + (f" ({'; '.join(extras)})" if extras else "")


def _page_list(numbers: Sequence[int], most: int = 8) -> str:
    shown = ", ".join(str(n) for n in numbers[:most])
    return f"p. {shown}" + (f" and {len(numbers) - most} more" if len(numbers) > most else "")


LOW_CONFIDENCE_NOTE = "read by OCR with low confidence: check the page"
