"""Auto Scaling instance refreshes (which moto lacks), launch template versions from a SourceVersion, the launch
template version of each instance, and public SSM parameters, through boto3 with responses checked against
botocore's model."""
from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from eksworld import scenario_self_managed
from eksworld.aws import AwsEmulator

CLUSTER = {"name": "demo", "version": "1.29", "self_managed_groups": [
    {"name": "workers", "ami_family": "AL2023_x86_64_STANDARD", "kubelet": "1.29", "size": 2}]}


@pytest.fixture
def seeded(aws: AwsEmulator) -> list[dict[str, Any]]:
    network = aws.create_network("demo")
    with aws.state.lock:
        return scenario_self_managed.seed_groups(aws.region, CLUSTER, network["subnet_ids"])


def group(autoscaling: Any, name: str = "workers") -> dict[str, Any]:
    [found] = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"]
    return found


def new_version(ec2: Any, template_id: str, image_id: str) -> int:
    return ec2.create_launch_template_version(LaunchTemplateId=template_id, SourceVersion="1",
                                              LaunchTemplateData={"ImageId": image_id})[
        "LaunchTemplateVersion"]["VersionNumber"]


def test_the_group_is_tagged_for_its_cluster_and_each_instance_names_its_version(seeded, aws_client):
    autoscaling = aws_client("autoscaling")
    tagged = autoscaling.describe_auto_scaling_groups(
        Filters=[{"Name": "tag:kubernetes.io/cluster/demo", "Values": ["owned"]}])["AutoScalingGroups"]
    assert [g["AutoScalingGroupName"] for g in tagged] == ["workers"]
    assert {i["LaunchTemplate"]["Version"] for i in tagged[0]["Instances"]} == {"1"}
    assert len(seeded[0]["instances"]) == 2
    hooks = autoscaling.describe_lifecycle_hooks(AutoScalingGroupName="workers")["LifecycleHooks"]
    assert [h["LifecycleTransition"] for h in hooks] == ["autoscaling:EC2_INSTANCE_TERMINATING"]


def test_public_ssm_parameters_name_amazon_owned_eks_amis(seeded, aws_client):
    ssm, ec2 = aws_client("ssm"), aws_client("ec2")
    names = [f"/aws/service/eks/optimized-ami/{m}/amazon-linux-2023/x86_64/standard/recommended/image_id"
             for m in ("1.29", "1.30", "1.28")]
    found = ssm.get_parameters(Names=names)
    assert sorted(p["Name"] for p in found["Parameters"]) == names[:2]
    assert found["InvalidParameters"] == [names[2]]  # published from the group's minor on
    image_id = {p["Name"]: p["Value"] for p in found["Parameters"]}[names[1]]
    [image] = ec2.describe_images(Filters=[{"Name": "image-id", "Values": [image_id]}])["Images"]
    assert (image["Name"], image["ImageOwnerAlias"]) == ("amazon-eks-node-al2023-x86_64-standard-1.30-v20251103",
                                                         "amazon")


def test_a_version_from_a_source_version_keeps_everything_but_what_it_changes(seeded, aws_client):
    ec2, autoscaling = aws_client("ec2"), aws_client("autoscaling")
    template_id = group(autoscaling)["LaunchTemplate"]["LaunchTemplateId"]
    number = new_version(ec2, template_id, "ami-0123456789abcdef0")
    [first, second] = ec2.describe_launch_template_versions(LaunchTemplateId=template_id, Versions=["1", str(number)])[
        "LaunchTemplateVersions"]
    assert second["LaunchTemplateData"] == dict(first["LaunchTemplateData"], ImageId="ami-0123456789abcdef0")


def test_an_instance_refresh_replaces_outdated_instances_then_ends(aws, seeded, aws_client, aws_clock):
    ec2, autoscaling = aws_client("ec2"), aws_client("autoscaling")
    aws.state.instance_refresh_s = 60.0
    template_id = group(autoscaling)["LaunchTemplate"]["LaunchTemplateId"]
    number = new_version(ec2, template_id, "ami-0123456789abcdef0")
    autoscaling.update_auto_scaling_group(AutoScalingGroupName="workers",
                                          LaunchTemplate={"LaunchTemplateId": template_id, "Version": str(number)})
    before = sorted(i["InstanceId"] for i in group(autoscaling)["Instances"])
    completed: list[dict[str, Any]] = []
    aws.state.events.subscribe("instance_refresh_completed", lambda **event: completed.append(event))
    refresh_id = autoscaling.start_instance_refresh(AutoScalingGroupName="workers",
                                                    Preferences={"MinHealthyPercentage": 90})["InstanceRefreshId"]
    with pytest.raises(ClientError) as again:
        autoscaling.start_instance_refresh(AutoScalingGroupName="workers")
    assert again.value.response["Error"]["Code"] == "InstanceRefreshInProgress"

    aws_clock.advance(30)
    [running] = autoscaling.describe_instance_refreshes(AutoScalingGroupName="workers")["InstanceRefreshes"]
    assert (running["InstanceRefreshId"], running["Status"], running["InstancesToUpdate"]) == (refresh_id,
                                                                                               "InProgress", 2)
    assert 0 < running["PercentageComplete"] < 100

    aws_clock.advance(31)
    [done] = autoscaling.describe_instance_refreshes(AutoScalingGroupName="workers",
                                                     InstanceRefreshIds=[refresh_id])["InstanceRefreshes"]
    assert (done["Status"], done["PercentageComplete"], done["InstancesToUpdate"]) == ("Successful", 100, 0)
    instances = group(autoscaling)["Instances"]
    assert {i["LaunchTemplate"]["Version"] for i in instances} == {str(number)}
    assert set(i["InstanceId"] for i in instances).isdisjoint(before)
    [event] = completed
    assert (event["group"], event["cluster"], event["image_id"]) == ("workers", "demo", "ami-0123456789abcdef0")
    assert sorted(old for old, _new in event["replaced"]) == before


def test_a_refresh_can_be_cancelled_and_then_none_is_active(aws, seeded, aws_client, aws_clock):
    autoscaling = aws_client("autoscaling")
    aws.state.instance_refresh_s = 60.0
    refresh_id = autoscaling.start_instance_refresh(AutoScalingGroupName="workers")["InstanceRefreshId"]
    assert autoscaling.cancel_instance_refresh(AutoScalingGroupName="workers")["InstanceRefreshId"] == refresh_id
    aws_clock.advance(1)
    [cancelled] = autoscaling.describe_instance_refreshes(AutoScalingGroupName="workers")["InstanceRefreshes"]
    assert cancelled["Status"] == "Cancelled"
    with pytest.raises(ClientError) as none:
        autoscaling.cancel_instance_refresh(AutoScalingGroupName="workers")
    assert none.value.response["Error"]["Code"] == "ActiveInstanceRefreshNotFound"


def test_refresh_requests_are_logged_as_autoscaling_operations(aws, seeded, aws_client):
    autoscaling, ssm = aws_client("autoscaling"), aws_client("ssm")
    autoscaling.describe_instance_refreshes(AutoScalingGroupName="workers")
    ssm.get_parameters(Names=["/aws/service/bottlerocket/aws-k8s-1.30/x86_64/latest/image_id"])
    autoscaling.start_instance_refresh(AutoScalingGroupName="workers")
    logged = [(r["service"], r["operation"], r["mutating"]) for r in aws.state.log.as_dicts()]
    assert logged == [("autoscaling", "DescribeInstanceRefreshes", False), ("ssm", "GetParameters", False),
                      ("autoscaling", "StartInstanceRefresh", True)]


@pytest.mark.parametrize("group_spec, message", [
    ({"ami_family": "UBUNTU"}, "ami_family must be CUSTOM or one of"),
    ({"kubelet": "1.9"}, "kubelet must be a Kubernetes minor"),
    ({"size": -1}, "size must be a number of instances"),
    ({"template_version": "7"}, "template_version must be 1, $Latest or $Default"),
    ({"pods": "web"}, "pods must be a list of app names"),
    ({"colour": "red"}, "unknown key(s) colour"),
])
def test_bad_groups_are_refused_naming_the_field(group_spec, message):
    with pytest.raises(ValueError, match=message.replace("$", r"\$").replace("(", r"\(").replace(")", r"\)")):
        scenario_self_managed.group_settings({"version": "1.29", "self_managed_groups": [
            dict({"name": "workers"}, **group_spec)]})
