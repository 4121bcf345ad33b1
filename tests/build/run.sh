#!/usr/bin/env bash
# Build the collection artifact as it is published, install it into an empty collections path, and check
# that what users run resolves from the artifact alone: the playbook lifecycle.eks.upgrade (syntax check),
# the documentation of every module, the filter and the roles.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
BIN="$ROOT/.venv/bin"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/lifecycle-eks-build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

"$BIN/ansible-galaxy" collection build --output-path "$WORK/dist" "$ROOT"
TARBALL="$(ls "$WORK"/dist/lifecycle-eks-*.tar.gz)"
# What the artifact must not carry (galaxy.yml build_ignore): local state and the development tools.
if tar -tzf "$TARBALL" | grep -E '^(\.venv|\.build|\.world|\.tmp|\.git|eksworld|benchmarks|reports|tests/eksworld)(/|$)|__pycache__'; then
  echo "the artifact holds files build_ignore should leave out (above)" >&2
  exit 1
fi
# Only the installed artifact is on the collections path. No dependency to resolve offline: the
# collection needs no other collection (galaxy.yml dependencies: {}).
export ANSIBLE_COLLECTIONS_PATH="$WORK/collections"
"$BIN/ansible-galaxy" collection install --offline --no-deps "$TARBALL" -p "$WORK/collections"
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
echo "lifecycle.eks artifact $(basename "$TARBALL"): installs, lifecycle.eks.upgrade parses, documentation renders"
