#!/usr/bin/env bash
# Build the collection artifact as it is published, install it into an empty collections path, and check
# that what users run resolves from the artifact alone: the documentation of every module, the filter and the
# roles, and the playbook lifecycle.eks.upgrade, run against an emulated cluster.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
BIN="$ROOT/.venv/bin"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/lifecycle-eks-build.XXXXXX")"
WORLD_PID=""
trap '[ -z "$WORLD_PID" ] || kill "$WORLD_PID" 2>/dev/null; rm -rf "$WORK"' EXIT

"$BIN/ansible-galaxy" collection build --output-path "$WORK/dist" "$ROOT"
TARBALL="$(ls "$WORK"/dist/lifecycle-eks-*.tar.gz)"
# What the artifact must not carry (galaxy.yml build_ignore): local state and the development tools.
if tar -tzf "$TARBALL" | grep -E '^(\.venv|\.build|\.world|\.tmp|\.git|eksworld|benchmarks|reports|tests/eksworld)(/|$)|__pycache__'; then
  echo "the artifact holds files build_ignore should leave out (above)" >&2
  exit 1
fi
# Only the installed artifact and its dependencies are on the collections path. The dependencies
# (galaxy.yml) come from the ansible package as `make setup` installs them; Galaxy is out of reach, so the
# install resolves them offline against what is already installed and fails if one is missing or too old.
export ANSIBLE_COLLECTIONS_PATH="$WORK/collections"
"$BIN/python" "$ROOT/tests/build/install_collections.py" "$WORK/collections"
"$BIN/ansible-galaxy" collection install --offline "$TARBALL" -p "$WORK/collections"
# From an empty directory with an empty ansible.cfg: nothing comes from the checkout (its ansible.cfg,
# its .build/collections link).
mkdir "$WORK/run"
cd "$WORK/run"
export ANSIBLE_CONFIG="$WORK/run/ansible.cfg"
printf '[defaults]\n' >"$ANSIBLE_CONFIG"
INSTALLED="$WORK/collections/ansible_collections/lifecycle/eks"
test -f "$INSTALLED/MANIFEST.json"
"$BIN/ansible-playbook" -i localhost, lifecycle.eks.upgrade --syntax-check
"$BIN/python" "$ROOT/tests/lint/check_docs.py" "$INSTALLED"

# The installed playbook upgrades an emulated cluster (eksworld comes from the checkout; it is not shipped).
WORLD="$WORK/world"
PYTHONPATH="$ROOT" "$BIN/python" -m eksworld serve --scenario "$ROOT/tests/scenarios/healthy.yml" --out "$WORLD" \
  --cluster-update-seconds 1 --nodegroup-update-seconds 0.5 --addon-update-seconds 0.5 >"$WORK/world.log" 2>&1 &
WORLD_PID=$!
for _ in $(seq 240); do [ -f "$WORLD/world.json" ] && break; sleep 0.5; done
test -f "$WORLD/world.json" || { cat "$WORK/world.log" >&2; exit 1; }
# shellcheck disable=SC1091 # written by eksworld: AWS_ENDPOINT_URL and emulator credentials (the region: inventory)
set -a && . "$WORLD/env.sh" && set +a
# No report or checkpoint directory given: both go under the directory the user runs from, never inside the
# installed collection.
INSTALLED_FILES=$(find "$INSTALLED" -type f -not -path "*/__pycache__/*" | sort)
"$BIN/ansible-playbook" -i "$WORLD/inventory.yml" lifecycle.eks.upgrade \
  -e eks_wait_delay=0.2 -e eks_wait_max_delay=1 >"$WORK/upgrade.log" 2>&1 \
  || { tail -40 "$WORK/upgrade.log" >&2; exit 1; }
test "$(find "$INSTALLED" -type f -not -path "*/__pycache__/*" | sort)" = "$INSTALLED_FILES" || { echo "the run wrote into the installed collection" >&2; exit 1; }
test -f "$WORK/run/checkpoints/healthy-129.json"
"$BIN/python" - "$WORK/run/reports/fleet-summary.json" <<'PY'
import json, sys
summary = json.load(open(sys.argv[1]))
rows = {row["cluster"]: (row["status"], row["version_after"]) for row in summary["clusters"]}
assert rows == {"healthy-129": ("upgraded", "1.30")}, rows
PY
echo "lifecycle.eks artifact $(basename "$TARBALL"): installs, documentation renders, lifecycle.eks.upgrade upgrades an emulated cluster"
