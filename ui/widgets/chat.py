"""The conversation: a question box, the answers streaming in with citation markers as links, the
passages behind the current answer, and Stop, Copy and Export."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QApplication, QHBoxLayout, QLabel, QLineEdit, QListView, QPushButton, QSplitter,
                               QTextBrowser, QVBoxLayout, QWidget)

from assistant.conversation import LOW_CONFIDENCE_NOTE, conversation_markdown, short_quote
from assistant.types import Answer, Failure, Sources, Token
from assistant.types import Hit
from ui.models import PassageListModel

_MARKER = re.compile(r"\[(\d+)\]")


@dataclass
class Turn:
    question: str
    streamed: str = ""
    sources: tuple[Hit, ...] = ()
    answer: Answer | None = None
    failure: str = ""
    stopped: bool = False
    low_pages: frozenset = frozenset()  # (source id, page) its citations quote that OCR read with low confidence

    @property
    def done(self) -> bool:
        return self.answer is not None or bool(self.failure) or self.stopped


def turn_html(number: int, turn: Turn) -> str:
    """One question and its answer as HTML; markers link to `cite:TURN:N`, nearest passages to
    `passage:TURN:K`."""
    parts = [f'<p style="margin-top:14px"><b>You:</b> {html.escape(turn.question)}</p>']
    answer = turn.answer
    if turn.failure:
        parts.append(f'<p style="color:#c62828"><b>Could not answer:</b> {html.escape(turn.failure)}</p>')
    elif answer is None:
        text = html.escape(turn.streamed) if turn.streamed else ("<i>Reading the passages…</i>" if turn.sources else "<i>Searching…</i>")
        stopped = " <i>(stopped)</i>" if turn.stopped else ""
        parts.append(f"<p><b>Clausewise:</b> {text}{stopped}</p>")
    else:
        linked = _MARKER.sub(lambda m: f'<a href="cite:{number}:{m.group(1)}">[{m.group(1)}]</a>', html.escape(answer.text))
        parts.append(f"<p><b>Clausewise:</b> {linked}{' <i>(stopped)</i>' if answer.cancelled else ''}</p>")
        if answer.citations:
            items = "".join(
                f'<li><a href="cite:{number}:{c.number}">[{c.number}]</a> {html.escape(c.doc_name)}, p. {c.page}: '
                f"“{html.escape(short_quote(c.quote, 200))}”{_low_note(turn, c)}</li>" for c in _unique_citations(answer))
            parts.append(f"<p style='margin-bottom:0'>Sources:</p><ul style='margin-top:0'>{items}</ul>")
        elif answer.abstained and answer.passages:
            items = "".join(
                f'<li><a href="passage:{number}:{k}">{html.escape(p.doc_name)}, p. {p.page}</a>: '
                f"“{html.escape(short_quote(p.text, 160))}”</li>" for k, p in enumerate(answer.passages))
            parts.append(f"<p style='margin-bottom:0'>Nearest passages:</p><ul style='margin-top:0'>{items}</ul>")
        if answer.unsupported and not answer.abstained:
            items = "".join(f"<li>{html.escape(s)}</li>" for s in answer.unsupported)
            parts.append(f"<p style='color:#b26a00;margin-bottom:0'>Not supported by any passage; check before relying on it:</p>"
                         f"<ul style='margin-top:0'>{items}</ul>")
        # A document that speaks to AI systems is a finding for a compliance reader, not a footnote.
        parts += [f"<p style='color:#b26a00'><b>Note:</b> {html.escape(note)}</p>" for note in answer.notes]
    return "\n".join(parts)


def _low_note(turn: Turn, citation) -> str:
    if (citation.source_id, citation.page) not in turn.low_pages:
        return ""
    return f" <span style='color:#b26a00'><i>({html.escape(LOW_CONFIDENCE_NOTE)})</i></span>"


def _unique_citations(answer: Answer):
    seen = set()
    for c in answer.citations:
        if (c.number, c.start) not in seen:
            seen.add((c.number, c.start))
            yield c


class ChatPanel(QWidget):
    ask = Signal(str)
    stop = Signal()
    citation_clicked = Signal(object)  # Citation
    passage_clicked = Signal(object)  # Hit
    export = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.turns: list[Turn] = []
        # (source ids) -> {(source id, page)} read by OCR with low confidence; set by the window
        self.low_confidence_pages = None
        self.transcript = QTextBrowser()
        self.transcript.setOpenLinks(False)
        self.transcript.anchorClicked.connect(self._on_link)
        self.transcript.setPlaceholderText("Ask about the documents in the current collection. "
                                           "Every statement in an answer cites the page it comes from.")
        self.passages = PassageListModel(self)
        self.passage_list = QListView()
        self.passage_list.setModel(self.passages)
        self.passage_list.setWordWrap(True)
        self.passage_list.clicked.connect(lambda index: self.passage_clicked.emit(self.passages.hit(index.row())))
        self.scope_label = QLabel()
        self.scope_label.setWordWrap(True)
        self.question = QLineEdit()
        self.question.setPlaceholderText("Ask a question, e.g. “What is the notice period for termination?”")
        self.question.returnPressed.connect(self._submit)
        self.ask_button = QPushButton("Ask")
        self.ask_button.clicked.connect(self._submit)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop the answer (Esc)")
        self.stop_button.clicked.connect(self.stop)
        self.stop_button.setEnabled(False)
        self.copy_button = QPushButton("Copy")
        self.copy_button.setToolTip("Copy the conversation as Markdown, with its citations")
        self.copy_button.clicked.connect(self.copy_markdown)
        self.export_button = QPushButton("Export…")
        self.export_button.clicked.connect(self.export)
        ask_row = QHBoxLayout()
        ask_row.addWidget(self.question, 1)
        for button in (self.ask_button, self.stop_button):
            ask_row.addWidget(button)
        tools = QHBoxLayout()
        tools.addWidget(self.scope_label, 1)
        tools.addWidget(self.copy_button)
        tools.addWidget(self.export_button)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.transcript)
        sources_box = QWidget()
        sources_layout = QVBoxLayout(sources_box)
        sources_layout.setContentsMargins(0, 0, 0, 0)
        sources_layout.addWidget(QLabel("Passages behind the latest answer:"))
        sources_layout.addWidget(self.passage_list)
        split.addWidget(sources_box)
        split.setSizes([420, 160])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(tools)
        layout.addWidget(split, 1)
        layout.addLayout(ask_row)
        self.setMinimumWidth(360)
        # Streamed text is painted on a short timer: one repaint however many tokens arrived.
        self._repaint = QTimer(self)
        self._repaint.setSingleShot(True)
        self._repaint.setInterval(30)
        self._repaint.timeout.connect(self._render)
        self._done_html = ""
        self._update_buttons()

    # The conversation
    def _submit(self):
        text = self.question.text().strip()
        if text:
            self.ask.emit(text)

    def begin_turn(self, question: str):
        self.turns.append(Turn(question))
        self.question.clear()
        self.passages.set_hits([])
        self._update_buttons()
        self._render()

    def on_event(self, event):
        if not self.turns:
            return
        turn = self.turns[-1]
        if isinstance(event, Sources):
            turn.sources = event.passages
            self.passages.set_hits(event.passages)
        elif isinstance(event, Token):
            turn.streamed += event.text
        elif isinstance(event, Answer):
            turn.answer = event
            if self.low_confidence_pages is not None and event.citations:
                turn.low_pages = frozenset(self.low_confidence_pages(event.documents))
            self.passages.set_hits(event.passages)
        elif isinstance(event, Failure):
            turn.failure = event.message
        if turn.done:
            self._finish()
        elif not self._repaint.isActive():
            self._repaint.start()

    def mark_stopped(self):
        """Stop pressed: the worker's Answer (cancelled) normally follows; the turn shows it at once."""
        if self.turns and not self.turns[-1].done:
            self.turns[-1].stopped = True
            self._finish()

    def _finish(self):
        self._repaint.stop()
        self._done_html = "\n".join(turn_html(i, t) for i, t in enumerate(self.turns))
        self._render(final=True)
        self._update_buttons()

    def _render(self, final: bool = False):
        html_text = self._done_html
        if self.turns and not self.turns[-1].done and not final:
            html_text += "\n" + turn_html(len(self.turns) - 1, self.turns[-1])
        elif self.turns and not final:
            html_text = "\n".join(turn_html(i, t) for i, t in enumerate(self.turns))
        self.transcript.setHtml(html_text)
        bar = self.transcript.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _update_buttons(self):
        running = bool(self.turns) and not self.turns[-1].done
        self.stop_button.setEnabled(running)
        has_answers = any(t.answer for t in self.turns)
        self.copy_button.setEnabled(has_answers)
        self.export_button.setEnabled(has_answers)

    @property
    def running(self) -> bool:
        return bool(self.turns) and not self.turns[-1].done

    def history(self) -> list[Answer]:
        return [t.answer for t in self.turns if t.answer is not None and not t.answer.cancelled]

    def clear(self):
        self.turns = []
        self._done_html = ""
        self.passages.set_hits([])
        self._render()
        self._update_buttons()

    # Links
    def _on_link(self, url):
        kind, _, rest = url.toString().partition(":")
        try:
            turn_number, item = (int(x) for x in rest.split(":"))
            answer = self.turns[turn_number].answer
        except (ValueError, IndexError):
            return
        if answer is None:
            return
        if kind == "cite":
            citation = next((c for c in answer.citations if c.number == item), None)
            if citation is not None:
                self.citation_clicked.emit(citation)
            elif 1 <= item <= len(answer.passages):
                self.passage_clicked.emit(answer.passages[item - 1])
        elif kind == "passage" and 0 <= item < len(answer.passages):
            self.passage_clicked.emit(answer.passages[item])

    # Keeping the conversation
    def markdown(self) -> str:
        low = frozenset().union(*(t.low_pages for t in self.turns))
        return conversation_markdown(self.history(), low_pages=low)

    def copy_markdown(self):
        QApplication.clipboard().setText(self.markdown())
