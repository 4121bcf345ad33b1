# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: UP001, UP009, UP010 -- Ansible's module_utils boilerplate (coding, __future__, __metaclass__)
"""All AWS access of lifecycle.eks: one session, retried and counted calls, thin EKS/EC2 wrappers.

Throttling is handled here and only here. botocore's standard retry mode retries first; ``Clients.call``
then retries what botocore gave up on early (retry quota exhausted) or never saw (stubbed clients),
within the same ``retries`` budget. EKS throttles with ThrottlingException, which amazon.aws's
defaults do not retry, and has also answered with the unmodelled TooManyRequestsException.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import copy
import random
import threading
import time
import traceback
import uuid

try:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    HAS_BOTO3 = True
    BOTO3_IMP_ERR = None
except ImportError:
    HAS_BOTO3 = False
    BOTO3_IMP_ERR = traceback.format_exc()

from ansible.module_utils.basic import missing_required_lib
from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError, aws_error

THROTTLING_CODES = frozenset(("ThrottlingException", "TooManyRequestsException", "Throttling", "RequestLimitExceeded",
                              "SlowDown", "ProvisionedThroughputExceededException"))
# S3's answer to GetObject on a missing key (404 NoSuchKey; the bare status when the error has no body).
S3_NO_SUCH_KEY = frozenset(("NoSuchKey", "404"))
MAX_BACKOFF = 20.0
DEFAULT_ROLE_SESSION_NAME = "lifecycle-eks"
USER_AGENT = "lifecycle.eks"

EKS_TOKEN_PREFIX = "k8s-aws-v1."
K8S_AWS_ID_HEADER = "x-k8s-aws-id"
EKS_TOKEN_URL_EXPIRES = 60

UPDATE_IN_PROGRESS = "InProgress"
INSIGHTS_REFRESH_IN_PROGRESS = "IN_PROGRESS"
MAX_POLLS_PER_WINDOW = 6
# EC2 takes at most 200 values per filter.
MAX_FILTER_VALUES = 200

# The stats of the Clients whose call runs in this thread: Clients sharing boto3 clients (one per cluster of a
# fleet) each count their own calls, though botocore's event hook belongs to whichever Clients created the client.
_CALLER = threading.local()


def require_boto3(module):
    """Fail the module the standard way when boto3/botocore are missing."""
    if not HAS_BOTO3:
        module.fail_json(msg=missing_required_lib("boto3 and botocore"), exception=BOTO3_IMP_ERR)


class CallStats:
    """Thread-safe count of AWS HTTP requests and retries, reported by modules as api_calls/api_retries."""

    def __init__(self):
        self._lock = threading.Lock()
        self.calls = 0
        self.retries = 0
        self.kube_retries = None  # Kubernetes requests retried (module_utils/kube.py); None: never reached it
        self._poll_times = []

    def reserve_poll(self, earliest, window):
        """The time, at or after ``earliest``, of this module's next poll, keeping at most
        MAX_POLLS_PER_WINDOW polls in any ``window`` across all its waits (one after another or concurrent)."""
        with self._lock:
            recent = [at for at in self._poll_times if at > earliest - window]
            at = earliest
            if len(recent) >= MAX_POLLS_PER_WINDOW:
                at = max(earliest, recent[-MAX_POLLS_PER_WINDOW] + window)
            self._poll_times = sorted(recent + [at])
            return at

    def add(self, calls=0, retries=0, kube_retries=None):
        with self._lock:
            self.calls += calls
            self.retries += retries
            if kube_retries is not None:
                self.kube_retries = (self.kube_retries or 0) + kube_retries

    def as_dict(self):
        with self._lock:
            counts = {"api_calls": self.calls, "api_retries": self.retries}
            if self.kube_retries is not None:
                counts["kube_retries"] = self.kube_retries
            return counts


def connect(params, sleep=time.sleep):
    """Build ``Clients`` from the module parameters of ``aws_argument_spec()``.

    Environment fallbacks already happened in the argument spec; endpoint_url=None lets botocore apply
    AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE>. With assume_role_arn the clients use the role's
    temporary credentials.
    """
    options = dict(
        endpoint_url=params.get("endpoint_url"),
        validate_certs=params.get("validate_certs", True),
        retries=params.get("retries", 10),
        sleep=sleep,
        stats=CallStats(),
    )
    session = _session(params)
    if params.get("assume_role_arn"):
        session = _assume_role(Clients(session, **options), params)
    return Clients(session, **options)


def _session(params):
    profile = params.get("profile")
    try:
        session = boto3.Session(
            profile_name=profile,
            aws_access_key_id=params.get("access_key"),
            aws_secret_access_key=params.get("secret_key"),
            aws_session_token=params.get("session_token"),
            region_name=params.get("region"),
        )
        region = session.region_name
    except BotoCoreError as exc:
        raise aws_error(f"open AWS profile {profile}" if profile else "read the AWS configuration", exc) from exc
    if not region:
        raise ModuleError("AWS region unknown. Set region (or AWS_REGION).")
    return session


def _assume_role(clients, params):
    arn = params["assume_role_arn"]
    response = clients.call(
        f"assume role {arn}",
        clients.sts.assume_role,
        RoleArn=arn,
        RoleSessionName=params.get("assume_role_session_name") or DEFAULT_ROLE_SESSION_NAME,
    )
    credentials = response["Credentials"]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=clients.region,
    )


def _is_retryable(exc):
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
    return exc.response.get("Error", {}).get("Code") in THROTTLING_CODES or status == 429 or status >= 500


def _attempts_made(exc):
    """HTTP attempts behind one failed call: botocore reports the retries it already made."""
    return 1 + (exc.response.get("ResponseMetadata", {}).get("RetryAttempts") or 0)


class Clients:
    """boto3 clients sharing one session; every call is retried, counted and converted to ModuleError.

    Clients are created lazily under a lock (boto3 sessions are not thread-safe, clients are), so one
    instance may serve several threads.
    """

    def __init__(self, session, endpoint_url=None, validate_certs=True, retries=10, sleep=time.sleep, stats=None):
        self.session = session
        self.region = session.region_name
        self.stats = stats or CallStats()
        self._endpoint_url = endpoint_url
        # verify=None (not True) keeps AWS_CA_BUNDLE working.
        self._verify = None if validate_certs else False
        retries = max(retries, 0)
        self._max_attempts = retries + 1
        self._config = Config(retries={"mode": "standard", "max_attempts": retries}, user_agent_extra=USER_AGENT)
        self._sleep = sleep
        self._clients = {}
        self._lock = threading.Lock()

    def counting_apart(self):
        """Clients on the same session and boto3 clients whose calls are counted in their own CallStats."""
        view = copy.copy(self)
        view.stats = CallStats()
        return view

    def client(self, service, use_endpoint_url=True):
        """The cached boto3 client of ``service``."""
        key = (service, use_endpoint_url)
        with self._lock:
            if key not in self._clients:
                client = self.session.client(
                    service,
                    endpoint_url=self._endpoint_url if use_endpoint_url else None,
                    verify=self._verify,
                    config=self._config,
                )
                client.meta.events.register("after-call", self._count_call)
                client.meta.events.register("after-call-error", self._count_call)
                self._clients[key] = client
            return self._clients[key]

    @property
    def eks(self):
        return self.client("eks")

    @property
    def ec2(self):
        return self.client("ec2")

    @property
    def sts(self):
        return self.client("sts")

    @property
    def s3(self):
        return self.client("s3")

    @property
    def dynamodb(self):
        return self.client("dynamodb")

    def _count_call(self, context=None, **kwargs):
        """Event hook run once per API call; botocore records in the context how many attempts it took."""
        attempts = ((context or {}).get("retries") or {}).get("attempt", 1)
        (getattr(_CALLER, "stats", None) or self.stats).add(calls=attempts, retries=attempts - 1)

    def call(self, action, fn, *args, **kwargs):
        """Run ``fn`` (an AWS call), retrying throttling and 5xx with full-jitter backoff capped at 20 s.

        Attempts made by botocore count against the same ``retries`` budget. Errors become
        ``ModuleError("Failed to <action>: <code>: <message>")``.
        """
        caller, _CALLER.stats = getattr(_CALLER, "stats", None), self.stats
        try:
            return self._call(action, fn, args, kwargs)
        finally:
            _CALLER.stats = caller

    def _call(self, action, fn, args, kwargs):
        attempts = 0
        while True:
            try:
                return fn(*args, **kwargs)
            except ClientError as exc:
                attempts += _attempts_made(exc)
                if not _is_retryable(exc) or attempts >= self._max_attempts:
                    raise aws_error(action, exc) from exc
                self.stats.add(retries=1)
                self._sleep(random.uniform(0, min(MAX_BACKOFF, 2 ** (attempts - 1))))
            except BotoCoreError as exc:
                raise aws_error(action, exc) from exc

    def _all_pages(self, action, client, operation, result_key, **kwargs):
        """Every item of a paginated call; a page that keeps failing restarts the (idempotent) listing."""
        paginator = client.get_paginator(operation)
        return self.call(action, lambda: paginator.paginate(**kwargs).build_full_result()).get(result_key, [])

    # EKS clusters

    def describe_cluster(self, name):
        return self.call(f"describe cluster {name}", self.eks.describe_cluster, name=name)["cluster"]

    def update_cluster_version(self, name, version, force=False, client_request_token=None, rollback_timeout=None,
                               action=None):
        """Start UpdateClusterVersion; ``force`` is sent only when set (botocore < 1.37.11 lacks it).

        ``rollback_timeout`` (minutes) is sent as ``rollbackConfig.timeoutMinutes``, which botocore offers from
        1.43; an older botocore is refused with a clear error instead of a parameter validation failure.
        """
        kwargs = _present(name=name, version=version, clientRequestToken=_idempotency_token(client_request_token))
        if force:
            kwargs["force"] = True
        if rollback_timeout is not None:
            members = self.eks.meta.service_model.operation_model("UpdateClusterVersion").input_shape.members
            if "rollbackConfig" not in members:
                raise ModuleError(f"Cannot send rollbackConfig for cluster {name}: the installed botocore lacks it "
                                  "(added in botocore 1.43). Upgrade botocore, or leave the rollback timeout unset.",
                                  {"error_code": "BotocoreTooOld"})
            kwargs["rollbackConfig"] = {"timeoutMinutes": rollback_timeout}
        action = action or f"update cluster {name} to Kubernetes {version}"
        return self.call(action, self.eks.update_cluster_version, **kwargs)["update"]

    def describe_cluster_versions(self, cluster_versions=None, include_all=False, default_only=False):
        kwargs = _present(clusterVersions=list(cluster_versions) if cluster_versions else None)
        if include_all:
            kwargs["includeAll"] = True
        if default_only:
            kwargs["defaultOnly"] = True
        return self._all_pages("describe EKS cluster versions", self.eks, "describe_cluster_versions",
                               "clusterVersions", **kwargs)

    # Updates

    def describe_update(self, name, update_id, nodegroup=None, addon=None):
        """DescribeUpdate; a node group or add-on update is only found when its name is given."""
        kwargs = _present(name=name, updateId=update_id, nodegroupName=nodegroup, addonName=addon)
        return self.call(f"describe update {update_id} of {_target(name, nodegroup, addon)}",
                         self.eks.describe_update, **kwargs)["update"]

    def list_updates(self, name, nodegroup=None, addon=None):
        kwargs = _present(name=name, nodegroupName=nodegroup, addonName=addon)
        return self._all_pages(f"list updates of {_target(name, nodegroup, addon)}", self.eks, "list_updates",
                               "updateIds", **kwargs)

    # Node groups and Fargate profiles

    def list_nodegroups(self, name):
        return self._all_pages(f"list node groups of cluster {name}", self.eks, "list_nodegroups", "nodegroups",
                               clusterName=name)

    def describe_nodegroup(self, name, nodegroup):
        return self.call(f"describe node group {nodegroup} of cluster {name}", self.eks.describe_nodegroup,
                         clusterName=name, nodegroupName=nodegroup)["nodegroup"]

    def update_nodegroup_version(self, name, nodegroup, version=None, release_version=None, launch_template=None,
                                 force=False, client_request_token=None):
        """Start UpdateNodegroupVersion; omitted version/release mean the cluster's version and latest AMI."""
        kwargs = _present(clusterName=name, nodegroupName=nodegroup, version=version, releaseVersion=release_version,
                          launchTemplate=launch_template, clientRequestToken=_idempotency_token(client_request_token))
        if force:
            kwargs["force"] = True
        return self.call(f"update node group {nodegroup} of cluster {name}", self.eks.update_nodegroup_version,
                         **kwargs)["update"]

    def list_fargate_profiles(self, name):
        return self._all_pages(f"list Fargate profiles of cluster {name}", self.eks, "list_fargate_profiles",
                               "fargateProfileNames", clusterName=name)

    def describe_fargate_profile(self, name, profile):
        return self.call(f"describe Fargate profile {profile} of cluster {name}", self.eks.describe_fargate_profile,
                         clusterName=name, fargateProfileName=profile)["fargateProfile"]

    # Add-ons

    def list_addons(self, name):
        return self._all_pages(f"list add-ons of cluster {name}", self.eks, "list_addons", "addons", clusterName=name)

    def describe_addon(self, name, addon):
        """The EKS add-on, or None when ``addon`` is not an EKS add-on (self-managed or absent)."""
        try:
            return self.call(f"describe add-on {addon} of cluster {name}", self.eks.describe_addon,
                             clusterName=name, addonName=addon)["addon"]
        except ModuleError as exc:
            if exc.error_code == "ResourceNotFoundException":
                return None
            raise

    def describe_addon_versions(self, kubernetes_version=None, addon_name=None):
        kwargs = _present(kubernetesVersion=kubernetes_version, addonName=addon_name)
        action = "describe versions of " + (f"add-on {addon_name}" if addon_name else "EKS add-ons")
        if kubernetes_version:
            action += f" for Kubernetes {kubernetes_version}"
        return self._all_pages(action, self.eks, "describe_addon_versions", "addons", **kwargs)

    def update_addon(self, name, addon, addon_version=None, resolve_conflicts=None, service_account_role_arn=None,
                     configuration_values=None, client_request_token=None):
        kwargs = _present(clusterName=name, addonName=addon, addonVersion=addon_version,
                          resolveConflicts=resolve_conflicts, serviceAccountRoleArn=service_account_role_arn,
                          configurationValues=configuration_values,
                          clientRequestToken=_idempotency_token(client_request_token))
        return self.call(f"update add-on {addon} of cluster {name}", self.eks.update_addon, **kwargs)["update"]

    # Upgrade insights

    def list_insights(self, name, kubernetes_version=None, categories=None):
        insight_filter = _present(kubernetesVersions=[kubernetes_version] if kubernetes_version else None,
                                  categories=list(categories) if categories else None)
        kwargs = _present(clusterName=name, filter=insight_filter or None)
        return self._all_pages(f"list insights of cluster {name}", self.eks, "list_insights", "insights", **kwargs)

    def describe_insight(self, name, insight_id):
        return self.call(f"describe insight {insight_id} of cluster {name}", self.eks.describe_insight,
                         clusterName=name, id=insight_id)["insight"]

    def start_insights_refresh(self, name):
        """StartInsightsRefresh (botocore >= 1.40): EKS re-evaluates the cluster's insights now."""
        if not hasattr(self.eks, "start_insights_refresh"):
            raise ModuleError(f"Failed to start an insights refresh of cluster {name}: botocore {_botocore_version()} "
                              "lacks StartInsightsRefresh; install botocore 1.40 or later.",
                              {"error_code": "BotocoreTooOld"})
        response = self.call(f"start an insights refresh of cluster {name}", self.eks.start_insights_refresh,
                             clusterName=name)
        return {key: value for key, value in response.items() if key != "ResponseMetadata"}

    def describe_insights_refresh(self, name):
        """DescribeInsightsRefresh: status IN_PROGRESS, FAILED or COMPLETED, startedAt, endedAt, message."""
        response = self.call(f"describe the insights refresh of cluster {name}", self.eks.describe_insights_refresh,
                             clusterName=name)
        return {key: value for key, value in response.items() if key != "ResponseMetadata"}

    # S3 (checkpoints)

    def get_object(self, bucket, key):
        """The object's content (bytes), or None when the key does not exist.

        Without s3:ListBucket on the bucket, S3 answers a missing key with AccessDenied, not NoSuchKey.
        """
        def fetch():  # the body is read within the retried call: a broken download is retried too
            return self.s3.get_object(Bucket=bucket, Key=key)["Body"].read()

        try:
            return self.call(f"read s3://{bucket}/{key}", fetch)
        except ModuleError as exc:
            if exc.error_code in S3_NO_SUCH_KEY:
                return None
            raise

    def put_object(self, bucket, key, body, content_type="application/json"):
        self.call(f"write s3://{bucket}/{key}", self.s3.put_object, Bucket=bucket, Key=key, Body=body,
                  ContentType=content_type)

    def delete_object(self, bucket, key):
        self.call(f"delete s3://{bucket}/{key}", self.s3.delete_object, Bucket=bucket, Key=key)

    # DynamoDB (checkpoints)

    def get_item(self, table, key):
        """The item with ``key`` (a strongly consistent read, so a rerun sees the last write), or None."""
        response = self.call(f"read item {_item_key(key)} of DynamoDB table {table}", self.dynamodb.get_item,
                             TableName=table, Key=key, ConsistentRead=True)
        return response.get("Item")

    def put_item(self, table, key, attributes):
        """PutItem of the item ``key`` with ``attributes`` (both in DynamoDB's typed form)."""
        self.call(f"write item {_item_key(key)} of DynamoDB table {table}", self.dynamodb.put_item, TableName=table,
                  Item=dict(attributes, **key))

    def delete_item(self, table, key):
        self.call(f"delete item {_item_key(key)} of DynamoDB table {table}", self.dynamodb.delete_item,
                  TableName=table, Key=key)

    # EC2

    def describe_subnets(self, ids):
        """The given subnets; an empty list asks nothing (EC2 would return every subnet)."""
        ids = list(ids)
        if not ids:
            return []
        return self._all_pages(f"describe subnets {', '.join(ids)}", self.ec2, "describe_subnets", "Subnets",
                               SubnetIds=ids)

    def describe_launch_template_versions(self, template, versions):
        """The given versions of a launch template named by ``{"id": ...}`` or ``{"name": ...}`` (as a node group's
        launchTemplate); a version that does not exist fails with InvalidLaunchTemplateId.VersionNotFound."""
        versions = [str(v) for v in versions]
        kwargs = {"LaunchTemplateId": template["id"]} if template.get("id") else {
            "LaunchTemplateName": template.get("name")}
        label = template.get("name") or template.get("id")
        return self._all_pages(f"describe version {', '.join(versions)} of launch template {label}", self.ec2,
                               "describe_launch_template_versions", "LaunchTemplateVersions", Versions=versions,
                               **kwargs)

    def describe_security_groups(self, ids):
        """The given security groups; an empty list asks nothing (EC2 would return every group)."""
        ids = list(ids)
        if not ids:
            return []
        return self._all_pages(f"describe security groups {', '.join(ids)}", self.ec2, "describe_security_groups",
                               "SecurityGroups", GroupIds=ids)

    def find_subnets(self, ids):
        """Those of the given subnets that exist (a filter: a deleted subnet is absent, not an error)."""
        return self._find("subnets", "describe_subnets", "Subnets", "subnet-id", ids)

    def find_security_groups(self, ids):
        """Those of the given security groups that exist."""
        return self._find("security groups", "describe_security_groups", "SecurityGroups", "group-id", ids)

    def _find(self, label, operation, result_key, filter_name, ids):
        ids = sorted(set(ids))
        found = []
        for start in range(0, len(ids), MAX_FILTER_VALUES):
            chunk = ids[start:start + MAX_FILTER_VALUES]
            found.extend(self._all_pages(f"find {len(chunk)} {label}", self.ec2, operation, result_key,
                                         Filters=[{"Name": filter_name, "Values": chunk}]))
        return found


def _botocore_version():
    import botocore

    return botocore.__version__


def _present(**kwargs):
    """API parameters without the unset (None) ones."""
    return {key: value for key, value in kwargs.items() if value is not None}


def _idempotency_token(token):
    """One clientRequestToken for all attempts of an update, so a retry cannot start a second update.

    botocore fills a fresh token on every call, which only protects its own retries.
    """
    return token or str(uuid.uuid4())


def _item_key(key):
    """A DynamoDB key for messages: ``cluster=prod-eu``."""
    return ", ".join(f"{name}={next(iter(value.values()))}" for name, value in sorted(key.items()))


def _target(name, nodegroup=None, addon=None):
    if nodegroup:
        return f"node group {nodegroup} of cluster {name}"
    if addon:
        return f"add-on {addon} of cluster {name}"
    return f"cluster {name}"


class UpdateTimeout(ModuleError):
    """An EKS update still InProgress when the module stopped waiting; AWS carries on with it."""

    def __init__(self, update_id, cluster, waited):
        self.update_id = update_id
        self.cluster = cluster
        self.waited = waited
        super().__init__(
            f"Timed out after {waited:.0f} s waiting for update {update_id} of cluster {cluster}, which is still "
            "InProgress in AWS. Rerun the same task to resume waiting: the module resumes the update in progress.",
            {"update_id": update_id},
        )


def poll(fetch, done, stats, timeout=3600, expected_duration=None, min_delay=5.0, max_delay=30.0,
         sleep=time.sleep, clock=time.monotonic, on_poll=None):
    """Call ``fetch()`` until ``done(result)``; return ``(result, waited_s)``, or ``(None, waited_s)`` at the deadline.

    The waiting policy of every wait of the collection (botocore has no waiter for DescribeUpdate or
    DescribeInsightsRefresh). The first poll comes after ``min_delay`` (sooner when ``expected_duration``
    is short), later delays grow x1.5 up to ``max_delay``; throttling (a ThrottlingException that
    survived the retries, or retries counted in ``stats``) triples the delay (up to 2 x max_delay). At
    most 6 polls of all the waits sharing ``stats`` fall in any window of 2 x max_delay (one minute at the
    default 30 s), except a final poll at the deadline. ``on_poll(result)`` sees every polled result.
    """
    start = clock()
    deadline = start + timeout
    window = 2 * max_delay
    delay = min(min_delay, max(1.0, expected_duration / 10.0)) if expected_duration else min_delay
    while True:
        now = clock()
        # The budget is per module (per cluster), shared by its waits: a multi-hop upgrade or node groups
        # waited on together still poll at most 6 times a minute.
        poll_at = min(stats.reserve_poll(now + delay, window), deadline)
        if poll_at > now:
            sleep(poll_at - now)
        retries_before = stats.retries
        try:
            result = fetch()
        except ModuleError as exc:
            if exc.error_code not in THROTTLING_CODES:
                raise
            result = None
        if result is not None:
            if on_poll is not None:
                on_poll(result)
            if done(result):
                return result, clock() - start
        if clock() >= deadline:
            return None, clock() - start
        throttled = result is None or stats.retries > retries_before
        delay = min(delay * 3, 2 * max_delay) if throttled else min(delay * 1.5, max_delay)


def wait_for_update(clients, cluster, update_id, nodegroup=None, addon=None, timeout=3600, expected_duration=None,
                    min_delay=5.0, max_delay=30.0, sleep=time.sleep, clock=time.monotonic, on_poll=None):
    """Poll DescribeUpdate (see ``poll``) until the update leaves InProgress and return it.

    ``on_poll(update)`` sees every polled update. Raises UpdateTimeout after ``timeout`` s.
    """
    update, waited = poll(
        lambda: clients.describe_update(cluster, update_id, nodegroup=nodegroup, addon=addon),
        lambda found: found.get("status") != UPDATE_IN_PROGRESS, clients.stats, timeout=timeout,
        expected_duration=expected_duration, min_delay=min_delay, max_delay=max_delay, sleep=sleep, clock=clock,
        on_poll=on_poll)
    if update is None:
        raise UpdateTimeout(update_id, cluster, waited)
    return update


class InsightsRefreshTimeout(ModuleError):
    """An insights refresh still IN_PROGRESS when the module stopped waiting; EKS carries on with it."""

    def __init__(self, cluster, waited):
        self.cluster = cluster
        self.waited = waited
        super().__init__(
            f"Timed out after {waited:.0f} s waiting for the upgrade insights refresh of cluster {cluster}, which "
            "is still IN_PROGRESS in AWS.")


def wait_for_insights_refresh(clients, cluster, timeout=600, min_delay=5.0, max_delay=30.0, sleep=time.sleep,
                              clock=time.monotonic):
    """Poll DescribeInsightsRefresh (see ``poll``) until the refresh leaves IN_PROGRESS and return its status.

    Returns the response (status COMPLETED or FAILED, startedAt, endedAt, message). Raises
    InsightsRefreshTimeout after ``timeout`` s.
    """
    refresh, waited = poll(
        lambda: clients.describe_insights_refresh(cluster),
        lambda found: found.get("status") != INSIGHTS_REFRESH_IN_PROGRESS, clients.stats, timeout=timeout,
        min_delay=min_delay, max_delay=max_delay, sleep=sleep, clock=clock)
    if refresh is None:
        raise InsightsRefreshTimeout(cluster, waited)
    return refresh


def _take_k8s_aws_id(params, context, **kwargs):
    """Move the cluster name out of the GetCallerIdentity parameters (it is a header, not a parameter)."""
    if K8S_AWS_ID_HEADER in params:
        context[K8S_AWS_ID_HEADER] = params.pop(K8S_AWS_ID_HEADER)


def _add_k8s_aws_id_header(request, **kwargs):
    """Sign the cluster name into the request so the token is valid for that cluster only."""
    if K8S_AWS_ID_HEADER in request.context:
        request.headers[K8S_AWS_ID_HEADER] = request.context[K8S_AWS_ID_HEADER]


def presigned_eks_token(session_or_clients, cluster_name):
    """The bearer token ``aws eks get-token`` prints: a presigned STS GetCallerIdentity URL for the cluster.

    Signed locally, no network call; the token is a credential: never log or return it. The STS client
    ignores endpoint_url because the EKS authenticator only accepts genuine STS hosts.
    """
    if isinstance(session_or_clients, Clients):
        sts = session_or_clients.client("sts", use_endpoint_url=False)
    else:
        sts = session_or_clients.client("sts")
    sts.meta.events.register("provide-client-params.sts.GetCallerIdentity", _take_k8s_aws_id,
                             unique_id="lifecycle-eks-k8s-aws-id-param")
    sts.meta.events.register("before-sign.sts.GetCallerIdentity", _add_k8s_aws_id_header,
                             unique_id="lifecycle-eks-k8s-aws-id-header")
    try:
        url = sts.generate_presigned_url("get_caller_identity", Params={K8S_AWS_ID_HEADER: cluster_name},
                                         ExpiresIn=EKS_TOKEN_URL_EXPIRES, HttpMethod="GET")
    except BotoCoreError as exc:
        raise aws_error(f"sign an EKS token for cluster {cluster_name}", exc) from exc
    return EKS_TOKEN_PREFIX + base64.urlsafe_b64encode(url.encode("utf-8")).decode("utf-8").rstrip("=")
