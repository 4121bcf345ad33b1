"""moto's internals eksworld relies on: all in eksworld/moto_hooks.py, each still where moto_hooks expects it.

When a moto release moves one, these tests name it (module and attribute) instead of failing somewhere in the
emulator; update moto_hooks.py (and nothing else) for the new moto.
"""
from __future__ import annotations

import ast
import importlib
from pathlib import Path

import moto
import pytest

from eksworld.aws import AwsEmulator

EKSWORLD = Path(__file__).resolve().parents[2] / "eksworld"
HOOKS = EKSWORLD / "moto_hooks.py"
# moto's documented surface (server mode, get_backend, the default account): any eksworld module may use it.
PUBLIC = {"moto.backends": {"get_backend"}, "moto.core": {"DEFAULT_ACCOUNT_ID"}}


def _moto_imports(path: Path) -> list[tuple[str, str]]:
    """(module, name) of every `from moto... import name` and `import moto...` in a source file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "moto":
            found += [(node.module or "", alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names if alias.name.split(".")[0] == "moto"]
    return found


@pytest.mark.parametrize("module, name", _moto_imports(HOOKS), ids=lambda value: value)
def test_every_internal_moto_hooks_imports_is_still_there(module: str, name: str) -> None:
    try:
        found = importlib.import_module(module)
    except ImportError as error:
        pytest.fail(f"moto {moto.__version__} has no module {module} any more ({error}): "
                    f"eksworld/moto_hooks.py imports {name} from it")
    if not hasattr(found, name) and not _is_submodule(module, name):
        pytest.fail(f"moto {moto.__version__} moved {module}.{name}: eksworld/moto_hooks.py imports it")


def _is_submodule(module: str, name: str) -> bool:
    try:
        importlib.import_module(f"{module}.{name}")
    except ImportError:
        return False
    return True


def test_only_moto_hooks_reaches_into_moto() -> None:
    outside = [
        f"{path.name}: {module}.{name}"
        for path in sorted(EKSWORLD.glob("*.py")) if path != HOOKS
        for module, name in _moto_imports(path) if name not in PUBLIC.get(module, set())
    ]
    assert outside == [], "moto internals used outside eksworld/moto_hooks.py"


def test_eks_routes_are_moto_url_paths() -> None:
    """route_eks_paths registers eksworld's EKS operations in moto's EKS url table."""
    from moto.eks import urls

    assert isinstance(urls.url_paths, dict), f"moto {moto.__version__} moved moto.eks.urls.url_paths (not a dict)"
    assert any(pattern.endswith("/insights-refresh$") for pattern in urls.url_paths), (
        "eksworld's EKS routes are not in moto.eks.urls.url_paths: route_eks_paths no longer registers them"
    )


def test_security_group_rule_lists_are_moto_s(aws: AwsEmulator) -> None:
    """clear_security_group_rules empties these lists of moto's SecurityGroup: a renamed one would be written
    beside moto's, silently, and the group would keep its old rules."""
    network = aws.create_network("hooks")
    group = aws.eks.ec2.get_security_group_from_id(network["security_group_id"])
    moved = [name for name in ("ingress_rules", "egress_rules") if not isinstance(getattr(group, name, None), list)]
    assert moved == [], f"moto {moto.__version__} moved SecurityGroup attributes eksworld/moto_hooks.py writes"


def test_subnet_free_addresses_hook(aws: AwsEmulator) -> None:
    """set_available_ips: moto's Subnet keeps the free address count in _available_ip_addresses."""
    network = aws.create_network("hooks", subnets=[{"cidr": "10.9.1.0/24", "free_ips": 3}])
    subnet = aws.eks.ec2.get_subnet(network["subnet_ids"][0])
    assert subnet.available_ip_address_count == 3, (
        f"moto {moto.__version__} no longer derives AvailableIpAddressCount from Subnet._available_ip_addresses "
        "(eksworld/moto_hooks.py set_available_ips)"
    )


def test_reset_through_the_documented_endpoint_forgets_everything(aws: AwsEmulator) -> None:
    aws.create_cluster("forgotten", version="1.30")
    aws.reset()
    assert aws.cluster_names() == []
