# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of module_utils/aws.py and common.py: amazon.aws clients, wrappers, counted retries, the update
waiter, idempotency tokens, EKS tokens."""
import base64
import datetime
import json
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from botocore.exceptions import NoCredentialsError
from botocore.stub import ANY, Stubber
from moto import mock_aws

from ansible_collections.amazon.aws.plugins.module_utils import cloud
from ansible_collections.lifecycle.eks.plugins.module_utils import aws
from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError, aws_error, fail, json_friendly
from ansible_collections.lifecycle.eks.plugins.module_utils.runner import eks_module
from tests.conftest import module_args
from tests.unit.plugins.module_utils.aws_module import aws_clients, aws_module

REGION = "us-east-1"
PARAMS = {"region": REGION, "access_key": "AKIDEXAMPLE", "secret_key": "secret"}


@pytest.fixture(autouse=True)
def isolated_aws_env(monkeypatch, tmp_path):
    """No test may pick up the host's AWS configuration, credentials or endpoints."""
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID",
                 "AWS_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY", "AWS_SESSION_TOKEN", "AWS_URL",
                 "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EKS", "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_STS",
                 "AWS_CA_BUNDLE", "AWS_RETRY_MODE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # botocore's own retries are counted too (test_botocore_retries_are_counted); elsewhere every retry is AWSRetry's.
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")


@pytest.fixture
def sleep(monkeypatch):
    """The delays amazon.aws's retry decorator sleeps, recorded instead of slept."""
    delays = []
    monkeypatch.setattr(cloud, "time", SimpleNamespace(sleep=delays.append))
    return SimpleNamespace(delays=delays)


@pytest.fixture
def clients(sleep):
    return aws_clients(**PARAMS)


# common.py and the module frame


def test_modules_take_amazon_aws_options_aliases_and_environment(monkeypatch, capsys):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "t0k3n")
    with module_args({"name": "prod", "aws_access_key": "AKIDEXAMPLE", "aws_endpoint_url": "http://x:1"}):
        module = eks_module({}, uses_kubernetes=False)
    params = module.params
    assert (params["region"], params["cluster_name"]) == ("eu-west-1", "prod")
    assert (params["access_key"], params["endpoint_url"]) == ("AKIDEXAMPLE", "http://x:1")
    assert params["validate_certs"] is True
    assert {"s3cr3t", "t0k3n"} <= module.no_log_values
    assert module.region == "eu-west-1"


@pytest.mark.parametrize("removed", [{"retries": 3}, {"assume_role_arn": "arn:aws:iam::1:role/r"},
                                     {"ec2_region": REGION}, {"security_token": "t"}])
def test_options_amazon_aws_lacks_are_refused(removed, capsys):
    with pytest.raises(SystemExit):
        aws_module(**removed)
    assert "Unsupported parameters" in json.loads(capsys.readouterr().out)["msg"]


def test_aws_error_formats_client_and_botocore_errors(clients):
    with Stubber(clients.eks.client) as stubber:
        stubber.add_client_error("describe_cluster", "ResourceNotFoundException", "No cluster found for name: x.",
                                 404, response_meta={"RequestId": "req-1"})
        with pytest.raises(Exception) as raised:
            clients.eks.describe_cluster(name="x")
    error = aws_error("describe cluster x", raised.value)
    assert error.message == "Failed to describe cluster x: ResourceNotFoundException: No cluster found for name: x."
    assert error.details == {"error_code": "ResourceNotFoundException", "http_status": 404, "request_id": "req-1"}
    assert error.error_code == "ResourceNotFoundException"
    no_credentials = aws_error("list add-ons", NoCredentialsError())
    assert no_credentials.message == "Failed to list add-ons: Unable to locate credentials"
    assert no_credentials.details == {}


def test_fail_passes_message_details_and_partial_result():
    class Module:
        def fail_json(self, **kwargs):
            self.failed_with = kwargs

    module = Module()
    fail(module, ModuleError("Failed to x: ThrottlingException: Rate exceeded", {"error_code": "ThrottlingException"}),
         api_calls=3)
    assert module.failed_with == {"msg": "Failed to x: ThrottlingException: Rate exceeded",
                                  "error_code": "ThrottlingException", "api_calls": 3}


def test_json_friendly_converts_dates_and_drops_response_metadata():
    created = datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    response = {"ResponseMetadata": {"RequestId": "r"}, "update": {"createdAt": created, "params": ({"a": 1},)},
                "day": datetime.date(2025, 1, 2)}
    assert json_friendly(response) == {"update": {"createdAt": "2025-01-02T03:04:05+00:00", "params": [{"a": 1}]},
                                       "day": "2025-01-02"}
    json.dumps(json_friendly(response))


# Clients


def test_clients_require_a_region():
    with pytest.raises(ModuleError, match=r"AWS region unknown\. Set region \(or AWS_REGION"):
        aws_clients(access_key="a", secret_key="b")


def test_endpoint_url_goes_to_every_client_but_not_to_the_token_signer(sleep):
    clients = aws_clients(endpoint_url="http://127.0.0.1:5000", **PARAMS)
    assert {clients.eks.meta.endpoint_url, clients.ec2.meta.endpoint_url, clients.s3.meta.endpoint_url} == {
        "http://127.0.0.1:5000"}
    assert clients.client("sts", use_endpoint_url=False).meta.endpoint_url == f"https://sts.{REGION}.amazonaws.com"
    assert clients.eks is clients.eks


def test_unset_endpoint_url_leaves_botocore_to_the_environment(monkeypatch, sleep):
    """The emulated world (and users) set AWS_ENDPOINT_URL; amazon.aws's endpoint_url option reads only AWS_URL."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5001")
    monkeypatch.setenv("AWS_ENDPOINT_URL_EKS", "http://127.0.0.1:5002")
    clients = aws_clients(**PARAMS)
    assert clients.eks.meta.endpoint_url == "http://127.0.0.1:5002"
    assert clients.ec2.meta.endpoint_url == "http://127.0.0.1:5001"


def test_a_region_apart_and_counting_apart(sleep):
    module = aws_module(**PARAMS)
    clients = aws.Clients(module, region="eu-west-1")
    assert clients.eks.meta.region_name == "eu-west-1"
    view = clients.counting_apart()
    assert view.eks is clients.eks and view.stats is not clients.stats


# Wrappers against moto


def _moto_cluster():
    """A cluster with a Fargate profile (moto's node groups cost seconds of EC2 setup; stubbed below)."""
    session = boto3.Session(region_name=REGION, aws_access_key_id="a", aws_secret_access_key="b")
    ec2 = session.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="eks", Description="eks", VpcId=vpc)["GroupId"]
    eks = session.client("eks", region_name=REGION)
    eks.create_cluster(name="prod", version="1.30", roleArn="arn:aws:iam::123456789012:role/eks",
                       resourcesVpcConfig={"subnetIds": [subnet], "securityGroupIds": [group]})
    eks.create_fargate_profile(fargateProfileName="fp", clusterName="prod",
                               podExecutionRoleArn="arn:aws:iam::123456789012:role/fargate",
                               selectors=[{"namespace": "default"}])


@mock_aws
def test_wrappers_read_a_moto_cluster(sleep):
    clients = aws_clients(**PARAMS)
    _moto_cluster()
    assert clients.describe_cluster("prod")["version"] == "1.30"
    assert clients.list_nodegroups("prod") == []
    assert clients.list_fargate_profiles("prod") == ["fp"]
    assert clients.describe_fargate_profile("prod", "fp")["fargateProfileName"] == "fp"
    assert clients.stats.as_dict() == {"api_calls": 4, "api_retries": 0}


@mock_aws
def test_wrapper_errors_name_the_action_and_carry_aws_details(sleep):
    clients = aws_clients(**PARAMS)
    with pytest.raises(ModuleError) as raised:
        clients.describe_cluster("missing")
    assert raised.value.message.startswith("Failed to describe cluster missing: ResourceNotFoundException: ")
    assert raised.value.details["http_status"] == 404
    assert sleep.delays == []


def test_describe_subnets_and_security_groups(clients):
    with Stubber(clients.ec2.client) as stubber:
        stubber.add_response("describe_subnets", {"Subnets": [{"SubnetId": "subnet-1", "AvailableIpAddressCount": 3}]},
                             {"SubnetIds": ["subnet-1"]})
        stubber.add_response("describe_security_groups", {"SecurityGroups": [{"GroupId": "sg-1"}]},
                             {"GroupIds": ["sg-1"]})
        assert clients.describe_subnets(["subnet-1"]) == [{"SubnetId": "subnet-1", "AvailableIpAddressCount": 3}]
        assert clients.describe_security_groups(("sg-1",)) == [{"GroupId": "sg-1"}]
        # No ids asks nothing: EC2 would answer with every subnet or group of the region.
        assert clients.describe_subnets([]) == []
        assert clients.describe_security_groups(()) == []
        stubber.assert_no_pending_responses()


# Wrappers against stubbed EKS APIs moto lacks


def test_list_calls_follow_next_token(clients):
    with Stubber(clients.eks.client) as stubber:
        stubber.add_response("list_nodegroups", {"nodegroups": ["a", "b"], "nextToken": "t1"}, {"clusterName": "prod"})
        stubber.add_response("list_nodegroups", {"nodegroups": ["c"]}, {"clusterName": "prod", "nextToken": "t1"})
        stubber.add_response("describe_nodegroup", {"nodegroup": {"nodegroupName": "a", "version": "1.30"}},
                             {"clusterName": "prod", "nodegroupName": "a"})
        stubber.add_response("list_updates", {"updateIds": ["u1"], "nextToken": "t2"},
                             {"name": "prod", "nodegroupName": "a"})
        stubber.add_response("list_updates", {"updateIds": ["u2"]}, {"name": "prod", "nodegroupName": "a",
                                                                     "nextToken": "t2"})
        assert clients.list_nodegroups("prod") == ["a", "b", "c"]
        assert clients.describe_nodegroup("prod", "a")["version"] == "1.30"
        assert clients.list_updates("prod", nodegroup="a") == ["u1", "u2"]
        stubber.assert_no_pending_responses()


def test_update_calls_send_only_given_parameters(clients):
    update = {"id": "u1", "status": "InProgress", "type": "VersionUpdate"}
    with Stubber(clients.eks.client) as stubber:
        stubber.add_response("update_cluster_version", {"update": update},
                             {"name": "prod", "version": "1.31", "clientRequestToken": ANY})
        stubber.add_response("update_cluster_version", {"update": update},
                             {"name": "prod", "version": "1.31", "force": True, "clientRequestToken": "tok"})
        stubber.add_response("update_nodegroup_version", {"update": update},
                             {"clusterName": "prod", "nodegroupName": "ng", "clientRequestToken": ANY,
                              "launchTemplate": {"name": "lt", "version": "3"}})
        stubber.add_response("update_addon", {"update": update},
                             {"clusterName": "prod", "addonName": "vpc-cni", "addonVersion": "v1.20.1-eksbuild.3",
                              "resolveConflicts": "PRESERVE", "clientRequestToken": ANY})
        stubber.add_response("describe_update", {"update": update},
                             {"name": "prod", "updateId": "u1", "addonName": "vpc-cni"})
        assert clients.update_cluster_version("prod", "1.31") == update
        assert clients.update_cluster_version("prod", "1.31", force=True, client_request_token="tok") == update
        assert clients.update_nodegroup_version("prod", "ng", launch_template={"name": "lt", "version": "3"}) == update
        assert clients.update_addon("prod", "vpc-cni", addon_version="v1.20.1-eksbuild.3",
                                    resolve_conflicts="PRESERVE") == update
        assert clients.describe_update("prod", "u1", addon="vpc-cni") == update
        stubber.assert_no_pending_responses()


def test_insights_addons_and_versions(clients):
    insight = {"id": "i1", "name": "Kubelet version skew", "category": "UPGRADE_READINESS"}
    with Stubber(clients.eks.client) as stubber:
        stubber.add_response("list_insights", {"insights": [insight]},
                             {"clusterName": "prod", "filter": {"kubernetesVersions": ["1.31"],
                                                                "categories": ["UPGRADE_READINESS"]}})
        stubber.add_response("describe_insight", {"insight": insight}, {"clusterName": "prod", "id": "i1"})
        stubber.add_response("list_addons", {"addons": ["vpc-cni"]}, {"clusterName": "prod"})
        stubber.add_client_error("describe_addon", "ResourceNotFoundException", "No addon: coredns found", 404)
        stubber.add_response("describe_addon_versions", {"addons": [{"addonName": "coredns"}]},
                             {"kubernetesVersion": "1.31", "addonName": "coredns"})
        stubber.add_response("describe_cluster_versions", {"clusterVersions": [{"clusterVersion": "1.31"}]},
                             {"clusterVersions": ["1.31"], "includeAll": True})
        assert clients.list_insights("prod", "1.31", ["UPGRADE_READINESS"]) == [insight]
        assert clients.describe_insight("prod", "i1") == insight
        assert clients.list_addons("prod") == ["vpc-cni"]
        assert clients.describe_addon("prod", "coredns") is None
        assert clients.describe_addon_versions("1.31", "coredns") == [{"addonName": "coredns"}]
        assert clients.describe_cluster_versions(["1.31"], include_all=True) == [{"clusterVersion": "1.31"}]
        stubber.assert_no_pending_responses()


# Retries


@pytest.mark.parametrize("code, status", [("ThrottlingException", 400), ("TooManyRequestsException", 429),
                                          ("ServerException", 500), ("ServiceUnavailable", 503), ("503", 503)])
def test_throttling_and_5xx_are_retried_and_counted(clients, sleep, code, status):
    with Stubber(clients.eks.client) as stubber:
        stubber.add_client_error("describe_cluster", code, "Rate exceeded", status)
        stubber.add_client_error("describe_cluster", code, "Rate exceeded", status)
        stubber.add_response("describe_cluster", {"cluster": {"name": "prod", "status": "ACTIVE"}})
        assert clients.describe_cluster("prod")["status"] == "ACTIVE"
    assert clients.stats.as_dict() == {"api_calls": 3, "api_retries": 2}
    assert len(sleep.delays) == 2
    assert 0 <= sleep.delays[0] <= 1 and 0 <= sleep.delays[1] <= 2


def test_backoff_is_capped_at_20_seconds_after_10_retries(clients, sleep):
    with Stubber(clients.eks.client) as stubber:
        for _attempt in range(aws.MAX_ATTEMPTS):
            stubber.add_client_error("describe_cluster", "ThrottlingException", "Rate exceeded", 400)
        with pytest.raises(ModuleError, match="Failed to describe cluster prod: ThrottlingException: Rate exceeded"):
            clients.describe_cluster("prod")
        stubber.assert_no_pending_responses()
    assert len(sleep.delays) == 10
    assert max(sleep.delays) <= aws.MAX_BACKOFF
    assert clients.stats.as_dict() == {"api_calls": 11, "api_retries": 10}


def test_a_page_failing_restarts_the_listing_and_every_request_counts(clients, sleep):
    with Stubber(clients.eks.client) as stubber:
        stubber.add_response("list_addons", {"addons": ["a"], "nextToken": "t"}, {"clusterName": "prod"})
        stubber.add_client_error("list_addons", "ThrottlingException", "Rate exceeded", 400)
        stubber.add_response("list_addons", {"addons": ["a"], "nextToken": "t"}, {"clusterName": "prod"})
        stubber.add_response("list_addons", {"addons": ["b"]}, {"clusterName": "prod", "nextToken": "t"})
        assert clients.list_addons("prod") == ["a", "b"]
    assert clients.stats.as_dict() == {"api_calls": 4, "api_retries": 1}


def test_retried_update_reuses_its_idempotency_token(clients):
    tokens = []
    clients.eks.meta.events.register("provide-client-params.eks.UpdateAddon",
                                     lambda params, **kwargs: tokens.append(params["clientRequestToken"]))
    with Stubber(clients.eks.client) as stubber:
        stubber.add_client_error("update_addon", "ServerException", "Internal error", 500)
        stubber.add_response("update_addon", {"update": {"id": "u1", "status": "InProgress"}})
        assert clients.update_addon("prod", "coredns", addon_version="v1.11.4-eksbuild.22")["id"] == "u1"
    assert len(tokens) == 2 and tokens[0] == tokens[1]


def test_a_given_idempotency_token_is_sent_as_is(clients):
    with Stubber(clients.eks.client) as stubber:
        stubber.add_response("update_cluster_version", {"update": {"id": "u1"}},
                             {"name": "prod", "version": "1.31", "clientRequestToken": "run-1-prod"})
        clients.update_cluster_version("prod", "1.31", client_request_token="run-1-prod")
        stubber.assert_no_pending_responses()


def test_non_retryable_error_surfaces_at_once(clients, sleep):
    message = "Unsupported Kubernetes minor version update from 1.22 to 1.25"
    with Stubber(clients.eks.client) as stubber:
        stubber.add_client_error("update_cluster_version", "InvalidParameterException", message, 400)
        with pytest.raises(ModuleError) as raised:
            clients.update_cluster_version("prod", "1.25")
    assert raised.value.message == (
        f"Failed to update cluster prod to Kubernetes 1.25: InvalidParameterException: {message}")
    assert raised.value.error_code == "InvalidParameterException"
    assert sleep.delays == []
    assert clients.stats.as_dict() == {"api_calls": 1, "api_retries": 0}


def test_a_missing_s3_key_or_addon_is_none_other_errors_fail(clients):
    with Stubber(clients.s3.client) as stubber:
        stubber.add_client_error("get_object", "NoSuchKey", "The specified key does not exist.", 404)
        stubber.add_client_error("get_object", "AccessDenied", "Access Denied", 403)
        assert clients.get_object("bucket", "prod.json") is None
        with pytest.raises(ModuleError, match="Failed to read s3://bucket/prod.json: AccessDenied: Access Denied"):
            clients.get_object("bucket", "prod.json")
    assert clients.stats.as_dict() == {"api_calls": 2, "api_retries": 0}


def test_botocore_retries_are_counted(monkeypatch, clients):
    """botocore retries on its own when configured to (aws_config, AWS_MAX_ATTEMPTS): its attempts count too."""
    with Stubber(clients.eks.client) as stubber:
        stubber.add_response("describe_cluster", {"cluster": {"name": "prod"},
                                                  "ResponseMetadata": {"RetryAttempts": 2}})
        clients.describe_cluster("prod")
    assert clients.stats.as_dict() == {"api_calls": 3, "api_retries": 2}


# Waiting for updates


class FakeTime:
    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self):
        return self.now


class ScriptedClients:
    """Answers DescribeUpdate from a script; an exception in the script is raised."""

    def __init__(self, answers, clock):
        self.answers = list(answers)
        self.clock = clock
        self.stats = aws.CallStats()
        self.polls = []

    def describe_update(self, name, update_id, nodegroup=None, addon=None):
        self.polls.append((self.clock(), name, update_id, nodegroup, addon))
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return {"id": update_id, "status": answer}


class LateSleeper(FakeTime):
    """A loaded machine: each sleep ends a little later than asked, the first one by a whole second."""

    def __init__(self):
        super().__init__()
        self.lateness = [1.0]

    def sleep(self, seconds):
        super().sleep(seconds + (self.lateness.pop(0) if self.lateness else 0.01))


class SendingClients(ScriptedClients):
    """DescribeUpdate as a real client sends it: botocore's before-send hook (Clients) runs first."""

    def __init__(self, answers, fake):
        super().__init__(answers, fake.clock)
        self.stats = aws.CallStats(clock=fake.clock, sleep=fake.sleep)

    def describe_update(self, name, update_id, nodegroup=None, addon=None):
        self.stats.await_poll_slot()
        return super().describe_update(name, update_id, nodegroup=nodegroup, addon=addon)


def most_in_a_minute(times):
    return max(sum(1 for t in times if start <= t < start + 60) for start in times)


def test_the_budget_counts_polls_when_they_are_sent_not_when_they_were_planned():
    """On a loaded machine a poll leaves later than planned: the 7th must still wait a full minute after it."""
    fake = LateSleeper()
    clients = SendingClients([], fake)
    for update_id in ("hop-1", "hop-2", "hop-3", "hop-4"):  # the budget binds: 12 polls in about 70 s
        clients.answers = ["InProgress", "InProgress", "Successful"]
        aws.wait_for_update(clients, "prod", update_id, min_delay=1.0, expected_duration=5.0, sleep=fake.sleep,
                            clock=fake.clock)
    # Planned 60 s after the first poll was planned, not sent, the 7th poll went out 59 s after it.
    assert most_in_a_minute([poll[0] for poll in clients.polls]) == aws.MAX_POLLS_PER_WINDOW


def test_retries_and_lookups_of_updates_in_progress_count_and_wait_like_polls():
    """Every DescribeUpdate sent (a botocore retry, find_in_progress's lookups) passes the same gate."""
    fake = FakeTime()
    stats = aws.CallStats(clock=fake.clock, sleep=fake.sleep)
    sent = [stats.await_poll_slot() for attempt in range(8)]
    assert sent == [1000.0] * 6 + [1060.0, 1060.0]
    assert stats.poll_times() == [round(t + stats.wall_offset, 3) for t in sent]


def test_the_eks_client_gates_every_describe_update_it_sends(clients):
    with mock_aws(), pytest.raises(ModuleError):
        clients.describe_update("absent", "u1")
    assert len(clients.stats.poll_times()) == 1
    with mock_aws(), pytest.raises(ModuleError):
        clients.describe_cluster("absent")  # only DescribeUpdate passes the gate
    assert len(clients.stats.poll_times()) == 1


def test_wait_for_update_polls_with_growing_delays():
    fake = FakeTime()
    clients = ScriptedClients(["InProgress"] * 3 + ["Successful"], fake.clock)
    seen = []
    update = aws.wait_for_update(clients, "prod", "u1", nodegroup="ng", sleep=fake.sleep, clock=fake.clock,
                                 on_poll=seen.append)
    assert update["status"] == "Successful"
    assert fake.sleeps == [5.0, 7.5, 11.25, 16.875]
    assert [status["status"] for status in seen] == ["InProgress"] * 3 + ["Successful"]
    assert all(poll[1:] == ("prod", "u1", "ng", None) for poll in clients.polls)


def test_an_update_started_earlier_is_polled_once_its_first_delay_is_over():
    """Updates started together and waited on one after another: the later ones' first delay counts from their
    start, not from when their wait began."""
    fake = FakeTime()
    due = ScriptedClients(["Successful"], fake.clock)
    aws.wait_for_update(due, "prod", "ng-2", since=fake.now - 7.0, sleep=fake.sleep, clock=fake.clock)
    assert fake.sleeps == [] and [poll[0] for poll in due.polls] == [1000.0]

    fake = FakeTime()
    nearly_due = ScriptedClients(["InProgress", "Successful"], fake.clock)
    aws.wait_for_update(nearly_due, "prod", "ng-2", since=fake.now - 2.0, sleep=fake.sleep, clock=fake.clock)
    assert fake.sleeps == [3.0, 7.5]  # the rest of the first 5 s, then the usual growth

    fake = FakeTime()
    now = ScriptedClients(["Successful"], fake.clock)
    aws.wait_for_update(now, "prod", "hop", since=fake.now + 30.0, sleep=fake.sleep, clock=fake.clock)
    assert fake.sleeps == [5.0]  # a start in the future is taken as now


def test_an_update_like_one_that_took_longer_is_first_polled_after_that_long():
    """The hop after another: its first poll waits as long as the hop before took, then the delays grow as usual."""
    fake = FakeTime()
    clients = ScriptedClients(["InProgress", "Successful"], fake.clock)
    aws.wait_for_update(clients, "prod", "hop-2", first_delay=24.0, sleep=fake.sleep, clock=fake.clock)
    assert fake.sleeps == [24.0, 7.5]

    fake = FakeTime()
    quick = ScriptedClients(["Successful"], fake.clock)
    aws.wait_for_update(quick, "prod", "hop-2", first_delay=1.0, sleep=fake.sleep, clock=fake.clock)
    assert fake.sleeps == [5.0]  # never sooner than the first delay


def test_wait_for_update_caps_polls_at_six_per_minute():
    fake = FakeTime()
    clients = ScriptedClients(["InProgress"], fake.clock)
    with pytest.raises(aws.UpdateTimeout):
        aws.wait_for_update(clients, "prod", "u1", timeout=900, min_delay=0.5, sleep=fake.sleep, clock=fake.clock)
    times = [poll[0] for poll in clients.polls][:-1]  # the last poll is the one at the deadline
    assert max(sum(1 for t in times if start <= t < start + 60) for start in times) <= 6
    assert fake.sleeps[1] > fake.sleeps[0]
    assert len(clients.polls) <= 6 * 15 + 1


def test_waits_one_after_another_share_the_six_polls_per_minute():
    """A multi-hop upgrade waits on one update after another: the budget is the module's, not each wait's."""
    fake = FakeTime()
    clients = ScriptedClients(["InProgress", "InProgress", "Successful"], fake.clock)
    for update_id in ("hop-1", "hop-2", "hop-3", "hop-4"):
        clients.answers = ["InProgress", "InProgress", "Successful"]
        aws.wait_for_update(clients, "prod", update_id, min_delay=1.0, expected_duration=5.0,
                            sleep=fake.sleep, clock=fake.clock)
    times = [poll[0] for poll in clients.polls]
    assert len(times) == 12
    assert max(sum(1 for t in times if start <= t < start + 60) for start in times) == 6


def test_concurrent_waits_share_the_budget_through_reservations():
    stats = aws.CallStats()
    reserved = [stats.reserve_poll(100.0, 60.0) for waiter in range(8)]
    assert reserved[:6] == [100.0] * 6
    assert reserved[6:] == [160.0, 160.0]  # the 7th and 8th wait until the window has room


def test_a_step_after_another_counts_its_polls_in_the_clusters_budget():
    """One module per step (control plane, then node groups, then add-ons): the polls of the step before, handed
    over as seconds since the epoch, count in the next one's window, whatever each process's monotonic clock."""
    fake = FakeTime()
    control_plane = aws.CallStats(wall_offset=1_000_000.0, clock=fake.clock, sleep=fake.sleep)
    for second in range(6):
        assert control_plane.await_poll_slot() == 1_000.0 + second
        fake.sleep(1.0)
    handed_over = control_plane.poll_times()
    assert handed_over == [1_001_000.0 + s for s in range(6)]

    fake.now = 2_058.0  # another process: its monotonic clock reads 1,000 s more
    nodegroups = aws.CallStats(wall_offset=999_000.0, clock=fake.clock, sleep=fake.sleep)
    nodegroups.remember_polls(handed_over)
    assert nodegroups.reserve_poll(2_058.0, 60.0) == 2_060.0  # planned 60 s after the first poll
    assert nodegroups.await_poll_slot() == 2_060.0  # and sent no sooner
    assert nodegroups.await_poll_slot() == 2_061.0  # 60 s after the second: room again
    assert nodegroups.poll_times() == handed_over + [1_001_060.0, 1_001_061.0]
    assert aws.CallStats().poll_times() == []


def test_polls_older_than_the_window_do_not_delay_the_next_step():
    fake = FakeTime()
    fake.now = 160.0
    nodegroups = aws.CallStats(wall_offset=0.0, clock=fake.clock, sleep=fake.sleep)
    nodegroups.remember_polls([100.0 + s for s in range(6)])
    assert nodegroups.reserve_poll(160.0, 60.0) == 160.0
    assert nodegroups.await_poll_slot() == 160.0
    assert fake.sleeps == []


def test_wait_for_update_polls_sooner_for_short_updates_and_backs_off_when_throttled():
    fake = FakeTime()
    throttled = ModuleError("Failed to describe update u1: ThrottlingException: Rate exceeded",
                            {"error_code": "ThrottlingException"})
    clients = ScriptedClients(["InProgress", throttled, "Successful"], fake.clock)
    aws.wait_for_update(clients, "prod", "u1", expected_duration=20, sleep=fake.sleep, clock=fake.clock)
    assert fake.sleeps == [2.0, 3.0, 9.0]


def test_wait_for_update_raises_other_errors():
    fake = FakeTime()
    denied = ModuleError("Failed to describe update u1: AccessDeniedException: no",
                         {"error_code": "AccessDeniedException"})
    with pytest.raises(ModuleError, match="AccessDeniedException"):
        aws.wait_for_update(ScriptedClients([denied], fake.clock), "prod", "u1", sleep=fake.sleep, clock=fake.clock)


def test_wait_for_update_timeout_says_how_to_resume():
    fake = FakeTime()
    clients = ScriptedClients(["InProgress"], fake.clock)
    with pytest.raises(aws.UpdateTimeout) as raised:
        aws.wait_for_update(clients, "prod", "0d5a7a3c-update", timeout=120, min_delay=0.05, max_delay=0.05,
                            sleep=fake.sleep, clock=fake.clock)
    message = str(raised.value)
    assert "0d5a7a3c-update" in message and "prod" in message and "rerun" in message.lower()
    assert raised.value.waited == pytest.approx(120)
    assert raised.value.details == {"update_id": "0d5a7a3c-update"}


class ScriptedRefresh:
    """Answers DescribeInsightsRefresh from a script; an exception in the script is raised."""

    def __init__(self, answers, clock):
        self.answers = list(answers)
        self.clock = clock
        self.stats = aws.CallStats()
        self.polls = []

    def describe_insights_refresh(self, name):
        self.polls.append((self.clock(), name))
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return {"status": answer, "message": "m"}


@pytest.mark.parametrize("final", ["COMPLETED", "FAILED"])
def test_wait_for_insights_refresh_polls_like_the_update_waiter(final):
    fake = FakeTime()
    throttled = ModuleError("Failed to describe the insights refresh of cluster prod: ThrottlingException: Rate",
                            {"error_code": "ThrottlingException"})
    clients = ScriptedRefresh(["IN_PROGRESS", throttled, "IN_PROGRESS", final], fake.clock)
    refresh = aws.wait_for_insights_refresh(clients, "prod", sleep=fake.sleep, clock=fake.clock)
    assert refresh == {"status": final, "message": "m"}
    assert fake.sleeps == [5.0, 7.5, 22.5, 30.0]  # x1.5, tripled after throttling, then back under max_delay
    assert [poll[1] for poll in clients.polls] == ["prod"] * 4


def test_wait_for_insights_refresh_times_out_with_the_cluster_named():
    fake = FakeTime()
    clients = ScriptedRefresh(["IN_PROGRESS"], fake.clock)
    with pytest.raises(aws.InsightsRefreshTimeout) as raised:
        aws.wait_for_insights_refresh(clients, "prod", timeout=60, min_delay=1, max_delay=5, sleep=fake.sleep,
                                      clock=fake.clock)
    assert str(raised.value) == ("Timed out after 60 s waiting for the upgrade insights refresh of cluster prod, "
                                 "which is still IN_PROGRESS in AWS.")
    assert raised.value.waited == pytest.approx(60)
    assert fake.clock() == pytest.approx(1060)


def test_wait_for_insights_refresh_raises_other_errors():
    fake = FakeTime()
    denied = ModuleError("Failed to describe the insights refresh of cluster prod: AccessDeniedException: no",
                         {"error_code": "AccessDeniedException"})
    with pytest.raises(ModuleError, match="AccessDeniedException"):
        aws.wait_for_insights_refresh(ScriptedRefresh([denied], fake.clock), "prod", sleep=fake.sleep,
                                      clock=fake.clock)


def test_insights_refresh_calls(clients):
    started = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.timezone.utc)
    with Stubber(clients.eks.client) as stubber:
        stubber.add_response("start_insights_refresh", {"message": "Insights refresh started.",
                                                        "status": "IN_PROGRESS"}, {"clusterName": "prod"})
        stubber.add_response("describe_insights_refresh", {"status": "COMPLETED", "startedAt": started,
                                                           "endedAt": started}, {"clusterName": "prod"})
        stubber.add_client_error("start_insights_refresh", "AccessDeniedException", "not authorized", 403)
        assert clients.start_insights_refresh("prod") == {"message": "Insights refresh started.",
                                                          "status": "IN_PROGRESS"}
        assert clients.describe_insights_refresh("prod") == {"status": "COMPLETED", "startedAt": started,
                                                             "endedAt": started}
        with pytest.raises(ModuleError) as raised:
            clients.start_insights_refresh("prod")
        assert raised.value.message == ("Failed to start an insights refresh of cluster prod: AccessDeniedException: "
                                        "not authorized")
        stubber.assert_no_pending_responses()


def test_start_insights_refresh_needs_a_recent_botocore(clients, monkeypatch):
    class OldEks:
        """An EKS client of a botocore without StartInsightsRefresh (before 1.40)."""

    monkeypatch.setattr(aws.Clients, "eks", property(lambda self: OldEks()))
    with pytest.raises(ModuleError) as raised:
        clients.start_insights_refresh("prod")
    assert "lacks StartInsightsRefresh; install botocore 1.40 or later" in raised.value.message
    assert raised.value.error_code == "BotocoreTooOld"


# EKS token


def _decode_token(token):
    assert token.startswith("k8s-aws-v1.")
    payload = token[len("k8s-aws-v1."):]
    assert "=" not in payload
    return base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode("utf-8")


@pytest.mark.parametrize("endpoint_url", [None, "http://127.0.0.1:5000"])
def test_presigned_eks_token_matches_aws_eks_get_token(sleep, endpoint_url):
    clients = aws_clients(endpoint_url=endpoint_url, **PARAMS)
    url = urlsplit(_decode_token(aws.presigned_eks_token(clients, "prod")))
    query = parse_qs(url.query)
    assert (url.scheme, url.hostname) == ("https", f"sts.{REGION}.amazonaws.com")
    assert query["Action"] == ["GetCallerIdentity"] and query["X-Amz-Expires"] == ["60"]
    assert query["X-Amz-Credential"][0].startswith("AKIDEXAMPLE/")
    assert "x-k8s-aws-id" in query["X-Amz-SignedHeaders"][0].split(";")
    assert clients.stats.as_dict()["api_calls"] == 0


def test_presigned_eks_token_uses_the_profile_of_the_module(tmp_path, sleep):
    (tmp_path / "credentials").write_text("[eks-admin]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = s\n")
    clients = aws_clients(region=REGION, profile="eks-admin")
    query = parse_qs(urlsplit(_decode_token(aws.presigned_eks_token(clients, "prod"))).query)
    assert query["X-Amz-Credential"][0].startswith("AKIDPROFILE/")


def test_presigned_eks_token_without_credentials_fails_clearly(sleep):
    clients = aws_clients(region=REGION)
    with pytest.raises(ModuleError, match="Failed to sign an EKS token for cluster prod: Unable to locate credentials"):
        aws.presigned_eks_token(clients, "prod")
