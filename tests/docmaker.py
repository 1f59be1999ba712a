"""Writers for real test documents: PDFs with reportlab, DOCX with python-docx."""

from __future__ import annotations

import io
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas


def write_pdf(path: Path, pages: list[list[str]], font_size: int = 0) -> Path:
    """A PDF with one text line per list item, one list per page (`font_size`: reportlab's 12-point
    default spacing when 0)."""
    c = canvas.Canvas(str(path), pagesize=A4)
    for lines in pages:
        y = 800
        if font_size:
            c.setFont("Helvetica", font_size)
        for line in lines:
            c.drawString(50, y, line)
            y -= max(16, int(font_size * 1.4))
        c.showPage()
    c.save()
    return path


def write_image_only_pdf(path: Path, pages: int = 2) -> Path:
    """A 'scanned' PDF: shapes but no text layer."""
    c = canvas.Canvas(str(path), pagesize=A4)
    for _ in range(pages):
        c.rect(50, 50, 400, 600, fill=1)
        c.showPage()
    c.save()
    return path


def rasterise(pdf: Path, dpi: int = 200) -> list:
    """The pages of a PDF as grayscale images (PIL), rendered by PDFium: what a scanner would see."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        return [document[i].render(scale=dpi / 72, grayscale=True).to_pil() for i in range(len(document))]
    finally:
        document.close()


def write_scanned_pdf(path: Path, images: list, dpi: int = 200) -> Path:
    """An image-only PDF, one image per page and no text layer, as a scanner writes it (Pillow
    stores an "L" image as a JPEG and a "1" image as a bilevel image)."""
    first, *rest = images
    first.save(path, "PDF", resolution=dpi, save_all=True, append_images=rest)
    return path


def scanned_copy(path: Path, pages: list[list[str]], dpi: int = 200, turn: list[int] | None = None,
                 font_size: int = 12) -> Path:
    """A 'scan' of a real text PDF: written with reportlab, rasterised, each page turned by
    `turn[i]` degrees (counter-clockwise), saved image-only."""
    text_pdf = write_pdf(path.with_suffix(".source.pdf"), pages, font_size=font_size)
    images = rasterise(text_pdf, dpi)
    if turn:
        images = [image.rotate(t, expand=True, fillcolor=255) if t else image for image, t in zip(images, turn)]
    return write_scanned_pdf(path, images, dpi)


def write_encrypted_pdf(path: Path, source: Path, user_password: str) -> Path:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(str(source)).pages:
        writer.add_page(page)
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-128")
    with open(path, "wb") as handle:
        writer.write(handle)
    return path


def write_docx(path: Path, blocks: list[tuple[str, object]]) -> Path:
    """blocks: ("heading", text) | ("para", text) | ("table", [[cell, ...], ...])."""
    import docx

    document = docx.Document()
    for kind, value in blocks:
        if kind == "heading":
            document.add_heading(value, level=1)
        elif kind == "para":
            document.add_paragraph(value)
        elif kind == "table":
            table = document.add_table(rows=len(value), cols=len(value[0]))
            for r, row in enumerate(value):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


CONTRACT_PAGES = [
    [
        "MASTER SUPPLY AGREEMENT",
        "This Agreement is made between Acme Widgets Ltd and Globex Corporation.",
        "1. DEFINITIONS",
        "1.1 Products means the widgets listed in Schedule 1.",
        "2. TERM",
        "2.1 The initial term is five (5) years from the Effective Date.",
    ],
    [
        "3. LIMITATION OF LIABILITY",
        "3.1 The total liability of Acme shall not exceed the fees paid in the prior twelve months.",
        "4. GOVERNING LAW",
        "4.1 This Agreement is governed by the laws of the State of New York.",
    ],
    [
        "SCHEDULE 1",
        "Widgets of grade A and grade B, delivered to the Globex plant in Springfield.",
    ],
]
