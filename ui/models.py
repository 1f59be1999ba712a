"""Small Qt item models over the core's value types. Each passes QAbstractItemModelTester."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QAbstractListModel, QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from assistant.types import Hit, IngestReport, IngestStatus, Source

INDEXED, QUEUED, INDEXING, FAILED, CANCELLED = "indexed", "queued", "indexing…", "failed", "cancelled"

_TYPE_NAMES = {"pdf": "PDF", "docx": "Word", "txt": "Text", "md": "Markdown"}


@dataclass(frozen=True)
class DocumentRow:
    path: str
    name: str
    doc_type: str = ""
    pages: int = 0
    chunks: int = 0
    status: str = QUEUED
    reason: str = ""
    source_id: str = ""

    @classmethod
    def of_source(cls, source: Source) -> "DocumentRow":
        return cls(source.path, source.name, source.doc_type, source.pages, source.chunks, INDEXED, "", source.source_id)

    @property
    def status_text(self) -> str:
        return f"{self.status}: {self.reason}" if self.reason and self.status in (FAILED, CANCELLED) else self.status


class DocumentTableModel(QAbstractTableModel):
    """The library: indexed documents, plus this session's queued, running, failed and cancelled
    files, each on its own row (a failed file's reason is in its status cell)."""

    COLUMNS = ("Name", "Type", "Pages", "Chunks", "Status")
    RowRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[DocumentRow] = []

    # Qt's interface
    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (row.name, _TYPE_NAMES.get(row.doc_type, row.doc_type or Path(row.path).suffix.lstrip(".")),
                    row.pages or "", row.chunks or "", row.status_text)[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.path}\n{row.status_text}"
        if role == Qt.ItemDataRole.ForegroundRole and column == 4 and row.status == FAILED:
            return QBrush(QColor("#c62828"))
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (2, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == self.RowRole:
            return row
        return None

    # What the app does with it
    def rows(self) -> list[DocumentRow]:
        return list(self._rows)

    def row_at(self, index: QModelIndex | QPersistentModelIndex | int) -> DocumentRow:
        return self._rows[index if isinstance(index, int) else index.row()]

    def find(self, path: str) -> int:
        for i, row in enumerate(self._rows):
            if row.path == path:
                return i
        return -1

    def upsert(self, row: DocumentRow):
        at = self.find(row.path)
        if at < 0 and row.source_id:  # the same document indexed from another path
            at = next((i for i, r in enumerate(self._rows) if r.source_id == row.source_id and r.status == INDEXED), -1)
        if at < 0:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows))
            self._rows.append(row)
            self.endInsertRows()
        else:
            self._rows[at] = row
            self.dataChanged.emit(self.index(at, 0), self.index(at, len(self.COLUMNS) - 1))

    def remove_path(self, path: str):
        at = self.find(path)
        if at >= 0:
            self.beginRemoveRows(QModelIndex(), at, at)
            del self._rows[at]
            self.endRemoveRows()

    def clear(self):
        self.beginResetModel()
        self._rows = []
        self.endResetModel()

    def set_indexed(self, sources: list[Source]):
        """Replace the indexed rows with the catalogue's documents; keep this session's failed,
        cancelled and pending rows below them."""
        others = [r for r in self._rows if r.status != INDEXED and all(r.path != s.path for s in sources)]
        self.beginResetModel()
        self._rows = [DocumentRow.of_source(s) for s in sorted(sources, key=lambda s: s.name.lower())] + others
        self.endResetModel()

    def apply_report(self, report: IngestReport):
        """One finished file: indexed (or unchanged), failed with its reason, or cancelled."""
        name = Path(report.path).name
        if report.status in (IngestStatus.OK, IngestStatus.SKIPPED):
            at = self.find(report.path)
            current = self._rows[at] if at >= 0 else DocumentRow(report.path, name)
            self.upsert(replace(current, status=INDEXED, reason="", source_id=report.source_id,
                                pages=report.pages or current.pages, chunks=report.chunks or current.chunks))
        elif report.status == IngestStatus.FAILED:
            self.upsert(DocumentRow(report.path, name, status=FAILED, reason=report.reason))
        else:
            at = self.find(report.path)
            if at >= 0 and self._rows[at].status == INDEXED:
                return
            self.upsert(DocumentRow(report.path, name, status=CANCELLED, reason=report.reason))

    def mark(self, path: str, status: str):
        at = self.find(path)
        if at >= 0 and self._rows[at].status != INDEXED:
            self.upsert(replace(self._rows[at], status=status))
        elif at < 0:
            self.upsert(DocumentRow(path, Path(path).name, status=status))


class PassageListModel(QAbstractListModel):
    """The passages behind the current answer, numbered as the model saw them."""

    HitRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent=None):
        super().__init__(parent)
        self._hits: list[Hit] = []

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            text = " ".join(hit.text.split())
            heading = f" · {hit.chunk.heading}" if hit.chunk.heading else ""
            return f"[{index.row() + 1}] {hit.doc_name}, p. {hit.page}{heading}\n{text[:160]}{'…' if len(text) > 160 else ''}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return " ".join(hit.text.split())[:1000]
        if role == self.HitRole:
            return hit
        return None

    def set_hits(self, hits):
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    def hit(self, row: int) -> Hit:
        return self._hits[row]
