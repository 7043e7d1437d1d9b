"""The TLS errors of the PEP 543 API (re-exported by :mod:`._api`).

Rules:
- Every backend raises these and nothing else; the front-ends map them to
  ``httpkit.SSLError`` with the precise ``reason`` kept.
- A certificate failure is classified by OpenSSL's verify code
  (``verification_error``), not by parsing message text, where a code exists.
"""
from __future__ import absolute_import, division, print_function

import re

__all__ = [
    "TLSError", "WantReadError", "WantWriteError", "RaggedEOF", "ConfigurationError",
    "CertificateVerificationError", "UnknownCAError", "SelfSignedCertificateError",
    "CertificateExpiredError", "HostnameMismatchError", "HandshakeError",
    "ProtocolVersionError", "VERIFY_CODE_ERRORS", "verification_error", "alert_reason",
]


class TLSError(Exception):
    """Root of every TLS error.

    ``reason`` is a short machine-readable cause (``"unknown_ca"``,
    ``"expired"``, ``"hostname_mismatch"``, ``"self_signed"``,
    ``"handshake_failure"``, ``"protocol_version"``, ``"ragged_eof"``...)
    when the backend could tell; ``None`` otherwise.
    """

    reason = None

    def __init__(self, *args, **kwargs):
        reason = kwargs.pop("reason", None)
        if kwargs:
            raise TypeError("unexpected keyword arguments: %r" % sorted(kwargs))
        super(TLSError, self).__init__(*args)
        if reason is not None:
            self.reason = reason


class WantReadError(TLSError):
    """More ciphertext must arrive from the network before this call can go on."""


class WantWriteError(TLSError):
    """Outgoing ciphertext must be sent before this call can go on."""


class RaggedEOF(TLSError):
    """The transport closed without a TLS close_notify: the stream may be truncated."""

    reason = "ragged_eof"


class ConfigurationError(TLSError):
    """The configuration asks for something this backend cannot do (PEP 748)."""

    reason = "configuration"


class CertificateVerificationError(TLSError):
    """The peer's certificate could not be verified.

    ``verify_code`` is OpenSSL's X509_V_ERR number when known.
    """

    reason = "verification_failed"
    verify_code = None


class UnknownCAError(CertificateVerificationError):
    """The peer's chain does not lead to a trusted root."""

    reason = "unknown_ca"


class SelfSignedCertificateError(UnknownCAError):
    """The peer presented a self-signed certificate that is not trusted."""

    reason = "self_signed"


class CertificateExpiredError(CertificateVerificationError):
    """A certificate in the peer's chain has expired (or is not yet valid)."""

    reason = "expired"


class HostnameMismatchError(CertificateVerificationError):
    """The peer's certificate is valid but not for the name we connected to."""

    reason = "hostname_mismatch"


class HandshakeError(TLSError):
    """The handshake failed for a reason other than certificate verification."""

    reason = "handshake_failure"


class ProtocolVersionError(HandshakeError):
    """Client and server share no TLS version."""

    reason = "protocol_version"


# OpenSSL X509_V_ERR_* codes -> error class. Shared by every OpenSSL-based backend.
VERIFY_CODE_ERRORS = {
    9: CertificateExpiredError,    # CERT_NOT_YET_VALID
    10: CertificateExpiredError,   # CERT_HAS_EXPIRED
    2: UnknownCAError,             # UNABLE_TO_GET_ISSUER_CERT
    20: UnknownCAError,            # UNABLE_TO_GET_ISSUER_CERT_LOCALLY
    21: UnknownCAError,            # UNABLE_TO_VERIFY_LEAF_SIGNATURE
    18: SelfSignedCertificateError,  # DEPTH_ZERO_SELF_SIGNED_CERT
    19: SelfSignedCertificateError,  # SELF_SIGNED_CERT_IN_CHAIN
    62: HostnameMismatchError,     # HOSTNAME_MISMATCH
    64: HostnameMismatchError,     # IP_ADDRESS_MISMATCH
}


def verification_error(verify_code, message):
    """Build the precise verification error for an OpenSSL verify code."""
    cls = VERIFY_CODE_ERRORS.get(verify_code, CertificateVerificationError)
    err = cls(message)
    err.verify_code = verify_code
    return err


# "[SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED] ...", "tlsv13 alert certificate required",
# "sslv3 alert handshake failure", "tls alert ...": every backend's spelling of an alert.
_ALERT = re.compile(r"(?:tlsv1[0-9]?|sslv3|tls)[ _]alert[ _]([A-Za-z][A-Za-z_ ]*)", re.I)


def alert_reason(text):
    """The TLS alert an OpenSSL message reports, as a reason (``"certificate_required"``).

    The same name on every backend (RFC 8446 section 6.2 spelling); None if no alert.
    """
    match = _ALERT.search(text)
    if match is None:
        return None
    return re.sub(r"[ _]+", "_", match.group(1).strip(" _")).lower()
