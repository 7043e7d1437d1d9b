"""Size limits of a request head httpkit sends, checked before a connection is opened.

Rules:
- Every part of the head has a limit, and a part over it is refused with
  the error of that part (InvalidURL for the request target, InvalidMethod
  for the method, InvalidHeader for a header line or the whole head), its
  message naming the part, its size and the limit. Nothing is sent.
- The limits are generous on purpose: a client must not refuse what some
  server accepts. nginx refuses a request line or a header line over 8 KiB
  (``large_client_header_buffers``), Apache a field over 8190 bytes, Node
  16 KiB of head; Go accepts 1 MiB (``DefaultMaxHeaderBytes``). So one line
  (request line or header field) may be up to 64 KiB and the whole head up
  to 1 MiB: past that no common server accepts it, and the request is a
  runaway (a loop appending to a URL or a cookie) rather than a request.
- Characters are checked where each part is built (``_models.check_header``,
  ``check_method``, ``_urls.URL``, ``_cookies.check_cookie``); this module
  only measures. Sizes are counted in characters of native str, which is
  bytes on the wire (heads are Latin-1, targets ASCII).
"""
from __future__ import absolute_import, division, print_function

from .exceptions import InvalidHeader, InvalidMethod, InvalidURL

__all__ = ["MAX_REQUEST_LINE", "MAX_HEADER_LINE", "MAX_REQUEST_HEAD", "check_header_line",
           "check_request_head"]

#: The request line (method, target and " HTTP/1.1"), in bytes.
MAX_REQUEST_LINE = 64 * 1024
#: One header field line ("Name: value"), in bytes.
MAX_HEADER_LINE = 64 * 1024
#: The whole request head (request line and every header line with its CRLF), in bytes.
MAX_REQUEST_HEAD = 1024 * 1024

_LINE_END = len(" HTTP/1.1\r\n")
_HINTS = {"cookie": " (the cookies sent to this URL, from cookies= and the Session's jar)",
          "authorization": " (the auth= credentials or the user name and password in the URL)",
          "proxy-authorization": " (the user name and password in the proxy URL)"}


def check_header_line(name, value):
    """Raise InvalidHeader if ``name: value`` is longer than :data:`MAX_HEADER_LINE`."""
    size = len(name) + len(value) + 2
    if size > MAX_HEADER_LINE:
        raise InvalidHeader("Header %r is too long: %d bytes on its line%s, over httpkit's "
                            "limit of %d (httpkit._head_limits.MAX_HEADER_LINE)"
                            % (_short(name), size, _HINTS.get(name.lower(), ""),
                               MAX_HEADER_LINE))


def check_request_head(method, target, headers):
    """Raise the error of the part that makes the request head too long.

    Args:
        method: the method (native str).
        target: the request-target (native str: path and query, or the
            absolute URL sent to a proxy).
        headers: ``[(name, value), ...]`` of native str, every field sent.

    Raises:
        InvalidMethod, InvalidURL: the request line is over MAX_REQUEST_LINE
            (the method when it is the longer part, else the target).
        InvalidHeader: a header line is over MAX_HEADER_LINE, or the whole
            head over MAX_REQUEST_HEAD.
    """
    line = len(method) + 1 + len(target) + _LINE_END
    if line > MAX_REQUEST_LINE:
        _line_too_long(method, target, line)
    total = line + 2  # and the blank line
    for name, value in headers:
        size = len(name) + len(value) + 2
        if size > MAX_HEADER_LINE:
            check_header_line(name, value)
        total += size + 2
    if total > MAX_REQUEST_HEAD:
        raise InvalidHeader("The request head is too long: about %d bytes, over httpkit's "
                            "limit of %d (httpkit._head_limits.MAX_REQUEST_HEAD); the largest "
                            "fields: %s" % (total, MAX_REQUEST_HEAD, _largest(headers)))


def _line_too_long(method, target, size):
    if len(method) > len(target):
        raise InvalidMethod("Method %r is too long: the request line would be %d bytes, over "
                            "httpkit's limit of %d (httpkit._head_limits.MAX_REQUEST_LINE)"
                            % (_short(method), size, MAX_REQUEST_LINE))
    raise InvalidURL("URL too long: the request target %r is %d bytes (path and query, "
                     "params included), over httpkit's limit of %d for the request line "
                     "(httpkit._head_limits.MAX_REQUEST_LINE)"
                     % (_short(target), len(target), MAX_REQUEST_LINE))


def _largest(headers):
    sizes = sorted(((len(n) + len(v), n) for n, v in headers), reverse=True)[:3]
    return ", ".join("%s (%d bytes)" % (name, size) for size, name in sizes)


def _short(text):
    return text if len(text) <= 60 else text[:40] + "..." + text[-10:]
