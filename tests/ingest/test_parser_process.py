"""The app's out-of-process parser: the same pages as in process, the same plain-language
failures, and a parser that dies costs one row, not the batch."""

import pytest

from assistant.errors import CorruptDocument, EncryptedDocument, NoTextLayer
from assistant.ingest.parser_process import ParserProcess
from assistant.ingest.pipeline import parse_job
from assistant.service import Assistant
from assistant.testing import HashEmbedder
from assistant.types import IngestStatus
from tests.docmaker import CONTRACT_PAGES, write_encrypted_pdf, write_image_only_pdf, write_pdf


@pytest.fixture
def parser():
    remote = ParserProcess()
    yield remote
    remote.close()


def test_pages_match_the_in_process_parser(parser, tmp_path):
    pdf = write_pdf(tmp_path / "msa.pdf", CONTRACT_PAGES)
    data = pdf.read_bytes()
    assert parser(data, str(pdf)) == parse_job(data, str(pdf))
    assert len(parser(data, str(pdf)).pages) == 3 and parser.pid is not None


def test_failures_keep_their_type_and_message(parser, tmp_path):
    scanned = write_image_only_pdf(tmp_path / "scan.pdf")
    locked = write_encrypted_pdf(tmp_path / "locked.pdf", write_pdf(tmp_path / "plain.pdf", CONTRACT_PAGES), "secret")
    for path, kind in ((scanned, NoTextLayer), (locked, EncryptedDocument)):
        with pytest.raises(kind) as remote_error:
            parser(path.read_bytes(), str(path))
        with pytest.raises(kind) as local_error:
            parse_job(path.read_bytes(), str(path))
        assert remote_error.value.message == local_error.value.message


def test_a_parser_that_dies_fails_one_file_and_the_batch_goes_on(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    write_pdf(docs / "a.pdf", CONTRACT_PAGES)
    (docs / "b.txt").write_text("The supplier shall deliver within ten days.")
    parser = ParserProcess()
    calls = []

    def dying(data, path, on_page=None):
        calls.append(path)
        if path.endswith("a.pdf"):
            parser(b"start the child", "warm.txt")
            parser.terminate()  # the parser crashes on this file...
            parser._child._process.join(5)
            parser._child.factory = "assistant.ingest.parser_process:NoSuchParser"  # and cannot restart
            try:
                return parser(data, path)
            finally:
                parser._child.factory = "assistant.ingest.parser_process:Parser"
        return parser(data, path)

    assistant = Assistant(tmp_path / "index", embedder=HashEmbedder(), parser=dying)
    try:
        reports = {r.path.rsplit("/", 1)[-1]: r for r in assistant.ingest([docs])}
        assert reports["a.pdf"].status == IngestStatus.FAILED and "could not be read" in reports["a.pdf"].reason
        assert reports["b.txt"].status == IngestStatus.OK
        counts = assistant.index.consistency()
        assert counts["vectors"] == counts["windows"] > 0
    finally:
        assistant.close()
        parser.close()
