"""Helpers for the httpkit.cache tests: bounded subprocesses, cachecontrol's caches, entries.

Rules: stdlib plus what httpkit's cache already depends on (cachecontrol,
msgpack, requests); every wait is bounded; 2.7 syntax.
"""
from __future__ import absolute_import, division, print_function

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from email.utils import formatdate

from servers import random_bytes

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
ROOT = os.path.dirname(TESTS)
PY2 = sys.version_info[0] == 2


# --------------------------------------------------------------------------- processes
class ChildFailed(AssertionError):
    """A child process failed, timed out or printed no JSON result."""


def child_env():
    """The environment for child Pythons: tests/ and tests/cache importable."""
    env = dict(os.environ)
    paths = [HERE, TESTS] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def start_child(script, args, python=None):
    """Start ``python tests/cache/<script> args...``; output goes to temp files."""
    out = tempfile.TemporaryFile()
    err = tempfile.TemporaryFile()
    argv = [python or sys.executable, os.path.join(HERE, script)] + [str(a) for a in args]
    proc = subprocess.Popen(argv, stdout=out, stderr=err, env=child_env())
    proc.outputs = (out, err)
    return proc


def finish_child(proc, deadline):
    """Wait for ``proc`` until ``deadline`` (time.time()); kill it past that.

    Returns the JSON document it printed as its last stdout line.
    Raises ChildFailed on a timeout, a non-zero exit or no JSON.
    """
    while proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    timed_out = proc.poll() is None
    if timed_out:
        proc.kill()
        proc.wait()
    out, err = [_read_all(f) for f in proc.outputs]
    if timed_out or proc.returncode != 0:
        raise ChildFailed("child %s (rc=%s):\nstdout: %s\nstderr: %s"
                          % ("timed out" if timed_out else "failed", proc.returncode, out, err))
    lines = [line for line in out.splitlines() if line.strip()]
    try:
        return json.loads(lines[-1])
    except (IndexError, ValueError):
        raise ChildFailed("child printed no JSON:\nstdout: %s\nstderr: %s" % (out, err))


def run_child(script, args, timeout=60, python=None):
    """Run a child script to completion (bounded); return its JSON result."""
    return finish_child(start_child(script, args, python), time.time() + timeout)


def _read_all(f):
    f.seek(0)
    data = f.read()
    f.close()
    return data.decode("utf-8", "replace")


def other_major_python():
    """The tools/test virtualenv Python of the other major version (2 <-> 3); else skip."""
    major = 3 if PY2 else 2
    venvs = os.path.join(ROOT, ".venvs")
    for name in sorted(os.listdir(venvs)) if os.path.isdir(venvs) else []:
        python = os.path.join(venvs, name, "bin", "python")
        if name.startswith("py%d." % major) and os.path.exists(python):
            return python
    import pytest
    pytest.skip("no Python %d virtualenv under .venvs/ (tools/test creates it)" % major)


# --------------------------------------------------------------------------- cachecontrol
class NullLock(object):
    """A lock class for cachecontrol's FileCache: no lockfile/filelock package needed.

    Both cachecontrol 0.12 (uses ``lock.path``) and 0.13+ (a context manager
    only) accept it; each test writes from one process, so no lock is needed.
    """

    def __init__(self, path):
        self.path = path

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False


def cc_file_cache(directory, separate_body=False):
    """cachecontrol's own FileCache (or SeparateBodyFileCache) on ``directory``.

    cachecontrol 0.12.6 (Python 2.7) imports ``lockfile`` in ``__init__``
    whatever lock class it is given, and lockfile is not installed, so there
    the instance is set up by hand: its ``_fn``/``get``/``set``/``delete`` are
    cachecontrol's own code.
    """
    from cachecontrol.caches import file_cache
    if separate_body:
        return file_cache.SeparateBodyFileCache(directory, lock_class=NullLock)
    cls = file_cache.FileCache
    if not PY2:
        return cls(directory, lock_class=NullLock)
    cache = cls.__new__(cls)
    cache.directory, cache.forever = directory, False
    cache.filemode, cache.dirmode, cache.lock_class = 0o600, 0o700, NullLock
    return cache


def has_separate_body_cache():
    try:
        from cachecontrol.caches import SeparateBodyFileCache  # noqa: F401 - 0.13+
    except ImportError:
        return False
    return True


def requests_with_cachecontrol(cache):
    """A requests Session whose HTTP adapter is cachecontrol's, on ``cache``."""
    import requests
    from cachecontrol import CacheControl
    return CacheControl(requests.Session(), cache=cache)


class _ShimRequest(object):
    def __init__(self, headers):
        self.headers = headers


class _ShimResponse(object):
    """What cachecontrol's Serializer reads from a response (urllib3-like)."""

    strict = 0
    decode_content = False
    version = 11
    reason = "OK"

    def __init__(self, status, headers):
        self.status = status
        self.headers = headers


def serialized_meta(headers, status=200, body=b""):
    """Metadata bytes written by cachecontrol's own Serializer (body kept apart by default)."""
    from cachecontrol.serialize import Serializer
    from requests.structures import CaseInsensitiveDict
    return Serializer().dumps(_ShimRequest(CaseInsensitiveDict()),
                              _ShimResponse(status, CaseInsensitiveDict(headers)), body)


def http_date(offset=0):
    """An HTTP date ``offset`` seconds from now."""
    return formatdate(time.time() + offset, usegmt=True)


# --------------------------------------------------------------------------- origin servers
class Resource(object):
    """An origin route whose every answer has a new body, with the headers a test sets.

    Args:
        headers: extra (name, value) pairs, or ``callable(request)`` returning them.
        size: body length; each answer's bytes differ (numbered), so a test
            tells a stored body from a fresh one.
        date: send ``Date: <now>`` first (as real origins do; cachecontrol
            serves nothing stored without one).
        status: the status code.

    Attributes: ``calls`` (answers given), ``bodies`` (each body, in order),
    ``requests`` (each servers.Request).
    """

    def __init__(self, headers=(("Cache-Control", "max-age=60"),), size=1000, date=True,
                 status=200):
        self.headers, self.size, self.date, self.status = headers, size, date, status
        self.calls = 0
        self.bodies, self.requests = [], []
        self.lock = threading.Lock()

    def __call__(self, req):
        with self.lock:
            self.calls += 1
            body = random_bytes(self.size, "%d-%d" % (id(self), self.calls))
            self.bodies.append(body)
            self.requests.append(req)
        extra = self.headers(req) if callable(self.headers) else self.headers
        head = [("Date", http_date())] if self.date else []
        head += list(extra) + [("Content-Type", "application/octet-stream")]
        return self.status, head, body

    def answer(self, n):
        """The body of the ``n``-th answer (1-based), or None: fewer were given."""
        return self.bodies[n - 1] if len(self.bodies) >= n else None


def add_resource(server, path, **kwargs):
    """Serve a :class:`Resource` at ``path`` on ``server``; return (url, resource)."""
    resource = Resource(**kwargs)
    server.add_route(path, resource)
    return server.base_url(path), resource


def tmp_files(directory):
    """Every ``*.tmp`` file under ``directory`` (writes in progress or leaked)."""
    found = []
    for base, _, names in os.walk(directory):
        found.extend(os.path.join(base, n) for n in names if n.endswith(".tmp"))
    return found
