"""httpkit demo: everything on 127.0.0.1, nothing from the internet.

1. Starts an HTTPS server (stdlib ``ssl``, the test certificates in tests/certs).
2. Drives a raw TLS handshake through httpkit.tls's buffer API and shows what
   was negotiated, for every TLS backend available on this Python.
3. Fetches the same URL through each front-end that exists here: blocking
   (``httpkit.Session``), asyncio (``httpkit.aio``) and Twisted (``httpkit.aio.tx``).
4. Fetches a cacheable page twice with ``Session(cache=...)``: the second
   answer comes from the FileCache, and the server never sees it.
5. Downloads 8 MiB with ``on_progress=``: the command line's progress bar
   (rich's when installed) on a terminal, a summary of the calls otherwise.
6. Vendors httpkit into a throwaway ``fakepip/_vendor`` with pypa's vendoring
   tool (as pip does; a rewriting copy on 2.7) and runs a pip-shaped job through
   that copy only: a PEP 691 index over TLS, a wheel with progress and its sha256
   checked, then the same wheel again from the FileCache.
"""
from __future__ import absolute_import, division, print_function

import json
import os
import shutil
import socket
import ssl
import sys
import tempfile
import threading
import time
import warnings

warnings.filterwarnings("ignore", module="OpenSSL")  # cryptography's "Python 2 is deprecated"
# Twisted's own TLS is not used here (httpkit.tls does the TLS), so its hint is noise.
warnings.filterwarnings("ignore", message=".*service_identity.*")

try:
    from http.server import BaseHTTPRequestHandler, HTTPServer
    from socketserver import ThreadingMixIn
except ImportError:  # Python 2.7
    from BaseHTTPServer import BaseHTTPRequestHandler, HTTPServer
    from SocketServer import ThreadingMixIn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
CERTS = os.path.join(ROOT, "tests", "certs")
CA = os.path.join(CERTS, "ca.pem")
DOWNLOAD_SIZE = 8 * 1024 * 1024

import httpkit  # noqa: E402
from httpkit import tls  # noqa: E402


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    served = []  # paths of every request the server answered

    def do_GET(self):  # noqa: N802 - stdlib name
        Handler.served.append(self.path)
        if self.path.startswith("/download"):
            return self.download()
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "/hello")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = json.dumps({"hello": "world", "path": self.path,
                           "user_agent": self.headers.get("User-Agent")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if self.path.startswith("/cached"):
            self.send_header("Cache-Control", "max-age=60")
        else:
            self.send_header("Set-Cookie", "demo=1; Path=/")
        self.end_headers()
        self.wfile.write(body)

    def download(self):
        """DOWNLOAD_SIZE bytes in 64 KiB pieces over about a second (a bar worth watching)."""
        piece = b"x" * 65536
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(DOWNLOAD_SIZE))
        self.end_headers()
        for _ in range(DOWNLOAD_SIZE // len(piece)):
            self.wfile.write(piece)
            time.sleep(0.008)

    def log_message(self, *args):
        pass


class Server(ThreadingMixIn, HTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # the raw handshake demo hangs up without a request: not worth a traceback


def start_server():
    server = Server(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if hasattr(ssl, "PROTOCOL_TLS_SERVER")
                         else ssl.PROTOCOL_SSLv23)
    ctx.load_cert_chain(os.path.join(CERTS, "server.pem"), os.path.join(CERTS, "server.key"))
    if hasattr(ctx, "set_alpn_protocols"):
        ctx.set_alpn_protocols(["http/1.1"])
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever)
    thread.daemon = True
    thread.start()
    return server


def tls_handshake(port, backend_name):
    """A raw PEP 543 buffer handshake: we move every byte ourselves."""
    backend = tls.backend(backend_name)
    config = tls.TLSConfiguration(trust_store=tls.TrustStore.from_file(CA),
                                  inner_protocols=(tls.NextProtocol.HTTP1,))
    buf = backend.client_context(config).wrap_buffers(u"localhost")
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        while True:
            try:
                buf.do_handshake()
                break
            except tls.WantReadError:
                out = buf.peek_outgoing(65536)
                if out:
                    sock.sendall(out)
                    buf.consume_outgoing(len(out))
                data = sock.recv(65536)
                if data:
                    buf.receive_from_network(data)
                else:
                    buf.receive_eof()
        out = buf.peek_outgoing(65536)
        if out:
            sock.sendall(out)
            buf.consume_outgoing(len(out))
        return buf.negotiated_tls_version, buf.cipher(), buf.negotiated_protocol()
    finally:
        if hasattr(buf, "close"):
            buf.close()
        sock.close()


def tx_fetch(url, ca):
    """Fetch ``url`` with httpkit.aio.tx under Twisted's default reactor; return (status, json)."""
    from twisted.internet import reactor

    from httpkit.aio import tx

    outcome = {}

    def start():
        session = tx.Session(verify=ca)
        d = session.get(url)
        d.addCallback(lambda r: r.json().addCallback(lambda data: (r.status_code, data)))
        d.addBoth(finish, session)

    def finish(result, session):
        outcome["result"] = result
        session.close()
        reactor.stop()

    reactor.callWhenRunning(start)
    reactor.run(installSignalHandlers=False)
    result = outcome.get("result")
    if not isinstance(result, tuple):  # a Failure: show it
        result.raiseException()
    return result


def main():
    server = start_server()
    port = server.server_address[1]
    url = "https://localhost:%d/redirect" % port
    print("httpkit %s on Python %s" % (httpkit.__version__, sys.version.split()[0]))
    print("HTTPS server on 127.0.0.1:%d (test certificates)\n" % port)

    print("1. TLS through httpkit.tls buffers (PEP 543)")
    for name in tls.available_backends():
        version, cipher, alpn = tls_handshake(port, name)
        print("   %-10s %-8s %-40s ALPN=%s" % (name, getattr(version, "value", version),
                                               getattr(cipher, "name", cipher),
                                               getattr(alpn, "value", alpn)))

    print("\n2. Blocking front-end: httpkit.Session().get(%r)" % url)
    with httpkit.Session(verify=CA) as session:
        r = session.get(url)
        print("   %s %s via %s, history=%s" % (r.status_code, r.reason, r.url,
                                                [h.status_code for h in r.history]))
        print("   json=%s cookies=%s" % (r.json(), dict(session.cookies.items())))

    try:
        import httpkit.aio as aio  # noqa: F401
        has_aio = hasattr(aio, "get")
    except (ImportError, SyntaxError):
        has_aio = False
    if has_aio:
        from demo_aio import fetch  # async syntax lives in a 3.x-only file
        print("\n3. asyncio front-end: await httpkit.aio.Session().get(...)")
        print("   %s %s" % fetch(url, CA))
    try:
        from httpkit.aio import tx  # noqa: F401
        has_tx = hasattr(tx, "get")
    except ImportError:
        has_tx = False
    if has_tx:
        print("\n4. Twisted front-end: httpkit.aio.tx.get(...) -> Deferred")
        print("   %s %s" % tx_fetch(url, CA))
    cache_demo(port)
    download_demo(port)
    server.shutdown()
    pip_demo(has_aio)
    print("\ndone.")


def cache_demo(port):
    """Section 5: the second fetch of a cacheable page is served by the FileCache."""
    url = "https://localhost:%d/cached" % port
    directory = tempfile.mkdtemp(prefix="httpkit-demo-cache-")
    try:
        print("\n5. HTTP caching: httpkit.Session(cache=%r)" % directory)
        with httpkit.Session(verify=CA, cache=directory) as session:
            for attempt in (1, 2):
                before = len(Handler.served)
                r = session.get(url)
                print("   fetch %d: %s cache_status=%s from_cache=%s server_saw_it=%s"
                      % (attempt, r.status_code, r.cache_status, r.from_cache,
                         len(Handler.served) > before))
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def download_demo(port):
    """Section 6: a download reported by ``on_progress`` (at most ~10 calls a second)."""
    url = "https://localhost:%d/download" % port
    print("\n6. Download with progress: httpkit.get(url, stream=True, on_progress=bar)")
    calls = []
    display = None
    if sys.stderr.isatty():  # the command line's own bar: rich's when installed
        from httpkit._cli_progress import open_display
        display = open_display(sys.stderr)

    def on_progress(done, total):
        calls.append((done, total))
        if display is not None:
            display(done, total)

    started = time.time()
    size = 0
    with httpkit.get(url, verify=CA, stream=True, on_progress=on_progress) as r:
        for chunk in r.iter_content(65536):
            size += len(chunk)
    if display is not None:
        display.close()
    print("   %d bytes in %.1f s; on_progress called %d times, last %r"
          % (size, time.time() - started, len(calls), calls[-1]))


def pip_demo(has_aio):
    """Section 7: httpkit as pip would vendor it, doing pip's job (tests/vendoring)."""
    for folder in ("tests", os.path.join("tests", "vendoring")):
        sys.path.insert(0, os.path.join(ROOT, folder))
    from fakepip_build import make_fakepip, run_job
    from servers import HTTPTestServer
    from simple_index import SimpleIndex

    how = "a rewriting copy (2.7)" if sys.version_info[0] < 3 else "pypa's vendoring tool"
    print("\n7. Vendored as pip vendors it (%s), then a pip-shaped job through fakepip._vendor"
          % how)
    scratch = tempfile.mkdtemp(prefix="httpkit-demo-pip-")
    index = HTTPTestServer(tls=True, routes=SimpleIndex().routes()).start()
    try:
        started = time.time()
        base = os.path.join(scratch, "fakepip")
        os.mkdir(base)
        os.mkdir(os.path.join(scratch, "work"))
        make_fakepip(base, os.path.join(scratch, "work"))
        print("   vendored in %.1f s" % (time.time() - started))
        for extra in ([], ["--aio"]) if has_aio else ([],):
            cache = os.path.join(scratch, "cache" + "".join(extra))
            status, report, err = run_job(base, index, cache, extra)
            if status != 0:
                raise SystemExit("pip-shaped job failed (%d): %s" % (status, err))
            print("   %-5s picked %s: %d bytes, sha256 %s... ok, last progress call %r"
                  % (report["front_end"], report["picked"], report["size"],
                     report["sha256"][:12], report["progress"][-1]))
            print("         fetch 1: %s, fetch 2: %s; the server saw %s"
                  % (report["first"], report["again"],
                     " ".join(r.path for r in index.requests)))
            print("         from %s" % os.path.relpath(report["httpkit"], scratch))
    finally:
        index.stop()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
