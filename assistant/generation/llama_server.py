"""llama-cpp-python's OpenAI-compatible server, started after the portable build's backends are
loaded (its own `python -m llama_cpp.server` would find no backend in a portable build).

    python -m assistant.generation.llama_server --model FILE.gguf --host 127.0.0.1 --port 8080
"""

from assistant.generation.llama_build import load_backends

if __name__ == "__main__":
    load_backends()
    from llama_cpp.server.__main__ import main

    main()
