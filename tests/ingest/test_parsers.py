import pytest

from assistant.errors import CorruptDocument, EmptyFile, EncryptedDocument, NoTextLayer, UnsupportedFileType
from assistant.ingest.parsers import decode_text, doc_type_of, parse_bytes, read_file_bytes
from tests.docmaker import CONTRACT_PAGES, write_docx, write_encrypted_pdf, write_image_only_pdf, write_pdf


def parse(path):
    return parse_bytes(read_file_bytes(path), path)


def test_pdf_pages_are_numbered_from_one_and_keep_their_text(tmp_path):
    doc = parse(write_pdf(tmp_path / "contract.pdf", CONTRACT_PAGES))
    assert doc.doc_type == "pdf"
    assert [p.number for p in doc.pages] == [1, 2, 3]
    assert "MASTER SUPPLY AGREEMENT" in doc.pages[0].text
    assert "State of New York" in doc.pages[1].text
    assert "Springfield" in doc.pages[2].text
    assert "Springfield" not in doc.pages[1].text


def test_upper_case_extension_is_recognised(tmp_path):
    path = write_pdf(tmp_path / "CONTRACT.PDF", CONTRACT_PAGES)
    assert doc_type_of(path) == "pdf"
    assert len(parse(path).pages) == 3


def test_pdf_encrypted_with_a_password_is_refused_plainly(tmp_path):
    plain = write_pdf(tmp_path / "plain.pdf", CONTRACT_PAGES)
    locked = write_encrypted_pdf(tmp_path / "locked.pdf", plain, user_password="s3cret")
    with pytest.raises(EncryptedDocument, match="password-protected"):
        parse(locked)


def test_pdf_encrypted_with_empty_user_password_is_read(tmp_path):
    plain = write_pdf(tmp_path / "plain.pdf", CONTRACT_PAGES)
    opened = write_encrypted_pdf(tmp_path / "perm-only.pdf", plain, user_password="")
    doc = parse(opened)
    assert "governed by the laws of the State of New York" in doc.pages[1].text


def test_image_only_pdf_needs_ocr(tmp_path):
    with pytest.raises(NoTextLayer, match="no text layer.*OCR"):
        parse(write_image_only_pdf(tmp_path / "scan.pdf"))


def test_corrupt_pdf(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\nthis is not a pdf body\n")
    with pytest.raises(CorruptDocument, match="damaged"):
        parse(path)


def test_truncated_pdf(tmp_path):
    full = write_pdf(tmp_path / "full.pdf", CONTRACT_PAGES).read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(full[: len(full) // 3])
    with pytest.raises((CorruptDocument, NoTextLayer)):
        parse(path)


def test_zero_byte_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(EmptyFile, match="empty"):
        parse(path)


def test_unsupported_type(tmp_path):
    path = tmp_path / "budget.xlsx"
    path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(UnsupportedFileType, match="unsupported file type '.xlsx'"):
        parse(path)


def test_docx_keeps_headings_paragraphs_and_tables_in_reading_order(tmp_path):
    path = write_docx(tmp_path / "dpa.docx", [
        ("heading", "1. Subject matter"),
        ("para", "The processor processes contact data for the controller."),
        ("table", [["Data category", "Retention"], ["Contact data", "12 months"]]),
        ("heading", "2. Security"),
        ("para", "The processor implements measures under Article 32."),
    ])
    doc = parse(path)
    text = doc.pages[0].text
    assert doc.doc_type == "docx" and len(doc.pages) == 1
    order = [text.index(s) for s in ("1. Subject matter", "contact data", "Contact data | 12 months", "2. Security", "Article 32")]
    assert order == sorted(order)


def test_corrupt_docx(tmp_path):
    path = tmp_path / "bad.docx"
    path.write_bytes(b"this is not a zip file at all")
    with pytest.raises(CorruptDocument, match="Word file"):
        parse(path)


@pytest.mark.parametrize("encoding,prefix", [
    ("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16", b""), ("utf-16-le", b""), ("cp1252", b""),
])
def test_text_encodings_are_detected(encoding, prefix):
    text = "Clause 7 – Café supplier’s liability is capped at €10,000 and “reasonable” costs."
    if encoding == "cp1252":
        data = text.encode("cp1252")
    else:
        data = prefix + text.encode(encoding)
    assert decode_text(data) == text


def test_markdown_and_txt_are_single_logical_pages(tmp_path):
    path = tmp_path / "notes.MD"
    path.write_text("# Heading\n\nSome body text about the supplier.", encoding="utf-8")
    doc = parse(path)
    assert doc.doc_type == "md" and doc.pages[0].number == 1 and doc.pages[0].label == "text"
    assert doc.title == "notes"


def test_binary_file_with_txt_extension_is_refused(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(CorruptDocument, match="binary"):
        parse(path)
