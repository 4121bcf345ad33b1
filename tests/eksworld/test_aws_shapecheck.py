"""The response-shape checker catches responses real AWS would not send."""
from __future__ import annotations

import json
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError
from stopped_clock import StoppedClock

from eksworld import catalog
from eksworld.shapecheck import ResponseShapeError, check_error_response, check_response

SESSION = botocore.session.get_session()
EKS = SESSION.get_service_model("eks")
EC2 = SESSION.get_service_model("ec2")
STS = SESSION.get_service_model("sts")


def eks_problems(operation: str, body: dict[str, Any]) -> list[str]:
    return check_response(EKS.operation_model(operation), json.dumps(body).encode())


def test_a_conforming_json_body_passes() -> None:
    body = {"cluster": {"name": "a", "version": "1.29", "status": "ACTIVE", "createdAt": 1700000000.5,
                        "resourcesVpcConfig": {"subnetIds": ["subnet-1"], "endpointPublicAccess": True}}}
    assert eks_problems("DescribeCluster", body) == []


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"cluster": {"name": "a", "kubernetesVersion": "1.29"}}, "DescribeCluster.cluster.kubernetesVersion: unknown"),
        ({"cluster": {"status": "RUNNING"}}, "DescribeCluster.cluster.status: 'RUNNING' is not one of"),
        ({"cluster": {"version": 1.29}}, "DescribeCluster.cluster.version: expected string"),
        ({"cluster": {"createdAt": "yesterday"}}, "DescribeCluster.cluster.createdAt: expected timestamp"),
        ({"cluster": {"resourcesVpcConfig": {"endpointPublicAccess": "yes"}}}, "expected boolean"),
        ({"cluster": {"outpostConfig": {"controlPlaneInstanceType": "m5.large"}}},
         "DescribeCluster.cluster.outpostConfig.outpostArns: required member missing"),
        ({"cluster": {"name": None}}, "DescribeCluster.cluster.name: null"),
    ],
)
def test_bad_json_bodies_are_caught(body: dict[str, Any], problem: str) -> None:
    problems = eks_problems("DescribeCluster", body)
    assert any(p.startswith(problem) or problem in p for p in problems), problems


def test_cluster_versions_status_spellings() -> None:
    good = {"clusterVersions": [{"clusterVersion": "1.29", "status": "extended-support",
                                 "versionStatus": "EXTENDED_SUPPORT"}]}
    assert eks_problems("DescribeClusterVersions", good) == []
    swapped = {"clusterVersions": [{"clusterVersion": "1.29", "status": "EXTENDED_SUPPORT",
                                    "versionStatus": "extended-support"}]}
    assert len(eks_problems("DescribeClusterVersions", swapped)) == 2


def test_xml_bodies_are_checked() -> None:
    good = (b'<DescribeSubnetsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId>'
            b"<subnetSet><item><subnetId>subnet-1</subnetId><state>available</state>"
            b"<availableIpAddressCount>3</availableIpAddressCount><tagSet/></item></subnetSet>"
            b"</DescribeSubnetsResponse>")
    assert check_response(EC2.operation_model("DescribeSubnets"), good) == []
    bad = (b"<DescribeSubnetsResponse><subnetSet><item><state>broken</state>"
           b"<availableIpAddressCount>many</availableIpAddressCount><colour>red</colour></item></subnetSet>"
           b"<extra/></DescribeSubnetsResponse>")
    problems = check_response(EC2.operation_model("DescribeSubnets"), bad)
    assert len(problems) == 4, problems
    sts_body = (b"<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account>"
                b"<Surprise>1</Surprise></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId>"
                b"</ResponseMetadata></GetCallerIdentityResponse>")
    assert check_response(STS.operation_model("GetCallerIdentity"), sts_body) == [
        "GetCallerIdentity.Surprise: unknown member"
    ]


def test_the_hooked_client_raises_on_a_bad_emulator_response(
    aws_clock: StoppedClock, aws_eks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the emulator spelled `status` like `versionStatus`, every DescribeClusterVersions call would fail."""
    # A date with a version in standard support (after 2026-12-02 the catalog has none: the answer would be empty).
    aws_clock.set_date("2025-06-01T00:00:00+00:00")
    monkeypatch.setitem(catalog.LEGACY_STATUS, catalog.STANDARD_SUPPORT, catalog.STANDARD_SUPPORT)
    with pytest.raises(ResponseShapeError, match="'STANDARD_SUPPORT' is not one of"):
        aws_eks.describe_cluster_versions(versionStatus="STANDARD_SUPPORT")


def eks_error_problems(operation: str, status: int, code: str, body: dict[str, Any]) -> list[str]:
    return check_error_response(EKS.operation_model(operation), status, {"x-amzn-ErrorType": code},
                                json.dumps(body).encode())


def test_a_conforming_error_passes() -> None:
    body = {"message": "No node group found for name: x.", "clusterName": "demo", "nodegroupName": "x"}
    assert eks_error_problems("DescribeNodegroup", 404, "ResourceNotFoundException", body) == []
    assert eks_error_problems("DescribeNodegroup", 429, "ThrottlingException", {"message": "Rate exceeded"}) == []


@pytest.mark.parametrize(
    ("operation", "status", "code", "body", "problem"),
    [
        ("DescribeClusterVersions", 409, "ResourceInUseException", {"message": "m"},
         "DescribeClusterVersions: ResourceInUseException is not an error DescribeClusterVersions declares"),
        ("DescribeNodegroup", 400, "ResourceNotFoundException", {"message": "m"},
         "DescribeNodegroup.ResourceNotFoundException: HTTP 400, the model says 404"),
        ("DescribeNodegroup", 404, "ResourceNotFoundException", {"message": "m", "addonName": None},
         "DescribeNodegroup.ResourceNotFoundException.addonName: null"),
        ("DescribeNodegroup", 404, "ResourceNotFoundException", {"message": "m", "reason": "gone"},
         "DescribeNodegroup.ResourceNotFoundException.reason: unknown member"),
        ("DescribeNodegroup", 404, "", {"message": "m"}, "DescribeNodegroup: HTTP 404 error without a code"),
    ],
)
def test_bad_errors_are_caught(operation: str, status: int, code: str, body: dict[str, Any], problem: str) -> None:
    problems = eks_error_problems(operation, status, code, body)
    assert any(p.startswith(problem) for p in problems), problems


def test_the_hooked_client_checks_emulator_errors(aws_eks: Any, aws_cluster: str) -> None:
    """Errors of operations the emulator leaves to moto name only the resources concerned, as AWS's do."""
    with pytest.raises(ClientError) as excinfo:
        aws_eks.describe_nodegroup(clusterName=aws_cluster, nodegroupName="nope")
    assert excinfo.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as excinfo:
        aws_eks.describe_fargate_profile(clusterName=aws_cluster, fargateProfileName="nope")
    assert excinfo.value.response["Error"]["Code"] == "ResourceNotFoundException"
