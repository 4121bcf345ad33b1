# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Step 7: what to do with one NVIDIA device plugin DaemonSet to bring it to a release. Pure: objects are the API's
JSON (camelCase dicts); eks_nvidia_device_plugin reads and writes them.

The release's pod template (nvidia_device_plugin_manifests) is merged into the live one as C(kubectl apply) of the
release's manifest would, three ways: the live template, the release's, and the base, the manifest of the release
the DaemonSet runs now (what an earlier apply set). For each field of the pod spec and of the device plugin's
container:

- the release sets it: the release's value (a live value holding everything the release's has is left as is: the
  API server adds defaults);
- the release does not set it but the base did, with the value the DaemonSet still has: removed (the manifest
  dropped it);
- otherwise: the live value, kept (set by the user: nodeSelector, affinity, resources...).

Lists and maps whose entries users add to are merged by entry with the same rule: tolerations (by the whole
toleration), env (by name), volumes (by name), volumeMounts (by mountPath), nodeSelector and the template's
annotations (by key). The template's labels, the DaemonSet's name, namespace and selector, the image's registry
and repository, the container's name and every other container are the DaemonSet's own and never changed.
Without a base (a release not shipped), nothing is removed.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.lifecycle.eks.plugins.module_utils import gpu
from ansible_collections.lifecycle.eks.plugins.module_utils import nvidia_device_plugin_manifests as manifests
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import image_tag, with_tag

HELM_MANAGED_BY = ("app.kubernetes.io/managed-by", "Helm")
HELM_RELEASE = "meta.helm.sh/release-name"
HELM_RELEASE_NAMESPACE = "meta.helm.sh/release-namespace"
HELM_CHART_LABEL = "helm.sh/chart"
HELM_INSTANCE_LABEL = "app.kubernetes.io/instance"
CHART = "nvidia-device-plugin"
CHART_REPOSITORY = "https://nvidia.github.io/k8s-device-plugin"
# Entry keys of the lists merged by entry; None: the whole entry.
SPEC_LISTS = {"tolerations": None, "volumes": "name"}
CONTAINER_LISTS = {"env": "name", "volumeMounts": "mountPath"}
MAPS = ("nodeSelector",)
NEVER_CHANGED_CONTAINER_FIELDS = ("name", "image")


def parse_release(tag):
    """A release tag ("v0.17.1") as a comparable tuple, or None when it is not one."""
    parts = (tag or "").lstrip("v").split(".")
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        return None
    return tuple(int(part) for part in parts)


def helm_owner(metadata):
    """{release, namespace, chart, chart_version} of the Helm release that installed an object (Helm's
    app.kubernetes.io/managed-by label or meta.helm.sh annotations), else None."""
    labels = metadata.get("labels") or {}
    annotations = metadata.get("annotations") or {}
    if labels.get(HELM_MANAGED_BY[0]) != HELM_MANAGED_BY[1] and HELM_RELEASE not in annotations:
        return None
    chart_label = labels.get(HELM_CHART_LABEL) or ""
    chart, _dash, chart_version = chart_label.rpartition("-")
    return {"release": annotations.get(HELM_RELEASE) or labels.get(HELM_INSTANCE_LABEL),
            "namespace": annotations.get(HELM_RELEASE_NAMESPACE) or metadata.get("namespace"),
            "chart": chart or None, "chart_version": chart_version or None}


def helm_remediation(owner, release):
    """What to run so that Helm brings the device plugin to ``release``: its chart's version is the release's."""
    version = release.lstrip("v")
    if owner["chart"] not in (None, CHART):
        return ("Helm release %s (namespace %s, chart %s) owns it: set the NVIDIA device plugin image of that chart "
                "to %s and upgrade the release." % (owner["release"], owner["namespace"], owner["chart"], release))
    return ("Helm release %s (namespace %s) owns it: helm repo add nvdp %s && helm repo update && helm upgrade %s "
            "nvdp/%s --namespace %s --version %s --reuse-values" % (
                owner["release"], owner["namespace"], CHART_REPOSITORY, owner["release"], CHART, owner["namespace"],
                version))


def _covers(live, wanted):
    """Whether a live value has everything ``wanted`` has (extra keys: defaults the API server added; an absent
    value: the empty list or map the API server leaves out)."""
    if live is None and wanted in ({}, []):
        return True
    if isinstance(wanted, dict):
        return isinstance(live, dict) and all(_covers(live.get(key), value) for key, value in wanted.items())
    if isinstance(wanted, list):
        return isinstance(live, list) and len(live) == len(wanted) and all(map(_covers, live, wanted))
    return live == wanted


def _entry_key(entry, key):
    if key is None:
        return tuple(sorted((k, str(v)) for k, v in entry.items()))
    return entry.get(key)


def merge_entries(live, release, base, key):
    """A list merged by entry: the release's entries (a live one covering it kept as is), then the live entries
    the release does not have, but those the base set and the DaemonSet still has as the base had them."""
    live, release, base = live or [], release or [], base or []
    by_key = {_entry_key(e, key): e for e in live}
    release_keys = {_entry_key(e, key) for e in release}
    base_by_key = {_entry_key(e, key): e for e in base}
    merged = [by_key[_entry_key(e, key)] if _covers(by_key.get(_entry_key(e, key)), e) else e for e in release]
    for entry in live:
        entry_key = _entry_key(entry, key)
        if entry_key in release_keys:
            continue
        if entry_key in base_by_key and _covers(entry, base_by_key[entry_key]):
            continue
        merged.append(entry)
    return merged


def merge_map(live, release, base):
    """A map merged by key, by the same rule as merge_entries()."""
    live, release, base = live or {}, release or {}, base or {}
    merged = {k: v for k, v in live.items() if k not in release and not (k in base and base[k] == v)}
    merged.update(release)
    return merged


def merge_fields(live, release, base, lists, maps=()):
    """The fields of a pod spec or a container (lists merged by entry, maps by key). A list or map the merge
    leaves empty is written only where the live object has the field and the release sets it, or the user set it
    empty (the API server leaves empty ones out: absent and empty are the same)."""
    merged = {}
    for field in list(live) + [f for f in list(release) + list(base) if f not in live]:
        if field in merged:
            continue
        if field in lists:
            value = merge_entries(live.get(field), release.get(field), base.get(field), lists[field])
            if value or (field in live and (field in release or not (live[field] or field in base))):
                merged[field] = value
            continue
        if field in maps:
            value = merge_map(live.get(field), release.get(field), base.get(field))
            if value or (field in live and (field in release or not (live[field] or field in base))):
                merged[field] = value
            continue
        if field in release:
            merged[field] = live[field] if _covers(live.get(field), release[field]) else release[field]
        elif field in live and not (field in base and _covers(live[field], base[field])):
            merged[field] = live[field]
    return merged


def plugin_container_index(pod_spec):
    """The position of the device plugin's container in a pod spec (the first running k8s-device-plugin)."""
    return next(i for i, c in enumerate(pod_spec.get("containers") or []) if gpu.is_device_plugin([c.get("image")]))


def merge_template(live, release, base):
    """The live pod template brought to the release's (``base``: the manifest of the live release, or None)."""
    base = base or {"metadata": {}, "spec": {"containers": [{}]}}
    merged = copy.deepcopy(live)
    live_spec, release_spec, base_spec = live.get("spec") or {}, release["spec"], base["spec"]
    annotations = merge_map((live.get("metadata") or {}).get("annotations"),
                            release["metadata"].get("annotations"), base["metadata"].get("annotations"))
    merged.setdefault("metadata", {}).pop("annotations", None)
    if annotations:
        merged["metadata"]["annotations"] = annotations
    others = ("containers",)
    spec = merge_fields({k: v for k, v in live_spec.items() if k not in others},
                        {k: v for k, v in release_spec.items() if k not in others},
                        {k: v for k, v in base_spec.items() if k not in others}, SPEC_LISTS, MAPS)
    index = plugin_container_index(live_spec)
    containers = copy.deepcopy(live_spec["containers"])
    live_container, [release_container], [base_container] = containers[index], release_spec["containers"], \
        base_spec["containers"]
    fixed = NEVER_CHANGED_CONTAINER_FIELDS
    container = merge_fields({k: v for k, v in live_container.items() if k not in fixed},
                             {k: v for k, v in release_container.items() if k not in fixed},
                             {k: v for k, v in base_container.items() if k not in fixed}, CONTAINER_LISTS)
    container = dict({"name": live_container["name"],
                      "image": with_tag(live_container["image"], image_tag(release_container["image"]))},
                     **container)
    containers[index] = container
    spec["containers"] = containers
    merged["spec"] = spec
    return merged


def template_changes(before, after):
    """The pod template fields that differ: [{field, before, after}] (None: absent), by field path."""
    changes = []

    def compare(path, old, new):
        for field in sorted(set(old) | set(new)):
            if old.get(field) != new.get(field):
                changes.append({"field": path + field, "before": old.get(field), "after": new.get(field)})

    compare("metadata.", {"annotations": (before.get("metadata") or {}).get("annotations")},
            {"annotations": (after.get("metadata") or {}).get("annotations")})
    old_spec, new_spec = before.get("spec") or {}, after.get("spec") or {}
    compare("spec.", {k: v for k, v in old_spec.items() if k != "containers"},
            {k: v for k, v in new_spec.items() if k != "containers"})
    old_containers = {c["name"]: c for c in old_spec.get("containers") or []}
    for container in new_spec.get("containers") or []:
        compare("spec.containers[%s]." % container["name"], old_containers.get(container["name"]) or {}, container)
    return changes


def plan(daemon_set, release):
    """What to do with one device plugin DaemonSet (the API's JSON) to bring it to ``release``.

    Returns {namespace, name, image_before, release_before, release, action, changes, template, message,
    helm}; action is one of update (``template`` is the pod template to write), up_to_date, newer (the DaemonSet
    runs a later release: never downgraded), helm (a Helm release owns it: ``message`` says what to run).
    """
    metadata = daemon_set["metadata"]
    live = daemon_set["spec"]["template"]
    container = live["spec"]["containers"][plugin_container_index(live["spec"])]
    before = image_tag(container["image"])
    entry = {"namespace": metadata["namespace"], "name": metadata["name"], "image_before": container["image"],
             "release_before": before, "release": release, "manifest": manifests.pod_template(release) is not None,
             "helm": helm_owner(metadata), "changes": [], "message": ""}
    target = parse_release(release)
    if entry["helm"]:
        entry.update(action="helm", message=helm_remediation(entry["helm"], release))
        return entry
    if target and parse_release(before) and parse_release(before) > target:
        entry.update(action="newer", message="It runs %s, later than %s: left as is." % (before, release))
        return entry
    wanted = manifests.pod_template(release)
    if wanted is None:
        # No manifest shipped for the release: only its image, as `kubectl set image` would.
        after = copy.deepcopy(live)
        index = plugin_container_index(live["spec"])
        after["spec"]["containers"][index]["image"] = with_tag(container["image"], release)
        entry["message"] = ("No manifest of %s is shipped (releases %s to %s are): only the image tag is set; "
                            "compare its deployments/static/nvidia-device-plugin.yml with the DaemonSet." % (
                                release, manifests.releases()[0], manifests.releases()[-1]))
    else:
        after = merge_template(live, wanted, manifests.pod_template(before))
    entry["changes"] = template_changes(live, after)
    entry["action"] = "update" if entry["changes"] else "up_to_date"
    entry["template"] = after
    return entry
