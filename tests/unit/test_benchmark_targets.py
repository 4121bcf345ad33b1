"""The benchmark judges each figure against the issue's target (benchmarks/fleet.py summarize)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import fleet  # noqa: E402  (benchmarks/ is not a package)


def judged(capsys, tmp_path, **values):
    figures = fleet.Figures()
    for name, value in values.items():
        figures.add(name, value, "")
    capsys.readouterr()
    fleet.summarize(figures, tmp_path)
    return [line for line in capsys.readouterr().out.splitlines() if line.startswith("- target ")]


def test_the_upgrade_ratio_is_judged_against_the_limit_for_its_hop_time(capsys, tmp_path):
    assert judged(capsys, tmp_path, upgrade_update_seconds_D=20.0, upgrade_ratio=2.9) == [
        "- target upgrade_ratio <= 3: 2.9 -> met"]
    assert judged(capsys, tmp_path, upgrade_update_seconds_D=60.0, upgrade_ratio=2.9) == [
        "- target upgrade_ratio <= 1.5: 2.9 -> MISSED"]
    # No target is set for other hop times: nothing is judged.
    assert judged(capsys, tmp_path, upgrade_update_seconds_D=5.0, upgrade_ratio=2.9) == []


def test_cpu_and_memory_per_cluster_are_judged(capsys, tmp_path):
    assert judged(capsys, tmp_path, upgrade_cpu_per_cluster=3.0, upgrade_peak_pss_per_cluster=25.1) == [
        "- target upgrade_cpu_per_cluster <= 3: 3.0 -> met",
        "- target upgrade_peak_pss_per_cluster <= 25: 25.1 -> MISSED"]
