"""Scenarios: the errors requests users catch (issue 10), through every front-end.

- Every httpkit error a request raises carries ``.request``: the request of
  the hop that failed (redirect hops included).
- TLS configuration mistakes are ``SSLError`` naming the file and the mistake.
- A proxy that cannot be reached is a ``ProxyError`` naming the proxy; a
  malformed proxy URL is ``InvalidProxyURL``.
- ``timeout=`` values are checked at the call (and at Session construction).
- A server that requires a client certificate says ``certificate_required``.

Registered by the import at the bottom of corpus.py. 2.7-compatible syntax.
"""
from __future__ import absolute_import, division, print_function

import os
import socket
import ssl

import httpkit
from scenarios.corpus import ok, raised, redirect_to, scenario

__all__ = []


def _free_port():
    """A loopback port nobody listens on (connections are refused)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def _names_request(res, method, url):
    assert res.error_request == (method, url), (res.error_request, res)


# --------------------------------------------------------------------------- .request
@scenario
def errors_carry_their_request(adapter, servers):
    http = servers.http
    refused = "http://127.0.0.1:%d/nothing" % _free_port()
    res = adapter.request("GET", refused, timeout=5)
    raised(res, "ConnectionError")
    _names_request(res, "GET", refused)
    url = http.base_url("/delay/3")
    res = adapter.request("GET", url, timeout=(5, 0.3))
    raised(res, "ReadTimeout")
    _names_request(res, "GET", url)
    server = servers.scripted([b"NOT HTTP AT ALL\r\n\r\n"])
    res = adapter.request("POST", server.url + "/p", data=b"x", timeout=5)
    raised(res, "RemoteProtocolError")
    _names_request(res, "POST", server.url + "/p")
    server = servers.scripted([b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", ("close",)])
    res = adapter.request("GET", server.url + "/short", timeout=5)
    raised(res, "IncompleteRead")
    _names_request(res, "GET", server.url + "/short")
    res = adapter.stream_chunks("GET", server.url + "/short", chunk_size=2, timeout=5)
    raised(res, "IncompleteRead")
    _names_request(res, "GET", server.url + "/short")
    res = adapter.request("GET", servers.https.base_url("/get"), timeout=5)  # certifi: unknown CA
    raised(res, "SSLError")
    _names_request(res, "GET", servers.https.base_url("/get"))
    # A redirect whose next hop fails: the error names that hop, not the first request.
    res = adapter.request("GET", redirect_to(http, refused), timeout=5)
    raised(res, "ConnectionError")
    _names_request(res, "GET", refused)
    res = adapter.request("GET", http.base_url("/get"), proxies={"http": "ftp://h:1"})
    raised(res, "InvalidProxyURL")
    _names_request(res, "GET", http.base_url("/get"))
    with adapter.session() as s:
        res = s.request("GET", http.base_url("/drip?numbytes=20&duration=4"),
                        timeout=httpkit.Timeouts(5, total=0.5))
        raised(res, "DeadlineExceeded")
        _names_request(res, "GET", http.base_url("/drip?numbytes=20&duration=4"))


# --------------------------------------------------------------------------- TLS files
def _tls_mistake(adapter, servers, fragments, **kwargs):
    kwargs.setdefault("verify", servers.ca_bundle)
    url = servers.https.base_url("/get")
    res = adapter.request("GET", url, timeout=5, **kwargs)
    raised(res, "SSLError")
    assert res.is_error("RequestException") and res.is_error("ConnectionError"), res
    assert res.error_reason == "configuration", (res.error_reason, res)
    for fragment in fragments:
        assert fragment in res.error_message, (fragment, res.error_message)
    _names_request(res, "GET", url)
    return res


@scenario
def tls_configuration_mistakes(adapter, servers):
    cert = servers.cert
    missing = os.path.join(servers.tmpdir(), "missing.pem")
    _tls_mistake(adapter, servers, [missing, "CA certificate bundle", "invalid path"],
                 verify=missing)
    _tls_mistake(adapter, servers, [cert("ca.key"), "is a private key"], verify=cert("ca.key"))
    junk = servers.write_file("junk.pem", b"not a certificate\n")
    _tls_mistake(adapter, servers, [junk, "holds no PEM certificate"], verify=junk)
    _tls_mistake(adapter, servers, [missing, "TLS certificate file", "invalid path"],
                 cert=(missing, cert("client.key")))
    _tls_mistake(adapter, servers, [missing, "TLS key file", "invalid path"],
                 cert=(cert("client.pem"), missing))
    _tls_mistake(adapter, servers, [missing, "TLS certificate file"], cert=missing)
    _tls_mistake(adapter, servers, [servers.certs_dir, "is a directory"],
                 cert=(servers.certs_dir, cert("client.key")))
    _tls_mistake(adapter, servers, [cert("client.key"), "is a private key, not a certificate"],
                 cert=(cert("client.key"), cert("client.pem")))
    _tls_mistake(adapter, servers, [cert("client.pem"), "no private key"], cert=cert("client.pem"))
    _tls_mistake(adapter, servers, ["cert must be a path"], cert=("a", "b", "c", "d"))
    # What only the TLS backend can tell, told the same way by every backend.
    from httpkit import tls
    for backend in tls.available_backends():
        with adapter.session(tls_backend=backend) as s:
            res = s.request("GET", servers.https.base_url("/get"), verify=servers.ca_bundle,
                            cert=(cert("client.pem"), cert("server.key")), timeout=5)
        raised(res, "SSLError", "does not match the certificate")
        assert cert("server.key") in res.error_message and res.error_reason == "configuration"
        with adapter.session(tls_backend=backend) as s:
            res = s.request("GET", servers.https.base_url("/get"), verify=servers.ca_bundle,
                            cert=(cert("client-encrypted.pem"), cert("client-encrypted.key")),
                            timeout=5)
        raised(res, "SSLError", "the key is encrypted")
        assert cert("client-encrypted.key") in res.error_message, res


@scenario
def client_certificate_required(adapter, servers):
    """No client certificate for a server that requires one: certificate_required, every time.

    Under TLS 1.3 the alert comes after the client finished its handshake, and
    often meets the request on the wire (a reset): several tries, so both the
    read and the reset path are taken.
    """
    import servers as peers
    ctx = peers.server_ssl_context(client_cafile=servers.ca_bundle)
    ctx.verify_mode = ssl.CERT_REQUIRED
    server = servers.http_server(ssl_context=ctx)
    with adapter.session(verify=servers.ca_bundle) as s:
        for _ in range(6):
            res = s.request("GET", server.base_url("/get"), timeout=5)
            raised(res, "SSLError", "certificate")
            assert res.error_reason == "certificate_required", (res.error_reason, res)
        cert = (servers.cert("client.pem"), servers.cert("client.key"))
        ok(s.request("GET", server.base_url("/get"), cert=cert, timeout=5))
    # TLS 1.2 servers answer with a generic handshake_failure: the message gives the hint.
    ctx = peers.server_ssl_context(client_cafile=servers.ca_bundle)
    ctx.verify_mode = ssl.CERT_REQUIRED
    if hasattr(ssl, "TLSVersion"):
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    else:  # 2.7
        ctx.options |= getattr(ssl, "OP_NO_TLSv1_3", 0)
    server = servers.http_server(ssl_context=ctx)
    res = adapter.request("GET", server.base_url("/get"), verify=servers.ca_bundle, timeout=5)
    raised(res, "SSLError", "if the server requires a client certificate, pass cert=")


# --------------------------------------------------------------------------- proxies
@scenario
def proxy_unreachable_is_proxy_error(adapter, servers):
    http = servers.http
    port = _free_port()
    for target in (http.base_url("/get"), servers.https.base_url("/get")):
        res = adapter.request("GET", target, timeout=5, verify=servers.ca_bundle,
                              proxies={"all": "http://user:s3cret@127.0.0.1:%d" % port})
        raised(res, "ProxyError", "proxy http://127.0.0.1:%d" % port)
        assert "s3cret" not in res.error_message and "user" not in res.error_message, res
        assert res.is_error("ConnectionError") and not res.is_error("Timeout"), res
        _names_request(res, "GET", target)
    host, bport = servers.blackhole()
    res = adapter.request("GET", http.base_url("/get"), timeout=(0.3, 5),
                          proxies={"http": "http://%s:%d" % (host, bport)})
    raised(res, "ProxyError", "proxy http://%s:%d" % (host, bport))
    assert res.is_error("ConnectTimeout") and res.is_error("Timeout"), res
    # The same proxy, up: the request goes through.
    ok(adapter.request("GET", http.base_url("/get"), proxies={"http": servers.proxy.url}))


@scenario
def proxy_url_mistakes(adapter, servers):
    url = servers.http.base_url("/get")
    for bad, fragment in [("http:/badproxy:3128", "'//'"), ("https:/p.example:1", "'//'"),
                          ("http:/user:pw@p:1", "'//'"), ("http://", "no host"),
                          ("http://:3128", "no host"), (123, "not 123"),
                          (b"ftp://p:1", "ftp")]:
        res = adapter.request("GET", url, proxies={"http": bad}, timeout=5)
        raised(res, "InvalidProxyURL", fragment)
        assert res.is_error("InvalidURL") and res.is_error("ValueError"), res
        assert "pw" not in res.error_message, res
    res = adapter.request("GET", url, proxies=["http://p:1"], timeout=5)
    raised(res, "InvalidProxyURL", "must be a dict")
    assert servers.http.requests == []  # nothing was sent anywhere


# --------------------------------------------------------------------------- timeouts
_BAD_TIMEOUTS = [(0, "0"), (-1, "-1"), ("5", "'5'"), ((1, 2, 3), "(1, 2, 3)"), ((1,), "(1,)"),
                 (True, "True"), ((5, "x"), "'x'"), ((0, 5), "0"), (float("nan"), "nan"),
                 ([1, 2], "[1, 2]")]


@scenario
def timeout_values_checked_up_front(adapter, servers):
    url = servers.http.base_url("/get")
    for bad, shown in _BAD_TIMEOUTS:
        res = adapter.request("GET", url, timeout=bad)
        raised(res, "InvalidTimeout", shown)
        assert res.is_error("ValueError") and res.is_error("TypeError"), res
    assert servers.http.requests == []
    with adapter.session() as s:
        raised(s.request("GET", url, timeout=0), "InvalidTimeout", "positive")
    for bad, shown in _BAD_TIMEOUTS[:3]:
        try:
            with adapter.session(timeout=bad):
                pass
        except httpkit.InvalidTimeout as exc:
            assert shown in str(exc), exc
        else:
            raise AssertionError("Session(timeout=%r) was accepted" % (bad,))
    for good in (5, 2.5, None, (3, None), (None, 4), httpkit.Timeouts(5, total=10)):
        ok(adapter.request("GET", url, timeout=good))


@scenario
def urllib3_timeout_accepted(adapter, servers):
    from urllib3.util import Timeout as Urllib3Timeout
    http = servers.http
    ok(adapter.request("GET", http.base_url("/get"), timeout=Urllib3Timeout(connect=5, read=5)))
    res = adapter.request("GET", http.base_url("/delay/3"),
                          timeout=Urllib3Timeout(connect=5, read=0.3))
    raised(res, "ReadTimeout")
    res = adapter.request("GET", http.base_url("/delay/3"), timeout=Urllib3Timeout(total=0.5))
    assert res.is_error("Timeout"), res  # total caps the read (and is the deadline)
    host, port = servers.blackhole()
    res = adapter.request("GET", "http://%s:%d/" % (host, port),
                          timeout=Urllib3Timeout(connect=0.3, read=5))
    raised(res, "ConnectTimeout")
    with adapter.session(timeout=Urllib3Timeout(connect=5, read=0.3)) as s:
        raised(s.request("GET", http.base_url("/delay/3")), "ReadTimeout")
