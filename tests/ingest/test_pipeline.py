import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from assistant.ingest.discovery import discover
from assistant.types import IngestStatus
from tests.docmaker import CONTRACT_PAGES, write_encrypted_pdf, write_image_only_pdf, write_pdf

ROOT = Path(__file__).resolve().parents[2]


def counts(assistant):
    c = assistant.index.consistency()
    assert c["chunks"] == c["lexical"] and c["vectors"] == c["windows"] and c["vectors"] >= c["chunks"], c
    return c


def status_by_name(reports):
    return {Path(r.path).name: r for r in reports}


def test_ingest_records_pages_chunks_and_a_consistent_index(assistant, tmp_path):
    (tmp_path / "docs").mkdir()
    pdf = write_pdf(tmp_path / "docs" / "msa.pdf", CONTRACT_PAGES)
    (tmp_path / "docs" / "policy.txt").write_text("1. Anti-bribery\nNo supplier may offer gifts above 50 EUR.\n")
    reports = assistant.ingest([tmp_path / "docs"])
    rows = status_by_name(reports)
    assert rows["msa.pdf"].status == IngestStatus.OK and rows["msa.pdf"].pages == 3
    assert rows["policy.txt"].status == IngestStatus.OK and rows["policy.txt"].chunks == 1
    c = counts(assistant)
    assert c["documents"] == 2
    assert c["chunks"] == rows["msa.pdf"].chunks + 1
    docs = {d.name: d for d in assistant.documents()}
    assert docs["msa.pdf"].pages == 3 and docs["msa.pdf"].doc_type == "pdf"
    assert docs["msa.pdf"].source_id == __import__("hashlib").sha256(pdf.read_bytes()).hexdigest()


def test_same_bytes_again_do_nothing(assistant, tmp_path, hash_embedder):
    pdf = write_pdf(tmp_path / "msa.pdf", CONTRACT_PAGES)
    assistant.ingest([pdf])
    before = counts(assistant)
    calls = hash_embedder.calls
    again = assistant.ingest([pdf])
    assert [r.status for r in again] == [IngestStatus.SKIPPED]
    assert again[0].reason == "unchanged since last indexed"
    assert counts(assistant) == before
    assert hash_embedder.calls == calls  # nothing was embedded


def test_changed_file_replaces_its_old_chunks(assistant, tmp_path):
    path = tmp_path / "terms.txt"
    path.write_text("1. PAYMENT\nInvoices are payable within 30 days.\n")
    assistant.ingest([path])
    path.write_text("1. PAYMENT\nInvoices are payable within 60 days.\n2. LAW\nIrish law applies.\n")
    report = assistant.ingest([path])[0]
    assert report.status == IngestStatus.OK and report.reason == "replaced the earlier version"
    docs = assistant.documents()
    assert len(docs) == 1
    c = counts(assistant)
    assert c["chunks"] == docs[0].chunks and c["documents"] == 1
    texts = " ".join(h.text for h in assistant.search("payable days", k=5))
    assert "60 days" in texts and "30 days" not in texts


def test_remove_leaves_no_chunk_vector_or_lexical_entry(assistant, tmp_path):
    a = write_pdf(tmp_path / "a.pdf", CONTRACT_PAGES)
    b = tmp_path / "b.txt"
    b.write_text("Clause 1. The buyer pays in euro.\n")
    assistant.ingest([a, b])
    a_chunks = next(d.chunks for d in assistant.documents() if d.name == "a.pdf")
    before = counts(assistant)
    removed = assistant.remove("a.pdf")
    assert [d.name for d in removed] == ["a.pdf"]
    after = counts(assistant)
    assert after["chunks"] == after["lexical"] == before["chunks"] - a_chunks
    assert after["vectors"] == after["windows"] < before["vectors"]
    assert after["documents"] == 1 and after["pages"] == 1
    assert all(h.doc_name == "b.txt" for h in assistant.search("governed laws New York", k=10))


def test_bad_inputs_each_get_their_own_row_while_the_batch_goes_on(assistant, tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    good = write_pdf(folder / "good.pdf", CONTRACT_PAGES)
    write_encrypted_pdf(folder / "locked.pdf", good, user_password="pw")
    write_encrypted_pdf(folder / "permissions-only.pdf", good, user_password="")
    write_image_only_pdf(folder / "scan.pdf")
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.7\ngarbage garbage\n")
    (folder / "empty.docx").write_bytes(b"")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 jpeg")
    (folder / "notes.TXT").write_text("Supplier shall deliver DDP.\n")
    (folder / "~$lock.docx").write_bytes(b"lock")  # Word lock file: skipped silently
    (folder / ".hidden.txt").write_text("hidden")
    rows = status_by_name(assistant.ingest([folder]))
    assert set(rows) == {"good.pdf", "locked.pdf", "permissions-only.pdf", "scan.pdf", "corrupt.pdf",
                         "empty.docx", "photo.jpg", "notes.TXT"}
    assert rows["good.pdf"].status == IngestStatus.OK
    assert rows["notes.TXT"].status == IngestStatus.OK
    # same bytes as good.pdf once decrypted? No: different file bytes, so indexed on its own.
    assert rows["permissions-only.pdf"].status == IngestStatus.OK
    expected = {
        "locked.pdf": "password-protected",
        "scan.pdf": "no text layer",
        "corrupt.pdf": "damaged",
        "empty.docx": "empty",
        "photo.jpg": "unsupported file type",
    }
    for name, words in expected.items():
        assert rows[name].status == IngestStatus.FAILED, name
        assert words in rows[name].reason, (name, rows[name].reason)
    assert counts(assistant)["documents"] == 3


def test_file_deleted_while_the_batch_runs(assistant, tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    for i in range(4):
        write_pdf(folder / f"c{i}.pdf", [[f"Contract number {i}", "1. TERM", "The term is one year."]])

    def delete_last(progress, report):
        if progress.done == 1 and (folder / "c3.pdf").exists():
            (folder / "c3.pdf").unlink()

    rows = status_by_name(assistant.ingest([folder], progress=delete_last))
    assert rows["c3.pdf"].status == IngestStatus.FAILED
    assert "moved or deleted" in rows["c3.pdf"].reason
    assert [rows[f"c{i}.pdf"].status for i in range(3)] == [IngestStatus.OK] * 3
    assert counts(assistant)["documents"] == 3


def test_unreadable_file_is_reported_not_raised(tmp_path):
    """Root reads everything, so when the suite runs as root the ingest runs in a child process
    without the capabilities that bypass file permissions."""
    folder = tmp_path / "perm"
    folder.mkdir()
    (folder / "open.txt").write_text("1. TERM\nThe term is two years.\n")
    secret = folder / "secret.txt"
    secret.write_text("confidential")
    secret.chmod(0)
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from assistant.service import Assistant
        from assistant.testing import HashEmbedder
        reports = Assistant({str(tmp_path / 'idx')!r}, embedder=HashEmbedder()).ingest([{str(folder)!r}])
        for r in reports:
            print(r.status.value, r.path.rsplit('/', 1)[-1], r.reason, sep='|')
    """)
    command = [sys.executable, "-c", script]
    if os.geteuid() == 0:
        # Drop the capabilities that let root ignore file permissions, for the child only.
        command = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", *command]
    out = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    rows = {line.split("|")[1]: line.split("|") for line in out.stdout.strip().splitlines()}
    assert rows["open.txt"][0] == "ok"
    assert rows["secret.txt"][0] == "failed" and "permission denied" in rows["secret.txt"][2]


def test_cancel_stops_between_files_and_reports_the_rest(assistant, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(6):
        (folder / f"doc{i}.txt").write_text(f"Clause {i}. The supplier delivers lot {i}.\n")
    cancel = threading.Event()

    def stop_after_two(progress, report):
        if progress.done == 2:
            cancel.set()

    reports = assistant.ingest([folder], progress=stop_after_two, cancel=cancel)
    statuses = [r.status for r in reports]
    assert len(reports) == 6
    assert statuses.count(IngestStatus.OK) == 2
    assert statuses.count(IngestStatus.CANCELLED) == 4
    assert counts(assistant)["documents"] == 2
    # the next run completes the folder
    rest = assistant.ingest([folder])
    assert [r.status for r in rest].count(IngestStatus.OK) == 4
    assert counts(assistant)["documents"] == 6


def test_discovery_walks_folders_recursively_and_skips_hidden_and_temporary_files(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    for name in ["a/x.pdf", "a/b/y.DOCX", "a/~$y.docx", "a/.DS_Store", ".git/config", "a/b/z.txt~", "top.md"]:
        (tmp_path / name).write_text("x")
    found = [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path])]
    assert found == ["top.md", "a/x.pdf", "a/b/y.DOCX"] or sorted(found) == sorted(["top.md", "a/x.pdf", "a/b/y.DOCX"])


def test_a_crash_inside_a_parser_library_is_one_failed_row(assistant, tmp_path, monkeypatch):
    from assistant.ingest import pipeline

    real_parse = pipeline.parse_bytes

    def flaky(data, path, on_page=None):
        if path.name == "weird.txt":
            raise RecursionError("deeply nested object")
        return real_parse(data, path, on_page)

    monkeypatch.setattr(pipeline, "parse_bytes", flaky)
    for name in ("a.txt", "weird.txt", "b.txt"):
        (tmp_path / name).write_text(f"1. TERM\n{name} runs for one year.\n")
    rows = status_by_name(assistant.ingest([tmp_path]))
    assert rows["weird.txt"].status == IngestStatus.FAILED
    assert rows["weird.txt"].reason == "the file could not be read (RecursionError)"
    assert rows["a.txt"].status == rows["b.txt"].status == IngestStatus.OK


def test_a_parser_crash_is_a_report_row_and_its_traceback_is_logged(monkeypatch, caplog):
    import logging

    from assistant.errors import CorruptDocument
    from assistant.ingest import pipeline

    def crash(data, path, on_page=None):
        raise KeyError("xref table")

    monkeypatch.setattr(pipeline, "parse_bytes", crash)
    with caplog.at_level(logging.ERROR, logger="assistant.ingest.pipeline"):
        with pytest.raises(CorruptDocument, match=r"could not be read \(KeyError\)"):
            pipeline.parse_job(b"%PDF-1.4", "/docs/msa.pdf")
    [record] = caplog.records
    assert "/docs/msa.pdf" in record.getMessage() and record.exc_info[0] is KeyError
    assert "xref table" in caplog.text and "in crash" in caplog.text  # the traceback, down to the raising frame


def test_a_long_pdf_reports_each_page_read_and_time_left_follows_the_sizes(tmp_path):
    from assistant.ingest.parser_process import ParserProcess
    from assistant.service import Assistant
    from assistant.testing import HashEmbedder

    folder = tmp_path / "docs"
    folder.mkdir()
    write_pdf(folder / "long.pdf", [[f"{n}. CLAUSE {n}", f"The supplier shall deliver lot {n} on time."] for n in range(1, 26)])
    (folder / "short.txt").write_text("1. PRICE\nThe price is fixed.\n")
    for parser in (None, ParserProcess()):  # in this process (the CLI) and in the app's child process
        events = []
        assistant = Assistant(tmp_path / f"index-{parser is None}", embedder=HashEmbedder(), parser=parser)
        assistant.ingest([folder], progress=lambda p, report: events.append((p, report)))
        pages = [p for p, _ in events if p.pages]
        assert [p.page for p in pages] == list(range(1, 26)) and {p.pages for p in pages} == {25}
        assert all(p.current == "long.pdf" for p in pages)
        shares = [p.share for p, report in events if report is not None or p.pages]
        assert shares == sorted(shares) and shares[-1] == 1.0
        assert 0 < pages[12].share < 1  # half-way through the long file is not "one file of two"
        assistant.close()
        if parser is not None:
            parser.close()
