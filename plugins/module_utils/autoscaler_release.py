# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: UP001, UP009, UP010 -- Ansible's module_utils boilerplate (coding, __future__, __metaclass__)
"""Which Cluster Autoscaler release runs on a Kubernetes minor: pure logic, no I/O.

A Cluster Autoscaler release is built for one Kubernetes minor (1.N.x for 1.N), so after an upgrade its image moves
to the latest 1.N patch (step 6 of the procedure). The candidates are an image repository's tags (the OCI
distribution API's tags list, oci_registry.py reads it) or, offline, controller_table.py's dated table. Release tags
are ``v1.N.P`` or ``1.N.P``; anything else (pre-releases such as ``v1.31.0-rc.1``, per-architecture or signature
tags, ``latest``) is not a release.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.lifecycle.eks.plugins.module_utils.controller_table import (
    CLUSTER_AUTOSCALER_RELEASES,
    CLUSTER_AUTOSCALER_RELEASES_RECORDED,
    CLUSTER_AUTOSCALER_RELEASES_SOURCE,
)

DEFAULT_REPOSITORY = "registry.k8s.io/autoscaling/cluster-autoscaler"
# Where the answer came from, as the module returns and the report shows it.
SOURCE_OPTION, SOURCE_REGISTRY, SOURCE_TABLE = "option", "registry", "table"
WARNING_ID = "cluster-autoscaler-release"

_RELEASE_TAG = re.compile(r"v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")
_MINOR = re.compile(r"v?(0|[1-9]\d*)\.(0|[1-9]\d*)(\.(0|[1-9]\d*))?")
# A registry host: has a dot or a port, or is localhost (the distribution reference grammar); docker.io's API host.
_DOCKER_HUB = ("docker.io", "index.docker.io")
DOCKER_HUB_API = "registry-1.docker.io"
_REPOSITORY_PATH = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*")


def parse_release_tag(tag):
    """(major, minor, patch) of a release tag ("v1.30.2" or "1.30.2"), or None for any other tag."""
    match = _RELEASE_TAG.fullmatch(tag or "")
    return tuple(int(part) for part in match.groups()) if match else None


def parse_minor(text):
    """(major, minor) of "1.30", "v1.30" or "1.30.2"; ValueError naming the expected form otherwise."""
    match = _MINOR.fullmatch(str(text or "").strip())
    if not match:
        raise ValueError("kubernetes_version must be a Kubernetes minor such as '1.30', got %r." % (text,))
    return int(match.group(1)), int(match.group(2))


def minor_text(minor):
    return "%d.%d" % minor


def latest_release(tags, minor):
    """The tag of the highest patch release of ``minor`` ((major, minor)) among ``tags``, or None.

    When "v1.30.2" and "1.30.2" both exist, the "v" form wins (registry.k8s.io's convention), whatever their order.
    """
    best, best_key = None, None
    for tag in tags:
        version = parse_release_tag(tag)
        if version is None or version[:2] != tuple(minor):
            continue
        key = (version[2], tag.startswith("v"))
        if best_key is None or key > best_key:
            best, best_key = tag, key
    return best


def table_release(minor, table=None):
    """The shipped table's release for ``minor``, or None when the table has none."""
    return (CLUSTER_AUTOSCALER_RELEASES if table is None else table).get(minor_text(minor))


def split_repository(reference):
    """(registry host, repository path) of an image name without tag or digest, as container runtimes read it.

    The first path component is a registry when it has a dot or a port or is "localhost"; otherwise the image is on
    Docker Hub (whose API host is registry-1.docker.io, and whose one-component names live under "library/").
    """
    name = reference.split("@", 1)[0]
    head, slash, rest = name.partition("/")
    last = (rest or head).rpartition("/")[2]
    if ":" in last:  # a tag on the last component (a port has a slash after it)
        name = name[: len(name) - len(last)] + last.split(":", 1)[0]
        head, slash, rest = name.partition("/")
    if slash and ("." in head or ":" in head or head == "localhost"):
        registry, path = head, rest
    else:
        registry, path = "docker.io", name
    if registry in _DOCKER_HUB:
        registry = DOCKER_HUB_API
        if "/" not in path:
            path = "library/" + path
    if not _REPOSITORY_PATH.fullmatch(path):
        raise ValueError("%r is not an image repository such as registry.k8s.io/autoscaling/cluster-autoscaler."
                         % reference)
    return registry, path


def registry_option(text):
    """(registry host, repository path) of the ``registry`` option: a registry host with its repository, for example
    "mirror.example.com/autoscaling/cluster-autoscaler"; ValueError naming the form otherwise."""
    text = (text or "").strip()
    head = text.partition("/")[0]
    if not text or "/" not in text or not ("." in head or ":" in head or head == "localhost") \
            or "@" in text or ":" in text.partition("/")[2]:
        raise ValueError("registry must name a registry host and a repository without a tag, such as "
                         "'mirror.example.com/autoscaling/cluster-autoscaler', got %r." % (text,))
    return split_repository(text)


def choose(minor, pinned=None, registry_tags=None, registry_error=None, repository=None, table=None,
           option_hint="release"):
    """The release to run on ``minor`` ((major, minor)): {tag, source, warnings}.

    ``pinned`` (a tag the user set for this minor) wins. Else the latest release among the registry's tags
    (``registry_tags``). Only a registry that could not be read (``registry_error``, why) falls back to the shipped
    table, with a warning saying so: a registry that answers without a release of the minor has none to pull (a
    mirror may lag), so the table's tag is not set there. A minor without a release is a warning naming
    ``option_hint``, what to set, and no tag. Warnings are shaped as preflight checks (id, status, message,
    remediation) so that reports list them together.
    """
    text = minor_text(minor)
    if pinned:
        return {"tag": pinned, "source": SOURCE_OPTION, "warnings": []}
    where = repository or DEFAULT_REPOSITORY
    known = table_release(minor, table)
    if registry_error is None:
        tag = latest_release(registry_tags or [], minor)
        if tag is not None:
            return {"tag": tag, "source": SOURCE_REGISTRY, "warnings": []}
        shipped = (" (the shipped table says %s: set it if %s carries it)" % (known, where)) if known else ""
        return _missing(text, "the registry %s has no %s.x release tag%s" % (where, text, shipped), option_hint)
    table_note = "the table of releases recorded %s (%s)" % (CLUSTER_AUTOSCALER_RELEASES_RECORDED,
                                                             CLUSTER_AUTOSCALER_RELEASES_SOURCE)
    unreachable = "the registry %s could not be read (%s)" % (where, registry_error)
    if known is None:
        return _missing(text, "%s, and %s has none" % (unreachable, table_note), option_hint)
    message = "Cluster Autoscaler %s for Kubernetes %s comes from %s: %s." % (known, text, table_note, unreachable)
    return {"tag": known, "source": SOURCE_TABLE, "warnings": [_warning(message, (
        "Check that %s is the latest %s.x release, or make the registry reachable." % (known, text)))]}


def _missing(text, why, option_hint):
    message = "No Cluster Autoscaler release found for Kubernetes %s: %s. Its image was left unchanged." % (text, why)
    return {"tag": None, "source": None, "warnings": [_warning(message, (
        "Set %s to the latest %s.x release (https://github.com/kubernetes/autoscaler/releases)." % (
            option_hint, text)))]}


def _warning(message, remediation):
    return {"id": WARNING_ID, "status": "warn", "message": message, "remediation": remediation}
