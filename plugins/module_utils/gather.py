# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Gather one cluster's upgrade facts from EKS, EC2 and the Kubernetes API, concurrently.

One DescribeCluster first (everything else needs its version, subnets and endpoint), then every read,
declared as a Job (its name, the jobs it needs, the call: ``_jobs``), run by one small executor
(``run_jobs``): each read starts as soon as what it needs is there (the Kubernetes reads wait for the
client), all at once on a small thread pool. Reads that only matter for some paths (PSP below 1.25,
in-tree EBS volumes when the path crosses 1.23, Karpenter's resources when its API groups are served)
are skipped otherwise, so a cluster costs a handful of round trips, not one per node.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import concurrent.futures
import datetime
import threading
from collections import namedtuple

from ansible_collections.lifecycle.eks.plugins.module_utils import addons, gpu, gpu_kube, insights
from ansible_collections.lifecycle.eks.plugins.module_utils.aws import (
    INSIGHTS_REFRESH_IN_PROGRESS,
    InsightsRefreshTimeout,
    wait_for_insights_refresh,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.cluster_settings import settings_left_alone
from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError, json_friendly
from ansible_collections.lifecycle.eks.plugins.module_utils.controller_compat import find_controllers
from ansible_collections.lifecycle.eks.plugins.module_utils.controller_table import CLUSTER_AUTOSCALER, KARPENTER
from ansible_collections.lifecycle.eks.plugins.module_utils.kube import (
    KubeApis,
    k8s_call,
    kube_client,
    not_found_is_none,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.node_provisioners import (
    KARPENTER_AWS_GROUP,
    KARPENTER_GROUP,
    needs_release_dates,
    summarize_ec2nodeclass,
    summarize_nodepool,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import parse_kube_version

# eks.amazonaws.com/compute-type: fargate, auto (EKS Auto Mode) or hybrid (EKS Hybrid Nodes)
FARGATE_LABEL = "eks.amazonaws.com/compute-type"
NODEGROUP_LABEL = "eks.amazonaws.com/nodegroup"
NODEPOOL_LABEL = "karpenter.sh/nodepool"
DO_NOT_DISRUPT = "karpenter.sh/do-not-disrupt"
MAX_WORKERS = 8

# What each consumer needs. "skew" is eks_version_skew_facts; "preflight" adds the procedure's checks.
SKEW_PARTS = frozenset(("nodegroups", "nodes", "addons", "provisioners"))
PREFLIGHT_PARTS = frozenset(("nodegroups", "nodes", "addon_names", "addon_compatibility", "workloads", "corefile",
                             "psp", "ebs_volumes", "pdbs", "subnets", "security_group", "insights", "known_versions",
                             "provisioners", "autoscaler_rbac", "gpu"))


def classify_node(node):
    """(kind, name, kubelet, nodegroup, nodepool, OS image) of a Kubernetes Node as the official client returns it.

    Kinds: fargate, managed (a managed node group's), auto (EKS Auto Mode), hybrid (EKS Hybrid Nodes: an
    on-premises machine upgraded with nodeadm), karpenter (launched by Karpenter for a NodePool),
    self_managed (anything else).
    """
    labels = node.metadata.labels or {}
    if labels.get(FARGATE_LABEL) == "fargate":
        kind = "fargate"
    elif NODEGROUP_LABEL in labels:
        kind = "managed"
    elif labels.get(FARGATE_LABEL) in ("auto", "hybrid"):
        kind = labels[FARGATE_LABEL]
    elif NODEPOOL_LABEL in labels:
        kind = "karpenter"
    else:
        kind = "self_managed"
    return {"name": node.metadata.name, "kind": kind, "kubelet": node.status.node_info.kubelet_version,
            "minor": str(parse_kube_version(node.status.node_info.kubelet_version)),
            "nodegroup": labels.get(NODEGROUP_LABEL), "nodepool": labels.get(NODEPOOL_LABEL),
            "do_not_disrupt": (node.metadata.annotations or {}).get(DO_NOT_DISRUPT) == "true",
            "gpu": gpu.is_gpu_node(labels, gpu.resource_count((node.status.capacity or {}).get(gpu.GPU_RESOURCE))),
            "os_image": node.status.node_info.os_image}


def summarize_nodegroup(nodegroup):
    launch_template = nodegroup.get("launchTemplate")
    return {"name": nodegroup["nodegroupName"], "version": nodegroup.get("version"),
            "release_version": nodegroup.get("releaseVersion"), "status": nodegroup.get("status"),
            "ami_type": nodegroup.get("amiType"), "custom_ami": nodegroup.get("amiType") == "CUSTOM",
            "launch_template": launch_template, "instance_types": nodegroup.get("instanceTypes") or [],
            "desired_size": (nodegroup.get("scalingConfig") or {}).get("desiredSize"),
            "labels": nodegroup.get("labels") or {}, "taints": nodegroup.get("taints") or [],
            "update_config": nodegroup.get("updateConfig") or {},
            "health_issues": (nodegroup.get("health") or {}).get("issues") or []}


def skew_input(facts):
    """The planner's ClusterState.from_dict input from gathered facts."""
    return {
        "control_plane": facts["cluster"]["version"],
        "nodegroups": [{"name": ng["name"], "version": ng["version"], "status": ng["status"],
                        "custom_ami": ng["custom_ami"]} for ng in facts["nodegroups"]],
        "fargate_kubelets": [{"name": n["name"], "kubelet": n["kubelet"]} for n in facts["nodes"]
                             if n["kind"] == "fargate"],
        "self_managed_kubelets": [{"name": n["name"], "kubelet": n["kubelet"]} for n in facts["nodes"]
                                  if n["kind"] == "self_managed"],
        "karpenter_kubelets": [{"name": n["name"], "kubelet": n["kubelet"]} for n in facts["nodes"]
                               if n["kind"] == "karpenter"],
        "hybrid_kubelets": [{"name": n["name"], "kubelet": n["kubelet"]} for n in facts["nodes"]
                            if n["kind"] == "hybrid"],
    }


def _workloads(apps):
    found = {}
    for kind, lister in (("Deployment", apps.list_deployment_for_all_namespaces),
                         ("DaemonSet", apps.list_daemon_set_for_all_namespaces)):
        for item in k8s_call("list %ss" % kind, lister).items:
            key = "%s/%s" % (item.metadata.namespace, item.metadata.name)
            pod = item.spec.template.spec
            found[key] = {"kind": kind, "images": [c.image for c in pod.containers],
                          "service_account": "%s/%s" % (item.metadata.namespace, pod.service_account_name or "default")}
            plugin = gpu_kube.device_plugin_entry(item) if kind == "DaemonSet" else None
            if plugin is not None:  # where it runs matters (check gpu-device-plugin-scheduling)
                found[key]["scheduling"] = plugin["scheduling"]
    return found


def _gpu(node_items, nodegroups, workloads):
    plugins = [{"name": key, "scheduling": w["scheduling"]} for key, w in sorted(workloads.items())
               if "scheduling" in w]
    return gpu.scheduling_facts([gpu_kube.node_view(n) for n in node_items], nodegroups, plugins)


def _psp_present(apis):
    """True/False for eks.privileged; None when the API no longer serves PodSecurityPolicy."""
    obj = not_found_is_none("read PodSecurityPolicy eks.privileged", apis.custom.get_cluster_custom_object,
                            "policy", "v1beta1", "podsecuritypolicies", "eks.privileged")
    return obj is not None


def _in_tree_ebs_volumes(core):
    volumes = k8s_call("list persistent volumes", core.list_persistent_volume).items
    return [v.metadata.name for v in volumes if v.spec.aws_elastic_block_store is not None]


def _pdbs(policy):
    items = k8s_call("list PodDisruptionBudgets", policy.list_pod_disruption_budget_for_all_namespaces).items
    return [{"namespace": p.metadata.namespace, "name": p.metadata.name,
             "disruptions_allowed": p.status.disruptions_allowed if p.status else None,
             "max_unavailable": p.spec.max_unavailable, "min_available": p.spec.min_available} for p in items]


def _subnets(clients, subnet_ids):
    try:
        found = clients.describe_subnets(subnet_ids)
    except ModuleError as exc:
        if exc.error_code != "InvalidSubnetID.NotFound":
            raise
        found = []
        for subnet_id in subnet_ids:  # find which ones are gone
            try:
                found.extend(clients.describe_subnets([subnet_id]))
            except ModuleError as single:
                if single.error_code != "InvalidSubnetID.NotFound":
                    raise
    return _subnet_facts(subnet_ids, {s["SubnetId"]: s for s in found})


def _subnet_facts(subnet_ids, present):
    """(the subnets found, with their free addresses; the ids not found)"""
    return ([{"id": i, "available_ips": present[i]["AvailableIpAddressCount"], "az": present[i].get("AvailabilityZone"),
              "cidr": present[i].get("CidrBlock")}
             for i in subnet_ids if i in present], [i for i in subnet_ids if i not in present])


def _security_groups(clients, group_ids):
    """The cluster's security groups in one DescribeSecurityGroups call, by id (a missing one is absent)."""
    try:
        found = clients.describe_security_groups(group_ids)
    except ModuleError as exc:
        if exc.error_code != "InvalidGroup.NotFound":
            raise
        # One missing id fails the whole call: of several, ask for each alone to find which are gone.
        found = [] if len(group_ids) == 1 else [g for i in group_ids for g in _security_groups(clients, [i]).values()]
    return {g["GroupId"]: g for g in found}


PROTOCOL_NAMES = {"-1": "all", "6": "tcp", "17": "udp"}


def _rules(permissions):
    """IpPermissions(Egress) as one rule per source or destination (a group id, a CIDR or a prefix list id)."""
    rules = []
    for permission in permissions or []:
        protocol = str(permission.get("IpProtocol", "")).lower()
        protocol = PROTOCOL_NAMES.get(protocol, protocol)
        # All protocols carry no ports; every port is 0-65535, as for a TCP rule open on all of them.
        low, high = (0, 65535) if protocol == "all" else (permission.get("FromPort"), permission.get("ToPort"))
        peers = ([pair["GroupId"] for pair in permission.get("UserIdGroupPairs") or []]
                 + [r["CidrIp"] for r in permission.get("IpRanges") or []]
                 + [r["CidrIpv6"] for r in permission.get("Ipv6Ranges") or []]
                 + [p["PrefixListId"] for p in permission.get("PrefixListIds") or []])
        rules.extend({"protocol": protocol, "from_port": low, "to_port": high, "peer": peer} for peer in peers)
    return rules


def _security_group_facts(cluster_group_id, additional_ids, present):
    """(the cluster security group, the additional ones): whether each exists, and its rules."""
    def summary(group_id):
        group = present.get(group_id)
        return {"id": group_id, "exists": group is not None,
                "inbound": _rules((group or {}).get("IpPermissions")),
                "outbound": _rules((group or {}).get("IpPermissionsEgress"))}
    return (summary(cluster_group_id) if cluster_group_id else None), [summary(i) for i in additional_ids]


def _cluster_group_ids(vpc):
    """(the cluster security group id, the additional ones): securityGroupIds may list the cluster's own."""
    cluster_group_id = vpc.get("clusterSecurityGroupId")
    return cluster_group_id, [i for i in vpc.get("securityGroupIds") or [] if i != cluster_group_id]


def _read_security_groups(clients, cluster_group_id, additional_ids):
    ids = ([cluster_group_id] if cluster_group_id else []) + additional_ids
    return _security_group_facts(cluster_group_id, additional_ids, _security_groups(clients, ids) if ids else {})


def _summary_fact(summary, detail=None):
    """An insight as the report shows it; ``detail`` (its DescribeInsight, when read) gives the recommendation."""
    status = summary.get("insightStatus") or {}
    return {"id": summary["id"], "name": summary["name"], "category": insights.category(summary),
            "kubernetes_version": summary.get("kubernetesVersion"), "status": status.get("status"),
            "reason": status.get("reason"), "recommendation": (detail or {}).get("recommendation"),
            "last_refresh_time": summary.get("lastRefreshTime")}


def _refresh_insights(clients, name, state, policy):
    """Start an insights refresh and wait for it; the freshness record after it (and summaries when re-read)."""
    if not policy.get("may_refresh"):
        return insights.after_refresh(state, insights.NOT_STARTED_CHECK_MODE), None
    try:
        started = clients.start_insights_refresh(name)
        refresh = started
        if started.get("status") == INSIGHTS_REFRESH_IN_PROGRESS:
            refresh = wait_for_insights_refresh(clients, name, timeout=policy["timeout"],
                                                min_delay=policy["min_delay"], max_delay=policy["max_delay"])
    except InsightsRefreshTimeout as exc:
        return insights.after_refresh(state, insights.TIMED_OUT, exc.message), None
    except ModuleError as exc:
        # The refresh only makes the insights more trustworthy: without it they are reported as stale.
        return insights.after_refresh(state, insights.FAILED, exc.message), None
    if refresh.get("status") != "COMPLETED":
        return insights.after_refresh(state, insights.FAILED, refresh.get("message") or refresh.get("status")), None
    summaries = clients.list_insights(name)
    return insights.after_refresh(state, insights.COMPLETED, refresh.get("message"), summaries), summaries


def _insights(clients, name, versions, policy):
    """The cluster's insights of every category (one ListInsights, unfiltered), refreshed first when stale.

    Returns {"insights": upgrade insights of the versions on the path, "configuration_insights",
    "rollback_insights", "freshness", "deprecated_apis", "addon_insights"}; nothing is read when there is no hop.
    Only insights whose objects, recommendation or add-on versions the report needs are described (DescribeInsight):
    deprecated APIs in use, insights EKS could not evaluate (UNKNOWN), configuration insights that are not passing,
    add-on compatibility insights that found an incompatible add-on.
    """
    if not versions:
        return {"insights": [], "configuration_insights": [], "rollback_insights": [], "freshness": None,
                "deprecated_apis": [], "addon_insights": []}
    summaries = clients.list_insights(name)
    state = insights.freshness(summaries, policy["max_age"], policy["now"]()) if policy["check_age"] else None
    if state and state["stale"]:
        state, refreshed = _refresh_insights(clients, name, state, policy)
        summaries = refreshed if refreshed is not None else summaries
    found = insights.by_category(summaries, versions)
    judged = found[insights.UPGRADE_READINESS] + found[insights.MISCONFIGURATION]
    details = {s["id"]: clients.describe_insight(name, s["id"]) for s in judged
               if insights.needs_detail(s) or insights.needs_recommendation(s) or insights.needs_addon_detail(s)}
    deprecated = [insights.deprecated_api_entry(details[s["id"]]) for s in found[insights.UPGRADE_READINESS]
                  if insights.needs_detail(s)]

    def facts(kind):
        return [_summary_fact(s, details.get(s["id"])) for s in found[kind]]

    return {"insights": facts(insights.UPGRADE_READINESS), "configuration_insights": facts(insights.MISCONFIGURATION),
            "rollback_insights": facts(insights.ROLLBACK_READINESS), "freshness": state, "deprecated_apis": deprecated,
            "addon_insights": [insights.addon_compatibility_entry(details[s["id"]])
                               for s in found[insights.UPGRADE_READINESS] if insights.needs_addon_detail(s)]}


def insight_policy(max_age="24h", may_refresh=False, timeout=600, min_delay=5.0, max_delay=30.0, check_age=True,
                   now=None):
    """How _insights treats insights older than ``max_age``: refresh them (never in check mode) within
    ``timeout`` seconds. ``check_age=False`` (the upgrade-insights check is skipped) ignores their age."""
    return {"max_age": insights.parse_max_age(max_age), "may_refresh": may_refresh, "check_age": check_age,
            "timeout": timeout, "min_delay": min_delay, "max_delay": max(max_delay, min_delay),
            "now": now or (lambda: datetime.datetime.now(datetime.timezone.utc))}


# The DescribeClusterVersions fields the support calendar reads (support.calendar_from_rows).
CALENDAR_FIELDS = ("clusterVersion", "clusterType", "releaseDate", "endOfStandardSupportDate",
                   "endOfExtendedSupportDate", "versionStatus")


def _known_versions(clients):
    """(versionStatus and releaseDate per version, the support calendar rows) from one DescribeClusterVersions."""
    versions = clients.describe_cluster_versions(include_all=True)
    return ({v["clusterVersion"]: v.get("versionStatus") for v in versions},
            {v["clusterVersion"]: v.get("releaseDate") for v in versions},
            [{key: v.get(key) for key in CALENDAR_FIELDS} for v in versions])


class RegionReads:
    """Reads a fleet's clusters in one region share: made once (or in one batch) for all of them.

    DescribeClusterVersions answers the same for every cluster; the subnets and security groups of all
    clusters are read in batched, filtered calls (``prefetch``) instead of one call per cluster.
    Thread-safe: the clusters of a fleet are gathered concurrently.
    """

    def __init__(self, clients, addon_step=False):
        self._clients = clients
        self._lock = threading.Lock()
        self._versions = None
        self._subnets = None
        self._groups = None
        self._addon_catalog = {}
        # Whether each cluster's add-on catalog is read for the add-on step after the upgrade too (addon_step_catalog).
        self._addon_step = addon_step

    def known_versions(self):
        with self._lock:
            if self._versions is None:
                self._versions = _known_versions(self._clients)
            return self._versions

    def addon_catalog(self, names):
        """The catalog entries of these add-on names: each name read once for the region (DescribeAddonVersions),
        by the first cluster that needs it; the others wait for that read."""
        mine, wanted = [], {}
        with self._lock:
            for addon in names:
                if addon not in self._addon_catalog:
                    self._addon_catalog[addon] = concurrent.futures.Future()
                    mine.append(addon)
                wanted[addon] = self._addon_catalog[addon]
        if mine:
            try:
                read = _addon_catalog(self._clients, mine)
            except Exception as exc:  # every cluster waiting for these names gets the error; a later one reads again
                with self._lock:
                    for addon in mine:
                        del self._addon_catalog[addon]
                for addon in mine:
                    wanted[addon].set_exception(exc)
                raise
            for addon in mine:
                wanted[addon].set_result(read[addon])
        return {addon: future.result() for addon, future in wanted.items()}

    def addon_step_catalog(self, names):
        """With ``addon_step``, the catalog entries eks_addon_update looks up on a cluster with these add-ons installed
        (them and the standard ones), read once for the region whether a check needs them or not; else None."""
        if not self._addon_step:
            return None
        return self.addon_catalog(sorted(set(names) | set(addons.STANDARD_ADDONS)))

    def prefetch(self, clusters):
        """Read the subnets and security groups of these DescribeCluster results, two calls in all."""
        vpcs = [c.get("resourcesVpcConfig") or {} for c in clusters]
        subnet_ids = {i for vpc in vpcs for i in vpc.get("subnetIds") or []}
        group_ids = {i for vpc in vpcs for i in _cluster_group_ids(vpc)[1] + [vpc.get("clusterSecurityGroupId")] if i}
        subnets = {s["SubnetId"]: s for s in self._clients.find_subnets(subnet_ids)} if subnet_ids else {}
        groups = {g["GroupId"]: g for g in self._clients.find_security_groups(group_ids)} if group_ids else {}
        with self._lock:
            self._subnets = (subnet_ids, subnets)
            self._groups = (group_ids, groups)

    def subnets(self, clients, subnet_ids):
        with self._lock:
            known = self._subnets
        if known is None or not set(subnet_ids) <= known[0]:
            return _subnets(clients, subnet_ids)
        return _subnet_facts(subnet_ids, known[1])

    def security_groups(self, clients, cluster_group_id, additional_ids):
        with self._lock:
            known = self._groups
        wanted = {i for i in (cluster_group_id, *additional_ids) if i}
        if known is None or not wanted <= known[0]:
            return _read_security_groups(clients, cluster_group_id, additional_ids)
        return _security_group_facts(cluster_group_id, additional_ids, known[1])


def _no_karpenter(api_versions=None):
    """Karpenter's part of the workloads where it serves no resource (new lists: callers may append)."""
    return {"api_versions": api_versions or {}, "nodepools": [], "ec2nodeclasses": []}


def _karpenter_may_run(cluster, workloads):
    """Whether Karpenter's API groups may be served: EKS Auto Mode serves karpenter.sh for its own NodePools, and
    Karpenter itself runs as a Deployment of its controller image (found the way the controller check finds it)."""
    auto_mode = bool((cluster.get("computeConfig") or {}).get("enabled"))
    return auto_mode or any(found["controller"] == KARPENTER for found in find_controllers(workloads))


def _karpenter(apis):
    """Karpenter's NodePools and EC2NodeClasses, at the version each API group prefers.

    One discovery round trip (GET /apis) says whether Karpenter's groups are served; only then are
    they listed (EKS Auto Mode serves karpenter.sh too, for its own NodePools).
    """
    served = {group.name: group.preferred_version.version
              for group in k8s_call("discover API groups", apis.apis.get_api_versions).groups or []
              if group.name in (KARPENTER_GROUP, KARPENTER_AWS_GROUP) and group.preferred_version}
    result = _no_karpenter(api_versions=served)
    lists = [(key, group, plural) for key, group, plural in (("nodepools", KARPENTER_GROUP, "nodepools"),
                                                             ("ec2nodeclasses", KARPENTER_AWS_GROUP, "ec2nodeclasses"))
             if group in served]

    def read(entry):
        key, group, plural = entry
        items = k8s_call("list %s.%s" % (plural, group), apis.custom.list_cluster_custom_object, group,
                         served[group], plural).get("items") or []
        summarize = summarize_nodepool if key == "nodepools" else summarize_ec2nodeclass
        return key, [summarize(item) for item in items]

    if lists:
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(lists)) as pool:
            result.update(pool.map(read, lists))
    return result


def _addons(clients, name, describe):
    names = clients.list_addons(name)
    if not describe:
        return [{"name": n} for n in names]
    return _described_addons(clients, name, names)


def _described_addons(clients, name, names):
    with concurrent.futures.ThreadPoolExecutor(max_workers=MAX_WORKERS) as pool:
        described = list(pool.map(lambda n: clients.describe_addon(name, n), names))
    return [{"name": a["addonName"], "version": a.get("addonVersion"), "status": a.get("status"),
             "service_account_role_arn": a.get("serviceAccountRoleArn"),
             "configuration_values": a.get("configurationValues")} for a in described if a]


def _addon_catalog(clients, names):
    """{add-on: addons.catalog_entry} of DescribeAddonVersions for each add-on name (all its versions and minors)."""
    def read(addon):
        return addon, addons.answer_entry(clients.describe_addon_versions(addon_name=addon))

    with concurrent.futures.ThreadPoolExecutor(max_workers=MAX_WORKERS) as pool:
        return dict(pool.map(read, sorted(names)))


def _addon_compatibility(clients, name, installed, read_insights, versions, shared):
    """The installed EKS add-ons' versions and the add-on catalog of their names, when a hop is pending (else None).

    When EKS's add-on compatibility insight vouches for the first hop (PASSING, fresh), nothing is read for a one-hop
    path, and on a longer one only the add-ons ``addons.to_describe`` names are described. In a fleet the catalog is
    read once per region and add-on name (``shared``), not once per cluster; when the fleet reads it for the add-on
    step too (``RegionReads.addon_step_catalog``), it is returned (``catalog``) whether a hop is pending or not.
    """
    names = [a["name"] for a in installed]
    # For the add-on step after the upgrade, which then need not look the add-ons up per cluster (RegionReads).
    for_step = shared.addon_step_catalog(names) if shared else None
    if not versions:
        return None if for_step is None else {"catalog": for_step}
    passing = insights.passing_addon_insight(read_insights["insights"], versions[0], read_insights["freshness"])
    if passing and len(versions) == 1:
        return {"insight": passing, "catalog": for_step}
    if for_step is not None:
        catalog = for_step
    else:
        catalog = shared.addon_catalog(names) if shared else _addon_catalog(clients, names)
    wanted = addons.to_describe(catalog, names, versions) if passing else names
    described = _described_addons(clients, name, wanted) if wanted else []
    found = dict.fromkeys(names)
    found.update((a["name"], a["version"]) for a in described)
    return {"installed": found, "catalog": catalog, "insight": passing}


def _nodegroups(clients, name):
    names = clients.list_nodegroups(name)
    with concurrent.futures.ThreadPoolExecutor(max_workers=MAX_WORKERS) as pool:
        described = list(pool.map(lambda n: clients.describe_nodegroup(name, n), names))
    return [summarize_nodegroup(ng) for ng in described]


def _node_items(apis):
    return k8s_call("list nodes", apis.core.list_node).items


def _autoscaler_rbac(apis, workloads):
    """The ClusterRoles bound to each Cluster Autoscaler's service account (its Deployment found by image).

    Nothing is read without a Cluster Autoscaler; with one, a list of ClusterRoleBindings and a read of each bound
    ClusterRole (a Helm release names them after itself, so the binding, not the name, says which).
    """
    autoscalers = [c for c in find_controllers(workloads) if c["controller"] == CLUSTER_AUTOSCALER]
    if not autoscalers:
        return []
    bindings = k8s_call("list ClusterRoleBindings", apis.rbac.list_cluster_role_binding).items
    roles = {}
    found = []
    for autoscaler in autoscalers:
        namespace, account = autoscaler["service_account"].split("/", 1)
        names = sorted({b.role_ref.name for b in bindings if b.role_ref.kind == "ClusterRole" and any(
            s.kind == "ServiceAccount" and s.name == account and s.namespace == namespace for s in b.subjects or [])})
        for name in names:
            if name not in roles:
                role = not_found_is_none("read ClusterRole %s" % name, apis.rbac.read_cluster_role, name)
                roles[name] = None if role is None else [
                    {"apiGroups": r.api_groups or [], "resources": r.resources or [], "verbs": r.verbs or [],
                     "resourceNames": r.resource_names or []} for r in role.rules or []]
        found.append({"workload": autoscaler["workload"], "service_account": autoscaler["service_account"],
                      "cluster_roles": [{"name": n, "rules": roles[n]} for n in names if roles[n] is not None],
                      "missing_roles": [n for n in names if roles[n] is None]})
    return found


def _corefile(apis):
    configmap = not_found_is_none("read ConfigMap kube-system/coredns", apis.core.read_namespaced_config_map,
                                  "coredns", "kube-system")
    return ((configmap.data if configmap is not None else None) or {}).get("Corefile")


def _skipped():
    """The result of a read this cluster's path does not need."""
    return None


class Job(namedtuple("Job", "name needs call")):
    """One read of ``gather``: its name, the jobs whose results it needs, and ``call(*results of needs)``."""

    __slots__ = ()


def run_jobs(jobs, wanted, max_workers=MAX_WORKERS):
    """``{name: result}`` of the ``wanted`` jobs and the jobs they need, run concurrently on one pool.

    A job starts as soon as every job it needs has finished. When jobs fail, the one whose name sorts first
    raises its error once the running jobs have ended, so the same failure is always the one reported; the
    jobs needing a failed job are not run.
    """
    by_name = {job.name: job for job in jobs}
    todo, stack = set(), list(wanted)
    while stack:  # the wanted jobs and, transitively, what they need
        name = stack.pop()
        if name not in todo:
            todo.add(name)
            stack.extend(by_name[name].needs)
    results, errors, running = {}, {}, {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max_workers) as pool:
        while todo or running:
            for name in sorted(todo):
                needs = by_name[name].needs
                if any(need in errors for need in needs):
                    todo.discard(name)  # never runs: what it needs failed
                elif all(need in results for need in needs):
                    running[pool.submit(by_name[name].call, *[results[need] for need in needs])] = name
                    todo.discard(name)
            if not running:
                break
            done, _pending = concurrent.futures.wait(running, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in done:
                name = running.pop(future)
                if future.exception() is not None:
                    errors[name] = future.exception()
                else:
                    results[name] = future.result()
    if errors:
        raise errors[min(errors)]
    return results


def path_minors(current, target):
    """The minors the control plane lands on between current (exclusive) and target (inclusive)."""
    if target is None or target <= current:
        return []
    return [str(current + step) for step in range(1, current.distance(target) + 1)]


def _jobs(clients, params, cluster, target, policy, shared, parts):
    """Every read ``gather`` can make of one cluster, declared as Jobs; ``cluster`` is its DescribeCluster.

    Reads the path makes pointless are declared as skipped (None): PodSecurityPolicy from 1.25 on, in-tree
    EBS volumes unless the path crosses 1.23. ``shared`` (RegionReads) serves what a fleet's clusters share.
    When the workloads are read anyway (``parts``), Karpenter's API groups are discovered only where Karpenter
    may run: most clusters are spared that round trip.
    """
    name = cluster["name"]
    current = parse_kube_version(cluster["version"])
    vpc = cluster.get("resourcesVpcConfig") or {}
    crosses_123 = bool(target) and current < parse_kube_version("1.23") <= target
    kube = ("kube",)
    return (
        Job("kube", (), lambda: KubeApis(kube_client(params, clients=clients, cluster=cluster))),
        Job("nodegroups", (), lambda: _nodegroups(clients, name)),
        Job("node_items", kube, _node_items),
        Job("nodes", ("node_items",), lambda items: [classify_node(n) for n in items]),
        Job("gpu", ("node_items", "nodegroups", "workloads"), _gpu),
        Job("addons", (), lambda: _addons(clients, name, describe=True)),
        Job("addon_names", (), lambda: _addons(clients, name, describe=False)),
        Job("addon_compatibility", ("addon_names", "insights"), lambda installed, read: _addon_compatibility(
            clients, name, installed, read, path_minors(current, target), shared))
        if "addon-compatibility" not in params.get("skip_checks", ()) else Job("addon_compatibility", (), _skipped),
        Job("workloads", kube, lambda apis: _workloads(apis.apps)),
        Job("corefile", kube, _corefile),
        Job("psp", kube, _psp_present) if current < parse_kube_version("1.25") else Job("psp", (), _skipped),
        Job("ebs_volumes", kube, lambda apis: _in_tree_ebs_volumes(apis.core)) if crosses_123
        else Job("ebs_volumes", (), _skipped),
        Job("pdbs", kube, lambda apis: _pdbs(apis.policy)),
        Job("subnets", (), lambda: (shared.subnets if shared else _subnets)(clients, vpc.get("subnetIds") or [])),
        Job("security_group", (), lambda: (shared.security_groups if shared else _read_security_groups)(
            clients, *_cluster_group_ids(vpc))),
        Job("insights", (), lambda: _insights(clients, name, path_minors(current, target), policy)),
        Job("known_versions", (), lambda: shared.known_versions() if shared else _known_versions(clients)),
        Job("provisioners", ("kube", "workloads"), lambda apis, workloads: _karpenter(apis)
            if _karpenter_may_run(cluster, workloads) else _no_karpenter())
        if "workloads" in parts else Job("provisioners", kube, _karpenter),
        Job("autoscaler_rbac", ("kube", "workloads"), _autoscaler_rbac),
    )


def gather(clients, params, cluster_name, parts, target=None, cluster=None, policy=None, shared=None):
    """Facts about one cluster; ``parts`` picks what to read (SKEW_PARTS, PREFLIGHT_PARTS).

    ``policy`` (``insight_policy()``) says how old the insights may be and whether a stale set may be
    refreshed; by default they are only read. ``shared`` (``RegionReads``) serves the reads a fleet's
    clusters have in common.
    """
    if cluster is None:
        cluster = clients.describe_cluster(cluster_name)
    vpc = cluster.get("resourcesVpcConfig") or {}
    facts = {"cluster": {
        "name": cluster["name"], "arn": cluster.get("arn"), "version": cluster["version"],
        "platform_version": cluster.get("platformVersion"), "status": cluster.get("status"),
        "created_at": cluster.get("createdAt"),
        "upgrade_policy": (cluster.get("upgradePolicy") or {}).get("supportType"),
        "subnet_ids": vpc.get("subnetIds") or [], "cluster_security_group_id": vpc.get("clusterSecurityGroupId"),
        "additional_security_group_ids": _cluster_group_ids(vpc)[1],
        "tags": cluster.get("tags") or {},
        # EKS Auto Mode: EKS runs the nodes of its NodePools and upgrades them itself.
        "auto_mode": {"enabled": bool((cluster.get("computeConfig") or {}).get("enabled")),
                      "node_pools": (cluster.get("computeConfig") or {}).get("nodePools") or []},
        # Reported, never changed (cluster_settings.py).
        **settings_left_alone(cluster)}}
    results = run_jobs(_jobs(clients, params, cluster, target, policy or insight_policy(), shared, parts),
                       sorted(parts))
    facts["nodegroups"] = results.get("nodegroups", [])
    facts["nodes"] = results.get("nodes", [])
    if "addons" in results:
        facts["addons"] = results["addons"]
    if "addon_names" in results:
        facts["addons"] = results["addon_names"]
    for key, part in (("workloads", "workloads"), ("corefile", "corefile"), ("psp_eks_privileged", "psp"),
                      ("in_tree_ebs_volumes", "ebs_volumes"), ("pdbs", "pdbs"),
                      ("cluster_autoscaler_rbac", "autoscaler_rbac"), ("gpu", "gpu")):
        if part in results:
            facts[key] = results[part]
    if "security_group" in results:
        facts["cluster_security_group"], facts["additional_security_groups"] = results["security_group"]
    if "subnets" in results:
        facts["subnets"], facts["missing_subnets"] = results["subnets"]
    if "insights" in results:
        read = results["insights"]
        for key in ("insights", "configuration_insights", "rollback_insights", "deprecated_apis", "addon_insights"):
            facts[key] = read[key]
        facts["insights_freshness"] = read["freshness"]
    judged = results.get("addon_compatibility") or {}
    if judged.get("insight"):
        facts["addon_insight_passing"] = judged["insight"]
    if "installed" in judged:
        facts["addon_versions"] = judged["installed"]
    if judged.get("catalog") is not None:
        facts["addon_catalog"] = judged["catalog"]
    if "known_versions" in results:
        facts["version_status"], facts["version_release_dates"], facts["version_calendar"] = results["known_versions"]
        facts["known_versions"] = sorted(facts["version_status"], key=parse_kube_version)
    if "provisioners" in results:
        facts["karpenter"] = results["provisioners"]
        if "known_versions" not in results and needs_release_dates(facts["karpenter"]):
            # A pinned AMI release is judged by the EKS release date of the minor: one more call, only then.
            facts["version_release_dates"] = (shared.known_versions() if shared else _known_versions(clients))[1]
    facts["skew_input"] = skew_input(facts)
    return json_friendly(facts)
