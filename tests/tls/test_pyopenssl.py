"""The pyOpenSSL ("openssl") backend against real peers on 127.0.0.1.

What is specific to this backend: OpenSSL's in-handshake name check set
through the cffi binding (wildcards, IP SANs, IDNA), no SNI for IP literals,
the precise verification error classes, partial writes on pyOpenSSL 21,
sessions, ragged EOF, client certificates and our own ServerContext.

Peers are a stdlib ``ssl`` server socket in a thread (an independent TLS
implementation), or our own server buffers pumped in memory. Every socket
has a timeout and every thread is joined. No mocks. 2.7-compatible syntax.
"""
from __future__ import absolute_import, division, print_function

import hashlib
import os
import socket
import ssl
import subprocess
import sys
import threading

import pytest

pytest.importorskip("OpenSSL")

from httpkit import tls  # noqa: E402
from httpkit.tls import _pyopenssl  # noqa: E402
from httpkit.tls import (  # noqa: E402
    Certificate, CertificateExpiredError, CertificateVerificationError, CipherSuite,
    ConfigurationError, HandshakeError, HostnameMismatchError, NextProtocol, PrivateKey,
    ProtocolVersionError, RaggedEOF, SelfSignedCertificateError, TLSConfiguration,
    TLSVersion, TrustStore, UnknownCAError, WantReadError,
)

BACKEND = _pyopenssl.BACKEND
CERTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "certs")
TIMEOUT = 10.0


def cert_path(name):
    return os.path.join(CERTS, name)


def client_config(**kwargs):
    kwargs.setdefault("trust_store", TrustStore.from_file(cert_path("ca.pem")))
    return TLSConfiguration(**kwargs)


def chain(name, password=None):
    return ((Certificate.from_file(cert_path(name + ".pem")),),
            PrivateKey.from_file(cert_path(name + ".key"), password=password))


# --------------------------------------------------------------------------- stdlib server
class StdlibServer(object):
    """A thread serving ``connections`` TLS connections with the stdlib ``ssl`` module."""

    def __init__(self, handler, cert="server", connections=1, alpn=None,
                 client_ca=None, max_tls12=False):
        self.handler = handler
        self.connections = connections
        self.sni = []
        self.results = []
        self.errors = []
        self.ctx = self._context(cert, alpn, client_ca, max_tls12)
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.settimeout(TIMEOUT)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(5)
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve)
        self.thread.daemon = True

    def _context(self, cert, alpn, client_ca, max_tls12):
        ctx = ssl.SSLContext(getattr(ssl, "PROTOCOL_TLS_SERVER", ssl.PROTOCOL_SSLv23))
        ctx.load_cert_chain(cert_path(cert + ".pem"), cert_path(cert + ".key"))
        if alpn:
            ctx.set_alpn_protocols(alpn)
        if client_ca:
            ctx.load_verify_locations(cert_path(client_ca))
            ctx.verify_mode = ssl.CERT_REQUIRED
        if max_tls12 and hasattr(ssl, "TLSVersion"):
            ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        elif max_tls12:
            ctx.options |= ssl.OP_NO_TLSv1_3
        self._set_sni_callback(ctx)
        return ctx

    def _set_sni_callback(self, ctx):
        def record(sslobj, server_name, context):
            self.sni.append(server_name)
        if hasattr(ctx, "sni_callback"):
            ctx.sni_callback = record
        else:
            ctx.set_servername_callback(record)

    def sni_a_label(self):
        """The SNI the server saw, A-label form (2.7's ssl hands over U-labels)."""
        name = self.sni[0]
        return None if name is None else name.encode("idna").decode("ascii")

    def _serve(self):
        for _ in range(self.connections):
            try:
                raw, _ = self.listener.accept()
            except socket.error as exc:
                self.errors.append(exc)
                return
            raw.settimeout(TIMEOUT)
            conn = None
            try:
                conn = self.ctx.wrap_socket(raw, server_side=True)
                self.results.append(self.handler(conn))
            except Exception as exc:  # noqa: BLE001 - recorded for the test to inspect
                self.errors.append(exc)
            finally:
                if conn is not None:  # (3.x's wrap_socket takes raw's descriptor)
                    conn.close()
                raw.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.thread.join(TIMEOUT)
        self.listener.close()
        assert not self.thread.is_alive(), "server thread did not finish"


def recv_exactly(conn, n):
    chunks, got = [], 0
    while got < n:
        data = conn.recv(min(n - got, 256 * 1024))
        if not data:
            break
        chunks.append(data)
        got += len(data)
    return b"".join(chunks)


def echo_once(conn):
    data = conn.recv(1024)
    conn.sendall(data.upper())
    conn.unwrap()
    return data


def just_handshake(conn):
    return conn.version()


def send_then_drop(conn):
    """Send data, then end TCP without a close_notify (a truncation)."""
    conn.sendall(b"hello")
    conn.shutdown(socket.SHUT_RDWR)


def send_then_close_cleanly(conn):
    conn.sendall(b"bye")
    conn.unwrap()


# --------------------------------------------------------------------------- client pump
class Pump(object):
    """Drive a client TLSWrappedBuffer over a blocking socket (a tiny sync driver)."""

    def __init__(self, buf, sock):
        self.buf = buf
        self.sock = sock
        self.eof = False

    @classmethod
    def connect(cls, server, hostname, config=None, session=None, context=None):
        ctx = context or BACKEND.client_context(config or client_config())
        buf = ctx.wrap_buffers(hostname, session=session)
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT)
        return cls(buf, sock)

    def flush(self):
        while self.buf.outgoing_bytes_buffered():
            data = self.buf.peek_outgoing(256 * 1024)
            self.buf.consume_outgoing(self.sock.send(data))

    def call(self, op, *args):
        """Run ``op`` until it stops asking for ciphertext; flush before blocking."""
        while True:
            try:
                result = op(*args)
            except WantReadError:
                assert not self.eof, "WantReadError after transport EOF"
                self.flush()
                data = self.sock.recv(256 * 1024)
                if data:
                    self.buf.receive_from_network(data)
                else:
                    self.eof = True
                    self.buf.receive_eof()
                continue
            self.flush()
            return result

    def handshake(self):
        self.call(self.buf.do_handshake)
        return self

    def read(self, n=65536):
        return self.call(self.buf.read, n)

    def close(self):
        self.sock.close()


def fetch_and_close(server, hostname, payload=b"ping", **kwargs):
    pump = Pump.connect(server, hostname, **kwargs).handshake()
    try:
        pump.call(pump.buf.write, payload)
        reply = pump.read()
        assert pump.read() == b""
        pump.call(pump.buf.shutdown)
        return pump, reply
    finally:
        pump.close()


# --------------------------------------------------------------------------- in-memory pair
def shuttle(src, dst):
    data = src.process_outgoing(1 << 30)
    if data:
        dst.receive_from_network(data)
    return bool(data)


def handshake_pair(client, server):
    done = {client: False, server: False}
    for _ in range(20):
        for buf in (client, server):
            if not done[buf]:
                try:
                    buf.do_handshake()
                    done[buf] = True
                except WantReadError:
                    pass
        moved = shuttle(client, server) | shuttle(server, client)
        if all(done.values()) and not moved:
            return
    raise AssertionError("handshake did not finish")


def memory_pair(client_cfg=None, server_cfg=None, hostname="localhost"):
    server_cfg = server_cfg or TLSConfiguration(certificate_chain=chain("server"))
    client = BACKEND.client_context(client_cfg or client_config()).wrap_buffers(hostname)
    server = BACKEND.server_context(server_cfg).wrap_buffers()
    return client, server


# --------------------------------------------------------------------------- tests: stdlib peer
def test_import_httpkit_tls_does_not_import_openssl():
    code = "import sys, httpkit.tls; sys.exit('OpenSSL' in sys.modules)"
    assert subprocess.call([sys.executable, "-c", code]) == 0


def test_registry_exposes_backend():
    assert tls.backend("openssl") is BACKEND
    assert tls.backend("pyopenssl") is BACKEND
    assert BACKEND.name == "openssl"
    assert _pyopenssl.HAS_NATIVE_HOSTNAME_CHECK  # both 2.7 and 3.x bindings have the symbols


def test_handshake_details_and_echo():
    with StdlibServer(echo_once, alpn=["h2", "http/1.1"]) as server:
        config = client_config(inner_protocols=(NextProtocol.HTTP1,))
        pump, reply = fetch_and_close(server, u"localhost", config=config)
    assert reply == b"PING"
    buf = pump.buf
    assert buf.negotiated_tls_version is TLSVersion.TLSv1_3
    assert isinstance(buf.cipher(), CipherSuite)
    assert buf.negotiated_protocol() is NextProtocol.HTTP1
    with open(cert_path("server.pem")) as f:
        assert buf.getpeercert() == ssl.PEM_cert_to_DER_cert(f.read())
    assert buf.context.configuration is config
    assert server.sni_a_label() == "localhost"


def test_nothing_negotiated_before_handshake():
    buf = BACKEND.client_context(client_config()).wrap_buffers("localhost")
    assert buf.cipher() is None
    assert buf.negotiated_tls_version is None
    assert buf.negotiated_protocol() is None
    assert buf.getpeercert() is None
    assert buf.session is None
    assert buf.session_reused is False


@pytest.mark.parametrize("hostname", [
    u"localhost", u"LOCALHOST", u"a.wild.test", u"other.test", u"127.0.0.1", u"::1", u"[::1]",
])
def test_hostname_accepted(hostname):
    with StdlibServer(just_handshake) as server:
        Pump.connect(server, hostname).handshake().close()
    assert not server.errors


@pytest.mark.parametrize("hostname", [
    u"a.b.wild.test", u"wild.test", u"nothere.test", u"localhost.evil", u"127.0.0.2", u"::2",
])
def test_hostname_rejected_in_handshake(hostname):
    with StdlibServer(just_handshake) as server:
        pump = Pump.connect(server, hostname)
        with pytest.raises(HostnameMismatchError) as info:
            pump.handshake()
        pump.close()
    assert info.value.verify_code in (62, 64)
    assert isinstance(info.value, CertificateVerificationError)
    assert info.value.reason == "hostname_mismatch"


def test_idna_name_sent_as_a_label():
    with StdlibServer(just_handshake) as server:
        Pump.connect(server, u"b\u00fccher.example").handshake().close()
    assert server.sni_a_label() == "xn--bcher-kva.example"
    assert not server.errors


@pytest.mark.parametrize("ip", [u"127.0.0.1", u"::1"])
def test_no_sni_for_ip_literals(ip):
    with StdlibServer(just_handshake) as server:
        Pump.connect(server, ip).handshake().close()
    assert server.sni == [None]


@pytest.mark.parametrize("cert, error", [
    ("expired", CertificateExpiredError),
    ("selfsigned", SelfSignedCertificateError),
    ("unknown-ca", UnknownCAError),
])
def test_verification_error_classes(cert, error):
    with StdlibServer(just_handshake, cert=cert) as server:
        pump = Pump.connect(server, u"localhost")
        with pytest.raises(error) as info:
            pump.handshake()
        pump.close()
    assert info.value.verify_code is not None
    assert str(info.value).startswith("certificate verify failed")


def test_certifi_default_does_not_trust_test_ca():
    with StdlibServer(just_handshake) as server:
        pump = Pump.connect(server, u"localhost", config=TLSConfiguration())
        with pytest.raises(UnknownCAError):
            pump.handshake()
        pump.close()


def test_validation_off_accepts_anything():
    config = TLSConfiguration(validate_certificates=False)
    with StdlibServer(echo_once, cert="selfsigned") as server:
        _, reply = fetch_and_close(server, u"wrong.name", config=config)
    assert reply == b"PING"


def test_trust_store_from_buffer():
    with open(cert_path("ca.pem"), "rb") as f:
        config = TLSConfiguration(trust_store=TrustStore.from_buffer(f.read()))
    with StdlibServer(echo_once) as server:
        assert fetch_and_close(server, u"localhost", config=config)[1] == b"PING"


def test_protocol_version_error():
    config = client_config(lowest_supported_version=TLSVersion.TLSv1_3)
    with StdlibServer(just_handshake, max_tls12=True) as server:
        pump = Pump.connect(server, u"localhost", config=config)
        with pytest.raises(ProtocolVersionError):
            pump.handshake()
        pump.close()


def test_tls12_cipher_choice():
    suite = CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    with StdlibServer(echo_once) as server:
        pump, _ = fetch_and_close(server, u"localhost", config=client_config(ciphers=(suite,)))
    assert pump.buf.negotiated_tls_version is TLSVersion.TLSv1_2
    assert pump.buf.cipher() is suite


def hash_everything(n):
    def handler(conn):
        data = recv_exactly(conn, n)
        conn.sendall(hashlib.sha256(data).hexdigest().encode("ascii"))
        return len(data)
    return handler


def test_20mb_write_is_exact():
    payload = os.urandom(1024) * (20 * 1024)
    with StdlibServer(hash_everything(len(payload))) as server:
        pump = Pump.connect(server, u"localhost").handshake()
        assert pump.call(pump.buf.write, payload) == len(payload)
        assert pump.read() == hashlib.sha256(payload).hexdigest().encode("ascii")
        pump.close()
    assert server.results == [len(payload)]


def test_write_retried_with_same_object_before_handshake():
    """A write that needs the handshake first raises WantReadError; the retry loses nothing."""
    payload = bytearray(os.urandom(3 * 1024 * 1024 + 7))
    with StdlibServer(hash_everything(len(payload))) as server:
        pump = Pump.connect(server, u"localhost")
        with pytest.raises(WantReadError):
            pump.buf.write(payload)
        assert pump.call(pump.buf.write, payload) == len(payload)
        assert pump.read() == hashlib.sha256(payload).hexdigest().encode("ascii")
        assert pump.buf.negotiated_tls_version is TLSVersion.TLSv1_3
        pump.close()


def test_session_resumption_tls13():
    def serve(conn):
        conn.sendall(conn.recv(100))
        conn.unwrap()

    context = BACKEND.client_context(client_config())
    with StdlibServer(serve, connections=2) as server:
        first, reply = fetch_and_close(server, u"localhost", context=context)
        assert reply == b"ping" and not first.buf.session_reused
        session = first.buf.session  # after the first read: the tickets have arrived
        assert session is not None
        second, _ = fetch_and_close(server, u"localhost", context=context, session=session)
    assert second.buf.negotiated_tls_version is TLSVersion.TLSv1_3
    assert second.buf.session_reused is True
    same_settings = BACKEND.client_context(client_config())
    same_settings.wrap_buffers(u"LOCALHOST", session=session)
    with pytest.raises(ConfigurationError):  # a resumed handshake would check no name
        same_settings.wrap_buffers(u"other.test", session=session)
    other_trust = BACKEND.client_context(client_config(trust_store=TrustStore.system()))
    with pytest.raises(ConfigurationError):
        other_trust.wrap_buffers(u"localhost", session=session)


def test_foreign_session_rejected():
    ctx = BACKEND.client_context(client_config())
    with pytest.raises(ConfigurationError):
        ctx.wrap_buffers(u"localhost", session=object())


def test_ragged_eof():
    with StdlibServer(send_then_drop) as server:
        pump = Pump.connect(server, u"localhost").handshake()
        assert pump.read() == b"hello"
        with pytest.raises(RaggedEOF):
            pump.read()
        pump.close()


def test_clean_close_reads_empty_forever():
    with StdlibServer(send_then_close_cleanly) as server:
        pump = Pump.connect(server, u"localhost").handshake()
        assert pump.read() == b"bye"
        assert pump.read() == b""
        assert pump.read() == b""
        pump.call(pump.buf.shutdown)
        pump.close()
    assert not server.errors


@pytest.mark.parametrize("name, password", [
    ("client", None), ("client-encrypted", b"hunter2"), ("client-encrypted", lambda: u"hunter2"),
])
def test_client_certificate(name, password):
    config = client_config(certificate_chain=chain(name, password))
    with StdlibServer(echo_once, client_ca="ca.pem") as server:
        assert fetch_and_close(server, u"localhost", config=config)[1] == b"PING"
    assert not server.errors


@pytest.mark.parametrize("password", [None, b"wrong"])
def test_encrypted_key_needs_right_password(password):
    with pytest.raises(ConfigurationError):
        BACKEND.client_context(client_config(
            certificate_chain=chain("client-encrypted", password)))


def test_missing_client_certificate_is_a_handshake_error():
    with StdlibServer(echo_once, client_ca="ca.pem") as server:
        pump = Pump.connect(server, u"localhost")
        with pytest.raises(HandshakeError) as info:
            pump.handshake()  # TLS 1.2 fails here; TLS 1.3 on the first read
            pump.read()
        pump.close()
    assert not isinstance(info.value, CertificateVerificationError)


# --------------------------------------------------------------------------- tests: no network
def test_high_water_mark_keeps_nothing():
    buf = BACKEND.client_context(client_config()).wrap_buffers(u"localhost")
    buf.incoming_high_water = 100
    buf.receive_from_network(b"\x16" * 60)
    with pytest.raises(WantReadError):
        buf.receive_from_network(b"\x16" * 60)
    assert buf.incoming_bytes_buffered() == 60


def test_peek_and_consume_outgoing():
    buf = BACKEND.client_context(client_config()).wrap_buffers(u"localhost")
    with pytest.raises(WantReadError):
        buf.do_handshake()
    total = buf.outgoing_bytes_buffered()
    head = buf.peek_outgoing(10)
    assert buf.peek_outgoing(10) == head and buf.outgoing_bytes_buffered() == total
    buf.consume_outgoing(4)
    rest = buf.peek_outgoing(total)
    assert head[4:] == rest[:6] and len(rest) == total - 4
    buf.consume_outgoing(len(rest))
    assert buf.outgoing_bytes_buffered() == 0 and buf.peek_outgoing(10) == b""


def test_hostname_required_when_validating():
    with pytest.raises(ConfigurationError):
        BACKEND.client_context(client_config()).wrap_buffers(None)
    BACKEND.client_context(TLSConfiguration(validate_certificates=False)).wrap_buffers(None)


def test_bad_version_range_is_configuration_error():
    with pytest.raises(ConfigurationError):
        BACKEND.client_context(TLSConfiguration(
            lowest_supported_version=TLSVersion.TLSv1_3,
            highest_supported_version=TLSVersion.TLSv1_2))


def test_memory_pair_alpn_and_data():
    client, server = memory_pair(
        client_config(inner_protocols=(NextProtocol.H2, NextProtocol.HTTP1)),
        TLSConfiguration(certificate_chain=chain("server"), inner_protocols=(b"http/1.1", b"h2")))
    handshake_pair(client, server)
    assert client.negotiated_protocol() is NextProtocol.HTTP1
    assert server.negotiated_protocol() is NextProtocol.HTTP1
    assert client.write(b"x" * 100000) == 100000
    shuttle(client, server)
    got = b""
    while len(got) < 100000:
        got += server.read(65536)
    assert got == b"x" * 100000


def test_memory_pair_alpn_no_overlap():
    client, server = memory_pair(
        client_config(inner_protocols=(NextProtocol.H2,)),
        TLSConfiguration(certificate_chain=chain("server"), inner_protocols=(b"http/1.1",)))
    handshake_pair(client, server)
    assert client.negotiated_protocol() is None


def test_memory_pair_tls13_only_cipher():
    suite = CipherSuite.TLS_CHACHA20_POLY1305_SHA256
    client, server = memory_pair(client_config(ciphers=(suite,)))
    handshake_pair(client, server)
    assert client.cipher() is suite and server.cipher() is suite
    assert client.negotiated_tls_version is TLSVersion.TLSv1_3


def test_server_context_sni_callback_switches_chain():
    seen = []
    ec_config = TLSConfiguration(certificate_chain=chain("server-ec"))

    def pick(buf, name, config):
        seen.append(name)
        return ec_config

    client, server = memory_pair(server_cfg=TLSConfiguration(
        certificate_chain=chain("selfsigned"), sni_callback=pick), hostname=u"b\u00fccher.example")
    handshake_pair(client, server)
    assert seen == [u"b\u00fccher.example"]
    with open(cert_path("server-ec.pem")) as f:
        assert client.getpeercert() == ssl.PEM_cert_to_DER_cert(f.read())


def test_server_context_sni_callback_failure_aborts():
    def refuse(buf, name, config):
        return "no"

    client, server = memory_pair(server_cfg=TLSConfiguration(
        certificate_chain=chain("server"), sni_callback=refuse))
    with pytest.raises(HandshakeError) as info:
        handshake_pair(client, server)
    assert info.value.reason in ("sni_callback", "handshake_failure")


def test_server_context_requires_client_certificate():
    server_cfg = TLSConfiguration(certificate_chain=chain("server"),
                                  trust_store=TrustStore.from_file(cert_path("ca.pem")))
    client, server = memory_pair(client_config(certificate_chain=chain("client")), server_cfg)
    handshake_pair(client, server)
    assert server.getpeercert() is not None
    client, server = memory_pair(client_config(), server_cfg)
    with pytest.raises(HandshakeError):
        handshake_pair(client, server)
