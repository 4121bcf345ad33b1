"""Filter lifecycle.eks.role_input_problems: a host's variables checked against the roles' argument specs, each
problem naming the variable the user set (an eks_* variable of the playbook, or a role option set directly)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from ansible_collections.lifecycle.eks.plugins.filter.role_input_problems import (
    FilterModule,
    role_input_problems,
    upgrade_input_problem,
)
from ansible_collections.lifecycle.eks.plugins.plugin_utils.role_options import UPGRADE_ROLES, setting_variables


def test_a_host_with_good_or_no_settings_has_no_problem():
    assert role_input_problems({}) == []
    assert role_input_problems({
        "eks_target_version": "1.31", "eks_wait_timeout": "600", "eks_wait_delay": 2, "eks_force": "yes",
        "eks_addon_resolve_conflicts": "OVERWRITE", "eks_cluster_autoscaler_versions": {"1.31": "1.31.1"},
        "eks_preflight_skip": ["addon-compatibility"], "post_upgrade_addons": False,
        "inventory_hostname": "prod", "ansible_connection": "local", "something_else": object()}) == []


@pytest.mark.parametrize("variables, expected", [
    ({"eks_addon_resolve_conflicts": "KEEP"},
     ("eks_addon_resolve_conflicts (lifecycle.eks.post_upgrade's post_upgrade_addon_resolve_conflicts): ",
      "must be one of: PRESERVE, OVERWRITE, NONE, got: KEEP")),
    ({"eks_cluster_autoscaler_versions": "1.9.3"},
     ("eks_cluster_autoscaler_versions (lifecycle.eks.post_upgrade's post_upgrade_cluster_autoscaler_versions): ",
      "unable to convert to dict")),
    ({"post_upgrade_addons": "maybe"},
     ("post_upgrade_addons (lifecycle.eks.post_upgrade's post_upgrade_addons): ", "unable to convert to bool")),
    ({"eks_preflight_skip": {"insights": "skip"}},
     ("eks_preflight_skip (lifecycle.eks.preflight's preflight_skip_checks): ", "unable to convert to list")),
])
def test_a_value_a_role_would_refuse_is_named_with_the_role_option_it_sets(variables, expected):
    [problem] = role_input_problems(variables)
    named, why = expected
    assert problem.startswith(named) and why in problem, problem


def test_a_variable_several_roles_read_is_named_once_per_distinct_problem():
    # eks_wait_timeout sets the control plane's and post_upgrade's wait timeouts: one message, not two.
    problems = role_input_problems({"eks_wait_timeout": "soon", "eks_force": "perhaps"})
    assert [problem.split(" ", 1)[0] for problem in problems] == ["eks_force", "eks_wait_timeout"]
    assert "unable to convert to int" in problems[1]


def test_every_inventory_variable_a_role_default_reads_is_checked():
    variables = setting_variables()
    roles = Path(__file__).resolve().parents[4] / "roles"
    for role in UPGRADE_ROLES:
        lines = (roles / role / "defaults" / "main.yml").read_text().splitlines()
        for name in re.findall(r"\beks_[a-z0-9_]+", "\n".join(line for line in lines if not line.startswith("#"))):
            assert name in variables, (role, name)
    assert [option for _role, option, _spec in variables["eks_wait_timeout"]] == [
        "control_plane_wait_timeout", "post_upgrade_wait_timeout"]


def test_the_filter_is_exported():
    assert FilterModule().filters() == {"role_input_problems": role_input_problems,
                                        "upgrade_input_problem": upgrade_input_problem}


GOOD = {"eks_target_version": "1.31"}


@pytest.mark.parametrize("variables, expected", [
    ({}, 'Set eks_target_version (for example "1.30", quoted) for prod.'),
    ({"eks_target_version": ""}, 'Set eks_target_version (for example "1.30", quoted) for prod.'),
    # A number is a version all the same (the modules read "1.3" from 1.3 and say so).
    ({"eks_target_version": 1.31}, ""),
    (GOOD, ""),
    (dict(GOOD, eks_checkpoint_backend="local"), ""),
    (dict(GOOD, eks_checkpoint_backend="s3"),
     "eks_checkpoint_backend is s3: set eks_checkpoint_s3_bucket to the bucket that keeps the checkpoints."),
    (dict(GOOD, eks_checkpoint_backend="s3", eks_checkpoint_s3_bucket=""),
     "eks_checkpoint_backend is s3: set eks_checkpoint_s3_bucket to the bucket that keeps the checkpoints."),
    (dict(GOOD, eks_checkpoint_backend="s3", eks_checkpoint_s3_bucket="fleet-state"), ""),
    (dict(GOOD, eks_checkpoint_backend="dynamodb"),
     "eks_checkpoint_backend is dynamodb: set eks_checkpoint_dynamodb_table to the table that keeps the checkpoints "
     "(partition key: cluster, a string)."),
    (dict(GOOD, eks_checkpoint_backend="dynamodb", eks_checkpoint_dynamodb_table="fleet"), ""),
    # The table does not stand for a bucket, nor the other way round.
    (dict(GOOD, eks_checkpoint_backend="s3", eks_checkpoint_dynamodb_table="fleet"),
     "eks_checkpoint_backend is s3: set eks_checkpoint_s3_bucket to the bucket that keeps the checkpoints."),
    (dict(GOOD, eks_checkpoint_backend="S3"), "eks_checkpoint_backend must be local, s3 or dynamodb, not S3."),
    (dict(GOOD, eks_checkpoint_backend="consul"), "eks_checkpoint_backend must be local, s3 or dynamodb, not consul."),
])
def test_the_playbooks_own_settings_are_refused_with_what_to_set(variables, expected):
    assert upgrade_input_problem(variables, "prod") == expected


def test_the_first_problem_is_told_target_first_then_the_roles_then_the_store():
    everything_wrong = {"eks_addon_resolve_conflicts": "KEEP", "eks_checkpoint_backend": "s3"}
    assert upgrade_input_problem(everything_wrong, "prod").startswith("Set eks_target_version")
    message = upgrade_input_problem(dict(everything_wrong, eks_target_version="1.31"), "prod")
    assert message.startswith("Fix these settings of prod: eks_addon_resolve_conflicts (lifecycle.eks.post_upgrade's")
    assert message.endswith("got: KEEP.")
    two = upgrade_input_problem(dict(GOOD, eks_addon_resolve_conflicts="KEEP", post_upgrade_addons="maybe"), "prod")
    assert two.count("; ") == 1 and "post_upgrade_addons (lifecycle.eks.post_upgrade's" in two
