"""Retries with urllib3's ``Retry`` semantics, computed, never slept.

Rules:
- :class:`Retry` *is* ``urllib3.util.retry.Retry`` (1.26 on 2.7, 2.x on
  3.x). Its counters, backoff and Retry-After parsing are used as they are:
  httpkit only shows it a small view of a response or an error and maps
  the outcome back to httpkit errors. The flow sleeps (``yield
  Sleep(delay)``); nothing here does.
- Errors are sorted the way urllib3 sorts them: *connect* errors (the
  request never left: ConnectTimeout, PoolTimeout, or any error the flow
  says happened before sending) are retried for every method; *read*
  errors (the server may have acted on the request: ReadTimeout, a dropped
  connection, a protocol error, a short body) only for the idempotent
  methods in ``retry.allowed_methods`` (``method_whitelist`` on old 1.26);
  SSLError is urllib3's *other* kind. DeadlineExceeded is never retried.
- Redirects are not retries: httpkit's redirect policy (``max_redirects``)
  follows them, so Retry's redirect counter is never used.
- Out of retries: after an error the original httpkit error is raised
  again; after a status, RetryError (``.response`` set), unless
  ``raise_on_status=False``, in which case :func:`should_retry_status` says
  False and the last response is returned to the caller.
"""
from __future__ import absolute_import, division, print_function

import re
import sys

from urllib3.util.retry import Retry

from ._compat import integer_types, reraise
from .exceptions import (ChunkedEncodingError, ConnectionError, ConnectTimeout,
                         DeadlineExceeded, PoolTimeout, RetryError, SSLError, Timeout)

__all__ = ["Retry", "retry_from", "next_retry", "should_retry_status", "is_retryable_error",
           "error_kind"]

_RETRYABLE = (ConnectionError, Timeout, ChunkedEncodingError)


class _ResponseView(object):
    """The few response attributes ``Retry`` reads (urllib3 1.26 and 2.x)."""

    def __init__(self, status, headers):
        self.status = status
        self.headers = headers

    def getheader(self, name, default=None):
        return self.headers.get(name, default)

    def get_redirect_location(self):
        return False  # redirects never reach Retry (see the module rules)


def retry_from(value):
    """Turn the user's ``retries=`` value into a Retry (or None for no retries).

    Args:
        value: None or False (no retries), an int ``n`` (``Retry(total=n,
            redirect=False)``: errors and Retry-After statuses are retried up
            to ``n`` times; redirects stay with ``max_redirects``), or a Retry
            (used as is).

    Returns:
        A Retry, or None.

    Raises:
        TypeError: any other type (including True: say how many).
        ValueError: a negative count.
    """
    if value is None or value is False:
        return None
    if isinstance(value, Retry):
        return value
    if value is True or not isinstance(value, integer_types):
        raise TypeError("retries must be None, an int or a urllib3 Retry, not %r" % (value,))
    if value < 0:
        raise ValueError("retries must not be negative (got %d)" % value)
    return Retry(total=value, redirect=False)


def error_kind(error, request_sent=None):
    """Sort ``error`` like urllib3: ``"connect"``, ``"read"``, ``"other"`` or None.

    Args:
        error: an httpkit error.
        request_sent: False when the flow knows no byte of the request was
            sent (then any error is a connect error); None when unknown.

    Returns:
        The kind, or None for errors that are never retried.
    """
    if not isinstance(error, _RETRYABLE) or isinstance(error, DeadlineExceeded):
        return None
    if isinstance(error, (ConnectTimeout, PoolTimeout)) or request_sent is False:
        return "connect"
    if isinstance(error, SSLError):
        return "other"
    return "read"


def _urllib3_error(kind, error):
    from urllib3 import exceptions
    cls = {"connect": exceptions.ConnectTimeoutError, "read": exceptions.ProtocolError,
           "other": exceptions.HTTPError}[kind]
    return cls(str(error))


def _increment(retry, method, url, response=None, error=None):
    """``retry.increment(...)``, or None when urllib3 says stop."""
    from urllib3.exceptions import MaxRetryError
    try:
        return retry.increment(method=method, url=_redact(url), response=response, error=error)
    except MaxRetryError:
        return None
    except Exception as exc:  # Retry re-raises the error it was given to mean "don't retry"
        if error is not None and exc is error:
            return None
        raise


def _redact(url):
    return None if url is None else re.sub(r"//[^/@]*@", "//", str(url))


def is_retryable_error(retry, method, error, request_sent=None):
    """Tell whether ``error`` would be retried (counters not exhausted, method allowed).

    Args:
        retry: a Retry or None.
        method: the request method.
        error: the httpkit error raised.
        request_sent: see :func:`error_kind`.

    Returns:
        True if :func:`next_retry` would return rather than raise.
    """
    kind = error_kind(error, request_sent)
    if retry is None or kind is None:
        return False
    return _increment(retry, method, None, error=_urllib3_error(kind, error)) is not None


def should_retry_status(retry, method, status, headers):
    """Tell whether a response with ``status`` should be retried.

    Uses ``Retry.is_retry`` (``status_forcelist``; 413/429/503 with a
    Retry-After when ``respect_retry_after_header``; allowed methods). With
    ``raise_on_status=False`` an exhausted Retry answers False, so the last
    response goes back to the caller instead of a RetryError.

    Args:
        retry: a Retry or None.
        method: the request method.
        status: the response status code.
        headers: the response Headers.

    Returns:
        True when the flow should call :func:`next_retry`.
    """
    if retry is None:
        return False
    if not retry.is_retry(method, status, bool(headers.get("Retry-After"))):
        return False
    if retry.raise_on_status:
        return True
    return _increment(retry, method, None, response=_ResponseView(status, headers)) is not None


def next_retry(retry, method, url, response=None, error=None, request_sent=None):
    """Count one retry and say how long to wait before it.

    Call it from the ``except`` block (for an error) so 2.7 keeps the
    original traceback when the error is raised again.

    Args:
        retry: the current Retry (None means no retries).
        method: the request method.
        url: the request URL (credentials are removed before Retry sees it).
        response: the Response being retried (for a status), or None.
        error: the httpkit error being retried, or None.
        request_sent: see :func:`error_kind`.

    Returns:
        ``(new_retry, delay_seconds)``: Retry-After when honoured (statuses
        only, as in urllib3), else ``new_retry.get_backoff_time()``; a delay of
        None means the server asked for more than :data:`MAX_RETRY_AFTER`:
        the response is the answer.

    Raises:
        the original ``error``: it is not retryable or retries are exhausted.
        RetryError: retries are exhausted on a status (``.response`` set).
    """
    if error is not None:
        tb = sys.exc_info()[2] if sys.exc_info()[1] is error \
            else getattr(error, "__traceback__", None)
        kind = error_kind(error, request_sent)
        new = None
        if retry is not None and kind is not None:
            new = _increment(retry, method, url, error=_urllib3_error(kind, error))
        if new is None:
            reraise(type(error), error, tb)
        return new, new.get_backoff_time()
    view = _ResponseView(response.status_code, response.headers)
    new = None if retry is None else _increment(retry, method, url, response=view)
    if new is None:
        raise RetryError("Retries exhausted for %s %s: the server kept answering %d (%r)"
                         % (method, _redact(url), response.status_code, retry),
                         response=response)
    return new, _delay(new, view)


#: The longest Retry-After httpkit waits for; a server asking for more gets its response
#: handed to the caller instead (a hostile or confused server must not park a call for days).
MAX_RETRY_AFTER = 300.0


def _delay(retry, view):
    """urllib3's ``Retry.sleep(response)`` choice, returned instead of slept.

    None: the Retry-After is longer than :data:`MAX_RETRY_AFTER` (do not retry).
    """
    if retry.respect_retry_after_header:
        try:
            seconds = retry.get_retry_after(view)
        except Exception:  # urllib3's InvalidHeader: an unparsable Retry-After is ignored
            seconds = None
        if seconds:
            return seconds if seconds <= MAX_RETRY_AFTER else None
    return retry.get_backoff_time()
