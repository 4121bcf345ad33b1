"""No credential leaks at any verbosity. (That the IAM policies and the RBAC role match exactly what the
collection calls is checked on the every-path fleet of test_upgrade_playbook.py, and for plan and rollback.)"""
from __future__ import annotations

import pytest

from tests.integration.test_reliability import write_inventory

pytestmark = pytest.mark.integration


def test_no_credential_appears_at_any_verbosity(make_world, run_playbook, tmp_path):
    world = make_world({"target_version": "1.30", "clusters": [
        {"name": name, "version": "1.29", "nodegroups": [{"name": "general", "version": "1.29"}]}
        for name in ("via-kubeconfig", "via-eks-token")]})
    # Without a kubeconfig the modules sign an EKS token themselves (as `aws eks get-token`).
    kubeconfigs = tmp_path / "world" / "kubeconfigs"
    write_inventory(tmp_path / "world" / "inventory.yml", {
        "via-kubeconfig": {"eks_kubeconfig": str(kubeconfigs / "via-kubeconfig.yaml"), "eks_target_version": "1.30"},
        "via-eks-token": {"eks_target_version": "1.30"}})
    secrets = [world.env()["AWS_SECRET_ACCESS_KEY"], *world.tokens.values()]
    run = run_playbook(world, {"eks_waves": ["100%"]}, args=("-vvvv",))
    assert run.rc == 0, run.output[-3000:]
    assert run.statuses() == {"via-kubeconfig": "upgraded", "via-eks-token": "upgraded"}
    reports = "".join(p.read_text() for p in run.report_dir.rglob("*") if p.is_file())
    for secret in secrets:
        assert secret not in run.output
        assert secret not in reports
    assert "k8s-aws-v1." not in run.output + reports
    assert "certificate-authority-data" not in run.output
