#!/usr/bin/env python3
"""Mutation check of the procedure's thresholds: flip each one and expect a test to fail.

Each mutant changes one threshold constant or comparison of plugins/module_utils (checks.py, skew.py,
versions.py) by one step, in a copy of plugins/ under a temporary directory (the working tree is never
touched), and runs the threshold tables (test_procedure_thresholds.py), test_checks.py and test_skew.py
against that copy. A mutant the tests still pass with "survives": a boundary no test pins. The score is
printed; the exit status is 1 when a mutant survives, 2 when the check itself cannot run (a snippet
below no longer matches its file exactly once, or the unmutated copy fails its tests).

    python tests/mutation/flip_thresholds.py [--verbose]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[2]
MODULE_UTILS = "plugins/module_utils"
TESTS = [
    "tests/unit/plugins/module_utils/test_procedure_thresholds.py",   # first: it kills most mutants fastest
    "tests/unit/plugins/module_utils/test_checks.py",
    "tests/unit/plugins/module_utils/test_skew.py",
]
# What the tests need besides plugins/: the root conftest (import paths) and the pytest configuration.
SUPPORT = ["tests/conftest.py", "pyproject.toml"]


class Mutant(NamedTuple):
    path: str        # relative to plugins/module_utils
    original: str    # occurs exactly once in the file
    mutated: str
    threshold: str   # the procedure's rule it moves


MUTANTS = [
    # Introduction: up to five free IP addresses in each cluster subnet.
    Mutant("checks.py", "MIN_FREE_IPS = 5", "MIN_FREE_IPS = 4", "5 free IPs"),
    Mutant("checks.py", "MIN_FREE_IPS = 5", "MIN_FREE_IPS = 6", "5 free IPs"),
    Mutant("checks.py", 's["available_ips"] < MIN_FREE_IPS', 's["available_ips"] <= MIN_FREE_IPS', "5 free IPs"),
    # Step 4: VPC CNI earlier than 1.8.0.
    Mutant("checks.py", 'recent = _at_least(tag, "1.8.0")', 'recent = _at_least(tag, "1.7.0")', "VPC CNI 1.8.0"),
    Mutant("checks.py", 'recent = _at_least(tag, "1.8.0")', 'recent = _at_least(tag, "1.8.1")', "VPC CNI 1.8.0"),
    Mutant("versions.py", "return parse_semver(text) >= parse_semver(minimum)",
           "return parse_semver(text) > parse_semver(minimum)", "VPC CNI 1.8.0, LBC 2.4.7"),
    # Step 4: AWS Load Balancer Controller 2.4.7 before 1.25.
    Mutant("checks.py", 'recent = _at_least(tag, "2.4.7")', 'recent = _at_least(tag, "2.4.6")', "LBC 2.4.7"),
    Mutant("checks.py", 'recent = _at_least(tag, "2.4.7")', 'recent = _at_least(tag, "2.4.8")', "LBC 2.4.7"),
    Mutant("checks.py", '_path_crosses(current, target, "1.25") and not recent',
           '_path_crosses(current, target, "1.26") and not recent', "LBC before 1.25"),
    Mutant("checks.py", '_path_crosses(current, target, "1.25") and not recent',
           '_path_crosses(current, target, "1.24") and not recent', "LBC before 1.25"),
    # Paths crossing a version (LBC 1.25, EBS CSI 1.23, Fluentd 1.24).
    Mutant("checks.py", "return current < boundary <= target", "return current <= boundary <= target",
           "path crosses a version"),
    Mutant("checks.py", "return current < boundary <= target", "return current < boundary < target",
           "path crosses a version"),
    # Step 4, Important: EBS CSI driver before 1.23.
    Mutant("checks.py", '_path_crosses(current, target, "1.23")', '_path_crosses(current, target, "1.22")',
           "EBS CSI before 1.23"),
    Mutant("checks.py", '_path_crosses(current, target, "1.23")', '_path_crosses(current, target, "1.24")',
           "EBS CSI before 1.23"),
    # Step 4, Important: Fluentd to Fluent Bit before 1.24.
    Mutant("checks.py", '_path_crosses(current, target, "1.24")', '_path_crosses(current, target, "1.23")',
           "Fluentd before 1.24"),
    Mutant("checks.py", '_path_crosses(current, target, "1.24")', '_path_crosses(current, target, "1.25")',
           "Fluentd before 1.24"),
    # Step 2: PodSecurityPolicy served below 1.25.
    Mutant("checks.py", 'current >= parse_kube_version("1.25")', 'current > parse_kube_version("1.25")',
           "PSP below 1.25"),
    Mutant("checks.py", 'current >= parse_kube_version("1.25")', 'current >= parse_kube_version("1.24")',
           "PSP below 1.25"),
    # Step 3: a Corefile line that is the upstream option (coredns_corefile.py, shared by the check and the fix).
    Mutant("coredns_corefile.py", r'r"^[ \t]*upstream', r'r"[ \t]*upstream', "CoreDNS upstream line"),
    Mutant("coredns_corefile.py", r'(?:\r?\n|\r?\Z)", re.MULTILINE', r'(?:\r?\n)", re.MULTILINE',
           "CoreDNS upstream line ending the Corefile"),
    Mutant("coredns_corefile.py", r'(?:\r?\n|\r?\Z)", re.MULTILINE', r'(?:\r?\n|\r?\Z)", 0', "CoreDNS upstream line"),
    Mutant("coredns_corefile.py", r'upstream(?:[ \t]+', r'upstream(?:[ \t]*', "CoreDNS upstream, not upstreams"),
    # Step 1: managed and Fargate nodes on the control plane's minor.
    Mutant("checks.py", 'parse_kube_version(ng["version"]) < current', 'parse_kube_version(ng["version"]) <= current',
           "node groups on the control plane's minor"),
    Mutant("checks.py", 'parse_kube_version(n["kubelet"]) < current', 'parse_kube_version(n["kubelet"]) <= current',
           "Fargate nodes on the control plane's minor"),
    # Step 4: kubelet skew, three minors for kubelet 1.25 and newer, two for 1.24 and older.
    Mutant("skew.py", "THREE_MINOR_SKEW_SINCE = KubeMinor(1, 25)", "THREE_MINOR_SKEW_SINCE = KubeMinor(1, 24)",
           "kubelet skew since 1.25"),
    Mutant("skew.py", "THREE_MINOR_SKEW_SINCE = KubeMinor(1, 25)", "THREE_MINOR_SKEW_SINCE = KubeMinor(1, 26)",
           "kubelet skew since 1.25"),
    Mutant("skew.py", "return 3 if kubelet_minor >= THREE_MINOR_SKEW_SINCE else 2",
           "return 3 if kubelet_minor > THREE_MINOR_SKEW_SINCE else 2", "kubelet skew since 1.25"),
    Mutant("skew.py", "return 3 if kubelet_minor >= THREE_MINOR_SKEW_SINCE else 2",
           "return 4 if kubelet_minor >= THREE_MINOR_SKEW_SINCE else 2", "kubelet skew 3"),
    Mutant("skew.py", "return 3 if kubelet_minor >= THREE_MINOR_SKEW_SINCE else 2",
           "return 3 if kubelet_minor >= THREE_MINOR_SKEW_SINCE else 3", "kubelet skew 2"),
    Mutant("skew.py", "<= max_kubelet_skew(kubelet_minor)", "< max_kubelet_skew(kubelet_minor)", "kubelet skew"),
    Mutant("skew.py", "return 0 <= kubelet_minor.distance", "return -1 <= kubelet_minor.distance",
           "kubelet never newer than the control plane"),
    Mutant("skew.py", "        if limit < target:", "        if limit <= target:", "kubelet skew over the path"),
    # Step 9: kubectl within one minor of the control plane.
    Mutant("versions.py", "abs(client.distance(cluster)) <= 1", "abs(client.distance(cluster)) < 1",
           "kubectl within one minor"),
    Mutant("versions.py", "abs(client.distance(cluster)) <= 1", "abs(client.distance(cluster)) <= 2",
           "kubectl within one minor"),
]


def stale_entries(root):
    """Entries whose original snippet is not in its file exactly once (the source moved on)."""
    problems = []
    for mutant in MUTANTS:
        count = (root / MODULE_UTILS / mutant.path).read_text().count(mutant.original)
        if count != 1:
            problems.append("%s: %r occurs %d times (expected once); update MUTANTS in %s"
                            % (mutant.path, mutant.original, count, Path(__file__).relative_to(ROOT)))
    return problems


def make_copy(work):
    """plugins/, the tests run and their support files under ``work``, importable as lifecycle.eks."""
    shutil.copytree(ROOT / "plugins", work / "plugins", ignore=shutil.ignore_patterns("__pycache__"))
    for relative in TESTS + SUPPORT:
        (work / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / relative, work / relative)
    namespaces = work / ".build" / "collections" / "ansible_collections"
    (namespaces / "lifecycle").mkdir(parents=True)
    (namespaces / "lifecycle" / "eks").symlink_to(work)
    # module_utils import amazon.aws and kubernetes.core (make setup puts them beside lifecycle.eks).
    for namespace in ("amazon", "kubernetes"):
        (namespaces / namespace).symlink_to(ROOT / ".build" / "collections" / "ansible_collections" / namespace)


def run_tests(work, verbose):
    """pytest's exit status on the copy: 0 passed, 1 a test failed, anything else the run broke."""
    collections = work / ".build" / "collections"
    env = dict(os.environ, PYTHONPATH="%s%s%s" % (work, os.pathsep, collections),
               ANSIBLE_COLLECTIONS_PATH=str(collections), PYTHONDONTWRITEBYTECODE="1")
    # Only pass or fail matters here: plain asserts spare pytest rewriting every module of its plugins (hypothesis)
    # on each run, which bytecode caching would otherwise amortise (it is off: a restored file must never run from a
    # mutant's cached bytecode).
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--assert=plain",
               "--hypothesis-seed=0"] + TESTS
    done = subprocess.run(command, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if verbose or done.returncode not in (0, 1):
        print(done.stdout[-3000:])
    return done.returncode


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verbose", action="store_true", help="print each pytest run's output")
    args = parser.parse_args()
    problems = stale_entries(ROOT)
    if problems:
        print("\n".join(problems))
        return 2
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="flip-thresholds-") as tmp:
        work = Path(tmp)
        make_copy(work)
        if run_tests(work, args.verbose) != 0:
            print("The unmutated copy fails its tests: fix them before reading a mutation score.")
            return 2
        survivors, broken = [], []
        for number, mutant in enumerate(MUTANTS, 1):
            target = work / MODULE_UTILS / mutant.path
            original = target.read_text()
            target.write_text(original.replace(mutant.original, mutant.mutated))
            try:
                status = run_tests(work, args.verbose)
            finally:
                target.write_text(original)
            verdict = {0: "SURVIVED", 1: "killed"}.get(status, "ERROR (pytest exit %d)" % status)
            print("%2d/%d %-8s %s: %s -> %s  [%s]" % (number, len(MUTANTS), verdict, mutant.path, mutant.original,
                                                      mutant.mutated, mutant.threshold))
            if status == 0:
                survivors.append(mutant)
            elif status != 1:
                broken.append(mutant)
    killed = len(MUTANTS) - len(survivors) - len(broken)
    print("\nMutation score: %d/%d threshold mutants killed (%.0fs)" % (killed, len(MUTANTS),
                                                                        time.monotonic() - started))
    if survivors:
        print("Surviving mutants are boundaries no test pins: add a case on each side to "
              "tests/unit/plugins/module_utils/test_procedure_thresholds.py.")
    if broken:
        print("Mutants that broke the test run (not a verdict): %d" % len(broken))
        return 2
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
