# The two set-up commands of the README. Both work on a fresh machine with Python 3.11.
#   make demo   install starskope into .venv and run the main job (`starskope demo`)
#   make test   install starskope with its test tools (and Debian's chromium for the
#               browser tests) into .venv, lint with ruff, and run the test suite;
#               .ci/run calls this.
# Every install takes the tested versions in constraints.txt (pyproject.toml holds the
# supported ranges), so a fresh clone runs on the set the tests passed with.
PYTHON ?= python3.11
VENV   ?= .venv
PIP     = $(VENV)/bin/pip
INSTALL = $(PIP) install -q -c constraints.txt
PYTEST_ARGS ?= -m "not slow"
# test processes (pytest-xdist; "auto": one per CPU core, 0: all in this process); each
# worker takes whole test files, so a file's module fixtures are built once
PYTEST_WORKERS ?= auto

.PHONY: demo test lint install install-test chromium

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(INSTALL) --upgrade pip setuptools wheel

install: $(VENV)/bin/python
	$(INSTALL) -e .

install-test: $(VENV)/bin/python
	$(INSTALL) -e '.[test]'

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

demo: install
	$(VENV)/bin/starskope demo

# any finding fails the build (rules in pyproject.toml)
lint: install-test
	$(VENV)/bin/ruff check src tests benchmarks

test: install-test chromium lint
	$(VENV)/bin/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)
