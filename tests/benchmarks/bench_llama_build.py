"""The portable llama.cpp build against one compiled for this machine's CPU (-march=native).

    python -m tests.benchmarks.bench_llama_build --portable WHEEL_DIR --native-cache WHEEL_DIR [--rounds 5]

Each build is installed into its own folder; each round runs both, one after the other, in fresh
processes (the order alternates, so neither always runs on a warmer machine). A run loads the
default model with 2 threads, evaluates a 400-token contract prompt and then generates 64 tokens
greedily. Printed: prompt and generation tokens/s per round, the medians, and portable / native.
The native wheel is built on first use (about 5 minutes) and kept in --native-cache.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from assistant.generation.models import CATALOGUE, DEFAULT_MODEL, resolve

ONE_RUN = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from assistant.generation.llama_build import build_info
from llama_cpp import Llama
info = build_info()
llm = Llama(model_path=sys.argv[2], n_ctx=2048, n_threads=2, n_batch=512, verbose=False)
text = open(sys.argv[3]).read()
tokens = llm.tokenize(text.encode())[:400]
llm.reset()
start = time.perf_counter()
llm.eval(tokens)
prompt_seconds = time.perf_counter() - start
start = time.perf_counter()
for _ in range(64):
    token = llm.sample(temp=0.0)
    llm.eval([token])
generate_seconds = time.perf_counter() - start
print(json.dumps({"prompt_tps": len(tokens) / prompt_seconds, "generate_tps": 64 / generate_seconds,
                  "features": info.cpu_features}))
"""

SAMPLE = Path(__file__).resolve().parents[2] / "assistant" / "samples" / "northwind-supply-agreement.md"


def wheel_in(folder: Path) -> Path:
    wheels = sorted(folder.glob("llama_cpp_python-*.whl"))
    if not wheels:
        raise SystemExit(f"no llama-cpp-python wheel in {folder}")
    return wheels[-1]


def build_native(folder: Path) -> None:
    partial = folder.with_name(folder.name + ".partial")
    env = dict(os.environ, CMAKE_ARGS="-DLLAVA_BUILD=OFF", CMAKE_BUILD_PARALLEL_LEVEL=str(os.cpu_count() or 2))
    print(f"building a native llama-cpp-python wheel into {folder} (about 5 minutes)...", flush=True)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-cache-dir", "--no-deps", "--no-binary",
                    "llama-cpp-python", "-w", str(partial), "llama-cpp-python==0.3.16"], check=True, env=env)
    partial.rename(folder)


def install(wheel: Path, target: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                    str(wheel)], check=True)
    return target


def run_once(site: Path, model: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", ONE_RUN, str(site), str(model), str(SAMPLE)], check=True,
                         capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portable", type=Path, required=True, help="folder holding the portable wheel")
    parser.add_argument("--native-cache", type=Path, required=True, help="folder for the native wheel")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if not args.native_cache.is_dir():
        build_native(args.native_cache)
    model = resolve(CATALOGUE[DEFAULT_MODEL])
    runs: dict[str, list[dict]] = {"portable": [], "native": []}
    with tempfile.TemporaryDirectory() as tmp:
        sites = {"portable": install(wheel_in(args.portable), Path(tmp) / "portable"),
                 "native": install(wheel_in(args.native_cache), Path(tmp) / "native")}
        for round_number in range(args.rounds):
            order = ["portable", "native"] if round_number % 2 == 0 else ["native", "portable"]
            for name in order:
                runs[name].append(run_once(sites[name], model))
                r = runs[name][-1]
                print(f"round {round_number + 1} {name:<8} prompt {r['prompt_tps']:7.1f} tok/s   "
                      f"generate {r['generate_tps']:6.1f} tok/s", flush=True)
    print(f"\n{DEFAULT_MODEL}, 2 threads, 400-token prompt, 64 generated tokens, medians of {args.rounds} rounds:")
    medians = {name: {key: statistics.median(r[key] for r in runs[name]) for key in ("prompt_tps", "generate_tps")}
               for name in runs}
    for name in runs:
        print(f"  {name:<8} prompt {medians[name]['prompt_tps']:7.1f} tok/s   generate "
              f"{medians[name]['generate_tps']:6.1f} tok/s   ({runs[name][0]['features']})")
    for key, label in (("prompt_tps", "prompt"), ("generate_tps", "generate")):
        print(f"  portable / native, {label}: {medians['portable'][key] / medians['native'][key]:.3f}")


if __name__ == "__main__":
    main()
