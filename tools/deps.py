"""Print httpkit's runtime requirements and those of the extras named as arguments.

One requirement per line, environment markers kept (pip evaluates them), read
from setup.py without building anything: ``python tools/deps.py all cli``.
tools/envs.sh installs them from several environments at once, which an
in-tree build (``pip install -e .``, ``pip wheel .``) cannot do safely.
Runs on 2.7 and 3.x.
"""
from __future__ import print_function

import os
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
SETUP = os.path.join(os.path.dirname(HERE), "setup.py")


def requirements(extras):
    """setup.py's requirements for ``extras``, read by running it against a stand-in
    setuptools (which a fresh 3.12+ venv does not even have) that records setup()'s
    arguments."""
    found = {}
    fake = types.ModuleType("setuptools")
    fake.setup, fake.find_packages = found.update, lambda **kw: []
    fake.command = types.ModuleType("setuptools.command")
    fake.command.build_py = types.ModuleType("setuptools.command.build_py")
    fake.command.build_py.build_py = object
    stand_ins = {"setuptools": fake, "setuptools.command": fake.command,
                 "setuptools.command.build_py": fake.command.build_py}
    saved = dict((name, sys.modules.get(name)) for name in stand_ins)
    sys.modules.update(stand_ins)
    try:
        with open(SETUP) as f:
            code = compile(f.read(), SETUP, "exec")
        exec(code, {"__name__": "__main__", "__file__": SETUP})
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
    wanted = list(found["install_requires"])
    for extra in extras:
        wanted.extend(found["extras_require"][extra])
    return sorted(set(wanted), key=wanted.index)


if __name__ == "__main__":
    print("\n".join(requirements(sys.argv[1:])))
