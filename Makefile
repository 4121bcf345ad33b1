# The two commands of the README: `make demo` (the main job against an emulated fleet) and `make test`.
# Each creates the virtual environment it needs on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
COLLECTION_LINK := $(CURDIR)/.build/collections/ansible_collections/lifecycle/eks
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/.build/collections
export PATH := $(BIN):$(PATH)

.PHONY: demo test setup benchmark selfcheck molecule mutation clean

# uv installs the same pinned packages as pip in a third of the time (measured: 55 s against 166 s on two busy
# cores), which the 25-minute budget of `make test` on a new machine needs. Unlike pip, uv writes no bytecode unless
# told to (--compile-bytecode), and where PYTHONDONTWRITEBYTECODE is set (this machine's CI) nothing writes it later:
# every Python process of the tests then compiled ansible, botocore and the kubernetes client again (3.0 CPU s to
# import what a module host imports, 1.7 with bytecode).
UV_INSTALL := $(BIN)/uv pip install --quiet --compile-bytecode
$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==0.13.9
	$(UV_INSTALL) --python $(BIN)/python -r requirements-dev.txt
	touch $@

$(COLLECTION_LINK):
	mkdir -p $(dir $(COLLECTION_LINK))
	ln -sfn $(CURDIR) $(COLLECTION_LINK)

# amazon.aws and kubernetes.core (requirements.yml), copied from the `ansible` package on PyPI: no Galaxy here.
DEPENDENCIES := $(CURDIR)/.build/collections/.dependencies
$(DEPENDENCIES): requirements.yml tests/build/install_collections.py $(BIN)/.installed
	$(BIN)/python tests/build/install_collections.py $(CURDIR)/.build/collections
	@# Their module_utils are imported as plain packages by every module host (bytecode: see UV_INSTALL).
	$(BIN)/python -m compileall -q -j 0 $(CURDIR)/.build/collections/ansible_collections/amazon \
	  $(CURDIR)/.build/collections/ansible_collections/kubernetes > /dev/null
	touch $@

# The oldest ansible-core supported (meta/runtime.yml), for the small matrix of `make test` (tests/run-all).
OLDEST_CORE := $(CURDIR)/.venv-core-oldest
$(OLDEST_CORE)/.installed: requirements.txt requirements-core-oldest.txt $(BIN)/.installed
	$(PYTHON) -m venv $(OLDEST_CORE)
	$(UV_INSTALL) --python $(OLDEST_CORE)/bin/python -r requirements-core-oldest.txt
	touch $@

setup: $(BIN)/.installed $(COLLECTION_LINK) $(DEPENDENCIES) $(OLDEST_CORE)/.installed

# A new world each time, so the demo starts from empty reports and checkpoints too (eks_state_dir).
demo: setup
	rm -rf $(CURDIR)/reports/demo $(CURDIR)/.world/demo-state
	@# legacy-batch is blocked by preflight on purpose, so the playbook exits non-zero: show the report anyway.
	-$(BIN)/python -m eksworld run --scenario tests/scenarios/demo.yml --out .world/demo \
	  --cluster-update-seconds 8 --nodegroup-update-seconds 4 --addon-update-seconds 2 -- \
	  $(BIN)/ansible-playbook -i .world/demo/inventory.yml playbooks/upgrade.yml \
	  -e eks_state_dir=$(CURDIR)/.world/demo-state -e eks_report_dir=$(CURDIR)/reports/demo \
	  -e eks_wait_delay=1 -e eks_wait_max_delay=4
	@echo
	@echo "The failure above is the point of the demo: legacy-batch has a subnet with 3 free IP addresses, so"
	@echo "preflight blocked it (check subnet-free-ips) and nothing was changed on it; the other 4 clusters upgraded."
	@echo "Fleet report: reports/demo/fleet-summary.md (and .html, .json; per cluster in reports/demo/clusters/)"

selfcheck: setup
	$(BIN)/python -m eksworld selfcheck --verbose

test: setup
	tests/run-all

# Flips each threshold of the procedure in a temporary copy of plugins/; a test must catch every flip.
mutation: setup
	$(BIN)/python tests/mutation/flip_thresholds.py

molecule: setup
	$(BIN)/molecule test

benchmark: setup
	$(BIN)/python benchmarks/fleet.py

clean:
	rm -rf .build .world reports .venv-core-oldest .pytest_cache .mypy_cache .ruff_cache
