# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: UP001, UP009, UP010 -- Ansible's module_utils boilerplate (coding, __future__, __metaclass__)
"""An image repository's tags from the OCI distribution API (``GET /v2/<name>/tags/list``), read anonymously.

Registries that want a token (registry.k8s.io's backend, Docker Hub, ECR Public, Artifact Registry) answer 401 with
``WWW-Authenticate: Bearer realm=...,service=...,scope=...``: an anonymous token is asked from the realm and the
request repeated with it. Pages follow the ``Link: <...>; rel="next"`` header (with ``n`` and ``last``). HTTP goes
through ansible.module_utils.urls.open_url (certificates checked unless told otherwise, a CA bundle, timeouts).
The header parsers are pure and tested on their own.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible.module_utils.six.moves.urllib.error import HTTPError
from ansible.module_utils.six.moves.urllib.parse import quote, urlencode, urljoin
from ansible.module_utils.urls import open_url

PAGE_SIZE = 1000
# A repository with more pages than this is not a release repository gone wrong: stop rather than loop.
MAX_PAGES = 100
_AUTH_PARAM = re.compile(r'\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*(?:,|$)')
_LINK = re.compile(r'<([^>]*)>\s*((?:;\s*[^;,]*)*)')


class RegistryError(Exception):
    """The tags could not be read; the message says why, for the warning that falls back to the table."""


def parse_www_authenticate(header):
    """(scheme, {param: value}) of a WWW-Authenticate header; (None, {}) when there is none.

    'Bearer realm="https://auth/token",service="registry",scope="repository:a/b:pull"' ->
    ("bearer", {"realm": ..., "service": ..., "scope": ...}). Quoted values may hold commas and escapes.
    """
    header = (header or "").strip()
    if not header:
        return None, {}
    scheme, _space, rest = header.partition(" ")
    params = {}
    position = 0
    rest = rest.strip()
    while position < len(rest):
        match = _AUTH_PARAM.match(rest, position)
        if not match or match.end() == position:
            break
        value = match.group(2) if match.group(2) is not None else match.group(3)
        params[match.group(1).lower()] = re.sub(r"\\(.)", r"\1", value)
        position = match.end()
    return scheme.lower(), params


def next_link(header, base_url):
    """The absolute URL of a Link header's rel="next" target (relative to ``base_url``), or None."""
    for target, attributes in _LINK.findall(header or ""):
        relations = re.findall(r'rel\s*=\s*"?([^";]+)"?', attributes)
        if any("next" in relation.split() for relation in relations):
            return urljoin(base_url, target)
    return None


def tags_url(registry, repository, page_size=PAGE_SIZE):
    return "https://%s/v2/%s/tags/list?%s" % (registry, quote(repository, safe="/"), urlencode({"n": page_size}))


class RegistryClient:
    """Reads one registry anonymously: ``validate_certs``, ``ca_path`` and ``timeout`` as open_url takes them."""

    def __init__(self, validate_certs=True, ca_path=None, timeout=10, opener=open_url):
        self.validate_certs, self.ca_path, self.timeout = validate_certs, ca_path, timeout
        self._open = opener
        self.requests = 0
        self._token = None

    def tags(self, registry, repository, page_size=PAGE_SIZE):
        """Every tag of ``registry``/``repository``, following pages; RegistryError saying why they are not read."""
        url, tags = tags_url(registry, repository, page_size), []
        for _page in range(MAX_PAGES):
            body, link = self._get_json(url, repository)
            page = body.get("tags") if isinstance(body, dict) else None
            if page is None and isinstance(body, dict) and "tags" in body:
                page = []  # a repository without tags answers "tags": null
            if not isinstance(page, list):
                raise RegistryError("%s answered without a tags list" % _short(url))
            tags.extend(str(tag) for tag in page)
            url = next_link(link, url)
            if url is None:
                return tags
        raise RegistryError("%s has more than %d pages of tags" % (registry, MAX_PAGES))

    def _get_json(self, url, repository):
        response = self._request(url, repository)
        try:
            body = json.loads(response.read().decode("utf-8"))
        except ValueError as exc:
            raise RegistryError("%s did not answer JSON (%s)" % (_short(url), exc)) from None
        return body, response.headers.get("Link")

    def _request(self, url, repository, retried=False):
        headers = {"Accept": "application/json"}
        if self._token:
            headers["Authorization"] = "Bearer %s" % self._token
        try:
            return self._open(url, headers=headers, **self._options())
        except HTTPError as exc:
            challenge = exc.headers.get("WWW-Authenticate") if exc.headers is not None else None
            if exc.code == 401 and not retried and challenge:
                self._token = self._anonymous_token(challenge, repository)
                return self._request(url, repository, retried=True)
            raise RegistryError("%s answered HTTP %s %s" % (_short(url), exc.code, exc.reason)) from None
        except RegistryError:
            raise
        except Exception as exc:  # URLError, timeouts, refused connections, certificate errors (open_url's own)
            raise RegistryError("%s: %s" % (_short(url), _reason(exc))) from None

    def _anonymous_token(self, challenge, repository):
        scheme, params = parse_www_authenticate(challenge)
        if scheme != "bearer" or not params.get("realm"):
            raise RegistryError("the registry asks for %s credentials; only anonymous pulls are supported"
                                % (scheme or "unknown"))
        query = {key: params[key] for key in ("service", "scope") if params.get(key)}
        query.setdefault("scope", "repository:%s:pull" % repository)
        realm = params["realm"]
        url = realm + ("&" if "?" in realm else "?") + urlencode(sorted(query.items()))
        try:
            response = self._open(url, headers={"Accept": "application/json"}, **self._options())
            body = json.loads(response.read().decode("utf-8"))
        except HTTPError as exc:
            raise RegistryError("the token service %s answered HTTP %s %s" % (realm, exc.code, exc.reason)) from None
        except ValueError as exc:
            raise RegistryError("the token service %s did not answer JSON (%s)" % (realm, exc)) from None
        except Exception as exc:
            raise RegistryError("the token service %s: %s" % (realm, _reason(exc))) from None
        token = body.get("token") or body.get("access_token") if isinstance(body, dict) else None
        if not token:
            raise RegistryError("the token service %s answered without a token" % realm)
        return token

    def _options(self):
        self.requests += 1
        return {"method": "GET", "timeout": self.timeout, "validate_certs": self.validate_certs,
                "ca_path": self.ca_path, "use_proxy": True, "follow_redirects": "safe"}


def _short(url):
    return url.split("?", 1)[0]


def _reason(exc):
    reason = getattr(exc, "reason", None)
    return str(reason if reason is not None else exc) or exc.__class__.__name__
