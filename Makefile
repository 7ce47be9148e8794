# cyberdiag — two commands: `make demo` (set up + run the demo) and `make test` (set up + run the tests).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# System packages: the local lab (nsd, unbound, nginx; iproute2 for its IPv6 namespace), the scan
# (nmap), reading PDFs back (poppler), WeasyPrint's text stack (pango, fonts), the browser that
# tests the territorial dashboard (chromium).
SYSTEM_PACKAGES := nsd unbound nginx iproute2 nmap poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core chromium
OUT ?= demo-out

.PHONY: demo test system-deps venv lint clean bench

system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# The message catalogues (French messages of the command-line parser), compiled with Babel.
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard cyberdiag/locale/*/LC_MESSAGES/*.po))
$(CATALOGUES): %.mo: %.po $(BIN)/.installed
	$(BIN)/python hatch_build.py

venv: $(BIN)/.installed $(CATALOGUES)

demo: system-deps venv
	$(BIN)/cyberdiag demo --dir $(OUT)

lint: venv
	$(BIN)/ruff check cyberdiag tests benchmarks tools
	$(BIN)/mypy

test: system-deps venv lint
	CYBERDIAG_REQUIRE_LAB=1 $(BIN)/pytest

bench: system-deps venv
	$(BIN)/pip install -q -e '.[bench]'
	for b in benchmarks/*.py; do $(BIN)/python $$b; done

clean:
	rm -rf $(VENV) $(OUT) build dist .mypy_cache .pytest_cache .ruff_cache
