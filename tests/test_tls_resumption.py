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
