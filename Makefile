# Build and test the book. `make help` lists the targets.
#   make book [PROFILE=auto|quick|full]   set up, execute, merge and render both editions and their PDFs
#   make test                              set up, then run the whole test suite
#   make serve EDITION=ko [PORT=8000]      write with a live preview of one edition
# Slices for CI: make execute FRAMEWORK=pytorch (once for both editions); make merge; make pdf; make html.

# Python 3.11 when installed: the version every pin in requirements*.txt was tested with.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || echo python3)
# The build and test environment (requirements.txt) and one environment per
# framework, each with its own kernel (requirements/<framework>.txt; see
# scripts/environment/kernels.py). uv creates them.
VENV ?= .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.8
ENVS := .venvs
FRAMEWORK_NAMES := mxnet pytorch tensorflow
# GPU builds (requirements/<framework>-gpu.txt) where nvidia-smi sees a GPU.
GPU := $(shell nvidia-smi -L >/dev/null 2>&1 && echo -gpu)
# uv does not read pip's configuration: pass on its local wheel folders (on
# this machine, torch's CPU build), except for GPU builds, which come from PyPI.
PIP_FIND_LINKS ?= $(shell pip config get global.find-links 2>/dev/null)
FIND_LINKS := $(if $(GPU),,$(foreach d,$(PIP_FIND_LINKS),--find-links $(d)))
FRAMEWORK_ENVS := $(foreach f,$(FRAMEWORK_NAMES),$(ENVS)/$(f)/.installed$(GPU))
PROFILE ?= auto
EDITION ?=
PORT ?= 8000
FRAMEWORK ?=
PAGE ?=
JOBS ?=
PYTEST_ARGS ?=

FRAMEWORKS := $(foreach f,$(FRAMEWORK),--framework $(f))
SELECT := $(foreach e,$(EDITION),--lang $(e)) $(FRAMEWORKS)

.DEFAULT_GOAL := help
.PHONY: help setup system data execute merge pdf html html-beside-pdf book serve test bench bench-loop layers notebooks colab-check record gpu-lock clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 16

system: ## install the Debian packages the book needs (when apt and root are available)
	@bash scripts/environment/system_packages.sh

# --compile-bytecode: the packages' .pyc are written once, here. Where
# PYTHONDONTWRITEBYTECODE is set (as on our CI machines) every process would
# otherwise compile what it imports again: `import tensorflow` 16.7 s -> 8.2 s.
$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet uv==$(UV_VERSION)
	$(UV) pip install --quiet --compile-bytecode --python $(PY) $(FIND_LINKS) -r requirements.txt -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3" >/dev/null
	touch $@

# .installed-gpu marks a GPU build: a GPU that appears later gets one too.
$(ENVS)/%/.installed$(GPU): requirements/%$(GPU).txt requirements/%.txt requirements/kernel.txt pyproject.toml | $(VENV)/.installed
	$(UV) venv --quiet --allow-existing --python $(PYTHON) $(ENVS)/$*
	$(UV) pip install --quiet --compile-bytecode --python $(ENVS)/$*/bin/python $(FIND_LINKS) -r requirements/$*$(GPU).txt -e .
	$(PY) -m scripts.environment.kernels --framework $*
	rm -f $(ENVS)/$*/.installed*
	touch $@

# The browser tests' accessibility checker (axe-core), pinned in package-lock.json.
# Building the book does not need it: without npm, say so (the test names what is missing).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent && touch $@; \
	else echo "note: no npm; not installing axe-core for the accessibility tests" >&2; fi

setup: system $(VENV)/.installed $(FRAMEWORK_ENVS) node_modules/.installed ## create the build environment and one per framework (uv), and the browser tests' axe-core (npm)

data: setup ## find (or fetch) Fashion-MNIST and verify its checksums
	@$(PY) -m scripts.environment.data

execute: data ## execute each page once per framework for both editions (FRAMEWORK=, PROFILE=, JOBS= select)
	$(PY) -m scripts.pipeline.execute --profile $(PROFILE) $(FRAMEWORKS) $(if $(JOBS),--jobs $(JOBS))

merge: setup ## merge executed notebooks into the pages of each edition
	$(PY) -m scripts.pipeline.merge --profile $(PROFILE) $(foreach e,$(EDITION),--lang $(e))

pdf: setup ## typeset one PDF per edition and framework -> _build/pdf/ (EDITION=, FRAMEWORK= select)
	$(PY) -m scripts.render.pdf --profile $(PROFILE) $(SELECT)

html: setup ## render both editions (warnings are errors), their download menus offering the PDFs
	$(PY) -m scripts.render.html $(foreach e,$(EDITION),--lang $(e))

book: ## the whole book: set-up, data, execution, PDFs, rendering -> _build/html/ (unchanged stages are skipped)
	@$(MAKE) --no-print-directory execute merge PROFILE=$(PROFILE)
	@$(MAKE) --no-print-directory -j2 --output-sync=line pdf html-beside-pdf PROFILE=$(PROFILE)
	@$(MAKE) --no-print-directory html

# make book's rendering while the PDFs are typeset: the editions whose PDFs all
# exist already (a rebuild); `make html` afterwards copies the new PDFs.
html-beside-pdf: setup
	$(PY) -m scripts.render.html --beside-pdf $(foreach e,$(EDITION),--lang $(e))

serve: data ## serve one edition at localhost:PORT, rebuilt on every save (EDITION=ko|zh, PORT=8000)
	$(PY) -m scripts.render.serve --lang $(firstword $(EDITION) ko) --port $(PORT) --profile $(PROFILE)

test: data ## the whole test suite (network-free once the data is in place)
	$(PY) -m pytest $(PYTEST_ARGS)

bench: data ## time execution per page and framework; compare d2l input pipelines
	$(PY) -m scripts.checks.bench --profile $(PROFILE)

bench-loop: data ## time the writer's loop on a built book: unchanged `make book`, a prose edit per edition -> _build/bench-loop.json
	$(PY) -m scripts.checks.writer_loop --profile $(PROFILE)

layers: setup ## check that scripts/ keeps its stages in order, without import cycles
	$(PY) -m scripts.checks.layers

notebooks: setup ## write the Colab notebooks (one per edition, framework and page) to notebooks/
	$(PY) -m scripts.notebooks.export

colab-check: data ## run the notebooks as on Colab in fresh venvs under _build/colab/ (EDITION=, FRAMEWORK=, PAGE= select)
	$(PY) -m scripts.notebooks.colab_check $(SELECT) $(foreach p,$(PAGE),--page $(p))

record: setup ## keep the full-profile results of the last `make book PROFILE=full` in records/full/ (commit them)
	$(PY) -m scripts.pipeline.records

gpu-lock: setup ## resolve what a GPU machine installs per framework into requirements/gpu-lock/ (needs PyPI)
	@for f in $(FRAMEWORK_NAMES); do \
	  $(UV) pip compile --quiet --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
	    --custom-compile-command "make gpu-lock" --output-file requirements/gpu-lock/$$f.txt requirements/$$f-gpu.txt || exit 1; \
	  echo "requirements/gpu-lock/$$f.txt"; done

clean: ## remove build outputs (keeps the virtual environments)
	rm -rf _build
