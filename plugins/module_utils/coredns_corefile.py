# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The discontinued ``upstream`` option in a CoreDNS Corefile: the text functions, and its removal from the cluster's
ConfigMap (eks_coredns_corefile, and eks_cluster_upgrade's fix_coredns_upstream before its first hop)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError
from ansible_collections.lifecycle.eks.plugins.module_utils.kube import KubeApis, k8s_call, kube_client

# A whole line that is the ``upstream`` option: any indentation (spaces or tabs), optionally addresses after it
# (CoreDNS ignores them since 1.5 and, like the bare option, refuses them since 1.7, which is why its own
# corefile-migration tool drops the option whatever its arguments), trailing blanks or a comment, and its line
# end: LF, CRLF, or none at the end of the Corefile. A `{` or `}` on the line means it is something else.
UPSTREAM_LINE = re.compile(r"^[ \t]*upstream(?:[ \t]+[^\r\n#{}]*)?(?:#[^\r\n]*)?(?:\r?\n|\r?\Z)", re.MULTILINE)


def without_upstream(corefile):
    """The Corefile minus every ``upstream`` line; every other byte stays as it was."""
    return UPSTREAM_LINE.sub("", corefile)


def has_upstream(corefile):
    return UPSTREAM_LINE.search(corefile) is not None


def fix_corefile(params, clients, remove, check_mode, diff):
    """Read kube-system/coredns's Corefile and, with ``remove``, patch it without its ``upstream`` line (not in check
    mode): ``changed``, ``had_upstream``, ``corefile`` (after the change, or as read) and, with ``diff``, ``diff``."""
    apis = KubeApis(kube_client(params, clients=clients))
    config_map = k8s_call("read ConfigMap kube-system/coredns", apis.core.read_namespaced_config_map,
                          "coredns", "kube-system")
    corefile = (config_map.data or {}).get("Corefile")
    if corefile is None:
        raise ModuleError("ConfigMap kube-system/coredns has no Corefile key.")
    had_upstream = has_upstream(corefile)
    changed = had_upstream and remove
    fixed = without_upstream(corefile) if changed else corefile
    result = {"changed": changed, "had_upstream": had_upstream, "corefile": fixed}
    if diff:
        header = "kube-system/coredns Corefile"
        result["diff"] = {"before": corefile, "after": fixed, "before_header": header, "after_header": header}
    if changed and not check_mode:
        k8s_call("patch ConfigMap kube-system/coredns", apis.core.patch_namespaced_config_map, "coredns",
                 "kube-system", {"data": {"Corefile": fixed}})
    return result
