# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The server side of the module host (module_host.py): imports what modules import, then forks one child per
request, which runs the module as AnsiballZ runs it and returns what the module process would have returned.

Started by module_host._start with its own interpreter (sys.executable of the worker): no collection loader here, the
collections are plain packages under the roots on sys.path, as in an AnsiballZ payload.
"""
from __future__ import annotations

import atexit
import base64
import contextlib
import gc
import importlib
import io
import os
import pkgutil
import signal
import socket
import sys
import tempfile
import threading
import traceback

from ansible_collections.lifecycle.eks.plugins.plugin_utils.module_host import (
    process_start_time,
    recv_frame,
    send_frame,
)

# What the modules import at their top, and what AnsibleModule and the clients import when they run.
PRELOAD = (
    "ansible.module_utils.basic",
    "ansible.module_utils.common.json",
    "boto3",
    "botocore",
    "botocore.session",
    "botocore.client",
    "botocore.config",
    "kubernetes",
    "kubernetes.client",
    "kubernetes.config",
    "kubernetes.dynamic",
    "ansible_collections.amazon.aws.plugins.module_utils.modules",
    "ansible_collections.amazon.aws.plugins.module_utils.botocore",
    "ansible_collections.kubernetes.core.plugins.module_utils.k8s.client",
    "ansible_collections.kubernetes.core.plugins.module_utils.k8s.core",
)
# The AWS services the modules make clients for: their models are parsed once, in the server.
AWS_SERVICES = ("autoscaling", "dynamodb", "ec2", "eks", "s3", "ssm", "sts")
MODULES_PACKAGE = "ansible_collections.lifecycle.eks.plugins.modules"
# How often the server checks that its ansible-playbook still runs, when no request comes.
ACCEPT_TIMEOUT_S = 1.0


def _preload() -> None:
    for name in PRELOAD:
        # A module that needs one that fails to import fails in its run, as it would in its own process.
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    package = importlib.import_module(MODULES_PACKAGE)
    for info in pkgutil.iter_modules(package.__path__):
        name = f"{MODULES_PACKAGE}.{info.name}"
        with contextlib.suppress(Exception):
            importlib.import_module(name)  # main() runs only under __main__
        # runpy warns when the module it runs is already imported; its imports stay cached.
        sys.modules.pop(name, None)
    _warm_core()
    with contextlib.suppress(Exception):
        _share_botocore_loader()
    with contextlib.suppress(Exception):
        _import_typed_kube_apis()


def _share_botocore_loader() -> None:
    """Every boto3 session a run makes reads its service models from one loader, filled here.

    Each botocore session builds its own loader, which parses the JSON models again: 0.25 CPU s for the four clients
    of a typical module, more than a forked run's own work. A run with its own data path (AWS_DATA_PATH) keeps its
    own loader."""
    import boto3
    import botocore.loaders
    import botocore.session

    shared = botocore.loaders.create_loader()
    create_loader = botocore.loaders.create_loader

    def loader_for(search_path_string=None):
        return shared if search_path_string is None else create_loader(search_path_string)

    botocore.session.create_loader = loader_for  # what Session._register_data_loader calls
    # Explicit region and keys: nothing is looked up or sent; only the models, endpoints and rules get parsed.
    session = boto3.session.Session(aws_access_key_id="warm", aws_secret_access_key="warm", region_name="us-east-1")
    for service in AWS_SERVICES:
        session.client(service)


def _import_typed_kube_apis() -> None:
    """The typed Kubernetes APIs the modules use, imported here: kubernetes >= 33 imports them on first use, which
    would be in every forked run (2.7 CPU s for the eight on the 2-core machine of the tests)."""
    import kubernetes.client

    from ansible_collections.lifecycle.eks.plugins.module_utils.kube import TYPED_APIS

    for class_name in TYPED_APIS.values():
        getattr(kubernetes.client, class_name)


def _warm_core() -> None:
    """The serialization profiles the runs encode and decode with (ansible-core 2.19 and later)."""
    try:
        from ansible.module_utils.common.json import Direction, get_module_decoder, get_module_encoder
    except ImportError:
        return
    for direction in Direction:
        get_module_encoder("legacy", direction)
        get_module_decoder("legacy", direction)


def run_module_as_ansiballz(module_fqn: str, json_params: bytes, profile: str, modlib_path: str) -> None:
    """What the AnsiballZ wrapper of the running ansible-core does once its payload is on sys.path.

    The one place that calls ansible-core's private code (tests/unit/plugins/plugin_utils/test_module_host.py checks
    that it still exists as used here)."""
    try:
        from ansible.module_utils._internal._ansiballz import _loader  # ansible-core >= 2.19
    except ImportError:
        _loader = None
    if _loader is not None:
        _loader.run_module(json_params=json_params, profile=profile, module_fqn=module_fqn, modlib_path=modlib_path,
                           extensions={})
        return
    # ansible-core 2.17 and 2.18: the ANSIBALLZ_TEMPLATE of executor/module_common.py.
    import runpy

    from ansible.module_utils import basic

    basic._ANSIBLE_ARGS = json_params  # pylint: disable=protected-access
    runpy.run_module(mod_name=module_fqn, init_globals=dict(_module_fqn=module_fqn, _modlib_path=modlib_path),
                     run_name="__main__", alter_sys=True)
    print('{"msg": "New-style module did not handle its own exit", "failed": true}')
    sys.exit(1)


def _exit_code(exc: SystemExit) -> int:
    """The exit status Python gives a process ended by this SystemExit (it prints a non-int code to stderr)."""
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _apply_request(request: dict) -> None:
    # In place: objects holding os.environ (kubernetes' in-cluster config) see the request's environment.
    os.environ.clear()
    os.environ.update(request["env"])
    try:
        os.chdir(request["cwd"])
    except OSError:
        # As the AnsiballZ wrapper does when the working directory is not reachable.
        try:
            os.chdir(os.path.expanduser("~"))
        except OSError:
            os.chdir("/")
    tempfile.tempdir = None  # computed again from this request's TMPDIR
    # Read from the environment when kubernetes.config is imported: what the module's own process would have read.
    kube_config = sys.modules.get("kubernetes.config.kube_config")
    if kube_config is not None:
        default = os.environ.get("KUBECONFIG", "~/.kube/config")
        for name in ("kubernetes.config.kube_config", "kubernetes.config"):
            setattr(sys.modules[name], "KUBE_CONFIG_DEFAULT_LOCATION", default)  # noqa: B010 (untyped for mypy)


def _run_child(conn: socket.socket, modlib_path: str) -> None:
    """In the forked child: read the request, run the module with fd 1 and 2 captured, send the result."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the module's own subprocesses must be waitable
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    request = recv_frame(conn)
    if request is None:
        return  # the worker went away before the whole request came: nothing runs
    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()  # noqa: SIM115 (closed by the child's exit)
    encoding, errors = sys.stdout.encoding, sys.stdout.errors
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(out.fileno(), 1)
    os.dup2(err.fileno(), 2)
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "rb", closefd=False), encoding=encoding, errors=errors)
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "wb", closefd=False), encoding=encoding, errors=errors)
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "wb", closefd=False), encoding=encoding, errors="backslashreplace",
                                  line_buffering=True)
    sys.argv = [""]
    _apply_request(request)
    rc = 0
    try:
        run_module_as_ansiballz(request["module_fqn"], request["json_params"].encode("utf-8"), request["profile"],
                                modlib_path)
    except SystemExit as exc:
        rc = _exit_code(exc)
    except BaseException:  # pylint: disable=broad-except
        traceback.print_exc()  # what the interpreter prints for an uncaught exception
        rc = 1
    try:
        # As the interpreter ends: wait for the module's non-daemon threads, then run the atexit handlers.
        with contextlib.suppress(Exception):
            threading._shutdown()  # type: ignore[attr-defined]  # pylint: disable=protected-access
        atexit._run_exitfuncs()  # pylint: disable=protected-access
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
    captured = []
    for handle in (out, err):
        handle.seek(0)
        captured.append(base64.b64encode(handle.read()).decode())
    send_frame(conn, {"rc": rc, "stdout": captured[0], "stderr": captured[1]})


def _reap() -> None:
    """Wait for the children that have finished. Not SIGCHLD ignored: the kernel would then drop their CPU time
    instead of adding it to this process's children's (what getrusage and a benchmark of the run count)."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _parent_alive(config: dict) -> bool:
    return process_start_time(config["main_pid"]) == config["main_start"]


def serve(config: dict) -> None:
    """Listen on config['socket'] until the ansible-playbook process (main_pid, main_start) is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the runs (the children), the run's end stops this
    ready = os.fdopen(config["ready_fd"], "w")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(config["socket"])
        listener.listen(128)
        listener.settimeout(ACCEPT_TIMEOUT_S)
        _preload()
        gc.collect()
        gc.freeze()  # the imported objects stay out of the collector, so the children share their pages
        modlib_path = config["paths"][0]
        ready.write("ready\n")
        ready.close()
        while _parent_alive(config):
            _reap()
            try:
                conn = listener.accept()[0]
            except socket.timeout:
                continue
            conn.settimeout(None)
            pid = os.fork()
            if pid == 0:
                status = 0
                try:
                    listener.close()
                    _run_child(conn, modlib_path)
                except BaseException:  # pylint: disable=broad-except
                    status = 1
                finally:
                    os._exit(status)
            conn.close()
    except Exception as exc:  # pylint: disable=broad-except
        if not ready.closed:
            ready.write(f"error {exc!r}\n")
        raise
    finally:
        listener.close()
        for path in (config["socket"], config["socket"][:-len(".sock")] + ".lock"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
        with contextlib.suppress(ChildProcessError):
            while True:
                os.waitpid(-1, 0)  # runs still going (a killed playbook's): their CPU time counts for this process
