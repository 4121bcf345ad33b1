"""Fixtures for the emulated AWS tests: one server per session, a clean world and checked clients per test."""
from __future__ import annotations

from typing import Any, Callable, Iterator

import boto3
import pytest
from botocore.config import Config
from stopped_clock import StoppedClock

from eksworld import catalog
from eksworld.aws import AwsEmulator
from eksworld.shapecheck import attach_shape_checker
from eksworld.state import EventBus, Faults, RequestLog, WorldState

AWS_TEST_KEY_ID = "AKIAEKSWORLDTESTKEY0000"
AWS_TEST_SECRET = "eksworld-test-secret-key-long-and-distinctive"


@pytest.fixture(scope="session")
def aws_server() -> Iterator[AwsEmulator]:
    """Started once: moto builds its per-service apps on first use, which is the slow part."""
    emulator = AwsEmulator(WorldState())
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def aws(aws_server: AwsEmulator) -> AwsEmulator:
    """The session's emulator with no resources, fresh shared state, a stopped clock and short emulated durations."""
    aws_server.reset()
    state = aws_server.state
    state.clock, state.log, state.faults, state.events = StoppedClock(), RequestLog(), Faults(seed=7), EventBus()
    state.cluster_update_s, state.nodegroup_update_s, state.addon_update_s = 0.2, 0.1, 0.1
    state.addon_catalog = catalog.BUILT_IN
    return aws_server


@pytest.fixture
def aws_clock(aws: AwsEmulator) -> StoppedClock:
    """The emulated clock of `aws`, for tests that set the date."""
    assert isinstance(aws.state.clock, StoppedClock)
    return aws.state.clock


@pytest.fixture
def aws_credentials() -> dict[str, str]:
    """Long, distinctive fake credentials (Ansible masks secrets in its output, letter by letter if short)."""
    return {"aws_access_key_id": AWS_TEST_KEY_ID, "aws_secret_access_key": AWS_TEST_SECRET}


@pytest.fixture
def aws_client(aws: AwsEmulator, aws_credentials: dict[str, str]) -> Callable[..., Any]:
    """Factory for boto3 clients on the emulator; every response is checked against botocore's model."""

    def make(service: str, max_attempts: int = 1) -> Any:
        client = boto3.client(
            service,
            endpoint_url=aws.url,
            region_name="us-east-1",
            config=Config(retries={"mode": "standard", "total_max_attempts": max_attempts}),
            **aws_credentials,
        )
        attach_shape_checker(client)
        return client

    return make


@pytest.fixture
def aws_eks(aws_client: Callable[..., Any]) -> Any:
    return aws_client("eks")


@pytest.fixture
def aws_ec2(aws_client: Callable[..., Any]) -> Any:
    return aws_client("ec2")


@pytest.fixture
def aws_cluster(aws: AwsEmulator) -> str:
    """A healthy 1.29 cluster with one node group on 1.29."""
    aws.create_cluster("demo", version="1.29")
    aws.create_nodegroup("demo", "general")
    return "demo"
