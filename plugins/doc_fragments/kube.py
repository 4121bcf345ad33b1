# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: UP001, UP009, UP010 -- Ansible's plugin boilerplate (coding, __future__, __metaclass__)
from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    # Kubernetes connection options of the lifecycle.eks modules that read the cluster's API
    # (common.kube_argument_spec()).
    DOCUMENTATION = r"""
options:
  kubeconfig:
    description:
      - Path to a kubeconfig file used to reach the cluster's Kubernetes API.
      - When unset, the E(K8S_AUTH_KUBECONFIG) environment variable is used.
      - When neither O(kubeconfig) nor O(context) is set, the module does not read any kubeconfig
        (E(KUBECONFIG) and C(~/.kube/config) included). It connects straight to the cluster endpoint
        returned by EKS, trusts the cluster's certificate authority, and authenticates with the same
        token C(aws eks get-token) prints, signed with the module's AWS credentials. The IAM identity
        then needs access to the cluster (an EKS access entry or an C(aws-auth) mapping).
      - The file is never modified.
    type: path
  context:
    description:
      - The kubeconfig context to use instead of the file's current context.
      - When unset, the E(K8S_AUTH_CONTEXT) environment variable is used.
      - Setting only O(context) selects it from the default kubeconfig (E(KUBECONFIG), else
        C(~/.kube/config)).
    type: str
  kube_retry_timeout:
    description:
      - How long, in seconds, Kubernetes API requests are retried once one fails with a connection error, HTTP 429
        or a 5xx answer. The module's requests share this time for one outage (once it is spent, the next request
        that fails gives up at once; a request that gets an answer ends the outage). During and right after a
        control-plane update EKS replaces the API server instances (their addresses and certificates change), so
        the API can be out of reach for a while.
      - Retries back off from 0.5 s, doubling up to 10 s, and reconnect each time. Without O(kubeconfig) and
        O(context), the endpoint and certificate authority are read again from EKS before reconnecting.
      - V(0) does not retry. Each retry counts in the module's C(kube_retries) result.
      - When unset, the E(LIFECYCLE_EKS_KUBE_RETRY_TIMEOUT) environment variable is used.
    type: int
    default: 300
requirements:
  - kubernetes >= 29.0.0
"""

    # The same options in the modules that never reach the Kubernetes API (runner.eks_module(uses_kubernetes=False)):
    # accepted so that one module_defaults entry serves the whole action group, and no kubernetes library needed.
    UNUSED = r"""
options:
  kubeconfig:
    description:
      - Not used; the module does not reach the Kubernetes API and does not need the kubernetes library.
      - Accepted so that one C(module_defaults) entry for C(group/lifecycle.eks.eks) serves every module.
    type: path
  context:
    description:
      - Not used; the module does not reach the Kubernetes API and does not need the kubernetes library.
      - Accepted so that one C(module_defaults) entry for C(group/lifecycle.eks.eks) serves every module.
    type: str
  kube_retry_timeout:
    description:
      - Not used; the module does not reach the Kubernetes API and does not need the kubernetes library.
      - Accepted so that one C(module_defaults) entry for C(group/lifecycle.eks.eks) serves every module.
    type: int
    default: 300
"""
