# The two set-up commands of the README: `make demo` and `make test`. Each creates .venv on
# first use and installs the package with its test and dev tools.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint clean

$(STAMP): pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/mirrorbot demo --overwrite $(ARGS)

test: $(STAMP)
	$(VENV)/bin/python -m pytest -q $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests sims
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache .mypy_cache
