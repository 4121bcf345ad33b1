# The two commands of the README: `make demo` (the main job against an emulated fleet) and `make test`.
# Each creates the virtual environment it needs on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
COLLECTION_LINK := $(CURDIR)/.build/collections/ansible_collections/lifecycle/eks
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/.build/collections
export PATH := $(BIN):$(PATH)

.PHONY: demo test setup benchmark selfcheck clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(COLLECTION_LINK):
	mkdir -p $(dir $(COLLECTION_LINK))
	ln -sfn $(CURDIR) $(COLLECTION_LINK)

setup: $(BIN)/.installed $(COLLECTION_LINK)

demo: setup
	$(BIN)/python -m eksworld run --scenario tests/scenarios/demo.yml --out .world/demo \
	  --cluster-update-seconds 4 --nodegroup-update-seconds 2 --addon-update-seconds 1 -- \
	  $(BIN)/ansible-playbook -i .world/demo/inventory.yml playbooks/upgrade.yml -e eks_report_dir=$(CURDIR)/reports/demo
	@echo; cat reports/demo/fleet-summary.md

selfcheck: setup
	$(BIN)/python -m eksworld selfcheck --verbose

test: setup
	tests/run-all

benchmark: setup
	$(BIN)/python benchmarks/fleet.py

clean:
	rm -rf .build .world reports .pytest_cache .mypy_cache .ruff_cache
