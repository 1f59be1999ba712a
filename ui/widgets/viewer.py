"""The source viewer: the cited page with the cited passage highlighted and scrolled into view.

A PDF shows the rendered page (QtPdf) with the passage's text boxes painted over (on a page read
by OCR, the boxes OCR gave its words, since the page has no text for QtPdf to find); DOCX and TXT,
which have no pages, show the stored text with the passage selected. If the original PDF has moved
or cannot be rendered, the stored page text is shown instead, so a citation can always be checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPixmap, QTextCharFormat, QTextCursor
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QLabel, QScrollArea, QStackedWidget, QTextBrowser, QTextEdit, QVBoxLayout, QWidget
from assistant.text import normalise_space

MIN_PAGE_WIDTH = 480  # a page is rendered as wide as the viewer, but never narrower than this


@dataclass(frozen=True)
class Shown:
    """What the viewer shows, for the header and for tests."""

    doc_name: str
    page: int
    mode: str  # "pdf" or "text"
    highlighted: bool


def normalised_find(haystack: str, needle: str) -> tuple[int, int] | None:
    """The span of `needle` in `haystack`, ignoring differences in whitespace (PDF text engines
    disagree on line breaks and spaces). Falls back to the needle's first 80 characters."""
    positions, chars = [], []
    for i, ch in enumerate(haystack):
        if ch.isspace():
            if chars and chars[-1] == " ":
                continue
            ch = " "
        positions.append(i)
        chars.append(ch)
    flat = "".join(chars).lower()
    target = normalise_space(needle).lower()
    for candidate in (target, target[:80]):
        if not candidate:
            continue
        at = flat.find(candidate)
        if at >= 0:
            end = at + len(candidate) - 1
            return positions[at], positions[end] + 1
    return None


def ocr_box(words, start: int, end: int) -> tuple[float, float, float, float] | None:
    """The box around the OCR words that overlap page_text[start:end], as fractions of the page."""
    boxes = [w[2:] for w in words if w[0] < end and w[1] > start]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


class PdfPage(QLabel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.highlight_rect: QRectF | None = None


class SourceViewer(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.header = QLabel("Click a citation or a source to see it here.")
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.page_label = PdfPage()
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.page_label)
        self.scroll.setWidgetResizable(True)
        self.text = QTextBrowser()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.scroll)
        self.stack.addWidget(self.text)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.header)
        layout.addWidget(self.stack, 1)
        self.setMinimumWidth(280)
        self.shown: Shown | None = None
        self._pdf = QPdfDocument(self)
        self._pdf_path = ""

    def show_passage(self, doc_name: str, doc_type: str, path: str, page_number: int, page_label: str,
                     page_text: str, start: int, end: int, words: tuple = ()):
        """Show `page_text[start:end]` of a document: its rendered PDF page when there is one.
        `words`: the page's OCR word boxes (start, end, x0, y0, x1, y1 as fractions of the page)
        when it was read by OCR."""
        quote = page_text[start:end]
        if doc_type == "pdf" and Path(path).is_file() and self._show_pdf(path, page_number, quote,
                                                                         ocr_box(words, start, end)):
            found = self.page_label.highlight_rect is not None
            self.shown = Shown(doc_name, page_number, "pdf", found)
            self.header.setText(f"<b>{_escape(doc_name)}</b> — page {page_number}"
                                + ("" if found else " (the passage could not be located on the rendered page)"))
            return
        self._show_text(page_text, start, end)
        where = f"page {page_number}" if doc_type == "pdf" else (page_label or "text")
        note = " (original file not found: showing the indexed text)" if doc_type == "pdf" else ""
        self.shown = Shown(doc_name, page_number, "text", end > start)
        self.header.setText(f"<b>{_escape(doc_name)}</b> — {_escape(where)}{note}")

    def _show_pdf(self, path: str, page_number: int, quote: str,
                  box: tuple[float, float, float, float] | None = None) -> bool:
        if self._pdf_path != path:
            self._pdf.close()
            if self._pdf.load(path) != QPdfDocument.Error.None_:
                self._pdf_path = ""
                return False
            self._pdf_path = path
        index = page_number - 1
        if not 0 <= index < self._pdf.pageCount():
            return False
        points = self._pdf.pagePointSize(index)
        width = max(MIN_PAGE_WIDTH, self.scroll.viewport().width() - 8)
        scale = width / max(points.width(), 1.0)
        size = QSize(width, int(points.height() * scale))
        image = self._pdf.render(index, size)
        if image.isNull():
            return False
        pixmap = QPixmap.fromImage(image)
        if box is not None:  # OCR's words: fractions of the page as rendered
            rect = QRectF(box[0] * size.width() - 2, box[1] * size.height() - 2,
                          (box[2] - box[0]) * size.width() + 4, (box[3] - box[1]) * size.height() + 4)
        else:
            rect = self._passage_rect(index, quote, scale)
        self.page_label.highlight_rect = rect
        if rect is not None:
            painter = QPainter(pixmap)
            painter.fillRect(rect, QColor(255, 213, 0, 90))
            painter.setPen(QColor(230, 160, 0))
            painter.drawRect(rect)
            painter.end()
        self.page_label.setPixmap(pixmap)
        self.stack.setCurrentWidget(self.scroll)
        if rect is not None:
            self.scroll.verticalScrollBar().setValue(max(0, int(rect.top()) - 80))
        return True

    def _passage_rect(self, index: int, quote: str, scale: float) -> QRectF | None:
        page_text = self._pdf.getAllText(index).text()
        span = normalised_find(page_text, quote)
        if span is None:
            return None
        selection = self._pdf.getSelectionAtIndex(index, span[0], span[1] - span[0])
        if not selection.isValid():
            return None
        box = selection.boundingRectangle()
        return QRectF(box.left() * scale - 2, box.top() * scale - 2, box.width() * scale + 4, box.height() * scale + 4)

    def _show_text(self, text: str, start: int, end: int):
        self.text.setPlainText(text)
        selections = []
        if end > start:
            cursor = QTextCursor(self.text.document())
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            fmt = QTextCharFormat()
            fmt.setBackground(QColor(255, 213, 0, 120))
            selection = QTextEdit.ExtraSelection()
            selection.cursor, selection.format = cursor, fmt
            selections.append(selection)
            self.text.setTextCursor(cursor)
            self.text.ensureCursorVisible()
        self.text.setExtraSelections(selections)
        self.stack.setCurrentWidget(self.text)

    def highlighted_text(self) -> str:
        """The highlighted passage in text mode (for tests and for copying)."""
        return self.text.textCursor().selectedText().replace("\u2029", "\n")


def _escape(text: str) -> str:
    return re.sub(r"[&<>]", lambda m: {"&": "&amp;", "<": "&lt;", ">": "&gt;"}[m.group()], text)
