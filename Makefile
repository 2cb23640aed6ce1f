# The two commands of README.md: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# pyenv's shims resolve python3.10 ... python3.13 only when PYENV_VERSION lists
# them; tox (tox.ini: pass_env) then finds every interpreter of the matrix.
ifeq ($(origin PYENV_VERSION),undefined)
PYENV_VERSION := $(shell command -v pyenv >/dev/null 2>&1 && pyenv versions --bare | grep -E '^3\.1[0-3]\.[0-9]+$$' | sort -t. -k2,2n | paste -sd: -)
endif
export PYENV_VERSION

.PHONY: demo test clean

$(BIN)/pip:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip>=25.1"

$(VENV)/.tox-installed: $(BIN)/pip
	$(BIN)/pip install -q "tox>=4.22" "tox-uv>=1.16"
	touch $@

$(VENV)/.demo-installed: $(BIN)/pip pyproject.toml
	$(BIN)/pip install -q -e ".[redis]" --group example
	touch $@

## make demo: the example Task Manager API on http://127.0.0.1:8000 (SQLite, local-memory cache)
demo: $(VENV)/.demo-installed
	$(BIN)/python example_project/manage.py migrate --noinput
	$(BIN)/python example_project/manage.py seed_demo
	$(BIN)/python example_project/manage.py runserver 127.0.0.1:8000

## make test: the whole suite: the tox matrix, lint, types, docs, package, coverage
## Two environments at a time (the machines have 2 cores; the suites wait on real servers
## much of the time); each environment's output is printed whole when it ends.
test: $(VENV)/.tox-installed
	$(BIN)/tox run-parallel --parallel 2 --parallel-no-spinner

clean:
	rm -rf $(VENV) .tox build dist site .coverage .coverage.*
