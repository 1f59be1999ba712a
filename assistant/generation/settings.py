"""Which model answers, and how it runs: a local GGUF (catalogue key or path) through llama.cpp,
or an OpenAI-compatible server. The generator is built on first use, so opening the app or the
CLI never waits for a model."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from assistant.errors import InvalidSetting
from assistant.generation.models import DEFAULT_MODEL


@dataclass(frozen=True)
class GenerationSettings:
    model: str = DEFAULT_MODEL  # catalogue key or path to a .gguf file
    server_url: str = ""  # when set, answers come from this OpenAI-compatible server instead
    server_model: str = ""
    context_tokens: int = 4096
    threads: int | None = None  # None: every core
    gpu_layers: int | None = None  # None: all layers when the build can offload to a GPU

    def __post_init__(self):
        if self.context_tokens < 1024:
            raise InvalidSetting(f"The context size must be at least 1024 tokens, not {self.context_tokens}.")
        if self.threads is not None and self.threads < 1:
            raise InvalidSetting(f"Threads must be 1 or more, not {self.threads}.")
        if self.gpu_layers is not None and self.gpu_layers < -1:
            raise InvalidSetting(f"GPU layers must be -1 (all), 0 (none) or a positive number, not {self.gpu_layers}.")


def make_generator(settings: GenerationSettings):
    if settings.server_url:
        from assistant.generation.remote import RemoteGenerator

        return RemoteGenerator(settings.server_url, model=settings.server_model)
    from assistant.generation.llama import LlamaGenerator
    from assistant.generation.models import model_path

    return LlamaGenerator(model_path(settings.model), context_tokens=settings.context_tokens,
                          threads=settings.threads, gpu_layers=settings.gpu_layers)


class LazyGenerator:
    """One model shared by every collection's Assistant: built on the first token asked for (a
    missing or oversized model then becomes that answer's Failure), replaced when settings change."""

    def __init__(self, settings: GenerationSettings):
        self._settings = settings
        self._generator = None
        self._lock = threading.Lock()

    @property
    def settings(self) -> GenerationSettings:
        return self._settings

    def configure(self, settings: GenerationSettings):
        with self._lock:
            if settings != self._settings:
                self._settings, self._generator = settings, None

    def stream(self, *args, **kwargs):
        with self._lock:
            if self._generator is None:
                self._generator = make_generator(self._settings)
            generator = self._generator
        return generator.stream(*args, **kwargs)
