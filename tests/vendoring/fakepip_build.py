"""Make ``fakepip``: httpkit vendored as pip vendors it, and run the pip-shaped job through it.

Shared by test_vendoring.py and tools/demo (no pytest here). On 3.x pypa's ``vendoring``
tool (the one pip uses) vendors httpkit, as a wheel built from this tree, and its
pure-Python dependencies into ``fakepip/_vendor``, configured as pip configures it
(fakepip_project/pyproject.toml) and from local files only: the env's wheelhouse
(tools/envs.sh) and that wheel. The tool runs on 3.x only, so 2.7 gets a plain copy with
the same import rewriting (:func:`plain_copy`).
"""
from __future__ import absolute_import, division, print_function

import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile

from servers import CA_BUNDLE

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURE = os.path.join(HERE, "fakepip_project")
NAMESPACE = "fakepip._vendor"
PY2 = sys.version_info[0] == 2
# The wheels tools/envs.sh put next to this interpreter (HTTPKIT_WHEELHOUSE overrides).
WHEELHOUSE = os.environ.get("HTTPKIT_WHEELHOUSE") or os.path.join(sys.prefix, "wheelhouse")
# What the 2.7 plain copy takes from the wheelhouse (3.x: fakepip/_vendor/vendor.txt).
PY27_DISTRIBUTIONS = ("h11", "urllib3", "idna", "certifi", "cachecontrol", "msgpack",
                      "requests", "chardet", "enum34")
LICENSE_NAMES = ("LICENSE", "LICENCE", "COPYING")


def _vendor_dir(base):
    return os.path.join(base, "fakepip", "_vendor")


def vendored_names(base):
    """Top-level names vendored under ``base``'s fakepip/_vendor."""
    names = []
    for entry in sorted(os.listdir(_vendor_dir(base))):
        path = os.path.join(_vendor_dir(base), entry)
        if os.path.isdir(path) and entry != "__pycache__":
            names.append(entry)
        elif entry.endswith(".py") and entry != "__init__.py":
            names.append(entry[:-3])
    return names


def _copy_tree(src, dest):
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


def _pip_env(tmp, find_links):
    """os.environ for a pip that sees only ``find_links`` (and no config, no index)."""
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith("PIP_"))
    env.update(PIP_NO_INDEX="1", PIP_FIND_LINKS=" ".join(find_links), PIP_CONFIG_FILE=os.devnull,
               PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1", TMPDIR=tmp,
               PATH=os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", ""))
    return env


def _run(cmd, cwd, env, timeout=120):
    """Run ``cmd``; return (exit status, stdout, stderr) as text."""
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    out, err = proc.communicate(**({} if PY2 else {"timeout": timeout}))
    return proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


# --------------------------------------------------------------------------- 3.x: the tool
def build_httpkit_wheel(tmp):
    """Build httpkit's wheel from a copy of this tree (the build leaves no trace here)."""
    src = os.path.join(tmp, "src")
    _copy_tree(os.path.join(ROOT, "httpkit"), os.path.join(src, "httpkit"))
    for name in ("setup.py", "README.md", "LICENSE"):
        shutil.copy(os.path.join(ROOT, name), src)
    out = os.path.join(tmp, "wheel")
    status, stdout, stderr = _run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", out, src], tmp,
        _pip_env(tmp, [WHEELHOUSE]))
    assert status == 0, stdout + stderr
    return out


def vendor_with_the_tool(base, tmp):
    """``python -m vendoring sync`` in a copy of fakepip_project, from local files only."""
    pure = [n for n in os.listdir(WHEELHOUSE) if n.startswith("msgpack-") and "none-any" in n]
    assert pure, ("%s has no pure-Python msgpack wheel for the tool (--platform any): "
                  "rebuild the env with tools/envs.sh" % WHEELHOUSE)
    wheel_dir = build_httpkit_wheel(tmp)
    os.rmdir(base)
    _copy_tree(FIXTURE, base)
    status, out, err = _run([sys.executable, "-m", "vendoring", "sync", "-v"], base,
                            _pip_env(tmp, [WHEELHOUSE, wheel_dir]))
    assert status == 0, out + err
    return out


# --------------------------------------------------------------------------- 2.7: a copy
def substitutions():
    """The ``[tool.vendoring.transformations] substitute`` pairs of the fixture's pyproject."""
    with io.open(os.path.join(FIXTURE, "pyproject.toml"), encoding="utf-8") as f:
        text = f.read()
    return re.findall(r"\{ match='([^']*)', replace='([^']*)' \}", text)


def rewrite_imports(text, namespace, names, substitute):
    """What pypa's vendoring tool does to one module: substitutions, then imports."""
    for pattern, replacement in substitute:
        text = re.sub(pattern, replacement, text)
    for lib in names:
        text = re.sub(r"^(\s*)import %s(\s|$)" % lib, r"\1from %s import %s\2" % (namespace, lib),
                      text, flags=re.M)
        text = re.sub(r"^(\s*)import %s(\.\S+)(?=\s+as)" % lib, r"\1import %s.%s\2"
                      % (namespace, lib), text, flags=re.M)
        text = re.sub(r"^(\s*)from %s(\.|\s)" % lib, r"\1from %s.%s\2" % (namespace, lib),
                      text, flags=re.M)
    return text


def _wheel_for(distribution):
    for name in sorted(os.listdir(WHEELHOUSE)):
        if name.endswith(".whl") and name.split("-")[0].lower() == distribution:
            return os.path.join(WHEELHOUSE, name)
    raise AssertionError("no %s wheel in %s" % (distribution, WHEELHOUSE))


def plain_copy(base):
    """Vendor by hand as the tool would: unpack the wheels, copy httpkit, rewrite imports."""
    os.rmdir(base)
    _copy_tree(FIXTURE, base)
    vendor = _vendor_dir(base)
    for distribution in PY27_DISTRIBUTIONS:
        with zipfile.ZipFile(_wheel_for(distribution)) as whl:
            whl.extractall(vendor, [m for m in whl.namelist() if ".dist-info/" not in m
                                    and not m.endswith(".so")])
    _copy_tree(os.path.join(ROOT, "httpkit"), os.path.join(vendor, "httpkit"))
    names, subs = vendored_names(base), substitutions()
    for folder, _, files in os.walk(vendor):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                with io.open(path, encoding="utf-8") as f:
                    text = f.read()
                with io.open(path, "w", encoding="utf-8") as f:
                    f.write(rewrite_imports(text, NAMESPACE, names, subs))


def make_fakepip(base, work):
    """Fill the empty directory ``base`` with fakepip, its _vendor filled (``work``: scratch)."""
    if PY2:
        plain_copy(base)
    else:
        vendor_with_the_tool(base, work)
    return base


def run_job(base, server, cache, extra=(), guard=None):
    """Run pipjob.py through ``base``'s fakepip/_vendor; return (status, report or None, stderr)."""
    server.reset()
    env = dict(os.environ, PYTHONPATH=base)
    env.pop("PYTHONWARNINGS", None)
    cmd = [sys.executable, os.path.join(HERE, "pipjob.py"),
           "https://127.0.0.1:%d/simple/demo/" % server.port, "--ca", CA_BUNDLE,
           "--cache", cache, "--vendor", NAMESPACE,
           "--guard", ",".join(guard or vendored_names(base))] + list(extra)
    status, out, err = _run(cmd, base, env)
    return status, (json.loads(out) if status == 0 else None), err
