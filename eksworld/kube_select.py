"""Label and field selectors with kube-apiserver's syntax and matching rules.

Upgrade tooling selects nodes by node-group label (`eks.amazonaws.com/nodegroup=ng-1`) and
objects by name (`metadata.name=coredns`, as kubectl does for `rollout status`), so both
selector languages must filter exactly as a real server would.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eksworld.kube_status import KubeError

_SET_TERM = re.compile(r"^\s*(?P<key>[^\s!=(),]+)\s+(?P<op>in|notin)\s*\((?P<values>[^)]*)\)\s*$")
_EQUALITY_TERM = re.compile(r"^\s*(?P<key>[^\s!=(),]+)\s*(?P<op>==|!=|=)\s*(?P<value>[^\s!=(),]*)\s*$")
_EXISTS_TERM = re.compile(r"^\s*(?P<negated>!?)\s*(?P<key>[^\s!=(),]+)\s*$")


@dataclass(frozen=True)
class _Requirement:
    key: str
    operator: str  # "in", "notin", "exists", "!exists"
    values: frozenset[str] = frozenset()

    def matches(self, labels: Mapping[str, str]) -> bool:
        if self.operator == "exists":
            return self.key in labels
        if self.operator == "!exists":
            return self.key not in labels
        if self.operator == "in":
            return labels.get(self.key) in self.values
        # notin also matches objects without the label, as in Kubernetes.
        return labels.get(self.key) not in self.values


def _split_terms(text: str) -> list[str]:
    """Split on the commas that separate requirements, not those inside `in (a,b)`."""
    terms: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            terms.append("".join(current))
            current = []
        else:
            current.append(char)
    terms.append("".join(current))
    return [term for term in terms if term.strip()]


class LabelSelector:
    """A parsed selector; an empty one matches everything."""

    def __init__(self, requirements: list[_Requirement]) -> None:
        self._requirements = requirements

    @classmethod
    def parse(cls, selector: str | Mapping[str, str] | None) -> LabelSelector:
        """Accept the query-string syntax or, for Python callers, an equality mapping."""
        if selector is None:
            return cls([])
        if isinstance(selector, Mapping):
            return cls([_Requirement(key, "in", frozenset([value]))
                        for key, value in selector.items()])
        requirements = []
        for term in _split_terms(selector):
            requirements.append(cls._parse_term(term))
        return cls(requirements)

    @staticmethod
    def _parse_term(term: str) -> _Requirement:
        if match := _SET_TERM.match(term):
            values = frozenset(v.strip() for v in match["values"].split(",") if v.strip())
            return _Requirement(match["key"], match["op"], values)
        if match := _EQUALITY_TERM.match(term):
            operator = "notin" if match["op"] == "!=" else "in"
            return _Requirement(match["key"], operator, frozenset([match["value"]]))
        if match := _EXISTS_TERM.match(term):
            return _Requirement(match["key"], "!exists" if match["negated"] else "exists")
        raise KubeError(400, f"unable to parse requirement: {term.strip()!r}")

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        labels = labels or {}
        return all(requirement.matches(labels) for requirement in self._requirements)


def _field_value(obj: Mapping[str, Any], path: str) -> str:
    value: Any = obj
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class FieldSelector:
    """`metadata.name=x,spec.nodeName!=y`: equality on dotted paths.

    kube-apiserver only indexes a few fields per kind (metadata.name and metadata.namespace
    everywhere, spec.nodeName and status.phase for pods...); this one accepts any path.
    """

    def __init__(self, terms: list[tuple[str, bool, str]]) -> None:
        self._terms = terms

    @classmethod
    def parse(cls, selector: str | None) -> FieldSelector:
        terms = []
        for term in _split_terms(selector or ""):
            match = _EQUALITY_TERM.match(term)
            if not match:
                raise KubeError(400, f"invalid selector: {term.strip()!r}; can't understand it")
            terms.append((match["key"], match["op"] != "!=", match["value"]))
        return cls(terms)

    def matches(self, obj: Mapping[str, Any]) -> bool:
        return all((_field_value(obj, path) == value) == equal for path, equal, value in self._terms)
