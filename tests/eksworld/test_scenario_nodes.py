"""Scenario keys for node kinds: launch templates and custom AMIs, Karpenter, EKS Auto Mode, inventory vars."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import boto3
import kubernetes
import pytest
import yaml

from eksworld import catalog, scenario, scenario_provisioners
from eksworld.shapecheck import attach_shape_checker

KARPENTER = {
    "version": "1.0.6",
    "ec2nodeclasses": [
        {"name": "default", "ami_selector_terms": [{"alias": "al2023@v20240807"}]},
        {"name": "pinned", "ami_family": "AL2023", "ami_selector_terms": [{"id": "ami-0123456789abcdef0"}],
         "amis": [{"id": "ami-0123456789abcdef0", "name": "amazon-eks-node-al2023-x86_64-standard-1.29-v20240807"}]},
    ],
    "nodepools": [{"name": "default", "nodes": 2, "budgets": [{"nodes": "0", "reasons": ["Drifted"]}]},
                  {"name": "batch", "node_class": "pinned", "kubelet": "1.28", "do_not_disrupt": True}],
}
FLEET = {"target_version": "1.30", "clusters": [
    {"name": "custom-ami", "version": "1.29",
     "nodegroups": [{"name": "custom", "ami_type": "CUSTOM", "desired_size": 1,
                     "launch_template": {"name": "custom-nodes", "versions": ["1.29", "1.30"]}}],
     "inventory_vars": {"eks_nodegroup_launch_templates": {"custom": {"version": "2"}}}},
    {"name": "karpenter", "version": "1.29", "karpenter": KARPENTER},
    {"name": "auto", "version": "1.29", "auto_mode": True},
]}


def api_for(world: Any, tmp_path: Path, name: str) -> Any:
    kubeconfig = tmp_path / "world" / "kubeconfigs" / f"{name}.yaml"
    return kubernetes.config.new_client_from_config(config_file=str(kubeconfig))


def eks_client(world: Any) -> Any:
    client = boto3.client("eks", endpoint_url=world.aws_url, region_name=world.region)
    attach_shape_checker(client)  # every answer must fit botocore's model
    return client


def test_custom_ami_node_group_gets_a_real_launch_template(make_world: Callable[..., Any], tmp_path: Path) -> None:
    world = make_world(FLEET)
    group = eks_client(world).describe_nodegroup(clusterName="custom-ami", nodegroupName="custom")["nodegroup"]
    assert group["amiType"] == "CUSTOM" and group["launchTemplate"]["name"] == "custom-nodes"
    assert group["launchTemplate"]["version"] == "1"
    ec2 = boto3.client("ec2", endpoint_url=world.aws_url, region_name=world.region)
    versions = ec2.describe_launch_template_versions(LaunchTemplateId=group["launchTemplate"]["id"])[
        "LaunchTemplateVersions"]
    assert [v["VersionNumber"] for v in versions] == [1, 2]
    images = ec2.describe_images(ImageIds=[v["LaunchTemplateData"]["ImageId"] for v in versions])["Images"]
    assert sorted(i["Name"].split("-")[3] for i in images) == ["1.29", "1.30"]
    assert group["releaseVersion"] == versions[0]["LaunchTemplateData"]["ImageId"]
    inventory = yaml.safe_load((tmp_path / "world" / "inventory.yml").read_text())
    host = inventory["all"]["children"]["eks_clusters"]["hosts"]["custom-ami"]
    assert host["eks_nodegroup_launch_templates"] == {"custom": {"version": "2"}}


def test_karpenter_resources_are_served_with_discovery(make_world: Callable[..., Any], tmp_path: Path) -> None:
    world = make_world(FLEET)
    api = api_for(world, tmp_path, "karpenter")
    groups = {g.name: g.preferred_version.version for g in kubernetes.client.ApisApi(api).get_api_versions().groups}
    assert groups["karpenter.sh"] == "v1" and groups["karpenter.k8s.aws"] == "v1"
    custom = kubernetes.client.CustomObjectsApi(api)
    pools = {p["metadata"]["name"]: p for p in custom.list_cluster_custom_object("karpenter.sh", "v1", "nodepools")[
        "items"]}
    assert pools["default"]["spec"]["template"]["spec"]["nodeClassRef"] == {
        "group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "default"}
    assert pools["default"]["spec"]["disruption"]["budgets"] == [{"nodes": "0", "reasons": ["Drifted"]}]
    classes = {c["metadata"]["name"]: c for c in custom.list_cluster_custom_object(
        "karpenter.k8s.aws", "v1", "ec2nodeclasses")["items"]}
    assert classes["default"]["spec"]["amiSelectorTerms"] == [{"alias": "al2023@v20240807"}]
    assert classes["pinned"]["status"]["amis"][0]["name"].endswith("-1.29-v20240807")
    nodes = kubernetes.client.CoreV1Api(api).list_node(label_selector="karpenter.sh/nodepool").items
    kubelets = sorted((n.metadata.labels["karpenter.sh/nodepool"], n.status.node_info.kubelet_version) for n in nodes)
    assert kubelets == [("batch", catalog.git_version("1.28")), ("default", catalog.git_version("1.29")),
                        ("default", catalog.git_version("1.29"))]
    batch = next(n for n in nodes if n.metadata.labels["karpenter.sh/nodepool"] == "batch")
    assert batch.metadata.annotations == {"karpenter.sh/do-not-disrupt": "true"}
    deployment = kubernetes.client.AppsV1Api(api).read_namespaced_deployment("karpenter", "kube-system")
    assert deployment.spec.template.spec.containers[0].image == "public.ecr.aws/karpenter/controller:1.0.6"
    # Other clusters don't serve Karpenter's groups.
    other = kubernetes.client.ApisApi(api_for(world, tmp_path, "custom-ami"))
    plain = {g.name for g in other.get_api_versions().groups}
    assert not plain & {"karpenter.sh", "karpenter.k8s.aws"}
    assert [r["operation"] for r in world.state.log.as_dicts() if r["cluster"] == "karpenter"][:1] == ["get /apis"]


def test_karpenter_v1beta1_api(make_world: Callable[..., Any], tmp_path: Path) -> None:
    world = make_world({"clusters": [{"name": "old-karpenter", "version": "1.28", "karpenter": {
        "api_version": "v1beta1", "ec2nodeclasses": [{"name": "default", "ami_family": "AL2"}],
        "nodepools": [{"name": "default"}]}}]})
    custom = kubernetes.client.CustomObjectsApi(api_for(world, tmp_path, "old-karpenter"))
    [pool] = custom.list_cluster_custom_object("karpenter.sh", "v1beta1", "nodepools")["items"]
    assert pool["spec"]["template"]["spec"]["nodeClassRef"] == {
        "apiVersion": "karpenter.k8s.aws/v1beta1", "kind": "EC2NodeClass", "name": "default"}
    [node_class] = custom.list_cluster_custom_object("karpenter.k8s.aws", "v1beta1", "ec2nodeclasses")["items"]
    assert node_class["spec"]["amiFamily"] == "AL2" and "amiSelectorTerms" not in node_class["spec"]


def test_auto_mode_cluster(make_world: Callable[..., Any], tmp_path: Path) -> None:
    world = make_world(FLEET)
    eks = eks_client(world)
    cluster = eks.describe_cluster(name="auto")["cluster"]
    assert cluster["computeConfig"]["enabled"] is True
    assert cluster["computeConfig"]["nodePools"] == ["general-purpose", "system"]
    assert cluster["storageConfig"] == {"blockStorage": {"enabled": True}}
    assert cluster["kubernetesNetworkConfig"]["elasticLoadBalancing"] == {"enabled": True}
    assert "computeConfig" not in eks.describe_cluster(name="karpenter")["cluster"]
    assert eks.list_nodegroups(clusterName="auto")["nodegroups"] == []
    api = api_for(world, tmp_path, "auto")
    pools = kubernetes.client.CustomObjectsApi(api).list_cluster_custom_object("karpenter.sh", "v1", "nodepools")
    assert {p["spec"]["template"]["spec"]["nodeClassRef"]["group"] for p in pools["items"]} == {"eks.amazonaws.com"}
    nodes = kubernetes.client.CoreV1Api(api).list_node().items
    assert len(nodes) == 2
    assert {n.metadata.labels["eks.amazonaws.com/compute-type"] for n in nodes} == {"auto"}
    # EKS replaces Auto Mode nodes with ones on the control plane's new minor.
    world.aws.begin_cluster_update("auto", "1.30")
    world.state.clock.advance(world.state.cluster_update_s)
    assert set(world.summary()["auto"]["kubelets"].values()) == {catalog.git_version("1.30")}


@pytest.mark.parametrize("cluster, message", [
    ({"karpenter": {"api_version": "v2"}}, "karpenter: api_version must be one of v1, v1beta1"),
    ({"karpenter": {"nodepool": []}}, "karpenter: unknown key(s) nodepool"),
    ({"karpenter": {"nodepools": [{"name": "a", "node_class": "missing"}]}},
     "node pool a names EC2NodeClass 'missing', which ec2nodeclasses does not define"),
    ({"karpenter": {"ec2nodeclasses": [{"ami_family": "AL2"}]}}, "needs a 'name'"),
    ({"karpenter": {"ec2nodeclasses": [{"name": "d"}], "nodepools": [{"name": "a", "node_class": "d",
                                                                       "kubelet": 1.3}]}},
     "kubelet must be a Kubernetes minor such as '1.29' (quoted), got 1.3"),
    ({"karpenter": ["nodepools"]}, "karpenter must be a mapping"),
    ({"auto_mode": {"nodes": -1}}, "auto_mode: nodes must be a number of nodes"),
    ({"auto_mode": {"node_pools": "system"}}, "auto_mode: node_pools must be a list of NodePool names"),
    ({"auto_mode": {"pools": []}}, "auto_mode: unknown key(s) pools"),
    ({"nodegroups": [{"name": "c", "launch_template": {"versions": ["1.29"]}}]},
     "node group c: launch_template needs a 'name'"),
    ({"nodegroups": [{"name": "c", "launch_template": {"name": "lt", "versions": ["1.29"], "version": 2}}]},
     "node group c: launch_template: version 2 is not a version number of the template (1 version(s))"),
    ({"nodegroups": [{"name": "c", "launch_template": {"name": "lt", "versions": []}}]},
     "versions must be a non-empty list"),
    ({"nodegroups": [{"name": "c", "launch_template": {"name": "lt", "versions": ["v1.29"]}}]},
     "versions entry must be a Kubernetes minor"),
    ({"inventory_vars": ["eks_force"]}, "inventory_vars must be a mapping of host variables"),
])
def test_bad_node_settings_are_refused_naming_the_cluster(cluster: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as error:
        scenario.normalize({"clusters": [{"name": "odd", **cluster}]}, "fleet.yml")
    assert str(error.value).startswith("fleet.yml: cluster odd: ")
    assert message in str(error.value)


def test_custom_resource_types_follow_the_settings() -> None:
    assert scenario_provisioners.custom_resource_types({"name": "plain", "version": "1.29"}) == []
    karpenter = {(t["group"], t["version"], t["plural"]) for t in scenario_provisioners.custom_resource_types(
        {"name": "k", "version": "1.29", "karpenter": {"api_version": "v1beta1"}})}
    assert karpenter == {("karpenter.sh", "v1beta1", "nodepools"), ("karpenter.sh", "v1beta1", "nodeclaims"),
                         ("karpenter.k8s.aws", "v1beta1", "ec2nodeclasses")}
    auto = {(t["group"], t["plural"]) for t in scenario_provisioners.custom_resource_types(
        {"name": "a", "version": "1.29", "auto_mode": {"nodes": 0}})}
    assert auto == {("karpenter.sh", "nodepools"), ("karpenter.sh", "nodeclaims"), ("eks.amazonaws.com", "nodeclasses")}
