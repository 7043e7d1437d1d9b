"""The stubs are true and strict: mypy --strict, stubtest, a sample and misuse.

httpkit's .py modules carry no annotations (they run on Python 2.7): its
types are the PEP 561 stubs beside them (``httpkit/**/*.pyi``, see
docs/typing.md). This module keeps them honest:

- ``mypy --strict`` accepts the stubs, docs/typing.md's example and
  ``sample.py``, a typed program over every front-end whose ``assert_type``
  lines pin what users get;
- ``python -m mypy.stubtest httpkit`` compares every stub with the runtime
  objects (names, parameters, defaults, async-ness), so a stub cannot drift
  from the code; what it may report is in ``stubtest-allowlist.txt``, each
  entry with its reason;
- every attribute a stub declares exists on a real object (stubtest sees
  classes, not what ``__init__`` sets or ``__getattr__`` reads through);
- ``negative.py`` is misuse mypy must report, exactly (line and error code);
- the blocking and asyncio parts of ``sample.py`` run against the local
  httpbin-like server, so the sample is a working program.

mypy costs seconds per run, so these run on the newest Python that has a
test environment (``.venvs/py3.*``; conftest.py), with a cache under tests/.run/.
"""
import ast
import glob
import inspect
import os
import re
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CONFIG = os.path.join(HERE, "mypy.ini")
CACHE = os.path.join(ROOT, "tests", ".run", "mypy-cache-%d.%d" % sys.version_info[:2])


def _mypy(*args):
    """Run ``mypy --strict`` from the repository root; return (exit code, output)."""
    cmd = [sys.executable, "-m", "mypy", "--strict", "--config-file", CONFIG,
           "--cache-dir", CACHE, "--no-color-output", "--no-error-summary"] + list(args)
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    return proc.returncode, proc.stdout + proc.stderr


def _stubs():
    return sorted(os.path.relpath(p, ROOT)
                  for p in glob.glob(os.path.join(ROOT, "httpkit", "**", "*.pyi"), recursive=True))


def test_every_public_module_has_a_stub_but_the_allowlisted():
    with open(os.path.join(HERE, "stubtest-allowlist.txt")) as f:
        allowlist = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    missing = []
    for path in glob.glob(os.path.join(ROOT, "httpkit", "**", "*.py"), recursive=True):
        rel = os.path.relpath(path, ROOT)[:-3]
        module = rel.replace(os.sep, ".").replace(".__init__", "")
        if any(part.startswith("_") and not part.startswith("__") for part in module.split(".")):
            continue  # private: its public names are declared where users import them
        if not os.path.exists(os.path.join(ROOT, rel + ".pyi")) and module not in allowlist:
            missing.append(module)
    assert missing == [], "public modules without a .pyi stub: %s" % missing
    assert os.path.exists(os.path.join(ROOT, "httpkit", "py.typed"))


def _doc_examples():
    """docs/typing.md's ```python blocks, written to tests/.run/ for mypy."""
    with open(os.path.join(ROOT, "docs", "typing.md")) as f:
        blocks = re.findall(r"^```python\n(.*?)^```", f.read(), re.S | re.M)
    assert blocks, "docs/typing.md shows a typed example"
    paths = []
    for number, block in enumerate(blocks):
        path = os.path.join("tests", ".run", "typing_doc_example_%d.py" % number)
        with open(os.path.join(ROOT, path), "w") as f:
            f.write(block)
        paths.append(path)
    return paths


def test_stubs_sample_and_doc_examples_pass_mypy_strict():
    sources = _stubs() + [os.path.join("tests", "typing", "sample.py")] + _doc_examples()
    code, output = _mypy(*sources)
    assert code == 0, output


def test_stubs_match_the_runtime_stubtest():
    cmd = [sys.executable, "-m", "mypy.stubtest", "httpkit", "--concise",
           "--mypy-config-file", CONFIG,
           "--allowlist", os.path.join(HERE, "stubtest-allowlist.txt")]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _declared_attributes(stub, class_name):
    """Names a stub class declares as attributes (``name: type``) or properties."""
    with open(os.path.join(ROOT, stub)) as f:
        tree = ast.parse(f.read())
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            names = [n.target.id for n in node.body if isinstance(n, ast.AnnAssign)]
            names += [n.name for n in node.body if isinstance(n, ast.FunctionDef)
                      and any(getattr(d, "id", None) == "property" for d in n.decorator_list)]
            return names
    raise AssertionError("%s declares no class %s" % (stub, class_name))


def _has(obj, attribute):
    try:
        inspect.getattr_static(obj, attribute)
        return True
    except AttributeError:
        pass
    try:  # read through __getattr__ (TxResponse); a property may refuse (r.raw, asyncio)
        getattr(obj, attribute)
    except AttributeError:
        return False
    except Exception:  # noqa: BLE001 - it exists, it just will not be read here
        return True
    return True


def test_attributes_the_stubs_declare_exist_on_real_objects():
    # stubtest sees classes, not instances: attributes set in __init__ (or read
    # through, as TxResponse's) are checked here on objects built for real.
    import httpkit.aio
    from httpkit.aio import tx

    response = httpkit.Response(200, request=httpkit.PreparedRequest("GET", "http://x.test/"),
                                content=b"{}")
    sessions = [httpkit.Session(), httpkit.aio.Session(), tx.Session()]
    objects = {
        ("httpkit/__init__.pyi", "Response"): response,
        ("httpkit/__init__.pyi", "PreparedRequest"): response.request,
        ("httpkit/__init__.pyi", "Request"): httpkit.Request("GET", "http://x.test/"),
        ("httpkit/__init__.pyi", "Timeouts"): httpkit.Timeouts(1),
        ("httpkit/__init__.pyi", "Limits"): httpkit.Limits(),
        ("httpkit/sync/__init__.pyi", "Session"): sessions[0],
        ("httpkit/aio/__init__.pyi", "Session"): sessions[1],
        ("httpkit/aio/tx/__init__.pyi", "Session"): sessions[2],
        ("httpkit/aio/tx/__init__.pyi", "TxResponse"): tx.TxResponse(response, None),
        ("httpkit/exceptions.pyi", "RequestException"): httpkit.RequestException(),
        ("httpkit/exceptions.pyi", "SSLError"): httpkit.SSLError(),
    }
    try:
        missing = []
        for (stub, name), obj in sorted(objects.items()):
            for attribute in _declared_attributes(stub, name):
                if not _has(obj, attribute):
                    missing.append("%s.%s" % (name, attribute))
        assert missing == []
    finally:
        sessions[0].close()
        sessions[1]._closed = True  # nothing pooled: closing needs no event loop
        sessions[1]._driver.close_all()
        sessions[2].close()


def test_mypy_reports_exactly_the_misuse_in_negative_py():
    path = os.path.join("tests", "typing", "negative.py")
    expected = set()
    with open(os.path.join(ROOT, path)) as f:
        for number, line in enumerate(f, 1):
            match = re.search(r"# E: ([\w-]+)", line)
            if match:
                expected.add((number, match.group(1)))
    assert len(expected) >= 15
    code, output = _mypy(path)
    reported = set((int(m.group(1)), m.group(2)) for m in re.finditer(
        r"^[^:\n]*negative\.py:(\d+): error: .*\[([\w-]+)\]$", output, re.M))
    assert code == 1
    assert reported == expected, output


def test_the_sample_runs(http_server):
    sys.path.insert(0, HERE)
    try:
        import sample
    finally:
        sys.path.remove(HERE)
    sample.run_sync_and_asyncio(http_server.url)
