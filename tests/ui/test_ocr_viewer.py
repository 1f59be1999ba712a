"""A scanned page in the app: the source viewer boxes a cited passage with OCR's word boxes (the
page has no text for QtPdf to find), and an answer quoting a low-confidence page says so."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from assistant.ingest import ocr  # noqa: E402
from assistant.service import Assistant  # noqa: E402
from assistant.testing import HashEmbedder  # noqa: E402
from assistant.types import Answer, Citation  # noqa: E402
from tests.docmaker import scanned_copy  # noqa: E402
from ui.widgets.chat import Turn, turn_html  # noqa: E402
from ui.widgets.viewer import SourceViewer  # noqa: E402


@pytest.mark.skipif(bool(ocr.unavailable_reason()), reason=ocr.unavailable_reason() or "-")
def test_a_passage_on_a_scanned_page_is_boxed_where_ocr_read_it(qtbot, tmp_path):
    scan = scanned_copy(tmp_path / "scan.pdf", [["1. TERM", "The initial term is five years.", "2. GOVERNING LAW",
                                                "This Agreement is governed by the laws of the State of New York."]],
                        font_size=14)
    assistant = Assistant(tmp_path / "index", embedder=HashEmbedder())
    assistant.ingest([scan])
    [doc] = assistant.documents()
    page = assistant.index.catalog.page(doc.source_id, 1)
    words = assistant.index.catalog.page_words(doc.source_id, 1)
    start = page.text.index("This Agreement")
    end = page.text.index("New York") + len("New York")
    viewer = SourceViewer()
    qtbot.addWidget(viewer)
    viewer.resize(700, 900)
    viewer.show_passage(doc.name, "pdf", str(scan), 1, page.label, page.text, start, end, words=words)
    assert viewer.shown.mode == "pdf" and viewer.shown.highlighted
    rect, pixmap = viewer.page_label.highlight_rect, viewer.page_label.pixmap()
    # The sentence is the page's fourth line, drawn at x = 50 pt of 595, about y = 800 - 3 * 19.6 pt of 842.
    assert abs(rect.left() / pixmap.width() - 50 / 595) < 0.02
    assert abs((rect.top() + rect.bottom()) / 2 / pixmap.height() - (842 - (800 - 3 * 19.6)) / 842) < 0.03
    assistant.close()


def test_a_quote_from_a_low_confidence_page_says_so():
    citation = Citation(1, "scan.pdf", "abc", 3, 0, 9, "The term.", False)
    answer = Answer("q", "The term is one year [1].", (citation,), (), False, ())
    assert "read by OCR with low confidence" in turn_html(0, Turn("q", answer=answer, low_pages=frozenset({("abc", 3)})))
    assert "read by OCR" not in turn_html(0, Turn("q", answer=answer))
