"""The module host (plugins/plugin_utils/module_host*.py): one server per run, modules run in forks of it."""
from __future__ import annotations

import contextlib
import inspect
import json
import os
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterator

import pytest

from ansible_collections.lifecycle.eks.plugins.plugin_utils import module_host

# A deadline against a hang, never a measured duration: a busy 2-core machine takes seconds to start a server.
DEADLINE_S = 300.0

MODULES = {
    "host_echo": """
        import os
        from ansible.module_utils.basic import AnsibleModule

        def main():
            module = AnsibleModule(argument_spec=dict(name=dict(type="str"), secret=dict(type="str", no_log=True),
                                                      leak=dict(type="bool", default=False)),
                                   supports_check_mode=True)
            seen, cwd = os.environ.get("HOST_TEST_VAR"), os.getcwd()
            if module.params["leak"]:
                os.environ["HOST_TEST_VAR"] = "leaked"
                os.chdir("/")
            module.warn("a warning")
            module.exit_json(changed=not module.check_mode, name=module.params["name"], env=seen, cwd=cwd,
                             secret_seen=module.params["secret"] is not None)

        if __name__ == "__main__":
            main()
    """,
    "host_crash": """
        raise RuntimeError("crashed at import")
    """,
    "host_garbage": """
        import sys
        print("not json")
        sys.stderr.write("some stderr\\n")
        sys.exit(3)
    """,
}


def params(args: dict[str, Any]) -> str:
    """The module's arguments as ansible-core sends them (ANSIBLE_MODULE_ARGS), with its internal ones."""
    return json.dumps({"ANSIBLE_MODULE_ARGS": {"_ansible_check_mode": False, **args}})


def host_processes(main_pid: int) -> list[int]:
    """Module host servers keyed to main_pid (their command line holds the marker and their config), not counting
    the forks that run modules (same command line, a server as parent)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if module_host.MARKER.encode() in argv and f'"main_pid": {main_pid},'.encode() in argv[-2]:
            with contextlib.suppress(OSError, ValueError):
                status = (entry / "status").read_text()
                found[int(entry.name)] = int(status.split("\nPPid:")[1].split()[0])
    return sorted(pid for pid, parent in found.items() if parent not in found)


def wait_until(condition: Any, what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.05)


@pytest.fixture
def host(tmp_path: Path) -> Iterator[SimpleNamespace]:
    """A fake ansible-playbook process (ends when its stdin closes) and the paths its module host imports from."""
    modules = tmp_path / "modules"
    modules.mkdir()
    for name, code in MODULES.items():
        (modules / f"{name}.py").write_text(textwrap.dedent(code))
    main = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    paths = [*module_host.collection_paths(), str(modules)]

    def run(module: str, args: dict[str, Any], env: dict[str, str] | None = None, cwd: Path = tmp_path) -> Any:
        request = {"module_fqn": module, "json_params": params(args), "profile": "legacy",
                   "env": {**os.environ, **(env or {})}, "cwd": str(cwd)}
        return module_host.run(request, main_pid=main.pid, paths=paths)

    try:
        yield SimpleNamespace(main=main, paths=paths, run=run, tmp_path=tmp_path)
    finally:
        assert main.stdin is not None
        main.stdin.close()
        main.wait()
        wait_until(lambda: not host_processes(main.pid), "the module host exits after its main process")


def test_concurrent_starters_start_one_server(host):
    def connect() -> bool:
        with module_host.connect(main_pid=host.main.pid, paths=host.paths):
            return True

    with ThreadPoolExecutor(8) as pool:
        assert all(future.result() for future in [pool.submit(connect) for index in range(8)])
    assert len(host_processes(host.main.pid)) == 1


def test_module_runs_and_returns_its_result(host):
    rc, stdout, stderr = host.run("host_echo", {"name": "a", "secret": "hunter2"}, env={"HOST_TEST_VAR": "one"})
    result = json.loads(stdout)
    assert rc == 0, stderr
    assert result["changed"] is True
    seen = (result["name"], result["env"], result["cwd"], result["secret_seen"])
    assert seen == ("a", "one", str(host.tmp_path), True)
    assert "a warning" in json.dumps(result["warnings"])  # a string on 2.17, a WarningSummary on 2.19
    assert "hunter2" not in stdout.decode()  # AnsibleModule masks no_log values in its own output
    assert result["invocation"]["module_args"]["secret"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


def test_check_mode_reaches_the_module(host):
    rc, stdout, stderr = host.run("host_echo", {"name": "a", "_ansible_check_mode": True})
    assert (rc, json.loads(stdout)["changed"]) == (0, False), stderr


def test_environment_and_working_directory_do_not_leak_between_requests(host, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    first = json.loads(host.run("host_echo", {"leak": True}, env={"HOST_TEST_VAR": "one"}, cwd=other)[1])
    second = json.loads(host.run("host_echo", {})[1])
    assert (first["env"], first["cwd"]) == ("one", str(other))
    assert (second["env"], second["cwd"]) == (None, str(host.tmp_path))


def test_a_module_that_crashes_returns_what_its_process_would(host):
    rc, stdout, stderr = host.run("host_crash", {})
    assert rc == 1
    try:
        from ansible.module_utils._internal._ansiballz import _loader  # noqa: F401 (ansible-core >= 2.19)
    except ImportError:  # 2.17: the interpreter prints the traceback
        assert stdout == b""
        assert stderr.decode().startswith("Traceback") and "RuntimeError: crashed at import" in stderr.decode()
    else:  # 2.19: run_module's exception handler prints a failed result
        result = json.loads(stdout)
        assert result["failed"] is True and "crashed at import" in json.dumps(result["exception"])


def test_output_that_is_not_json_comes_back_as_is(host):
    assert host.run("host_garbage", {}) == (3, b"not json\n", b"some stderr\n")


def test_many_concurrent_requests(host):
    def one(index: int) -> tuple[int, str]:
        rc, stdout, stderr = host.run("host_echo", {"name": str(index)}, env={"HOST_TEST_VAR": str(index)})
        result = json.loads(stdout)
        assert result["env"] == str(index), stderr
        return rc, result["name"]

    with ThreadPoolExecutor(50) as pool:
        assert list(pool.map(one, range(50))) == [(0, str(index)) for index in range(50)]
    assert len(host_processes(host.main.pid)) == 1


def test_the_server_exits_and_removes_its_socket_when_the_main_process_is_gone(host):
    host.run("host_echo", {})
    [server] = host_processes(host.main.pid)
    sockets = list(Path(module_host._runtime_dir()).glob(f"{host.main.pid}-*.sock"))
    assert len(sockets) == 1
    host.main.stdin.close()
    host.main.wait()
    wait_until(lambda: server not in host_processes(host.main.pid), "the server exits")
    wait_until(lambda: not sockets[0].exists(), "the socket is removed")


def test_the_private_core_calls_still_exist_as_used():
    """module_host_server.run_module_as_ansiballz and module_host_action.core_module_io call ansible-core's
    internals: fail here, loudly, when a core release moves them."""
    from ansible.module_utils import basic

    assert hasattr(basic, "_ANSIBLE_ARGS")
    try:
        from ansible.module_utils._internal._ansiballz import _loader
    except ImportError:  # ansible-core 2.17, 2.18: the ANSIBALLZ_TEMPLATE sets basic._ANSIBLE_ARGS and runs runpy
        from ansible.executor import module_common

        assert "basic._ANSIBLE_ARGS = json_params" in module_common.ANSIBALLZ_TEMPLATE
        assert "run_name='__main__', alter_sys=True" in module_common.ANSIBALLZ_TEMPLATE
        return
    from ansible import constants as C
    from ansible._internal._ansiballz import _builder

    assert set(inspect.signature(_loader.run_module).parameters) == {
        "json_params", "profile", "module_fqn", "modlib_path", "extensions", "init_globals"}
    assert C.config.get_config_value("_MODULE_METADATA") is False
    assert _builder.ExtensionManager.create(task_vars={}).extension_names == ()


def test_the_host_is_unavailable_for_a_process_that_is_gone():
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    with pytest.raises(module_host.HostUnavailable, match="is gone"):
        module_host.connect(main_pid=gone.pid, paths=[])


@pytest.mark.parametrize("value, expected", [(None, True), ("1", True), ("", True), ("0", False), (" 0 ", False)])
def test_the_switch(value, expected):
    assert module_host.enabled({} if value is None else {"LIFECYCLE_EKS_MODULE_HOST": value}) is expected


def test_sessions_in_the_server_share_one_warm_loader_unless_given_their_own_data_path(monkeypatch, tmp_path):
    """module_host_server._share_botocore_loader: the models are parsed once in the server; a run setting
    AWS_DATA_PATH keeps a loader of its own, as in its own process. Also fails, loudly, when botocore stops building
    a session's loader through botocore.session.create_loader."""
    import boto3
    import botocore.session

    from ansible_collections.lifecycle.eks.plugins.plugin_utils import module_host_server

    monkeypatch.setattr(botocore.session, "create_loader", botocore.session.create_loader)  # undone after the test
    monkeypatch.delenv("AWS_DATA_PATH", raising=False)
    module_host_server._share_botocore_loader()

    def loader() -> Any:
        return boto3.session.Session(region_name="eu-west-1")._session.get_component("data_loader")

    shared = loader()
    assert loader() is shared
    assert shared.load_service_model("eks", "service-2")["metadata"]["serviceId"] == "EKS"
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
    own = loader()
    assert own is not shared and str(tmp_path) in own.search_paths
