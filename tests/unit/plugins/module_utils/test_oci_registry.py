"""The OCI distribution API client: WWW-Authenticate and Link parsing (pure), and the client against the emulated
registry (token flow, pages, refused connections, certificates) and against answers no real registry should give."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from ansible_collections.lifecycle.eks.plugins.module_utils import oci_registry
from ansible_collections.lifecycle.eks.plugins.module_utils.oci_registry import (
    RegistryClient,
    RegistryError,
    next_link,
    parse_www_authenticate,
)
from eksworld.registry import AUTOSCALER_REPOSITORY, RegistryEmulator, default_autoscaler_tags


@pytest.mark.parametrize(("header", "parsed"), [
    ('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"',
     ("bearer", {"realm": "https://auth.example/token", "service": "registry.example",
                 "scope": "repository:a/b:pull"})),
    # unquoted values, spaces around commas and equals, case of the scheme and the keys
    ('BEARER Realm = https://auth/token , service=reg', ("bearer", {"realm": "https://auth/token", "service": "reg"})),
    # a comma and an escaped quote inside a quoted value
    ('Bearer realm="https://a/t",scope="repository:a/b:pull,push",note="say \\"hi\\""',
     ("bearer", {"realm": "https://a/t", "scope": "repository:a/b:pull,push", "note": 'say "hi"'})),
    ('Basic realm="Registry"', ("basic", {"realm": "Registry"})),
    ("Bearer", ("bearer", {})),
    ("", (None, {})),
    (None, (None, {})),
])
def test_www_authenticate(header, parsed):
    assert parse_www_authenticate(header) == parsed


BASE = "https://r.example/v2/a/b/tags/list?n=2"


@pytest.mark.parametrize(("header", "url"), [
    ('</v2/a/b/tags/list?n=2&last=v1>; rel="next"', "https://r.example/v2/a/b/tags/list?n=2&last=v1"),
    ("</v2/a/b/tags/list?n=2&last=v1>; rel=next", "https://r.example/v2/a/b/tags/list?n=2&last=v1"),
    ('<https://other.example/v2/a/b/tags/list?last=v1>; rel="next"', "https://other.example/v2/a/b/tags/list?last=v1"),
    ('</first>; rel="prev", </second>; rel="next"', "https://r.example/second"),
    ('</x>; rel="prev next"', "https://r.example/x"),
    ('</x>; rel="prev"', None),
    ("", None),
    (None, None),
])
def test_next_link(header, url):
    assert next_link(header, BASE) == url


@pytest.fixture
def registry(tmp_path: Path) -> Any:
    emulator = RegistryEmulator().start()
    ca = tmp_path / "ca.pem"
    ca.write_text(emulator.ca_pem)
    emulator.ca_path = str(ca)
    yield emulator
    emulator.stop()


def test_every_page_is_read_after_an_anonymous_token(registry):
    registry.configure({"page_size": 7})
    client = RegistryClient(ca_path=registry.ca_path)
    tags = client.tags(registry.host, AUTOSCALER_REPOSITORY)
    assert sorted(tags) == sorted(default_autoscaler_tags())
    pages = -(-len(tags) // 7)
    paths = [r["path"] for r in registry.requests]
    # one refused without a token, the token, then each page with it
    assert paths == ["/v2/%s/tags/list" % AUTOSCALER_REPOSITORY, "/token"] + [
        "/v2/%s/tags/list" % AUTOSCALER_REPOSITORY] * pages
    assert all(r["token"] for r in registry.requests[2:])
    assert registry.requests[1]["query"] == {"service": "eksworld-registry",
                                             "scope": "repository:%s:pull" % AUTOSCALER_REPOSITORY}
    assert client.requests == pages + 2


def test_a_page_size_asked_below_the_registry_s_is_honoured(registry):
    registry.configure({"tags": {AUTOSCALER_REPOSITORY: ["v1.30.%d" % p for p in range(5)]}})
    assert sorted(RegistryClient(ca_path=registry.ca_path).tags(registry.host, AUTOSCALER_REPOSITORY, page_size=2)) \
        == ["v1.30.%d" % p for p in range(5)]
    assert [r["query"].get("last") for r in registry.requests if r["token"]] == [None, "v1.30.1", "v1.30.3"]


def test_refused_connections_untrusted_certificates_and_unknown_repositories_are_registry_errors(registry):
    with pytest.raises(RegistryError, match="certificate verify failed"):
        RegistryClient().tags(registry.host, AUTOSCALER_REPOSITORY)
    assert RegistryClient(validate_certs=False).tags(registry.host, AUTOSCALER_REPOSITORY)
    with pytest.raises(RegistryError, match="answered HTTP 404"):
        RegistryClient(ca_path=registry.ca_path).tags(registry.host, "autoscaling/nothing-here")
    registry.set_reachable(False)
    with pytest.raises(RegistryError, match="Connection refused"):
        RegistryClient(ca_path=registry.ca_path).tags(registry.host, AUTOSCALER_REPOSITORY)
    registry.set_reachable(True)
    assert RegistryClient(ca_path=registry.ca_path).tags(registry.host, AUTOSCALER_REPOSITORY)


class _Response(io.BytesIO):
    def __init__(self, body: bytes, headers: dict[str, str] | None = None) -> None:
        super().__init__(body)
        self.headers = headers or {}


def _http_error(code: int, headers: dict[str, str]) -> Exception:
    from ansible.module_utils.six.moves.urllib.error import HTTPError

    return HTTPError("https://r/x", code, "Unauthorized", headers, io.BytesIO(b"{}"))  # type: ignore[arg-type]


def _opener(*answers: Any) -> Any:
    queue = list(answers)

    def open_(url: str, **options: Any) -> Any:
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return open_


@pytest.mark.parametrize(("answers", "message"), [
    ([_Response(b"<html>")], "did not answer JSON"),
    ([_Response(b'{"name": "a"}')], "answered without a tags list"),
    ([_http_error(401, {"WWW-Authenticate": 'Basic realm="x"'})], "asks for basic credentials"),
    ([_http_error(401, {})], "answered HTTP 401"),
    ([_http_error(401, {"WWW-Authenticate": 'Bearer realm="https://t/token"'}), _Response(b"{}")],
     "answered without a token"),
    ([_http_error(401, {"WWW-Authenticate": 'Bearer realm="https://t/token"'}), _http_error(403, {})],
     "the token service https://t/token answered HTTP 403"),
    # a token that still does not open the repository: no second token dance
    ([_http_error(401, {"WWW-Authenticate": 'Bearer realm="https://t/token"'}), _Response(b'{"token": "x"}'),
      _http_error(401, {"WWW-Authenticate": 'Bearer realm="https://t/token"'})], "answered HTTP 401"),
    ([OSError("timed out")], "timed out"),
])
def test_answers_no_registry_should_give_are_registry_errors(answers, message):
    with pytest.raises(RegistryError, match=message):
        RegistryClient(opener=_opener(*answers)).tags("r.example", "a/b")


def test_a_repository_without_tags_has_none():
    assert RegistryClient(opener=_opener(_Response(b'{"name": "a/b", "tags": null}'))).tags("r.example", "a/b") == []


def test_pages_stop_at_the_limit(monkeypatch):
    monkeypatch.setattr(oci_registry, "MAX_PAGES", 2)
    page = _Response(b'{"tags": ["v1"]}', {"Link": '</v2/a/b/tags/list?last=v1>; rel="next"'})
    again = _Response(b'{"tags": ["v2"]}', {"Link": '</v2/a/b/tags/list?last=v2>; rel="next"'})
    with pytest.raises(RegistryError, match="more than 2 pages"):
        RegistryClient(opener=_opener(page, again)).tags("r.example", "a/b")
