"""What goes into httpkit's wheels and sdist (docs/packaging.md).

Which Python runs what: every Python of the suite builds ITS wheel (from the sdist
of a copy of the tree, once per session: the ``dists`` fixture) and checks it, so
the py2 wheel is built and checked by the 2.7 run and the py3 wheel by each 3.x run;
no run builds for another Python. ``test_py2_build_drops_asyncio_modules_left_in_build_lib``
is about building on 2.7 and runs in the 2.7 run only (skipped on 3.x, which has
nothing to drop); every other test runs on every Python.
"""
from __future__ import absolute_import, division, print_function

import io
import os
import re
import sys
import tarfile
import zipfile

import pytest

import httpkit
from pkg_helpers import PY2, ROOT, check, copy_tree

pytestmark = pytest.mark.timeout(900)  # the first test builds the sdist and the wheel
ASYNC_DEF = re.compile(r"^\s*async\s+def\b", re.M)


def _read(path):
    with io.open(path, encoding="utf-8") as f:
        return f.read()


def _tree_modules():
    """Paths (relative, /-separated) of every module of httpkit in the tree under test."""
    found = set()
    for base, dirs, files in os.walk(os.path.join(ROOT, "httpkit")):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in files:
            if name.endswith(".py"):
                found.add(os.path.relpath(os.path.join(base, name), ROOT).replace(os.sep, "/"))
    return found


def _asyncio_modules():
    return set(m for m in _tree_modules()
               if m.startswith("httpkit/aio/_") and ASYNC_DEF.search(_read(os.path.join(ROOT, m))))


def _wheel_names(wheel):
    with zipfile.ZipFile(wheel) as z:
        return z.namelist()


def _wheel_text(wheel, name):
    with zipfile.ZipFile(wheel) as z:
        return z.read(name).decode("utf-8")


def _dist_info():
    return "httpkit-%s.dist-info" % httpkit.__version__


def test_there_are_asyncio_modules_to_leave_out():
    """The py2 checks below mean something only if the tree has asyncio modules."""
    assert _asyncio_modules() >= set(["httpkit/aio/_session.py", "httpkit/aio/_driver.py"])
    assert not any(m.startswith("httpkit/aio/tx/") for m in _asyncio_modules())


def test_wheel_is_tagged_for_this_python_major_version_only(dists):
    tag = "py2-none-any" if PY2 else "py3-none-any"
    assert os.path.basename(dists.wheel) == "httpkit-%s-%s.whl" % (httpkit.__version__, tag)
    wheel_file = _wheel_text(dists.wheel, _dist_info() + "/WHEEL")
    assert re.findall(r"^Tag: (.+)$", wheel_file, re.M) == [tag]  # never py2.py3 (universal)
    assert "Root-Is-Purelib: true" in wheel_file


def test_wheel_carries_the_package_and_py_typed_only(dists):
    names = _wheel_names(dists.wheel)
    assert "httpkit/py.typed" in names
    # Every stub beside its module (PEP 561): the types users' mypy sees.
    stubs = set(os.path.relpath(os.path.join(base, name), ROOT).replace(os.sep, "/")
                for base, _, files in os.walk(os.path.join(ROOT, "httpkit"))
                for name in files if name.endswith(".pyi"))
    assert stubs and stubs <= set(names), sorted(stubs - set(names))
    assert "httpkit/__init__.pyi" in names and "httpkit/aio/tx/__init__.pyi" in names
    tops = set(n.split("/")[0] for n in names)
    assert tops == set(["httpkit", _dist_info()])  # no tests/, docs/, tools/
    assert not [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".pyo"))]


def test_wheel_modules_are_the_tree_minus_asyncio_on_py2(dists):
    in_wheel = set(n for n in _wheel_names(dists.wheel) if n.endswith(".py"))
    expected = _tree_modules() - _asyncio_modules() if PY2 else _tree_modules()
    assert in_wheel == expected
    # The Twisted front-end and the asyncio package's __init__ are in both wheels.
    assert "httpkit/aio/__init__.py" in in_wheel and "httpkit/aio/tx/_session.py" in in_wheel


def test_every_module_in_the_wheel_compiles_on_its_python(dists):
    with zipfile.ZipFile(dists.wheel) as z:
        for name in z.namelist():
            if name.endswith(".py"):
                compile(z.read(name), name, "exec")  # SyntaxError: async def in a py2 wheel


def test_wheel_metadata(dists):
    info = _dist_info()
    metadata = _wheel_text(dists.wheel, info + "/METADATA")
    assert re.search(r"^Version: %s$" % re.escape(httpkit.__version__), metadata, re.M)
    assert re.search(r"^Requires-Python: .*>=2\.7", metadata, re.M)
    extras = set(re.findall(r"^Provides-Extra: (\S+)$", metadata, re.M))
    assert extras >= set(["twisted", "pyopenssl", "redis", "brotli", "zstd", "truststore",
                          "cli", "all"])
    assert re.search(r"^Requires-Dist: h11", metadata, re.M)
    entry_points = _wheel_text(dists.wheel, info + "/entry_points.txt")
    assert re.search(r"^httpkit\s*=\s*httpkit\._cli:main$", entry_points, re.M)


def test_sdist_is_the_whole_source_release(dists):
    with tarfile.open(dists.sdist) as tar:
        names = set(n.split("/", 1)[1] for n in tar.getnames() if "/" in n)
    top = "httpkit-%s" % httpkit.__version__
    assert os.path.basename(dists.sdist) == top + ".tar.gz"
    for path in ("PKG-INFO", "setup.py", "MANIFEST.in", "README.md", "LICENSE", "httpkit/py.typed",
                 "httpkit/aio/_session.py", "httpkit/aio/tx/_session.py", "docs/packaging.md",
                 "tests/conftest.py", "tests/certs/ca.pem", "tests/packaging/test_pkg_dists.py",
                 "tools/make_certs.py"):
        assert path in names, path
    assert _tree_modules() <= names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")
                or n.startswith((".venvs", ".git/", "tests/.run", "build/", "dist/"))]


@pytest.mark.skipif(not PY2, reason="a 2.7 build drops the asyncio modules; 3.x keeps them")
def test_py2_build_drops_asyncio_modules_left_in_build_lib(tmpdir):
    """`setup.py bdist_wheel` on 2.7 in a tree that a 3.x build left build/lib in."""
    src = copy_tree(tmpdir.join("src"))
    stale = os.path.join(src, "build", "lib", "httpkit", "aio")
    os.makedirs(stale)
    for module in _asyncio_modules():
        io.open(os.path.join(src, "build", "lib", module), "w").close()
    check([sys.executable, "setup.py", "-q", "bdist_wheel", "-d", str(tmpdir)],
          src, tmpdir)
    wheel = str(tmpdir.join("httpkit-%s-py2-none-any.whl" % httpkit.__version__))
    names = set(_wheel_names(wheel))
    assert not names & _asyncio_modules()
    assert "httpkit/aio/tx/_session.py" in names
