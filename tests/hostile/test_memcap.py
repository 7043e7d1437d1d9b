"""Risky hostile cases in a child process under a memory cap (RLIMIT_AS), per front-end.

The peers run here, in the parent (``servers.ScriptedServer`` threads on
loopback); ``memcap_child.py`` makes the requests after capping its own
address space at its measured baseline plus :data:`HEADROOM`. Each case
then has ONE outcome, asserted here from the child's JSON lines:

- endless bodies (chunked, close-delimited, over TLS too), endless headers,
  endless trailers and gzip bombs end with their httpkit error: memory was
  never needed beyond the limits (an unbounded read would hit the cap and
  raise MemoryError instead, or the child would die);
- streamed reads (``stream=True`` + iter_content / aiter_content / collect)
  of :data:`STREAMED` bytes, 4x the headroom, complete: streaming memory
  does not grow with the body;
- the control case reads the same body into memory with no body limit:
  it MUST fail with MemoryError, which proves the cap is tight enough to
  catch an unbounded read (asyncio's and Twisted's transports catch the
  failed allocation in their own recv: a ConnectionError naming MemoryError).

The child runs with ``MALLOC_ARENA_MAX=2`` (glibc otherwise reserves 64 MiB
of address space per thread arena, which RLIMIT_AS counts) and is killed if
it overstays :data:`CHILD_TIMEOUT`. Runs on 2.7 (sync, Twisted) and 3.x
(sync, asyncio, Twisted). Linux only (/proc, RLIMIT_AS).
"""
from __future__ import absolute_import, division, print_function

import gzip
import io
import json
import os
import subprocess
import sys
import threading
import time

import pytest

from servers import CA_BUNDLE, ScriptedServer, endless

HERE = os.path.dirname(os.path.abspath(__file__))
CHILD = os.path.join(HERE, "memcap_child.py")
MiB = 1024 * 1024
#: Address space the child may add to its baseline (after one request) for all cases.
HEADROOM = 128 * MiB
#: The body limit of the buffered cases: far below the headroom.
BODY_LIMIT = 16 * MiB
#: What the streamed cases read: 4x the headroom.
STREAMED = 512 * MiB
#: The child is killed after this long (every case is bounded well inside it).
CHILD_TIMEOUT = 300.0
#: An endless peer stops on its own after this long.
ENDLESS_FOR = 60.0

FRONTENDS = ["sync", "twisted"] + (["asyncio"] if sys.version_info[0] >= 3 else [])

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="RLIMIT_AS and /proc/self/status are Linux's")

OK_HEAD = b"HTTP/1.1 200 OK\r\n"
CHUNKED_HEAD = OK_HEAD + b"Transfer-Encoding: chunked\r\n\r\n"
GOOD = OK_HEAD + b"Content-Length: 4\r\n\r\ngood"


# --------------------------------------------------------------------------- peers


def _endless(piece):
    """A script step sending ``piece`` until the client goes away (at most ENDLESS_FOR s)."""
    return endless(piece, ENDLESS_FOR)


def _repeat(piece, times):
    """A script step sending ``piece`` ``times`` times."""
    def step(ctx):
        for _ in range(times):
            ctx.sock.sendall(piece)
    return step


def _gzipped(data):
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb") as f:
        f.write(data)
    return out.getvalue()


def _gzip_head(length, coding=b"gzip"):
    return (OK_HEAD + b"Content-Encoding: " + coding + b"\r\nContent-Length: %d\r\n\r\n"
            % length)


def _cases(start):
    """[(case spec, expected error class name or None, expected bytes or None)]."""
    member = _gzipped(b"\0" * (64 * MiB))  # ~64 KiB on the wire
    bomb = member * 16                      # 1 GiB decoded
    streamed_bomb = member * (STREAMED // (64 * MiB))
    nested = _gzipped(streamed_bomb)        # Content-Encoding: gzip, gzip; a few KiB
    block = b"x" * (64 * 1024)
    chunk = b"10000\r\n" + block + b"\r\n"
    limited = {"max_body_size": BODY_LIMIT}
    no_ratio = {"max_body_size": BODY_LIMIT, "max_decompression_ratio": 10 ** 9}
    blocks = STREAMED // len(block)
    table = [
        ("endless_chunked_body", [CHUNKED_HEAD, _endless(chunk * 4)], False, limited,
         "ResponseTooLarge", None),
        ("endless_close_delimited_body", [OK_HEAD + b"Connection: close\r\n\r\n",
                                          _endless(block)], False, limited,
         "ResponseTooLarge", None),
        ("endless_chunked_body_tls", [CHUNKED_HEAD, _endless(chunk * 4)], False,
         dict(limited, tls=True), "ResponseTooLarge", None),
        ("endless_header_line", [OK_HEAD + b"X-Endless: ", _endless(b"a" * 4096)], False, {},
         "RemoteProtocolError", None),
        ("endless_header_fields", [OK_HEAD, _endless(b"X-More: 1\r\n" * 100)], False, {},
         "RemoteProtocolError", None),
        ("endless_trailers", [CHUNKED_HEAD + b"1\r\na\r\n0\r\n", _endless(b"X-T: 1\r\n" * 100)],
         False, {}, "InvalidBodyFraming", None),
        ("gzip_bomb", [_gzip_head(len(bomb)) + bomb], False, {}, "DecompressionBombError", None),
        ("gzip_bomb_without_ratio_limit", [_gzip_head(len(bomb)) + bomb], False, no_ratio,
         "ResponseTooLarge", None),
        ("streamed_chunked_body", [CHUNKED_HEAD, _repeat(chunk, blocks), b"0\r\n\r\n"], True, {},
         None, STREAMED),
        ("streamed_close_delimited_body", [OK_HEAD + b"Connection: close\r\n\r\n",
                                           _repeat(block, blocks)], True, {}, None, STREAMED),
        # Streamed with the ratio limit off: decoded piece by piece, however much one
        # network read inflates to.
        ("streamed_gzip_bomb", [_gzip_head(len(streamed_bomb)) + streamed_bomb], True,
         {"max_decompression_ratio": 10 ** 9}, None, STREAMED),
        ("streamed_nested_gzip_bomb", [_gzip_head(len(nested), b"gzip, gzip") + nested], True,
         {"max_decompression_ratio": 10 ** 9}, None, STREAMED),
        ("streamed_gzip_bomb_default_limits", [_gzip_head(len(streamed_bomb)) + streamed_bomb],
         True, {}, "DecompressionBombError", None),
        # The control: the same body into memory, no limit. It must hit the cap.
        ("control_unbounded_read", [OK_HEAD + b"Connection: close\r\n\r\n",
                                    _repeat(block, blocks)], False,
         {"max_body_size": None}, "MemoryError", None),
    ]
    out = []
    for name, script, stream, session, error, nbytes in table:
        session = dict(session)
        tls = session.pop("tls", False)
        server = start(script, tls)
        spec = {"name": name, "url": server.url + "/" + name, "stream": stream,
                "session": session}
        if tls:
            spec["verify"] = CA_BUNDLE
        out.append((spec, error, nbytes))
    return out


@pytest.fixture
def peers():
    started = []

    def start(script, tls=False):
        server = ScriptedServer(script, tls=tls).start()
        started.append(server)
        return server
    yield start
    for server in started:
        server.stop()


# --------------------------------------------------------------------------- child
def _run_child(frontend, spec):
    """Run the child; return (exit status, stdout lines, stderr). Killed past CHILD_TIMEOUT."""
    env = dict(os.environ, MALLOC_ARENA_MAX="2", PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.Popen([sys.executable, CHILD, frontend, json.dumps(spec)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    killer = threading.Timer(CHILD_TIMEOUT, proc.kill)
    killer.start()
    try:
        out, err = proc.communicate()
    finally:
        killer.cancel()
    lines = [json.loads(line) for line in out.decode("utf-8").splitlines() if line.strip()]
    return proc.returncode, lines, err.decode("utf-8", "replace")


@pytest.mark.parametrize("frontend", FRONTENDS)
def test_risky_cases_stay_under_the_memory_cap(frontend, peers):
    warmup = peers([GOOD])
    cases = _cases(peers)
    spec = {"headroom": HEADROOM, "warmup": warmup.url + "/warmup",
            "cases": [c[0] for c in cases]}
    started = time.time()
    status, lines, err = _run_child(frontend, spec)
    assert time.time() - started < CHILD_TIMEOUT, "the child was killed: %s" % err[-2000:]
    assert lines and "baseline" in lines[0], (status, err[-2000:])
    head, results = lines[0], dict((line["case"], line) for line in lines[1:])
    assert head["cap"] == head["baseline"] + HEADROOM
    print("%s: baseline VmSize %.0f MiB, cap %.0f MiB" % (frontend, head["baseline"] / MiB,
                                                          head["cap"] / MiB))
    for spec_, error, nbytes in cases:
        name = spec_["name"]
        assert name in results, "no outcome for %s (exit %s): %s" % (name, status, err[-2000:])
        got = results[name]
        if error == "MemoryError" and got["error"] == "ConnectionError":
            # asyncio's and Twisted's transports catch a failed allocation in their own
            # recv and report the connection lost: the driver names it.
            assert "MemoryError" in got["message"], (name, got)
        else:
            assert got["error"] == error, (name, got)
        if nbytes is not None:
            assert got["bytes"] == nbytes, (name, got)
        if error not in (None, "MemoryError") and not spec_["stream"]:
            assert got["bytes"] == 0, (name, got)  # no partial body passed as a result
        assert got["vm_peak"] <= head["cap"], (name, got)
    assert status == 0, err[-2000:]
