"""Check that every role's meta/argument_specs.yml mirrors its defaults/main.yml.

For each role: every public default (defaults/main.yml) is an option of an entry point with the same
default (a required option may keep an empty placeholder in defaults/, and no default in its spec; a
default that reads an inventory variable, `{{ eks_X | default(D) }}`, has D as its default); every
option with a default in any entry point is a variable of defaults/main.yml with that value; option
names carry the role's prefix, but for the inventory variables every role reads as is (SHARED);
internal variables (`__<role>_*`) never appear in defaults or specs; and the role has a README.md
that names each option. Exit status 1 lists every mismatch.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
# Inventory variables the roles read under the users' name (one name from the inventory to the modules).
SHARED = frozenset(("eks_target_version",))
_READS_INVENTORY = re.compile(r"^\{\{ eks_\w+ \| default\((?P<default>.*)\) \}\}$")
_NAME = re.compile(r"^[a-z_]+$")


def default_of(value: Any) -> Any:
    """The default a defaults/main.yml value states: D of `{{ eks_X | default(D) }}`, else the value itself."""
    found = _READS_INVENTORY.match(value) if isinstance(value, str) else None
    if found is None:
        return value
    text = found.group("default")
    return "{{ %s }}" % text if _NAME.match(text) and text not in ("true", "false") else yaml.safe_load(text)


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
    return data if isinstance(data, dict) else {}


def check_role(role: Path) -> list[str]:
    name = role.name
    errors: list[str] = []
    defaults = _load(role / "defaults" / "main.yml")
    specs_file = role / "meta" / "argument_specs.yml"
    if not specs_file.is_file():
        return [f"{name}: meta/argument_specs.yml is missing"]
    entry_points: dict[str, Any] = _load(specs_file).get("argument_specs") or {}
    if "main" not in entry_points:
        errors.append(f"{name}: argument_specs has no `main` entry point")

    for var, value in defaults.items():
        if var.startswith("__"):
            errors.append(f"{name}: internal variable {var} belongs in vars/, not defaults/")
        elif not var.startswith(f"{name}_"):
            errors.append(f"{name}: default {var} lacks the role prefix {name}_")
        specs = [((spec or {}).get("options") or {}).get(var) for spec in entry_points.values()]
        specs = [spec for spec in specs if spec is not None]
        if not specs:
            errors.append(f"{name}: default {var} is not an option of any entry point")
        for spec in specs:
            if spec.get("required") and value == "":
                continue
            if spec.get("required") or spec.get("default") != default_of(value):
                errors.append(f"{name}: {var} defaults to {value!r} but the spec says {spec.get('default')!r}")

    readme = role / "README.md"
    readme_text = readme.read_text(encoding="utf-8") if readme.is_file() else ""
    if not readme_text:
        errors.append(f"{name}: README.md is missing")
    for entry, spec in entry_points.items():
        for option, option_spec in ((spec or {}).get("options") or {}).items():
            where = f"{name}: {entry} option {option}"
            if not option.startswith(f"{name}_") and option not in SHARED:
                errors.append(f"{where} lacks the role prefix {name}_")
            if not option_spec.get("description"):
                errors.append(f"{where} has no description")
            if "type" not in option_spec:
                errors.append(f"{where} has no type")
            if option_spec.get("required") and "default" in option_spec:
                errors.append(f"{where} is required and has a default")
            if "default" in option_spec and option not in defaults:
                errors.append(f"{where} has a default but is not in defaults/main.yml")
            if readme_text and f"`{option}`" not in readme_text:
                errors.append(f"{where} is not listed in README.md")
    return errors


def main() -> int:
    roles = sorted(p for p in (ROOT / "roles").iterdir() if p.is_dir())
    errors = [error for role in roles for error in check_role(role)]
    for error in errors:
        print(error, file=sys.stderr)
    print(f"{len(roles)} roles checked, {len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
