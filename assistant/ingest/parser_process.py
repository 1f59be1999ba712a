"""Document parsing in a child process, for the desktop app.

pypdf is pure Python, and between its many short steps it runs regular expressions and other
calls that hold the GIL; while contracts-100 was indexed, parsing was under way in every pause of
the window longer than 80 ms. In a child process it holds the child's GIL (see
`assistant.child_process`). A file that crashes the parser now costs one row ("could not be read"),
not the app. The CLI parses in process.
"""

from __future__ import annotations

from assistant.child_process import ChildFailed, ChildProcess
from assistant.errors import CorruptDocument, DocumentError
from assistant.ingest.pipeline import PageCallback, parse_job
from assistant.types import ParsedDocument


class Parser:
    """Lives in the child. A DocumentError comes back as a value, so its type and plain-language
    message reach the report unchanged. `report` (set by the child's server) sends each page
    read to the parent as it goes."""

    report = None

    def parse(self, data: bytes, path: str, ocr_cached: dict | None = None) -> ParsedDocument | DocumentError:
        try:
            return parse_job(data, path, on_page=self.report, ocr_cached=ocr_cached)
        except DocumentError as exc:
            return exc


class ParserProcess:
    """A callable like `parse_job`; the parser lives in a child process started on first use."""

    def __init__(self):
        self._child = ChildProcess("assistant.ingest.parser_process:Parser", name="clausewise-parser")

    def __call__(self, data: bytes, path: str, on_page: PageCallback | None = None,
                 ocr_cached: dict | None = None) -> ParsedDocument:
        """A cancel raised by `on_page` (ParseCancelled) stops the child mid-file; the next file
        starts a new one."""
        try:
            result = self._child.call("parse", data, path, ocr_cached, on_progress=on_page)
        except ChildFailed as exc:
            raise CorruptDocument(f"the file could not be read (the parser stopped: {exc})") from None
        if isinstance(result, DocumentError):
            raise result
        return result

    @property
    def pid(self) -> int | None:
        return self._child.pid

    def terminate(self):
        self._child.terminate()

    def close(self):
        self._child.close()
