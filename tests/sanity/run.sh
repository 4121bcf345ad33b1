#!/usr/bin/env bash
# ansible-test sanity on a copy of the collection laid out as ansible_collections/lifecycle/eks (what
# ansible-test requires), with the .venv's Python (--local: no Docker here). Extra arguments are passed
# to ansible-test, e.g. `tests/sanity/run.sh --test validate-modules`.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
BIN="$ROOT/.venv/bin"
export PATH="$BIN:$PATH"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/lifecycle-eks-sanity.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
DEST="$WORK/ansible_collections/lifecycle/eks"
mkdir -p "$DEST"
# The copy leaves out local state (virtualenv, emulated worlds, reports, caches), and the emulator
# (eksworld/, its tests tests/eksworld/), the mutation check (tests/mutation/) and benchmarks/: development tools that the collection does not
# ship (galaxy.yml build_ignore), checked by ruff and mypy rather than by Ansible's rules for plugins.
# tar rather than rsync, which is not installed everywhere.
tar -c --exclude ./.venv --exclude ./.build --exclude ./.world --exclude ./.tmp --exclude ./.git \
  --exclude ./reports --exclude ./checkpoints --exclude ./.pytest_cache --exclude ./.mypy_cache --exclude ./.ruff_cache \
  --exclude ./.hypothesis --exclude ./.coverage --exclude __pycache__ --exclude '*.tar.gz' \
  --exclude ./eksworld --exclude ./tests/eksworld --exclude ./tests/mutation --exclude ./benchmarks . | tar -x -C "$DEST"
# The collections it depends on (amazon.aws, kubernetes.core: their doc fragments and module_utils), beside it.
for DEPENDENCY in amazon/aws kubernetes/core; do
  mkdir -p "$WORK/ansible_collections/$DEPENDENCY"
  cp -r "$ROOT/.build/collections/ansible_collections/$DEPENDENCY/." "$WORK/ansible_collections/$DEPENDENCY"
done
# ansible-test lists the files to test with git when it finds a repository: give it one holding exactly
# the copied files (no commit needed).
git -C "$DEST" init --quiet
git -C "$DEST" add --all

# ansible-test bootstraps pip into each sanity virtual environment (cached in ~/.ansible/test/venv) with a
# get-pip script downloaded from ci-files.testing.ansible.com, which is out of reach here; it uses a script
# saved in its cache instead, so save there an equivalent that needs only the package index.
PIP_VERSION="$("$BIN/python" -c 'from ansible_test._internal.python_requirements import get_venv_packages as p
from ansible_test._internal.host_configs import NativePythonConfig as c
print(p(c(version="3.11"))["pip"])')"
GET_PIP="$HOME/.ansible/test/cache/get_pip_${PIP_VERSION//./_}.py"
if [[ ! -f "$GET_PIP" ]]; then
  mkdir -p "$(dirname "$GET_PIP")"
  cp "$ROOT/tests/sanity/get_pip.py" "$GET_PIP"
fi

cd "$DEST"
# Every sanity test runs; none is skipped. The locale warning (C.UTF-8) is harmless.
exec "$BIN/ansible-test" sanity --python 3.11 --local --color no "$@"
