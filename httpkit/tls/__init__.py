"""httpkit.tls: the PEP 543 Unified TLS API, as buffers any front-end can drive.

Backends (each a :class:`Backend`):

- ``"stdlib"``: ``ssl.MemoryBIO`` + ``SSLObject`` (Python 3; default there).
- ``"socketpair"``: stdlib only, for Python 2.7 which has no MemoryBIO: an
  ``ssl``-wrapped end of a socketpair pumped as a buffer (default on 2.7).
- ``"openssl"``: pyOpenSSL memory BIOs (optional extra; 2.7 and 3.x).

``backend(name)`` returns one; ``default_backend()`` the interpreter's default.
"""
from __future__ import absolute_import, division, print_function

import importlib

from .._compat import PY2
from ._api import (  # noqa: F401
    DEFAULT_CIPHER_LIST, Backend, CertificateExpiredError, CertificateVerificationError,
    Certificate, CipherSuite, ClientContext, ConfigurationError, HandshakeError,
    HostnameMismatchError, NextProtocol, PrivateKey, ProtocolVersionError, RaggedEOF,
    SelfSignedCertificateError, ServerContext, TLSConfiguration, TLSError, TLSVersion,
    TLSWrappedBuffer, TrustStore, UnknownCAError, WantReadError, WantWriteError,
)
from ._hostname import InvalidHostname  # noqa: F401

# PEP 748 names, where they mean the same thing.
TLSBuffer = TLSWrappedBuffer
TLSClientConfiguration = TLSConfiguration
TLSServerConfiguration = TLSConfiguration

_BACKEND_MODULES = {
    "stdlib": "._stdlib",
    "socketpair": "._socketpair",
    "openssl": "._pyopenssl",
}
_ALIASES = {"memorybio": "stdlib", "pyopenssl": "openssl"}
# The httpkit extra that installs what a backend needs (named when it is missing).
_EXTRAS = {"openssl": "pyopenssl"}

DEFAULT_BACKEND_NAME = "socketpair" if PY2 else "stdlib"


class BackendUnavailable(ConfigurationError):
    """The named backend cannot run here (missing module or wrong Python)."""


def backend(name=None):
    """Return the Backend called ``name`` (``None``: this interpreter's default).

    Raises:
        BackendUnavailable: unknown name, or its requirements are missing.
    """
    if isinstance(name, Backend):
        return name
    name = _ALIASES.get(name, name) or DEFAULT_BACKEND_NAME
    try:
        modname = _BACKEND_MODULES[name]
    except KeyError:
        raise BackendUnavailable("unknown TLS backend %r (choose from %s)"
                                 % (name, ", ".join(sorted(_BACKEND_MODULES))))
    try:
        module = importlib.import_module(modname, __name__)
    except ImportError as exc:
        hint = ' (pip install "httpkit[%s]")' % _EXTRAS[name] if name in _EXTRAS else ""
        raise BackendUnavailable("TLS backend %r is not available here: %s%s" % (name, exc, hint))
    found = getattr(module, "BACKEND", None)
    if found is None:  # the module imports but cannot run here (e.g. no MemoryBIO on 2.7)
        raise BackendUnavailable("TLS backend %r cannot run on this Python" % (name,))
    return found


def default_backend():
    """Return this interpreter's default Backend."""
    return backend(None)


def available_backends():
    """Names of the backends that can run on this interpreter."""
    names = []
    for name in sorted(_BACKEND_MODULES):
        try:
            backend(name)
        except BackendUnavailable:
            continue
        names.append(name)
    return names
