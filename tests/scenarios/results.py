"""Plain snapshots of what a front-end returned or raised (2.7 and 3.x).

Adapters build these so scenarios never touch a front-end's objects:
:func:`result_from_response` takes an httpkit ``Response`` whose body has been
read (``response.content`` works without I/O), :func:`result_from_error` the
exception a call raised. Both are shared by every adapter, so a snapshot means
the same thing whichever front-end produced it.
"""
from __future__ import absolute_import, division, print_function

import json

import httpkit

__all__ = ["Result", "StreamResult", "result_from_response", "result_from_error",
           "fill_error", "warning_names"]


def _lower_headers(headers):
    out = {}
    for name, value in headers.raw_items():
        key = name.lower()
        out[key] = out[key] + ", " + value if key in out else value
    return out


def _cookie_dict(jar):
    if jar is None:
        return {}
    try:
        return dict((c.name, c.value) for c in jar)
    except TypeError:
        return dict(jar)


def warning_names(records):
    """Class names of caught ``warnings`` records."""
    return [r.category.__name__ for r in records]


class Result(object):
    """What one request gave back (attributes are plain values).

    Attributes:
        status, reason, url, http_version: of the final response.
        headers: ``{lower-case name: ", "-joined value}``; header_list: ``[(name, value)]``.
        body: bytes (decoded content); text: ``response.text``.
        json / json_error: ``response.json()`` or the class name it raised.
        json_error_fields: ``(is a json.JSONDecodeError on 3.x, .msg, .doc, .pos)``.
        encoding, apparent_encoding, ok, links, elapsed (seconds, float).
        history: ``[(status, url)]`` of earlier responses (redirects, auth challenges).
        history_lengths: ``len(h.history)`` of each response in ``history``.
        history_cookies: ``{name: value}`` of each ``h.cookies`` in ``history``.
        cookies: ``{name: value}`` of ``response.cookies``.
        next_url: ``response.next.url`` (a redirect not followed), or None.
        first_chunk: the first piece ``iter(response)`` yields (b"" for an empty body).
        request_headers: headers of the final request, as a lower-cased dict.
        raise_for_status: the class name ``raise_for_status()`` raised, or None.
        error, error_mro, error_message, error_reason: when the call raised: the
            httpkit exception's class name, its class names up the MRO, ``str()``,
            and ``.reason`` (SSLError); all None/[] otherwise.
        error_request: ``(method, url)`` of the error's ``.request``, or None.
        error_history: ``[(status, url)]`` of ``error.response.history`` (TooManyRedirects).
        error_response: ``(status, Location header or None)`` of ``error.response``, or None.
        warnings: class names of warnings emitted during the call.
        from_cache, cache_status: ``response.from_cache`` and ``.cache_status``.
    """

    status = reason = url = http_version = None
    body = b""
    text = u""
    json = json_error = json_error_fields = encoding = apparent_encoding = None
    next_url = None
    first_chunk = b""
    ok = None
    elapsed = None
    raise_for_status = None
    error = error_message = error_reason = error_request = error_response = None
    from_cache = False
    cache_status = None

    def __init__(self):
        self.headers = {}
        self.header_list = []
        self.history = []
        self.history_lengths = []
        self.history_cookies = []
        self.error_history = []
        self.cookies = {}
        self.links = {}
        self.request_headers = {}
        self.error_mro = []
        self.warnings = []

    @property
    def raised(self):
        return self.error is not None

    def is_error(self, name):
        """True if the call raised ``name`` or a subclass of it."""
        return name in self.error_mro

    def __repr__(self):
        if self.error:
            return "<Result raised %s: %s>" % (self.error, self.error_message)
        return "<Result %s %s body=%r...>" % (self.status, self.url, self.body[:200])


class StreamResult(Result):
    """A streamed response: ``chunks`` (bytes pieces or lines) as iterated.

    Attributes (besides Result's, where ``body`` is ``b"".join(chunks)``):
        chunks: what iter_content()/iter_lines() yielded, in order.
        complete: the iteration ran to its end (not stopped by max_chunks).
        reread_error: class name raised when iterating a second time, or None.
    """

    complete = False
    reread_error = None

    def __init__(self):
        super(StreamResult, self).__init__()
        self.chunks = []


def fill_error(result, exc):
    """Record ``exc`` on ``result`` (class name, MRO names, message, TLS reason)."""
    result.error = type(exc).__name__
    result.error_mro = [c.__name__ for c in type(exc).__mro__]
    result.error_message = str(exc)
    result.error_reason = getattr(exc, "reason", None) if isinstance(exc, httpkit.SSLError) \
        else None
    request = getattr(exc, "request", None)
    result.error_request = None if request is None else (request.method, request.url)
    response = getattr(exc, "response", None)
    result.error_history = [(h.status_code, h.url) for h in getattr(response, "history", ())]
    if response is not None:
        result.error_response = (response.status_code, response.headers.get("location"))
    return result


def result_from_error(exc, warnings=()):
    result = fill_error(Result(), exc)
    result.warnings = list(warnings)
    return result


def fill_response(result, response):
    """Copy everything but the body-derived fields from ``response``."""
    result.status = response.status_code
    result.reason = response.reason
    result.url = response.url
    result.http_version = response.http_version
    result.headers = _lower_headers(response.headers)
    result.header_list = response.headers.raw_items()
    result.history = [(h.status_code, h.url) for h in response.history]
    result.history_lengths = [len(h.history) for h in response.history]
    result.history_cookies = [_cookie_dict(h.cookies) for h in response.history]
    result.cookies = _cookie_dict(response.cookies)
    result.next_url = response.next.url if response.next is not None else None
    result.ok = response.ok
    result.links = response.links
    result.elapsed = response.elapsed.total_seconds()
    result.from_cache = response.from_cache
    result.cache_status = response.cache_status
    if response.request is not None:
        result.request_headers = _lower_headers(response.request.headers)
    try:
        response.raise_for_status()
    except httpkit.HTTPError as exc:
        result.raise_for_status = type(exc).__name__
    return result


def result_from_response(response, warnings=()):
    """Snapshot a response whose body has been read."""
    result = fill_response(Result(), response)
    result.body = response.content
    result.text = response.text
    result.encoding = response.encoding
    result.apparent_encoding = response.apparent_encoding
    result.first_chunk = next(iter(response), b"")
    try:
        result.json = response.json()
    except ValueError as exc:
        result.json_error = type(exc).__name__
        result.json_error_fields = (isinstance(exc, getattr(json, "JSONDecodeError", ())),
                                    getattr(exc, "msg", None), getattr(exc, "doc", None),
                                    getattr(exc, "pos", None))
    result.warnings = list(warnings)
    return result
