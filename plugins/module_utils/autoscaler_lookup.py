# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""eks_cluster_autoscaler_release's body: the Cluster Autoscaler release for one cluster's minor (its Deployment's
image, the registry's tags or a pinned release), run by the module alone or by lifecycle.eks.eks_wave for a wave of
clusters (module_utils/wave.py). The choice itself is autoscaler_release's (no I/O)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lifecycle.eks.plugins.module_utils import autoscaler_release as logic
from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError
from ansible_collections.lifecycle.eks.plugins.module_utils.controller_table import (
    CLUSTER_AUTOSCALER_RELEASES_RECORDED,
    CLUSTER_AUTOSCALER_RELEASES_SOURCE,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.kube import KubeApis, kube_client, not_found_is_none
from ansible_collections.lifecycle.eks.plugins.module_utils.oci_registry import RegistryClient, RegistryError
from ansible_collections.lifecycle.eks.plugins.module_utils.workload_image import container_of


def argument_spec():
    """eks_cluster_autoscaler_release's own options (runner.module_argument_spec adds the cluster and Kubernetes
    ones)."""
    return dict(
        kubernetes_version=dict(type="str", required=True),
        namespace=dict(type="str", default="kube-system"),
        workload=dict(type="str", default="cluster-autoscaler"),
        container=dict(type="str"),
        release=dict(type="str"),
        release_option_name=dict(type="str", default="release"),
        registry=dict(type="str"),
        registry_validate_certs=dict(type="bool", default=True),
        registry_ca_path=dict(type="path"),
        registry_timeout=dict(type="int", default=10),
    )


def find_release(module, clients):
    params = module.params
    try:
        minor = logic.parse_minor(params["kubernetes_version"])
        named = logic.registry_option(params["registry"]) if params["registry"] else None
    except ValueError as exc:
        raise ModuleError(str(exc)) from None
    result = {"changed": False, "found": False, "kubernetes_version": logic.minor_text(minor), "warnings_found": [],
              "registry_requests": 0, "table_recorded": {"recorded": CLUSTER_AUTOSCALER_RELEASES_RECORDED,
                                                         "source": CLUSTER_AUTOSCALER_RELEASES_SOURCE}}
    label = "Deployment %s/%s" % (params["namespace"], params["workload"])
    apis = KubeApis(kube_client(params, clients=clients))
    obj = not_found_is_none("read " + label, apis.apps.read_namespaced_deployment, params["workload"],
                            params["namespace"])
    if obj is None:
        return result
    image = container_of(obj, params["container"], label).image
    try:
        registry, repository = named or logic.split_repository(image)
    except ValueError as exc:
        raise ModuleError("%s: its image %s; set registry to where its releases are." % (label, exc)) from None
    where = "%s/%s" % (registry, repository)
    tags, error = None, None
    client = RegistryClient(params["registry_validate_certs"], params["registry_ca_path"],
                            params["registry_timeout"])
    if not params["release"]:
        try:
            tags = client.tags(registry, repository)
        except RegistryError as exc:
            error = str(exc)
    choice = logic.choose(minor, pinned=params["release"], registry_tags=tags, registry_error=error, repository=where,
                          option_hint=params["release_option_name"])
    for warning in choice["warnings"]:
        module.warn(warning["message"] + " " + warning["remediation"])
    result.update(found=True, image=image, repository=where, tag=choice["tag"], source=choice["source"],
                  warnings_found=choice["warnings"], registry_requests=client.requests)
    return result
