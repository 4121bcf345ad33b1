# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Preflight checks (plugins/module_utils/checks.py) over hand-built facts shaped like gather.py's.

Every check is driven through its pass / warn / fail / skip paths with the cases AWS's
"Updating an Amazon EKS cluster Kubernetes version" procedure names.
"""
import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.lifecycle.eks.plugins.module_utils import checks
from ansible_collections.lifecycle.eks.plugins.module_utils.checks import (
    CHECK_STEPS,
    FAIL,
    PASS,
    SKIPPED,
    WARN,
    run_checks,
    summarize,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.gather import skew_input
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import KubeMinor

PROPERTY = settings(max_examples=60, deadline=None)
KNOWN = ["1.%d" % minor for minor in range(23, 35)]
CHECK_ORDER = [
    "cluster-status", "target-version", "control-plane-node-minor", "fargate-pods-behind", "kubelet-skew-path",
    "al2-node-groups",
    "psp-eks-privileged", "coredns-upstream", "ebs-csi-driver", "fluentd-container-insights", "vpc-cni-version",
    "aws-load-balancer-controller", "subnet-free-ips", "cluster-security-group", "security-group-rules",
    "upgrade-insights", "configuration-insights", "addon-compatibility",
    "kubectl-client", "pdb-drain-blockers", "karpenter-ami-pinned", "karpenter-drift", "auto-mode",
    "hybrid-nodes", "hybrid-nodes-cni",
    "controller-compatibility", "controller-table-age", "cluster-autoscaler-rbac",
    "gpu-device-plugin-scheduling",
]

COREFILE = """.:53 {
    errors
    health
    kubernetes cluster.local in-addr.arpa ip6.arpa {
      pods insecure
      fallthrough in-addr.arpa ip6.arpa
    }
    prometheus :9153
    forward . /etc/resolv.conf
    cache 30
    loop
    reload
    loadbalance
}
"""
# What EKS clusters first created before 1.18 carried (the line step 3 removes).
COREFILE_UPSTREAM = COREFILE.replace("      pods insecure\n", "      pods insecure\n      upstream\n")

CNI_IMAGE = "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:%s"
NETPOL_IMAGE = "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon/aws-network-policy-agent:v1.1.5-eksbuild.1"
LBC_IMAGE = "public.ecr.aws/eks/aws-load-balancer-controller:%s"


def v(text):
    major, minor = text.split(".")
    return KubeMinor(int(major), int(minor))


def node(name, kind, kubelet, nodegroup=None, os_image="Amazon Linux 2023.6.20250107"):
    kubelet_version = "v%s.5-eks-ae9a62a" % kubelet
    return {"name": name, "kind": kind, "kubelet": kubelet_version, "minor": kubelet, "nodegroup": nodegroup,
            "gpu": False, "os_image": os_image}


def nodegroup(name, version, status="ACTIVE", custom_ami=False, ami_type="AL2023_x86_64_STANDARD",
              launch_template=None):
    return {"name": name, "version": version, "release_version": "%s.3-20250103" % version, "status": status,
            "ami_type": "CUSTOM" if custom_ami else ami_type, "custom_ami": custom_ami,
            "launch_template": launch_template, "instance_types": ["m5.large"], "desired_size": 2,
            "health_issues": []}


def rule(protocol, port, peer="sg-0c3"):
    """A rule as gather.py summarizes IpPermissions: one per source/destination; port None: every port."""
    low, high = (0, 65535) if port is None else (port, port) if isinstance(port, int) else port
    return {"protocol": protocol, "from_port": low, "to_port": high, "peer": peer}


def security_group(group_id, inbound, outbound, exists=True):
    return {"id": group_id, "exists": exists, "inbound": inbound, "outbound": outbound}


# The rules EKS gives the cluster security group it creates (sec-group-reqs): all from itself, all out.
ALL_FROM_SELF = rule("all", None)
ALL_TO_ANYWHERE = rule("all", None, "0.0.0.0/0")
# The documented minimum when the outbound rule is restricted.
MINIMUM_OUTBOUND = [rule("tcp", 443), rule("tcp", 10250), rule("tcp", 53), rule("udp", 53)]


def make_facts(version="1.29", **changes):
    """A healthy cluster as gather(PREFLIGHT_PARTS) reports it; ``changes`` replace top-level keys."""
    facts = {
        "cluster": {"name": "demo", "arn": "arn:aws:eks:us-east-1:111122223333:cluster/demo", "version": version,
                    "platform_version": "eks.7", "status": "ACTIVE", "created_at": "2024-01-23T10:00:00+00:00",
                    "upgrade_policy": "EXTENDED", "subnet_ids": ["subnet-0a1", "subnet-0b2"],
                    "cluster_security_group_id": "sg-0c3", "tags": {}},
        "nodegroups": [nodegroup("general", version)],
        "nodes": [node("ip-10-0-1-10.ec2.internal", "managed", version, "general")],
        "addons": [{"name": "vpc-cni"}, {"name": "coredns"}, {"name": "kube-proxy"}],
        "workloads": {
            "kube-system/aws-node": {"kind": "DaemonSet", "images": [CNI_IMAGE % "v1.18.5-eksbuild.1", NETPOL_IMAGE]},
            "kube-system/coredns": {"kind": "Deployment",
                                    "images": ["602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/coredns:"
                                               "v1.11.4-eksbuild.22"]},
        },
        "corefile": COREFILE,
        "psp_eks_privileged": True if v(version) < v("1.25") else None,
        "in_tree_ebs_volumes": None,
        "pdbs": [{"namespace": "web", "name": "web", "disruptions_allowed": 1, "max_unavailable": 1,
                  "min_available": None}],
        "subnets": [{"id": "subnet-0a1", "available_ips": 250, "az": "us-east-1a", "cidr": "10.0.1.0/24"},
                    {"id": "subnet-0b2", "available_ips": 250, "az": "us-east-1b", "cidr": "10.0.2.0/24"}],
        "missing_subnets": [],
        "cluster_security_group": security_group("sg-0c3", [ALL_FROM_SELF], [ALL_TO_ANYWHERE]),
        "additional_security_groups": [],
        "insights": [{"id": "a1", "name": "Kubelet version skew", "kubernetes_version": "1.30", "status": "PASSING",
                      "reason": "No issues found.", "last_refresh_time": "2025-01-01T00:00:00+00:00"}],
        "configuration_insights": [],
        "rollback_insights": [],
        "version_status": {k: "STANDARD_SUPPORT" for k in KNOWN},
        "known_versions": list(KNOWN),
        "kubectl_client": "v1.30.2",
        # EKS add-ons with their versions and the add-on catalog (test_addon_compatibility.py judges them).
        "addon_versions": {},
        "addon_catalog": {},
        "addon_insights": [],
    }
    facts.update(changes)
    facts["skew_input"] = skew_input(facts)
    return facts


def by_id(results):
    return {r["id"]: r for r in results}


def result_of(check_id, facts, target, **kwargs):
    results = by_id(run_checks(facts, target, **kwargs))
    return results[check_id]


def assert_shape(result):
    assert set(result) == {"id", "status", "message", "remediation", "step"}
    assert result["status"] in (PASS, WARN, FAIL, SKIPPED)
    assert result["step"] == CHECK_STEPS[result["id"]]
    assert isinstance(result["message"], str) and result["message"]
    assert isinstance(result["remediation"], str)
    if result["status"] == FAIL:
        assert result["remediation"], result  # a failure always says what to do


# --- run_checks / summarize as a whole -------------------------------------------------------------------

def test_healthy_cluster_passes_every_check():
    results = run_checks(make_facts("1.29"), "1.30")
    assert [r["id"] for r in results] == CHECK_ORDER
    assert {r["id"]: r["status"] for r in results} == {check_id: PASS for check_id in CHECK_ORDER}
    for result in results:
        assert_shape(result)
    assert summarize(results) == {"counts": {PASS: len(CHECK_ORDER), WARN: 0, FAIL: 0, SKIPPED: 0}, "blocked": False,
                                  "failed_checks": []}


def test_every_check_step_is_produced_exactly_once():
    ids = [r["id"] for r in run_checks(make_facts("1.29"), "1.30")]
    assert sorted(ids) == sorted(CHECK_STEPS)
    assert len(ids) == len(set(ids)) == len(CHECK_STEPS)


def test_skip_list_records_skipped_and_runs_the_others():
    facts = make_facts("1.29", subnets=[{"id": "subnet-0a1", "available_ips": 3, "az": "us-east-1a"}],
                       kubectl_client=None)
    results = run_checks(facts, "1.30", skip={"subnet-free-ips", "kubectl-client"})
    assert [r["id"] for r in results] == CHECK_ORDER
    found = by_id(results)
    for check_id in ("subnet-free-ips", "kubectl-client"):
        assert found[check_id]["status"] == SKIPPED
        assert "skip_checks" in found[check_id]["message"]
        assert_shape(found[check_id])
    assert all(r["status"] == PASS for r in results if r["id"] not in ("subnet-free-ips", "kubectl-client"))
    summary = summarize(results)
    assert summary["counts"] == {PASS: len(CHECK_ORDER) - 2, WARN: 0, FAIL: 0, SKIPPED: 2}
    assert summary["blocked"] is False


def test_skip_accepts_any_iterable_and_ignores_unknown_ids():
    results = run_checks(make_facts("1.29"), "1.30", skip=["no-such-check", "pdb-drain-blockers"])
    assert len(results) == len(CHECK_ORDER)
    assert by_id(results)["pdb-drain-blockers"]["status"] == SKIPPED


def test_summarize_counts_and_blocked():
    results = [
        {"id": "subnet-free-ips", "status": FAIL}, {"id": "kubectl-client", "status": WARN},
        {"id": "cluster-status", "status": PASS}, {"id": "pdb-drain-blockers", "status": SKIPPED},
        {"id": "upgrade-insights", "status": FAIL},
    ]
    assert summarize(results) == {"counts": {PASS: 1, WARN: 1, FAIL: 2, SKIPPED: 1}, "blocked": True,
                                  "failed_checks": ["subnet-free-ips", "upgrade-insights"]}
    assert summarize([]) == {"counts": {PASS: 0, WARN: 0, FAIL: 0, SKIPPED: 0}, "blocked": False,
                             "failed_checks": []}


def test_a_warning_alone_does_not_block():
    summary = summarize(run_checks(make_facts("1.29", kubectl_client=None), "1.30"))
    assert summary["counts"][WARN] == 1 and not summary["blocked"]


# --- target version ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("target, fragment", [
    ("latest", "not a Kubernetes version"),
    ("1.3", "quote the version: '1.30'"),        # an unquoted YAML 1.30
    ("v1.30", "without the 'v'"),
    ("1.30.1", "dropping the patch"),
    ("", "empty"),
])
def test_malformed_target_gives_one_target_version_failure(target, fragment):
    results = run_checks(make_facts("1.29"), target)
    assert len(results) == 1
    (result,) = results
    assert result["id"] == "target-version" and result["status"] == FAIL
    assert fragment in result["message"]
    assert "MAJOR.MINOR" in result["remediation"]
    assert_shape(result)
    assert summarize(results)["blocked"] is True


@pytest.mark.parametrize("current, target, known, status, fragment", [
    ("1.29", "1.30", KNOWN, PASS, "1 minor(s) ahead of 1.29: 1 hop(s)"),
    ("1.27", "1.30", KNOWN, PASS, "3 minor(s) ahead of 1.27: 3 hop(s)"),
    ("1.30", "1.30", KNOWN, PASS, "already on 1.30"),
    ("1.30", "1.29", KNOWN, FAIL, "lower than the control plane's 1.30"),
    ("1.33", "1.35", KNOWN, FAIL, "1.35 is not offered by Amazon EKS"),
    ("1.29", "1.30", None, PASS, "1 minor(s) ahead"),   # known versions not gathered: not judged
])
def test_target_version(current, target, known, status, fragment):
    facts = make_facts(current, known_versions=known)
    result = result_of("target-version", facts, target)
    assert result["status"] == status
    assert fragment in result["message"]
    if status == FAIL:
        assert result["remediation"]


def test_target_lower_than_current_does_not_crash_other_checks():
    results = run_checks(make_facts("1.30"), "1.29")
    assert by_id(results)["target-version"]["status"] == FAIL
    assert summarize(results)["failed_checks"] == ["target-version"]


# --- cluster status ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("status, expected", [
    ("ACTIVE", PASS), ("UPDATING", WARN), ("FAILED", FAIL), ("CREATING", FAIL), ("DELETING", FAIL), (None, FAIL),
])
def test_cluster_status(status, expected):
    facts = make_facts("1.29")
    facts["cluster"]["status"] = status
    result = result_of("cluster-status", facts, "1.30")
    assert result["status"] == expected
    if expected == FAIL:
        assert str(status) in result["message"]


# --- step 1: managed node groups and Fargate nodes ------------------------------------------------------

@pytest.mark.parametrize("current, groups, upgrade_nodegroups, target, status, fragment", [
    ("1.29", [nodegroup("general", "1.29")], False, "1.30", PASS, "All managed node groups are on 1.29"),
    ("1.29", [], False, "1.30", PASS, "All managed node groups"),
    ("1.29", [nodegroup("general", "1.28"), nodegroup("batch", "1.29")], False, "1.30", FAIL, "general are behind"),
    ("1.29", [nodegroup("general", "1.28"), nodegroup("batch", "1.29")], True, "1.30", WARN, "will be updated"),
    # Multi-hop: node groups must be on 1.29 before 1.29 -> 1.30 (AWS refuses otherwise).
    ("1.28", [nodegroup("general", "1.28")], False, "1.30", FAIL, "managed node group general is on 1.28"),
    ("1.28", [nodegroup("general", "1.28")], True, "1.30", PASS, "All managed node groups"),
    ("1.28", [nodegroup("general", "1.27")], True, "1.30", WARN, "will be updated"),
    # Custom AMIs and groups that aren't ACTIVE can't be updated by the plan.
    ("1.28", [nodegroup("gpu", "1.27", custom_ami=True)], True, "1.29", FAIL, "custom AMI"),
    ("1.28", [nodegroup("spot", "1.27", status="DEGRADED")], True, "1.29", FAIL, "DEGRADED"),
    ("1.28", [nodegroup("gpu", "1.28", custom_ami=True)], True, "1.29", PASS, "All managed node groups"),
    ("1.28", [nodegroup("gpu", "1.28", custom_ami=True)], True, "1.30", FAIL, "custom AMI"),
    # At the target already (a rerun): nothing is blocked, the lagging group is reported for post_upgrade.
    ("1.30", [nodegroup("general", "1.29")], False, "1.30", WARN, "No control-plane hop is pending"),
])
def test_control_plane_node_minor(current, groups, upgrade_nodegroups, target, status, fragment):
    facts = make_facts(current, nodegroups=groups,
                       nodes=[node("ip-%d" % i, "managed", g["version"], g["name"]) for i, g in enumerate(groups)])
    result = result_of("control-plane-node-minor", facts, target, upgrade_nodegroups=upgrade_nodegroups)
    assert result["status"] == status, result
    assert fragment in result["message"]
    if status == FAIL:
        assert result["remediation"]


def test_nodegroups_on_the_control_plane_block_a_multi_hop_path_without_upgrade_nodegroups():
    """1.28 -> 1.30 with node groups on 1.28: they must be on 1.29 before 1.29 -> 1.30 (step 1)."""
    facts = make_facts("1.28")
    result = result_of("control-plane-node-minor", facts, "1.30", upgrade_nodegroups=False)
    assert result["status"] == FAIL
    assert "general" in result["message"] and "Update node group general to 1.29" in result["remediation"]
    assert result_of("control-plane-node-minor", facts, "1.30", upgrade_nodegroups=True)["status"] == PASS


@pytest.mark.parametrize("fargate_kubelets, current, target, status", [
    ([], "1.29", "1.30", PASS),
    (["1.29"], "1.29", "1.30", PASS),
    (["1.28", "1.29"], "1.29", "1.30", FAIL),          # step 1: delete the pod first
    (["1.29"], "1.29", "1.31", FAIL),                   # existing Fargate pods keep 1.29 after 1.30
    (["1.28"], "1.29", "1.29", WARN),                   # no hop pending: a post-upgrade task, not a blocker
])
def test_fargate_pods_behind(fargate_kubelets, current, target, status):
    nodes = [node("fargate-ip-10-0-9-%d" % i, "fargate", kubelet) for i, kubelet in enumerate(fargate_kubelets)]
    facts = make_facts(current, nodes=nodes)
    for upgrade_nodegroups in (False, True):
        result = result_of("fargate-pods-behind", facts, target, upgrade_nodegroups=upgrade_nodegroups)
        assert result["status"] == status, result


def test_fargate_behind_names_the_nodes_and_says_delete_the_pods():
    facts = make_facts("1.29", nodes=[node("fargate-old", "fargate", "1.28"), node("fargate-new", "fargate", "1.29")])
    result = result_of("fargate-pods-behind", facts, "1.30")
    assert "fargate-old" in result["message"] and "fargate-new" not in result["message"]
    assert "Delete" in result["remediation"] and "1.29" in result["remediation"]
    # The redeploy that resolves it is offered, opt-in.
    assert "lifecycle.eks.eks_fargate_redeploy" in result["remediation"]
    assert "eks_fargate_redeploy: true" in result["remediation"]


# --- step 4: kubelet skew over the whole path -------------------------------------------------------------

def test_self_managed_kubelet_1_24_with_control_plane_1_26_cannot_go_to_1_27():
    facts = make_facts("1.26", nodes=[node("ip-10-0-1-10.ec2.internal", "managed", "1.26", "general"),
                                      node("ip-10-0-3-10.ec2.internal", "self_managed", "1.24")])
    result = result_of("kubelet-skew-path", facts, "1.27")
    assert result["status"] == FAIL
    assert "ip-10-0-3-10.ec2.internal" in result["message"]
    assert "1.25" in result["remediation"]       # the oldest kubelet 1.27 allows


@pytest.mark.parametrize("self_managed, current, target, status", [
    ([], "1.29", "1.30", PASS),
    (["1.29"], "1.29", "1.30", WARN),     # behind the target: AWS recommends the same minor
    (["1.25"], "1.25", "1.28", WARN),     # kubelet 1.25 allows three minors
    (["1.25"], "1.25", "1.29", FAIL),
    (["1.24"], "1.24", "1.26", WARN),     # kubelet 1.24 allows two
    (["1.24"], "1.24", "1.27", FAIL),
    (["1.30"], "1.30", "1.30", PASS),
])
def test_kubelet_skew_path(self_managed, current, target, status):
    nodes = [node("sm-%d" % i, "self_managed", kubelet) for i, kubelet in enumerate(self_managed)]
    result = result_of("kubelet-skew-path", make_facts(current, nodes=nodes), target)
    assert result["status"] == status, result
    if status == WARN:
        assert "sm-0" in result["remediation"]


def test_kubelet_skew_ignores_other_plan_blockers():
    """Node groups behind are control-plane-node-minor's business, not kubelet-skew-path's."""
    facts = make_facts("1.29", nodegroups=[nodegroup("general", "1.28")])
    assert result_of("kubelet-skew-path", facts, "1.30", upgrade_nodegroups=False)["status"] == PASS


# --- beyond the procedure: Amazon Linux 2 node groups (no AL2 EKS AMI for 1.33+, support ended 2025-11-26) ----

AL2_MOVES = [("AL2_x86_64", "AL2023_x86_64_STANDARD", "BOTTLEROCKET_x86_64"),
             ("AL2_ARM_64", "AL2023_ARM_64_STANDARD", "BOTTLEROCKET_ARM_64"),
             ("AL2_x86_64_GPU", "AL2023_x86_64_NVIDIA", "BOTTLEROCKET_x86_64_NVIDIA")]
NOT_AL2_AMI_TYPES = ["AL2023_x86_64_STANDARD", "AL2023_ARM_64_STANDARD", "AL2023_x86_64_NVIDIA",
                     "AL2023_ARM_64_NVIDIA", "AL2023_x86_64_NEURON", "BOTTLEROCKET_x86_64", "BOTTLEROCKET_ARM_64",
                     "BOTTLEROCKET_x86_64_NVIDIA", "WINDOWS_CORE_2022_x86_64", "CUSTOM", None]


def al2_facts(current, ami_type, name="legacy", **changes):
    return make_facts(current, nodegroups=[nodegroup("general", current), nodegroup(name, current, ami_type=ami_type)],
                      **changes)


@pytest.mark.parametrize("ami_type, al2023, bottlerocket", AL2_MOVES)
@pytest.mark.parametrize("current, target, upgrade_nodegroups, status", [
    ("1.32", "1.32", False, WARN),   # no hop: support ended, nothing blocks yet
    ("1.31", "1.32", True, WARN),    # the last minor with AL2 AMIs
    ("1.32", "1.33", True, FAIL),    # the first without
    ("1.32", "1.33", False, FAIL),   # left behind on 1.32, it could never follow the control plane
    ("1.31", "1.33", True, FAIL),    # a between-hop node group update to 1.33 on the path
    ("1.30", "1.34", False, FAIL),
    ("1.33", "1.33", False, FAIL),   # control plane already there: the group can't follow it
    ("1.24", "1.29", True, WARN),
])
def test_al2_node_group_blocks_a_path_to_1_33(ami_type, al2023, bottlerocket, current, target, upgrade_nodegroups,
                                              status):
    result = result_of("al2-node-groups", al2_facts(current, ami_type), target, upgrade_nodegroups=upgrade_nodegroups)
    assert_shape(result)
    assert result["status"] == status, result
    # The group, its AMI type and the types to move to are named, whatever the verdict.
    assert "legacy (%s: move to %s, or %s)" % (ami_type, al2023, bottlerocket) in result["message"]
    assert "general" not in result["message"]
    assert "2025-11-26" in result["message"]
    assert "no Amazon Linux 2 EKS AMI for Kubernetes 1.33 and later" in result["message"]
    assert ("blocks the path to %s" % target in result["message"]) == (status == FAIL)
    # EKS can't change amiType in place (botocore: only CreateNodegroup takes it): a new group and a migration.
    assert ("create a node group with amiType %s (or %s) next to legacy" % (al2023, bottlerocket)
            in result["remediation"])
    assert "UpdateNodegroupConfig and UpdateNodegroupVersion take no amiType" in result["remediation"]


@pytest.mark.parametrize("ami_type", NOT_AL2_AMI_TYPES)
@pytest.mark.parametrize("target", ["1.32", "1.33", "1.34"])
def test_other_ami_types_pass_al2_node_groups(ami_type, target):
    result = result_of("al2-node-groups", al2_facts("1.32", ami_type), target, upgrade_nodegroups=True)
    assert result["status"] == PASS, result
    assert result["message"] == ("No managed node group on an Amazon Linux 2 AMI type and no self-managed node on "
                                 "Amazon Linux 2.")


def test_al2_ami_types_are_the_ones_of_botocores_eks_model_and_cannot_change_in_place():
    """What the remediation says, read from EKS's API model: amiType is given only when a node group is created."""
    botocore_session = pytest.importorskip("botocore.session")
    model = botocore_session.get_session().get_service_model("eks")
    ami_types = model.shape_for("AMITypes").enum
    assert sorted(t for t in ami_types if t.startswith("AL2_")) == sorted(checks.AL2_REPLACEMENTS)
    for replacements in checks.AL2_REPLACEMENTS.values():
        assert set(replacements) <= set(ami_types)
    assert "amiType" in model.operation_model("CreateNodegroup").input_shape.members
    for operation in ("UpdateNodegroupConfig", "UpdateNodegroupVersion"):
        assert "amiType" not in model.operation_model(operation).input_shape.members, operation


@pytest.mark.parametrize("os_image, kind, target, status", [
    ("Amazon Linux 2", "self_managed", "1.33", FAIL),
    ("Amazon Linux 2", "self_managed", "1.32", WARN),
    ("Amazon Linux 2023.6.20250107", "self_managed", "1.33", PASS),
    ("Amazon Linux 2023", "self_managed", "1.34", PASS),
    ("Bottlerocket OS 1.31.0 (aws-k8s-1.32)", "self_managed", "1.33", PASS),
    ("Ubuntu 22.04.5 LTS", "self_managed", "1.33", PASS),
    (None, "self_managed", "1.33", PASS),      # facts gathered without the OS image
    # Managed nodes are judged by their node group's amiType, Fargate nodes have no AMI of the user's.
    ("Amazon Linux 2", "managed", "1.33", PASS),
    ("Amazon Linux 2", "fargate", "1.33", PASS),
])
def test_self_managed_nodes_on_amazon_linux_2(os_image, kind, target, status):
    facts = make_facts("1.32", nodes=[node("ip-10-0-9-1.ec2.internal", kind, "1.32", os_image=os_image)])
    result = result_of("al2-node-groups", facts, target)
    assert result["status"] == status, result
    if status != PASS:
        assert "self-managed node(s) ip-10-0-9-1.ec2.internal (osImage Amazon Linux 2)" in result["message"]
        assert ("Replace self-managed node(s) ip-10-0-9-1.ec2.internal with nodes of an AL2023 (or Bottlerocket) EKS "
                "optimized AMI for Kubernetes 1.32" in result["remediation"])
        assert "nodeadm" in result["remediation"]


def test_al2_check_names_every_group_and_node_in_one_result():
    facts = make_facts("1.32", nodegroups=[nodegroup("gpu", "1.32", ami_type="AL2_x86_64_GPU"),
                                           nodegroup("arm", "1.32", ami_type="AL2_ARM_64"),
                                           nodegroup("new", "1.32", ami_type="AL2023_x86_64_STANDARD")],
                       nodes=[node("sm-b", "self_managed", "1.31", os_image="Amazon Linux 2"),
                              node("sm-a", "self_managed", "1.32", os_image="Amazon Linux 2")])
    result = result_of("al2-node-groups", facts, "1.33")
    assert result["status"] == FAIL
    assert ("managed node group(s) arm (AL2_ARM_64: move to AL2023_ARM_64_STANDARD, or BOTTLEROCKET_ARM_64), "
            "gpu (AL2_x86_64_GPU: move to AL2023_x86_64_NVIDIA, or BOTTLEROCKET_x86_64_NVIDIA); self-managed "
            "node(s) sm-a, sm-b (osImage Amazon Linux 2)") in result["message"]
    assert "new" not in result["message"].replace("no Amazon", "")
    assert "next to arm" in result["remediation"] and "next to gpu" in result["remediation"]
    assert "Stop at 1.32 (target 1.32) until they are replaced." in result["remediation"]


def test_al2_group_with_a_launch_template_is_told_about_nodeadm():
    template = {"name": "legacy-nodes", "id": "lt-0abc", "version": "3"}
    facts = make_facts("1.32", nodegroups=[nodegroup("legacy", "1.32", ami_type="AL2_x86_64",
                                                     launch_template=template)])
    result = result_of("al2-node-groups", facts, "1.33")
    assert result["status"] == FAIL
    assert ("Node group legacy uses launch template legacy-nodes (lt-0abc): AL2023 nodes are configured by nodeadm "
            "(a NodeConfig in the user data), not /etc/eks/bootstrap.sh; rewrite any bootstrap user data of the "
            "new group's launch template as a NodeConfig." in result["remediation"])
    without = result_of("al2-node-groups", al2_facts("1.32", "AL2_x86_64"), "1.33")
    assert "nodeadm" not in without["remediation"]


def test_al2_below_1_23_says_al2023_amis_start_there():
    facts = al2_facts("1.22", "AL2_x86_64", psp_eks_privileged=True)
    result = result_of("al2-node-groups", facts, "1.25", upgrade_nodegroups=True)
    assert result["status"] == WARN
    assert ("AL2023 EKS AMIs start at Kubernetes 1.23: migrate once the cluster is on 1.23 or later."
            in result["remediation"])
    assert "1.23" not in result_of("al2-node-groups", al2_facts("1.23", "AL2_x86_64"), "1.24")["remediation"]


def test_al2_fails_exactly_from_1_33():
    for current_minor in range(23, 35):
        for target_minor in range(current_minor, 35):
            facts = al2_facts("1.%d" % current_minor, "AL2_x86_64")
            status = result_of("al2-node-groups", facts, "1.%d" % target_minor)["status"]
            assert status == (FAIL if target_minor >= 33 else WARN), (current_minor, target_minor)


# --- step 2: PSP eks.privileged ---------------------------------------------------------------------------

@pytest.mark.parametrize("current, present, status, fragment", [
    ("1.24", True, PASS, "is in place"),
    ("1.24", False, FAIL, "eks.privileged not found"),
    ("1.23", False, FAIL, "eks.privileged not found"),
    ("1.25", None, PASS, "not served on 1.25"),
    ("1.25", False, PASS, "not served"),          # a stale False at 1.25+ no longer matters
    ("1.24", None, PASS, "nothing to check"),
])
def test_psp_eks_privileged(current, present, status, fragment):
    target = str(v(current).next())
    result = result_of("psp-eks-privileged", make_facts(current, psp_eks_privileged=present), target)
    assert result["status"] == status
    assert fragment in result["message"]
    if status == FAIL:
        assert "default Pod security policy" in result["remediation"]


# --- step 3: CoreDNS `upstream` ---------------------------------------------------------------------------

@pytest.mark.parametrize("corefile, status", [
    (None, PASS),
    ("", PASS),
    (COREFILE, PASS),
    (COREFILE_UPSTREAM, FAIL),
    ("upstream", FAIL),
    ("upstream\n", FAIL),
    ("\tupstream  \r\n", FAIL),
    ("    kubernetes cluster.local {\n      upstream\n    }\n", FAIL),
    # The option with addresses: CoreDNS 1.7 and later refuse it as they refuse the bare line (the fix removes both).
    ("    upstream 8.8.8.8\n", FAIL),
    # Not the upstream option:
    ("    #upstream\n", PASS),
    ("    # upstream\n", PASS),
    ("    upstreams\n", PASS),
    ("    proxy . /etc/resolv.conf upstream\n", PASS),
    ("    upstream_servers\n", PASS),
])
def test_coredns_upstream(corefile, status):
    result = result_of("coredns-upstream", make_facts("1.29", corefile=corefile), "1.30")
    assert result["status"] == status


def test_coredns_upstream_with_the_fix_enabled_warns():
    facts = make_facts("1.29", corefile=COREFILE_UPSTREAM)
    fail = result_of("coredns-upstream", facts, "1.30")
    assert "fix_coredns_upstream: true" in fail["remediation"]
    warn = result_of("coredns-upstream", facts, "1.30", fix_coredns_upstream=True)
    assert warn["status"] == WARN and "will be removed first (fix_coredns_upstream)" in warn["message"]
    # nothing to fix: the flag changes nothing
    assert result_of("coredns-upstream", make_facts("1.29"), "1.30", fix_coredns_upstream=True)["status"] == PASS


@PROPERTY
@given(before=st.lists(st.sampled_from(["errors", "health", "cache 30", "upstreams", "#upstream", "}"]),
                       max_size=6),
       after=st.lists(st.sampled_from(["reload", "loop", "forward . /etc/resolv.conf", "upstreamx"]), max_size=6),
       indent=st.sampled_from(["", " ", "    ", "\t"]),
       trailing=st.sampled_from(["", " ", "\t", "\r"]),
       with_line=st.booleans())
def test_coredns_upstream_fails_exactly_when_an_upstream_line_exists(before, after, indent, trailing, with_line):
    lines = before + ([indent + "upstream" + trailing] if with_line else []) + after
    result = result_of("coredns-upstream", make_facts("1.29", corefile="\n".join(lines)), "1.30")
    assert result["status"] == (FAIL if with_line else PASS)


# --- step 4, Important: EBS CSI driver before 1.23 --------------------------------------------------------

EBS_CONTROLLER = {"kube-system/ebs-csi-controller": {
    "kind": "Deployment", "images": ["public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.24.1"]}}


@pytest.mark.parametrize("current, target, volumes, addons, extra_workloads, status", [
    ("1.22", "1.23", ["pv-data-1", "pv-data-2"], [], {}, FAIL),
    ("1.22", "1.23", ["pv-data-1"], [{"name": "aws-ebs-csi-driver"}], {}, PASS),
    ("1.22", "1.23", ["pv-data-1"], [], EBS_CONTROLLER, PASS),          # self-managed driver
    ("1.22", "1.23", [], [], {}, PASS),
    ("1.22", "1.23", None, [], {}, PASS),
    ("1.21", "1.24", ["pv-data-1"], [], {}, FAIL),                      # crosses 1.23 on the way
    ("1.23", "1.24", ["pv-data-1"], [], {}, PASS),                      # not applicable
    ("1.22", "1.22", ["pv-data-1"], [], {}, PASS),
])
def test_ebs_csi_driver(current, target, volumes, addons, extra_workloads, status):
    facts = make_facts(current, in_tree_ebs_volumes=volumes, addons=addons)
    facts["workloads"].update(extra_workloads)
    result = result_of("ebs-csi-driver", facts, target)
    assert result["status"] == status, result
    if status == FAIL:
        assert "aws-ebs-csi-driver" in result["remediation"]
        assert "pv-data-1" in result["message"]


def test_ebs_csi_failure_lists_at_most_five_volumes():
    volumes = ["pv-%02d" % i for i in range(8)]
    result = result_of("ebs-csi-driver", make_facts("1.22", in_tree_ebs_volumes=volumes, addons=[]), "1.23")
    assert result["message"].startswith("8 in-tree EBS volume(s)")
    assert "pv-04" in result["message"] and "pv-05" not in result["message"]


def test_ebs_csi_without_addons_key():
    facts = make_facts("1.22", in_tree_ebs_volumes=["pv-1"])
    del facts["addons"]
    assert result_of("ebs-csi-driver", facts, "1.23")["status"] == FAIL


# --- step 4, Important: Fluentd before 1.24 ---------------------------------------------------------------

FLUENTD = {"amazon-cloudwatch/fluentd-cloudwatch": {
    "kind": "DaemonSet", "images": ["fluent/fluentd-kubernetes-daemonset:v1.16-debian-cloudwatch-1"]}}
FLUENT_BIT = {"amazon-cloudwatch/fluent-bit": {
    "kind": "DaemonSet", "images": ["public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0"]}}
FLUENTD_BY_IMAGE = {"logging/log-shipper": {"kind": "DaemonSet", "images": ["fluent/fluentd:v1.16-1"]}}


@pytest.mark.parametrize("current, target, workloads, status", [
    ("1.23", "1.24", FLUENTD, FAIL),
    ("1.23", "1.24", FLUENTD_BY_IMAGE, FAIL),
    ("1.22", "1.25", FLUENTD, FAIL),
    ("1.23", "1.24", FLUENT_BIT, PASS),
    ("1.23", "1.24", {}, PASS),
    ("1.24", "1.25", FLUENTD, PASS),       # already on containerd
    ("1.22", "1.23", FLUENTD, PASS),
])
def test_fluentd_container_insights(current, target, workloads, status):
    facts = make_facts(current)
    facts["workloads"].update(workloads)
    result = result_of("fluentd-container-insights", facts, target)
    assert result["status"] == status
    if status == FAIL:
        assert "Fluent Bit" in result["remediation"]
        assert next(iter(workloads)) in result["message"]


# --- step 4: VPC CNI 1.8.0 --------------------------------------------------------------------------------

@pytest.mark.parametrize("images, status", [
    ([CNI_IMAGE % "v1.7.5-eksbuild.1"], FAIL),
    ([CNI_IMAGE % "v1.7.10"], FAIL),
    ([CNI_IMAGE % "v1.8.0"], PASS),
    ([CNI_IMAGE % "v1.8.0-eksbuild.1"], PASS),
    ([CNI_IMAGE % "v1.18.5-eksbuild.1", NETPOL_IMAGE], PASS),
    # the CNI image pinned by digest, the network policy agent tagged v1.1.5: not mistaken for the CNI
    (["602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni@sha256:" + "a" * 64, NETPOL_IMAGE], WARN),
    ([CNI_IMAGE % "latest"], WARN),
    (["registry.local/mirror/vpc-cni:v1.7.5"], FAIL),          # renamed mirror: any tagged image counts
])
def test_vpc_cni_version(images, status):
    facts = make_facts("1.29")
    facts["workloads"]["kube-system/aws-node"]["images"] = images
    result = result_of("vpc-cni-version", facts, "1.30")
    assert result["status"] == status, result
    if status != PASS:
        assert "VPC CNI" in result["remediation"]


def test_vpc_cni_absent_passes():
    facts = make_facts("1.29")
    del facts["workloads"]["kube-system/aws-node"]
    facts["workloads"]["other/aws-node"] = {"kind": "DaemonSet", "images": [CNI_IMAGE % "v1.7.5"]}
    result = result_of("vpc-cni-version", facts, "1.30")
    assert result["status"] == PASS and "not found" in result["message"]


def test_workloads_missing_entirely():
    facts = make_facts("1.29")
    del facts["workloads"]
    found = by_id(run_checks(facts, "1.30"))
    for check_id in ("vpc-cni-version", "aws-load-balancer-controller", "fluentd-container-insights"):
        assert found[check_id]["status"] == PASS


# --- step 4: AWS Load Balancer Controller 2.4.7 before 1.25 ------------------------------------------------

@pytest.mark.parametrize("tag, current, target, status", [
    ("v2.4.1", "1.24", "1.25", FAIL),
    ("v2.4.1", "1.23", "1.26", FAIL),
    ("v2.4.7", "1.24", "1.25", PASS),
    ("v2.8.1", "1.24", "1.25", PASS),
    ("v2.4.1", "1.23", "1.24", PASS),      # not going to 1.25 yet
    ("v2.4.1", "1.25", "1.26", PASS),      # already past 1.25
    ("latest", "1.24", "1.25", WARN),
    ("latest", "1.23", "1.24", PASS),
])
def test_aws_load_balancer_controller(tag, current, target, status):
    facts = make_facts(current)
    facts["workloads"]["kube-system/aws-load-balancer-controller"] = {"kind": "Deployment",
                                                                      "images": [LBC_IMAGE % tag]}
    result = result_of("aws-load-balancer-controller", facts, target)
    assert result["status"] == status, result
    if status in (FAIL, WARN):
        assert "2.4.7" in result["remediation"]


def test_aws_load_balancer_controller_found_by_image_and_digest_only():
    facts = make_facts("1.24")
    digest_only = "public.ecr.aws/eks/aws-load-balancer-controller@sha256:" + "b" * 64
    facts["workloads"]["ingress/alb"] = {"kind": "Deployment", "images": [digest_only]}
    assert result_of("aws-load-balancer-controller", facts, "1.25")["status"] == WARN
    assert result_of("aws-load-balancer-controller", facts, "1.24")["status"] == PASS


def test_aws_load_balancer_controller_absent():
    result = result_of("aws-load-balancer-controller", make_facts("1.24"), "1.25")
    assert result["status"] == PASS and "not deployed" in result["message"]


# --- introduction: subnets and the cluster security group ---------------------------------------------------

@pytest.mark.parametrize("free, missing, status, fragment", [
    ([250, 250], [], PASS, "All 2 cluster subnets"),
    ([5], [], PASS, "at least 5"),
    ([5, 5, 5], [], PASS, "All 3"),
    ([4], [], FAIL, "subnet-0 (4 free)"),
    ([250, 3], [], FAIL, "subnet-1 (3 free)"),
    ([0], [], FAIL, "(0 free)"),
    ([250], ["subnet-gone"], FAIL, "no longer exist: subnet-gone"),
    ([3], ["subnet-gone"], FAIL, "subnet-gone"),
    ([], [], PASS, "All 0"),
])
def test_subnet_free_ips(free, missing, status, fragment):
    subnets = [{"id": "subnet-%d" % i, "available_ips": n, "az": "us-east-1a"} for i, n in enumerate(free)]
    result = result_of("subnet-free-ips", make_facts("1.29", subnets=subnets, missing_subnets=missing), "1.30")
    assert result["status"] == status
    assert fragment in result["message"]


def test_subnet_facts_absent_pass():
    facts = make_facts("1.29")
    del facts["subnets"], facts["missing_subnets"]
    assert result_of("subnet-free-ips", facts, "1.30")["status"] == PASS


@PROPERTY
@given(free=st.lists(st.integers(min_value=0, max_value=300), max_size=6))
def test_subnets_fail_exactly_when_one_has_fewer_than_five(free):
    subnets = [{"id": "subnet-%d" % i, "available_ips": n, "az": None} for i, n in enumerate(free)]
    result = result_of("subnet-free-ips", make_facts("1.29", subnets=subnets), "1.30")
    assert (result["status"] == FAIL) == any(n < 5 for n in free)


@pytest.mark.parametrize("group, status", [
    (security_group("sg-0c3", [ALL_FROM_SELF], [ALL_TO_ANYWHERE]), PASS),
    (security_group("sg-0c3", [], [], exists=False), FAIL),
    (None, PASS),
])
def test_cluster_security_group(group, status):
    result = result_of("cluster-security-group", make_facts("1.29", cluster_security_group=group), "1.30")
    assert result["status"] == status
    if group:
        assert "sg-0c3" in result["message"]


# --- security group rules (docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html) -----------------

def rules_result(inbound=(ALL_FROM_SELF,), outbound=(ALL_TO_ANYWHERE,), additional=(), **changes):
    group = security_group("sg-0c3", list(inbound), list(outbound))
    facts = make_facts("1.29", cluster_security_group=group, additional_security_groups=list(additional), **changes)
    result = result_of("security-group-rules", facts, "1.30")
    assert_shape(result)
    return result


SELF_RULE_MISSING = "inbound all traffic from sg-0c3 itself"
RESTORE_SELF_RULE = ("aws ec2 authorize-security-group-ingress --group-id sg-0c3 --ip-permissions "
                     "'IpProtocol=-1,UserIdGroupPairs=[{GroupId=sg-0c3}]'")


@pytest.mark.parametrize("inbound, additional, status", [
    ([ALL_FROM_SELF], [], PASS),                                    # EKS's default
    ([], [], FAIL),                                                 # default inbound rule deleted, nothing else
    ([rule("tcp", 443)], [], WARN),                                 # restricted to what nodes need: EKS re-adds it
    ([rule("tcp", (0, 65535))], [], WARN),
    ([rule("tcp", (400, 500))], [], WARN),
    ([rule("tcp", 444)], [], FAIL),                                 # the port next to it
    ([rule("udp", 443)], [], FAIL),                                 # the wrong protocol
    ([rule("all", None, "10.0.0.0/16")], [], WARN),                 # a range holding both cluster subnets
    ([rule("tcp", 443, "0.0.0.0/0")], [], WARN),
    ([rule("tcp", 443, "::/0")], [], WARN),
    ([rule("tcp", 443, "10.0.1.0/24")], [], FAIL),                  # holds one of the two subnets only
    ([rule("tcp", 443, "sg-0other")], [], FAIL),                    # another group: not where the nodes are
    ([rule("tcp", 443, "pl-0abc")], [], FAIL),                      # a prefix list: unknown content
    # An additional group is attached to the API server interfaces with the cluster group: its rules count.
    ([], [security_group("sg-0add", [rule("tcp", 443)], [])], WARN),
    ([], [security_group("sg-0add", [rule("tcp", 443)], [], exists=False)], FAIL),
    # An additional group without the rule is fine while the cluster group has it: AWS allows what any allows.
    ([ALL_FROM_SELF], [security_group("sg-0add", [], [])], PASS),
])
def test_security_group_inbound_rules(inbound, additional, status):
    result = rules_result(inbound=inbound, additional=additional)
    assert result["status"] == status
    if status == FAIL:
        assert SELF_RULE_MISSING in result["message"] and RESTORE_SELF_RULE in result["remediation"]
    if status == WARN:
        assert SELF_RULE_MISSING in result["message"] and "recreates" in result["message"]
        assert RESTORE_SELF_RULE in result["remediation"]


@pytest.mark.parametrize("outbound, additional_outbound, missing", [
    ([ALL_TO_ANYWHERE], [], []),
    ([rule("all", None)], [], []),                                  # all to the cluster group itself
    (MINIMUM_OUTBOUND, [], []),                                     # the documented minimum
    ([], MINIMUM_OUTBOUND, []),                                     # carried by an additional group
    ([rule("tcp", (0, 65535), "0.0.0.0/0")], [], [("udp", 53)]),   # DNS over UDP too
    ([r for r in MINIMUM_OUTBOUND if r["from_port"] != 10250], [], [("tcp", 10250)]),
    ([r for r in MINIMUM_OUTBOUND if r["from_port"] != 443], [], [("tcp", 443)]),
    ([rule("tcp", 443), rule("tcp", 10250)], [], [("tcp", 53), ("udp", 53)]),
    ([rule("tcp", 10250, "sg-0other")] + [r for r in MINIMUM_OUTBOUND if r["from_port"] != 10250], [],
     [("tcp", 10250)]),
    ([], [], [("tcp", 443), ("tcp", 10250), ("tcp", 53), ("udp", 53)]),
])
def test_security_group_outbound_rules(outbound, additional_outbound, missing):
    additional = [security_group("sg-0add", [], additional_outbound)] if additional_outbound else []
    result = rules_result(outbound=outbound, additional=additional)
    assert result["status"] == (FAIL if missing else PASS)
    for protocol, port in missing:
        assert "outbound %s %d to the nodes (sg-0c3)" % (protocol.upper(), port) in result["message"]
        assert ("aws ec2 authorize-security-group-egress --group-id sg-0c3 --ip-permissions "
                "'IpProtocol=%s,FromPort=%d,ToPort=%d,UserIdGroupPairs=[{GroupId=sg-0c3}]'"
                % (protocol, port, port)) in result["remediation"]
    assert result["message"].count("outbound") == len(missing) + (0 if missing else 1)


@PROPERTY
@given(self_rule=st.booleans(), https_in=st.booleans(),
       outbound=st.lists(st.sampled_from(range(len(MINIMUM_OUTBOUND))), unique=True))
def test_security_group_rules_fail_exactly_when_a_required_flow_is_missing(self_rule, https_in, outbound):
    inbound = ([ALL_FROM_SELF] if self_rule else []) + ([rule("tcp", 443)] if https_in else [])
    result = rules_result(inbound=inbound, outbound=[MINIMUM_OUTBOUND[i] for i in outbound])
    complete = (self_rule or https_in) and len(outbound) == len(MINIMUM_OUTBOUND)
    expected = FAIL if not complete else PASS if self_rule else WARN
    assert result["status"] == expected
    assert summarize([result])["blocked"] == (expected == FAIL)


def test_security_group_rules_read_no_subnet_range_without_subnet_cidrs():
    subnets = [{"id": "subnet-0a1", "available_ips": 250, "az": "us-east-1a"}]
    assert rules_result(inbound=[rule("tcp", 443, "10.0.0.0/8")], subnets=subnets)["status"] == FAIL
    assert rules_result(inbound=[rule("tcp", 443, "0.0.0.0/0")], subnets=subnets)["status"] == WARN


@pytest.mark.parametrize("group, fragment", [
    (None, "No cluster security group"),
    (security_group("sg-0c3", [], [], exists=False), "does not exist (check cluster-security-group)"),
])
def test_security_group_rules_leave_a_missing_group_to_its_own_check(group, fragment):
    facts = make_facts("1.29", cluster_security_group=group)
    result = result_of("security-group-rules", facts, "1.30")
    assert result["status"] == PASS and fragment in result["message"]


def test_security_group_rules_pass_names_the_groups_judged():
    result = rules_result(additional=[security_group("sg-0add", [], [])])
    assert "(sg-0c3, sg-0add)" in result["message"]

# --- upgrade insights -------------------------------------------------------------------------------------


def insight(name, status, reason=None, category="UPGRADE_READINESS", recommendation=None):
    return {"id": name.lower().replace(" ", "-"), "name": name, "category": category, "kubernetes_version": "1.30",
            "status": status, "reason": reason, "recommendation": recommendation, "last_refresh_time": None}


@pytest.mark.parametrize("insights, status, fragment", [
    ([insight("Kubelet version skew", "PASSING")], PASS, "1 upgrade insight(s)"),
    ([], PASS, "0 upgrade insight(s)"),
    ([insight("Deprecated APIs removed in Kubernetes v1.30", "WARNING")], WARN, "Deprecated APIs removed"),
    ([insight("EKS add-on version compatibility", "ERROR", "Add-on vpc-cni is incompatible"),
      insight("Kubelet version skew", "WARNING")], FAIL, "(Add-on vpc-cni is incompatible)"),
    ([insight("Cluster health issues", "ERROR")], FAIL, "Cluster health issues ()"),
    ([insight("Kubelet version skew", "UNKNOWN", "Insight could not be evaluated.",
              recommendation="Upgrade your worker nodes.")], WARN,
     "EKS could not evaluate (UNKNOWN): Kubelet version skew (UNKNOWN: Insight could not be evaluated; "
     "recommendation: Upgrade your worker nodes)."),
    ([insight("Kubelet version skew", "UNKNOWN"), insight("Cluster health issues", "PASSING")], WARN,
     "EKS could not evaluate (UNKNOWN): Kubelet version skew (UNKNOWN)."),
    ([insight("Cluster health issues", "ERROR"), insight("Kubelet version skew", "UNKNOWN")], FAIL,
     "Cluster health issues (). EKS could not evaluate (UNKNOWN): Kubelet version skew (UNKNOWN)."),
    ([insight("Deprecated APIs removed in Kubernetes v1.30", "WARNING"), insight("Kubelet version skew", "UNKNOWN")],
     WARN, "EKS upgrade insights warn: Deprecated APIs removed in Kubernetes v1.30. EKS could not evaluate"),
    (None, WARN, "could not be read"),
])
def test_upgrade_insights(insights, status, fragment):
    result = result_of("upgrade-insights", make_facts("1.29", insights=insights), "1.30")
    assert result["status"] == status
    assert fragment in result["message"]
    if insights is None:
        assert "eks:ListInsights" in result["remediation"]
    if any(i["status"] == "UNKNOWN" for i in insights or []):
        assert "An UNKNOWN insight is not a pass" in result["remediation"]
        assert "aws eks start-insights-refresh --cluster-name demo" in result["remediation"]


def test_stale_insights_name_those_eks_could_not_evaluate():
    facts = make_facts("1.29", insights=[insight("Kubelet version skew", "UNKNOWN")], insights_freshness=STALE)
    result = result_of("upgrade-insights", facts, "1.30")
    assert result["status"] == WARN
    assert "last refreshed 30.0 h ago" in result["message"]
    assert "EKS could not evaluate (UNKNOWN): Kubelet version skew (UNKNOWN)." in result["message"]
    assert "without --check" in result["remediation"] and "An UNKNOWN insight is not a pass" in result["remediation"]


# Configuration insights (MISCONFIGURATION): every status, alone and mixed; (found, status, message).
ROUTE = insight("Hybrid nodes: remote pod network", "ERROR", "Pod CIDR 10.80.0.0/16 is not routable.",
                category="MISCONFIGURATION",
                recommendation="Add 10.80.0.0/16 to remoteNetworkConfig.remotePodNetworks.")
WEBHOOK = insight("Hybrid nodes: webhooks", "WARNING", "A webhook runs on hybrid nodes.", category="MISCONFIGURATION",
                  recommendation="Run webhooks on cloud nodes.")
PROXY = insight("Hybrid nodes: kube-proxy", "UNKNOWN", "Not evaluated.", category="MISCONFIGURATION",
                recommendation="Check kube-proxy on hybrid nodes.")
CLEAN = insight("Hybrid nodes: node IAM role", "PASSING", "No issue.", category="MISCONFIGURATION")
ROUTE_LINE = ("Hybrid nodes: remote pod network (ERROR: Pod CIDR 10.80.0.0/16 is not routable; recommendation: "
              "Add 10.80.0.0/16 to remoteNetworkConfig.remotePodNetworks)")
WEBHOOK_LINE = ("Hybrid nodes: webhooks (WARNING: A webhook runs on hybrid nodes; recommendation: Run webhooks on "
                "cloud nodes)")
PROXY_LINE = ("Hybrid nodes: kube-proxy (UNKNOWN: Not evaluated; recommendation: Check kube-proxy on hybrid nodes)")


@pytest.mark.parametrize("found, status, message", [
    ([], PASS, "No configuration insight is reported for this cluster."),
    ([CLEAN], PASS, "1 configuration insight(s) passing."),
    ([ROUTE], FAIL, "EKS configuration insights report errors: %s." % ROUTE_LINE),
    ([WEBHOOK], WARN, "EKS configuration insights warn: %s." % WEBHOOK_LINE),
    ([PROXY], WARN, "EKS could not evaluate (UNKNOWN): %s." % PROXY_LINE),
    ([CLEAN, WEBHOOK, PROXY], WARN, "EKS configuration insights warn: %s. EKS could not evaluate (UNKNOWN): %s."
     % (WEBHOOK_LINE, PROXY_LINE)),
    ([ROUTE, WEBHOOK, PROXY, CLEAN], FAIL, "EKS configuration insights report errors: %s. They warn: %s. EKS could "
     "not evaluate (UNKNOWN): %s." % (ROUTE_LINE, WEBHOOK_LINE, PROXY_LINE)),
    (None, WARN, "Configuration insights could not be read."),
])
def test_configuration_insights(found, status, message):
    result = result_of("configuration-insights", make_facts("1.29", configuration_insights=found), "1.30")
    assert_shape(result)
    assert (result["status"], result["message"]) == (status, message)
    statuses = {i["status"] for i in found or []}
    assert ("describe-insight --cluster-name demo" in result["remediation"]) == bool(statuses & {"ERROR", "WARNING"})
    assert ("An UNKNOWN insight is not a pass" in result["remediation"]) == ("UNKNOWN" in statuses)


def test_configuration_insights_are_judged_whatever_the_hop():
    """They describe the cluster as it is: the same verdict on every path, a hop of one minor or of three."""
    for target in ("1.30", "1.32"):
        assert result_of("configuration-insights", make_facts("1.29", configuration_insights=[ROUTE]),
                         target)["status"] == FAIL


def test_rollback_and_configuration_insights_do_not_change_the_upgrade_verdict():
    facts = make_facts("1.29", configuration_insights=[WEBHOOK], rollback_insights=[
        insight("Kubelet version skew", "ERROR", category="ROLLBACK_READINESS")])
    assert result_of("upgrade-insights", facts, "1.30")["status"] == PASS


STALE = {"last_refresh_time": "2026-03-01T06:00:00+00:00", "age_hours": 30.0, "max_age_hours": 24.0, "stale": True,
         "refresh": "not_started_check_mode", "message": None}
DEPRECATED = [{"insight_id": "d1", "name": "Deprecated APIs removed in Kubernetes v1.30", "kubernetes_version": "1.30",
               "status": "WARNING", "reason": None, "recommendation": None,
               "objects": ["/apis/flowcontrol.apiserver.k8s.io/v1beta2/flowschemas/batch-jobs"],
               "deprecations": [{"usage": "/apis/flowcontrol.apiserver.k8s.io/v1beta2/flowschemas",
                                 "replaced_with": "/apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas",
                                 "stop_serving_version": "1.30", "start_serving_replacement_version": "1.26",
                                 "objects": ["/apis/flowcontrol.apiserver.k8s.io/v1beta2/flowschemas/batch-jobs"],
                                 "clients": []}]}]


@pytest.mark.parametrize("refresh, fragment, remedy", [
    ("not_started_check_mode", "check mode starts no refresh", "without --check"),
    ("failed", "the refresh failed", "aws eks start-insights-refresh --cluster-name demo"),
    ("timed_out", "the refresh did not finish in time", "aws eks start-insights-refresh --cluster-name demo"),
])
def test_stale_passing_insights_warn(refresh, fragment, remedy):
    facts = make_facts("1.29", insights_freshness=dict(STALE, refresh=refresh))
    result = result_of("upgrade-insights", facts, "1.30")
    assert_shape(result)
    assert result["status"] == WARN
    assert result["message"].startswith("Upgrade insights of cluster demo were last refreshed 30.0 h ago")
    assert fragment in result["message"]
    assert remedy in result["remediation"]


def test_stale_insights_with_errors_still_fail_and_say_they_are_stale():
    facts = make_facts("1.29", insights=[insight("Cluster health issues", "ERROR")], insights_freshness=STALE)
    result = result_of("upgrade-insights", facts, "1.30")
    assert result["status"] == FAIL
    assert "Cluster health issues ()" in result["message"] and "last refreshed 30.0 h ago" in result["message"]


def test_refreshed_insights_pass_and_say_so():
    fresh = dict(STALE, stale=False, refresh="completed", age_hours=0.0)
    result = result_of("upgrade-insights", make_facts("1.29", insights_freshness=fresh), "1.30")
    assert result["status"] == PASS
    assert result["message"] == "1 upgrade insight(s) passing (refreshed before the checks)."


def test_deprecated_apis_in_use_are_named_with_their_replacement():
    facts = make_facts("1.29", insights=[insight("Deprecated APIs removed in Kubernetes v1.30", "WARNING")],
                       deprecated_apis=DEPRECATED)
    result = result_of("upgrade-insights", facts, "1.30")
    assert result["status"] == WARN
    assert ("Deprecated APIs in use: /apis/flowcontrol.apiserver.k8s.io/v1beta2/flowschemas -> "
            "/apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas (no longer served from 1.30, 1 object(s))."
            ) in result["message"]
    assert "deprecated_apis" in result["remediation"]
    stale = result_of("upgrade-insights", dict(facts, insights_freshness=STALE), "1.30")
    assert stale["status"] == WARN
    assert "They warn: Deprecated APIs removed in Kubernetes v1.30." in stale["message"]
    assert "Deprecated APIs in use" in stale["message"] and "deprecated_apis" in stale["remediation"]


def test_insights_not_gathered_warns():
    facts = make_facts("1.29")
    del facts["insights"]
    assert result_of("upgrade-insights", facts, "1.30")["status"] == WARN


# --- step 9: kubectl --------------------------------------------------------------------------------------

@pytest.mark.parametrize("client, target, status", [
    ("v1.37.0", "1.30", WARN),
    ("v1.29.3", "1.30", PASS),
    ("v1.30.2", "1.30", PASS),
    ("v1.31.0", "1.30", PASS),
    ("v1.32.0", "1.30", WARN),
    ("v1.28.15", "1.30", WARN),
    ("v1.29.3-eks-ae9a62a", "1.30", PASS),
    (None, "1.30", WARN),
    ("", "1.30", WARN),
    ("v0.0.0-master+$Format:%H$", "1.30", WARN),    # a kubectl built from source
])
def test_kubectl_client(client, target, status):
    current = str(v(target) - 1)
    result = result_of("kubectl-client", make_facts(current, kubectl_client=client), target)
    assert result["status"] == status, result
    if status == WARN:
        assert target in result["remediation"]


def test_kubectl_missing_key_warns():
    facts = make_facts("1.29")
    del facts["kubectl_client"]
    result = result_of("kubectl-client", facts, "1.30")
    assert result["status"] == WARN and "not found" in result["message"]


@PROPERTY
@given(client=st.integers(min_value=20, max_value=40), target=st.integers(min_value=24, max_value=34))
def test_kubectl_warns_exactly_beyond_one_minor(client, target):
    facts = make_facts("1.%d" % (target - 1), kubectl_client="v1.%d.0" % client)
    result = result_of("kubectl-client", facts, "1.%d" % target)
    assert result["status"] == (PASS if abs(client - target) <= 1 else WARN)


# --- step 5: PodDisruptionBudgets -------------------------------------------------------------------------

def pdb(name, allowed, namespace="web"):
    return {"namespace": namespace, "name": name, "disruptions_allowed": allowed, "max_unavailable": None,
            "min_available": 1}


@pytest.mark.parametrize("pdbs, status, fragment", [
    ([], PASS, "No PodDisruptionBudget"),
    ([pdb("web", 1)], PASS, "No PodDisruptionBudget"),
    ([pdb("web", None)], PASS, "No PodDisruptionBudget"),      # no status yet
    ([pdb("web", 0), pdb("api", 2), pdb("db", 0, "data")], WARN, "web/web, data/db"),
])
def test_pdb_drain_blockers(pdbs, status, fragment):
    result = result_of("pdb-drain-blockers", make_facts("1.29", pdbs=pdbs), "1.30")
    assert result["status"] == status
    assert fragment in result["message"]
    if status == WARN:
        assert "web/api" not in result["message"]
        assert "PodEvictionFailure" in result["message"]


# --- step 5: custom AMIs with a launch template version (blockers consistent with the plan) -----------------

@pytest.mark.parametrize("current, group_version, minor, target, status", [
    ("1.29", "1.29", None, "1.31", FAIL),        # must be on 1.30 before 1.30 -> 1.31: nothing can move it
    ("1.29", "1.29", "1.30", "1.31", PASS),      # the plan moves it to 1.30 with its launch template version
    ("1.29", "1.29", "1.31", "1.31", FAIL),      # a version for 1.31 can't serve the hop from 1.30
    ("1.28", "1.28", "1.29", "1.30", PASS),
    ("1.29", "1.28", "1.29", "1.30", WARN),      # behind: updated to 1.29 first, then the hop
    ("1.29", "1.28", "1.30", "1.30", FAIL),      # behind, and its version is for 1.30: the first hop is refused
])
def test_custom_ami_blocker_goes_once_a_launch_template_version_serves_the_path(
        current, group_version, minor, target, status):
    group = nodegroup("custom", group_version, custom_ami=True)
    group["launch_template"] = {"name": "custom-nodes", "id": "lt-0abc", "version": "1"}
    facts = make_facts(current, nodegroups=[group], nodes=[node("ip-1", "managed", group_version, "custom")])
    if minor:
        facts["skew_input"]["nodegroups"][0]["launch_template_minor"] = minor
    result = result_of("control-plane-node-minor", facts, target, upgrade_nodegroups=True)
    assert result["status"] == status, result
    if status == WARN:
        assert "will be updated before the next hop" in result["message"]
    if status == FAIL:
        assert "custom AMI" in result["message"] and "launch template version" in result["remediation"]
    else:
        assert "custom AMI" not in result["message"]


# --- step 5: Karpenter and EKS Auto Mode ----------------------------------------------------------------------

def karpenter_facts(terms, budgets=None, nodes=None, version="1.29"):
    disruption = {"budgets": budgets} if budgets is not None else {}
    return make_facts(
        version,
        nodes=nodes if nodes is not None else [node("k-1", "karpenter", "1.29"), node("k-2", "karpenter", "1.29")],
        karpenter={"api_versions": {"karpenter.sh": "v1", "karpenter.k8s.aws": "v1"},
                   "nodepools": [{"name": "default", "node_class": "default", "node_class_group": "karpenter.k8s.aws",
                                  "node_class_kind": "EC2NodeClass", "budgets": disruption.get("budgets"),
                                  "consolidation_policy": None}],
                   "ec2nodeclasses": [{"name": "default", "ami_family": None, "ami_selector_terms": terms,
                                       "amis": [{"id": "ami-0aaa", "name": "amazon-eks-node-1.29-v20240807"}]}]},
        version_release_dates={"1.30": "2024-05-23T00:00:00+00:00"})


def with_pool(facts):
    for item in facts["nodes"]:
        item["nodepool"] = "default" if item["kind"] == "karpenter" else None
        item["do_not_disrupt"] = item["name"] == "k-kept"
    return facts


@pytest.mark.parametrize("terms, status, fragment", [
    ([{"alias": "al2023@latest"}], PASS, "select AMIs for 1.30 (default: alias al2023@latest"),
    ([{"alias": "al2023@v20240807"}], PASS, "AMI release v20240807"),
    ([{"alias": "al2023@v20240315"}], WARN, "default (NodePools default): alias al2023@v20240315: AMI release "
                                            "v20240315, older than Kubernetes 1.30 (EKS release 2024-05-23)"),
    ([{"id": "ami-0aaa"}], WARN, "AMI ami-0aaa, built for Kubernetes 1.29"),
    ([{"tags": {"team": "platform"}}], WARN, "AMIs tagged team=platform"),
])
def test_karpenter_ami_pinned(terms, status, fragment):
    result = result_of("karpenter-ami-pinned", with_pool(karpenter_facts(terms)), "1.30")
    assert_shape(result)
    assert result["status"] == status, result
    assert fragment in result["message"]
    if status == WARN:
        assert result["remediation"].startswith("Point amiSelectorTerms of EC2NodeClass default at AMIs built for "
                                                "Kubernetes 1.30")


@pytest.mark.parametrize("terms, budgets, nodes, status, fragments", [
    ([{"alias": "al2023@latest"}], None, None, PASS,
     ["Karpenter replaces 2 node(s) through drift (NodePool default: 2, budget 10%)"]),
    ([{"alias": "al2023@latest"}], [{"nodes": "0"}], None, WARN,
     ["replaces 0 node(s)", "Drift is blocked by a disruption budget of 0 nodes in NodePool(s) default (2 node(s))"]),
    ([{"alias": "al2023@latest"}], None, [node("k-1", "karpenter", "1.29"), node("k-kept", "karpenter", "1.29")], WARN,
     ["replaces 1 node(s)", "Node(s) k-kept carry karpenter.sh/do-not-disrupt"]),
    ([{"id": "ami-0aaa"}], None, None, WARN,
     ["2 node(s) of NodePool(s) default stay below 1.30: their EC2NodeClass does not select an AMI for it"]),
    ([{"alias": "al2023@latest"}], None, [node("k-1", "karpenter", "1.30")], PASS,
     ["Karpenter replaces 0 node(s) through drift."]),
])
def test_karpenter_drift(terms, budgets, nodes, status, fragments):
    facts = with_pool(karpenter_facts(terms, budgets, nodes, version="1.30" if nodes and nodes[0]["minor"] == "1.30"
                                      else "1.29"))
    result = result_of("karpenter-drift", facts, "1.30")
    assert_shape(result)
    assert result["status"] == status, result
    for fragment in fragments:
        assert fragment in result["message"]
    if budgets:
        assert "nodes above 0 for reason Drifted" in result["remediation"]


@pytest.mark.parametrize("check_id", ["karpenter-ami-pinned", "karpenter-drift"])
def test_without_karpenter_its_checks_pass(check_id):
    assert result_of(check_id, make_facts("1.29"), "1.30")["message"].startswith("Karpenter not found")
    empty = make_facts("1.29", karpenter={"api_versions": {}, "nodepools": [], "ec2nodeclasses": []})
    assert result_of(check_id, empty, "1.30")["status"] == PASS


def test_auto_mode_is_reported_as_information():
    facts = make_facts("1.29", nodegroups=[], nodes=[node("i-01", "auto", "1.29")])
    assert result_of("auto-mode", facts, "1.30")["message"] == "EKS Auto Mode is not enabled."
    facts["cluster"]["auto_mode"] = {"enabled": True, "node_pools": ["general-purpose", "system"]}
    result = result_of("auto-mode", facts, "1.30")
    assert_shape(result)
    assert result["status"] == PASS
    assert result["message"].startswith("EKS Auto Mode is enabled (NodePools general-purpose, system): EKS replaces "
                                        "its 1 node(s) with nodes on 1.30 itself")
    assert "No managed node group" in result["message"]


# --- the check functions directly ---------------------------------------------------------------------------

def test_check_functions_take_kube_minor_targets():
    facts = make_facts("1.29")
    assert checks.check_target_version(facts, v("1.30"))["status"] == PASS
    assert checks.check_node_minor(facts, v("1.30"), False)["status"] == PASS
    assert checks.check_kubelet_skew(facts, v("1.30"), False)["status"] == PASS


def test_run_checks_does_not_change_the_facts():
    facts = make_facts("1.22", in_tree_ebs_volumes=["pv-1"], corefile=COREFILE_UPSTREAM,
                       nodes=[node("sm", "self_managed", "1.20"), node("fg", "fargate", "1.21")])
    before = copy.deepcopy(facts)
    run_checks(facts, "1.24", upgrade_nodegroups=True, fix_coredns_upstream=True)
    assert facts == before


# --- properties over whole runs -----------------------------------------------------------------------------

@PROPERTY
@given(current=st.integers(min_value=21, max_value=33), hops=st.integers(min_value=-1, max_value=4),
       ng_lag=st.integers(min_value=0, max_value=3), fargate_lag=st.one_of(st.none(), st.integers(0, 2)),
       sm_lag=st.one_of(st.none(), st.integers(0, 4)), upgrade_nodegroups=st.booleans(),
       fix=st.booleans(), skip=st.sets(st.sampled_from(CHECK_ORDER), max_size=4))
def test_every_run_reports_each_check_once_in_order(current, hops, ng_lag, fargate_lag, sm_lag, upgrade_nodegroups,
                                                    fix, skip):
    version = "1.%d" % current
    nodes = [node("managed-1", "managed", "1.%d" % (current - ng_lag), "general")]
    if fargate_lag is not None:
        nodes.append(node("fargate-1", "fargate", "1.%d" % (current - fargate_lag)))
    if sm_lag is not None:
        nodes.append(node("self-1", "self_managed", "1.%d" % (current - sm_lag)))
    facts = make_facts(version, nodegroups=[nodegroup("general", "1.%d" % (current - ng_lag))], nodes=nodes,
                       in_tree_ebs_volumes=["pv-1"] if current < 23 else None, corefile=COREFILE_UPSTREAM)
    target = "1.%d" % (current + hops)
    results = run_checks(facts, target, upgrade_nodegroups=upgrade_nodegroups, fix_coredns_upstream=fix, skip=skip)
    assert [r["id"] for r in results] == CHECK_ORDER
    for result in results:
        assert_shape(result)
        assert (result["status"] == SKIPPED) == (result["id"] in skip)
    summary = summarize(results)
    assert sum(summary["counts"].values()) == len(CHECK_ORDER)
    assert summary["blocked"] == bool(summary["failed_checks"])
    if hops < 0 and "target-version" not in skip:
        assert "target-version" in summary["failed_checks"]
