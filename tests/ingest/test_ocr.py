"""OCR of scanned pages: the text-layer check, text assembly and boxes, the cache, the figures
and their words, and real Tesseract on real rasterised pages (a few seconds each), through the
parser and the ingest pipeline, with the bad inputs a scanner produces."""

import threading

import pytest
from PIL import Image, ImageDraw

from assistant.ingest import ocr
from assistant.ingest.ocr import assemble, describe, details, looks_like_text, report_of
from assistant.ingest.parsers import needs_ocr, parse_bytes
from assistant.service import Assistant
from assistant.store.ocr_cache import OcrCache
from assistant.testing import HashEmbedder
from assistant.types import IngestStatus, OcrPage, OcrReport
from tests.docmaker import CONTRACT_PAGES, rasterise, scanned_copy, write_pdf, write_scanned_pdf

needs_tesseract = pytest.mark.skipif(bool(ocr.unavailable_reason()), reason=ocr.unavailable_reason() or "-")

CLAUSES = [
    "MASTER SUPPLY AGREEMENT",
    "This Agreement is made between Acme Widgets Ltd and Globex Corporation.",
    "1. TERM",
    "1.1 The initial term is five years from the Effective Date.",
    "2. GOVERNING LAW",
    "2.1 This Agreement is governed by the laws of the State of New York.",
    "3. LIABILITY",
    "3.1 The total liability of Acme shall not exceed the fees paid in the prior twelve months.",
]


# --- the text layer: usable or not ---------------------------------------------------------------

def test_a_real_text_layer_is_trusted():
    text = "\n".join(CLAUSES)
    assert not needs_ocr(text, has_images=False)
    assert not needs_ocr(text, has_images=True)  # long enough: a logo on a text page changes nothing


@pytest.mark.parametrize("text", [
    "", "   \n ", "Page 3",
    "(cid:12)(cid:15)(cid:40)(cid:3)(cid:71)(cid:72)(cid:73)(cid:74) (cid:12)(cid:15)(cid:40) (cid:3)(cid:71)",
    "\ufffd\ufffd \ufffd\ufffd\ufffd \ufffdabc \ufffd\ufffd\ufffd\ufffd governed \ufffd\ufffd\ufffd",
    "xqzt vbnm klpr ~~~ ### %%% qwrt zxcv bnmk ;;;; //// ==== ++++ tttt",
    " ".join("This Agreement is governed by the laws of the State of New York"),  # spaced out letter by letter
])
def test_a_missing_or_garbled_text_layer_needs_ocr(text):
    assert needs_ocr(text, has_images=True)


def test_a_short_stamp_over_a_scanned_image_needs_ocr():
    stamp = "CONFIDENTIAL - Bates ACME-000123"
    assert needs_ocr(stamp, has_images=True)
    assert not needs_ocr(stamp, has_images=False)


def test_looks_like_text_tells_words_from_noise():
    assert looks_like_text("Der Auftragsverarbeiter verarbeitet personenbezogene Daten ausschließlich auf Weisung.")
    assert looks_like_text("Le sous-traitant n'engage pas un autre sous-traitant sans l'autorisation écrite.")
    assert not looks_like_text("~*# ,.;' |||| ]]]] vvvv xkcd zzzz ::::")


# --- assembling OCR's words ---------------------------------------------------------------------

def test_lines_and_hyphenated_words_are_assembled_with_their_spans():
    #        text, confidence, box (pixels), starts a line, starts a paragraph
    words = [("Der", 96, (10, 10, 40, 20), True, True), ("Verant-", 90, (50, 10, 110, 20), False, False),
             ("wortlichen", 92, (10, 30, 90, 40), True, False), ("haftet.", 94, (100, 30, 150, 40), False, False),
             ("Neu", 80, (10, 60, 40, 70), True, True)]
    text, boxes, confidence = assemble(words, width=200, height=100)
    assert text == "Der Verantwortlichen haftet.\nNeu"
    assert [text[s:e] for s, e, *_ in boxes] == ["Der", "Verant", "wortlichen", "haftet.", "Neu"]
    assert boxes[0][2:] == (0.05, 0.1, 0.2, 0.2)
    weighted = (96 * 3 + 90 * 7 + 92 * 10 + 94 * 7 + 80 * 3) / 30
    assert confidence == pytest.approx(weighted)


def test_boxes_of_a_turned_image_are_given_on_the_page_as_shown():
    # A word at the top left of a page that was read after turning it 90° counter-clockwise sat,
    # on the page as shown, at the bottom left... of the turned image's frame: check all turns.
    box = (0, 0, 20, 10)  # in a 100 x 50 turned image
    assert ocr._unturn(box, 100, 50, 0) == (0.0, 0.0, 0.2, 0.2)
    assert ocr._unturn(box, 100, 50, 180) == (0.8, 0.8, 1.0, 1.0)
    assert ocr._unturn(box, 100, 50, 90) == (0.8, 0.0, 1.0, 0.2)
    assert ocr._unturn(box, 100, 50, 270) == (0.0, 0.8, 0.2, 1.0)


# --- the figures and their words ----------------------------------------------------------------

def _page(number, confidence, low=False, words=((0, 1, 0, 0, 0.1, 0.1),), rotation=0, note=""):
    return OcrPage(number, "x", confidence, tuple(words), low=low, rotation=rotation, note=note)


def test_the_report_counts_low_and_blank_pages_and_averages_the_read_ones():
    pages = [_page(1, 94), _page(2, 40, low=True), _page(3, 0, words=(), note="blank page"), _page(4, 90)]
    report = report_of(pages)
    assert report == OcrReport(pages=4, confidence=round((94 + 40 + 90) / 3, 1), low_pages=(2,), blank_pages=(3,))
    assert describe(report) == "4 pages read by OCR (1 low confidence, 1 blank)"
    assert report_of([]) is None and describe(None) == ""


def test_the_row_says_how_many_pages_were_read_by_ocr():
    assert describe(OcrReport(12, 93.0, low_pages=(4, 9))) == "12 pages read by OCR (2 low confidence)"
    assert describe(OcrReport(1, 95.0)) == "1 page read by OCR"
    text = details(OcrReport(3, 91.4, low_pages=(2,)), [_page(3, 91, rotation=180, note="upside down, read turned 180°")])
    assert text == "3 pages read by OCR, mean confidence 91 (1 low confidence: p. 2; p. 3 upside down)"


def test_the_library_row_and_the_citation_say_it():
    from assistant.conversation import citation_line
    from assistant.types import Citation
    from ui.models import INDEXED, DocumentRow

    row = DocumentRow("/s/scan.pdf", "scan.pdf", "pdf", 12, 30, INDEXED, source_id="abc",
                      ocr=describe(OcrReport(12, 88.0, low_pages=(3, 7))))
    assert row.status_text == "indexed · 12 pages read by OCR (2 low confidence)"
    citation = Citation(1, "scan.pdf", "abc", 3, 0, 9, "The term.", False)
    assert citation_line(citation, low_confidence=True).endswith("(read by OCR with low confidence: check the page)")
    assert "OCR" not in citation_line(citation)


# --- the cache ---------------------------------------------------------------------------------

def test_the_cache_keeps_pages_by_file_page_and_engine(tmp_path):
    cache = OcrCache(tmp_path / "ocr-cache.sqlite")
    page = OcrPage(2, "Vertrag über Lieferungen", 91.25, ((0, 7, 0.1, 0.2, 0.3, 0.25),), low=False,
                   note="", rotation=90, language="deu")
    cache.put("aa" * 32, page, "tesseract-5-f1")
    assert cache.pages("aa" * 32, "tesseract-5-f1") == {2: page}
    assert cache.pages("aa" * 32, "tesseract-6-f1") == {}  # another engine reads again
    assert cache.pages("bb" * 32, "tesseract-5-f1") == {}
    cache.forget("aa" * 32)
    assert cache.count() == 0
    cache.close()


# --- real OCR on real rasterised pages ----------------------------------------------------------

def _cer(ocr_text: str, truth: str) -> float:
    import difflib

    a, b = " ".join(ocr_text.split()), " ".join(truth.split())
    matched = sum(block.size for block in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
    return 1 - matched / max(len(b), 1)


@needs_tesseract
def test_a_rasterised_page_is_read_with_its_words_where_they_are(tmp_path):
    import pypdfium2 as pdfium

    scan = scanned_copy(tmp_path / "scan.pdf", [CLAUSES], dpi=200, font_size=12)
    pages = []
    doc = parse_bytes(scan.read_bytes(), scan, on_page=lambda *values: pages.append(values))
    [page] = doc.ocr
    assert doc.pages[0].text == page.text and page.number == 1 and not page.low
    assert page.confidence > 85 and page.language == "eng"
    assert _cer(page.text, "\n".join(CLAUSES)) < 0.02
    assert "governed by the laws of the State of New York" in " ".join(page.text.split())
    # Progress said "OCR page 1 of 1" and handed over the page for the cache.
    assert pages[-1][:2] == (1, 1) and pages[-1][2] == page and pages[-1][3] is True
    # The OCR box of "Globex" lies on the word as the source PDF drew it.
    start = page.text.index("Globex")
    [box] = [w[2:] for w in page.words if w[0] == start]
    source = pdfium.PdfDocument(str(tmp_path / "scan.source.pdf"))[0]
    width, height = source.get_size()
    text_page = source.get_textpage()
    at = text_page.get_text_range().index("Globex")
    left, bottom, _, top = text_page.get_charbox(at)
    _, _, right, _ = text_page.get_charbox(at + 5)
    truth = (left / width, 1 - top / height, right / width, 1 - bottom / height)
    assert all(abs(a - b) < 0.01 for a, b in zip(box, truth)), (box, truth)


@needs_tesseract
def test_a_mixed_pdf_reads_only_its_scanned_page(tmp_path):
    from pypdf import PdfReader, PdfWriter

    text_pdf = write_pdf(tmp_path / "text.pdf", CONTRACT_PAGES[:1])
    scan = scanned_copy(tmp_path / "scan.pdf", [CLAUSES[4:6]], font_size=14)
    writer = PdfWriter()
    for source in (text_pdf, scan):
        writer.add_page(PdfReader(str(source)).pages[0])
    mixed = tmp_path / "mixed.pdf"
    with open(mixed, "wb") as handle:
        writer.write(handle)
    doc = parse_bytes(mixed.read_bytes(), mixed)
    assert [p.number for p in doc.ocr] == [2]
    assert "Acme Widgets Ltd" in doc.pages[0].text
    assert "governed by the laws of the State of New York" in " ".join(doc.pages[1].text.split())


@needs_tesseract
def test_a_scanned_pdf_is_indexed_cached_and_reported(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    scanned_copy(docs / "msa-scan.pdf", [CLAUSES[:4], CLAUSES[4:]], font_size=14)
    assistant = Assistant(tmp_path / "index", embedder=HashEmbedder())
    seen = []
    [row] = assistant.ingest([docs / "msa-scan.pdf"], progress=lambda progress, report: seen.append(progress))
    assert row.status == IngestStatus.OK and row.pages == 2
    assert row.reason.startswith("2 pages read by OCR, mean confidence")
    assert [(p.page, p.pages) for p in seen if p.ocr] == [(1, 2), (2, 2)]
    [(source_id, report)] = assistant.ocr_reports().items()
    assert report.pages == 2 and report.low_pages == () and report.confidence > 85
    words = assistant.index.catalog.page_words(source_id, 2)
    page = assistant.index.catalog.page(source_id, 2)
    assert words and all(page.text[s:e] and " " not in page.text[s:e] for s, e, *_ in words)
    hits = assistant.search("Which law governs the agreement?", k=3)
    assert hits and hits[0].page == 2
    assert assistant.index.ocr_cache.count(source_id) == 2

    # Re-indexing (the app's Re-index: removed, keeping OCR's pages, then ingested) reads nothing again.
    assistant.remove_ids([source_id], keep_ocr=True)
    original = ocr.read_image
    try:
        ocr.read_image = lambda *a, **k: pytest.fail("a cached page was read by OCR again")
        [again] = assistant.ingest([docs / "msa-scan.pdf"])
    finally:
        ocr.read_image = original
    assert again.status == IngestStatus.OK and assistant.index.catalog.page(source_id, 2).text == page.text
    # A plain removal erases the pages OCR read, like the rest of the document.
    assistant.remove("msa-scan.pdf")
    assert assistant.index.ocr_cache.count() == 0 and assistant.ocr_reports() == {}


@needs_tesseract
def test_cancel_stops_a_scan_between_pages_and_keeps_what_was_read(tmp_path):
    scan = scanned_copy(tmp_path / "long-scan.pdf", [CLAUSES[:3], CLAUSES[3:6], CLAUSES[6:]], font_size=14)
    assistant = Assistant(tmp_path / "index", embedder=HashEmbedder())
    cancel = threading.Event()

    def progress(progress, report):
        if progress.ocr and progress.page == 1:
            cancel.set()

    [row] = assistant.ingest([scan], progress=progress, cancel=cancel)
    assert row.status == IngestStatus.CANCELLED and assistant.documents() == []
    assert 1 <= assistant.index.ocr_cache.count() < 3  # page 1 (and maybe one read alongside) kept
    [done] = assistant.ingest([scan])  # resumes: only the rest is read
    assert done.status == IngestStatus.OK and assistant.index.ocr_cache.count() == 3


# --- bad input: each gives a clear row or a low-confidence note, and the batch goes on ----------

def _noise_page(size=(1654, 2339), seed=7):
    import random

    rng = random.Random(seed)
    image = Image.new("L", size, 246)
    draw = ImageDraw.Draw(image)
    for _ in range(2500):  # scribbles: ink everywhere, no words
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        draw.line((x, y, x + rng.randrange(-40, 40), y + rng.randrange(-40, 40)), fill=28, width=rng.choice((1, 2, 3)))
    return image


@needs_tesseract
def test_bad_scans_each_get_a_clear_row_and_the_batch_goes_on(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    blank = Image.new("L", (1654, 2339), 246)
    ImageDraw.Draw(blank).ellipse((800, 1200, 806, 1206), fill=40)  # a speck of dust
    write_scanned_pdf(docs / "blank.pdf", [blank, blank.copy()])
    write_scanned_pdf(docs / "garbage.pdf", [_noise_page()])
    scanned_copy(docs / "turned.pdf", [CLAUSES[:4], CLAUSES[4:]], font_size=14, turn=[180, 90])
    # A bilevel 600 dpi scan (a TIFF in a PDF): read at 300 dpi.
    [fine] = rasterise(scanned_copy(tmp_path / "fine-source.pdf", [CLAUSES[:4]], font_size=12), dpi=600)
    write_scanned_pdf(docs / "fine-600dpi.pdf", [fine.point(lambda v: 255 if v > 128 else 0).convert("1")], dpi=600)
    (docs / "notes.txt").write_text("1. TERM\nThe term is one year.\n")
    assistant = Assistant(tmp_path / "index", embedder=HashEmbedder())
    rows = {r.path.rsplit("/", 1)[-1]: r for r in assistant.ingest([docs])}

    assert rows["blank.pdf"].status == IngestStatus.FAILED
    assert rows["blank.pdf"].reason == "no text layer, and OCR found no text: its 2 pages are blank"
    garbage = rows["garbage.pdf"]
    if garbage.status == IngestStatus.FAILED:  # nothing word-like at all
        assert "OCR could not read any words" in garbage.reason
    else:  # or some "words", flagged as not to be trusted
        assert "1 low confidence: p. 1" in garbage.reason
    turned = rows["turned.pdf"]
    assert turned.status == IngestStatus.OK and "low confidence" not in turned.reason, turned.reason
    assert "p. 1 upside down" in turned.reason
    source = next(d.source_id for d in assistant.documents() if d.name == "turned.pdf")
    assert "governed by the laws of the State of New York" in " ".join(assistant.index.catalog.page(source, 2).text.split())
    fine_row = rows["fine-600dpi.pdf"]
    assert fine_row.status == IngestStatus.OK and "low confidence" not in fine_row.reason
    assert rows["notes.txt"].status == IngestStatus.OK


def test_without_the_language_data_a_scan_is_refused_with_what_to_install(tmp_path, monkeypatch):
    from assistant.errors import NoTextLayer

    monkeypatch.setattr(ocr, "tessdata_dir", lambda: None)
    scan = write_scanned_pdf(tmp_path / "scan.pdf", [Image.new("L", (200, 300), 246)])
    with pytest.raises(NoTextLayer, match="needs OCR.*tesseract-ocr-eng"):
        parse_bytes(scan.read_bytes(), scan)


# --- in the app: the parser's child process, the catalog, the viewer ----------------------------

@needs_tesseract
def test_the_parser_child_reads_a_scan_reports_its_pages_and_stops_on_cancel(tmp_path):
    from assistant.ingest.parser_process import ParserProcess
    from assistant.ingest.pipeline import ParseCancelled, parse_job

    scan = scanned_copy(tmp_path / "scan.pdf", [CLAUSES[:4], CLAUSES[4:]], font_size=14)
    data = scan.read_bytes()
    parser = ParserProcess()
    try:
        heard = []
        remote = parser(data, str(scan), lambda *values: heard.append(values))
        assert remote == parse_job(data, str(scan)) and len(remote.ocr) == 2
        assert [(v[0], v[1], v[2].number, v[3]) for v in heard if len(v) > 2] == [(1, 2, 1, True), (2, 2, 2, True)]
        first_pid = parser.pid

        def cancel(*values):
            if len(values) > 2:
                raise ParseCancelled()

        with pytest.raises(ParseCancelled):
            parser(data, str(scan), cancel)
        # The cached first page is not read again, and a new child serves the next call.
        again = parser(data, str(scan), None, {1: remote.ocr[0]})
        assert again == remote and parser.pid != first_pid
    finally:
        parser.close()


def test_the_catalog_keeps_each_documents_ocr_figures_and_word_boxes(tmp_path):
    from assistant.store.catalog import Catalog
    from assistant.types import Page, Source

    catalog = Catalog(tmp_path / "catalog.sqlite")
    source = Source("s" * 64, "/x/scan.pdf", "scan.pdf", "pdf", "scan", 2, 0, 10)
    catalog.add_pending(source, vectors=0)
    catalog.complete(source.source_id, [Page(1, "1", "Term one"), Page(2, "2", "blurred")], [], [])
    pages = [OcrPage(1, "Term one", 93.0, ((0, 4, 0.1, 0.1, 0.2, 0.12), (5, 8, 0.21, 0.1, 0.3, 0.12))),
             OcrPage(2, "blurred", 41.0, ((0, 7, 0.1, 0.5, 0.3, 0.52),), low=True)]
    catalog.set_ocr(source.source_id, report_of(pages), pages)
    assert catalog.ocr_reports() == {source.source_id: OcrReport(2, 67.0, low_pages=(2,))}
    assert [w == pytest.approx(v) for w, v in zip(catalog.page_words(source.source_id, 1), pages[0].words)] == [True] * 2
    assert catalog.page_words(source.source_id, 3) == ()
    assert catalog.low_confidence_pages([source.source_id]) == {(source.source_id, 2)}
    catalog.purge(source.source_id)
    assert catalog.ocr_reports() == {} and catalog.page_words(source.source_id, 1) == ()
    catalog.close()
    Catalog(tmp_path / "catalog.sqlite").close()  # the migration runs again harmlessly


def test_the_viewer_boxes_the_ocr_words_of_a_passage():
    from ui.widgets.viewer import ocr_box

    words = ((0, 4, 0.1, 0.1, 0.2, 0.12), (5, 8, 0.21, 0.1, 0.3, 0.12), (9, 14, 0.1, 0.14, 0.25, 0.16))
    assert ocr_box(words, 5, 14) == (0.1, 0.1, 0.3, 0.16)
    assert ocr_box(words, 0, 4) == (0.1, 0.1, 0.2, 0.12)
    assert ocr_box(words, 20, 30) is None and ocr_box((), 0, 4) is None


@needs_tesseract
def test_the_app_path_caches_pages_read_in_the_child_and_says_ocr_page_k_of_n(tmp_path):
    from assistant.ingest.parser_process import ParserProcess

    scan = scanned_copy(tmp_path / "scan.pdf", [CLAUSES[:4], CLAUSES[4:]], font_size=14)
    parser = ParserProcess()
    assistant = Assistant(tmp_path / "index", embedder=HashEmbedder(), parser=parser)
    try:
        seen = []
        [row] = assistant.ingest([scan], progress=lambda progress, report: seen.append(progress))
        assert row.status == IngestStatus.OK and "2 pages read by OCR" in row.reason
        assert [(p.page, p.pages, p.ocr) for p in seen if p.ocr] == [(1, 2, True), (2, 2, True)]
        assert assistant.index.ocr_cache.count(row.source_id) == 2
    finally:
        assistant.close()
        parser.close()
