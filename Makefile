# Two commands for a fresh machine:
#   make run    set up .venv and open Kit Share on the demo database
#   make test   set up .venv and run ruff, mypy and pytest (headless)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.kitshare-installed

ifeq ($(OS),Windows_NT)
BIN := $(VENV)/Scripts
endif

.PHONY: run test test-far-date lint typecheck pytest venv clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the package's declared dependencies change.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

venv: $(STAMP)

# Qt aborts without the X libraries it needs: install them as root, else name them.
run: $(STAMP)
	$(BIN)/python -m ui.platform_check --install
	$(BIN)/kitshare --demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# One worker per core (pytest-xdist); the slowest tests are named at the end of each run.
PYTEST := $(BIN)/pytest -n auto --durations=15
pytest: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PYTEST)

test: lint typecheck pytest

# The suite must pass on any day: run it with the system clock moved more than a year
# ahead, two minutes before the UK clocks go forward (libfaketime; the monotonic clock
# is left alone, or Python's timed waits would never end, and .ci/faketime mends the
# sleeps that libfaketime then breaks).
FAR_DATE ?= 2028-03-26 00:58:00
test-far-date: $(STAMP)
	PYTHONPATH=$(CURDIR)/.ci/faketime FAKETIME_DONT_FAKE_MONOTONIC=1 QT_QPA_PLATFORM=offscreen \
		faketime -m '$(FAR_DATE)' $(PYTEST)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
