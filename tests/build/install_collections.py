"""Install the collections lifecycle.eks depends on (requirements.yml) into .build/collections, without Galaxy.

Galaxy is out of reach where `make test` runs; PyPI is not. The `ansible` community package on PyPI ships
amazon.aws and kubernetes.core, so its wheel is downloaded (never installed: it would bring a hundred other
collections into the virtual environment) and the two collections are copied out of it, each checked
against the minimum version requirements.yml asks for.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import yaml
from ansible.module_utils.compat.version import LooseVersion

# ansible 12.3.0 ships amazon.aws 10.1.2 and kubernetes.core 6.2.0 (the versions the tests run with).
ANSIBLE_PACKAGE = "ansible==12.3.0"
ROOT = Path(__file__).resolve().parents[2]
WHEELS = ROOT / ".build" / "wheels"


def required_collections() -> dict[str, str]:
    """name -> minimum version, from requirements.yml (versions written as '>=X.Y.Z')."""
    data = yaml.safe_load((ROOT / "requirements.yml").read_text())
    return {entry["name"]: entry["version"].removeprefix(">=") for entry in data["collections"]}


def ansible_wheel() -> Path:
    version = ANSIBLE_PACKAGE.split("==")[1]
    wheel = WHEELS / f"ansible-{version}-py3-none-any.whl"
    if not wheel.exists():
        WHEELS.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                        "--no-deps", "--dest", str(WHEELS), ANSIBLE_PACKAGE], check=True)
    return wheel


def install(destination: Path) -> None:
    with zipfile.ZipFile(ansible_wheel()) as wheel:
        for name, minimum in required_collections().items():
            namespace, collection = name.split(".")
            prefix = f"ansible_collections/{namespace}/{collection}/"
            manifest = json.loads(wheel.read(prefix + "MANIFEST.json"))
            version = manifest["collection_info"]["version"]
            if LooseVersion(version) < LooseVersion(minimum):
                sys.exit(f"{ANSIBLE_PACKAGE} ships {name} {version}; requirements.yml needs >={minimum}")
            target = destination / "ansible_collections" / namespace / collection
            if target.is_dir() and json.loads((target / "MANIFEST.json").read_text()) == manifest:
                continue
            shutil.rmtree(target, ignore_errors=True)
            for member in wheel.namelist():
                if member.startswith(prefix) and not member.endswith("/"):
                    path = target / member[len(prefix):]
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(wheel.read(member))
            print(f"installed {name} {version} from {ANSIBLE_PACKAGE} into {destination}")


if __name__ == "__main__":
    install(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / ".build" / "collections")
