"""Timeouts and TLS settings as values: validation, urllib3 Timeout, TLS file checks."""
from __future__ import absolute_import, division, print_function

import os

import pytest

import httpkit
from httpkit._config import DEFAULT_TIMEOUT, UNSET, Timeouts, TLSSettings
from httpkit._proxies import Proxy, parse_no_proxy, select_proxy
from httpkit.tls._errors import alert_reason

CERTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "certs")


def cert(name):
    return os.path.join(CERTS, name)


# --------------------------------------------------------------------------- timeouts
@pytest.mark.parametrize("value,shown", [
    (0, "not 0"), (-1, "not -1"), (-0.5, "-0.5"), ("5", "'5'"), (True, "True"),
    (False, "False"), (float("nan"), "nan"), (float("inf"), "inf"), ([1, 2], "[1, 2]"),
    ((1, 2, 3), "(1, 2, 3)"), ((1,), "(1,)"), ((), "()"), ((0, 5), "connect"),
    ((5, -1), "read"), ((5, "x"), "'x'"), (object, "type"),
])
def test_bad_timeout_values_are_invalid_timeout(value, shown):
    with pytest.raises(httpkit.InvalidTimeout) as info:
        Timeouts.coerce(value, DEFAULT_TIMEOUT)
    assert shown in str(info.value)
    assert isinstance(info.value, ValueError) and isinstance(info.value, TypeError)
    assert isinstance(info.value, httpkit.RequestException)


@pytest.mark.parametrize("kwargs", [dict(connect=0, read=1), dict(timeout=5, total=-1),
                                    dict(timeout=5, pool="1"), dict(timeout=True)])
def test_timeouts_checks_every_phase(kwargs):
    with pytest.raises(httpkit.InvalidTimeout):
        Timeouts(**kwargs)


def test_good_timeout_values():
    assert Timeouts.coerce(UNSET, DEFAULT_TIMEOUT) is DEFAULT_TIMEOUT
    assert Timeouts.coerce(5, DEFAULT_TIMEOUT) == Timeouts(5)
    assert Timeouts.coerce(None, DEFAULT_TIMEOUT) == Timeouts(None)
    t = Timeouts.coerce((3, None), DEFAULT_TIMEOUT)
    assert (t.connect, t.read, t.write, t.pool) == (3, None, None, DEFAULT_TIMEOUT.pool)
    assert Timeouts.coerce(0.001, DEFAULT_TIMEOUT).read == 0.001


def test_bad_session_timeout_is_refused_at_construction():
    with pytest.raises(httpkit.InvalidTimeout) as info:
        httpkit.Session(timeout=0)
    assert "positive" in str(info.value)


def test_urllib3_timeout_is_mapped():
    from urllib3.util import Timeout as U
    t = Timeouts.coerce(U(connect=2, read=7), DEFAULT_TIMEOUT)
    assert (t.connect, t.read, t.write, t.pool, t.total) == (2, 7, 7, DEFAULT_TIMEOUT.pool, None)
    t = Timeouts.coerce(U(total=4), DEFAULT_TIMEOUT)
    assert (t.connect, t.read, t.total) == (4, 4, 4)
    t = Timeouts.coerce(U(connect=1, total=4), DEFAULT_TIMEOUT)
    assert (t.connect, t.read, t.total) == (1, 4, 4)
    t = Timeouts.coerce(U(), DEFAULT_TIMEOUT)  # urllib3's defaults: keep httpkit's
    assert (t.connect, t.read, t.total) == (DEFAULT_TIMEOUT.connect, DEFAULT_TIMEOUT.read, None)
    t = Timeouts.coerce(U(connect=None, read=None), DEFAULT_TIMEOUT)
    assert (t.connect, t.read) == (None, None)


# --------------------------------------------------------------------------- TLS files
def _settings_error(verify=True, cert_value=None):
    with pytest.raises(httpkit.SSLError) as info:
        TLSSettings().context_for(verify, cert_value)
    assert info.value.reason == "configuration"
    assert isinstance(info.value, IOError)
    return str(info.value)


def test_tls_file_mistakes_name_the_file(tmpdir):
    missing = str(tmpdir.join("nope.pem"))
    assert missing in _settings_error(verify=missing)
    assert "is a private key" in _settings_error(verify=cert("ca.key"))
    assert _settings_error(cert_value=(missing, cert("client.key"))) == \
        "Could not find the TLS certificate file, invalid path: " + missing
    assert _settings_error(cert_value=(".", missing)) == \
        "Could not find the TLS key file, invalid path: " + missing
    assert _settings_error(verify=missing) == \
        "Could not find a suitable TLS CA certificate bundle, invalid path: " + missing
    assert "is a certificate, not a private key" in _settings_error(
        cert_value=(cert("client.pem"), cert("client.pem")))
    assert "no private key" in _settings_error(cert_value=cert("client.pem"))
    assert "cert must be" in _settings_error(cert_value=42)
    assert "verify must be" in _settings_error(verify=42)
    text = _settings_error(cert_value=(cert("client.pem"), cert("server.key")))
    assert "does not match" in text and cert("server.key") in text


def test_tls_good_files_build_a_context():
    settings = TLSSettings()
    ctx = settings.context_for(cert("ca.pem"), (cert("client.pem"), cert("client.key")))
    assert settings.context_for(cert("ca.pem"), (cert("client.pem"), cert("client.key"))) is ctx
    settings.context_for(CERTS, None)  # a directory is a valid verify=


def test_each_verify_and_cert_keeps_its_context_whatever_came_last():
    settings = TLSSettings()
    ca, pair = cert("ca.pem"), [cert("client.pem"), cert("client.key")]
    strict = settings.context_for(ca, None)
    loose = settings.context_for(False, None)
    client = settings.context_for(ca, pair)
    assert len({id(strict), id(loose), id(client)}) == 3
    for _ in range(2):  # the same objects again, in another order
        assert settings.context_for(False, None) is loose
        assert settings.context_for(ca, None) is strict
        assert settings.context_for(ca, pair) is client
        assert settings.context_for(ca, None) is strict
    assert settings.context_for(True, None) is not strict  # certifi's roots, not ca.pem


def test_unavailable_backend_is_ssl_error():
    with pytest.raises(httpkit.SSLError) as info:
        TLSSettings("no-such-backend").context_for(True, None)
    assert "no-such-backend" in str(info.value)


@pytest.mark.parametrize("text,reason", [
    ("[SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED] tlsv13 alert certificate required (_ssl.c:1)",
     "certificate_required"),
    ("[SSL] tlsv13 alert certificate required (_ssl.c:1946)", "certificate_required"),
    ("tlsv13 alert certificate required", "certificate_required"),
    ("[SSL: SSLV3_ALERT_HANDSHAKE_FAILURE] sslv3 alert handshake failure", "handshake_failure"),
    ("tls alert handshake failure", "handshake_failure"),
    ("no shared cipher", None),
])
def test_alert_reasons_are_spelled_alike(text, reason):
    assert alert_reason(text) == reason


# --------------------------------------------------------------------------- proxies
@pytest.mark.parametrize("url", ["http:/badproxy:3128", "https:/p:1", "http:/u:pw@p:1",
                                 "http:proxy", "socks5:/p:1"])
def test_scheme_without_slashes_is_invalid_proxy_url(url):
    with pytest.raises(httpkit.InvalidProxyURL) as info:
        Proxy(url)
    assert "//" in str(info.value) and "pw" not in str(info.value)


@pytest.mark.parametrize("url,host,port", [("localhost:3128", "localhost", 3128),
                                           ("u:pw@proxy:8080", "proxy", 8080),
                                           ("http:3128", "http", 3128),
                                           ("[::1]:3128", "::1", 3128)])
def test_urls_without_scheme_still_work(url, host, port):
    proxy = Proxy(url)
    assert (proxy.scheme, proxy.host, proxy.port) == ("http", host, port)


@pytest.mark.parametrize("value", [123, 1.5, object(), ["http://p:1"]])
def test_non_string_proxy_is_invalid_proxy_url(value):
    with pytest.raises(httpkit.InvalidProxyURL):
        Proxy(value)


def test_proxies_not_a_dict_is_invalid_proxy_url():
    with pytest.raises(httpkit.InvalidProxyURL):
        select_proxy("http://example.com/", ["http://p:1"])
    with pytest.raises(httpkit.InvalidProxyURL):
        parse_no_proxy(42)
