"""The controller compatibility tables and their verdicts: each table's source and date, both sides of every range
boundary, the version to install first, the table's age, and the Cluster Autoscaler's ClusterRole rules."""
from __future__ import annotations

import datetime
import re

import pytest

from ansible_collections.lifecycle.eks.plugins.module_utils import controller_compat as compat
from ansible_collections.lifecycle.eks.plugins.module_utils import controller_table as table
from ansible_collections.lifecycle.eks.plugins.module_utils.checks import CHECK_STEPS, run_checks
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import parse_kube_version, parse_semver
from tests.unit.plugins.module_utils.test_checks import make_facts

KARPENTER, LBC, CA = table.KARPENTER, table.LOAD_BALANCER_CONTROLLER, table.CLUSTER_AUTOSCALER
RECORDED = datetime.date(2026, 12, 5)
KARPENTER_IMAGE = "public.ecr.aws/karpenter/controller:%s"
LBC_IMAGE = "public.ecr.aws/eks/aws-load-balancer-controller:%s"
CA_IMAGE = "registry.k8s.io/autoscaling/cluster-autoscaler:%s"


def k(text):
    return parse_kube_version(text)


def v(text):
    return parse_semver(text)


def deployment(*images, service_account="kube-system/default"):
    return {"kind": "Deployment", "images": list(images), "service_account": service_account}


def found(controller, version, workload="kube-system/x"):
    image = {KARPENTER: KARPENTER_IMAGE, LBC: LBC_IMAGE, CA: CA_IMAGE}[controller] % version
    return {"controller": controller, "workload": workload, "image": image, "version": version,
            "service_account": workload.split("/")[0] + "/default"}


# --- the tables: sources, dates, shape --------------------------------------------------------------------------

def test_every_row_names_its_source_and_the_day_it_was_recorded():
    assert {row.controller for row in table.TABLE} == {KARPENTER, LBC, CA}
    for row in table.TABLE:
        assert row.source.startswith("https://"), row
        assert row.source == table.SOURCES[row.controller][0]
        assert datetime.date.fromisoformat(row.recorded) == RECORDED, row
    assert table.KARPENTER_SOURCE.startswith("https://karpenter.sh/docs/upgrading/compatibility/")
    assert "aws-load-balancer-controller" in table.LOAD_BALANCER_CONTROLLER_SOURCE
    assert "supported-kubernetes-versions" in table.LOAD_BALANCER_CONTROLLER_SOURCE
    assert table.CLUSTER_AUTOSCALER_SOURCE.endswith("cluster-autoscaler#releases")
    assert datetime.date.fromisoformat(table.CLUSTER_AUTOSCALER_RULES_RECORDED) == RECORDED
    assert re.match(r"https://github\.com/kubernetes/autoscaler/blob/cluster-autoscaler-%s/",
                    table.CLUSTER_AUTOSCALER_MANIFEST)


@pytest.mark.parametrize("controller", [KARPENTER, LBC, CA])
def test_each_table_s_version_ranges_follow_one_another_without_overlap(controller):
    rows = [row for row in table.TABLE if row.controller == controller]
    for before, after in zip(rows, rows[1:]):
        # contiguous within a major; Karpenter went from 0.37 to 1.0.0
        assert before.versions_to == after.versions_from or (before.versions_to, after.versions_from) == (
            "0.38.0", "1.0.0"), (before, after)
    for row in rows:
        assert row.versions_to is None or v(row.versions_from) < v(row.versions_to)
        assert row.kubernetes_to is None or k(row.kubernetes_from) <= k(row.kubernetes_to)


# --- both sides of every boundary -----------------------------------------------------------------------------

# karpenter.sh's matrix: the first Karpenter release for each Kubernetes minor, and the last one before it.
KARPENTER_MATRIX = [("1.24", "0.21.0", "0.20.9"), ("1.25", "0.25.0", "0.24.9"), ("1.26", "0.28.0", "0.27.9"),
                    ("1.27", "0.28.0", "0.27.9"), ("1.28", "0.31.0", "0.30.9"), ("1.29", "0.34.0", "0.33.9"),
                    ("1.30", "0.37.0", "0.36.9"), ("1.31", "1.0.5", "1.0.4"), ("1.32", "1.2.0", "1.1.9"),
                    ("1.33", "1.5.0", "1.4.9"), ("1.34", "1.6.0", "1.5.9"), ("1.35", "1.9.0", "1.8.9"),
                    ("1.36", "1.13.0", "1.12.9")]


@pytest.mark.parametrize("minor,first,last_before", KARPENTER_MATRIX)
def test_karpenter_matrix_minimum_for_each_minor(minor, first, last_before):
    assert compat.supports(KARPENTER, v(first), k(minor))
    assert not compat.supports(KARPENTER, v(last_before), k(minor))


@pytest.mark.parametrize("row", [r for r in table.TABLE if r.controller == KARPENTER], ids=lambda r: r.versions_from)
def test_karpenter_rows_on_both_sides_of_their_kubernetes_range(row):
    major, minor, patch = v(row.versions_to)
    last = (major, minor, patch - 1) if patch else (major, minor - 1, 99)  # the last release before the next row
    for version in (v(row.versions_from), last):
        assert compat.supports(KARPENTER, version, k(row.kubernetes_from))
        assert compat.supports(KARPENTER, version, k(row.kubernetes_to))
        assert not compat.supports(KARPENTER, version, k(row.kubernetes_to) + 1)
        assert not compat.supports(KARPENTER, version, k(row.kubernetes_from) - 1)


@pytest.mark.parametrize("version,minor,supported", [
    # v2.0.0~v2.1.3: 1.15-1.21
    ("2.0.0", "1.15", True), ("2.0.0", "1.14", False), ("2.1.3", "1.21", True), ("2.1.3", "1.22", False),
    # v2.2.0~v2.3.1: 1.16-1.21
    ("2.2.0", "1.16", True), ("2.2.0", "1.15", False), ("2.3.1", "1.21", True), ("2.3.1", "1.22", False),
    # v2.4.0+: 1.19+
    ("2.4.0", "1.19", True), ("2.4.0", "1.18", False), ("2.4.9", "1.22", True), ("2.4.9", "1.36", True),
    # v2.5.0+: 1.22+ (no upper bound documented, v3 included)
    ("2.5.0", "1.22", True), ("2.5.0", "1.21", False), ("2.8.2", "1.33", True), ("3.5.0", "1.36", True),
])
def test_load_balancer_controller_ranges(version, minor, supported):
    assert compat.supports(LBC, v(version), k(minor)) is supported


@pytest.mark.parametrize("version,known", [("1.9.9", False), ("2.0.0", True), ("3.5.0", True)])
def test_load_balancer_controller_versions_the_table_knows(version, known):
    assert compat.known_version(LBC, v(version)) is known


@pytest.mark.parametrize("minor", [12, 29, 33, 36])
def test_a_cluster_autoscaler_release_serves_its_own_minor_only(minor):
    version = v("1.%d.4" % minor)
    assert compat.supports(CA, version, k("1.%d" % minor))
    assert not compat.supports(CA, version, k("1.%d" % (minor + 1)))
    assert not compat.supports(CA, version, k("1.%d" % (minor - 1)))
    assert not compat.supports(CA, v("1.%d.99" % (minor - 1)), k("1.%d" % minor))


@pytest.mark.parametrize("version,known", [("1.11.9", False), ("1.12.0", True), ("1.36.9", True), ("1.37.0", False)])
def test_cluster_autoscaler_releases_the_table_knows(version, known):
    assert compat.known_version(CA, v(version)) is known


@pytest.mark.parametrize("controller,minor,known", [
    (KARPENTER, "1.20", False), (KARPENTER, "1.21", True), (KARPENTER, "1.36", True), (KARPENTER, "1.37", False),
    (LBC, "1.14", False), (LBC, "1.15", True), (LBC, "1.40", True),
    (CA, "1.11", False), (CA, "1.12", True), (CA, "1.36", True), (CA, "1.37", False)])
def test_minors_each_table_speaks_of(controller, minor, known):
    assert compat.known_minor(controller, k(minor)) is known


# --- finding the controllers -----------------------------------------------------------------------------------

def test_controllers_are_found_by_image_repository_not_by_name():
    workloads = {
        "karpenter/karpenter": deployment(KARPENTER_IMAGE % "1.1.1@sha256:" + "a" * 64),
        "kube-system/karpenter": deployment("example.com/not-karpenter:1.0"),  # the name alone is not enough
        "ops/scaler": deployment("sidecar:1", "k8s.gcr.io/autoscaling/cluster-autoscaler:v1.29.4"),
        "kube-system/alb": deployment("602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon/"
                                      "aws-load-balancer-controller:v2.8.2"),
        "kube-system/mirror": deployment("registry.local:5000/karpenter/controller:v0.37.0"),
        "kube-system/ds": {"kind": "DaemonSet", "images": [CA_IMAGE % "v1.29.4"]},  # only Deployments
        "kube-system/ca-digest": deployment("registry.k8s.io/autoscaling/cluster-autoscaler@sha256:" + "b" * 64),
    }
    got = [(c["controller"], c["workload"], c["version"]) for c in compat.find_controllers(workloads)]
    assert got == [(LBC, "kube-system/alb", "v2.8.2"), (CA, "kube-system/ca-digest", None),
                   (CA, "ops/scaler", "v1.29.4"), (KARPENTER, "karpenter/karpenter", "1.1.1"),
                   (KARPENTER, "kube-system/mirror", "v0.37.0")]
    assert compat.find_controllers(None) == []


@pytest.mark.parametrize("image,repository", [
    ("public.ecr.aws/karpenter/controller:1.1.1", "public.ecr.aws/karpenter/controller"),
    ("registry:5000/a/b:v1@sha256:abc", "registry:5000/a/b"),
    ("cluster-autoscaler", "cluster-autoscaler")])
def test_image_repository(image, repository):
    assert compat.image_repository(image) == repository


# --- verdicts before a hop (Karpenter, AWS Load Balancer Controller) ---------------------------------------------

def test_karpenter_1_1_1_blocks_the_hop_to_1_32_naming_1_2_0():
    verdict = compat.judge(found(KARPENTER, "1.1.1", "karpenter/karpenter"), k("1.31"), k("1.32"))
    assert verdict["status"] == compat.FAIL
    assert verdict["install"] == [{"before_hop": "1.32", "version": "1.2.0"}]
    assert verdict["message"] == ("Karpenter 1.1.1 (karpenter/karpenter) does not support Kubernetes 1.32: it must "
                                  "move before the control plane, to 1.2.0 or later before the hop to 1.32.")
    assert verdict["remediation"] == "Install Karpenter 1.2.0 or later before the hop to 1.32."


def test_karpenter_1_2_0_passes_the_hop_to_1_32_and_1_32_only():
    assert compat.judge(found(KARPENTER, "1.2.0"), k("1.31"), k("1.32"))["status"] == compat.PASS
    assert compat.judge(found(KARPENTER, "1.4.9"), k("1.32"), k("1.33"))["status"] == compat.FAIL


def test_on_a_multi_hop_path_the_release_installed_first_goes_as_far_as_one_can():
    verdict = compat.judge(found(KARPENTER, "1.1.1"), k("1.31"), k("1.34"))
    # 1.6.0 is the lowest release supporting 1.31 (where it is installed) through 1.34
    assert verdict["install"] == [{"before_hop": "1.32", "version": "1.6.0"}]
    verdict = compat.judge(found(KARPENTER, "0.32.0"), k("1.24"), k("1.32"))
    # 0.32 supports up to 1.28; on 1.28, 1.2.0 is the lowest release reaching 1.32
    assert verdict["install"] == [{"before_hop": "1.29", "version": "1.2.0"}]
    verdict = compat.judge(found(KARPENTER, "0.24.0"), k("1.22"), k("1.32"))
    # no release supports both 1.24 and 1.31: 0.37.0 (1.23 to 1.30) before 1.25, then 1.2.0 before 1.31
    assert verdict["install"] == [{"before_hop": "1.25", "version": "0.37.0"},
                                  {"before_hop": "1.31", "version": "1.2.0"}]
    assert "to 0.37.0 or later before the hop to 1.25; 1.2.0 or later before the hop to 1.31" in verdict["message"]
    assert verdict["remediation"] == ("Install Karpenter 0.37.0 or later before the hop to 1.25. Install Karpenter "
                                      "1.2.0 or later before the hop to 1.31.")
    verdict = compat.judge(found(KARPENTER, "0.37.0"), k("1.30"), k("1.31"))
    assert verdict["install"] == [{"before_hop": "1.31", "version": "1.0.5"}]


def test_the_release_to_install_runs_on_the_minor_before_the_hop():
    verdict = compat.judge(found(KARPENTER, "0.24.0"), k("1.24"), k("1.26"))
    # 0.25.x would only reach 1.25; 0.28.x runs on 1.24 and reaches 1.26: one move, not two
    assert verdict["install"] == [{"before_hop": "1.25", "version": "0.28.0"}]
    verdict = compat.judge(found(LBC, "v2.3.1"), k("1.21"), k("1.23"))
    assert verdict["install"] == [{"before_hop": "1.22", "version": "2.4.0"}]


def test_a_version_the_table_does_not_know_warns():
    for tag in ("1.15.0", "0.20.0"):
        verdict = compat.judge(found(KARPENTER, tag), k("1.31"), k("1.32"))
        assert verdict["status"] == compat.WARN
        assert "version unknown, the table of Karpenter does not list it" in verdict["message"]
        assert table.KARPENTER_SOURCE in verdict["remediation"]
    verdict = compat.judge(dict(found(LBC, "latest"), version="latest"), k("1.31"), k("1.32"))
    assert verdict["status"] == compat.WARN and "its image tag is not a version" in verdict["message"]
    verdict = compat.judge(dict(found(CA, "x"), version=None), k("1.31"), k("1.32"))
    assert verdict["status"] == compat.WARN


def test_a_minor_beyond_the_table_warns():
    verdict = compat.judge(found(KARPENTER, "1.14.0"), k("1.36"), k("1.37"))
    assert verdict["status"] == compat.WARN
    assert "the table has no entry for Kubernetes 1.37" in verdict["message"]
    assert "Check that Karpenter 1.14.0 supports Kubernetes 1.37" in verdict["remediation"]


def test_a_controller_unsupported_on_the_current_minor_warns_without_a_hop():
    verdict = compat.judge(found(LBC, "v2.3.1"), k("1.24"), k("1.24"))
    assert verdict["status"] == compat.WARN
    assert "it does not support the control plane's 1.24 already" in verdict["message"]


# --- verdicts after a hop (Cluster Autoscaler) -------------------------------------------------------------------

def test_cluster_autoscaler_follows_the_control_plane():
    one_hop = compat.judge(found(CA, "v1.29.4", "kube-system/cluster-autoscaler"), k("1.29"), k("1.30"))
    assert one_hop["status"] == compat.PASS
    assert "it matches 1.29, and must run 1.30.x after the hop" in one_hop["message"]
    assert "post_upgrade role sets its image to a 1.30.x release" in one_hop["remediation"]
    two_hops = compat.judge(found(CA, "v1.29.4", "kube-system/cluster-autoscaler"), k("1.29"), k("1.31"))
    assert two_hops["status"] == compat.WARN
    assert "between the hops it runs on 1.30" in two_hops["message"]
    behind = compat.judge(found(CA, "v1.28.5", "kube-system/cluster-autoscaler"), k("1.29"), k("1.30"))
    assert behind["status"] == compat.WARN
    assert "built for Kubernetes 1.28, not for the control plane's 1.29" in behind["message"]
    elsewhere = compat.judge(found(CA, "v1.29.4", "ops/scaler"), k("1.29"), k("1.30"))
    assert elsewhere["status"] == compat.WARN
    assert "set the image of ops/scaler to a 1.30.x release" in elsewhere["remediation"]
    beyond = compat.judge(found(CA, "v1.36.0", "kube-system/cluster-autoscaler"), k("1.36"), k("1.37"))
    assert beyond["status"] == compat.WARN and "no Cluster Autoscaler release for Kubernetes 1.37" in beyond["message"]
    assert compat.judge(found(CA, "v1.29.4", "kube-system/cluster-autoscaler"), k("1.29"), k("1.29"))["status"] == \
        compat.PASS


def test_compatibility_verdict_is_the_worst_of_its_controllers():
    workloads = {"karpenter/karpenter": deployment(KARPENTER_IMAGE % "1.1.1"),
                 "kube-system/cluster-autoscaler": deployment(CA_IMAGE % "v1.31.2")}
    status, message, remediation = compat.check_compatibility(make_facts("1.31", workloads=workloads), k("1.32"))
    assert status == compat.FAIL
    assert message.startswith("Karpenter 1.1.1 (karpenter/karpenter) does not support Kubernetes 1.32")
    assert "Cluster Autoscaler" not in message  # passing controllers are not listed next to a failure
    assert remediation == "Install Karpenter 1.2.0 or later before the hop to 1.32."
    assert compat.compatibility_verdict([])[0] == compat.PASS


# --- the table's age -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("max_age,days,status", [(180, 180, compat.PASS), (180, 181, compat.WARN),
                                                 (0, 0, compat.PASS), (0, 1, compat.WARN), (30, -5, compat.PASS)])
def test_table_age_on_both_sides_of_the_limit(max_age, days, status):
    today = RECORDED + datetime.timedelta(days=days)
    got, message, remediation = compat.table_age_verdict([KARPENTER], today, max_age)
    assert got == status
    assert table.KARPENTER_SOURCE in message and "recorded 2026-12-05, %d day(s) ago" % days in message
    if status == compat.WARN:
        assert message.startswith("Older than %d day(s) on %s: Karpenter compatibility table." % (
            max_age, today.isoformat()))
        assert "controller_table.py" in remediation and "compatibility_table_max_age" in remediation


def test_table_age_covers_the_tables_of_the_controllers_found():
    _status, message, _fix = compat.table_age_verdict([CA, LBC], RECORDED, 180)
    assert "AWS Load Balancer Controller compatibility table" in message
    assert "Cluster Autoscaler ClusterRole rules" in message and "Karpenter" not in message
    assert compat.table_age_verdict([], None, 180)[0] == compat.PASS


def test_table_age_check_reads_the_planning_day_from_the_facts():
    workloads = {"karpenter/karpenter": deployment(KARPENTER_IMAGE % "1.2.0")}
    late = make_facts("1.31", workloads=workloads, controller_table={"today": "2027-06-04", "max_age_days": 180})
    assert compat.check_table_age(late)[0] == compat.WARN
    fresh = dict(late, controller_table={"today": "2027-06-03", "max_age_days": 180})
    assert compat.check_table_age(fresh)[0] == compat.PASS
    assert compat.check_table_age(dict(late, controller_table=None))[0] == compat.WARN


# --- the Cluster Autoscaler's ClusterRole ----------------------------------------------------------------------

def rbac(*rules, name="cluster-autoscaler"):
    return [{"workload": "kube-system/cluster-autoscaler", "service_account": "kube-system/cluster-autoscaler",
             "cluster_roles": [{"name": name, "rules": list(rules)}], "missing_roles": []}]


def test_release_rules_per_minor():
    assert compat.autoscaler_rules(k("1.22")) is None
    assert compat.autoscaler_rules(k("1.37")) is None
    rules_132, tag = compat.autoscaler_rules(k("1.32"))
    assert tag == "1.32.0" and compat.autoscaler_rules(k("1.23"))[0] == rules_132
    rules_133, _tag = compat.autoscaler_rules(k("1.33"))
    assert compat.missing_rules(rules_133, rules_132) == ["storage.k8s.io volumeattachments: get, list, watch"]
    rules_136, _tag = compat.autoscaler_rules(k("1.36"))
    assert compat.missing_rules(rules_136, rules_133) == [
        "resource.k8s.io deviceclasses: get, list, watch", "resource.k8s.io resourceclaims: get, list, watch",
        "resource.k8s.io resourceslices: get, list, watch"]


@pytest.mark.parametrize("granted,missing", [
    ([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}], []),
    ([{"apiGroups": [""], "resources": ["endpoints"], "verbs": ["get", "update"]}], []),  # all names
    ([{"apiGroups": [""], "resources": ["endpoints"], "resourceNames": ["other"], "verbs": ["get", "update"]}],
     ["core endpoints (cluster-autoscaler): get, update"]),
    ([{"apiGroups": [""], "resources": ["endpoints"], "resourceNames": ["cluster-autoscaler"], "verbs": ["get"]}],
     ["core endpoints (cluster-autoscaler): update"]),
])
def test_missing_rules_follow_rbac_matching(granted, missing):
    required = [{"apiGroups": [""], "resources": ["endpoints"], "resourceNames": ["cluster-autoscaler"],
                 "verbs": ["get", "update"]}]
    assert compat.missing_rules(required, granted) == missing


def test_a_rule_without_names_is_not_granted_by_a_named_one():
    required = [{"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["create"]}]
    granted = [{"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "resourceNames": ["cluster-autoscaler"],
                "verbs": ["create"]}]
    assert compat.missing_rules(required, granted) == ["coordination.k8s.io leases: create"]


def test_autoscaler_rbac_verdicts():
    rules_132, _tag = compat.autoscaler_rules(k("1.32"))
    status, message, remediation = compat.autoscaler_rbac_verdict(rbac(*rules_132), k("1.33"))
    assert status == compat.WARN
    assert message == ("kube-system/cluster-autoscaler (service account kube-system/cluster-autoscaler): ClusterRole "
                       "cluster-autoscaler lacks what Cluster Autoscaler 1.33.0 needs: storage.k8s.io "
                       "volumeattachments: get, list, watch.")
    assert remediation.startswith("Add to ClusterRole cluster-autoscaler: storage.k8s.io volumeattachments")
    assert table.CLUSTER_AUTOSCALER_MANIFEST % "1.33.0" in remediation
    assert compat.autoscaler_rbac_verdict(rbac(*rules_132), k("1.32"))[0] == compat.PASS
    assert compat.autoscaler_rbac_verdict(rbac(*rules_132), k("1.22"))[0] == compat.WARN
    unbound = [dict(rbac()[0], cluster_roles=[], missing_roles=["gone"])]
    status, message, _fix = compat.autoscaler_rbac_verdict(unbound, k("1.30"))
    assert status == compat.WARN
    assert "no ClusterRole is bound to its service account (bound but missing: gone)" in message
    assert compat.autoscaler_rbac_verdict([], k("1.30"))[0] == compat.PASS
    assert compat.autoscaler_rbac_verdict(None, k("1.30"))[0] == compat.PASS


def test_the_checks_run_in_the_procedure_s_list():
    for check_id in ("controller-compatibility", "controller-table-age", "cluster-autoscaler-rbac"):
        assert CHECK_STEPS[check_id]
    workloads = {"karpenter/karpenter": deployment(KARPENTER_IMAGE % "1.1.1")}
    facts = make_facts("1.31", workloads=workloads, controller_table={"today": "2026-12-05", "max_age_days": 180})
    results = {r["id"]: r for r in run_checks(facts, "1.32")}
    assert results["controller-compatibility"]["status"] == "fail"
    assert results["controller-table-age"]["status"] == "pass"
    assert results["cluster-autoscaler-rbac"]["status"] == "pass"
    skipped = {r["id"]: r for r in run_checks(facts, "1.32", skip={"controller-compatibility"})}
    assert skipped["controller-compatibility"]["status"] == "skipped"
