"""Clients of an amazon.aws AnsibleAWSModule built in this process, for the unit tests of module_utils."""
from __future__ import annotations

from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.lifecycle.eks.plugins.module_utils.aws import Clients
from tests.conftest import module_args


def aws_module(**params: Any) -> AnsibleAWSModule:
    """An AnsibleAWSModule whose arguments are ``params`` (amazon.aws's options, environment fallbacks applied)."""
    with module_args(params):
        return AnsibleAWSModule(argument_spec={})


def aws_clients(**params: Any) -> Clients:
    return Clients(aws_module(**params))
