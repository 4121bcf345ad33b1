# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The worker side of the module host (docs/performance.md, "The module host").

A module process costs about 2.5 CPU seconds and 90 MiB, nearly all of it importing ansible-core's module_utils,
boto3, kubernetes and the collections. One server per ansible-playbook run (module_host_server.py) imports them once;
each module run is a fork of it, so the imports are paid once per run and the pages are shared.

The server is found by the run's key: the main ansible-playbook pid (a worker's parent) and that process's start time
(so a reused pid never finds another run's server). The first worker that needs it starts it under a file lock.
"""
from __future__ import annotations

import base64
import contextlib
import errno
import fcntl
import importlib.util
import json
import os
import select
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import time

# Where a module host's process says what it is (tests find stray ones by it).
MARKER = "lifecycle-eks-module-host"
# The collections whose code modules import: the server puts their roots first on sys.path, as AnsiballZ puts its zip.
COLLECTIONS = ("ansible_collections.lifecycle.eks", "ansible_collections.amazon.aws",
               "ansible_collections.kubernetes.core")
# Leaves room under the AF_UNIX limit of 108 bytes.
SOCKET_PATH_MAX = 100
# A deadline for the server's imports, not a wait: a busy 2-core machine took about 5 s.
START_DEADLINE_S = 300.0
_LENGTH = struct.Struct("!Q")

_BOOT = (
    "import json, sys\n"
    "config = json.loads(sys.argv[2])\n"
    "sys.path[:] = config['paths'] + [p for p in sys.path if p not in ('', '.')]\n"
    "from ansible_collections.lifecycle.eks.plugins.plugin_utils.module_host_server import serve\n"
    "serve(config)\n"
)


class HostUnavailable(Exception):
    """No request was sent: the caller may run the module the classic way."""


class HostFailed(Exception):
    """A request was sent and no result came back: the module may have run, so it must not run again."""


def enabled(environ=None) -> bool:
    """The module host is on unless LIFECYCLE_EKS_MODULE_HOST=0 (docs/performance.md#the-module-host)."""
    return (environ if environ is not None else os.environ).get("LIFECYCLE_EKS_MODULE_HOST", "").strip() != "0"


def process_start_time(pid: int) -> str | None:
    """Field 22 of /proc/<pid>/stat (start time in clock ticks since boot), or None when the process is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
    return data[data.rindex(b")") + 2:].split()[19].decode()


def collection_paths() -> list[str]:
    """The directories holding ansible_collections/ for the collections the modules import (no realpath: the
    collection may be a symlink whose target is not laid out as ansible_collections/<ns>/<name>)."""
    paths: list[str] = []
    for name in COLLECTIONS:
        spec = importlib.util.find_spec(name)
        if spec is None:
            raise HostUnavailable(f"{name} is not importable")
        locations = list(spec.submodule_search_locations or [])
        if not locations:
            raise HostUnavailable(f"{name} has no package directory")
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(locations[0]))))
        if root not in paths:
            paths.append(root)
    return paths


def _runtime_dir() -> str:
    directory = os.path.join(tempfile.gettempdir(), f"lifecycle-eks-{os.getuid()}")
    with contextlib.suppress(FileExistsError):
        os.mkdir(directory, 0o700)
    info = os.lstat(directory)
    # Another user's directory, or a symlink planted there, must not receive the arguments (credentials) of modules.
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise HostUnavailable(f"{directory} is not a private directory of this user")
    return directory


def _connect(path: str) -> socket.socket | None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
    except OSError as exc:
        sock.close()
        if exc.errno in (errno.ENOENT, errno.ECONNREFUSED):
            return None
        raise HostUnavailable(f"cannot connect to the module host: {exc}") from exc
    return sock


def _start(path: str, main_pid: int, main_start: str, paths: list[str]) -> int:
    """Start a server and wait for its ready line; returns its pid."""
    read_end, write_end = os.pipe()
    config = {"paths": paths, "socket": path, "main_pid": main_pid, "main_start": main_start, "ready_fd": write_end}
    try:
        # stdout/stderr to /dev/null: a server holding the playbook's output pipes would keep its reader waiting.
        process = subprocess.Popen([sys.executable, "-c", _BOOT, MARKER, json.dumps(config)], pass_fds=(write_end,),
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError as exc:
        raise HostUnavailable(f"cannot start the module host: {exc}") from exc
    finally:
        os.close(write_end)
    line = b""
    deadline = time.monotonic() + START_DEADLINE_S
    try:
        while not line.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([read_end], [], [], remaining)[0]:
                process.kill()
                raise HostUnavailable("the module host did not become ready")
            chunk = os.read(read_end, 64)
            if not chunk:
                raise HostUnavailable(f"the module host exited while starting (rc {process.wait()})")
            line += chunk
    finally:
        os.close(read_end)
    if line.strip() != b"ready":
        raise HostUnavailable(f"the module host failed to start: {line.decode(errors='replace').strip()}")
    return process.pid


def connect(main_pid: int | None = None, paths: list[str] | None = None) -> socket.socket:
    """A connection to this run's server, started if none runs. Raises HostUnavailable."""
    main_pid = os.getppid() if main_pid is None else main_pid
    main_start = process_start_time(main_pid)
    if main_start is None:
        raise HostUnavailable(f"process {main_pid} is gone")
    directory = _runtime_dir()
    path = os.path.join(directory, f"{main_pid}-{main_start}.sock")
    if len(os.fsencode(path)) > SOCKET_PATH_MAX:
        raise HostUnavailable(f"{path} is too long for a Unix socket")
    sock = _connect(path)
    if sock is not None:
        return sock
    paths = collection_paths() if paths is None else paths
    with open(os.path.join(directory, f"{main_pid}-{main_start}.lock"), "a", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            sock = _connect(path)  # another worker started it while this one waited for the lock
            if sock is None:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)  # left by a server that was killed
                _start(path, main_pid, main_start, paths)
                sock = _connect(path)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    if sock is None:
        raise HostUnavailable("the module host started but does not accept connections")
    return sock


def send_frame(sock: socket.socket, data: dict) -> None:
    payload = json.dumps(data).encode()
    sock.sendall(_LENGTH.pack(len(payload)) + payload)


def recv_frame(sock: socket.socket) -> dict | None:
    """One frame, or None when the peer closed the connection before sending a whole one."""
    header = _recv_exactly(sock, _LENGTH.size)
    if header is None:
        return None
    payload = _recv_exactly(sock, _LENGTH.unpack(header)[0])
    return None if payload is None else json.loads(payload)


def _recv_exactly(sock: socket.socket, size: int) -> bytes | None:
    chunks, remaining = [], size
    while remaining:
        chunk = sock.recv(min(remaining, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def run(request: dict, main_pid: int | None = None, paths: list[str] | None = None) -> tuple[int, bytes, bytes]:
    """Run a module in the host: request holds module_fqn, json_params (str), profile, env and cwd.

    Returns (rc, stdout, stderr) as the module process would have. Raises HostUnavailable when nothing was sent,
    HostFailed when the request was sent but no result came back."""
    sock = connect(main_pid, paths)
    with sock:
        try:
            send_frame(sock, request)
        except OSError as exc:
            # A partial request is never run: the server's child reads a whole frame before it runs anything.
            raise HostUnavailable(f"cannot send to the module host: {exc}") from exc
        try:
            response = recv_frame(sock)
        except (OSError, ValueError) as exc:
            raise HostFailed(str(exc)) from exc
    if response is None:
        raise HostFailed("the module host closed the connection without a result")
    return response["rc"], base64.b64decode(response["stdout"]), base64.b64decode(response["stderr"])
