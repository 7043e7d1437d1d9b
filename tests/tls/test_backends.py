"""Every httpkit TLS backend against real peers on 127.0.0.1.

Parametrized over ``httpkit.tls.available_backends()``: the same scenarios
run for ``stdlib`` (3.x), ``socketpair`` and ``openssl`` (when pyOpenSSL is
installed). Peers are httpkit ServerContexts behind TLSWrappedSocket, or a
plain ``ssl`` server socket (an implementation we did not write). No mocks,
no sleeps; every socket has a timeout and every server thread is joined.
"""
from __future__ import absolute_import, division, print_function

import hashlib
import socket
import sys

import pytest

from httpkit import tls
from httpkit._compat import PY2
from httpkit.tls import (
    DEFAULT_CIPHER_LIST, CertificateExpiredError, CertificateVerificationError, CipherSuite,
    ConfigurationError, HandshakeError, HostnameMismatchError, NextProtocol, PrivateKey,
    ProtocolVersionError, RaggedEOF, SelfSignedCertificateError, TLSConfiguration, TLSError,
    TLSVersion, TrustStore, UnknownCAError, WantReadError,
)
from httpkit.tls._api import DEFAULT_INCOMING_HIGH_WATER
from httpkit.tls._socket import TLSWrappedSocket

import peers
from peers import client_config, connect, echo, handshake_in_memory, move_bytes, server_config

SERVER_KINDS = tls.available_backends() + ["ssl"]
BIG = 50 * 1024 * 1024


def roundtrip(conn, message=b"hello tls"):
    conn.sendall(message)
    assert peers.recv_exactly(conn, len(message)) == hashlib.sha256(message).hexdigest()


# --------------------------------------------------------------------------- basics
def test_handshake_and_data_both_ways(backend_name):
    with peers.httpkit_server(backend_name, server_config(), echo) as server:
        conn = connect(backend_name, server.port)
        try:
            roundtrip(conn)
            assert conn.negotiated_tls_version is TLSVersion.TLSv1_3
            assert isinstance(conn.cipher(), CipherSuite)
            der = conn.getpeercert()
            assert isinstance(der, bytes) and der[:1] == b"\x30"
            assert conn.context.configuration.validate_certificates is True
        finally:
            conn.close()
    assert server.errors == []
    assert server.results == [b"hello tls"]


@pytest.mark.parametrize("server_kind", SERVER_KINDS)
def test_interop_matrix(backend_name, server_kind):
    config = client_config(inner_protocols=(NextProtocol.HTTP1,))
    alpn = server_config(inner_protocols=(NextProtocol.HTTP1,))
    handler = echo
    if server_kind == "ssl":
        server = peers.stdlib_server(handler)
    else:
        server = peers.httpkit_server(server_kind, alpn, handler)
    with server:
        conn = connect(backend_name, server.port, config)
        try:
            roundtrip(conn, b"interop")
            expected = None if server_kind == "ssl" else NextProtocol.HTTP1
            assert conn.negotiated_protocol() is expected
        finally:
            conn.close()
    assert server.errors == []


def _send_big_and_receive_big(conn):
    chunks, _ = peers.pattern(BIG)
    digest = peers.recv_exactly(conn, BIG)
    for chunk in chunks:
        conn.sendall(chunk)
    return digest


def test_50mb_both_directions(backend_name):
    chunks, expected = peers.pattern(BIG)
    with peers.httpkit_server(backend_name, server_config(), _send_big_and_receive_big) as server:
        conn = connect(backend_name, server.port)
        try:
            for chunk in chunks:
                conn.sendall(chunk)
            received = peers.recv_exactly(conn, BIG)
        finally:
            conn.close()
    assert server.errors == []
    assert server.results == [expected]
    assert received == expected


# --------------------------------------------------------------------------- closing
def _say_bye(conn):
    conn.sendall(b"bye")


def test_clean_shutdown_gives_empty_reads(backend_name):
    with peers.httpkit_server(backend_name, server_config(), _say_bye) as server:
        conn = connect(backend_name, server.port)
        try:
            assert peers.recv_exactly(conn, 3) == hashlib.sha256(b"bye").hexdigest()
            assert conn.recv(10) == b""  # the server's close() sent close_notify
            assert conn.recv(10) == b""
        finally:
            conn.close()
    assert server.errors == []


def test_ragged_eof(backend_name):
    # The stdlib ssl server's close() drops TCP without a close_notify.
    with peers.stdlib_server(_say_bye) as server:
        conn = connect(backend_name, server.port)
        try:
            assert peers.recv_exactly(conn, 3) == hashlib.sha256(b"bye").hexdigest()
            with pytest.raises(RaggedEOF):
                conn.recv(10)
        finally:
            conn.close()


def test_ragged_eof_on_buffer_after_receive_eof(backend_name):
    buf = tls.backend(backend_name).client_context(client_config()).wrap_buffers(u"localhost")
    try:
        with pytest.raises(WantReadError):
            buf.do_handshake()
        buf.receive_eof()
        with pytest.raises(TLSError) as info:
            buf.do_handshake()
        assert isinstance(info.value, RaggedEOF)
    finally:
        getattr(buf, "close", lambda: None)()


# --------------------------------------------------------------------------- versions
@pytest.mark.parametrize("version", [TLSVersion.TLSv1_2, TLSVersion.TLSv1_3])
def test_forced_version(backend_name, version):
    pinned = dict(lowest_supported_version=version, highest_supported_version=version)
    with peers.httpkit_server(backend_name, server_config(), echo) as server:
        conn = connect(backend_name, server.port, client_config(**pinned))
        try:
            roundtrip(conn)
            assert conn.negotiated_tls_version is version
        finally:
            conn.close()


@pytest.mark.parametrize("server_kind", ["self", "ssl"])
def test_protocol_version_mismatch(backend_name, server_kind):
    client = client_config(highest_supported_version=TLSVersion.TLSv1_2)
    if server_kind == "ssl":
        server = peers.stdlib_server(echo, min_version=TLSVersion.TLSv1_3)
    else:
        config = server_config(lowest_supported_version=TLSVersion.TLSv1_3)
        server = peers.httpkit_server(backend_name, config, echo)
    with server:
        with pytest.raises(ProtocolVersionError):
            connect(backend_name, server.port, client)
    assert len(server.errors) == 1


def test_impossible_versions_are_configuration_errors(backend_name):
    client_context = tls.backend(backend_name).client_context
    with pytest.raises(ConfigurationError):
        client_context(client_config(lowest_supported_version=TLSVersion.TLSv1_3,
                                     highest_supported_version=TLSVersion.TLSv1_2))
    with pytest.raises(ConfigurationError):
        client_context(client_config(lowest_supported_version=TLSVersion.SSLv2))


def test_alpn(backend_name):
    offer = client_config(inner_protocols=(NextProtocol.H2, NextProtocol.HTTP1))
    accept = server_config(inner_protocols=(NextProtocol.HTTP1,))
    with peers.httpkit_server(backend_name, accept, lambda c: c.negotiated_protocol()) as server:
        conn = connect(backend_name, server.port, offer)
        try:
            assert conn.negotiated_protocol() is NextProtocol.HTTP1
        finally:
            conn.close()
    assert server.results == [NextProtocol.HTTP1]


# --------------------------------------------------------------------------- client certificates
def _peer_cert_then_echo(conn):
    der = conn.getpeercert()
    echo(conn)
    return der


@pytest.mark.parametrize("name,password", [("client", None), ("client-encrypted", b"hunter2"),
                                           ("client-encrypted", lambda: b"hunter2")])
def test_client_certificate(backend_name, name, password):
    requiring = server_config(trust_store=TrustStore.from_file(peers.cert_path("ca.pem")))
    with peers.httpkit_server(backend_name, requiring, _peer_cert_then_echo) as server:
        conn = connect(backend_name, server.port,
                       client_config(certificate_chain=peers.chain(name, password)))
        try:
            roundtrip(conn)
        finally:
            conn.close()
    assert server.errors == []
    assert server.results[0][:1] == b"\x30"


def test_client_certificate_key_from_buffer(backend_name):
    with open(peers.cert_path("client-encrypted.key"), "rb") as f:
        key = PrivateKey.from_buffer(f.read(), password=b"hunter2")
    certs = peers.chain("client-encrypted")[0]
    requiring = server_config(trust_store=TrustStore.from_file(peers.cert_path("ca.pem")))
    with peers.httpkit_server(backend_name, requiring, echo) as server:
        conn = connect(backend_name, server.port, client_config(certificate_chain=(certs, key)))
        try:
            roundtrip(conn)
        finally:
            conn.close()


def test_wrong_key_password_is_configuration_error(backend_name):
    config = client_config(certificate_chain=peers.chain("client-encrypted", b"wrong"))
    with pytest.raises(ConfigurationError):
        tls.backend(backend_name).client_context(config)


def test_missing_client_certificate_is_handshake_error(backend_name):
    requiring = server_config(trust_store=TrustStore.from_file(peers.cert_path("ca.pem")))
    with peers.httpkit_server(backend_name, requiring, echo) as server:
        with pytest.raises(HandshakeError):
            conn = connect(backend_name, server.port)
            try:
                conn.recv(10)  # TLS 1.3: the server's alert comes after our handshake
            finally:
                conn.close()
    assert len(server.errors) == 1


# --------------------------------------------------------------------------- verification
@pytest.mark.parametrize("cert,hostname,error", [
    ("expired", u"localhost", CertificateExpiredError),
    ("server", u"wrong.example", HostnameMismatchError),
    ("unknown-ca", u"localhost", UnknownCAError),
    ("selfsigned", u"localhost", SelfSignedCertificateError),
    ("server", u"127.0.0.2", HostnameMismatchError),
])
def test_verification_failures(backend_name, cert, hostname, error):
    with peers.stdlib_server(echo, cert=cert) as server:
        with pytest.raises(CertificateVerificationError) as info:
            connect(backend_name, server.port, server_hostname=hostname)
    assert type(info.value) is error
    assert info.value.reason == error.reason


@pytest.mark.parametrize("store", [None, "certifi", "system"])
def test_default_and_system_trust_reject_the_test_ca(backend_name, store):
    trust = {None: None, "certifi": TrustStore.certifi(), "system": TrustStore.system()}[store]
    with peers.stdlib_server(echo) as server:
        with pytest.raises(CertificateVerificationError) as info:
            connect(backend_name, server.port, TLSConfiguration(trust_store=trust))
    assert isinstance(info.value, UnknownCAError)


def test_trust_store_from_buffer(backend_name):
    with open(peers.cert_path("ca.pem"), "rb") as f:
        config = TLSConfiguration(trust_store=TrustStore.from_buffer(f.read()))
    with peers.stdlib_server(echo) as server:
        conn = connect(backend_name, server.port, config)
        try:
            roundtrip(conn)
        finally:
            conn.close()


def test_tls12_cipher_choice_is_honoured(backend_name):
    suite = CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    config = client_config(ciphers=(suite,), highest_supported_version=TLSVersion.TLSv1_2)
    with peers.stdlib_server(echo) as server:
        conn = connect(backend_name, server.port, config)
        try:
            roundtrip(conn)
            assert conn.cipher() == suite
        finally:
            conn.close()


def test_unknown_ciphers_only_is_configuration_error(backend_name):
    with pytest.raises(ConfigurationError):
        tls.backend(backend_name).client_context(client_config(ciphers=(0xFEFE,)))


@pytest.mark.parametrize("cert", ["expired", "server", "unknown-ca", "selfsigned"])
def test_validation_off_connects_to_anything(backend_name, cert):
    config = TLSConfiguration(validate_certificates=False)
    with peers.stdlib_server(echo, cert=cert) as server:
        conn = connect(backend_name, server.port, config, server_hostname=u"wrong.example")
        try:
            roundtrip(conn)
        finally:
            conn.close()
    assert server.errors == []


def test_ip_literal_verified_against_ip_san_and_sends_no_sni(backend_name):
    seen = []
    with peers.stdlib_server(echo, sni_names=seen) as server:
        conn = connect(backend_name, server.port, server_hostname=u"127.0.0.1")
        try:
            roundtrip(conn)
        finally:
            conn.close()
    assert server.errors == []
    assert [name for name in seen if name is not None] == []


def test_idna_hostname_is_sent_as_a_label(backend_name):
    seen = []
    with peers.stdlib_server(echo, sni_names=seen) as server:
        conn = connect(backend_name, server.port, server_hostname=u"b\u00fccher.example")
        try:
            roundtrip(conn)
        finally:
            conn.close()
    assert server.errors == []
    # 3.x's ssl passes the wire name through; 2.7 decodes it with the idna codec.
    assert seen in ([u"xn--bcher-kva.example"], [u"b\u00fccher.example"])
    assert seen[0].encode("idna") == b"xn--bcher-kva.example"


def test_hostname_required_when_validating(backend_name):
    context = tls.backend(backend_name).client_context(client_config())
    with pytest.raises(TLSError):
        context.wrap_buffers(None)


# --------------------------------------------------------------------------- sessions
def _echo_twice(conn):
    return echo(conn)


def test_tls13_session_resumption(backend_name):
    context = tls.backend(backend_name).client_context(client_config())
    with peers.stdlib_server(_echo_twice, connections=2) as server:
        first = connect(backend_name, server.port, context=context)
        try:
            roundtrip(first)  # TLS 1.3 tickets arrive with the first read
            session = first.buffer.session
            assert first.buffer.session_reused is False
        finally:
            first.close()
        if session is None:
            assert PY2 and backend_name == "socketpair", "only 2.7's ssl has no session API"
            second = connect(backend_name, server.port, context=context)
        else:
            second = connect(backend_name, server.port, session=session, context=context)
        try:
            roundtrip(second)
            assert second.buffer.session_reused is (session is not None)
        finally:
            second.close()
    assert server.errors == []


# --------------------------------------------------------------------------- buffer semantics
def _buffer_pair(backend_name):
    backend = tls.backend(backend_name)
    client = backend.client_context(client_config()).wrap_buffers(u"localhost")
    server = backend.server_context(server_config()).wrap_buffers()
    return client, server


def _close_all(*buffers):
    for buf in buffers:
        getattr(buf, "close", lambda: None)()


def test_peek_and_consume(backend_name):
    client, server = _buffer_pair(backend_name)
    try:
        with pytest.raises(WantReadError):
            client.do_handshake()
        total = client.outgoing_bytes_buffered()
        assert total > 5
        head = client.peek_outgoing(5)
        assert head[:1] == b"\x16" and len(head) == 5    # a handshake record
        assert client.peek_outgoing(5) == head             # peeking removes nothing
        assert client.outgoing_bytes_buffered() == total
        client.consume_outgoing(5)
        assert client.outgoing_bytes_buffered() == total - 5
        rest = client.process_outgoing(total)              # PEP 748 alias: take it all
        assert len(rest) == total - 5
        assert client.peek_outgoing(10) == b""
        server.receive_from_network(head + rest)
        handshake_in_memory(client, server)
        assert client.write(b"ping") == 4
        move_bytes(client, server)
        assert server.read(100) == b"ping"
        with pytest.raises(WantReadError):
            server.read(100)
    finally:
        _close_all(client, server)


def test_readinto(backend_name):
    client, server = _buffer_pair(backend_name)
    try:
        handshake_in_memory(client, server)
        server.write(b"0123456789")
        move_bytes(server, client)
        target = bytearray(4)
        assert client.readinto(target, 4) == 4
        assert bytes(target) == b"0123"
    finally:
        _close_all(client, server)


def test_incoming_high_water_mark(backend_name):
    client, _server = _buffer_pair(backend_name)
    chunk = b"\x17" * (64 * 1024)
    accepted = 0
    try:
        with pytest.raises(WantReadError):
            for _ in range(DEFAULT_INCOMING_HIGH_WATER // len(chunk) + 64):
                client.receive_from_network(chunk)
                accepted += len(chunk)
        before = client.incoming_bytes_buffered()
        with pytest.raises(WantReadError):
            client.receive_from_network(chunk)   # refused calls keep nothing
        assert client.incoming_bytes_buffered() == before
        assert accepted <= DEFAULT_INCOMING_HIGH_WATER
    finally:
        _close_all(client, _server)


def test_getters_before_handshake(backend_name):
    client, server = _buffer_pair(backend_name)
    try:
        assert client.cipher() is None
        assert client.negotiated_protocol() is None
        assert client.negotiated_tls_version is None
        assert client.getpeercert() is None
    finally:
        _close_all(client, server)


def test_server_sni_callback_gets_u_label(backend_name):
    if backend_name not in ("stdlib", "socketpair"):
        pytest.skip("SNI callbacks are tested here for the stdlib-based backends only")
    seen = []

    def pick(buffer, name, config):
        seen.append(name)
        return config
    with peers.httpkit_server(backend_name, server_config(sni_callback=pick), echo) as server:
        conn = connect(backend_name, server.port, server_hostname=u"b\u00fccher.example")
        try:
            roundtrip(conn)
        finally:
            conn.close()
    assert server.errors == []
    assert seen == [u"b\u00fccher.example"]


# --------------------------------------------------------------------------- TLSWrappedSocket
def test_wrapped_socket_refuses_what_it_cannot_do(backend_name):
    raw = socket.socket()
    buf = tls.backend(backend_name).client_context(client_config()).wrap_buffers(u"localhost")
    conn = TLSWrappedSocket(raw, buf)
    try:
        with pytest.raises(ValueError):
            conn.settimeout(0)
        with pytest.raises(AttributeError) as info:
            conn.makefile
        assert "does not support" in str(info.value)
        with pytest.raises(ValueError):
            conn.recv(10, socket.MSG_PEEK)
    finally:
        conn.close()


def test_unwrap_returns_the_raw_socket(backend_name):
    def reply_plain_after_unwrap(conn):
        conn.recv(10)
        raw = conn.unwrap()
        raw.sendall(b"plain")
    with peers.httpkit_server(backend_name, server_config(), reply_plain_after_unwrap) as server:
        conn = connect(backend_name, server.port)
        conn.sendall(b"x")
        raw = conn.unwrap()
        try:
            assert raw.recv(10) == b"plain"
        finally:
            raw.close()
    assert server.errors == []


# --------------------------------------------------------------------------- configuration
def test_configuration_is_immutable_and_hashable():
    config = TLSConfiguration()
    assert config.validate_certificates is True
    assert config.ciphers == DEFAULT_CIPHER_LIST
    assert config.lowest_supported_version is TLSVersion.TLSv1_2
    with pytest.raises(AttributeError):
        config.validate_certificates = False
    changed = config.update(inner_protocols=[NextProtocol.HTTP1])
    assert changed.inner_protocols == (NextProtocol.HTTP1,)
    assert config.inner_protocols == ()
    assert changed.update(inner_protocols=()) == config
    assert hash(changed.update(inner_protocols=())) == hash(config)
    assert {config: 1}[TLSConfiguration()] == 1


def test_registry():
    names = tls.available_backends()
    assert "socketpair" in names
    assert ("stdlib" in names) is (not PY2)
    assert tls.default_backend().name == ("socketpair" if PY2 else "stdlib")
    with pytest.raises(tls.BackendUnavailable):
        tls.backend("nonexistent")


# --------------------------------------------------------------------------- no CN fallback
def test_cn_only_certificate_is_refused(backend_name):
    """RFC 6125 section 6.4.4: a certificate without subjectAltName matches no name."""
    with peers.stdlib_server(echo, cert="cn-only") as server:
        with pytest.raises(CertificateVerificationError) as info:
            connect(backend_name, server.port, server_hostname=u"localhost")
    assert type(info.value) is HostnameMismatchError
    assert info.value.reason == "hostname_mismatch"
    assert info.value.verify_code == 62
    if backend_name == "openssl" or not (3, 0) <= sys.version_info < (3, 10):
        assert "certificate has no subjectAltName" in str(info.value)
    else:  # 3.9's ssl cannot show the certificate of a failed handshake
        assert "subjectAltName only, never the Common Name" in str(info.value)


def test_cn_only_certificate_is_refused_by_ip_too(backend_name):
    with peers.stdlib_server(echo, cert="cn-only") as server:
        with pytest.raises(HostnameMismatchError) as info:
            connect(backend_name, server.port, server_hostname=u"127.0.0.1")
    assert info.value.reason == "hostname_mismatch"


def test_san_certificate_whose_cn_differs_still_matches_by_san(backend_name):
    """server.pem's CN is localhost; other.test is only in its subjectAltName."""
    with peers.stdlib_server(echo) as server:
        conn = connect(backend_name, server.port, server_hostname=u"other.test")
        try:
            roundtrip(conn)
        finally:
            conn.close()


def test_ip_only_san_does_not_let_the_cn_match_a_dns_name(backend_name):
    """OpenSSL (and 2.7's match_hostname) fall back to the CN when no DNS SAN is listed."""
    with peers.stdlib_server(echo, connections=2, cert="ip-only") as server:
        with pytest.raises(HostnameMismatchError) as info:
            connect(backend_name, server.port, server_hostname=u"localhost")
        conn = connect(backend_name, server.port, server_hostname=u"127.0.0.1")
        try:
            roundtrip(conn)
        finally:
            conn.close()
    assert info.value.reason == "hostname_mismatch"
