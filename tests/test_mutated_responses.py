"""Mutated responses from a raw peer on loopback (a seeded, bounded fuzz).

Whatever bytes a server sends, a call gives a Response or raises an httpkit
error (``httpkit.RequestException``), within its timeout: never another
exception, never a hang. Each case takes a valid response (framing, gzip,
redirects, cookies, a Digest challenge, 1xx) and cuts, flips or inserts
bytes and tokens that parsers get wrong.
"""
from __future__ import absolute_import, division, print_function

import collections
import random

import httpkit
from httpkit.auth import DigestAuth

CASES = 300
SEED = 20261128

VALID = [
    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 25\r\n\r\n"
    b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xcbH\xcd\xc9\xc9\x07\x00\x86\xa6\x106\x05\x00"
    b"\x00\x00",
    b"HTTP/1.1 302 Found\r\nLocation: /next\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.0 200 OK\r\n\r\nbody until close",
    b"HTTP/1.1 200 OK\r\nSet-Cookie: a=b; Path=/; Max-Age=10\r\n"
    b"Content-Type: application/json; charset=utf-8\r\nContent-Length: 8\r\n\r\n{\"a\": 1}",
    b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"r\", nonce=\"n\", "
    b"qop=\"auth\"\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
]
TOKENS = [
    b"\r\n", b"\n", b"\r", b"\x00", b":", b" ", b"-1", b"99999999999999999999", b"chunked",
    b"Content-Length: 3\r\n", b"Transfer-Encoding: chunked\r\n", b"\xff\xfe", b"0\r\n\r\n",
    b"Location: http://[::1\r\n", b"Location: //\r\n", b"Location: \xff\r\n",
    b"Content-Encoding: gzip, deflate\r\n", b"Content-Encoding: br\r\n", b"HTTP/1.1 ",
    b"Content-Type: text/plain; charset=bogus\r\n", b"Set-Cookie: =;;;\r\n",
    b"WWW-Authenticate: Digest\r\n", b"Link: <>;;\r\n",
]


def mutate(rng, data):
    """Return ``data`` with one to four random cuts, insertions or flipped bytes."""
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op, pos = rng.randint(0, 4), rng.randint(0, len(data))
        if op == 0:
            del data[pos:pos + rng.randint(1, 8)]
        elif op == 1:
            data[pos:pos] = rng.choice(TOKENS)
        elif op == 2 and data:
            data[rng.randrange(len(data))] = rng.randrange(256)
        elif op == 3:
            del data[pos:]
        else:
            data[pos:pos] = bytearray(rng.randrange(256) for _ in range(rng.randint(1, 5)))
    return bytes(data)


def use(response):
    """Touch everything a caller reads from a response."""
    response.content, response.text, response.links, response.cookies
    list(response.headers.items())
    try:
        response.json()
    except httpkit.JSONDecodeError:
        pass


def test_mutated_responses_give_a_response_or_an_httpkit_error(scripted_server):
    rng = random.Random(SEED)
    current = [b""]
    server = scripted_server([lambda ctx: current[0], ("sleep", 0.01)])
    outcomes = collections.Counter()
    with httpkit.Session(timeout=2) as s:
        for _ in range(CASES):
            current[0] = mutate(rng, rng.choice(VALID))
            auth = DigestAuth("user", "pass") if rng.random() < 0.2 else None
            try:
                use(s.get(server.base_url("/case"), auth=auth, stream=rng.random() < 0.3))
                outcomes["response"] += 1
            except httpkit.RequestException as exc:
                assert str(exc), "an error without a message: %r" % (exc,)
                outcomes[type(exc).__name__] += 1
    # Both kinds of outcome happened (the mutations neither all break nor all pass).
    assert outcomes["response"] > CASES // 10, outcomes
    assert sum(outcomes.values()) - outcomes["response"] > CASES // 10, outcomes
