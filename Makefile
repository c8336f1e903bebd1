# Build and test the book. `make help` lists the targets.
#   make book [PROFILE=auto|quick|full]   set up, execute, merge and render both editions
#   make test                              set up, then run the whole test suite
# Slices for CI: make execute FRAMEWORK=pytorch (once for both editions); make merge; make html.

# Python 3.11 when installed: the version every pin in requirements.txt was tested with.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || echo python3)
VENV ?= .venv
PY := $(VENV)/bin/python
PROFILE ?= auto
EDITION ?=
FRAMEWORK ?=
PYTEST_ARGS ?=

FRAMEWORKS := $(foreach f,$(FRAMEWORK),--framework $(f))
SELECT := $(foreach e,$(EDITION),--lang $(e)) $(FRAMEWORKS)

.DEFAULT_GOAL := help
.PHONY: help setup system data execute merge html book test bench notebooks colab-check clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 16

system: ## install the Debian packages the book needs (when apt and root are available)
	@bash scripts/install_system_packages.sh

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3" >/dev/null
	touch $@

setup: system $(VENV)/.installed ## create the virtual environment from requirements.txt

data: setup ## find (or fetch) Fashion-MNIST and verify its checksums
	@$(PY) -m scripts.data

execute: data ## execute each page once per framework for both editions (FRAMEWORK=, PROFILE= select)
	$(PY) -m scripts.execute --profile $(PROFILE) $(FRAMEWORKS)

merge: setup ## merge executed notebooks into the pages of each edition
	$(PY) -m scripts.merge --profile $(PROFILE) $(foreach e,$(EDITION),--lang $(e))

html: setup ## render both editions (warnings are errors)
	$(PY) -m scripts.build_html $(foreach e,$(EDITION),--lang $(e))

book: ## the whole book: set-up, data, execution, rendering -> _build/html/
	@$(MAKE) --no-print-directory execute merge PROFILE=$(PROFILE)
	@$(MAKE) --no-print-directory html

test: data ## the whole test suite (network-free once the data is in place)
	$(PY) -m pytest $(PYTEST_ARGS)

bench: data ## time execution per page and framework; compare d2l input pipelines
	$(PY) -m scripts.bench --profile $(PROFILE)

notebooks: setup ## write the Colab notebooks (one per edition, framework and page) to notebooks/
	$(PY) -m scripts.export_notebooks

colab-check: data ## run the notebooks as on Colab in fresh venvs under _build/colab/ (EDITION=, FRAMEWORK= select)
	$(PY) -m scripts.colab_check $(SELECT)

clean: ## remove build outputs (keeps the virtual environment)
	rm -rf _build
