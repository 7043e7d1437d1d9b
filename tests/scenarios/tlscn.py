"""Scenarios: TLS refusals named (issue 11), through every front-end and TLS backend.

- A certificate without subjectAltName is refused even when its Common Name
  is the host (RFC 6125 section 6.4.4): ``SSLError``, reason
  ``hostname_mismatch``, the message naming subjectAltName. A certificate
  whose subjectAltName lists the host still works.
- A server that answers the TLS ClientHello in plain text (an http:// port)
  is ``SSLError`` with reason ``not_tls``, showing what it sent; never a
  "wrong version number" that looks like a TLS version problem.

Expired, self-signed, unknown-CA and wrong-host certificates are in
corpus.py (``tls_bad_certificates``). Registered by the import at the bottom
of corpus.py. 2.7-compatible syntax.
"""
from __future__ import absolute_import, division, print_function

import httpkit
from scenarios.corpus import ok, raised, scenario

__all__ = []

_PLAIN_REPLY = (b"HTTP/1.1 400 Bad Request\r\nContent-Length: 11\r\nConnection: close\r\n\r\n"
                b"Bad Request")


@scenario
def tls_cn_only_certificate_refused(adapter, servers):
    cn_only = servers.http_server(tls=True, certfile=servers.cert("cn-only.pem"),
                                  keyfile=servers.cert("cn-only.key"))
    for backend in httpkit.tls.available_backends():
        with adapter.session(tls_backend=backend, verify=servers.ca_bundle) as s:
            res = s.request("GET", cn_only.base_url("/get", host="localhost"))
            raised(res, "SSLError")
            assert res.error_reason == "hostname_mismatch", (backend, res.error_message)
            assert "subjectAltName" in res.error_message, (backend, res.error_message)
            # the same CA, the same Common Name, with subjectAltName: accepted
            ok(s.request("GET", servers.https.base_url("/get", host="localhost")))
        with adapter.session(tls_backend=backend, verify=False) as s:
            ok(s.request("GET", cn_only.base_url("/get", host="localhost")))
    assert len(cn_only.requests) == len(httpkit.tls.available_backends())


@scenario
def tls_plaintext_reply_to_client_hello(adapter, servers):
    # Answer whatever arrives with plain HTTP, then drain the ClientHello until
    # the client closes (closing with it unread would reset the connection).
    plain = servers.scripted([_PLAIN_REPLY, ("half_close",), ("wait_close",)], read_first=False)
    for backend in httpkit.tls.available_backends():
        with adapter.session(tls_backend=backend, verify=servers.ca_bundle) as s:
            res = s.request("GET", "https://127.0.0.1:%d/get" % plain.port, timeout=10)
        raised(res, "SSLError")
        assert res.error_reason == "not_tls", (backend, res.error_reason, res.error_message)
        assert "HTTP/1.1 400 Bad Request" in res.error_message, (backend, res.error_message)
    assert plain.connections == len(httpkit.tls.available_backends())
