# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: UP001, UP009, UP010 -- Ansible's module_utils boilerplate (coding, __future__, __metaclass__)
"""All AWS access of lifecycle.eks: clients from amazon.aws, retried and counted calls, thin EKS/EC2 wrappers.

Connection options, sessions and clients are amazon.aws's (``AnsibleAWSModule.client``); retries are its
``AWSRetry`` decorator. What amazon.aws lacks stays here: the call counters the reports show, the
DescribeUpdate poller with its poll budget, idempotency tokens and the EKS token signer.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import bisect
import contextlib
import copy
import threading
import time
import uuid

# Without botocore, AnsibleAWSModule fails the module with amazon.aws's missing-library message.
with contextlib.suppress(ImportError):
    from botocore.exceptions import BotoCoreError, ClientError

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError, aws_error

THROTTLING_CODES = frozenset(("ThrottlingException", "TooManyRequestsException", "Throttling", "RequestLimitExceeded",
                              "SlowDown", "ProvisionedThroughputExceededException"))
# Retried on top of AWSRetry's own list (RequestLimitExceeded, Throttling, TooManyRequestsException, InternalFailure,
# InternalError, ServiceUnavailable, Unavailable): EKS throttles with ThrottlingException and fails with
# ServerException / ServiceUnavailableException; botocore names a 5xx without a parsable body by its status.
RETRIED_CODES = sorted(THROTTLING_CODES | {"ServerException", "ServiceUnavailableException", "InternalServerError",
                                           "InternalServerException", "500", "502", "503", "504"})
# AWSRetry's ``retries`` counts attempts: the first one and 10 retries, full jitter from 1 s doubling up to 20 s.
MAX_ATTEMPTS = 11
MAX_BACKOFF = 20
RETRY = AWSRetry.jittered_backoff(retries=MAX_ATTEMPTS, delay=1, backoff=2, max_delay=MAX_BACKOFF,
                                  catch_extra_error_codes=RETRIED_CODES)
# S3's answer to GetObject on a missing key (404 NoSuchKey; the bare status when the error has no body).
S3_NO_SUCH_KEY = ("NoSuchKey", "404")
# S3's answers to a conditional write (If-None-Match: *) on an existing key: 412, or 409 when writes race.
S3_KEY_EXISTS = ("PreconditionFailed", "412", "ConditionalRequestConflict", "409")
# S3's answers to a write or delete on the condition of an ETag (If-Match) when the object changed or went away.
S3_KEY_CHANGED = S3_KEY_EXISTS + S3_NO_SUCH_KEY
DYNAMODB_CONDITION_FAILED = "ConditionalCheckFailedException"

EKS_TOKEN_PREFIX = "k8s-aws-v1."
K8S_AWS_ID_HEADER = "x-k8s-aws-id"
EKS_TOKEN_URL_EXPIRES = 60

UPDATE_IN_PROGRESS = "InProgress"
INSIGHTS_REFRESH_IN_PROGRESS = "IN_PROGRESS"
MAX_POLLS_PER_WINDOW = 6
# The window of that budget: 2 x wait_max_delay, one minute at the default 30 s (operations.wait_options).
DEFAULT_POLL_WINDOW = 60.0
# EC2 takes at most 200 values per filter.
MAX_FILTER_VALUES = 200


class EksAWSModule(AnsibleAWSModule):
    """amazon.aws's AnsibleAWSModule, without its copy of ``warn()`` messages into the result.

    On ansible-core >= 2.19, amazon.aws 10.x adds the messages given to ``warn()`` to the ``warnings`` it passes to
    ``exit_json``/``fail_json``, which that core deprecates (removed in 2.23) and already reports on its own: every
    module that warned printed a deprecation warning. A later amazon.aws that stops doing so makes this a no-op.
    """

    def _should_inject_warnings(self):
        return False


def poll_window(params):
    """The window of the poll budget of a module with the wait options (2 x wait_max_delay), else the default."""
    if params.get("wait_max_delay") is None:
        return DEFAULT_POLL_WINDOW
    return 2 * max(params["wait_max_delay"], params.get("wait_delay") or 0)


class CallStats:
    """Thread-safe count of AWS HTTP requests and retries, reported by modules as api_calls/api_retries, and the
    cluster's budget of DescribeUpdate polls.

    The budget is enforced where a poll leaves: botocore's before-send hook of DescribeUpdate (``Clients``) calls
    ``await_poll_slot`` for every request it sends, retries and lookups of an update in progress included, so at
    most MAX_POLLS_PER_WINDOW are sent in any ``poll_window``, however late a loaded machine wakes a wait. The waits
    also plan their polls within it (``reserve_poll``) so that concurrent ones take turns instead of queueing.
    """

    def __init__(self, wall_offset=None, poll_window=DEFAULT_POLL_WINDOW, clock=time.monotonic, sleep=time.sleep):
        self._lock = threading.Lock()
        self.calls = 0
        self.retries = 0
        self.kube_retries = None  # Kubernetes requests retried (module_utils/kube.py); None: never reached it
        self.poll_window = poll_window
        self._clock = clock
        self._sleep = sleep
        self._planned = []  # the waits' planned polls (clock readings): their pacing
        self._sent = []  # polls sent (clock readings), this module's and those of earlier steps: the budget
        # Poll times cross processes (one module per step) as seconds since the epoch; waits keep the monotonic clock.
        self.wall_offset = time.time() - time.monotonic() if wall_offset is None else wall_offset

    def remember_polls(self, epoch_times):
        """Count the polls earlier steps sent on the cluster (``poll_times`` of their result) in the budget."""
        with self._lock:
            earlier = [at - self.wall_offset for at in epoch_times]
            self._planned = sorted(self._planned + earlier)
            self._sent = sorted(self._sent + earlier)

    def poll_times(self):
        """Every poll the cluster's steps sent so far (this module's and those it was given), seconds since the
        epoch: the next step's ``wait_poll_history``."""
        with self._lock:
            return [round(at + self.wall_offset, 3) for at in self._sent]

    def await_poll_slot(self):
        """Wait until one more poll keeps at most MAX_POLLS_PER_WINDOW in any ``poll_window``; return its time."""
        while True:
            with self._lock:
                now = self._clock()
                recent = [at for at in self._sent if at > now - self.poll_window]
                if len(recent) < MAX_POLLS_PER_WINDOW:
                    bisect.insort(self._sent, now)
                    return now
                room_at = recent[-MAX_POLLS_PER_WINDOW] + self.poll_window
            self._sleep(room_at - now)

    def reserve_poll(self, earliest, window):
        """The time, at or after ``earliest``, a wait plans its next poll for, keeping at most MAX_POLLS_PER_WINDOW
        planned in any ``window`` across all the module's waits (one after another or concurrent) and the polls of
        earlier steps it was given (``remember_polls``)."""
        with self._lock:
            recent = [at for at in self._planned if at > earliest - window]
            at = earliest
            if len(recent) >= MAX_POLLS_PER_WINDOW:
                at = max(earliest, recent[-MAX_POLLS_PER_WINDOW] + window)
            self._planned = sorted(recent + [at])
            return at

    def add(self, calls=0, retries=0, kube_retries=None):
        with self._lock:
            self.calls += calls
            self.retries += retries
            if kube_retries is not None:
                self.kube_retries = (self.kube_retries or 0) + kube_retries

    def add_response(self, response, retried=False):
        """Count one API call from its response (or a ClientError's): the HTTP attempts botocore made for it
        (its own retries, as configured by aws_config or AWS_MAX_ATTEMPTS) plus one when AWSRetry retried it."""
        botocore_retries = ((response or {}).get("ResponseMetadata") or {}).get("RetryAttempts") or 0
        self.add(calls=1 + botocore_retries, retries=botocore_retries + (1 if retried else 0))

    def as_dict(self):
        with self._lock:
            counts = {"api_calls": self.calls, "api_retries": self.retries}
            if self.kube_retries is not None:
                counts["kube_retries"] = self.kube_retries
            return counts


# The CallStats of the call a thread is sending (Clients._retried): Clients views (counting_apart) share boto3 clients.
_SENDING = threading.local()


def _gate_polls(**_event):
    """botocore's before-send hook of DescribeUpdate: every request sent, botocore's retries and lookups of an update
    in progress included, waits for room in the cluster's poll budget. Returns None: the request goes ahead."""
    stats = getattr(_SENDING, "stats", None)
    if stats is not None:
        stats.await_poll_slot()


class Clients:
    """amazon.aws clients of one module and region; every call is retried, counted and converted to ModuleError.

    ``region`` overrides the module's (eks_fleet_preflight works in several regions). Clients are created lazily
    under a lock (boto3 clients are thread-safe once created), so one instance may serve several threads.
    """

    def __init__(self, module, region=None, stats=None):
        self.module = module
        self.region = region or module.region
        if not self.region:
            raise ModuleError("AWS region unknown. Set region (or AWS_REGION / AWS_DEFAULT_REGION, or a region in "
                              "the AWS profile).")
        self.stats = stats or CallStats(poll_window=poll_window(getattr(module, "params", None) or {}))
        self._clients = {}
        self._lock = threading.Lock()

    def counting_apart(self, stats=None):
        """Clients on the same boto3 clients whose calls are counted in their own CallStats (``stats``, or new ones)."""
        view = copy.copy(self)
        view.stats = stats or CallStats()
        return view

    def client(self, service, use_endpoint_url=True):
        """The cached amazon.aws client of ``service`` (methods retry with ``aws_retry=True``)."""
        key = (service, use_endpoint_url)
        with self._lock:
            if key not in self._clients:
                extra = {} if use_endpoint_url else {"endpoint": None}
                client = self.module.client(service, retry_decorator=RETRY, region=self.region, **extra)
                if service == "eks":
                    client.meta.events.register("before-send.eks.DescribeUpdate", _gate_polls,
                                                unique_id="lifecycle.eks.poll_budget")
                self._clients[key] = client
            return self._clients[key]

    @property
    def eks(self):
        return self.client("eks")

    @property
    def ec2(self):
        return self.client("ec2")

    @property
    def s3(self):
        return self.client("s3")

    @property
    def dynamodb(self):
        return self.client("dynamodb")

    def call(self, action, fn, *args, **kwargs):
        """Run ``fn`` (an AWS call) under AWSRetry (throttling and 5xx), counting every attempt.

        Errors become ``ModuleError("Failed to <action>: <code>: <message>")``.
        """
        try:
            return self._retried(fn, *args, **kwargs)
        except (BotoCoreError, ClientError) as exc:
            raise aws_error(action, exc) from exc

    def find(self, action, missing, fn, *args, **kwargs):
        """``call``, except that an error whose code is in ``missing`` (not found) returns None."""
        try:
            return self._retried(fn, *args, **kwargs)
        except is_boto3_error_code(missing):
            return None
        except (BotoCoreError, ClientError) as exc:  # pylint: disable=duplicate-except
            raise aws_error(action, exc) from exc

    def _retried(self, fn, *args, **kwargs):
        attempts = []

        def attempt():
            """One attempt, counted here because the decorator retries it: a response (a dict) counts itself;
            ``fn`` returning anything else (pages, an object's body) counted its own requests."""
            retried = bool(attempts)
            attempts.append(None)
            _SENDING.stats = self.stats  # whose poll budget a DescribeUpdate sent now counts in (_gate_polls)
            try:
                response = fn(*args, **kwargs)
            except ClientError as exc:
                self.stats.add_response(exc.response, retried)
                raise
            except BotoCoreError:
                self.stats.add(calls=1, retries=1 if retried else 0)
                raise
            finally:
                _SENDING.stats = None
            if isinstance(response, dict):
                self.stats.add_response(response, retried)
            elif retried:
                self.stats.add(retries=1)
            return response

        return RETRY(attempt)()

    def _all_pages(self, action, client, operation, result_key, **kwargs):
        """Every item of a paginated call; a page that keeps failing restarts the (idempotent) listing."""
        paginator = client.get_paginator(operation)

        def every_page():
            items = []
            for page in paginator.paginate(**kwargs):
                self.stats.add_response(page)
                items.extend(page.get(result_key, []))
            return items

        return self.call(action, every_page)

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

    def update_nodegroup_config(self, name, nodegroup, update_config):
        """Start UpdateNodegroupConfig with only ``updateConfig`` (maxUnavailable(Percentage), updateStrategy)."""
        return self.call(f"update the configuration of node group {nodegroup} of cluster {name}",
                         self.eks.update_nodegroup_config, clusterName=name, nodegroupName=nodegroup,
                         updateConfig=update_config, clientRequestToken=_idempotency_token(None))["update"]

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
        response = self.find(f"describe add-on {addon} of cluster {name}", "ResourceNotFoundException",
                             self.eks.describe_addon, clusterName=name, addonName=addon)
        return response and response["addon"]

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
        return self.get_object_and_etag(bucket, key)[0]

    def get_object_and_etag(self, bucket, key):
        """``(content, ETag)`` of the object, ``(None, None)`` when the key does not exist."""
        def fetch():  # the body is read within the retried call: a broken download is retried too
            response = self.s3.get_object(Bucket=bucket, Key=key)
            self.stats.add_response(response)
            return response["Body"].read(), response.get("ETag")

        return self.find(f"read s3://{bucket}/{key}", S3_NO_SUCH_KEY, fetch) or (None, None)

    def put_object(self, bucket, key, body, content_type="application/json"):
        self.call(f"write s3://{bucket}/{key}", self.s3.put_object, Bucket=bucket, Key=key, Body=body,
                  ContentType=content_type)

    def replace_object(self, bucket, key, body, etag, content_type="application/json"):
        """PutObject only while the object is the one of ``etag`` (If-Match): false when it changed or went away."""
        return self.find(f"replace s3://{bucket}/{key}", S3_KEY_CHANGED, self.s3.put_object, Bucket=bucket, Key=key,
                         Body=body, ContentType=content_type, IfMatch=etag) is not None

    def create_object(self, bucket, key, body, content_type="application/json"):
        """PutObject only when the key does not exist (If-None-Match: *): false when it does."""
        return self.find(f"create s3://{bucket}/{key}", S3_KEY_EXISTS, self.s3.put_object, Bucket=bucket, Key=key,
                         Body=body, ContentType=content_type, IfNoneMatch="*") is not None

    def delete_object(self, bucket, key, etag=None):
        """DeleteObject; with ``etag``, only while the object is that one (If-Match): false when it changed."""
        if etag is None:
            self.call(f"delete s3://{bucket}/{key}", self.s3.delete_object, Bucket=bucket, Key=key)
            return True
        return self.find(f"delete s3://{bucket}/{key}", S3_KEY_CHANGED, self.s3.delete_object, Bucket=bucket,
                         Key=key, IfMatch=etag) is not None

    # DynamoDB (checkpoints)

    def get_item(self, table, key):
        """The item with ``key`` (a strongly consistent read, so a rerun sees the last write), or None."""
        response = self.call(f"read item {_item_key(key)} of DynamoDB table {table}", self.dynamodb.get_item,
                             TableName=table, Key=key, ConsistentRead=True)
        return response.get("Item")

    def put_item(self, table, key, attributes, unless_changed=None):
        """PutItem of the item ``key`` with ``attributes`` (both in DynamoDB's typed form). ``unless_changed``
        (attribute name, typed value): only while the item holds that value, false when it no longer does."""
        return self._conditional(f"write item {_item_key(key)} of DynamoDB table {table}", unless_changed,
                                 self.dynamodb.put_item, TableName=table, Item=dict(attributes, **key))

    def create_item(self, table, key, attributes, key_name):
        """PutItem only when no item has ``key`` (attribute_not_exists of the key ``key_name``): false when one has."""
        return self.find(f"create item {_item_key(key)} of DynamoDB table {table}", DYNAMODB_CONDITION_FAILED,
                         self.dynamodb.put_item, TableName=table, Item=dict(attributes, **key),
                         ConditionExpression="attribute_not_exists(#key)",
                         ExpressionAttributeNames={"#key": key_name}) is not None

    def delete_item(self, table, key, unless_changed=None):
        """DeleteItem; ``unless_changed`` as for put_item."""
        return self._conditional(f"delete item {_item_key(key)} of DynamoDB table {table}", unless_changed,
                                 self.dynamodb.delete_item, TableName=table, Key=key)

    def _conditional(self, action, unless_changed, fn, **kwargs):
        if unless_changed is None:
            self.call(action, fn, **kwargs)
            return True
        name, value = unless_changed
        return self.find(action, DYNAMODB_CONDITION_FAILED, fn, ConditionExpression="#held = :held",
                         ExpressionAttributeNames={"#held": name}, ExpressionAttributeValues={":held": value},
                         **kwargs) is not None

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
         sleep=time.sleep, clock=time.monotonic, on_poll=None, since=None, first_delay=None):
    """Call ``fetch()`` until ``done(result)``; return ``(result, waited_s)``, or ``(None, waited_s)`` at the deadline.

    The waiting policy of every wait of the collection (botocore has no waiter for DescribeUpdate or
    DescribeInsightsRefresh). The first poll comes after ``min_delay`` (sooner when ``expected_duration``
    is short), counted from ``since`` when the awaited work started earlier (a ``clock()`` reading: one of several
    updates started together and waited on one after another is polled as soon as its first delay is over), or
    after ``first_delay`` when that is longer (how long a like update took: the polls saved keep the budget free for
    when it ends); later delays grow x1.5 up to ``max_delay``; throttling (a ThrottlingException that
    survived the retries, or retries counted in ``stats``) triples the delay (up to 2 x max_delay). The waits
    sharing ``stats`` plan at most 6 polls in any window of 2 x max_delay (one minute at the default 30 s); a
    final poll at the deadline may be planned beyond that, and waits, like every DescribeUpdate sent, for room in
    the budget (``CallStats.await_poll_slot``). ``on_poll(result)`` sees every polled result.
    """
    start = clock()
    deadline = start + timeout
    window = 2 * max_delay
    delay = min(min_delay, max(1.0, expected_duration / 10.0)) if expected_duration else min_delay
    first_at = (start if since is None else min(since, start)) + max(delay, first_delay or 0)
    while True:
        now = clock()
        # The budget is per module (per cluster), shared by its waits: a multi-hop upgrade or node groups
        # waited on together still poll at most 6 times a minute.
        earliest, first_at = (max(now, first_at) if first_at is not None else now + delay), None
        poll_at = min(stats.reserve_poll(earliest, window), deadline)
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
                    min_delay=5.0, max_delay=30.0, sleep=time.sleep, clock=time.monotonic, on_poll=None, since=None,
                    first_delay=None):
    """Poll DescribeUpdate (see ``poll``; ``since``: the ``clock()`` reading the update started at, when earlier;
    ``first_delay``: how long a like update took) until the update leaves InProgress and return it.

    ``on_poll(update)`` sees every polled update. Raises UpdateTimeout after ``timeout`` s.
    """
    update, waited = poll(
        lambda: clients.describe_update(cluster, update_id, nodegroup=nodegroup, addon=addon),
        lambda found: found.get("status") != UPDATE_IN_PROGRESS, clients.stats, timeout=timeout,
        expected_duration=expected_duration, min_delay=min_delay, max_delay=max_delay, sleep=sleep, clock=clock,
        on_poll=on_poll, since=since, first_delay=first_delay)
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


def presigned_eks_token(clients, cluster_name):
    """The bearer token ``aws eks get-token`` prints: a presigned STS GetCallerIdentity URL for the cluster.

    Signed locally with the module's amazon.aws credentials, no network call; the token is a credential: never
    log or return it. The STS client ignores the endpoint_url option because the EKS authenticator only accepts
    genuine STS hosts.
    """
    sts = clients.client("sts", use_endpoint_url=False)
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
