# Casebook: `make run` opens the app, `make test` runs the tests. Each sets itself up first.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# Shared libraries the Qt wheels need on Debian/Ubuntu (checked, installed only if missing).
QT_LIBS := libEGL.so.1 libGL.so.1 libfontconfig.so.1 libxkbcommon.so.0 libdbus-1.so.3 libglib-2.0.so.0
QT_DEBS := libegl1 libgl1 libfontconfig1 libxkbcommon0 libdbus-1-3 libglib2.0-0
# For a real window on X11.
X11_LIBS := libxcb-cursor.so.0 libxkbcommon-x11.so.0 libxcb-icccm.so.4 libxcb-keysyms.so.1 libxcb-shape.so.0 libxcb-render-util.so.0 libxcb-image.so.0 libxcb-randr.so.0 libxcb-xkb.so.1 libX11-xcb.so.1
X11_DEBS := libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-render-util0 libxcb-image0 libxcb-randr0 libxcb-xkb1 libx11-xcb1

.DEFAULT_GOAL := help
.PHONY: help setup run test test-fast test-slow lint typecheck format audit screenshots bench bundle installer install-desktop clean system-libs x11-libs

help: ## Show this list
	@echo "Casebook make targets:"
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(PY):
	@[ -n "$(PYTHON)" ] || { echo "Casebook needs Python 3.11: install python3.11, or set PYTHON=/path/to/python3.11"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Casebook needs Python 3.11; set PYTHON=/path/to/python3.11")'
	@bash installer/ensure-venv.sh $(PYTHON)
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	PYTHONWARNINGS='ignore:Editable installation' $(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP) system-libs ## Create .venv and install Casebook with its test tools

system-libs: ## Install the few Debian packages Qt needs, if any are missing
	@bash installer/ensure-libs.sh "$(QT_LIBS)" "$(QT_DEBS)"

x11-libs:
	@bash installer/ensure-libs.sh "$(X11_LIBS)" "$(X11_DEBS)"

run: setup ## Open Casebook (sets everything up first)
	@if [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ] && [ "$$(uname)" = Linux ] && [ -z "$$QT_QPA_PLATFORM" ]; then \
	  echo "No display was found, so Casebook's window cannot open here."; \
	  echo "On a desktop, run 'make run' from a terminal inside the desktop session."; \
	  echo "On a server, use a virtual screen: apt-get install xvfb && xvfb-run -a make run"; \
	  exit 1; \
	fi
	@$(MAKE) --no-print-directory x11-libs
	$(VENV)/bin/casebook $(ARGS)

test: setup ## Run lint, the type check and every test not marked slow (Qt offscreen)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m "not slow" $(PYTEST_ARGS)

test-fast: setup ## Run the tests not marked slow, without lint and type check
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m "not slow" $(PYTEST_ARGS)

test-slow: setup ## Run only the tests marked slow (SIGKILLs, wheel, bundle, samples, scoping, hostile input); CI runs them
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m slow $(PYTEST_ARGS)

lint: setup ## Check style with ruff and types with mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

typecheck: setup ## Check types with mypy
	$(VENV)/bin/mypy

format: setup ## Reformat the code with ruff
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# bandit's findings one a line; both tools run, and either one's finding fails the target.
BANDIT_LINE := '  {relpath}:{line}: {test_id} {msg} ({severity} severity, {confidence} confidence)'

audit: setup ## Look for security problems: bandit over the code, pip-audit over the packages
	@status=0; \
	echo "bandit over desktop/ and reports/ (skips and why: [tool.bandit] in pyproject.toml):"; \
	if $(VENV)/bin/bandit -c pyproject.toml -q -r desktop reports -f custom --msg-template $(BANDIT_LINE); \
	then echo "  no issues found"; else status=1; fi; \
	echo "pip-audit over the packages installed in $(VENV):"; \
	$(PY) scripts/audit_dependencies.py $(PIP_AUDIT_ARGS) || status=1; \
	exit $$status

screenshots: setup ## Render the main windows over sample data to screenshots/*.png
	QT_QPA_PLATFORM=offscreen $(PY) scripts/screenshots.py screenshots

bench: setup ## Time start-up, sign-in, search, letters, encryption, memory against baselines
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/run.py $(BENCH_ARGS)

bundle: setup ## Build the one-folder program dist/Casebook (PyInstaller, in build/bundle-venv)
	@bash installer/bundle.sh $(PYTHON) $(PY)

installer: bundle ## Pack dist/Casebook as a per-user Linux install (Windows: installer/README.md)
	@bash installer/pack-linux.sh

install-desktop: bundle ## Install dist/Casebook for you alone, with its menu entry and icon (no root)
	@bash installer/install-desktop.sh dist/Casebook

clean: ## Remove the virtual environment and caches
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .mypy_cache .hypothesis screenshots
