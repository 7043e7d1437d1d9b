"""A new HTTPS connection resumes the Session's last TLS session with that host.

Each GET asks the test server (Python's ``ssl``: TLS 1.3 tickets) to close the
connection, so every request makes a new one. Where a backend cannot hand a
session on (Python 2.7: its ``ssl`` has no session API and its cryptography
bindings cannot copy one for pyOpenSSL), every connection is a full handshake
and works the same.
"""
from __future__ import absolute_import, division, print_function

import ssl
import warnings

import pytest

import httpkit
from httpkit import tls

CLOSE = {"Connection": "close"}


def _can_resume(backend):
    """True, False, or None: it depends on when the closed connection is freed.

    (pyOpenSSL without cryptography's d2i_SSL_SESSION, on 2.7, hands out the
    connection's own session: OpenSSL marks it not resumable once that
    connection is freed without a TLS shutdown, and a cycle can delay that.)
    """
    if backend == "openssl":
        from OpenSSL._util import lib
        return True if hasattr(lib, "d2i_SSL_SESSION") else None
    return hasattr(ssl, "SSLSession")  # stdlib (3.x only) and socketpair


BACKENDS = [(name, _can_resume(name)) for name in tls.available_backends()]


def _reused(session, url, **kwargs):
    r = session.get(url, headers=CLOSE, **kwargs)
    assert r.status_code == 200 and r.content
    return r.connection.layers[-1].session_reused


def _matches(reused, resumes):
    return reused is resumes if resumes is not None else reused in (True, False)


@pytest.mark.parametrize("backend,resumes", BACKENDS, ids=[name for name, _ in BACKENDS])
def test_the_next_connection_resumes_with_the_same_host_only(https_server, ca_bundle,
                                                             backend, resumes):
    url = https_server.url + "/get"
    with httpkit.Session(verify=ca_bundle, tls_backend=backend) as s:
        assert _reused(s, url) is False     # the first: a full handshake
        assert _matches(_reused(s, url), resumes)  # the Session kept its session
        assert _matches(_reused(s, url), resumes)
        other = url.replace("127.0.0.1", "localhost")
        assert _reused(s, other) is False   # a session is never offered to another host
    with httpkit.Session(verify=ca_bundle, tls_backend=backend) as s:
        assert _reused(s, url) is False     # nor to another Session


@pytest.mark.parametrize("backend,resumes", BACKENDS, ids=[name for name, _ in BACKENDS])
def test_other_trust_settings_get_their_own_session(https_server, ca_bundle, backend, resumes):
    url = https_server.url + "/get"
    with httpkit.Session(verify=ca_bundle, tls_backend=backend) as s:
        assert _reused(s, url) is False
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (InsecureRequestWarning)
            assert _reused(s, url, verify=False) is False  # another context: not offered
        assert _matches(_reused(s, url), resumes)


@pytest.fixture
def ticketless_server():
    """A TLS server that gives no session to resume (no tickets, no session cache)."""
    import servers
    ctx = servers.server_ssl_context()
    ctx.options |= getattr(ssl, "OP_NO_TICKET", 0)
    if hasattr(ctx, "num_tickets"):
        ctx.num_tickets = 0  # TLS 1.3
    server = servers.HTTPTestServer(ssl_context=ctx).start()
    yield server
    server.stop()


def _counting_session_reads(monkeypatch, session, url):
    """Make one GET, then count how often its TLS buffer class's ``session`` is read."""
    assert _reused(session, url) is False
    cls = type(session.get(url, headers=CLOSE).connection.layers[-1])
    reads = []
    prop = cls.session

    def counted(buf):
        reads.append(1)
        return prop.fget(buf)
    monkeypatch.setattr(cls, "session", property(counted))
    return reads


@pytest.mark.parametrize("backend,resumes", BACKENDS, ids=[name for name, _ in BACKENDS])
def test_a_server_that_does_not_resume_costs_a_session_only_now_and_then(
        ticketless_server, ca_bundle, monkeypatch, backend, resumes):
    """Taking and offering a session cost ~0.25 ms each: after a miss, new connections rest."""
    url = ticketless_server.url + "/get"
    with httpkit.Session(verify=ca_bundle, tls_backend=backend) as s:
        reads = _counting_session_reads(monkeypatch, s, url)
        outcomes = [_reused(s, url) for _ in range(40)]
        assert outcomes == [False] * 40
        # Rests of 4, 8, 16... connections: a handful of tries in 40, never none.
        assert 2 <= len(reads) <= 6, len(reads)


@pytest.mark.parametrize("backend,resumes", BACKENDS, ids=[name for name, _ in BACKENDS])
def test_a_server_that_resumes_is_offered_a_session_every_time(https_server, ca_bundle,
                                                               monkeypatch, backend, resumes):
    url = https_server.url + "/get"
    with httpkit.Session(verify=ca_bundle, tls_backend=backend) as s:
        reads = _counting_session_reads(monkeypatch, s, url)
        outcomes = [_reused(s, url) for _ in range(12)]
    if resumes:
        assert outcomes == [True] * 12
        assert len(reads) == 12  # each resumed connection's fresh session is kept
    elif resumes is False:  # a backend with nothing to hand on rests like a refusing server
        assert outcomes == [False] * 12
        assert 1 <= len(reads) <= 3, len(reads)
    else:
        assert len(reads) <= 12
