"""Debug logging for every front-end, on the stdlib ``logging`` logger "httpkit".

Rules:
- Free when unused: httpkit never imports ``logging`` itself. A program that
  has not imported it cannot have asked for DEBUG records, so :func:`debug`
  returns None and nothing is formatted.
- Never a secret: URLs are logged without user info (httpkit takes it out of
  every URL it sends) and no header value is ever logged.
- DEBUG, one line per event: connection opened (TLS version and cipher),
  response received, redirect followed, retry scheduled, stale connection replaced,
  cache hits and stores. WARNING only for what httpkit recovered from on its
  own (a cache entry it could not use).
"""
from __future__ import absolute_import, division, print_function

import sys

__all__ = ["debug", "warning"]

_LOGGER = []


def debug():
    """Return the "httpkit" logger if it emits DEBUG records now, else None.

    Call sites read ``log = debug()`` then ``if log: log.debug(...)``.
    """
    logging = sys.modules.get("logging")
    if logging is None:
        return None
    if not _LOGGER:
        _LOGGER.append(logging.getLogger("httpkit"))
    log = _LOGGER[0]
    return log if log.isEnabledFor(logging.DEBUG) else None


def warning(msg, *args):
    """Log a WARNING on the "httpkit" logger, if ``logging`` is in use (never raises)."""
    logging = sys.modules.get("logging")
    if logging is None:
        return
    try:
        logging.getLogger("httpkit").warning(msg, *args)
    except Exception:  # noqa: BLE001 - logging must not fail a request
        pass


def describe_tls(conn):
    """``"TLSv1.3 TLS_AES_256_GCM_SHA384"`` for the connection's outermost TLS layer."""
    if not conn.layers:
        return "plain TCP"
    buf = conn.layers[-1]
    version, cipher = buf.negotiated_tls_version, buf.cipher()
    return "%s %s" % (getattr(version, "value", version), getattr(cipher, "name", cipher))
