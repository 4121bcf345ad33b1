# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: UP001, UP009, UP010 -- Ansible's module_utils boilerplate (coding, __future__, __metaclass__)
"""Shared argument specs and error handling of the lifecycle.eks modules (the AWS options are amazon.aws's).

Kept free of third-party libraries (kubernetes.core's args_common is plain Python) so every module can import it
before checking for boto3/kubernetes.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import datetime

from ansible.module_utils.basic import env_fallback
from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC


def kube_argument_spec():
    """Kubernetes connection options: kubernetes.core's auth options (doc fragment kubernetes.core.k8s_auth_options,
    K8S_AUTH_* variables read by kube.kube_client() as kubernetes.core reads them) and our retry budget (doc
    fragment lifecycle.eks.kube). When none names the cluster, the module authenticates to EKS itself.

    kubernetes.core's validate_certs is kube_validate_certs here (alias verify_ssl, its own alias): in these modules
    validate_certs is the AWS option.
    """
    spec = copy.deepcopy(AUTH_ARG_SPEC)
    spec["kube_validate_certs"] = spec.pop("validate_certs")
    spec["kube_retry_timeout"] = dict(type="int", default=300,
                                      fallback=(env_fallback, ["LIFECYCLE_EKS_KUBE_RETRY_TIMEOUT"]))
    return spec


def cluster_argument_spec():
    """The EKS cluster a module works on."""
    return dict(cluster_name=dict(type="str", required=True, aliases=["name"]))


class ModuleError(Exception):
    """An error a module reports with fail_json: a complete message plus machine-readable details."""

    def __init__(self, message, details=None):
        super().__init__(message)
        self.message = message
        self.details = dict(details or {})

    @property
    def error_code(self):
        """The AWS error code (e.g. ``ThrottlingException``), when the error came from AWS."""
        return self.details.get("error_code")


def fail(module, exc, **result):
    """Fail the module with the error's message, its details and any partial ``result`` keys."""
    module.fail_json(msg=exc.message, **dict(result, **exc.details))


def aws_error(action, exc):
    """Turn a ClientError/BotoCoreError into ``ModuleError("Failed to <action>: <code>: <message>")``.

    Uses duck typing so this module needs no botocore import.
    """
    response = getattr(exc, "response", None) or {}
    error = response.get("Error") or {}
    metadata = response.get("ResponseMetadata") or {}
    code = error.get("Code")
    message = error.get("Message") or str(exc)
    details = {
        "error_code": code,
        "http_status": metadata.get("HTTPStatusCode"),
        "request_id": metadata.get("RequestId"),
    }
    text = f"{code}: {message}" if code else message
    return ModuleError(
        f"Failed to {action}: {text}",
        {key: value for key, value in details.items() if value is not None},
    )


def json_friendly(data):
    """Deep copy of a boto3 response fit for exit_json: dates as ISO 8601, no ResponseMetadata."""
    if isinstance(data, dict):
        return {key: json_friendly(value) for key, value in data.items() if key != "ResponseMetadata"}
    if isinstance(data, (list, tuple)):
        return [json_friendly(item) for item in data]
    if isinstance(data, (datetime.datetime, datetime.date)):
        return data.isoformat()
    return data
