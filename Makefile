# The two set-up commands of the README: `make demo` and `make test`. Each creates .venv on
# first use and installs the package with its test and dev tools.
#
# mediapipe 0.10.21 (the last with the bundled pose model) has wheels for Python 3.10-3.12 only:
# without PYTHON=..., the first of python3, python3.12, python3.11, python3.10 in that range
# makes the venv, and with none of them a one-line message says what to do.
SUPPORTED := import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))
ifndef PYTHON
PYTHON := $(shell for p in python3 python3.12 python3.11 python3.10; do \
	command -v $$p >/dev/null 2>&1 && $$p -c '$(SUPPORTED)' 2>/dev/null && { echo $$p; break; }; \
	done)
endif
VENV := .venv
STAMP := $(VENV)/.installed-stamp
NO_PYTHON := mirrorbot needs Python 3.10-3.12 (mediapipe 0.10.21 has no wheel for newer ones): \
	install python3.12 (e.g. pyenv install 3.12, uv python install 3.12) and run \
	make PYTHON=python3.12 (see README, Python 3.13)

.PHONY: demo test test-slow lint clean

$(STAMP): pyproject.toml
	@test -x $(VENV)/bin/python || { test -n "$(PYTHON)" && $(PYTHON) -c '$(SUPPORTED)'; } \
		|| { echo "$(NO_PYTHON)" >&2; exit 1; }
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/mirrorbot demo --overwrite $(ARGS)

# The fast tier (under 3 minutes on 2 cores); the slow end-to-end tests run in CI (.ci/run).
test: $(STAMP)
	$(VENV)/bin/python -m pytest -q -m "not slow" $(ARGS)

test-slow: $(STAMP)
	$(VENV)/bin/python -m pytest -q -m slow $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests sims
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache .mypy_cache
