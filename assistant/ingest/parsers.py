"""Parsers per format: a path in, a ParsedDocument of explicit pages out.

Every failure a user can meet (encrypted, no text layer, corrupt, empty, unreadable, vanished,
unsupported) is raised as a DocumentError with a plain-language message; nothing else escapes.
"""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path
from typing import Callable

from assistant.errors import (
    CorruptDocument,
    DocumentError,
    EmptyFile,
    EncryptedDocument,
    FileVanished,
    NoTextLayer,
    UnreadableFile,
    UnsupportedFileType,
)
from assistant.types import OcrPage, Page, ParsedDocument

SUPPORTED_SUFFIXES = {".pdf": "pdf", ".docx": "docx", ".txt": "txt", ".md": "md", ".markdown": "md"}

# A page with fewer visible characters than this is treated as having no text layer.
MIN_TEXT_CHARS = 20


def doc_type_of(path: Path) -> str | None:
    """The document type by extension, matched case-insensitively (`.PDF` is common)."""
    return SUPPORTED_SUFFIXES.get(path.suffix.lower())


def read_file_bytes(path: Path) -> bytes:
    """Read a file, turning OS errors into messages a user can act on."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FileVanished("the file was moved or deleted before it could be read") from None
    except PermissionError:
        raise UnreadableFile("cannot read the file: permission denied") from None
    except IsADirectoryError:
        raise UnreadableFile("this is a folder, not a file") from None
    except OSError as exc:
        raise UnreadableFile(f"cannot read the file: {exc.strerror or exc}") from None
    if not data:
        raise EmptyFile("the file is empty (0 bytes)")
    return data


def parse_bytes(data: bytes, path: Path, on_page: Callable[..., None] | None = None,
                ocr_cached: dict[int, OcrPage] | None = None) -> ParsedDocument:
    """`on_page(n, pages)` hears each PDF page as it is read, for progress within a long file;
    while pages are read by OCR, `on_page(n, pages_to_ocr, ocr_page, fresh)` (see `read_pdf`).
    `ocr_cached`: pages of this file read by OCR before, by page number: not read again."""
    doc_type = doc_type_of(path)
    if doc_type is None:
        raise UnsupportedFileType(
            f"unsupported file type '{path.suffix or '(none)'}': Clausewise reads PDF, DOCX, TXT and Markdown"
        )
    title = title_from_name(path.name)
    ocr_pages: list[OcrPage] = []
    if doc_type == "pdf":
        pages, ocr_pages = read_pdf(data, on_page, ocr_cached)
    elif doc_type == "docx":
        pages = parse_docx(data)
    else:
        pages = parse_text(data, doc_type)
    return ParsedDocument(title=title, doc_type=doc_type, pages=tuple(pages), ocr=tuple(ocr_pages))


def title_from_name(name: str) -> str:
    """A readable title from a file name: extension dropped, separators turned into spaces."""
    stem = name.rsplit(".", 1)[0]
    return re.sub(r"[_\s]+", " ", stem).strip()


# --- PDF -------------------------------------------------------------------------------------


def parse_pdf(data: bytes, on_page: Callable[..., None] | None = None) -> list[Page]:
    return read_pdf(data, on_page)[0]


def read_pdf(data: bytes, on_page: Callable[..., None] | None = None,
             ocr_cached: dict[int, OcrPage] | None = None) -> tuple[list[Page], list[OcrPage]]:
    """The PDF's pages, their text from the text layer or, where a page has none or an unusable
    one, from OCR (assistant/ingest/ocr.py); and the pages OCR read. Progress: `on_page(n, pages)`
    as each page's text layer is read, then `on_page(k, m, ocr_page, fresh)` as the k-th of the m
    pages that need OCR is done (fresh: read now, not taken from `ocr_cached`)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    # pypdf logs warnings for every slightly malformed object; they are noise to a user.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # Many PDFs are "encrypted" with an empty user password only to set permissions.
            try:
                opened = reader.decrypt("")
            except Exception:  # unsupported algorithm or missing crypto backend
                opened = 0
            if not opened:
                raise EncryptedDocument("the PDF is password-protected: open it, save an unprotected copy, and add that")
        pages = []
        to_ocr: list[int] = []
        count = len(reader.pages)
        for number, pdf_page in enumerate(reader.pages, start=1):
            text = _clean_pdf_text(pdf_page.extract_text() or "")
            label = _page_label(reader, number)
            pages.append(Page(number=number, label=label, text=text))
            if needs_ocr(text, _has_images(pdf_page)):
                to_ocr.append(number)
            if on_page is not None:
                on_page(number, count)
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise CorruptDocument(f"the PDF is damaged and cannot be read ({type(exc).__name__})") from None
    if not pages:
        raise CorruptDocument("the PDF has no pages")
    ocr_pages = _ocr_into(pages, to_ocr, data, on_page, ocr_cached) if to_ocr else []
    if sum(len(p.text.strip()) for p in pages) < MIN_TEXT_CHARS:
        if not ocr_pages:
            raise NoTextLayer("no text layer: this PDF is scanned images and needs OCR first")
        blank = sum(1 for p in ocr_pages if p.note == "blank page")
        if blank == len(ocr_pages):
            raise NoTextLayer(f"no text layer, and OCR found no text: {_pages(blank)} blank")
        where = "its page" if len(ocr_pages) == 1 else f"its {len(ocr_pages)} pages"
        raise NoTextLayer(f"no text layer, and OCR could not read any words on {where} (pictures, or too faint to read)")
    return pages, ocr_pages


def _pages(n: int) -> str:
    return "its page is" if n == 1 else f"its {n} pages are" if n else "no page"


# A page with a text layer this short and an image on it is read by OCR as well: scanners stamp a
# page number or a Bates label on an image of the page. The longer reading is kept.
SHORT_TEXT_CHARS = 200


def needs_ocr(text: str, has_images: bool) -> bool:
    """Whether a page's text layer cannot be trusted as its text: none or hardly any, garbled
    (replacement or private-use characters, `(cid:N)` codes), or not words (a scanner's bad OCR
    layer, characters spaced out one by one)."""
    from assistant.ingest.ocr import looks_like_text

    visible = text.strip()
    if len(visible) < MIN_TEXT_CHARS:
        return True
    if has_images and len(visible) < SHORT_TEXT_CHARS:
        return True
    if _garbled(visible):
        return True
    tokens = visible.split()
    if len(tokens) >= 30 and sum(len(t) == 1 for t in tokens) > 0.5 * len(tokens):
        return True
    # Tables of figures and codes are text too: only a layer mostly of non-words is distrusted.
    return not looks_like_text(visible, share=0.4)


def _has_images(pdf_page) -> bool:
    """Whether the page draws an image (read from its resources, without decoding anything)."""
    def resolved(value):
        return value.get_object() if hasattr(value, "get_object") else value

    try:
        resources = resolved(pdf_page.get("/Resources")) or {}
        xobjects = resolved(resources.get("/XObject")) or {}
        return any(resolved(xobjects[name]).get("/Subtype") == "/Image" for name in xobjects)
    except Exception:  # noqa: BLE001 - odd resources: assume an image, so OCR decides
        return True


def _ocr_into(pages: list[Page], numbers: list[int], data: bytes, on_page, cached) -> list[OcrPage]:
    """OCR the pages that need it and put their text in `pages`; the pages OCR read."""
    from assistant.ingest import ocr

    reason = ocr.unavailable_reason()
    if reason:
        if all(len(pages[n - 1].text.strip()) < MIN_TEXT_CHARS for n in range(1, len(pages) + 1)):
            raise NoTextLayer(f"no text layer: this PDF is scanned images and needs OCR, which is not "
                              f"available here: {reason}")
        return []  # a mixed PDF: index what its text layer has

    read: list[OcrPage] = []

    def heard(page: OcrPage, fresh: bool):
        if on_page is not None:
            on_page(len(read) + 1, len(numbers), page, fresh)

    try:
        for page in ocr.ocr_pdf(data, numbers, cached, heard):
            layer = pages[page.number - 1]
            if _ocr_reads_better(page, layer.text):
                pages[page.number - 1] = Page(number=layer.number, label=layer.label, text=page.text)
                read.append(page)
            else:  # the layer's own text was the longer reading (a short page with a logo)
                read.append(OcrPage(page.number, layer.text, page.confidence, (), note="text layer kept"))
    except ocr.OcrUnavailable as exc:
        raise NoTextLayer(f"no text layer: this PDF needs OCR, which is not available here: {exc}") from None
    except Exception as exc:
        if type(exc).__module__.startswith("pypdfium2"):
            raise CorruptDocument(f"the PDF is damaged and its pages cannot be rendered for OCR ({exc})") from None
        raise
    return [p for p in read if p.note != "text layer kept"]


def _ocr_reads_better(page: OcrPage, layer: str) -> bool:
    """Whether OCR's reading replaces the page's text layer: always for a layer with next to
    nothing or garbled characters; else when OCR is confident and reads much more (a stamp over a
    scan), or clearly more words (a scanner's bad OCR layer). A table of figures keeps its layer."""
    from assistant.ingest.ocr import wordlike_share

    visible = layer.strip()
    if len(visible) < MIN_TEXT_CHARS or _garbled(visible):
        return True
    if page.low or not page.text.strip():
        return False
    return (len(page.text.strip()) > 2 * len(visible)
            or wordlike_share(page.text) > wordlike_share(visible) + 0.15)


def _garbled(visible: str) -> bool:
    bad = sum(1 for ch in visible if ch == "\ufffd" or "\ue000" <= ch <= "\uf8ff"
              or (ord(ch) < 32 and ch not in "\n\t"))
    return bad + 5 * visible.count("(cid:") > 0.02 * len(visible)


def _page_label(reader, number: int) -> str:
    try:
        return str(reader.page_labels[number - 1])
    except Exception:
        return str(number)


def _clean_pdf_text(text: str) -> str:
    """Tidy the extracted layer. SEC filings pad text with runs of no-break spaces, which hide
    clause numbers from the chunker and waste the embedder's window; NUL and form feeds are never
    meaningful in a citation. Line breaks are kept: they mark clauses and headings."""
    text = text.replace("\x00", "").replace("\x0c", "\n")
    text = re.sub(r"[^\S\n]+", " ", text)
    return re.sub(r" *\n *", "\n", text)


# --- DOCX ------------------------------------------------------------------------------------


def parse_docx(data: bytes) -> list[Page]:
    """Paragraphs, headings and tables in reading order. DOCX has no fixed pages, so the whole
    document is one logical page labelled 'document'; clause headings give finer provenance."""
    import zipfile

    try:
        import docx
        from docx.oxml.ns import qn

        document = docx.Document(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise CorruptDocument("the Word file is damaged or not really a .docx (not a valid zip package)") from None
    except Exception as exc:
        raise CorruptDocument(f"the Word file cannot be read ({type(exc).__name__})") from None

    blocks: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            text = "".join(node.text or "" for node in child.iter(qn("w:t")))
            if text.strip():
                blocks.append(text.strip())
        elif child.tag == qn("w:tbl"):
            for row in child.iter(qn("w:tr")):
                cells = []
                for cell in row.iter(qn("w:tc")):
                    cell_text = " ".join(
                        "".join(n.text or "" for n in p.iter(qn("w:t"))) for p in cell.iter(qn("w:p"))
                    ).strip()
                    if cell_text:
                        cells.append(cell_text)
                if cells:
                    blocks.append(" | ".join(cells))
    text = "\n".join(blocks)
    if len(text.strip()) < MIN_TEXT_CHARS:
        raise NoTextLayer("the Word file contains no text")
    return [Page(number=1, label="document", text=text)]


# --- Plain text and Markdown -----------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 (BOM or NUL-pattern), else cp1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    sample = data[:4000]
    if sample and sample.count(b"\x00") > len(sample) // 4:
        # UTF-16 without BOM: ASCII text leaves every other byte NUL.
        odd_nuls = sample[1::2].count(b"\x00")
        even_nuls = sample[0::2].count(b"\x00")
        return data.decode("utf-16-le" if odd_nuls >= even_nuls else "utf-16-be", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def parse_text(data: bytes, doc_type: str) -> list[Page]:
    if b"\x00" in data[:4000] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        if data[:4000].count(b"\x00") <= len(data[:4000]) // 4:
            raise CorruptDocument("this does not look like a text file (it contains binary data)")
    text = decode_text(data).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise EmptyFile("the file contains only blank space")
    return [Page(number=1, label="text", text=text)]
