# -*- coding: utf-8 -*-
"""Host names for SNI and certificate checks: IDNA, IP literals, IP SANs.

Rules:
- CPython's ``ssl`` encodes names with IDNA 2003 (``strasse`` for
  ``straße``); browsers and httpkit use UTS 46 / IDNA 2008 through ``idna``.
  Every backend receives the A-label form from here.
- IP literals never go into SNI (RFC 6066 section 3) and are checked against
  iPAddress subjectAltNames only, compared in packed form.
- Names are matched against subjectAltName only, never the subject's Common
  Name (RFC 6125 section 6.4.4, as browsers and urllib3 2 do): a certificate
  without subjectAltName is valid for no name (:func:`no_san_error`).
"""
from __future__ import absolute_import, division, print_function

import socket

from .._compat import text_type, binary_type
from ._errors import HostnameMismatchError

__all__ = ["InvalidHostname", "parse_host", "is_ip_address", "match_ip_san",
           "lacks_subject_alt_name", "no_san_error"]

# DER of OBJECT IDENTIFIER 2.5.29.17 (id-ce-subjectAltName).
_SAN_OID = b"\x06\x03\x55\x1d\x11"


class InvalidHostname(ValueError):
    """The host name cannot be encoded for DNS/TLS."""


def _packed_ip(text):
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            return socket.inet_pton(family, text)
        except (socket.error, ValueError, UnicodeError):
            continue
    return None


def is_ip_address(host):
    """Return True if ``host`` (text, brackets allowed) is an IPv4/IPv6 literal."""
    if isinstance(host, binary_type):
        host = host.decode("ascii", "replace")
    return _packed_ip(host.strip("[]").split("%", 1)[0]) is not None


def parse_host(host):
    """Return ``(ascii_name, is_ip)`` for a URL host.

    ``ascii_name`` is the IDNA A-label form without a trailing dot (or the IP
    literal without brackets), as a native str.

    Raises:
        InvalidHostname: the name is empty or not valid IDNA.
    """
    if isinstance(host, binary_type):
        host = host.decode("ascii", "strict")
    host = host.strip("[]")
    if is_ip_address(host):
        return str(host), True
    name = host.rstrip(".")
    if not name:
        raise InvalidHostname("empty host name")
    if all(ord(c) < 128 for c in name):
        # Fast path: plain ASCII names only need a syntax check and lower-casing.
        lowered = name.lower()
        if any(c in lowered for c in " /\\@#?\x00\r\n") or ".." in lowered:
            raise InvalidHostname("invalid host name %r" % (host,))
        return str(lowered), False
    import idna
    try:
        encoded = idna.encode(name, uts46=True)
    except (idna.IDNAError, UnicodeError, ValueError) as exc:
        raise InvalidHostname("cannot IDNA-encode host name %r: %s" % (host, exc))
    return str(encoded.decode("ascii")), False


def match_ip_san(cert_dict, ip_text):
    """True if the decoded certificate ``cert_dict`` lists ``ip_text`` as an iPAddress SAN."""
    wanted = _packed_ip(ip_text)
    for kind, value in cert_dict.get("subjectAltName", ()):
        if kind == "IP Address":
            value = value.strip()
            if isinstance(value, text_type) or isinstance(value, str):
                if _packed_ip(value) == wanted:
                    return True
    return False


def lacks_subject_alt_name(der):
    """True if the DER certificate ``der`` (None: unknown) has no subjectAltName extension.

    A byte search for the extension's OID: no ASN.1 parser exists on every
    Python, and the answer only words an error message, never decides trust.
    """
    return bool(der) and _SAN_OID not in der


def no_san_error(host, verify_code=62):
    """The HostnameMismatchError for a certificate without subjectAltName."""
    err = HostnameMismatchError(
        "the certificate has no subjectAltName, so it is valid for no host name "
        "(its Common Name is never checked: RFC 6125 section 6.4.4); expected %r" % (host,))
    err.verify_code = verify_code
    return err
