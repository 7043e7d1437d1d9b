"""Packaging rules that keep one source working on 2.7 and 3.x and inside pip."""
from __future__ import absolute_import, division, print_function

import io
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PKG = os.path.join(ROOT, "httpkit")
ASYNC_SYNTAX = re.compile(r"\basync\s+def\b|\bawait\b")


def _modules():
    for base, dirs, files in os.walk(PKG):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(base, name)
                with io.open(path, encoding="utf-8") as f:
                    source = f.read()
                yield path, source


def _py27():
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    try:
        root = subprocess.check_output(["pyenv", "root"]).decode().strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    path = os.path.join(root, "versions", "2.7.18", "bin", "python")
    return path if os.path.exists(path) else None


def test_every_module_outside_the_asyncio_files_compiles_on_python_27():
    py27 = sys.executable if sys.version_info[0] == 2 else _py27()
    assert py27, "Python 2.7.18 must be installed with pyenv"
    checked = []
    for path, src in _modules():
        rel = os.path.relpath(path, ROOT)
        if rel.startswith(os.path.join("httpkit", "aio")) and ASYNC_SYNTAX.search(src):
            continue
        checked.append(path)
    script = ("import sys,io\nbad=[]\nfor p in sys.argv[1:]:\n"
              "    try: compile(io.open(p,'rb').read(), p, 'exec')\n"
              "    except SyntaxError as e: bad.append('%s:%s %s' % (p, e.lineno, e.msg))\n"
              "print('\\n'.join(bad))\n")
    out = subprocess.check_output([py27, "-c", script] + checked).decode()
    assert out.strip() == "", out
    assert len(checked) > 20


def test_only_compat_looks_at_the_python_version():
    offenders = []
    for path, src in _modules():
        if path.endswith("_compat.py"):
            continue
        if re.search(r"sys\.version_info|sys\.version\b|platform\.python_version", src):
            offenders.append(os.path.relpath(path, ROOT))
    assert offenders == []


def test_every_module_has_future_imports_and_no_absolute_self_imports():
    for path, src in _modules():
        rel = os.path.relpath(path, ROOT)
        if rel.endswith("__version__.py") or not src.strip():
            continue
        assert "from __future__ import absolute_import" in src, rel
        assert not re.search(r"^\s*(from|import) httpkit\b", src, re.M), \
            "%s imports httpkit absolutely: vendoring needs relative imports" % rel


def test_non_ascii_modules_declare_their_encoding():
    for path, src in _modules():
        if any(ord(c) > 127 for c in src):
            assert "coding: utf-8" in src.splitlines()[0], path


def test_importing_httpkit_does_not_import_optional_extras():
    code = ("import sys, httpkit, httpkit.tls\n"
            "bad = [m for m in ('OpenSSL', 'twisted', 'brotli', 'zstandard', 'redis', "
            "'truststore', 'asyncio', 'rich') if m in sys.modules]\n"
            "print(','.join(bad))")
    out = subprocess.check_output([sys.executable, "-c", code], cwd=ROOT).decode().strip()
    assert out == ""


def test_a_request_without_cookies_does_not_import_the_cookie_jar():
    """The stdlib jar pulls in urllib.request, email and tempfile: ~2 MiB of peak RSS;
    logging is used only when the program imported it (see httpkit._log); caching
    (httpkit.cache, cachecontrol and the requests it pulls in) only when asked for."""
    code = ("import sys, threading, httpkit\n"
            "try:\n"
            "    from http.server import HTTPServer, BaseHTTPRequestHandler\n"
            "except ImportError:\n"
            "    from BaseHTTPServer import HTTPServer, BaseHTTPRequestHandler\n"
            "class H(BaseHTTPRequestHandler):\n"
            "    def do_GET(self):\n"
            "        self.send_response(200); self.send_header('Content-Length', '2')\n"
            "        self.end_headers(); self.wfile.write(b'ok')\n"
            "    def log_message(self, *a): pass\n"
            "srv = HTTPServer(('127.0.0.1', 0), H)\n"
            "threading.Thread(target=srv.handle_request).start()\n"
            "r = httpkit.get('http://127.0.0.1:%d/' % srv.server_port, timeout=10)\n"
            "assert r.content == b'ok'\n"
            "print(','.join(m for m in ('http.cookiejar', 'cookielib', 'urllib.request', "
            "'logging', 'httpkit.cache', 'cachecontrol', 'requests', 'msgpack') "
            "if m in sys.modules))\n"
            "assert len(r.cookies) == 0\n")
    out = subprocess.check_output([sys.executable, "-c", code], cwd=ROOT).decode().strip()
    assert out == ""


@pytest.mark.parametrize("name", ["request", "get", "head", "post", "put", "patch", "delete",
                                  "options", "Session", "Request", "PreparedRequest",
                                  "auth", "RequestException", "ConnectionError",
                                  "ConnectTimeout", "ReadTimeout", "Timeout", "SSLError",
                                  "ProxyError", "TooManyRedirects", "HTTPError", "InvalidURL",
                                  "MissingSchema", "InvalidHeader", "ChunkedEncodingError",
                                  "ContentDecodingError"])
def test_requests_names_are_public(name):
    import httpkit
    assert name in httpkit.__all__ and hasattr(httpkit, name)


def test_requests_auth_names_are_public():
    from httpkit import auth
    for name in ("HTTPBasicAuth", "HTTPDigestAuth", "AuthBase", "DigestAuth", "BasicAuth",
                 "BearerAuth", "Auth"):
        assert name in auth.__all__ and hasattr(auth, name)


def test_exception_hierarchy_matches_requests():
    import httpkit
    assert issubclass(httpkit.ConnectTimeout, httpkit.ConnectionError)
    assert issubclass(httpkit.ConnectTimeout, httpkit.Timeout)
    assert issubclass(httpkit.ReadTimeout, httpkit.Timeout)
    assert issubclass(httpkit.SSLError, httpkit.ConnectionError)
    assert issubclass(httpkit.InvalidURL, ValueError)
    assert issubclass(httpkit.IncompleteRead, httpkit.ChunkedEncodingError)
    for name in httpkit.__all__:
        obj = getattr(httpkit, name)
        if isinstance(obj, type) and issubclass(obj, Exception) and obj is not Warning \
                and not issubclass(obj, Warning):
            assert issubclass(obj, httpkit.RequestException), name
