"""meta/runtime.yml's action group covers every module that takes the cluster connection options."""
from __future__ import annotations

import ast
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
# The doc fragments of the connection options module_defaults: group/lifecycle.eks.eks sets (region, kubeconfig, ...).
# (lifecycle.eks.kube.unused: accepted so that a group default does not fail the module, documented as unused).
CONNECTION_FRAGMENTS = ({"amazon.aws.common.modules", "lifecycle.eks.kube"},
                        {"amazon.aws.common.modules", "lifecycle.eks.kube.unused"})
# Its connection options are per cluster inside one call: a play's defaults for one cluster would be wrong.
NOT_IN_GROUP = {"eks_fleet_preflight"}


def fragments(path: Path) -> set[str]:
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "DOCUMENTATION":
            return set(yaml.safe_load(node.value.value).get("extends_documentation_fragment") or [])
    raise AssertionError(f"{path.name} has no DOCUMENTATION")


def test_every_module_with_the_connection_options_is_in_the_group():
    group = set(yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())["action_groups"]["eks"])
    modules = {p.stem: fragments(p) for p in (ROOT / "plugins" / "modules").glob("eks_*.py")}
    connected = {name for name, used in modules.items()
                 if any(fragment <= used for fragment in CONNECTION_FRAGMENTS)} - NOT_IN_GROUP
    assert connected - group == set(), "add them to action_groups.eks in meta/runtime.yml"
    assert group <= connected
