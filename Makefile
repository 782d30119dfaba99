# The two set-up commands of the README. Both work on a fresh machine with Python 3.11.
#   make demo   install starskope into .venv and run the main job (`starskope demo`)
#   make test   install starskope with its test tools (and Debian's chromium for the
#               browser tests) into .venv and run the test suite; .ci/run calls this.
PYTHON ?= python3.11
VENV   ?= .venv
PIP     = $(VENV)/bin/pip
PYTEST_ARGS ?= -m "not slow"

.PHONY: demo test install install-test chromium

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip setuptools wheel

install: $(VENV)/bin/python
	$(PIP) install -q -e .

install-test: $(VENV)/bin/python
	$(PIP) install -q -e '.[test]'

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

demo: install
	$(VENV)/bin/starskope demo

test: install-test chromium
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)
