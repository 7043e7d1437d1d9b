"""A real nginx on free loopback ports, for real-world interop tests.

``NginxServer`` writes its whole config into a temp dir (pid, logs, temp paths,
docroot), runs ``nginx -g 'daemon off;'`` as a child process, waits (bounded)
until both listeners answer, and stops it with SIGTERM (SIGKILL after a limit).
The binary comes from Debian's nginx package: ``tools/services.sh`` installs it.
"""
from __future__ import absolute_import, division, print_function

import gzip
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

CERTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "certs")

SMALL = b"Hello, world\n"
TEXT_LINE = b"The quick brown fox jumps over the lazy dog. 0123456789\n"

CONFIG = """\
%(user)s
daemon off;
master_process on;
worker_processes 1;
pid %(dir)s/nginx.pid;
error_log %(dir)s/error.log warn;
events { worker_connections 1024; }
http {
    access_log %(access_log)s;
    client_body_temp_path %(dir)s/client_body;
    proxy_temp_path %(dir)s/proxy;
    fastcgi_temp_path %(dir)s/fastcgi;
    uwsgi_temp_path %(dir)s/uwsgi;
    scgi_temp_path %(dir)s/scgi;
    types {
        text/plain txt; text/html html; application/json json;
        application/octet-stream bin;
    }
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_requests 1000000;
    keepalive_timeout 75s;
    gzip_static on;
    server {
        listen %(host)s:%(http_port)d;
        listen %(host)s:%(https_port)d ssl;
        server_name localhost;
        ssl_certificate %(cert)s;
        ssl_certificate_key %(key)s;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_cache shared:SSL:1m;
        root %(docroot)s;
        location = /redirect { return 302 /small.txt; }
        location = /redirect-absolute { return 301 $scheme://$http_host/small.txt; }
        location /gzip/ { gzip on; gzip_min_length 1; gzip_types text/plain application/json; }
        location = /status/404 { return 404 "not found\\n"; }
        location = /status/500 { return 500 "server error\\n"; }
        location = /echo-method { return 200 "$request_method\\n"; }
%(extra)s
    }
}
"""


def find_nginx():
    """Path of the nginx binary, or None."""
    for folder in os.environ.get("PATH", "").split(os.pathsep) + ["/usr/sbin", "/usr/local/sbin"]:
        path = os.path.join(folder, "nginx")
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def free_port(host="127.0.0.1"):
    """A port that was free a moment ago (the bind-and-close trick)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((host, 0))
        return sock.getsockname()[1]
    finally:
        sock.close()


def default_files():
    """The generated docroot: name -> bytes."""
    from peer_base import random_bytes
    text = TEXT_LINE * 1024  # 56 KiB of compressible text
    return {
        "small.txt": SMALL,
        "index.html": b"<!DOCTYPE html><html><body>httpkit nginx</body></html>\n",
        "1mib.bin": random_bytes(1024 * 1024, "nginx"),
        "gzip/text.txt": text,          # gzip on the fly (Accept-Encoding: gzip)
        "static.txt": text,              # gzip_static: static.txt.gz is served as is
        "static.txt.gz": gzip_bytes(text),
        "data.json": b'{"hello": "world"}\n',
    }


def gzip_bytes(data):
    import io
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as f:
        f.write(data)
    return buf.getvalue()


class NginxServer(object):
    """nginx on loopback with HTTP and HTTPS listeners and a generated docroot.

    Args:
        files: extra or replacement docroot files, ``{relative path: bytes}``.
        extra_config: lines added inside the ``server { }`` block.
        certfile/keyfile: the HTTPS certificate (default tests/certs/server.*).
        access_log: keep an access log (``self.dir/access.log``); off by default.
        binary: the nginx path (default: found on PATH or /usr/sbin).

    Attributes: ``http_url``, ``https_url``, ``url(path, tls=False)``, ``docroot``,
    ``dir`` (temp dir with logs), ``files``.
    """

    START_TIMEOUT = 10.0

    def __init__(self, files=None, extra_config="", certfile=None, keyfile=None,
                 access_log=False, binary=None, host="127.0.0.1"):
        self.binary = binary or find_nginx()
        self.host = host
        self.files = default_files()
        self.files.update(files or {})
        self.extra_config = extra_config
        self.certfile = certfile or os.path.join(CERTS_DIR, "server.pem")
        self.keyfile = keyfile or os.path.join(CERTS_DIR, "server.key")
        self.access_log = access_log
        self.proc = None
        self.dir = None
        self.http_port = self.https_port = None

    @property
    def docroot(self):
        return os.path.join(self.dir, "docroot")

    @property
    def http_url(self):
        return "http://%s:%d" % (self.host, self.http_port)

    @property
    def https_url(self):
        return "https://%s:%d" % (self.host, self.https_port)

    def url(self, path="/", tls=False, host=None):
        """URL of ``path`` over HTTP or HTTPS (``host`` overrides, e.g. localhost)."""
        port = self.https_port if tls else self.http_port
        return "%s://%s:%d%s" % ("https" if tls else "http", host or self.host, port, path)

    def start(self):
        """Write config and docroot, start nginx, wait until it answers; return self."""
        if not self.binary:
            raise RuntimeError("nginx not found: run tools/services.sh (as root) to install it")
        self.dir = tempfile.mkdtemp(prefix="httpkit-nginx-")
        os.chmod(self.dir, 0o755)
        self._write_docroot()
        last_error = None
        for _ in range(3):  # a free port can be taken between probe and bind
            try:
                self._launch()
                return self
            except RuntimeError as exc:
                last_error = exc
        self.stop()
        raise last_error

    def _write_docroot(self):
        for name, data in self.files.items():
            path = os.path.join(self.docroot, name)
            if not os.path.isdir(os.path.dirname(path)):
                os.makedirs(os.path.dirname(path))
            with open(path, "wb") as f:
                f.write(data)

    def config_text(self):
        user = ""
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            import grp
            import pwd
            user = "user %s %s;" % (pwd.getpwuid(0).pw_name, grp.getgrgid(0).gr_name)
        return CONFIG % {
            "user": user, "dir": self.dir, "docroot": self.docroot, "host": self.host,
            "http_port": self.http_port, "https_port": self.https_port,
            "cert": self.certfile, "key": self.keyfile, "extra": self.extra_config,
            "access_log": os.path.join(self.dir, "access.log") if self.access_log else "off",
        }

    def _launch(self):
        self.http_port, self.https_port = free_port(self.host), free_port(self.host)
        conf = os.path.join(self.dir, "nginx.conf")
        with open(conf, "w") as f:
            f.write(self.config_text())
        errlog = open(os.path.join(self.dir, "stderr.log"), "wb")
        self.proc = subprocess.Popen([self.binary, "-p", self.dir, "-c", conf, "-e",
                                      os.path.join(self.dir, "error.log")],
                                     stdin=subprocess.PIPE, stdout=errlog, stderr=errlog)
        errlog.close()
        deadline = time.time() + self.START_TIMEOUT
        while time.time() < deadline:
            if self.proc.poll() is not None:
                break
            if self._answers(self.http_port) and self._answers(self.https_port):
                return
            time.sleep(0.05)
        self._terminate()
        raise RuntimeError("nginx did not start:\n" + self.error_log())

    def _answers(self, port):
        try:
            sock = socket.create_connection((self.host, port), timeout=1)
        except EnvironmentError:
            return False
        sock.close()
        return True

    def error_log(self):
        """Text of nginx's stderr and error log (for failure messages)."""
        out = []
        for name in ("stderr.log", "error.log"):
            path = os.path.join(self.dir or "", name)
            if os.path.exists(path):
                with open(path, "rb") as f:
                    out.append(f.read().decode("utf-8", "replace"))
        return "\n".join(out)

    def _terminate(self):
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.stdin is not None:  # (an unclosed pipe is a ResourceWarning on 3.x)
            proc.stdin.close()
        if proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        deadline = time.time() + 5
        while proc.poll() is None and time.time() < deadline:
            time.sleep(0.05)
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    def stop(self):
        """Stop nginx (bounded) and remove the temp dir."""
        self._terminate()
        if self.dir and os.path.isdir(self.dir):
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
