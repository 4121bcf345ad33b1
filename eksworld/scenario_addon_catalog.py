"""A scenario's `addon_catalog`: add-on versions the emulated EKS offers besides the built-in ones.

DescribeAddonVersions answers for a region, not a cluster, so the entries concern the whole world. An add-on the
catalog does not ship (a Marketplace add-on, say) gives its type, publisher and owner; a shipped one gets more
versions. Each version lists the minors it is compatible with: leave the newest minor out and the add-on has no
version for it, as when a publisher has not yet released one::

    addon_catalog:
      acme_telemetry-agent:
        type: observability
        publisher: acme
        owner: aws-marketplace
        versions:
          - {version: v2.4.0-eksbuild.1, minors: ["1.29", "1.30"], default_for: ["1.29", "1.30"]}
"""
from __future__ import annotations

import re
from typing import Any

from eksworld import catalog
from eksworld.scenario_fields import known_keys, minor_text

ADDON_KEYS = ("type", "publisher", "owner", "versions")
VERSION_KEYS = ("version", "minors", "default_for")
ADDON_VERSION = re.compile(r"v\d+\.\d+\.\d+(-eksbuild\.\d+)?")


def _minors(value: Any, what: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValueError(f"{what} must be a list of Kubernetes minors such as ['1.29', '1.30']; got {value!r}")
    minors = tuple(minor_text(item, f"{what} entry") for item in value)
    unknown = [m for m in minors if not catalog.is_known_minor(m)]
    if unknown:
        raise ValueError(f"{what}: {', '.join(unknown)} not offered by EKS (known: {', '.join(catalog.minors())})")
    return minors


def _release(addon: str, entry: Any) -> catalog.AddonRelease:
    what = f"addon_catalog: {addon}: a versions entry"
    known_keys(entry, VERSION_KEYS, what)
    version = str(entry.get("version") or "")
    if not ADDON_VERSION.fullmatch(version):
        raise ValueError(f"{what}: version must look like v1.2.3-eksbuild.1; got {entry.get('version')!r}")
    minors = _minors(entry.get("minors"), f"{what} {version}: minors")
    if not minors:
        raise ValueError(f"{what} {version}: minors must name at least one minor")
    default_for = _minors(entry.get("default_for", []), f"{what} {version}: default_for")
    if set(default_for) - set(minors):
        raise ValueError(f"{what} {version}: default_for must be among its minors ({', '.join(minors)})")
    return catalog.AddonRelease(addon, version, minors, default_for)


def addon_catalog_settings(data: Any) -> catalog.AddonCatalog:
    """The world's add-on catalog from a scenario's `addon_catalog` (None: the built-in one); errors name the field."""
    if data is None:
        return catalog.BUILT_IN
    if not isinstance(data, dict):
        raise ValueError(f"addon_catalog must be a mapping of add-on name to its versions; got {data!r}")
    releases, kinds = [], {}
    for addon, spec in data.items():
        known_keys(spec, ADDON_KEYS, f"addon_catalog: {addon}")
        given = {key: spec[key] for key in ("type", "publisher", "owner") if key in spec}
        if catalog.is_known_addon(addon) and given:
            raise ValueError(f"addon_catalog: {addon} is a built-in add-on: give only its versions, not "
                             f"{', '.join(given)}")
        if not catalog.is_known_addon(addon):
            if set(given) != {"type", "publisher", "owner"}:
                raise ValueError(f"addon_catalog: {addon} is not a built-in add-on: give its type, publisher and "
                                 "owner (e.g. observability, acme, aws-marketplace)")
            kinds[addon] = catalog.AddonKind(*(str(given[key]) for key in ("type", "publisher", "owner")))
        versions = spec.get("versions")
        if not isinstance(versions, list) or not versions:
            raise ValueError(f"addon_catalog: {addon}: versions must be a non-empty list")
        releases += [_release(addon, entry) for entry in versions]
    return catalog.AddonCatalog(tuple(releases), kinds)
