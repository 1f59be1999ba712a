"""A review written as XLSX, CSV or Markdown, chosen by the file's extension.

XLSX: a "Review" sheet with documents as rows and items as columns (status and value, coloured),
and an "Evidence" sheet with one row per document and item (status, value, pages, quotes, reason).
CSV: the evidence rows. Markdown: the table, then the evidence of every found or unclear cell.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Sequence

from assistant.errors import ClausewiseError
from assistant.types import Cell, ReviewStatus
from assistant.clauses.checklist import Checklist

EVIDENCE_COLUMNS = ["document", "item", "status", "value", "page", "quote", "reason"]
FILL = {ReviewStatus.FOUND: "C6EFCE", ReviewStatus.UNCLEAR: "FFEB9C", ReviewStatus.TO_CHECK: "FFEB9C",
        ReviewStatus.NOT_FOUND: "F4CCCC"}


def _documents(cells: Sequence[Cell]) -> list[str]:
    return list(dict.fromkeys(c.doc for c in cells))


def _grid(cells: Sequence[Cell]) -> dict[tuple[str, str], Cell]:
    return {(c.doc, c.item): c for c in cells}


def cell_text(cell: Cell | None) -> str:
    if cell is None:
        return ""
    label = ReviewStatus(cell.status).label
    return f"{label}: {cell.value}" if cell.value else label


def evidence_rows(checklist: Checklist, cells: Sequence[Cell]) -> list[list]:
    labels = {item.id: item.label for item in checklist.items}
    rows = []
    for cell in cells:
        # A cell with several quotes (a clause over two sentences, the passages of an unclear cell)
        # keeps its one row: the pages listed, the quotes one paragraph each.
        pages = list(dict.fromkeys(q.page for q in cell.evidence))
        page = pages[0] if len(pages) == 1 else ", ".join(str(p) for p in pages)
        quotes = "\n\n".join(q.quote for q in cell.evidence)
        rows.append([cell.doc, labels.get(cell.item, cell.item), ReviewStatus(cell.status).label, cell.value,
                     page, quotes, cell.reason])
    return rows


def write_csv(path: Path, checklist: Checklist, cells: Sequence[Cell]):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(EVIDENCE_COLUMNS)
        writer.writerows(evidence_rows(checklist, cells))


def write_xlsx(path: Path, checklist: Checklist, cells: Sequence[Cell]):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = "Review"
    sheet.append(["Document", *[item.label for item in checklist.items]])
    grid = _grid(cells)
    for doc in _documents(cells):
        sheet.append([doc, *[cell_text(grid.get((doc, item.id))) for item in checklist.items]])
        for column, item in enumerate(checklist.items, start=2):
            cell = grid.get((doc, item.id))
            if cell is not None:
                sheet.cell(row=sheet.max_row, column=column).fill = PatternFill("solid", fgColor=FILL[cell.status])
    for header in sheet[1]:
        header.font = Font(bold=True)
        header.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["A"].width = 48
    evidence = book.create_sheet("Evidence")
    evidence.append([c.capitalize() for c in EVIDENCE_COLUMNS])
    for row in evidence_rows(checklist, cells):
        evidence.append(row)
    for header in evidence[1]:
        header.font = Font(bold=True)
    evidence.freeze_panes = "A2"
    book.save(path)


def _md(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def write_markdown(path: Path, checklist: Checklist, cells: Sequence[Cell]):
    grid = _grid(cells)
    lines = [f"# {checklist.name}", "", f"Checklist `{checklist.id}` version {checklist.version}.", "",
             "| Document | " + " | ".join(_md(item.label) for item in checklist.items) + " |",
             "|---|" + "---|" * len(checklist.items)]
    for doc in _documents(cells):
        lines.append(f"| {_md(doc)} | " + " | ".join(_md(cell_text(grid.get((doc, item.id))))
                                                    for item in checklist.items) + " |")
    lines += ["", "## Evidence", ""]
    labels = {item.id: item.label for item in checklist.items}
    for cell in cells:
        if cell.status == ReviewStatus.NOT_FOUND:
            continue
        lines.append(f"- **{_md(cell.doc)}**, {labels.get(cell.item, cell.item)}: {cell_text(cell)}")
        for quote in cell.evidence:
            lines.append(f"  - page {quote.page}: \"{quote.quote}\"")
        if cell.reason:
            lines.append(f"  - {cell.reason}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


WRITERS = {".xlsx": write_xlsx, ".csv": write_csv, ".md": write_markdown}


def write_review(path: Path | str, checklist: Checklist, cells: Sequence[Cell]) -> Path:
    path = Path(path)
    writer = WRITERS.get(path.suffix.lower())
    if writer is None:
        raise ClausewiseError(f"Cannot write a review as '{path.name}': use a file ending in "
                              f"{', '.join(WRITERS)}.")
    writer(path, checklist, cells)
    return path
