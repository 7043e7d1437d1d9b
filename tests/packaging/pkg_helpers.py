"""Build httpkit's distributions and install them into clean environments; 2.7 and 3.x.

Everything is local: pip is run with ``--no-index --find-links WHEELHOUSE`` (the
``wheelhouse/`` of the running test environment: a wheel of every runtime dependency
and extra, plus setuptools and wheel, for this Python), and the children it starts
only talk to the test servers on 127.0.0.1. Every child is killed after LIMIT seconds.

- :func:`build_dists`: a copy of the tree under test -> its sdist, then the wheel
  built from that sdist by this Python (``python -m build`` on 3.x; ``setup.py sdist``
  and ``pip wheel`` on 2.7, which has no ``build``).
- :func:`make_env`: a new virtual environment of this Python (``venv`` on 3.x, the
  shared ``virtualenv`` on 2.7), with only what pip puts in one.
- :func:`run_child`: run a command in such an environment from a directory outside
  the tree, without PYTHONPATH, so the tree under test is never on ``sys.path``.
"""
from __future__ import absolute_import, division, print_function

import collections
import glob
import io
import json
import os
import shutil
import subprocess
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PY2 = sys.version_info[0] == 2
LIMIT = 300.0  # seconds: a build or an install on a busy 2-core machine stays well under
#: The extras the issue asks to install ("cli" brings nothing on 2.7 but exists there).
EXTRAS = "twisted,pyopenssl,redis,brotli,cli"

Result = collections.namedtuple("Result", "code out err")
Dists = collections.namedtuple("Dists", "sdist wheel")


def wheelhouse():
    """The running environment's wheelhouse (see tools/envs.sh); fails when missing."""
    for path in (os.path.join(sys.prefix, "wheelhouse"),
                 os.path.join(ROOT, ".venvs", "py%d.%d" % sys.version_info[:2], "wheelhouse")):
        if glob.glob(os.path.join(path, "setuptools-*.whl")):
            return path
    raise AssertionError("no wheelhouse with setuptools next to %s: tools/envs.sh makes "
                         "one in every test environment" % sys.prefix)


def child_environ(home):
    """os.environ for a child: no PYTHONPATH or proxies, pip offline, caches under ``home``."""
    env = dict((k, v) for k, v in os.environ.items()
               if k.upper() not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "HTTP_PROXY",
                                    "HTTPS_PROXY", "ALL_PROXY")
               and not k.upper().startswith("PIP_"))
    env.update({"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
                "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": wheelhouse(),
                "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1",
                "PIP_NO_CACHE_DIR": "1", "XDG_CACHE_HOME": os.path.join(str(home), "cache"),
                "PYTHONIOENCODING": "utf-8"})
    return env


def run(cmd, cwd, home, limit=LIMIT, stdin=b""):
    """Run ``cmd`` in ``cwd``; return Result(code, stdout bytes, stderr text)."""
    proc = subprocess.Popen([str(c) for c in cmd], cwd=str(cwd), env=child_environ(home),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    fired = []

    def kill():
        fired.append(True)
        try:
            proc.kill()
        except OSError:
            pass
    timer = threading.Timer(limit, kill)
    timer.daemon = True
    timer.start()
    try:
        out, err = proc.communicate(stdin)
    finally:
        timer.cancel()
    assert not fired, "%s did not finish in %s s" % (" ".join(map(str, cmd)), limit)
    return Result(proc.returncode, out, err.decode("utf-8", "replace"))


def check(cmd, cwd, home, limit=LIMIT):
    """Run ``cmd``; fail with its output unless it exits 0; return its stdout as text."""
    result = run(cmd, cwd, home, limit)
    assert result.code == 0, "%s exited %s:\n%s\n%s" % (
        " ".join(map(str, cmd)), result.code, result.out.decode("utf-8", "replace"), result.err)
    return result.out.decode("utf-8", "replace")


def _ignore(directory, names):
    """copytree filter: what is not source (envs, VCS, build output, caches, test logs)."""
    skip = set(n for n in names if n in ("__pycache__", ".git", ".pytest_cache", ".run")
               or n.endswith((".pyc", ".pyo", ".egg-info")))
    if os.path.abspath(directory) == ROOT:
        skip.update(n for n in names if n in (".venvs", "build", "dist"))
    return skip


def copy_tree(dest):
    """Copy the tree under test to ``dest`` (a plain copy: what `git clone` would give)."""
    shutil.copytree(ROOT, str(dest), ignore=_ignore)
    return str(dest)


def build_dists(work):
    """Build the sdist, then from it the wheel, of a copy of the tree; return Dists."""
    src = copy_tree(os.path.join(str(work), "src"))
    out = os.path.join(str(work), "dist")
    if PY2:
        check([sys.executable, "setup.py", "-q", "sdist", "-d", out], src, work)
        sdist = _one(out, "httpkit-*.tar.gz")
        check([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--use-pep517",
               "-w", out, sdist], work, work)
    else:
        check([sys.executable, "-m", "build", "-o", out, src], work, work)
    return Dists(_one(out, "httpkit-*.tar.gz"), _one(out, "httpkit-*.whl"))


def _one(directory, pattern):
    found = glob.glob(os.path.join(directory, pattern))
    assert len(found) == 1, (pattern, os.listdir(directory))
    return found[0]


def make_env(path, home):
    """Create a clean virtual environment of this Python at ``path``; return it."""
    path = str(path)
    if PY2:
        tools = os.path.join(os.path.dirname(os.path.abspath(sys.prefix)), "tools")
        virtualenv = os.path.join(tools, "bin", "virtualenv")
        if not os.path.exists(virtualenv):
            virtualenv = os.path.join(ROOT, ".venvs", "tools", "bin", "virtualenv")
        check([virtualenv, "-q", "--no-periodic-update", "-p", sys.executable, path], home, home)
    else:
        check([sys.executable, "-m", "venv", path], home, home)
    return path


def env_bin(env, name):
    return os.path.join(env, "bin", name)


def pip_install(env, home, *args):
    """``pip install --no-index --find-links WHEELHOUSE ARGS`` in ``env``."""
    return check([env_bin(env, "python"), "-m", "pip", "install", "-q", "--no-index",
                  "--find-links", wheelhouse()] + list(args), home, home)


def run_script(env, home, source, *args):
    """Run the Python ``source`` in ``env`` from ``home``; return the JSON it prints last."""
    script = os.path.join(str(home), "child.py")
    with io.open(script, "wb") as f:
        f.write(source.encode("ascii"))
    out = check([env_bin(env, "python"), script] + list(args), home, home)
    return json.loads(out.strip().splitlines()[-1])
