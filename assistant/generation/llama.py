"""Local generation through llama-cpp-python. The model loads on first use, uses every core, and
offloads layers to a GPU when the build supports one; tokens stream and generation stops promptly
when `cancel` is set."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Iterator, Sequence

from assistant.generation.llama_build import load_backends
from assistant.generation.models import ModelUnavailable, check_fits, check_gguf


class LlamaGenerator:
    def __init__(self, model_path: Path, context_tokens: int = 4096, threads: int | None = None,
                 gpu_layers: int | None = None):
        self.model_path = Path(model_path)
        self.context_tokens = context_tokens
        self.threads = threads or os.cpu_count() or 1
        self.gpu_layers = gpu_layers  # None: all layers when the build can offload, else none
        self._llm = None
        self._lock = threading.Lock()
        # One generation at a time: a llama.cpp context is not thread-safe, and the app's answer
        # thread and a running review share the model. The other waits for the current reply.
        self._generating = threading.Lock()

    @staticmethod
    def gpu_available() -> bool:
        import llama_cpp

        load_backends()  # a portable build registers its CPU and GPU backends here
        return bool(llama_cpp.llama_supports_gpu_offload())

    def _load(self):
        with self._lock:
            if self._llm is None:
                check_gguf(self.model_path)
                check_fits(self.model_path, self.context_tokens)
                from llama_cpp import Llama

                load_backends()
                layers = self.gpu_layers if self.gpu_layers is not None else (-1 if self.gpu_available() else 0)
                try:
                    self._llm = Llama(model_path=str(self.model_path), n_ctx=self.context_tokens,
                                      n_threads=self.threads, n_gpu_layers=layers, verbose=False)
                except ValueError as exc:  # llama.cpp's word for a file it cannot load
                    raise ModelUnavailable(f"The model file could not be loaded ({exc}): {self.model_path}") from None
        return self._llm

    def stream(self, messages: Sequence[dict], max_tokens: int = 256, temperature: float = 0.0,
               cancel: threading.Event | None = None, schema: dict | None = None) -> Iterator[str]:
        """Yield text pieces of the assistant's reply to chat `messages`; with `schema`, a JSON
        object that llama.cpp's grammar holds to that JSON schema."""
        llm = self._load()
        response_format = {"type": "json_object", "schema": schema} if schema else None
        with self._generating:
            for part in llm.create_chat_completion(list(messages), max_tokens=max_tokens, temperature=temperature,
                                                   stream=True, response_format=response_format):
                if cancel is not None and cancel.is_set():
                    return
                text = part["choices"][0]["delta"].get("content")
                if text:
                    yield text
