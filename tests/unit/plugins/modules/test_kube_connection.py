"""A module reaches the emulated cluster through each of kubernetes.core's ways of naming it: K8S_AUTH_* variables
alone, and explicit host, api_key and ca_cert options; neither goes through EKS's endpoint and token."""
from __future__ import annotations

import pytest

from ansible_collections.lifecycle.eks.plugins.module_utils import kube
from ansible_collections.lifecycle.eks.plugins.modules import eks_version_skew_facts as module

NAME = "healthy-129"


@pytest.fixture
def no_eks_path(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the module authenticated to EKS instead of using the Kubernetes options")

    monkeypatch.setattr(kube, "_from_eks", refuse)


def kubelets(result):
    assert not result.failed, result.get("msg")
    assert result["kube_retries"] == 0  # it reached the Kubernetes API
    return result["ansible_facts"]["eks_version_skew"]["kubelet_versions"]


def test_k8s_auth_kubeconfig_alone(make_world, run_module, kubeconfig, monkeypatch, no_eks_path):
    world = make_world("healthy")
    monkeypatch.setenv("K8S_AUTH_KUBECONFIG", kubeconfig(NAME))
    assert kubelets(run_module(module, {"cluster_name": NAME, "region": world.region})) == {"1.29": 2}


def test_a_k8s_auth_context_that_is_not_there_is_named(make_world, run_module, kubeconfig, monkeypatch):
    world = make_world("healthy")
    monkeypatch.setenv("K8S_AUTH_KUBECONFIG", kubeconfig(NAME))
    monkeypatch.setenv("K8S_AUTH_CONTEXT", "elsewhere")
    result = run_module(module, {"cluster_name": NAME, "region": world.region})
    assert result.failed
    assert "Could not configure the Kubernetes client" in result["msg"] and "elsewhere" in result["msg"]


def test_host_api_key_and_ca_cert(make_world, run_module, tmp_path, monkeypatch, no_eks_path):
    world = make_world("healthy")
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "not-read"))  # no kubeconfig is read with host and api_key
    ca_cert = tmp_path / "cluster-ca.crt"
    ca_cert.write_text(world.kube.ca_pem)
    options = {"cluster_name": NAME, "region": world.region, "host": world.kube.url_for(NAME),
               "api_key": world.tokens[NAME], "ca_cert": str(ca_cert)}
    assert kubelets(run_module(module, options)) == {"1.29": 2}

    unverified = run_module(module, dict(options, ca_cert=None, kube_retry_timeout=0))
    assert unverified.failed and "CERTIFICATE_VERIFY_FAILED" in unverified["msg"], unverified.get("msg")
