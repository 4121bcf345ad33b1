"""Filter lifecycle.eks.waves: the waves of a play's serial, returned unchanged when Ansible takes them, refused with
the variable's name otherwise."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.lifecycle.eks.plugins.filter.waves import FilterModule, waves


@pytest.mark.parametrize("value", [
    [1, "25%", "100%"], ["100%"], 1, "3", "1%", "100%", [2, 5], ["10"], 1000,
])
def test_waves_serial_takes_come_back_unchanged(value):
    assert waves(value) is value


@pytest.mark.parametrize("value, named", [
    ([], "the list is empty"),
    (0, "at least 1 cluster"),
    ("0", "at least 1 cluster"),
    ([1, 0], "0: a wave has at least 1 cluster"),
    (-2, "-2: a wave has at least 1 cluster"),
    ("0%", "from '1%' to '100%'"),
    ("101%", "from '1%' to '100%'"),
    ("12.5%", "whole percentage"),
    ("-1", "whole percentage"),
    ("all", "whole percentage"),
    ("[1, 2]", "whole percentage"),
    (True, "neither a number of clusters nor a percentage"),
    (None, "neither a number of clusters nor a percentage"),
    ([1.5], "neither a number of clusters nor a percentage"),
    ({"size": 1}, "neither a number of clusters nor a percentage"),
])
def test_anything_else_is_refused_naming_the_variable_and_the_bad_size(value, named):
    with pytest.raises(AnsibleFilterError) as raised:
        waves(value)
    message = str(raised.value)
    assert message.startswith("eks_waves must be a wave size or a list of them")
    assert named in message
    assert "for example [1, '25%', '100%']" in message


def test_every_bad_size_of_a_list_is_named_and_the_variable_is_the_caller_s():
    with pytest.raises(AnsibleFilterError) as raised:
        waves([0, "5%", "150%"], "eks_rollback_serial")
    message = str(raised.value)
    assert message.startswith("eks_rollback_serial must be")
    assert "0: a wave has at least 1 cluster; '150%': a percentage is from '1%' to '100%'." in message


def test_the_filter_is_exported():
    assert FilterModule().filters() == {"waves": waves}
