# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CONFIG ?= generator_config.yaml

.PHONY: run test lint typecheck browser bench golden lock clean

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

# The report's browser test needs a Chromium. When none is on PATH, install Debian's if apt can
# (as root; bounded waits, so an unreachable mirror costs at most a few minutes); otherwise the
# test skips and says why. REPORT_BROWSER names another executable.
APT := DEBIAN_FRONTEND=noninteractive timeout 600 apt-get -y -q -o Acquire::Retries=0 \
	-o Acquire::http::Timeout=20 -o Acquire::https::Timeout=20
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
	|| command -v google-chrome >/dev/null 2>&1 || [ -n "$$REPORT_BROWSER" ] \
	|| { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	     && { $(APT) install chromium >/dev/null 2>&1 \
	          || { $(APT) update >/dev/null 2>&1 && $(APT) install chromium >/dev/null 2>&1; }; } \
	     && echo "browser: installed Debian's chromium for the report's browser test"; } \
	|| echo "browser: no Chromium and apt could not install one: the browser test will skip"

test: lint typecheck browser
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
