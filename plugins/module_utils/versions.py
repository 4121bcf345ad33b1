# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: UP001, UP009, UP010 -- Ansible's required module_utils header, kept for ansible-test sanity.
from __future__ import absolute_import, division, print_function
__metaclass__ = type

# Kubernetes and EKS add-on version parsing, ordering and arithmetic. Pure: the modules feed it
# strings read from the EKS API, the Kubernetes API and the user, and get comparable values back.

import re

# "1.29", "v1.29.3", "v1.29.3-eks-ae9a62a" (kubelet / GitVersion), "1.31.3-20250103" (AMI release).
_KUBE_VERSION_RE = re.compile(r"^[vV]?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+][0-9A-Za-z.+-]*)?$")
# What EKS accepts as a cluster version: "1.29" and nothing else.
_TARGET_VERSION_RE = re.compile(r"^(\d+)\.(\d+)$")
# "v1.18.3-eksbuild.1", "1.7.5".
_ADDON_VERSION_RE = re.compile(r"^[vV]?(\d+)\.(\d+)\.(\d+)(?:-eksbuild\.(\d+))?$")
# Image tags and component versions: "v2.4.1", "v1.7.5-eksbuild.1", "1.8.0", "1.8".
_SEMVER_RE = re.compile(r"^[vV]?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+].*)?$")

# EKS's oldest Kubernetes version was 1.10: a one-digit minor is a YAML float that lost its zero.
_FIRST_EKS_MINOR = 10


class VersionError(ValueError):
    """A version string that cannot be understood; the message says what was expected."""


class _Value:
    """Immutable, hashable, totally ordered value compared by ``_key()`` within one class."""

    __slots__ = ()

    def _key(self):
        raise NotImplementedError

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name):
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return self._key() == other._key()

    def __lt__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return self._key() < other._key()

    def __le__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return self._key() <= other._key()

    def __gt__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return self._key() > other._key()

    def __ge__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return self._key() >= other._key()

    def __hash__(self):
        return hash((type(self).__name__,) + self._key())

    def __reduce__(self):
        return (type(self), self._key_args())

    def _key_args(self):
        raise NotImplementedError


def _non_negative_int(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise VersionError(f"{name} must be a non-negative integer, got {value!r}")
    return value


class KubeMinor(_Value):
    """A Kubernetes major.minor version: the unit EKS upgrades in (one minor per update)."""

    __slots__ = ("_major", "_minor")

    def __init__(self, major, minor):
        object.__setattr__(self, "_major", _non_negative_int("major", major))
        object.__setattr__(self, "_minor", _non_negative_int("minor", minor))

    @property
    def major(self):
        return self._major

    @property
    def minor(self):
        return self._minor

    def _key(self):
        return (self._major, self._minor)

    _key_args = _key

    def __str__(self):
        return f"{self._major}.{self._minor}"

    def __repr__(self):
        return f"KubeMinor({self._major}, {self._minor})"

    def bump(self, count):
        """The version ``count`` minors later (earlier when negative)."""
        if isinstance(count, bool) or not isinstance(count, int):
            raise TypeError(f"a KubeMinor moves by a whole number of minors, got {count!r}")
        minor = self._minor + count
        if minor < 0:
            raise VersionError(f"{self} moved by {count} minors is below {self._major}.0")
        return KubeMinor(self._major, minor)

    def next(self):
        """The next minor: the only version EKS lets the control plane move to (step 4)."""
        return self.bump(1)

    def distance(self, other):
        """Minors from ``self`` to ``other``: positive when ``other`` is newer."""
        if not isinstance(other, KubeMinor):
            raise TypeError(f"distance needs a KubeMinor, got {other!r}")
        if other.major != self._major:
            raise VersionError(f"no minor distance between {self} and {other}: majors differ")
        return other.minor - self._minor

    def __add__(self, count):
        if isinstance(count, bool) or not isinstance(count, int):
            return NotImplemented
        return self.bump(count)

    __radd__ = __add__

    def __sub__(self, count):
        if isinstance(count, bool) or not isinstance(count, int):
            return NotImplemented
        return self.bump(-count)


def parse_kube_version(text):
    """The minor of any Kubernetes version string EKS and kubectl report.

    Accepts "1.29", "v1.29", "1.29.3", "v1.29.3-eks-ae9a62a" (kubelet, GitVersion) and
    "1.31.3-20250103" (node group AMI release). A KubeMinor is returned unchanged.
    """
    if isinstance(text, KubeMinor):
        return text
    if not isinstance(text, str):
        raise VersionError(f"expected a Kubernetes version string, got {text!r}")
    match = _KUBE_VERSION_RE.match(text.strip())
    if not match:
        raise VersionError(
            f"{text!r} is not a Kubernetes version (expected a form like 1.29, v1.29.3 or v1.29.3-eks-ae9a62a)"
        )
    return KubeMinor(int(match.group(1)), int(match.group(2)))


def parse_target_version(value):
    """Strictly parse the user's target version; refusals say what to write instead.

    EKS's UpdateClusterVersion takes "MAJOR.MINOR" only (step 4: ``--kubernetes-version 1.29``).
    Ansible hands the option over as a string, so an unquoted YAML 1.30 arrives as "1.3".
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        raise VersionError("target version is empty: set it to an EKS version such as '1.30'")
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise VersionError(f"target version must be a string such as '1.30', got {value!r}")
    text = str(value).strip()
    match = _TARGET_VERSION_RE.match(text)
    if not match:
        raise VersionError(_target_form_message(text))
    version = KubeMinor(int(match.group(1)), int(match.group(2)))
    if version.major != 1:
        raise VersionError(
            f"target version {text}: Kubernetes major version is 1, write it as '1.MINOR' such as '1.30'"
        )
    if str(version) != text:
        raise VersionError(f"target version {text}: write it as '{version}'")
    if version.minor < _FIRST_EKS_MINOR:
        raise VersionError(_single_digit_minor_message(version))
    return version


def _target_form_message(text):
    try:
        minor = parse_kube_version(text)
    except VersionError:
        return (
            f"target version {text!r} is not a Kubernetes version: give the EKS version to upgrade to as "
            "MAJOR.MINOR, for example '1.30'"
        )
    fixes = []
    if text[:1] in ("v", "V"):
        fixes.append("without the 'v'")
    if text.count(".") > 1 or "-" in text or "+" in text:
        fixes.append("dropping the patch (EKS versions are major.minor)")
    return f"target version {text!r} is not in EKS's MAJOR.MINOR form: write {minor}, {' and '.join(fixes)}"


def _single_digit_minor_message(version):
    message = f"target version {version} does not exist on EKS (its first version was 1.{_FIRST_EKS_MINOR})"
    if version.minor:
        meant = f"1.{version.minor}0"
        message += f": YAML reads an unquoted {meant} as the number {version}, so quote the version: '{meant}'"
    return message


def kubectl_compatible(client_minor, cluster_minor):
    """Whether a kubectl client works with a cluster: within one minor either way (step 9)."""
    client = parse_kube_version(client_minor)
    cluster = parse_kube_version(cluster_minor)
    return client.major == cluster.major and abs(client.distance(cluster)) <= 1


class AddonVersion(_Value):
    """An EKS add-on version such as v1.18.3-eksbuild.1, ordered numerically.

    A version without an eksbuild suffix sorts before eksbuild.0 of the same release.
    """

    __slots__ = ("_major", "_minor", "_patch", "_eksbuild")

    def __init__(self, major, minor, patch, eksbuild=None):
        object.__setattr__(self, "_major", _non_negative_int("major", major))
        object.__setattr__(self, "_minor", _non_negative_int("minor", minor))
        object.__setattr__(self, "_patch", _non_negative_int("patch", patch))
        if eksbuild is not None:
            _non_negative_int("eksbuild", eksbuild)
        object.__setattr__(self, "_eksbuild", eksbuild)

    @property
    def major(self):
        return self._major

    @property
    def minor(self):
        return self._minor

    @property
    def patch(self):
        return self._patch

    @property
    def eksbuild(self):
        return self._eksbuild

    def _key(self):
        build = -1 if self._eksbuild is None else self._eksbuild
        return (self._major, self._minor, self._patch, build)

    def _key_args(self):
        return (self._major, self._minor, self._patch, self._eksbuild)

    def __str__(self):
        text = f"v{self._major}.{self._minor}.{self._patch}"
        if self._eksbuild is not None:
            text += f"-eksbuild.{self._eksbuild}"
        return text

    def __repr__(self):
        return f"AddonVersion({str(self)!r})"


def parse_addon_version(text):
    """Parse an add-on version from DescribeAddon / DescribeAddonVersions."""
    if isinstance(text, AddonVersion):
        return text
    if not isinstance(text, str):
        raise VersionError(f"expected an add-on version string, got {text!r}")
    match = _ADDON_VERSION_RE.match(text.strip())
    if not match:
        raise VersionError(
            f"{text!r} is not an EKS add-on version (expected a form like v1.18.3-eksbuild.1)")
    build = match.group(4)
    return AddonVersion(int(match.group(1)), int(match.group(2)), int(match.group(3)),
                        None if build is None else int(build))


def sort_addon_versions(versions, newest_first=True):
    """The given add-on versions (strings or AddonVersion, kept as given) in numeric order."""
    return sorted(versions, key=parse_addon_version, reverse=newest_first)


def parse_semver(text):
    """(major, minor, patch) of a component version or image tag; suffixes are ignored.

    "-eksbuild.1" is an EKS build, not a pre-release, so "v1.8.0-eksbuild.1" counts as 1.8.0.
    """
    if not isinstance(text, str):
        raise VersionError(f"expected a version string, got {text!r}")
    match = _SEMVER_RE.match(text.strip())
    if not match:
        raise VersionError(f"{text!r} is not a version (expected a form like v2.4.7 or 1.8.0)")
    return (int(match.group(1)), int(match.group(2)), int(match.group(3) or 0))


def semver_at_least(text, minimum):
    """Whether a component version is at least ``minimum``.

    Step 4 asks for VPC CNI 1.8.0 or later and AWS Load Balancer Controller 2.4.7 or later.
    """
    return parse_semver(text) >= parse_semver(minimum)


def image_tag(image):
    """The tag of a container image reference, or None when it has none (digest only, or bare).

    "registry:5000/name:v1.2" has tag "v1.2"; "name@sha256:..." has none.
    """
    if not image:
        return None
    name = image.split("@", 1)[0]
    last_component = name.rsplit("/", 1)[-1]
    if ":" not in last_component:
        return None
    return last_component.split(":", 1)[1] or None


def with_tag(image, tag):
    """``image`` with its tag (and any digest) replaced by ``tag``; registry ports survive."""
    repository = image.split("@", 1)[0]
    current = image_tag(repository)
    if current is not None:
        repository = repository[: -(len(current) + 1)]
    return "%s:%s" % (repository, tag)
