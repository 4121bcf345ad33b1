"""DescribeClusterVersions and DescribeAddonVersions: the version catalog (catalog.py) as the EKS API lists it."""
from __future__ import annotations

import datetime as _dt
from typing import Any

from eksworld import catalog
from eksworld.aws_records import midnight


def cluster_versions(
    today: _dt.date,
    cluster_versions: list[str] | None = None,
    default_only: bool = False,
    include_all: bool = False,
    version_status: str | None = None,
    legacy_status: str | None = None,
) -> list[dict[str, Any]]:
    """DescribeClusterVersions, newest first; without includeAll only versions still supported today."""
    result = []
    for minor in reversed(catalog.minors()):
        info = catalog.minor_info(minor)
        status = info.status_on(today)
        if not info.released_by(today) or (cluster_versions and minor not in cluster_versions):
            continue
        if not (include_all or cluster_versions) and status == catalog.UNSUPPORTED:
            continue
        if (default_only and not info.is_default) or (version_status and status != version_status):
            continue
        if legacy_status and catalog.LEGACY_STATUS[status] != legacy_status:
            continue
        result.append({
            "clusterVersion": minor,
            "clusterType": "eks",
            "defaultPlatformVersion": info.newest_platform_version,
            "defaultVersion": info.is_default,
            "releaseDate": midnight(info.release_date),
            "endOfStandardSupportDate": midnight(info.end_of_standard_support),
            "endOfExtendedSupportDate": midnight(info.end_of_extended_support),
            "status": catalog.LEGACY_STATUS[status],
            "versionStatus": status,
            "kubernetesPatchVersion": info.latest_patch,
        })
    return result


def addon_versions(
    addon_catalog: catalog.AddonCatalog, name: str | None, kubernetes_version: str | None,
    wanted: dict[str, list[str] | None],
) -> list[dict[str, Any]]:
    """DescribeAddonVersions: the region's add-ons, filtered by type, publisher and owner."""
    addons = addon_catalog.addon_versions(name, kubernetes_version)
    for key, values in wanted.items():
        if values:
            addons = [a for a in addons if a[key] in values]
    return addons
