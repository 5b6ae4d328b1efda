# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CONFIG ?= generator_config.yaml

.PHONY: run test lint typecheck bench golden lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs the project (runtime deps only) and remembers it did.
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/fraud-simulator --config $(CONFIG)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench scripts generate.py
	$(BIN)/ruff format --check src tests bench scripts generate.py

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/python -m pytest -q

# Rewrite the golden datasets (tests/golden/) on purpose: after a deliberate change of the data.
golden: $(VENV)/.installed-dev
	$(BIN)/python -m tests.golden

# Refresh constraints.txt: the newest releases pyproject.toml allows, installed in a scratch venv.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e ".[dev]"
	{ sed -n '1,2p' constraints.txt; .lock-venv/bin/python -m pip freeze --exclude-editable; } > constraints.new
	mv constraints.new constraints.txt
	rm -rf .lock-venv

bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .lock-venv out .pytest_cache .mypy_cache .ruff_cache
