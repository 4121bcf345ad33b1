"""The upgrade benchmark's floor (benchmarks/upgrade_floor.py): the playbook's upgrade, made with plain boto3."""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import upgrade_floor  # noqa: E402  (benchmarks/ is not a package)


def test_every_cluster_reaches_the_target_hop_by_hop_with_its_nodes_and_add_ons(make_world, tmp_path, capsys):
    world = make_world({"name": "floor", "target_version": "1.30", "clusters": [
        {"name": name, "version": version, "nodegroups": [{"name": "general", "version": version}],
         "addons": {"vpc-cni": "v1.18.5-eksbuild.1"}}
        for name, version in (("two-hops", "1.28"), ("one-hop", "1.29"))]
        + [{"name": "nodes-behind", "version": "1.29", "nodegroups": [{"name": "general", "version": "1.28"}]}]})
    inventory = tmp_path / "world" / "inventory.yml"
    assert upgrade_floor.main(["--inventory", str(inventory), "--target", "1.30", "--poll-seconds", "0.05"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["clusters"] == printed["at_target"] == 3 and printed["errors"] == {}, printed
    for name, cluster in world.summary().items():
        assert cluster["version"] == "1.30", (name, cluster)
        assert {ng["version"] for ng in cluster["nodegroups"].values()} == {"1.30"}, (name, cluster)
    log = world.state.log.as_dicts()
    hops = [(r["cluster"], r["operation"]) for r in log if r["operation"] == "UpdateClusterVersion"]
    assert sorted(hops) == [("nodes-behind", "UpdateClusterVersion"), ("one-hop", "UpdateClusterVersion")] + [
        ("two-hops", "UpdateClusterVersion")] * 2
    # A node group behind the control plane is brought level before the hop (EKS refuses the hop otherwise).
    behind = [r["operation"] for r in log if r["cluster"] == "nodes-behind" and r["mutating"]]
    assert behind[:2] == ["UpdateNodegroupVersion", "UpdateClusterVersion"], behind
    assert any(r["operation"] == "UpdateAddon" for r in log)
    # The catalog is the fleet's: one DescribeAddonVersions per add-on name, not one per cluster.
    catalog = [r for r in log if r["operation"] == "DescribeAddonVersions"]
    assert 0 < len(catalog) <= 3, catalog


def test_a_failed_update_is_reported_and_the_others_go_on(make_world, tmp_path, capsys):
    world = make_world({"name": "floor", "target_version": "1.30", "clusters": [
        {"name": name, "version": "1.29", "nodegroups": [{"name": "general", "version": "1.29"}]}
        for name in ("fine", "failing")]})
    world.state.faults.set("failing", fail_updates="InsufficientFreeAddresses")
    inventory = tmp_path / "world" / "inventory.yml"
    assert upgrade_floor.main(["--inventory", str(inventory), "--target", "1.30", "--poll-seconds", "0.05"]) == 1
    printed = json.loads(capsys.readouterr().out)
    assert printed["at_target"] == 1 and list(printed["errors"]) == ["failing"], printed
    assert "Failed" in printed["errors"]["failing"]
