"""Request settings as values: timeouts and TLS (verify/cert) settings.

Rules:
- Timeouts are never infinite by default: ``DEFAULT_TIMEOUT`` is connect 10 s,
  read 30 s, write 30 s, pool 30 s and no total deadline. ``timeout=5`` sets
  connect and read like requests (and write and pool too); ``(3, 27)`` is
  (connect, read); ``None`` disables them (explicitly, never by accident).
- ``verify`` and ``cert`` map onto httpkit.tls: ``True`` = certifi, a path =
  a CA file or hashed directory, ``"system"`` = the OS store, a TrustStore as
  is, ``False`` = no verification (a warning is issued). Environment
  variables never change ``verify``; ``verify=False`` always means False.
"""
from __future__ import absolute_import, division, print_function

import threading

from ._compat import string_types

__all__ = ["Timeouts", "DEFAULT_TIMEOUT", "TLSSettings"]

_UNSET = object()


class Timeouts(object):
    """Timeouts in seconds per phase, plus an optional total deadline.

    Args:
        timeout: default for every phase not given explicitly.
        connect: TCP connect plus TLS handshake.
        read: the longest wait for any bytes from the server.
        write: the longest wait to send any bytes.
        pool: the longest wait for a free connection slot.
        total: deadline for the whole request, redirects and retries included.
    """

    __slots__ = ("connect", "read", "write", "pool", "total")

    def __getstate__(self):  # pickle protocols 0/1 (2.7's default) need it with __slots__
        return dict((name, getattr(self, name)) for name in self.__slots__ if hasattr(self, name))

    def __setstate__(self, state):
        for name, value in state.items():
            setattr(self, name, value)

    def __init__(self, timeout=_UNSET, connect=_UNSET, read=_UNSET, write=_UNSET,
                 pool=_UNSET, total=None):
        if isinstance(timeout, Timeouts):
            base = timeout
            self.connect, self.read, self.write, self.pool = (
                base.connect, base.read, base.write, base.pool)
            self.total = base.total if total is None else total
        else:
            default = None if timeout is _UNSET else timeout
            self.connect = default if connect is _UNSET else connect
            self.read = default if read is _UNSET else read
            self.write = default if write is _UNSET else write
            self.pool = default if pool is _UNSET else pool
            self.total = total
            if timeout is _UNSET and all(v is _UNSET for v in (connect, read, write, pool)):
                raise TypeError("Timeouts() needs a default or explicit phases; "
                                "use Timeouts(None) for no timeouts")
        for name in ("connect", "read", "write", "pool", "total"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError("timeout %s must be >= 0 or None, not %r" % (name, value))

    @classmethod
    def coerce(cls, value, default):
        """Turn requests-style ``timeout=`` values into a Timeout."""
        if value is _UNSET:
            return default
        if isinstance(value, Timeouts):
            return value
        if isinstance(value, tuple):
            if len(value) != 2:
                raise ValueError("timeout tuples are (connect, read), got %r" % (value,))
            return cls(connect=value[0], read=value[1], write=value[1], pool=default.pool)
        return cls(value)

    def __eq__(self, other):
        return isinstance(other, Timeouts) and all(
            getattr(self, k) == getattr(other, k) for k in self.__slots__)

    def __ne__(self, other):
        return not self == other

    def __repr__(self):
        return "Timeouts(connect=%r, read=%r, write=%r, pool=%r, total=%r)" % (
            self.connect, self.read, self.write, self.pool, self.total)


DEFAULT_TIMEOUT = Timeouts(connect=10.0, read=30.0, write=30.0, pool=30.0)
UNSET = _UNSET


class TLSSettings(object):
    """Builds (and caches) one httpkit.tls ClientContext per verify/cert choice."""

    def __init__(self, backend=None):
        self._backend_name = backend
        self._backend = None
        self._contexts = {}
        self._lock = threading.Lock()

    @property
    def backend(self):
        if self._backend is None:
            from . import tls
            self._backend = tls.backend(self._backend_name)
        return self._backend

    def context_for(self, verify, cert):
        """Return the ClientContext for a request's ``verify`` and ``cert``."""
        key = (verify if isinstance(verify, (bool,) + string_types) or verify is None
               else id(verify), cert if not isinstance(cert, list) else tuple(cert))
        ctx = self._contexts.get(key)
        if ctx is None:
            with self._lock:
                ctx = self._contexts.get(key)
                if ctx is None:
                    config = build_tls_configuration(verify, cert)
                    ctx = self.backend.client_context(config)
                    self._contexts[key] = ctx
        return ctx


def build_tls_configuration(verify, cert):
    """Map requests-style ``verify``/``cert`` to a TLSConfiguration."""
    import os
    from . import tls
    alpn = (tls.NextProtocol.HTTP1,)
    if verify is False:
        config = tls.TLSConfiguration(validate_certificates=False, inner_protocols=alpn)
    elif verify is True or verify is None:
        config = tls.TLSConfiguration(trust_store=tls.TrustStore.certifi(), inner_protocols=alpn)
    elif isinstance(verify, tls.TrustStore):
        config = tls.TLSConfiguration(trust_store=verify, inner_protocols=alpn)
    elif verify == "system":
        config = tls.TLSConfiguration(trust_store=tls.TrustStore.system(), inner_protocols=alpn)
    elif isinstance(verify, string_types):
        if not os.path.exists(verify):
            raise IOError("Could not find a CA bundle at %r (verify=)" % (verify,))
        config = tls.TLSConfiguration(trust_store=tls.TrustStore.from_file(verify),
                                      inner_protocols=alpn)
    else:
        raise TypeError("verify must be True, False, a path, 'system' or a TrustStore")
    if cert:
        config = config.update(certificate_chain=_chain(cert))
    return config


def _chain(cert):
    from . import tls
    password = None
    if isinstance(cert, string_types):
        certfile, keyfile = cert, cert
    elif len(cert) == 2:
        certfile, keyfile = cert
    elif len(cert) == 3:
        certfile, keyfile, password = cert
    else:
        raise ValueError("cert must be a path, (cert, key) or (cert, key, password)")
    return ((tls.Certificate.from_file(certfile),),
            tls.PrivateKey.from_file(keyfile, password=password))
