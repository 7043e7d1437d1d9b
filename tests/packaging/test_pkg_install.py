"""httpkit installed into clean virtual environments makes real requests (docs/packaging.md).

Which Python runs what: every Python of the suite installs ITS OWN wheel (py2 on 2.7,
py3 on each 3.x; see test_pkg_dists.py) into new environments of that same Python
(``venv`` on 3.x, ``virtualenv`` on 2.7) with ``pip --no-index --find-links`` its
wheelhouse, and runs children there: the sync front-end everywhere, asyncio on 3.x,
Twisted where the ``twisted`` extra is installed. No run builds or installs for another
Python, so the 2.7 work is done once, by the 2.7 run. Every test runs on every Python.

Children run from a scratch directory outside the tree without PYTHONPATH, and check
that the httpkit they import is the one installed in their environment.
"""
from __future__ import absolute_import, division, print_function

import hashlib
import os
import re
import sys

import pytest

import httpkit
from peer_base import random_bytes
from pkg_helpers import PY2, ROOT, check, env_bin, run, run_script

# Building a wheel and filling three environments on a busy machine can take minutes:
# more than the suite's default per-test limit, still bounded (pkg_helpers.LIMIT per child).
pytestmark = pytest.mark.timeout(900)

CA = os.path.join(ROOT, "tests", "certs", "ca.pem")
BODY = random_bytes(3000, "pkg")
BODY_SHA = hashlib.sha256(BODY).hexdigest()

#: Child preamble: facts about the httpkit it imports, as JSON on the last line.
PREAMBLE = r'''
from __future__ import print_function
import hashlib, json, os, sys
URL, TLS_URL, CA = sys.argv[1:4]
facts = {}
import httpkit
real = os.path.realpath
facts["in_env"] = real(httpkit.__file__).startswith(real(sys.prefix) + os.sep)
facts["file"] = httpkit.__file__
facts["version"] = httpkit.__version__
facts["sys_path"] = [real(p) for p in sys.path if p]
def sha(data):
    return hashlib.sha256(data).hexdigest()
'''

SYNC = r'''
with httpkit.Session() as s:
    r = s.get(URL + "/bytes/3000?seed=pkg", timeout=30)
    facts["sync"] = [r.status_code, sha(r.content)]
    r = s.get(TLS_URL + "/get", verify=CA, timeout=30)
    facts["sync_tls"] = [r.status_code, r.json()["url"].startswith("https://")]
import httpkit.aio
facts["aio_all"] = list(httpkit.aio.__all__)
pkg = os.path.dirname(httpkit.__file__)
facts["aio_files"] = sorted(n for n in os.listdir(os.path.join(pkg, "aio")) if n.endswith(".py"))
import pkgutil
facts["py_typed"] = pkgutil.get_data("httpkit", "py.typed") is not None
'''

ASYNCIO = r'''
import asyncio, importlib.resources
async def main():
    async with httpkit.aio.Session() as s:
        r = await s.get(URL + "/bytes/3000?seed=pkg", timeout=30)
        return [r.status_code, sha(r.content)]
facts["aio"] = asyncio.run(main())
facts["py_typed_resource"] = importlib.resources.files("httpkit").joinpath("py.typed").is_file()
'''

TWISTED = r'''
from twisted.internet import reactor
from httpkit.aio import tx
def fetched(body):
    facts["tx"] = [200, sha(body)]
def failed(failure):
    facts["tx"] = repr(failure.value)
d = tx.get(URL + "/bytes/3000?seed=pkg", timeout=30)
d.addCallback(lambda r: r.raise_for_status().content())
d.addCallbacks(fetched, failed)
d.addBoth(lambda _: reactor.stop())
reactor.callLater(60, reactor.stop)
reactor.run()
'''

EXTRAS = r'''
with httpkit.Session(tls_backend="openssl") as s:
    r = s.get(TLS_URL + "/get", verify=CA, timeout=30)
    facts["openssl_backend"] = r.status_code
with httpkit.Session() as s:
    r = s.get(URL + "/brotli", timeout=30)
    facts["brotli"] = [r.headers.get("Content-Encoding"), r.json().get("brotli")]
from httpkit.cache import RedisCache
import redis
facts["redis"] = redis.__name__
try:
    import rich
    facts["rich"] = True
except ImportError:
    facts["rich"] = False
'''

DONE = "\nprint(json.dumps(facts))\n"


def _facts(env, servers, *parts):
    http_server, https_server = servers
    source = PREAMBLE + "".join(parts) + DONE
    return run_script(env.path, env.home, source, http_server.url, https_server.url, CA)


def _check_common(facts):
    assert facts["in_env"], facts["file"]
    # Neither the tree under test nor the test environment is on the child's path.
    outside = [os.path.realpath(p) + os.sep for p in (ROOT, sys.prefix)]
    assert not [p for p in facts["sys_path"] if (p + os.sep).startswith(tuple(outside))]
    assert facts["version"] == httpkit.__version__
    assert facts["sync"] == [200, BODY_SHA]
    assert facts["sync_tls"] == [200, True]
    assert facts["py_typed"]


def _check_aio(facts):
    """The asyncio front-end on 3.x; on 2.7 httpkit.aio imports, empty, without its files."""
    if PY2:
        assert facts["aio_all"] == []
        assert facts["aio_files"] == ["__init__.py"]
    else:
        assert "Session" in facts["aio_all"]
        assert set(facts["aio_files"]) >= set(["__init__.py", "_driver.py", "_session.py"])
        assert facts["aio"] == [200, BODY_SHA]
        assert facts["py_typed_resource"]


def _asyncio_part():
    return "" if PY2 else ASYNCIO


def test_wheel_in_a_clean_env_fetches(plain_env, http_server, https_server):
    facts = _facts(plain_env, (http_server, https_server), SYNC, _asyncio_part())
    _check_common(facts)
    _check_aio(facts)


def test_wheel_without_extras_installs_no_extras(plain_env):
    code = ("import importlib\nfor m in ('twisted', 'OpenSSL', 'redis', 'brotli', 'rich'):\n"
            "    try:\n        importlib.import_module(m)\n    except ImportError:\n"
            "        continue\n    print(m)\n")
    python = env_bin(plain_env.path, "python")
    assert check([python, "-c", code], plain_env.home, plain_env.home).strip() == ""
    out = check([python, "-m", "pip", "check"], plain_env.home, plain_env.home)
    assert "No broken requirements" in out


def test_wheel_with_extras_fetches_through_each(extras_env, http_server, https_server):
    facts = _facts(extras_env, (http_server, https_server), SYNC, _asyncio_part(), TWISTED,
                   EXTRAS)
    _check_common(facts)
    _check_aio(facts)
    assert facts.get("tx") == [200, BODY_SHA]  # missing: the reactor stopped on its timer
    assert facts["openssl_backend"] == 200
    assert facts["brotli"] == ["br", True]
    assert facts["redis"] == "redis"
    assert facts["rich"] is (not PY2)  # the cli extra brings rich on 3.x only
    out = check([env_bin(extras_env.path, "python"), "-m", "pip", "check"],
                extras_env.home, extras_env.home)
    assert "No broken requirements" in out


def _cli(env, *args):
    result = run(list(args), env.home, env.home, limit=60)
    assert result.code == 0, result.err
    return result


def test_console_script_and_python_m_in_a_clean_env(plain_env, http_server):
    url = http_server.url + "/bytes/3000?seed=pkg"
    script = env_bin(plain_env.path, "httpkit")
    assert _cli(plain_env, script, url).out == BODY
    assert _cli(plain_env, env_bin(plain_env.path, "python"), "-m", "httpkit", url).out == BODY
    line = _cli(plain_env, script, "--version").out.decode("ascii")
    assert re.match(r"httpkit %s \(Python \d+\.\d+\.\d+, TLS backend \w+: .+\)\n\Z"
                    % re.escape(httpkit.__version__), line), line


def test_pip_install_of_the_source_tree_fetches(source_env, http_server, https_server):
    """`pip install .` (not editable): a copy of the tree is built and installed."""
    facts = _facts(source_env, (http_server, https_server), SYNC, _asyncio_part())
    _check_common(facts)
    _check_aio(facts)
    site = os.path.dirname(os.path.dirname(facts["file"]))
    assert not [n for n in os.listdir(site) if n.endswith(".egg-link")]  # not editable
    out = _cli(source_env, env_bin(source_env.path, "httpkit"), "--version").out
    assert out.startswith(b"httpkit " + httpkit.__version__.encode("ascii"))
