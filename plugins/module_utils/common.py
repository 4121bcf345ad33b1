# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: UP001, UP009, UP010 -- Ansible's module_utils boilerplate (coding, __future__, __metaclass__)
"""Shared argument specs and error handling of the lifecycle.eks modules (the AWS options are amazon.aws's).

Kept free of third-party imports so every module can import it before checking for boto3/kubernetes.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible.module_utils.basic import env_fallback


def kube_argument_spec():
    """Kubernetes connection options; when both are unset the module authenticates to EKS itself."""
    return dict(
        kubeconfig=dict(type="path", fallback=(env_fallback, ["K8S_AUTH_KUBECONFIG"])),
        context=dict(type="str", fallback=(env_fallback, ["K8S_AUTH_CONTEXT"])),
        kube_retry_timeout=dict(type="int", default=300,
                                fallback=(env_fallback, ["LIFECYCLE_EKS_KUBE_RETRY_TIMEOUT"])),
    )


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
