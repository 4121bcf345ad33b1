"""The middleware in front of moto: fault injection, the request log, routing, EC2/STS and reset."""
from __future__ import annotations

import json
import time
import urllib.request
from typing import Any, Callable

import boto3
import pytest
from botocore.exceptions import ClientError

from eksworld.aws import AwsEmulator
from eksworld.shapecheck import ResponseShapeError, attach_shape_checker


def test_throttling_is_retried_by_boto3_and_logged(aws: AwsEmulator, aws_client: Callable[..., Any],
                                                   aws_cluster: str) -> None:
    eks = aws_client("eks", max_attempts=2)
    aws.state.faults.set(throttle_rate=1.0)
    with pytest.raises(ClientError) as excinfo:
        eks.describe_cluster(name=aws_cluster)
    response = excinfo.value.response
    assert (response["Error"]["Code"], response["Error"]["Message"]) == ("ThrottlingException", "Rate exceeded")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert response["ResponseMetadata"]["RetryAttempts"] == 1
    records = aws.state.log.records()
    assert [(r.operation, r.status, r.injected) for r in records] == [("DescribeCluster", 429, "throttle")] * 2


def test_ec2_throttling_is_request_limit_exceeded(aws: AwsEmulator, aws_ec2: Any) -> None:
    aws.state.faults.set(throttle_rate=1.0)
    with pytest.raises(ClientError) as excinfo:
        aws_ec2.describe_subnets()
    assert excinfo.value.response["Error"]["Code"] == "RequestLimitExceeded"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503


def test_server_errors(aws: AwsEmulator, aws_client: Callable[..., Any], aws_cluster: str) -> None:
    eks, ec2, sts = aws_client("eks", max_attempts=3), aws_client("ec2"), aws_client("sts")
    aws.state.faults.set(error_rate=1.0)
    with pytest.raises(ClientError) as excinfo:
        eks.list_nodegroups(clusterName=aws_cluster)
    assert excinfo.value.response["Error"]["Code"] == "ServerException"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    with pytest.raises(ClientError) as excinfo:
        ec2.describe_security_groups()
    assert excinfo.value.response["Error"]["Code"] == "InternalError"
    with pytest.raises(ClientError) as excinfo:
        sts.get_caller_identity()
    assert excinfo.value.response["Error"]["Code"] == "InternalFailure"
    records = [(r.service, r.operation, r.status, r.injected) for r in aws.state.log.records()]
    assert records == [("eks", "ListNodegroups", 500, "5xx")] * 3 + [
        ("ec2", "DescribeSecurityGroups", 500, "5xx"), ("sts", "GetCallerIdentity", 500, "5xx")
    ]


def test_latency(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    aws.state.faults.set(latency_s=0.2)
    started = time.monotonic()
    aws_eks.describe_cluster(name=aws_cluster)
    assert time.monotonic() - started >= 0.2
    assert [(r.status, r.injected) for r in aws.state.log.records()] == [(200, "latency")]


def test_faults_per_cluster_and_global(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    aws.create_cluster("calm", version="1.29")
    aws.state.faults.set(cluster=aws_cluster, throttle_rate=1.0)
    with pytest.raises(ClientError):
        aws_eks.describe_cluster(name=aws_cluster)
    assert aws_eks.describe_cluster(name="calm")["cluster"]["name"] == "calm"
    assert aws_eks.list_clusters()["clusters"] == ["calm", "demo"]
    aws.state.faults.set(error_rate=1.0)
    with pytest.raises(ClientError) as excinfo:
        aws_eks.describe_cluster(name="calm")
    assert excinfo.value.response["Error"]["Code"] == "ServerException"
    with pytest.raises(ClientError) as excinfo:  # the per-cluster throttle wins over the global 5xx
        aws_eks.describe_cluster(name=aws_cluster)
    assert excinfo.value.response["Error"]["Code"] == "ThrottlingException"


def test_request_log_names_operations(aws: AwsEmulator, aws_client: Callable[..., Any], aws_cluster: str) -> None:
    eks, ec2, sts = aws_client("eks"), aws_client("ec2"), aws_client("sts")
    eks.describe_cluster(name=aws_cluster)
    eks.update_nodegroup_version(clusterName=aws_cluster, nodegroupName="general")
    eks.describe_addon_versions(kubernetesVersion="1.30")
    # An operation nobody emulates: moto's HTML 404 is no AWS error, and the checked client says so.
    with pytest.raises(ResponseShapeError, match="ListAccessEntries: error body is not JSON"):
        eks.list_access_entries(clusterName=aws_cluster)
    ec2.describe_subnets()
    sts.get_caller_identity()
    records = [(r.service, r.operation, r.cluster, r.mutating, r.status) for r in aws.state.log.records()]
    assert records == [
        ("eks", "DescribeCluster", "demo", False, 200),
        ("eks", "UpdateNodegroupVersion", "demo", True, 200),
        ("eks", "DescribeAddonVersions", None, False, 200),
        ("eks", "ListAccessEntries", "demo", False, 404),
        ("ec2", "DescribeSubnets", None, False, 200),
        ("sts", "GetCallerIdentity", None, False, 200),
    ]


def test_request_log_names_s3_and_dynamodb_operations(aws: AwsEmulator, aws_credentials: dict[str, str]) -> None:
    """What the checkpoint backends send is named, and reads do not count as mutating."""
    # Plain clients: the shape checker knows the EKS/EC2/STS protocols, not S3's empty bodies.
    s3, dynamodb = (boto3.client(service, endpoint_url=aws.url, region_name="us-east-1", **aws_credentials)
                    for service in ("s3", "dynamodb"))
    s3.create_bucket(Bucket="checkpoints")
    s3.head_bucket(Bucket="checkpoints")
    s3.put_object(Bucket="checkpoints", Key="fleet/prod.json", Body=b"{}")
    s3.get_object(Bucket="checkpoints", Key="fleet/prod.json")["Body"].read()
    s3.list_objects_v2(Bucket="checkpoints")
    s3.delete_object(Bucket="checkpoints", Key="fleet/prod.json")
    dynamodb.create_table(TableName="checkpoints", BillingMode="PAY_PER_REQUEST",
                          KeySchema=[{"AttributeName": "cluster", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "cluster", "AttributeType": "S"}])
    dynamodb.put_item(TableName="checkpoints", Item={"cluster": {"S": "prod"}})
    dynamodb.get_item(TableName="checkpoints", Key={"cluster": {"S": "prod"}})
    dynamodb.delete_item(TableName="checkpoints", Key={"cluster": {"S": "prod"}})
    assert [(r.service, r.operation, r.mutating) for r in aws.state.log.records()] == [
        ("s3", "CreateBucket", True), ("s3", "HeadBucket", False), ("s3", "PutObject", True),
        ("s3", "GetObject", False), ("s3", "ListObjectsV2", False), ("s3", "DeleteObject", True),
        ("dynamodb", "CreateTable", True), ("dynamodb", "PutItem", True), ("dynamodb", "GetItem", False),
        ("dynamodb", "DeleteItem", True)]


@pytest.mark.parametrize("method, path, query, operation", [
    ("GET", "/", "", "ListBuckets"),
    ("POST", "/", "", "Unknown"),
    ("POST", "/bucket", "delete", "DeleteObjects"),
    ("GET", "/bucket", "acl", "Unknown"),
    ("GET", "/bucket", "prefix=a", "ListObjects"),
    ("GET", "/bucket/key", "x-id=GetObject", "GetObject"),
    ("DELETE", "/bucket", "", "DeleteBucket"),
    ("PATCH", "/bucket/key", "", "Unknown"),
])
def test_s3_operations_by_method_and_path(method: str, path: str, query: str, operation: str) -> None:
    from eksworld.aws_requests import s3_operation

    assert s3_operation(method, path, query) == operation


def test_admin_paths_go_to_the_admin_app(aws: AwsEmulator) -> None:
    def admin_app(environ: dict[str, Any], start_response: Callable) -> list[bytes]:
        body = json.dumps({"path": environ["PATH_INFO"]}).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    aws.admin_app = admin_app
    try:
        with urllib.request.urlopen(f"{aws.url}/_world/state") as response:
            assert json.load(response) == {"path": "/_world/state"}
    finally:
        aws.admin_app = None
    assert aws.state.log.records() == []


def test_ec2_subnets_and_security_groups(aws: AwsEmulator, aws_ec2: Any) -> None:
    network = aws.create_network("net", subnets=[{"cidr": "10.2.1.0/24", "az": "us-east-1b", "free_ips": 3}])
    subnet = aws_ec2.describe_subnets(SubnetIds=network["subnet_ids"])["Subnets"][0]
    assert (subnet["AvailableIpAddressCount"], subnet["AvailabilityZone"]) == (3, "us-east-1b")
    assert subnet["VpcId"] == network["vpc_id"] and subnet["CidrBlock"] == "10.2.1.0/24"
    groups = aws_ec2.describe_security_groups(GroupIds=[network["security_group_id"]])["SecurityGroups"]
    assert groups[0]["GroupName"].startswith("eks-cluster-sg-net-")
    aws.delete_security_group(network["security_group_id"])
    with pytest.raises(ClientError) as excinfo:
        aws_ec2.describe_security_groups(GroupIds=[network["security_group_id"]])
    assert excinfo.value.response["Error"]["Code"] == "InvalidGroup.NotFound"


def test_aws_endpoint_url_alone_routes_boto3(aws: AwsEmulator, aws_cluster: str, aws_credentials: dict[str, str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws.url)
    client = boto3.client("eks", region_name="us-east-1", **aws_credentials)
    attach_shape_checker(client)
    assert client.list_clusters()["clusters"] == [aws_cluster]


def test_reset_forgets_everything(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    aws.create_addon(aws_cluster, "coredns", "v1.11.1-eksbuild.4")
    aws.set_insight_enforcement(True)
    aws.reset()
    assert aws_eks.list_clusters()["clusters"] == []
    assert aws.eks.enforce_insights is False
    aws.create_cluster(aws_cluster, version="1.29")
    assert aws_eks.list_addons(clusterName=aws_cluster)["addons"] == []


def test_moto_api_reset_passes_through_and_clears_the_extensions(aws: AwsEmulator, aws_eks: Any,
                                                                  aws_cluster: str) -> None:
    aws.create_addon(aws_cluster, "coredns", "v1.11.1-eksbuild.4")
    request = urllib.request.Request(f"{aws.url}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request) as response:
        assert response.status == 200
    assert aws.state.log.records() == []  # unsigned requests are not AWS calls
    aws.create_cluster(aws_cluster, version="1.29")
    assert aws_eks.list_addons(clusterName=aws_cluster)["addons"] == []
