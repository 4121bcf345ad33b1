"""Emulated Kubernetes API latency: one GET over a kept-alive connection, in milliseconds.

    .venv/bin/python benchmarks/kube_api_latency.py [--rounds 200]

Prints `kube_api_get_keepalive VALUE ms` (also a figure of `make benchmark`). Measured at 0.3 ms on
2 quiet cores; a figure near 40 ms means Nagle's algorithm is back on the server's sockets.
"""
from __future__ import annotations

import argparse
import http.client
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without PYTHONPATH

from eksworld.kube import KubeEmulator  # noqa: E402
from eksworld.state import WorldState  # noqa: E402

FIGURE = "kube_api_get_keepalive"  # unit: ms
TOKEN = "kube-api-latency-benchmark-token"
PATH = "/api/v1/namespaces/kube-system/configmaps/coredns"


def keep_alive_get_ms(rounds: int = 200) -> float:
    """Mean wall milliseconds of one GET of a ConfigMap over a single kept-alive connection (after one warm-up)."""
    emulator = KubeEmulator(WorldState())
    emulator.start()
    try:
        store = emulator.add_cluster("bench", token=TOKEN)
        store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kube-system"}})
        store.create({"apiVersion": "v1", "kind": "ConfigMap",
                      "metadata": {"name": "coredns", "namespace": "kube-system"}, "data": {"Corefile": ".:53 {}"}})
        url = urlsplit(emulator.url_for("bench"))
        connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
        headers = {"Authorization": f"Bearer {TOKEN}"}

        def get() -> None:
            connection.request("GET", url.path + PATH, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f"GET {PATH}: HTTP {response.status}")

        get()
        started = time.perf_counter()
        for _ in range(rounds):
            get()
        elapsed = time.perf_counter() - started
        connection.close()
    finally:
        emulator.stop()
    return elapsed / rounds * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args(argv)
    print(f"{FIGURE} {keep_alive_get_ms(args.rounds):.3f} ms", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
