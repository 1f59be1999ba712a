"""User-facing failures. Each carries a message written for a procurement or compliance user;
the CLI and the UI turn it into text at one boundary, never a traceback."""


class ClausewiseError(Exception):
    """Base of every failure the user is meant to read."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class DocumentError(ClausewiseError):
    """A single file could not be ingested; the batch goes on."""


class UnsupportedFileType(DocumentError):
    pass


class EmptyFile(DocumentError):
    pass


class UnreadableFile(DocumentError):
    pass


class FileVanished(DocumentError):
    pass


class EncryptedDocument(DocumentError):
    pass


class NoTextLayer(DocumentError):
    pass


class CorruptDocument(DocumentError):
    pass


class IndexProblem(ClausewiseError):
    """An index folder cannot be used as it is."""


class EmbedderMismatch(IndexProblem):
    pass


class IndexSchemaMismatch(IndexProblem):
    pass


class DocumentNotFound(ClausewiseError):
    pass


class InvalidSetting(ClausewiseError):
    pass


class PassphraseProblem(IndexProblem):
    """An encrypted collection was not opened: no passphrase, or the wrong one. Nothing was
    changed; the CLI exits 2 on it."""


class PassphraseRequired(PassphraseProblem):
    pass


class WrongPassphrase(PassphraseProblem):
    pass


class DamagedIndex(IndexProblem):
    """A file of the index cannot be read as what it should be (truncated, overwritten, foreign)."""


class WeakPassphrase(PassphraseProblem):
    pass
