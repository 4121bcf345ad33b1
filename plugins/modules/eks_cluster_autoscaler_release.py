#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_cluster_autoscaler_release
short_description: Find the latest Cluster Autoscaler release for a Kubernetes minor in the image registry it runs from
version_added: 0.1.0
description:
  - Step 6 of AWS's I(Updating an Amazon EKS cluster Kubernetes version) procedure finds I(the latest Cluster
    Autoscaler version that matches the cluster's Kubernetes major and minor version). This module finds it for
    O(kubernetes_version) and returns the tag; M(lifecycle.eks.eks_workload_image) sets it. Read-only.
  - The Cluster Autoscaler Deployment (O(namespace)/O(workload)) is read for its image. The tags are read from
    O(registry) when set, else from the registry and repository of that image (a mirror is read as the mirror),
    with the OCI distribution API's tags list (C(GET /v2/<repository>/tags/list)), anonymously. A registry that
    asks for a token (C(WWW-Authenticate) C(Bearer)) gets an anonymous one from its token service; pages are
    followed (C(Link) header).
  - The latest C(v1.N.P) (or C(1.N.P)) tag of the minor is chosen. Pre-releases (C(v1.31.0-rc.1)), per-architecture
    and other tags are ignored.
  - When the registry cannot be read (unreachable, refused, a certificate or HTTP error), the release comes from the
    table shipped with the collection (its date and source in the warning), with a warning saying so. When the
    registry answers without a release of the minor, or neither registry nor table knows one, no tag is returned
    and the warning names what to set. Warnings are also in RV(warnings_found), shaped as preflight checks.
  - O(release) pins a tag and skips the registry.
  - A Deployment that does not exist is reported (C(found=false)) and nothing else is read.
author:
  - lifecycle.eks contributors (!UNKNOWN)
options:
  kubernetes_version:
    description: The Kubernetes minor the Cluster Autoscaler must match, for example V(1.31).
    type: str
    required: true
  namespace:
    description: Namespace of the Cluster Autoscaler Deployment.
    type: str
    default: kube-system
  workload:
    description: Name of the Cluster Autoscaler Deployment.
    type: str
    default: cluster-autoscaler
  container:
    description: Container whose image is read. The first container when unset.
    type: str
  release:
    description:
      - The tag to use for O(kubernetes_version), for example V(v1.31.5). The registry and the table are not read.
    type: str
  release_option_name:
    description:
      - How a warning names what to set when no release is found (the role passes its inventory variable).
    type: str
    default: release
  registry:
    description:
      - Registry host and repository to read the tags from instead of the Deployment's image, for example
        V(mirror.example.com/autoscaling/cluster-autoscaler). Read over HTTPS.
    type: str
  registry_validate_certs:
    description:
      - Check the registry's certificate (O(validate_certs) is the AWS APIs' and O(kube_validate_certs) the
        Kubernetes API's).
    type: bool
    default: true
  registry_ca_path:
    description: PEM file of the certificate authorities the registry's certificate is checked against.
    type: path
  registry_timeout:
    description: Seconds to wait for each registry request.
    type: int
    default: 10
extends_documentation_fragment:
  - lifecycle.eks.cluster
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - lifecycle.eks.kube
  - kubernetes.core.k8s_auth_options
  - lifecycle.eks.attributes
  - lifecycle.eks.wave_result
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
notes:
  - Only anonymous pulls are supported; a registry that needs credentials falls back to the table with a warning.
"""

EXAMPLES = r"""
- name: Latest Cluster Autoscaler for Kubernetes 1.31, from the registry its Deployment pulls from
  lifecycle.eks.eks_cluster_autoscaler_release:
    cluster_name: prod-eu
    kubernetes_version: "1.31"
  register: autoscaler_release

- name: Set it
  lifecycle.eks.eks_workload_image:
    cluster_name: prod-eu
    kind: Deployment
    workload: cluster-autoscaler
    tag: "{{ autoscaler_release.tag }}"
  when: autoscaler_release.found and autoscaler_release.tag

- name: From a mirror with a private CA
  lifecycle.eks.eks_cluster_autoscaler_release:
    cluster_name: prod-eu
    kubernetes_version: "1.31"
    registry: mirror.example.com/autoscaling/cluster-autoscaler
    registry_ca_path: /etc/pki/mirror-ca.pem
"""

RETURN = r"""
found:
  description: Whether the Deployment exists.
  returned: always
  type: bool
image:
  description: The Deployment's image.
  returned: when found
  type: str
  sample: registry.k8s.io/autoscaling/cluster-autoscaler:v1.30.4
repository:
  description: The registry host and repository whose tags were read (or would be, with O(release)).
  returned: when found
  type: str
  sample: registry.k8s.io/autoscaling/cluster-autoscaler
kubernetes_version:
  description: The minor the release is for.
  returned: always
  type: str
  sample: "1.31"
tag:
  description: The release to run, or null when none was found.
  returned: when found
  type: str
  sample: v1.31.5
source:
  description:
    - Where RV(tag) comes from, V(registry), V(table) (the registry could not be read), V(option) (O(release)), or
      null when no release was found.
  returned: when found
  type: str
  sample: registry
table_recorded:
  description: The day the shipped table was recorded, and its source.
  returned: always
  type: dict
  sample: {"recorded": "2026-12-05", "source": "https://github.com/kubernetes/autoscaler/releases"}
warnings_found:
  description: Warnings (id, status, message, remediation), as preflight checks are shaped.
  returned: always
  type: list
  elements: dict
registry_requests:
  description: HTTP requests sent to the registry and its token service.
  returned: always
  type: int
kube_retries:
  description: Kubernetes API requests retried.
  returned: always
  type: int
"""

from ansible_collections.lifecycle.eks.plugins.module_utils.autoscaler_lookup import argument_spec, find_release
from ansible_collections.lifecycle.eks.plugins.module_utils.runner import eks_module, run, with_wave_result


def main():
    run(eks_module(with_wave_result(argument_spec())), find_release)


if __name__ == "__main__":
    main()
