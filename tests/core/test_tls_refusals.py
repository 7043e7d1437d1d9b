"""Unit tests: how the core names a handshake that met something other than TLS."""
from __future__ import absolute_import, division, print_function

import pytest

import httpkit
from httpkit import _connection


@pytest.mark.parametrize("first", [
    b"\x16\x03\x03\x00\x7a\x02",   # a ServerHello record
    b"\x15\x03\x03\x00\x02\x02\x46",  # an alert record (protocol_version)
    b"\x16",                       # one byte so far: could still be TLS
    None,                          # nothing received
])
def test_tls_records_are_left_to_the_backend(first):
    assert _connection._not_tls(first, "example.com") is None


@pytest.mark.parametrize("first", [
    b"HTTP/1.1 400 Bad Request\r\n",
    b"SSH-2.0-OpenSSH_9.6\r\n",
    b"\x16\x01\x00",               # a handshake type with a major version that is not 3
    b"\x00\x00",
])
def test_anything_else_is_not_tls(first):
    error = _connection._not_tls(first, "example.com")
    assert isinstance(error, httpkit.SSLError)
    assert error.reason == "not_tls"
    assert "example.com" in str(error) and repr(first) in str(error)
