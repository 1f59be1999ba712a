"""What the installed llama.cpp build is, and the one step a portable build needs before use.

The Makefile builds llama-cpp-python without `-march=native`, with llama.cpp's CPU backend as
one shared library per instruction-set level (`GGML_BACKEND_DL` + `GGML_CPU_ALL_VARIANTS`:
x64, SSE4.2, AVX, AVX2, AVX-512, AVX-512 VNNI, AVX-VNNI, AMX). One wheel then runs on any x86-64
machine and picks, when loaded, the best variant the CPU supports. llama-cpp-python 0.3.16 does not
load such backends itself (llama.cpp looks beside the executable, which is Python's), so
`load_backends` asks ggml to load them from the package's own `lib/` folder. A build with the
backend linked in (the default pip build) has it registered already, and nothing is done.

CLAUSEWISE_LLAMA_CPU names one variant to load instead of the best (`haswell` is what an AVX2
laptop gets, `x64` runs anywhere): for support, and for the test that runs those variants here.
"""

from __future__ import annotations

import ctypes
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

_loading = threading.Lock()


def _lib_dir() -> Path:
    import llama_cpp

    return Path(llama_cpp.__file__).resolve().parent / "lib"


def _ggml() -> ctypes.CDLL:
    """libggml, already loaded by llama_cpp's import (dlopen returns the same handle)."""
    import llama_cpp  # noqa: F401  (loads libllama and with it libggml)

    lib = ctypes.CDLL(str(_lib_dir() / "libggml.so"))
    lib.ggml_backend_reg_count.restype = ctypes.c_size_t
    lib.ggml_backend_load_all_from_path.argtypes = [ctypes.c_char_p]
    lib.ggml_backend_load_all_from_path.restype = None
    lib.ggml_backend_load.argtypes = [ctypes.c_char_p]
    lib.ggml_backend_load.restype = ctypes.c_void_p
    return lib


def dynamic_backends() -> list[str]:
    """The backend libraries a GGML_BACKEND_DL build ships ('cpu-haswell', 'cuda', ...)."""
    return sorted(p.name[len("libggml-"):-len(".so")] for p in _lib_dir().glob("libggml-*.so")
                  if p.name != "libggml-base.so")


def load_backends() -> int:
    """Make sure llama.cpp has its backends; returns how many are registered. Idempotent."""
    with _loading:
        lib = _ggml()
        # llama.cpp says "load_backend: loaded CPU backend from ..." on stderr; quiet, as Llama(verbose=False)
        # is, unless someone asked its logger for more.
        quiet = logging.getLogger("llama-cpp-python")
        if quiet.level == logging.NOTSET:
            quiet.setLevel(logging.ERROR)
        if lib.ggml_backend_reg_count() == 0:
            chosen = os.environ.get("CLAUSEWISE_LLAMA_CPU")
            if chosen:
                path = _lib_dir() / f"libggml-cpu-{chosen}.so"
                if not path.exists() or not lib.ggml_backend_load(str(path).encode()):
                    raise RuntimeError(f"CLAUSEWISE_LLAMA_CPU={chosen}: no such CPU backend could be loaded "
                                       f"(shipped: {', '.join(dynamic_backends())})")
            else:
                lib.ggml_backend_load_all_from_path(str(_lib_dir()).encode())
        return int(lib.ggml_backend_reg_count())


@dataclass(frozen=True)
class BuildInfo:
    version: str
    portable: bool            # CPU variants chosen at run time, not compiled for the build machine
    backends: tuple[str, ...]  # the backend libraries shipped (portable builds only)
    cpu_features: str         # llama.cpp's own summary of what the loaded CPU backend uses
    gpu_offload: bool


def build_info() -> BuildInfo:
    import llama_cpp

    shipped = dynamic_backends()
    load_backends()
    return BuildInfo(
        version=llama_cpp.__version__,
        portable=any(name.startswith("cpu-") for name in shipped),
        backends=tuple(shipped),
        cpu_features=llama_cpp.llama_print_system_info().decode(errors="replace").strip(),
        gpu_offload=bool(llama_cpp.llama_supports_gpu_offload()),
    )
