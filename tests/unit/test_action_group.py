"""meta/runtime.yml's action groups hold exactly the modules that take their connection options.

The options are read as users see them: each module's documentation with its fragments (amazon.aws's,
kubernetes.core's and ours) resolved by ansible-doc, so a module whose documented options change moves groups.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import COLLECTIONS

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("eks_*.py"))
# The option that marks each group's connection options: every module taking AWS options takes region, every one
# taking kubernetes.core's Kubernetes options takes kubeconfig.
MARKERS = {"aws": "region", "k8s": "kubeconfig"}


@pytest.fixture(scope="module")
def documented_options() -> dict[str, set[str]]:
    """Each module's top-level options, fragments included, as ansible-doc shows them (one call for all)."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS))
    ansible_doc = str(Path(sys.executable).with_name("ansible-doc"))
    proc = subprocess.run([ansible_doc, "--json", "-t", "module", *(f"lifecycle.eks.{name}" for name in MODULES)],
                          env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    docs: dict[str, Any] = json.loads(proc.stdout)
    return {name.rsplit(".", 1)[1]: set(entry["doc"]["options"]) for name, entry in docs.items()}


def groups() -> dict[str, list[str]]:
    return yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())["action_groups"]


def test_every_module_is_documented(documented_options):
    assert sorted(documented_options) == MODULES


@pytest.mark.parametrize("group", sorted(MARKERS))
def test_a_group_holds_exactly_the_modules_taking_its_options(documented_options, group):
    marker = MARKERS[group]
    taking = {name for name, options in documented_options.items() if marker in options}
    members = set(groups()[group])
    assert taking - members == set(), f"add them to action_groups.{group} in meta/runtime.yml (they take {marker})"
    assert members - taking == set(), f"remove them from action_groups.{group}: they do not take {marker}"
    assert len(members) == len(groups()[group]), "a module named twice"


def test_the_older_groups_name_modules_of_the_aws_group(documented_options):
    """group/lifecycle.eks.eks (kept for older playbooks) and .checkpoint: their modules take the AWS options."""
    for group in ("eks", "checkpoint"):
        assert set(groups()[group]) <= set(groups()["aws"]), group
    assert set(groups()) == {"aws", "k8s", "eks", "checkpoint"}, "a new group: say here what it must hold"
