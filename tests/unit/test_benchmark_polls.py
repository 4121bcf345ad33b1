"""The benchmark counts the DescribeUpdate polls the way the modules' budget limits them (benchmarks/fleet.py)."""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import fleet  # noqa: E402  (benchmarks/ is not a package)


def test_a_poll_exactly_one_window_later_falls_outside_it():
    assert fleet.most_in_a_window([0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0]) == 6
    assert fleet.most_in_a_window([0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 59.9]) == 7
    assert fleet.most_in_a_window([]) == 0


def test_polls_sent_are_the_union_of_what_each_step_handed_on(tmp_path):
    tasks = tmp_path / "tasks.jsonl"
    lines = [
        {"event": "start", "ts": 0.0},
        {"event": "task", "host": "a", "poll_times": [100.0, 110.0, 120.0]},  # the control plane step
        {"event": "task", "host": "a", "poll_times": [100.0, 110.0, 120.0, 130.0, 140.0, 150.0, 159.0]},  # add-ons
        {"event": "task", "host": "b", "poll_times": [100.0, 200.0]},
        {"event": "task", "host": "c", "action": "ansible.builtin.set_fact"},
    ]
    tasks.write_text("".join(json.dumps(line) + "\n" for line in lines) + "\n")
    assert fleet.polls_sent(tasks) == {"max_in_60s_window": 7, "clusters": 2}
