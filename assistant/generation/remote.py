"""Generation on a shared GPU workstation through the OpenAI-compatible chat API that llama.cpp's
server and vLLM speak. Same contract as LlamaGenerator: `stream(messages, ...)` yields text pieces
and stops when `cancel` is set. Only the standard library: the request is one streamed POST."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from typing import Iterator, Sequence

from assistant.generation.models import ModelUnavailable


class RemoteGenerator:
    def __init__(self, base_url: str, model: str = "", api_key: str = "", timeout: float = 120.0):
        base = base_url.rstrip("/")
        if not base.startswith(("http://", "https://")):
            raise ModelUnavailable(f"The server address must start with http:// or https://: {base_url}")
        self.url = base + ("/chat/completions" if base.endswith("/v1") else "/v1/chat/completions")
        self.model = model
        self.api_key = api_key
        self.timeout = timeout

    def stream(self, messages: Sequence[dict], max_tokens: int = 256, temperature: float = 0.0,
               cancel: threading.Event | None = None, schema: dict | None = None) -> Iterator[str]:
        body = {"messages": list(messages), "max_tokens": max_tokens, "temperature": temperature, "stream": True}
        if schema:
            # llama-server and llama-cpp-python's server both read a schema under json_object.
            body["response_format"] = {"type": "json_object", "schema": schema}
        if self.model:
            body["model"] = self.model
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self.url, data=json.dumps(body).encode(), headers=headers, method="POST")
        try:
            response = urllib.request.urlopen(request, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            detail = exc.read(500).decode(errors="replace")
            raise ModelUnavailable(f"The model server at {self.url} refused the request ({exc.code}): {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ModelUnavailable(f"The model server at {self.url} cannot be reached ({reason}).") from None
        with response:
            for raw in response:  # server-sent events: "data: {...}" lines, ending with "data: [DONE]"
                if cancel is not None and cancel.is_set():
                    return
                line = raw.decode("utf-8", errors="replace").strip()
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    return
                choices = json.loads(data).get("choices") or [{}]
                text = (choices[0].get("delta") or {}).get("content")
                if text:
                    yield text
