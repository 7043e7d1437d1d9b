"""Vendoring, proven with pip's own tool and a pip-shaped job (issue 12).

On 3.x pypa's ``vendoring`` tool (the one pip uses) vendors httpkit, as a wheel built
from this tree, and its pure-Python dependencies into ``fakepip/_vendor``, configured
as pip configures it (fakepip_project/pyproject.toml) and from local files only: the
env's wheelhouse (tools/envs.sh) and that wheel. The tool runs on 3.x only, so 2.7
gets a plain copy with the same import rewriting (:func:`plain_copy`). Then
``pipjob.py`` runs through the vendored copy in a child interpreter against a local
HTTPS package index (simple_index.py), refusing any un-vendored import.
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

import pytest

from servers import CA_BUNDLE, HTTPTestServer
from simple_index import NEWEST_WHEEL, SimpleIndex

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


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def fakepip(tmpdir_factory):
    """The directory holding the ``fakepip`` package, its _vendor filled."""
    base = str(tmpdir_factory.mktemp("fakepip"))
    if PY2:
        plain_copy(base)
    else:
        vendor_with_the_tool(base, str(tmpdir_factory.mktemp("work")))
    return base


@pytest.fixture(scope="module")
def package_index():
    index = SimpleIndex()
    server = HTTPTestServer(tls=True, routes=index.routes()).start()
    server.index = index
    yield server
    server.stop()


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


# --------------------------------------------------------------------------- tests
def test_vendored_httpkit_is_this_tree_with_only_its_imports_rewritten(fakepip):
    tree = os.path.join(ROOT, "httpkit")
    vendored = os.path.join(_vendor_dir(fakepip), "httpkit")
    names = vendored_names(fakepip)
    import_line = re.compile(r"^\s*(import|from) (%s)\b" % "|".join(names))
    rewritten = re.compile(r"^\s*(from %s[. ]|import %s\.)" % ((re.escape(NAMESPACE),) * 2))
    mine = set()
    for folder, dirs, files in os.walk(tree):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        mine.update(os.path.relpath(os.path.join(folder, n), tree) for n in files
                    if not n.endswith(".pyc"))
    theirs = set()
    for folder, dirs, files in os.walk(vendored):
        theirs.update(os.path.relpath(os.path.join(folder, n), vendored) for n in files)
    assert theirs - mine <= set(["LICENSE"]) and mine <= theirs, (mine ^ theirs)
    changed = 0
    for rel in sorted(mine):
        with io.open(os.path.join(tree, rel), "rb") as a, \
                io.open(os.path.join(vendored, rel), "rb") as b:
            ours, copy = a.read().decode("utf-8").split("\n"), b.read().decode("utf-8").split("\n")
        assert len(ours) == len(copy), rel
        for line, vendored_line in zip(ours, copy):
            if line != vendored_line:
                assert import_line.match(line) and rewritten.match(vendored_line), \
                    (rel, line, vendored_line)
                changed += 1
    assert changed >= 5  # h11, urllib3, idna, certifi, cachecontrol at least


@pytest.mark.skipif(PY2, reason="pypa's vendoring tool runs on Python 3 only")
def test_the_tool_needs_no_patch_and_ships_every_license(fakepip):
    patches = os.path.join(fakepip, "tools", "vendoring", "patches")
    assert not os.path.isdir(patches) or not [p for p in os.listdir(patches)
                                              if p.endswith(".patch")]
    names = vendored_names(fakepip)
    assert set(names) >= set(["httpkit", "h11", "urllib3", "idna", "certifi", "cachecontrol",
                              "msgpack", "requests"]), names
    for name in names:
        files = os.listdir(os.path.join(_vendor_dir(fakepip), name))
        assert [f for f in files if f.startswith(LICENSE_NAMES)], "%s has no license" % name
    vendor = os.listdir(_vendor_dir(fakepip))
    assert not [n for n in vendor if n.endswith(".dist-info")]
    assert "httpkit.pyi" not in vendor  # httpkit ships py.typed: its own types stay
    assert os.path.exists(os.path.join(_vendor_dir(fakepip), "httpkit", "py.typed"))
    compiled = [n for _, _, files in os.walk(_vendor_dir(fakepip)) for n in files
                if n.endswith((".so", ".pyd"))]
    assert compiled == []  # pure Python only, as pip ships


JOBS = [[], ["--html"]] + ([] if PY2 else [["--aio"]])


@pytest.mark.parametrize("extra", JOBS, ids=lambda e: " ".join(e) or "sync")
def test_pip_job_through_the_vendored_copy(fakepip, package_index, tmpdir, extra):
    import pipjob
    status, report, err = run_job(fakepip, package_index, str(tmpdir.join("cache")), extra)
    assert status == 0, err
    assert err == ""  # no warning, from httpkit or what it vendors
    assert report["picked"] == NEWEST_WHEEL
    assert report["sha256"] == package_index.index.sha256(NEWEST_WHEEL)
    assert report["size"] == 300000
    assert report["index_type"].startswith("text/html" if "--html" in extra
                                           else "application/vnd.pypi.simple.v1+json")
    assert report["front_end"] == ("aio" if "--aio" in extra else "sync")
    assert (report["first"], report["again"]) == ("miss", "hit")
    assert report["httpkit"].startswith(os.path.join(_vendor_dir(fakepip), "httpkit"))
    assert set(report["vendored"]) >= set(["httpkit", "h11", "idna", "certifi", "cachecontrol",
                                           "msgpack", "urllib3"])
    paths = [r.path for r in package_index.requests]
    assert paths == ["/simple/demo/", "/files/" + NEWEST_WHEEL]  # the second: from the cache
    assert report["progress"][-1] == [300000, 300000]  # on_progress, complete


def test_an_unvendored_import_fails_the_job(fakepip, package_index, tmpdir):
    """A vendored copy that kept one absolute import: the guard refuses it by name."""
    base = str(tmpdir.join("leaky"))
    _copy_tree(fakepip, base)
    target = os.path.join(_vendor_dir(base), "httpkit", "_models.py")
    with io.open(target, "a", encoding="utf-8") as f:
        f.write(u"\nimport h11 as _leak  # noqa\n")
    status, _, err = run_job(base, package_index, str(tmpdir.join("cache")))
    assert status == 3, err
    assert "un-vendored imports: attempted ['h11 (from %s)']" % target in err, err
