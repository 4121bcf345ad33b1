"""Offline stand-in for pypa's get-pip.py, which ansible-test downloads from ci-files.testing.ansible.com.

ansible-test bootstraps pip into each sanity virtual environment with that script and, when it cannot be
downloaded, uses ~/.ansible/test/cache/get_pip_<version>.py if present (tests/sanity/run.sh puts this file
there). Like get-pip.py, it runs `pip install <arguments>` from a pip that is not installed yet: the wheel
bundled with the standard library's ensurepip; the requested pip itself comes from the package index.
"""

import glob
import os
import sys

import ensurepip

# get-pip.py options that are not pip options: setuptools and wheel are not installed unless asked for.
GET_PIP_ONLY = ("--no-setuptools", "--no-wheel")


def main():
    bundled = os.path.join(os.path.dirname(ensurepip.__file__), "_bundled")
    wheels = sorted(glob.glob(os.path.join(bundled, "pip-*.whl")))
    if not wheels:
        sys.exit("no pip wheel bundled with ensurepip in %s" % bundled)
    sys.path.insert(0, wheels[-1])
    from pip._internal.cli.main import main as pip_main

    sys.exit(pip_main(["install"] + [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]))


if __name__ == "__main__":
    main()
