"""Import hygiene, as a library vendored inside pip needs it (issue 12).

Importing httpkit changes nothing in the importing program: no thread, no file or
socket beyond its own modules, no logging handler, no environment variable, no
warnings filter, no signal handler or hook. Optional extras are imported only when
their feature is used, and a feature whose extra is missing says which extra to
install. Every check runs in a fresh child interpreter (2.7 and 3.x). Absolute
self-imports are refused by tests/test_packaging.py.
"""
from __future__ import absolute_import, division, print_function

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PY2 = sys.version_info[0] == 2
PUBLIC_MODULES = ["httpkit", "httpkit.auth", "httpkit.cookies", "httpkit.exceptions",
                  "httpkit.hooks", "httpkit.structures", "httpkit.utils", "httpkit.tls",
                  "httpkit.cache", "httpkit.transports", "httpkit.sync", "httpkit.aio",
                  "httpkit._cli"]
# Every extra's import names (setup.py's extras_require), plus what they pull in.
EXTRAS = ["OpenSSL", "cryptography", "twisted", "truststore", "brotli", "brotlicffi",
          "zstandard", "redis", "rich"]

# A child's view of everything a library could change at import time.
SNAPSHOT = r'''
import atexit, json, logging, os, signal, socket, sys, threading, warnings

def handlers():
    out = {"": [repr(h) for h in logging.root.handlers]}
    for name, logger in list(logging.Logger.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger) and logger.handlers:
            out[name] = [repr(h) for h in logger.handlers]
    return out

def snapshot():
    fds = "/proc/self/fd"
    return {
        "threads": sorted(t.name for t in threading.enumerate()),
        "open files": sorted(os.readlink(os.path.join(fds, fd)) for fd in os.listdir(fds)
                             if os.path.exists(os.path.join(fds, fd))),
        "environment": sorted(os.environ.items()),
        "warnings filters": [repr(f) for f in warnings.filters],
        "logging handlers": handlers(),
        "root logging level": logging.root.level,
        "signal handlers": [repr(signal.getsignal(s)) for s in (
            signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE, signal.SIGCHLD)],
        "hooks": [repr(h) for h in (sys.excepthook, sys.displayhook, sys.gettrace(),
                                    sys.getprofile())],
        "socket default timeout": socket.getdefaulttimeout(),
        "sys.path": list(sys.path),
        "import machinery": [repr(f) for f in sys.meta_path + sys.path_hooks],
        "working directory": os.getcwd(),
        "atexit callbacks": getattr(atexit, "_ncallbacks", lambda: None)(),
        "recursion limit": sys.getrecursionlimit(),
    }

events = []
def audit(event, args):
    if event == "open" and args[0] is not None:
        path = str(args[0])
        if "__pycache__" in path or path.endswith((".py", ".pyc", ".so")):
            return  # reading (or caching) a module
    if event == "open" or event.startswith(("socket.", "subprocess.", "os.putenv",
                                            "os.unsetenv", "os.system", "_thread.",
                                            "os.fork", "os.exec", "os.chdir")):
        events.append("%s %r" % (event, tuple(args[:2])))

def spy(owner, name, event):  # 2.7 has no audit hooks: wrap what would raise the events
    real = getattr(owner, name)
    def wrapper(*args, **kwargs):
        if recording[0]:
            audit(event, args[:1] if event == "open" else args)
        return real(*args, **kwargs)
    setattr(owner, name, wrapper)

before = snapshot()
recording = [True]
if hasattr(sys, "addaudithook"):
    sys.addaudithook(lambda event, args: recording[0] and audit(event, args))
else:
    import __builtin__, io, subprocess
    for owner, name, event in [(__builtin__, "open", "open"), (io, "open", "open"),
                               (os, "popen", "subprocess.Popen"), (os, "fork", "os.fork"),
                               (os, "system", "os.system"), (os, "putenv", "os.putenv"),
                               (subprocess, "Popen", "subprocess.Popen"),
                               (threading.Thread, "start", "_thread.start_new_thread")]:
        spy(owner, name, event)

    class SpySocket(socket.socket):  # a class still: ssl subclasses it
        def __init__(self, *args, **kwargs):
            if recording[0]:
                audit("socket.__new__", args)
            super(SpySocket, self).__init__(*args, **kwargs)
    socket.socket = SpySocket
for name in sys.argv[1:]:
    __import__(name)
recording[0] = False
after = snapshot()
changed = dict((key, [before[key], after[key]]) for key in before if before[key] != after[key])
print(json.dumps({"changed": changed, "events": events}))
'''

# Hides the top-level packages named in argv[1] (comma-separated), then runs argv[2].
HIDE_AND_RUN = r'''
import sys
HIDDEN = sys.argv[1].split(",")

class Hide(object):
    def _hide(self, fullname):
        if fullname.split(".")[0] in HIDDEN:
            raise ImportError("No module named %r (hidden by the test)" % fullname)
    def find_spec(self, fullname, path=None, target=None):
        self._hide(fullname)
    def find_module(self, fullname, path=None):
        self._hide(fullname)

sys.meta_path.insert(0, Hide())
import httpkit, httpkit.cache
URL, CA = sys.argv[3], sys.argv[4]
try:
    exec(sys.argv[2])
except Exception as exc:
    print("%s: %s" % (type(exc).__name__, exc))
else:
    print("no error")
'''


def _child(args):
    out = subprocess.check_output([sys.executable, "-c"] + args, cwd=ROOT)
    return out.decode("utf-8").strip()


@pytest.mark.parametrize("modules", [["httpkit"], PUBLIC_MODULES], ids=["httpkit", "public"])
def test_importing_httpkit_changes_nothing_in_the_program(modules):
    report = json.loads(_child([SNAPSHOT] + modules))
    changed = report["changed"]
    if PY2 and len(modules) > 1 and "open files" in changed:
        # 2.7's os.urandom keeps /dev/urandom open once anything imports random: the
        # stdlib modules behind httpkit.cache (email.utils, for dates) and httpkit.cookies
        # (cookielib) do. `import httpkit` alone does not (the case above).
        before, after = changed.pop("open files")
        assert sorted(set(after) - set(before)) == ["/dev/urandom"], (before, after)
    assert changed == {}
    assert report["events"] == []  # opens, sockets, threads, processes, putenv, chdir


def test_importing_every_public_module_imports_no_optional_extra():
    code = ("import sys\n"
            "for name in sys.argv[1].split(','):\n"
            "    __import__(name)\n"
            "print(','.join(m for m in sys.argv[2].split(',') if m in sys.modules))\n")
    assert _child([code, ",".join(PUBLIC_MODULES), ",".join(EXTRAS)]) == ""


MISSING = [
    ("OpenSSL", "httpkit.Session(tls_backend='openssl').get(URL, verify=CA)",
     "SSLError: TLS backend 'openssl' is not available here", "pyopenssl"),
    ("twisted", "import httpkit.aio.tx", "ImportError: httpkit.aio.tx needs Twisted", "twisted"),
    ("redis", "httpkit.cache.RedisCache('redis://127.0.0.1:9/0')",
     "ImportError: RedisCache needs the redis package", "redis"),
]


@pytest.mark.parametrize("hidden,code,error,extra", MISSING, ids=[m[0] for m in MISSING])
def test_a_feature_whose_extra_is_missing_names_the_extra(https_server, ca_bundle, hidden,
                                                          code, error, extra):
    out = _child([HIDE_AND_RUN, hidden, code, https_server.url + "/get", ca_bundle])
    assert out.startswith(error), out
    assert 'pip install "httpkit[%s]"' % extra in out, out
    assert "No module named" in out  # the cause is kept in the message


def test_the_extras_present_here_make_those_features_work(https_server, ca_bundle):
    """The same calls with nothing hidden: the errors above come from the hiding."""
    code = "httpkit.cache.RedisCache('redis://127.0.0.1:9/0'); import httpkit.aio.tx"
    assert _child([HIDE_AND_RUN, "", code, https_server.url, ca_bundle]) == "no error"
    code = "assert httpkit.Session(tls_backend='openssl').get(URL, verify=CA).ok"
    assert _child([HIDE_AND_RUN, "", code, https_server.url + "/get", ca_bundle]) == "no error"
