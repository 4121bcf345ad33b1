"""What a run_once wave result registered on every host costs: N hosts each read their own entry of it, twice, once
with a result of N entries and once with a result of one (the control), on one ansible-core.

    .venv/bin/python benchmarks/registered_wave.py [--hosts 1000] [--forks 100] [--ansible-playbook PATH]
    .venv/bin/python benchmarks/registered_wave.py --ansible-playbook .venv-core-oldest/bin/ansible-playbook

Prints `registered_wave_<whole|one>_cpu CPU_SECONDS cpu_s` and their ratio. Measured on 2026-12-07 with the same
play by hand (1,000 hosts, forks 100, 50-field entries, two of five per-host tasks reading the host's entry):
ansible-core 2.17 took 132.3 s against 76.0 s (1.74x) and 258 against 149 CPU s; 2.19 took 106.2 s against
101.3 s (1.05x). Why playbooks/upgrade.yml keeps each wave's entries on the controller (store_entries) and each host
reads its own (lifecycle.eks.wave_entry).
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

PLAY = """- hosts: all
  gather_facts: false
  tasks:
    - name: The wave's result, registered on every host (run_once)
      ansible.builtin.debug:
        msg: "{{ lookup('file', '%s') | from_json }}"
      run_once: true
      register: wave
    - name: Each host reads its own entry
      ansible.builtin.set_fact:
        mine: "{{ wave.msg.clusters[inventory_hostname] | default({}) }}"
    - name: A task that does not read it
      ansible.builtin.set_fact:
        size: "{{ mine | length }}"
    - name: Each host reads its own entry again
      ansible.builtin.set_fact:
        again: "{{ wave.msg.clusters[inventory_hostname] | default({}) }}"
"""


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(playbook: str, work: Path, hosts: list[str], entries: int, forks: int) -> float:
    """CPU seconds of the play when the registered result holds ``entries`` entries of 50 fields each."""
    result = work / f"wave-{entries}.json"
    result.write_text(json.dumps({"clusters": {name: {f"field{i}": f"value {i} of {name}" for i in range(50)}
                                               for name in hosts[:entries]}}))
    play = work / f"play-{entries}.yml"
    play.write_text(PLAY % result)
    before = children_cpu()
    subprocess.run([playbook, "-i", str(work / "inventory.yml"), str(play), "-f", str(forks)], check=True,
                   stdout=subprocess.DEVNULL)
    return children_cpu() - before


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", type=int, default=1000)
    parser.add_argument("--forks", type=int, default=100)
    parser.add_argument("--ansible-playbook", default=str(Path(sys.executable).with_name("ansible-playbook")))
    args = parser.parse_args()
    hosts = [f"cluster-{i:04d}" for i in range(args.hosts)]
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        (work / "inventory.yml").write_text(json.dumps(
            {"all": {"hosts": dict.fromkeys(hosts), "vars": {"ansible_connection": "local"}}}))
        whole = run(args.ansible_playbook, work, hosts, len(hosts), args.forks)
        one = run(args.ansible_playbook, work, hosts, 1, args.forks)
    print(f"registered_wave_whole_cpu {whole:.1f} cpu_s")
    print(f"registered_wave_one_cpu {one:.1f} cpu_s")
    print(f"registered_wave_ratio {whole / one:.2f} x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
