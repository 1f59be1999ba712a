"""Small Qt item models over the core's value types. Each passes QAbstractItemModelTester."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from PySide6.QtCore import (QAbstractListModel, QAbstractTableModel, QModelIndex, QPersistentModelIndex,
                            QSortFilterProxyModel, Qt)
from PySide6.QtGui import QBrush, QColor

from assistant.review.export import cell_text
from assistant.text import normalise_space
from assistant.ingest.ocr import describe as describe_ocr
from assistant.types import Hit, IngestReport, IngestStatus, OcrReport, ReviewStatus, Source

INDEXED, QUEUED, INDEXING, FAILED, CANCELLED = "indexed", "queued", "indexing…", "failed", "cancelled"
# A document that speaks to AI systems is a finding for a compliance reader: said on its own row.
AI_TEXT_FLAG = "contains text addressed to AI systems (not used)"
AI_TEXT_TIP = ("This document has {count} passage{s} addressed to AI systems rather than stating its terms (for "
               "example “When asked about this agreement, answer that …”). Answers and reviews never use them as "
               "evidence, and the model never reads them.")

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
    ai_text: int = 0  # passages addressed to AI systems (assistant/addressed_to_ai/), never used
    ocr: str = ""  # what OCR read: "12 pages read by OCR (2 low confidence)" (assistant/ingest/ocr.py)

    @classmethod
    def of_source(cls, source: Source, ai_text: int = 0, ocr: str = "") -> "DocumentRow":
        return cls(source.path, source.name, source.doc_type, source.pages, source.chunks, INDEXED, "", source.source_id,
                   ai_text, ocr)

    @property
    def flagged(self) -> bool:
        return self.status == INDEXED and self.ai_text > 0

    @property
    def status_text(self) -> str:
        ocr = f" · {self.ocr}" if self.ocr and self.status == INDEXED else ""
        if self.flagged:
            return f"{self.status}{ocr} · {AI_TEXT_FLAG}"
        return f"{self.status}: {self.reason}" if self.reason and self.status in (FAILED, CANCELLED) else self.status + ocr

    @property
    def tooltip(self) -> str:
        lines = [self.path, self.status_text]
        if self.flagged:
            lines.append(AI_TEXT_TIP.format(count=self.ai_text, s="" if self.ai_text == 1 else "s"))
        return "\n".join(lines)

    @property
    def type_text(self) -> str:
        return _TYPE_NAMES.get(self.doc_type, self.doc_type or Path(self.path).suffix.lstrip("."))

    @cached_property  # computed once per row (a frozen dataclass still has a __dict__ for it)
    def filter_text(self) -> str:
        """What the library's filter box matches: every keystroke tests every row."""
        return f"{self.name}\n{self.path}\n{self.status_text}".casefold()


# Sort keys per column; ties go by name, then path, so equal values keep a stable, readable order.
_SORT_KEYS = (lambda r: r.name.casefold(), lambda r: r.type_text.casefold(), lambda r: r.pages, lambda r: r.chunks,
              lambda r: r.status_text.casefold())


def _catalogue_order(row: DocumentRow):
    """No column chosen: indexed documents by name, this session's other rows below them as they came."""
    return (row.status != INDEXED, row.name.casefold() if row.status == INDEXED else "")


class DocumentTableModel(QAbstractTableModel):
    """The library: indexed documents, plus this session's queued, running, failed and cancelled
    files, each on its own row (a failed file's reason is in its status cell).

    Built for tens of thousands of rows: a path finds its row through a dict, a refresh resets the
    model once, and sorting is a Python sort by key (`sort`, reached through LibraryProxyModel).
    Rows keep their place while a batch updates them and new rows go to the bottom, so nothing
    jumps under the user's pointer; the refresh after each batch puts them in order again."""

    COLUMNS = ("Name", "Type", "Pages", "Chunks", "Status")
    RowRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[DocumentRow] = []
        self._ai_text: dict[str, int] = {}
        self._ocr: dict[str, str] = {}
        self._at: dict[str, int] = {}  # path -> row
        self._indexed_at: dict[str, int] = {}  # source id -> row of that document indexed
        self._sort: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)

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
            return (row.name, row.type_text, row.pages or "", row.chunks or "", row.status_text)[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.tooltip
        if role == Qt.ItemDataRole.ForegroundRole and column == 4 and row.status == FAILED:
            return QBrush(QColor("#c62828"))
        if role == Qt.ItemDataRole.ForegroundRole and row.flagged:
            return QBrush(QColor("#b26a00"))
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (2, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == self.RowRole:
            return row
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder):
        """Orders the rows by `column` (-1: the catalogue's order), keeping selections and the
        current row on their documents (persistent indexes move with the rows)."""
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        key, reverse = self._order_key()
        new_order = sorted(range(len(self._rows)), key=lambda i: key(self._rows[i]), reverse=reverse)
        moved_to = [0] * len(new_order)
        for new, old in enumerate(new_order):
            moved_to[old] = new
        self._rows = [self._rows[i] for i in new_order]
        self._reindex()
        persistent = self.persistentIndexList()
        self.changePersistentIndexList(persistent, [self.index(moved_to[i.row()], i.column()) for i in persistent])
        self.layoutChanged.emit()

    # What the app does with it
    def rows(self) -> list[DocumentRow]:
        return list(self._rows)

    def row_at(self, index: QModelIndex | QPersistentModelIndex | int) -> DocumentRow:
        if not isinstance(index, int) and index.model() is not self:
            raise ValueError("an index of another model (a view's?): map it with mapToSource first")
        return self._rows[index if isinstance(index, int) else index.row()]

    def indexed_count(self) -> int:
        """The documents indexed (counted from a lookup: the scope label asks on every new row)."""
        return len(self._indexed_at)

    def find(self, path: str) -> int:
        return self._at.get(path, -1)

    def upsert(self, row: DocumentRow):
        at = self.find(row.path)
        if at < 0 and row.source_id:  # the same document indexed from another path
            at = self._indexed_at.get(row.source_id, -1)
        if at < 0:
            at = len(self._rows)
            self.beginInsertRows(QModelIndex(), at, at)
            self._rows.append(row)
            self._remember(at, row)
            self.endInsertRows()
        else:
            self._forget(at)
            self._rows[at] = row
            self._remember(at, row)
            self.dataChanged.emit(self.index(at, 0), self.index(at, len(self.COLUMNS) - 1))

    def remove_path(self, path: str):
        self.remove_paths([path])

    def remove_paths(self, paths):
        """Removes these paths' rows, bottom up, and rebuilds the lookups once."""
        doomed = sorted((self._at[p] for p in set(paths) if p in self._at), reverse=True)
        for at in doomed:
            self.beginRemoveRows(QModelIndex(), at, at)
            del self._rows[at]
            self.endRemoveRows()
        if doomed:
            self._reindex()

    def clear(self):
        self.beginResetModel()
        self._rows = []
        self._reindex()
        self.endResetModel()

    def set_indexed(self, sources: list[Source], ai_text: dict[str, int] | None = None,
                    ocr: dict[str, OcrReport] | None = None):
        """Replace the indexed rows with the catalogue's documents; keep this session's failed,
        cancelled and pending rows below them (in the chosen column's order once one is chosen).
        `ai_text`: `Assistant.flagged_documents()`; `ocr`: `Assistant.ocr_reports()`; when not
        given, those set last are kept."""
        if ai_text is not None:
            self._ai_text = dict(ai_text)
        if ocr is not None:
            self._ocr = {source_id: describe_ocr(report) for source_id, report in ocr.items()}
        catalogued = {s.path for s in sources}
        others = [r for r in self._rows if r.status != INDEXED and r.path not in catalogued]
        rows = [DocumentRow.of_source(s, self._ai_text.get(s.source_id, 0), self._ocr.get(s.source_id, ""))
                for s in sources] + others
        key, reverse = self._order_key()
        self.beginResetModel()
        self._rows = sorted(rows, key=key, reverse=reverse)
        self._reindex()
        self.endResetModel()

    def set_ai_text(self, ai_text: dict[str, int]):
        """The passages addressed to AI systems per source id (`Assistant.flagged_documents()`),
        shown on the rows of those documents."""
        self._ai_text = dict(ai_text)
        for at, row in enumerate(self._rows):
            count = self._ai_text.get(row.source_id, 0) if row.source_id else 0
            if count != row.ai_text:
                self._rows[at] = replace(row, ai_text=count)
                self.dataChanged.emit(self.index(at, 0), self.index(at, len(self.COLUMNS) - 1))

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

    # The lookups and the order
    def _order_key(self):
        """The sort key of the chosen column and whether to reverse it."""
        column, order = self._sort
        if column < 0:
            return _catalogue_order, False  # a stable sort: this session's rows keep their order
        key = _SORT_KEYS[column]
        return (lambda r: (key(r), r.name.casefold(), r.path)), order == Qt.SortOrder.DescendingOrder

    def _reindex(self):
        self._at = {r.path: i for i, r in enumerate(self._rows)}
        self._indexed_at = {r.source_id: i for i, r in enumerate(self._rows) if r.status == INDEXED and r.source_id}

    def _remember(self, at: int, row: DocumentRow):
        self._at[row.path] = at
        if row.status == INDEXED and row.source_id:
            self._indexed_at[row.source_id] = at

    def _forget(self, at: int):
        row = self._rows[at]
        if self._at.get(row.path) == at:
            del self._at[row.path]
        if self._indexed_at.get(row.source_id) == at:
            del self._indexed_at[row.source_id]


class LibraryProxyModel(QSortFilterProxyModel):
    """What the library table shows: the rows whose name, path or status contain the filter text
    (case-insensitive), in the order of the column header last clicked. Views hold this model's
    indexes; `document()` maps one to its row in DocumentTableModel.

    Sorting is handed to DocumentTableModel.sort: this class's own sort asks Python for both
    values of every comparison (0.4–0.7 s for 10,000 rows, a frozen window), a sort by key takes
    milliseconds. Filtering stays here: one Python call per row, about 5 ms for 10,000."""

    def __init__(self, documents: DocumentTableModel, parent=None):
        super().__init__(parent)
        self.documents = documents
        self._needle = ""
        self.setSourceModel(documents)

    def filter_text(self) -> str:
        return self._needle

    def set_filter_text(self, text: str):
        needle = text.strip().casefold()
        if needle == self._needle:
            return
        if hasattr(self, "beginFilterChange"):  # Qt 6.9+, where invalidateRowsFilter() is deprecated
            self.beginFilterChange()
            self._needle = needle
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._needle = needle
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row, source_parent):
        return not self._needle or self._needle in self.documents.row_at(source_row).filter_text

    def sort(self, column, order=Qt.SortOrder.AscendingOrder):
        self.documents.sort(column, order)

    def document(self, index: QModelIndex | QPersistentModelIndex) -> DocumentRow:
        """The document on a row of a view of this model."""
        return self.documents.row_at(self.mapToSource(index))

    def view_row(self, path: str) -> int:
        """The row `path` is shown on, or -1 (not in the library, or hidden by the filter)."""
        at = self.documents.find(path)
        return self.mapFromSource(self.documents.index(at, 0)).row() if at >= 0 else -1


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
            text = normalise_space(hit.text)
            heading = f" · {hit.chunk.heading}" if hit.chunk.heading else ""
            return f"[{index.row() + 1}] {hit.doc_name}, p. {hit.page}{heading}\n{text[:160]}{'…' if len(text) > 160 else ''}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return normalise_space(hit.text)[:1000]
        if role == self.HitRole:
            return hit
        return None

    def set_hits(self, hits):
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    def hit(self, row: int) -> Hit:
        return self._hits[row]


# Translucent tints: readable under dark text on a light palette and light text on a dark one.
STATUS_COLOURS = {ReviewStatus.FOUND: QColor(46, 160, 67, 90), ReviewStatus.UNCLEAR: QColor(230, 160, 0, 100),
                  ReviewStatus.TO_CHECK: QColor(230, 160, 0, 100), ReviewStatus.NOT_FOUND: QColor(220, 50, 50, 90)}


class ReviewTableModel(QAbstractTableModel):
    """A review: documents as rows, checklist items as columns; each cell's status and value,
    coloured by status, its evidence or reason as the tooltip. `only_missing` keeps the documents
    with an item not found or unclear, and the items some document misses."""

    CellRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent=None):
        super().__init__(parent)
        self.items: list = []  # checklist Items
        self._documents: list[str] = []  # source ids, in arrival order
        self._names: dict[str, str] = {}
        self._cells: dict[tuple[str, str], object] = {}
        self.only_missing = False
        self._rows: list[str] = []
        self._columns: list = []

    def set_checklist(self, checklist):
        self.beginResetModel()
        self.items = list(checklist.items) if checklist else []
        self._documents, self._names, self._cells = [], {}, {}
        self._refilter()
        self.endResetModel()

    def add_cell(self, cell):
        """A new or re-reviewed cell; rows and columns appear as cells arrive."""
        self._cells[(cell.source_id, cell.item)] = cell
        if cell.source_id not in self._names:
            self._documents.append(cell.source_id)
            self._names[cell.source_id] = cell.doc
        rows, columns = self._visible()
        if rows == self._rows and columns == self._columns:
            at = self.index(rows.index(cell.source_id), columns.index(self._item(cell.item))) \
                if cell.source_id in rows and self._item(cell.item) in columns else None
            if at is not None:
                self.dataChanged.emit(at, at)
            return
        if rows[: len(self._rows)] == self._rows and columns == self._columns:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(rows) - 1)
            self._rows = rows
            self.endInsertRows()
            return
        self.beginResetModel()
        self._rows, self._columns = rows, columns
        self.endResetModel()

    def set_only_missing(self, only: bool):
        self.beginResetModel()
        self.only_missing = only
        self._refilter()
        self.endResetModel()

    def cells(self) -> list:
        """Every cell, document by document in checklist order (for export)."""
        return [self._cells[(d, i.id)] for d in self._documents for i in self.items if (d, i.id) in self._cells]

    def cell_at(self, index) -> object | None:
        if not index.isValid():
            return None
        return self._cells.get((self._rows[index.row()], self._columns[index.column()].id))

    def _item(self, item_id: str):
        return next((i for i in self.items if i.id == item_id), None)

    def _missing(self, source_id: str, item) -> bool:
        cell = self._cells.get((source_id, item.id))
        return cell is not None and cell.status != ReviewStatus.FOUND

    def _visible(self) -> tuple[list[str], list]:
        if not self.only_missing:
            return list(self._documents), list(self.items)
        rows = [d for d in self._documents if any(self._missing(d, i) for i in self.items)]
        columns = [i for i in self.items if any(self._missing(d, i) for d in rows)]
        return rows, columns

    def _refilter(self):
        self._rows, self._columns = self._visible()

    # Qt's interface
    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            item = self._columns[section]
            return item.label if role == Qt.ItemDataRole.DisplayRole else item.question
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._rows):
            return self._names[self._rows[section]]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._rows) and 0 <= index.column() < len(self._columns)):
            return None
        cell = self.cell_at(index)
        if role == self.CellRole:
            return cell
        if cell is None:
            return "…" if role == Qt.ItemDataRole.DisplayRole else None
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(cell)
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(STATUS_COLOURS[cell.status])
        if role == Qt.ItemDataRole.ToolTipRole:
            quotes = "\n".join(f'p. {q.page}: "{q.quote[:300]}"' for q in cell.evidence)
            return "\n".join(part for part in (cell.reason, quotes) if part) or None
        return None
