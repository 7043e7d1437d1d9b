"""Vendoring, proven with pip's own tool and a pip-shaped job (issue 12).

On 3.x pypa's ``vendoring`` tool (the one pip uses) vendors httpkit, as a wheel built
from this tree, and its pure-Python dependencies into ``fakepip/_vendor``, configured
as pip configures it (fakepip_project/pyproject.toml) and from local files only: the
env's wheelhouse (tools/envs.sh) and that wheel. The tool runs on 3.x only, so 2.7
gets a plain copy with the same import rewriting (fakepip_build.py, which tools/demo
uses too). Then
``pipjob.py`` runs through the vendored copy in a child interpreter against a local
HTTPS package index (simple_index.py), refusing any un-vendored import.
"""
from __future__ import absolute_import, division, print_function

import io
import os
import re

import pytest

from fakepip_build import (LICENSE_NAMES, NAMESPACE, PY2, ROOT, _copy_tree, _vendor_dir,
                           make_fakepip, run_job, vendored_names)
from servers import HTTPTestServer
from simple_index import NEWEST_WHEEL, SimpleIndex


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def fakepip(tmpdir_factory):
    """The directory holding the ``fakepip`` package, its _vendor filled."""
    return make_fakepip(str(tmpdir_factory.mktemp("fakepip")), str(tmpdir_factory.mktemp("work")))


@pytest.fixture(scope="module")
def package_index():
    index = SimpleIndex()
    server = HTTPTestServer(tls=True, routes=index.routes()).start()
    server.index = index
    yield server
    server.stop()


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
