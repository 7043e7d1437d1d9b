"""The ``servers`` object every scenario receives (loopback peers, env, temp files).

One :class:`Servers` lives for one scenario: the session-wide HTTP/HTTPS test
servers and proxy are shared (request logs reset first); anything made through
the factories is stopped, and every environment change undone, at teardown.
"""
from __future__ import absolute_import, division, print_function

import os
import shutil
import socket
import tempfile

import servers as _servers

__all__ = ["Servers", "PROXY_ENV_VARS"]

PROXY_ENV_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY",
                  "http_proxy", "https_proxy", "all_proxy", "no_proxy")


class Servers(object):
    """Test peers for one scenario.

    Attributes:
        http, https: shared :class:`servers.HTTPTestServer` (plain, TLS with tests/certs).
        proxy: shared :class:`servers.ProxyServer` (no auth).
        ca_bundle, certs_dir: the test CA file and tests/certs.
    """

    def __init__(self, http, https, proxy):
        self.http, self.https, self.proxy = http, https, proxy
        self.ca_bundle = _servers.CA_BUNDLE
        self.certs_dir = _servers.CERTS_DIR
        self._cleanups = []
        self._saved_env = {}
        for server in (http, https, proxy):
            server.reset()
        # Scenarios must not depend on the machine's proxies or netrc.
        self.set_env(**dict((name, None) for name in PROXY_ENV_VARS))
        self.set_env(NETRC=os.path.join(self.tmpdir(), "no-such-netrc"))

    def cert(self, name):
        """Path of ``tests/certs/<name>``."""
        return os.path.join(self.certs_dir, name)

    # ---- factories (stopped at teardown)
    def scripted(self, script, tls=False, **kwargs):
        """A started :class:`servers.ScriptedServer`."""
        server = _servers.ScriptedServer(script, tls=tls, **kwargs).start()
        self._cleanups.append(server.stop)
        return server

    def http_server(self, **kwargs):
        """A started extra :class:`servers.HTTPTestServer` (e.g. other certificates)."""
        server = _servers.HTTPTestServer(**kwargs).start()
        self._cleanups.append(server.stop)
        return server

    def proxy_server(self, **kwargs):
        """A started extra :class:`servers.ProxyServer` (e.g. ``auth=(user, pw)``)."""
        server = _servers.ProxyServer(**kwargs).start()
        self._cleanups.append(server.stop)
        return server

    def blackhole(self):
        """``(host, port)`` of a loopback listener whose accept queue is full.

        A ``listen(0)`` socket that is never accepted from queues one
        connection; the kernel then drops further SYNs, so a connect hangs
        until the client's connect timeout.
        """
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        socks = [listener]
        self._cleanups.append(lambda: [s.close() for s in socks])
        addr = listener.getsockname()
        for _ in range(16):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            socks.append(sock)
            sock.setblocking(False)
            if sock.connect_ex(addr) not in (0, 115, 36, 10035):  # EINPROGRESS variants
                continue
            import select
            if not select.select([], [sock], [], 0.3)[1]:
                return addr  # this SYN was dropped: the queue is full
        raise RuntimeError("could not fill the accept queue of a listen(0) socket")

    # ---- environment and files
    def set_env(self, **values):
        """Set (value) or unset (None) environment variables until teardown."""
        for name, value in values.items():
            if name not in self._saved_env:
                self._saved_env[name] = os.environ.get(name)
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    def tmpdir(self):
        path = tempfile.mkdtemp(prefix="httpkit-scenario-")
        self._cleanups.append(lambda: shutil.rmtree(path, ignore_errors=True))
        return path

    def write_file(self, name, data):
        """Write ``data`` (bytes) to a temp file called ``name``; return its path."""
        path = os.path.join(self.tmpdir(), name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def close(self):
        for cleanup in reversed(self._cleanups):
            try:
                cleanup()
            except Exception:  # noqa: BLE001 - teardown must run every cleanup
                pass
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
