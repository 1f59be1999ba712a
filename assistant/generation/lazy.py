"""Which generator answers, built from the generation settings: a local GGUF (catalogue key or
path) through llama.cpp, or an OpenAI-compatible server. Built on first use, so opening the app or
the CLI never waits for a model."""

from __future__ import annotations

import threading

from assistant.settings import GenerationSettings


def make_generator(settings: GenerationSettings):
    if settings.server_url:
        from assistant.generation.remote import RemoteGenerator

        return RemoteGenerator(settings.server_url, model=settings.server_model, api_key=settings.api_key)
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
