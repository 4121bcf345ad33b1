# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: UP001, UP009, UP010 -- Ansible's plugin boilerplate (coding, __future__, __metaclass__)
from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    # Our Kubernetes options beside kubernetes.core.k8s_auth_options (common.kube_argument_spec()). Listed BEFORE
    # kubernetes.core.k8s_auth_options in extends_documentation_fragment: fragments merge option by option, key by
    # key, the earlier winning, so the empty aliases here keep kubernetes.core's verify_ssl alias off validate_certs,
    # which is the AWS option in these modules (documented by the AWS fragment; kubernetes.core's is
    # kube_validate_certs here).
    DOCUMENTATION = r"""
options:
  validate_certs:
    aliases: []
  kube_validate_certs:
    description:
      - Whether to verify the Kubernetes API server's certificate. This is the O(validate_certs) option of
        kubernetes.core's modules (its alias V(verify_ssl) is accepted); in this module O(validate_certs) applies
        to the AWS APIs.
      - When unset, the E(K8S_AUTH_VERIFY_SSL) (or E(K8S_AUTH_VALIDATE_CERTS)) environment variable is used, else
        the kubeconfig's setting; certificates are verified by default.
    type: bool
    aliases: [verify_ssl]
  kube_retry_timeout:
    description:
      - How long, in seconds, Kubernetes API requests are retried once one fails with a connection error, HTTP 429
        or a 5xx answer. The module's requests share this time for one outage (once it is spent, the next request
        that fails gives up at once; a request that gets an answer ends the outage). During and right after a
        control-plane update EKS replaces the API server instances behind the endpoint's name (the name and the
        certificate authority stay), so the API can be out of reach for a while.
      - Retries back off from 0.5 s, doubling up to 10 s (or wait as long as the answer's C(Retry-After) says). A
        connection that failed is replaced by a new one, which resolves the endpoint's name again. A TLS failure (a
        CA or certificate that does not match) is not retried.
      - V(0) does not retry. Each retry counts in the module's C(kube_retries) result.
      - When unset, the E(LIFECYCLE_EKS_KUBE_RETRY_TIMEOUT) environment variable is used.
    type: int
    default: 300
notes:
  - The Kubernetes connection options are those of kubernetes.core, with their E(K8S_AUTH_*) environment variables.
    When none of O(kubeconfig), O(context), O(host), O(api_key), O(username), O(password), O(ca_cert),
    O(client_cert) and O(client_key) is set (neither as an option nor through its variable), the module reads no
    kubeconfig (not E(KUBECONFIG), not C(~/.kube/config)) and no in-cluster service account. It connects to the
    cluster endpoint EKS reports, trusts the cluster's certificate authority, and authenticates with the token
    C(aws eks get-token) prints, signed with the module's AWS credentials (the IAM identity needs an EKS access
    entry or an C(aws-auth) mapping). O(kube_validate_certs), O(proxy), O(no_proxy), O(proxy_headers),
    O(impersonate_user) and O(impersonate_groups) apply either way.
  - The kubeconfig is never modified unless O(persist_config=true).
requirements:
  - kubernetes >= 29.0.0
"""
