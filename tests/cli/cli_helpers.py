"""Run ``python -m httpkit`` as a child process, every wait bounded; 2.7 and 3.x.

``run(args)`` returns a Result (code, out, err) with stderr a pipe; ``run_in_pty(args)``
gives the child a pseudo-terminal as stderr and returns (code, out, terminal_output).
The child imports the httpkit of this worktree (PYTHONPATH) and gets its own cache
directory (XDG_CACHE_HOME) and no proxies.
"""
from __future__ import absolute_import, division, print_function

import collections
import errno
import os
import select
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CA = os.path.join(ROOT, "tests", "certs", "ca.pem")
LIMIT = 60.0  # seconds any child may take before it is killed and the test fails

Result = collections.namedtuple("Result", "code out err")


def child_env(cache_home):
    env = dict(os.environ)
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY",
                 "ALL_PROXY"):
        env.pop(name, None)
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env["PYTHONPATH"] = ROOT
    env["XDG_CACHE_HOME"] = str(cache_home)
    return env


def command(args):
    return [sys.executable, "-m", "httpkit"] + [str(a) for a in args]


class Watchdog(object):
    """Kill ``proc`` after LIMIT seconds; ``fired`` tells the test it happened."""

    def __init__(self, proc, limit=LIMIT):
        self.fired = False
        self.proc = proc
        self.timer = threading.Timer(limit, self._kill)
        self.timer.daemon = True
        self.timer.start()

    def _kill(self):
        self.fired = True
        try:
            self.proc.kill()
        except OSError:
            pass

    def cancel(self):
        self.timer.cancel()
        assert not self.fired, "python -m httpkit did not finish in %s s" % LIMIT


def run(args, cache_home, cwd=ROOT):
    """Run the CLI with ``args``; return Result(code, stdout bytes, stderr text)."""
    proc = subprocess.Popen(command(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.PIPE, env=child_env(cache_home), cwd=cwd)
    dog = Watchdog(proc)
    try:
        out, err = proc.communicate(b"")
    finally:
        dog.cancel()
    return Result(proc.returncode, out, err.decode("utf-8", "replace"))


def _read_terminal(master, deadline):
    chunks = []
    while time.time() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if not ready:
            continue
        try:
            data = os.read(master, 4096)
        except OSError as exc:  # EIO: every writer closed the terminal (Linux)
            if exc.errno == errno.EIO:
                break
            raise
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks)


def run_in_pty(args, cache_home, env=None):
    """Run the CLI with a pseudo-terminal as stderr; return Result(code, out, terminal).

    ``env``: variables to add to the child's environment (``HTTPKIT_NO_RICH``...).
    """
    import pty
    master, slave = pty.openpty()
    child = child_env(cache_home)
    child.update(env or {})
    try:
        proc = subprocess.Popen(command(args), stdout=subprocess.PIPE, stderr=slave,
                                stdin=subprocess.PIPE, env=child, cwd=ROOT)
        os.close(slave)
        slave = None
        dog = Watchdog(proc)
        try:
            proc.stdin.close()
            terminal = _read_terminal(master, time.time() + LIMIT)
            out = proc.stdout.read()
            proc.stdout.close()
            proc.wait()
        finally:
            dog.cancel()
    finally:
        os.close(master)
        if slave is not None:
            os.close(slave)
    return Result(proc.returncode, out, terminal.decode("utf-8", "replace"))


def free_port():
    """A loopback port nothing listens on (bound, then released)."""
    sock = socket.socket()
    try:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
    finally:
        sock.close()


def one_error_line(result):
    """Assert stderr is exactly one ``httpkit: error:`` line, and return it."""
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("httpkit: error: "), result.err
    assert "Traceback" not in result.err
    return lines[0]
