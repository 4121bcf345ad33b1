"""Check that `ansible-doc` renders every module, the filter and the roles of lifecycle.eks.

ansible-doc exits 0 even when a plugin is missing or its documentation is broken (it only warns), so
each plugin is rendered as text and as JSON, any warning or error fails the check, and the JSON must
hold the documentation, examples and return values (modules and filters) or the entry points (roles).
Run with ANSIBLE_COLLECTIONS_PATH pointing at a directory that holds ansible_collections/lifecycle/eks;
the plugins and roles to check are those of the checkout, or of the collection directory given as argument
(an installed artifact).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ANSIBLE_DOC = str(Path(sys.executable).with_name("ansible-doc"))
COLLECTION = "lifecycle.eks"


def ansible_doc(plugin_type: str, names: list[str], *extra: str) -> str:
    proc = subprocess.run([ANSIBLE_DOC, "-t", plugin_type, *extra, *names], capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0 or "[WARNING]" in proc.stderr or "[ERROR]" in proc.stderr or "ERROR!" in proc.stderr:
        raise SystemExit(f"ansible-doc -t {plugin_type} {' '.join(extra)} {' '.join(names)} failed "
                         f"(rc {proc.returncode}):\n{proc.stderr}")
    return proc.stdout


def check(plugin_type: str, stems: list[str], required: tuple[str, ...]) -> list[str]:
    names = [f"{COLLECTION}.{stem}" for stem in stems]
    text = ansible_doc(plugin_type, names)
    docs = json.loads(ansible_doc(plugin_type, names, "--json"))
    errors = []
    for name in names:
        if name not in text:
            errors.append(f"{plugin_type} {name}: not in the text rendering")
        entry = docs.get(name) or {}
        errors += [f"{plugin_type} {name}: no {key}" for key in required if not entry.get(key)]
    print(f"{plugin_type}: {', '.join(names)}")
    return errors


def main() -> int:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT
    modules = sorted(p.stem for p in (root / "plugins" / "modules").glob("*.py") if p.stem != "__init__")
    # Each filter is documented in a YAML file named after it (several filters may share one .py file).
    filters = sorted(p.stem for p in (root / "plugins" / "filter").glob("*.yml"))
    roles = sorted(p.name for p in (root / "roles").iterdir() if (p / "meta" / "argument_specs.yml").is_file())
    errors = check("module", modules, ("doc", "examples", "return"))
    errors += check("filter", filters, ("doc", "examples", "return"))
    errors += check("role", roles, ("entry_points",))
    for error in errors:
        print(error, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
