"""WSGITransport: call a WSGI application in-process (PEP 3333).

Rules:
- The app and its body iterable may block (a database, a file): the
  event-loop front-ends run the call and every ``next()`` through ``Offload``,
  in their worker thread, never on the loop. The blocking front-end calls it
  in the caller's thread.
- The iterable's ``close()`` is called once, when the body ends or is abandoned.
- An exception raised by the app propagates to the caller unchanged (a test
  sees the app's own traceback); ``wsgi.errors`` goes to ``sys.stderr``.
"""
from __future__ import absolute_import, division, print_function

import io
import sys

from .. import _bodies
from .._compat import to_str
from .._models import Response
from ._base import BaseTransport
from ._body import GivenBody

__all__ = ["WSGITransport"]


class WSGITransport(BaseTransport):
    """A transport that calls a WSGI app (Flask, Django, Bottle...) instead of the network.

    Args:
        app: the WSGI callable ``app(environ, start_response)``.
        script_name: the mount point of the app (``SCRIPT_NAME``), default "".
        remote_addr: ``REMOTE_ADDR`` the app sees (default "127.0.0.1").
        wsgi_errors: the ``wsgi.errors`` stream (default ``sys.stderr``).

    Example::

        s = httpkit.Session()
        s.mount("http://app.test/", httpkit.WSGITransport(flask_app))
        r = s.get("http://app.test/users/1")

    .. versionadded:: 0.1
    """

    blocking = True

    def __init__(self, app, script_name="", remote_addr="127.0.0.1", wsgi_errors=None):
        self.app = app
        self.script_name = script_name
        self.remote_addr = remote_addr
        self.wsgi_errors = wsgi_errors

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        """Call the app with ``request``'s environ; return its Response (body unread)."""
        body = b"".join(_bodies.iter_body_chunks(request.body))
        started = []

        def start_response(status, headers, exc_info=None):
            if exc_info is not None and started:
                _reraise(exc_info)
            started[:] = [(status, headers)]
            return _no_write

        result = self.app(self.environ(request, body), start_response)
        iterator = iter(result)
        first = []
        try:
            while not started:  # a generator app calls start_response on its first step
                piece = next(iterator)
                if piece:
                    first.append(piece)
        except StopIteration:
            pass
        except BaseException:
            _close(result)
            raise
        if not started:
            _close(result)
            raise RuntimeError("the WSGI app %r never called start_response" % (self.app,))
        status, headers = started[0]
        code, _, reason = to_str(status).partition(" ")
        response = Response(int(code), reason, [(to_str(n), to_str(v)) for n, v in headers],
                            request)
        response._stream = GivenBody(_chain(first, iterator), blocking=True,
                                     close=lambda: _close(result))
        return response

    def environ(self, request, body):
        """The WSGI environ for ``request`` (PEP 3333; native-string values)."""
        url = request.parsed_url
        path, _, query = url.target.partition("?")
        script = self.script_name.rstrip("/")
        if script and path.startswith(script):
            path = path[len(script):]
        environ = {
            "REQUEST_METHOD": request.method, "SCRIPT_NAME": script,
            "PATH_INFO": _wsgi_path(path), "QUERY_STRING": query,
            "SERVER_NAME": url.host, "SERVER_PORT": str(url.port),
            "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": self.remote_addr,
            "wsgi.version": (1, 0), "wsgi.url_scheme": url.scheme,
            "wsgi.input": io.BytesIO(body), "wsgi.errors": self.wsgi_errors or sys.stderr,
            "wsgi.multithread": True, "wsgi.multiprocess": False, "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(body)),
        }
        for name, value in request.headers.raw_items():
            key = name.upper().replace("-", "_")
            if key == "CONTENT_TYPE":
                environ[key] = value
            elif key != "CONTENT_LENGTH":
                key = "HTTP_" + key
                environ[key] = environ[key] + "," + value if key in environ else value
        environ.setdefault("HTTP_HOST", url.host_header)
        return environ

    def __repr__(self):
        return "<WSGITransport %r>" % (self.app,)


def _wsgi_path(path):
    """PATH_INFO: percent-decoded, as latin-1 native str (PEP 3333)."""
    try:
        from urllib.parse import unquote_to_bytes
    except ImportError:  # 2.7
        from urllib import unquote
        return unquote(path)
    return unquote_to_bytes(path).decode("latin-1")


def _chain(first, iterator):
    for piece in first:
        yield piece
    for piece in iterator:
        yield piece


def _close(result):
    close = getattr(result, "close", None)
    if close is not None:
        close()


def _no_write(data):
    raise NotImplementedError("WSGITransport does not support the legacy write() callable")


def _reraise(exc_info):
    raise exc_info[1]  # start_response after the body started: the app's error goes on
