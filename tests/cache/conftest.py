"""Fixtures for the httpkit.cache tests: an origin server per test, a real redis-server.

Fixtures:
  origin          an HTTPTestServer per test module (built-in routes; tests add
                  their own with ``origin.add_route(prefix, handler)``, each on
                  a path of its own, and count requests per route)
  cache_dir       an empty temp directory (removed after the test)
  redis_server    session-wide: ``redis://127.0.0.1:PORT/0`` of a redis-server
                  started here (loopback, no persistence, temp dir); skipped only
                  when the binary or the ``redis`` module is missing
  redis_client    a redis-py client on that server, database flushed first
"""
from __future__ import absolute_import, division, print_function

import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

import servers
from nginx import free_port

REDIS_START_TIMEOUT = 10.0
REDIS_STOP_TIMEOUT = 5.0


@pytest.fixture(scope="module")
def origin():
    server = servers.HTTPTestServer().start()
    yield server
    server.stop()


@pytest.fixture
def cache_dir():
    path = tempfile.mkdtemp(prefix="httpkit-cache-test-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


# --------------------------------------------------------------------------- redis
def find_redis_server():
    for directory in ["/usr/bin", "/usr/local/bin"] + os.environ.get("PATH", "").split(os.pathsep):
        path = os.path.join(directory, "redis-server")
        if directory and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def _ping(port):
    """True when a Redis server on ``port`` answers PING (raw RESP, bounded)."""
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=1)
    except EnvironmentError:
        return False
    try:
        sock.sendall(b"*1\r\n$4\r\nPING\r\n")
        return sock.recv(64).startswith(b"+PONG")
    except EnvironmentError:
        return False
    finally:
        sock.close()


class RedisProcess(object):
    """One redis-server on a free loopback port, data in a temp dir, nothing persisted."""

    def __init__(self, binary):
        self.binary = binary
        self.dir = tempfile.mkdtemp(prefix="httpkit-redis-")
        self.port = self.proc = None

    @property
    def url(self):
        return "redis://127.0.0.1:%d/0" % self.port

    def start(self, attempts=3):
        for _ in range(attempts):  # the free port may be taken before redis binds it
            if self._launch():
                return self
        raise RuntimeError("redis-server did not start:\n" + self.log())

    def _launch(self):
        self.port = free_port()
        log = open(os.path.join(self.dir, "redis.log"), "wb")
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.dir, "--daemonize", "no"],
            stdin=subprocess.PIPE, stdout=log, stderr=log)
        log.close()
        deadline = time.time() + REDIS_START_TIMEOUT
        while time.time() < deadline and self.proc.poll() is None:
            if _ping(self.port):
                return True
            time.sleep(0.05)
        self.stop()
        return False

    def log(self):
        try:
            with open(os.path.join(self.dir, "redis.log"), "rb") as f:
                return f.read().decode("utf-8", "replace")
        except EnvironmentError:
            return ""

    def stop(self):
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            deadline = time.time() + REDIS_STOP_TIMEOUT
            while proc.poll() is None and time.time() < deadline:
                time.sleep(0.05)
            if proc.poll() is None:
                proc.kill()
        proc.wait()
        if proc.stdin is not None:
            proc.stdin.close()

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_server():
    binary = find_redis_server()
    if binary is None:
        pytest.skip("redis-server is not installed (tools/services.sh installs it)")
    try:
        import redis  # noqa: F401
    except ImportError:
        pytest.skip("the redis module is not installed (pip install 'httpkit[redis]')")
    server = started_redis(binary)
    yield server.url
    server.close()


def started_redis(binary):
    """A RedisProcess of ``binary``, started (the test fails, saying why, if it cannot)."""
    server = RedisProcess(binary)
    try:
        server.start()
    except RuntimeError as exc:
        server.close()
        pytest.fail(str(exc), pytrace=False)
    return server


@pytest.fixture
def redis_client(redis_server):
    import redis
    client = redis.Redis.from_url(redis_server)
    client.flushdb()
    yield client
    client.flushdb()
    close = getattr(client, "close", None)
    if close is not None:
        close()
