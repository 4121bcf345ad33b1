"""awx/survey.json: AWX's survey schema, and exactly the playbook's documented variables with their types and defaults.

The documented variables are the tables of the README and docs/checkpoints.md. Their types and choices are read where
the playbook hands them on: the roles' meta/argument_specs.yml (a role option defaulting to `eks_x | default(..)`),
the checkpoint store's options (the play's module_defaults), or else the literal default the playbooks and roles give.
"""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint_store import store_argument_spec

ROOT = Path(__file__).resolve().parents[2]
SURVEY = json.loads((ROOT / "awx" / "survey.json").read_text())
QUESTIONS = {entry["variable"]: entry for entry in SURVEY["spec"]}
# AWX's survey question types (awx/main/models/mixins.py SurveyJobTemplateMixin).
TYPES = {"text", "textarea", "password", "integer", "float", "multiplechoice", "multiselect"}
TABLE_ROW = re.compile(r"^\| `(eks_[a-z0-9_]+)` \| (.*?) \|", re.MULTILINE)
DEFAULT = re.compile(r"\b(eks_[a-z0-9_]+) \| default\(([^()]*(?:\([^()]*\)[^()]*)*)\)")


def documented() -> dict[str, str]:
    """Each variable of the README's and docs/checkpoints.md's variable tables, with its default column."""
    rows: dict[str, str] = {}
    for path in (ROOT / "README.md", ROOT / "docs" / "checkpoints.md"):
        text = path.read_text()
        table = text[text.index("| variable | default | meaning |"):]
        rows.update(TABLE_ROW.findall(table[:table.index("\n\n")]))
    return rows


def is_literal(column: str) -> bool:
    """A default column naming a value (`24h`, `[]`), not a computed one (a directory, another variable)."""
    return re.fullmatch(r"`[^`<]*`", column) is not None and not column.startswith("`eks_")


def literal_defaults() -> dict[str, list[Any]]:
    """The literal defaults the playbooks and roles give each eks_* variable (`eks_x | default(30)`)."""
    found: dict[str, list[Any]] = {}
    for path in [*ROOT.glob("playbooks/**/*.yml"), *ROOT.glob("roles/*/defaults/main.yml"),
                 *ROOT.glob("roles/*/tasks/*.yml")]:
        for name, text in DEFAULT.findall(path.read_text()):
            python = re.sub(r"\btrue\b", "True", re.sub(r"\bfalse\b", "False", text))
            try:
                found.setdefault(name, []).append(ast.literal_eval(python))
            except (ValueError, SyntaxError):
                continue  # an expression (omit, another variable), not a default a survey can show
    return found


def option_specs() -> dict[str, list[dict[str, Any]]]:
    """The argument specs of the options each eks_* variable becomes: role options and the checkpoint store's."""
    specs: dict[str, list[dict[str, Any]]] = {}
    for role in ROOT.glob("roles/*"):
        defaults = yaml.safe_load((role / "defaults" / "main.yml").read_text()) or {}
        specs_file = yaml.safe_load((role / "meta" / "argument_specs.yml").read_text())
        options = specs_file["argument_specs"]["main"]["options"]
        for option, value in defaults.items():
            match = DEFAULT.fullmatch(str(value).strip("{} "))
            if match and option in options:
                specs.setdefault(match.group(1), []).append(options[option])
    play = yaml.safe_load((ROOT / "playbooks" / "upgrade.yml").read_text())[0]
    store = store_argument_spec()
    for option, value in play["module_defaults"]["group/lifecycle.eks.checkpoint"].items():
        match = DEFAULT.search(str(value))
        if match and option in store:
            specs.setdefault(match.group(1), []).append(store[option])
    return specs


def documented_type(name: str) -> tuple[str, list[str] | None]:
    """(type, choices) of a variable as the playbook reads it."""
    specs = option_specs().get(name, [])
    kinds = {(spec.get("type", "str"), tuple(spec.get("choices") or ())) for spec in specs}
    assert len(kinds) <= 1, f"{name} is read as different types: {kinds}"
    if kinds:
        kind, choices = kinds.pop()
        return kind, list(choices) or None
    literals = literal_defaults().get(name, [])
    kind = {type(value).__name__ for value in literals}
    assert len(kind) <= 1, f"{name}: defaults of different types {literals}"
    return (kind.pop() if kind else "str"), None


def answer(question: dict[str, Any]) -> Any:
    """The survey default as the playbook receives it (AWX passes a multiselect as a list, a boolean choice as text)."""
    default = question["default"]
    if question["type"] == "multiselect":
        return default.split("\n")
    if question.get("choices") == ["true", "false"]:
        return default == "true"
    return default


def test_the_survey_follows_awx_schema():
    assert set(SURVEY) == {"name", "description", "spec"} and SURVEY["name"]
    assert len(QUESTIONS) == len(SURVEY["spec"]), "a variable is asked twice"
    for question in SURVEY["spec"]:
        assert {"question_name", "question_description", "variable", "type", "required"} <= set(question), question
        assert question["type"] in TYPES and isinstance(question["required"], bool), question
        if question["type"] in {"multiplechoice", "multiselect"}:
            assert isinstance(question["choices"], list) and question["choices"], question
            assert set(str(question.get("default", "")).split("\n")) <= set(question["choices"]) | {""}, question
        if question["type"] in {"integer", "float"}:
            assert question["min"] <= question["default"] <= question["max"], question
        if question["type"] in {"text", "textarea"}:
            assert isinstance(question["min"], int) and isinstance(question["max"], int), question


def test_the_survey_asks_exactly_the_documented_variables_a_survey_can_hold():
    """Every documented variable but the per-cluster dictionaries (no survey type holds one; the inventory does)."""
    dictionaries = {name for name in documented() if documented_type(name)[0] == "dict"}
    assert dictionaries == {"eks_nodegroup_launch_templates", "eks_control_plane_hourly_rates"}
    assert sorted(QUESTIONS) == sorted(set(documented()) - dictionaries)


@pytest.mark.parametrize("name", sorted(QUESTIONS))
def test_each_question_has_the_documented_type_choices_and_default(name):
    question = QUESTIONS[name]
    kind, choices = documented_type(name)
    expected_type = {"bool": "multiplechoice", "int": "integer", "float": "float", "list": "multiselect"}.get(
        kind, "multiplechoice" if choices else "text")
    if name == "eks_preflight_skip":
        expected_type = "text"  # free check ids, comma-separated: the modules split a list option's text on commas
    assert question["type"] == expected_type, (name, kind)
    if kind == "bool":
        assert question["choices"] == ["true", "false"]
    elif choices:
        assert question["choices"] == choices
    literals = literal_defaults().get(name, []) or [
        spec["default"] for spec in option_specs().get(name, []) if "default" in spec]
    column = documented()[name]
    if "default" not in question:
        # No value to show: the playbook computes it (a directory, the run id), an empty list, or it is required.
        assert question["required"] or not is_literal(column) or literals == [[]], (name, column)
        return
    assert literals and is_literal(column), f"{name}: the survey shows a default the playbooks do not give"
    for literal in literals:
        wanted = [str(item) for item in literal] if question["type"] == "multiselect" else literal
        assert answer(question) == wanted, (name, literal)
    assert column.strip("`").replace("'", '"') in (json.dumps(literal) for literal in literals) or \
        column.strip("`") == str(literals[0]) or column.strip("`") == str(literals[0]).lower(), (name, column)


def test_the_target_version_is_required_and_has_no_default():
    question = QUESTIONS["eks_target_version"]
    assert question["required"] is True and "default" not in question
