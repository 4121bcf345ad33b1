"""Realistic EKS reference data: Kubernetes minors, support calendar, platform/AMI/add-on versions.

Pure data and helpers (no I/O), shared by the emulated AWS and Kubernetes halves so that both report
the same patch versions, AMI release versions and add-on versions. Values follow
/work/shared/reference/eks-api-notes.md. 1.22 is included (beyond the 1.23..1.34 range AWS still
documents) because test scenarios seed clusters on it and upgrade them to 1.23.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
from dataclasses import dataclass
from typing import Any

STANDARD_SUPPORT = "STANDARD_SUPPORT"
EXTENDED_SUPPORT = "EXTENDED_SUPPORT"
UNSUPPORTED = "UNSUPPORTED"

# DescribeClusterVersions also returns the deprecated lowercase `status` next to `versionStatus`.
LEGACY_STATUS = {
    STANDARD_SUPPORT: "standard-support",
    EXTENDED_SUPPORT: "extended-support",
    UNSUPPORTED: "unsupported",
}

DEFAULT_MINOR = "1.33"


@dataclass(frozen=True)
class KubernetesMinor:
    """One Kubernetes minor as EKS offers it."""

    minor: str                       # "1.29"
    release_date: _dt.date           # EKS release
    end_of_standard_support: _dt.date
    end_of_extended_support: _dt.date
    latest_patch: str                # "1.29.15"
    newest_platform_version: str     # "eks.30"
    ami_build_date: str              # date part of the newest EKS AMI release version, "20251103"

    @property
    def is_default(self) -> bool:
        return self.minor == DEFAULT_MINOR

    def released_by(self, day: _dt.date) -> bool:
        return self.release_date <= day

    def status_on(self, day: _dt.date) -> str:
        """STANDARD_SUPPORT / EXTENDED_SUPPORT / UNSUPPORTED on `day` (support ends on the end date)."""
        if day < self.end_of_standard_support:
            return STANDARD_SUPPORT
        if day < self.end_of_extended_support:
            return EXTENDED_SUPPORT
        return UNSUPPORTED


def _d(text: str) -> _dt.date:
    return _dt.date.fromisoformat(text)


_MINORS: tuple[KubernetesMinor, ...] = (
    # 1.22 predates extended support: it ended on its end of standard support date.
    KubernetesMinor("1.22", _d("2022-04-04"), _d("2023-06-04"), _d("2023-06-04"), "1.22.17", "eks.14", "20230601"),
    KubernetesMinor("1.23", _d("2022-08-11"), _d("2023-10-11"), _d("2024-10-11"), "1.23.17", "eks.21", "20241008"),
    KubernetesMinor("1.24", _d("2022-11-15"), _d("2024-01-31"), _d("2025-01-31"), "1.24.17", "eks.25", "20250116"),
    KubernetesMinor("1.25", _d("2023-02-22"), _d("2024-05-01"), _d("2025-05-01"), "1.25.16", "eks.26", "20250430"),
    KubernetesMinor("1.26", _d("2023-04-11"), _d("2024-06-11"), _d("2025-06-11"), "1.26.15", "eks.27", "20250610"),
    KubernetesMinor("1.27", _d("2023-05-24"), _d("2024-07-24"), _d("2025-07-24"), "1.27.16", "eks.31", "20250715"),
    KubernetesMinor("1.28", _d("2023-09-26"), _d("2024-11-26"), _d("2025-11-26"), "1.28.15", "eks.33", "20251103"),
    KubernetesMinor("1.29", _d("2024-01-23"), _d("2025-03-23"), _d("2026-03-23"), "1.29.15", "eks.30", "20251103"),
    KubernetesMinor("1.30", _d("2024-05-23"), _d("2025-07-23"), _d("2026-07-23"), "1.30.14", "eks.27", "20251103"),
    KubernetesMinor("1.31", _d("2024-09-26"), _d("2025-11-26"), _d("2026-11-26"), "1.31.13", "eks.23", "20251103"),
    KubernetesMinor("1.32", _d("2025-01-23"), _d("2026-03-23"), _d("2027-03-23"), "1.32.9", "eks.12", "20251103"),
    KubernetesMinor("1.33", _d("2025-05-29"), _d("2026-07-29"), _d("2027-07-29"), "1.33.5", "eks.6", "20251103"),
    KubernetesMinor("1.34", _d("2025-10-02"), _d("2026-12-02"), _d("2027-12-02"), "1.34.1", "eks.3", "20251103"),
)
_BY_MINOR = {m.minor: m for m in _MINORS}


def minor_key(minor: str) -> tuple[int, int]:
    """Sort key for "1.9" < "1.10"."""
    major, _, rest = minor.partition(".")
    return int(major), int(rest.split(".")[0])


def minors() -> list[str]:
    """Every minor in the catalog, oldest first."""
    return [m.minor for m in _MINORS]


def minor_info(minor: str) -> KubernetesMinor:
    """Catalog entry for `minor`; KeyError when EKS never offered it."""
    return _BY_MINOR[minor]


def is_known_minor(minor: str) -> bool:
    return minor in _BY_MINOR


def next_minor(minor: str) -> str:
    """"1.29" -> "1.30" (arithmetic; the result may be outside the catalog)."""
    major, minor_number = minor_key(minor)
    return f"{major}.{minor_number + 1}"


def version_status(minor: str, day: _dt.date) -> str:
    return minor_info(minor).status_on(day)


def latest_patch(minor: str) -> str:
    return minor_info(minor).latest_patch


def newest_platform_version(minor: str) -> str:
    return minor_info(minor).newest_platform_version


def git_version(minor: str) -> str:
    """What the API server's /version reports on EKS, e.g. "v1.29.15-eks-3c5a5e1" (stable hex per patch)."""
    patch = latest_patch(minor)
    digest = hashlib.sha1(f"eks-{patch}".encode()).hexdigest()[:7]
    return f"v{patch}-eks-{digest}"


def ami_release_version(minor: str) -> str:
    """Newest EKS-optimized AMI release version for a minor, e.g. "1.29.15-20251103"."""
    info = minor_info(minor)
    return f"{info.latest_patch}-{info.ami_build_date}"



# --- Node images ---------------------------------------------------------------------------------

# EKS-optimized Amazon Linux 2023 AMIs exist for Kubernetes 1.23 and later (AWS, "Amazon EKS-Optimized Amazon
# Linux 2023 AMIs Now Available", 2024); older nodes run Amazon Linux 2.
FIRST_AL2023_MINOR = "1.23"
# Kubernetes 1.24 removed dockershim: EKS AMIs for older minors run Docker.
FIRST_CONTAINERD_MINOR = "1.24"
# No Amazon Linux 2 EKS AMI is published for Kubernetes 1.33 and later (AL2 support ended on 2025-11-26).
FIRST_MINOR_WITHOUT_AL2 = "1.33"


def al2023_available(minor: str) -> bool:
    return minor_key(minor) >= minor_key(FIRST_AL2023_MINOR)


def default_ami_type(minor: str, gpu: bool = False) -> str:
    """The amiType a seeded managed node group of `minor` gets: AL2023 where it exists, AL2 before (and for GPUs
    until the last minor with AL2 AMIs)."""
    if gpu:
        return "AL2_x86_64_GPU" if minor_key(minor) < minor_key(FIRST_MINOR_WITHOUT_AL2) else "AL2023_x86_64_NVIDIA"
    return "AL2023_x86_64_STANDARD" if al2023_available(minor) else "AL2_x86_64"


def node_system_info(minor: str, ami_type: str | None = None) -> dict[str, str]:
    """osImage, kernelVersion and containerRuntimeVersion of a node of `minor` on an EKS AMI of `ami_type`
    (None or CUSTOM: the default image of the minor)."""
    family = ami_type if ami_type and ami_type.startswith("AL2") else default_ami_type(minor)
    if family.startswith("AL2023"):  # containerd only, from its first AMI
        return {"osImage": "Amazon Linux 2023", "kernelVersion": "6.1.112-122.189.amzn2023.x86_64",
                "containerRuntimeVersion": "containerd://1.7.22"}
    if minor_key(minor) >= minor_key(FIRST_CONTAINERD_MINOR):
        return {"osImage": "Amazon Linux 2", "kernelVersion": "5.10.227-219.884.amzn2.x86_64",
                "containerRuntimeVersion": "containerd://1.7.22"}
    return {"osImage": "Amazon Linux 2", "kernelVersion": "5.4.241-150.347.amzn2.x86_64",
            "containerRuntimeVersion": "docker://20.10.23"}

# --- Add-ons -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AddonRelease:
    """One EKS add-on version, the minors it is compatible with and those it is the default for."""

    addon: str
    version: str
    minors: tuple[str, ...]
    default_for: tuple[str, ...] = ()


def _span(first: str, last: str) -> tuple[str, ...]:
    """Catalog minors from `first` to `last` inclusive."""
    low, high = minor_key(first), minor_key(last)
    return tuple(m.minor for m in _MINORS if low <= minor_key(m.minor) <= high)


ADDON_TYPES = {
    "vpc-cni": "networking",
    "coredns": "networking",
    "kube-proxy": "networking",
    "aws-ebs-csi-driver": "storage",
}
_REQUIRES_IAM = {"vpc-cni", "aws-ebs-csi-driver"}
_COMPUTE_TYPES = {"coredns": ["ec2", "fargate", "hybrid"], "kube-proxy": ["ec2", "hybrid"]}

# kube-proxy follows the cluster minor exactly: (minor, latest, default).
_KUBE_PROXY = (
    ("1.22", "v1.22.17-eksbuild.2", "v1.22.6-eksbuild.1"),
    ("1.23", "v1.23.17-eksbuild.20", "v1.23.7-eksbuild.1"),
    ("1.24", "v1.24.17-eksbuild.19", "v1.24.7-eksbuild.2"),
    ("1.25", "v1.25.16-eksbuild.22", "v1.25.6-eksbuild.1"),
    ("1.26", "v1.26.15-eksbuild.19", "v1.26.2-eksbuild.1"),
    ("1.27", "v1.27.16-eksbuild.41", "v1.27.1-eksbuild.1"),
    ("1.28", "v1.28.15-eksbuild.31", "v1.28.1-eksbuild.1"),
    ("1.29", "v1.29.15-eksbuild.16", "v1.29.0-eksbuild.1"),
    ("1.30", "v1.30.14-eksbuild.8", "v1.30.0-eksbuild.2"),
    ("1.31", "v1.31.13-eksbuild.2", "v1.31.0-eksbuild.2"),
    ("1.32", "v1.32.9-eksbuild.2", "v1.32.0-eksbuild.2"),
    ("1.33", "v1.33.5-eksbuild.2", "v1.33.0-eksbuild.2"),
    ("1.34", "v1.34.1-eksbuild.2", "v1.34.0-eksbuild.4"),
)

# Each CoreDNS build stays compatible with the minor after the ones it is the default for, as EKS lists them,
# so an upgrade can move the control plane first and the add-on after (procedure step 8).
_ADDON_RELEASES: tuple[AddonRelease, ...] = (
    AddonRelease("vpc-cni", "v1.20.1-eksbuild.3", _span("1.27", "1.34")),
    AddonRelease("vpc-cni", "v1.19.6-eksbuild.1", _span("1.27", "1.34"), _span("1.33", "1.34")),
    AddonRelease("vpc-cni", "v1.19.0-eksbuild.1", _span("1.24", "1.32"), _span("1.30", "1.32")),
    AddonRelease("vpc-cni", "v1.18.5-eksbuild.1", _span("1.22", "1.31")),
    AddonRelease("vpc-cni", "v1.18.1-eksbuild.3", _span("1.22", "1.30"), _span("1.26", "1.29")),
    # The only v1.17 EKS build; AWS's version table listed it for 1.23-1.29 (early 2024).
    AddonRelease("vpc-cni", "v1.17.1-eksbuild.1", _span("1.23", "1.29")),
    AddonRelease("vpc-cni", "v1.16.0-eksbuild.1", _span("1.22", "1.29"), _span("1.24", "1.25")),
    AddonRelease("vpc-cni", "v1.15.0-eksbuild.2", _span("1.22", "1.28"), _span("1.22", "1.23")),
    AddonRelease("vpc-cni", "v1.12.6-eksbuild.2", _span("1.22", "1.26")),
    AddonRelease("vpc-cni", "v1.7.5-eksbuild.1", _span("1.22", "1.23")),
    AddonRelease("coredns", "v1.12.3-eksbuild.1", _span("1.33", "1.34")),
    AddonRelease("coredns", "v1.12.1-eksbuild.2", _span("1.33", "1.34"), _span("1.33", "1.34")),
    AddonRelease("coredns", "v1.11.4-eksbuild.22", _span("1.29", "1.33")),
    AddonRelease("coredns", "v1.11.4-eksbuild.2", _span("1.29", "1.33"), ("1.32",)),
    AddonRelease("coredns", "v1.11.1-eksbuild.4", _span("1.29", "1.32"), _span("1.29", "1.31")),
    AddonRelease("coredns", "v1.10.1-eksbuild.38", _span("1.27", "1.29")),
    AddonRelease("coredns", "v1.10.1-eksbuild.4", _span("1.27", "1.29"), _span("1.27", "1.28")),
    AddonRelease("coredns", "v1.9.3-eksbuild.19", _span("1.24", "1.27")),
    AddonRelease("coredns", "v1.9.3-eksbuild.6", _span("1.24", "1.27")),
    AddonRelease("coredns", "v1.9.3-eksbuild.3", _span("1.24", "1.27"), _span("1.24", "1.26")),
    AddonRelease("coredns", "v1.8.7-eksbuild.18", _span("1.22", "1.24")),
    AddonRelease("coredns", "v1.8.7-eksbuild.3", _span("1.22", "1.24"), _span("1.22", "1.23")),
    AddonRelease("aws-ebs-csi-driver", "v1.48.0-eksbuild.2", _span("1.32", "1.34")),
    AddonRelease("aws-ebs-csi-driver", "v1.42.0-eksbuild.1", _span("1.31", "1.34"), _span("1.32", "1.34")),
    AddonRelease("aws-ebs-csi-driver", "v1.36.0-eksbuild.1", _span("1.26", "1.31"), ("1.31",)),
    AddonRelease("aws-ebs-csi-driver", "v1.31.0-eksbuild.1", _span("1.24", "1.30"), ("1.30",)),
    AddonRelease("aws-ebs-csi-driver", "v1.28.0-eksbuild.1", _span("1.22", "1.29"), _span("1.26", "1.29")),
    AddonRelease("aws-ebs-csi-driver", "v1.26.1-eksbuild.1", _span("1.22", "1.28"), _span("1.24", "1.25")),
    AddonRelease("aws-ebs-csi-driver", "v1.24.1-eksbuild.1", _span("1.22", "1.28"), _span("1.22", "1.23")),
    *(
        release
        for minor, latest, default in _KUBE_PROXY
        for release in (
            AddonRelease("kube-proxy", latest, (minor,)),
            AddonRelease("kube-proxy", default, (minor,), (minor,)),
        )
    ),
)


def addon_version_key(version: str) -> tuple[int, ...]:
    """Sort key: "v1.20.1-eksbuild.3" -> (1, 20, 1, 3)."""
    base, _, build = version.lstrip("v").partition("-eksbuild.")
    return (*(int(part) for part in base.split(".")), int(build or 0))


@dataclass(frozen=True)
class AddonKind:
    """What DescribeAddonVersions says of an add-on besides its versions."""

    type: str
    publisher: str = "eks"
    owner: str = "aws"


class AddonCatalog:
    """The add-on versions EKS offers in a region: the built-in releases, plus those a scenario adds
    (`addon_catalog`, e.g. a Marketplace add-on not yet published for the newest minor)."""

    def __init__(self, extra_releases: tuple[AddonRelease, ...] = (),
                 extra_kinds: dict[str, AddonKind] | None = None) -> None:
        self._kinds = {**{name: AddonKind(kind) for name, kind in ADDON_TYPES.items()}, **(extra_kinds or {})}
        releases = _ADDON_RELEASES + tuple(extra_releases)
        seen: set[tuple[str, str]] = set()
        for release in releases:
            if release.addon not in self._kinds:
                raise ValueError(f"add-on {release.addon}: not in the catalog; give its type, publisher and owner")
            if (release.addon, release.version) in seen:
                raise ValueError(f"add-on {release.addon} version {release.version} is already in the catalog")
            seen.add((release.addon, release.version))
        self._releases = {name: sorted((r for r in releases if r.addon == name),
                                       key=lambda r: addon_version_key(r.version), reverse=True)
                          for name in self._kinds}

    def addon_names(self) -> list[str]:
        return list(self._kinds)

    def is_known(self, addon_name: str) -> bool:
        return addon_name in self._kinds

    def releases(self, addon_name: str) -> list[AddonRelease]:
        """Releases of one add-on, newest first."""
        return self._releases.get(addon_name, [])

    def is_compatible(self, addon_name: str, version: str, minor: str) -> bool:
        return any(r.version == version and minor in r.minors for r in self.releases(addon_name))

    def compatible_versions(self, addon_name: str, minor: str) -> list[str]:
        """Versions of `addon_name` EKS accepts on a `minor` cluster, newest first."""
        return [r.version for r in self.releases(addon_name) if minor in r.minors]

    def default_version(self, addon_name: str, minor: str) -> str | None:
        """The version EKS installs when none is given (None if the add-on is not offered on `minor`)."""
        return next((r.version for r in self.releases(addon_name) if minor in r.default_for), None)

    def latest_version(self, addon_name: str, minor: str) -> str | None:
        versions = self.compatible_versions(addon_name, minor)
        return versions[0] if versions else None

    def addon_versions(self, addon_name: str | None = None,
                       kubernetes_version: str | None = None) -> list[dict[str, Any]]:
        """DescribeAddonVersions `addons` entries (filters as the API applies them), versions newest first.

        With `kubernetes_version`, only compatible versions are listed and each lists only that
        compatibility, as AWS does; add-ons with no compatible version are left out.
        """
        result = []
        for name in [addon_name] if addon_name else self.addon_names():
            if not self.is_known(name):
                continue
            entries = []
            for release in self.releases(name):
                wanted = [kubernetes_version] if kubernetes_version else list(release.minors)
                compatibilities = [
                    {"clusterVersion": minor, "platformVersions": ["*"], "defaultVersion": minor in release.default_for}
                    for minor in sorted(wanted, key=minor_key, reverse=True)
                    if minor in release.minors
                ]
                if compatibilities:
                    entries.append({
                        "addonVersion": release.version,
                        "architecture": ["amd64", "arm64"],
                        "computeTypes": _COMPUTE_TYPES.get(name, ["ec2"]),
                        "compatibilities": compatibilities,
                        "requiresConfiguration": False,
                        "requiresIamPermissions": name in _REQUIRES_IAM,
                    })
            if entries:
                kind = self._kinds[name]
                result.append({
                    "addonName": name,
                    "type": kind.type,
                    "addonVersions": entries,
                    "publisher": kind.publisher,
                    "owner": kind.owner,
                    "defaultNamespace": "kube-system",
                })
        return result


BUILT_IN = AddonCatalog()


def addon_names() -> list[str]:
    return BUILT_IN.addon_names()


def is_known_addon(addon_name: str) -> bool:
    return BUILT_IN.is_known(addon_name)


def is_compatible(addon_name: str, version: str, minor: str) -> bool:
    return BUILT_IN.is_compatible(addon_name, version, minor)


def compatible_addon_versions(addon_name: str, minor: str) -> list[str]:
    return BUILT_IN.compatible_versions(addon_name, minor)


def default_addon_version(addon_name: str, minor: str) -> str | None:
    return BUILT_IN.default_version(addon_name, minor)


def latest_addon_version(addon_name: str, minor: str) -> str | None:
    return BUILT_IN.latest_version(addon_name, minor)


def addon_versions(addon_name: str | None = None, kubernetes_version: str | None = None) -> list[dict[str, Any]]:
    """The built-in catalog's DescribeAddonVersions entries (AddonCatalog.addon_versions)."""
    return BUILT_IN.addon_versions(addon_name, kubernetes_version)
