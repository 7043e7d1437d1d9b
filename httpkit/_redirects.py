"""Redirect policy: build the next request for one 3xx hop.

Rules (requests' behaviour unless noted):
- The Location is resolved against the request URL (relative and
  protocol-relative forms; the fragment is kept when the Location has none,
  RFC 9110 section 10.2.2). A Location that is not an http(s) URL or holds
  control characters raises an InvalidURL-family error naming it.
- Method: 303 becomes GET (HEAD stays HEAD); 302 becomes GET for every
  method but HEAD (what browsers and requests do); 301 turns POST into GET;
  307 and 308 keep the method and the body.
- The body is kept only for 307/308; it must then be replayed, so it is
  rewound through the caller's ``rewind_body``; a one-shot iterator raises
  UnrewindableBodyError. When the body is dropped, Content-Length,
  Content-Type and Transfer-Encoding go too.
- Credentials never leak: Authorization is dropped whenever the origin
  changes, except http -> https on the same host with default ports
  (requests' ``should_strip_auth``); https -> http always drops it.
  Proxy-Authorization, Cookie and a user Host header are dropped on any
  origin change. Credentials in the Location itself (``http://u:p@host/``)
  are Basic auth for that hop, never kept in the URL.
- Cookies set by the redirect response are stored in the jar first; when a
  jar is given the Cookie header is rebuilt from it for the new URL.
"""
from __future__ import absolute_import, division, print_function

import re

from ._compat import PY2, binary_type, text_type
from ._models import PreparedRequest
from .exceptions import InvalidSchema, InvalidURL, TooManyRedirects, UnrewindableBodyError

__all__ = ["DEFAULT_MAX_REDIRECTS", "REDIRECT_STATUSES", "is_redirect", "redirect_location",
           "redirect_method", "should_strip_auth", "redirect_request", "check_redirect_count"]

DEFAULT_MAX_REDIRECTS = 30
REDIRECT_STATUSES = frozenset((301, 302, 303, 307, 308))
_BODY_KEEPING = frozenset((307, 308))
_BODY_HEADERS = ("Content-Length", "Content-Type", "Transfer-Encoding")
_ORIGIN_HEADERS = ("Proxy-Authorization", "Cookie", "Host")
_CONTROL = re.compile(u"[\x00-\x1f\x7f]")
_USERINFO = re.compile(u"//[^/?#@]*@")  # credentials in a Location, never shown


def redirect_location(response):
    """Return the Location of ``response`` as text, or None when it has none.

    Servers often send UTF-8 in Location; the header arrives as latin-1 text,
    so it is re-decoded as UTF-8 when that works (requests does the same).
    """
    location = response.headers.get("location")
    if not location:
        return None
    if PY2:
        raw = location if isinstance(location, binary_type) else location.encode("latin-1")
    else:
        raw = location.encode("latin-1", "replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return location if isinstance(location, text_type) else raw.decode("latin-1")


def is_redirect(response):
    """Tell whether ``response`` is a redirect httpkit would follow.

    Returns:
        True for 301, 302, 303, 307 and 308 with a non-empty Location.
    """
    return response.status_code in REDIRECT_STATUSES and bool(response.headers.get("location"))


def redirect_method(method, status_code):
    """Return the method to use after a ``status_code`` redirect (requests' rules)."""
    if status_code in (302, 303) and method != "HEAD":
        return "GET"
    if status_code == 301 and method == "POST":
        return "GET"
    return method


def should_strip_auth(old_url, new_url):
    """Tell whether Authorization must be dropped going from ``old_url`` to ``new_url``.

    Args:
        old_url, new_url: :class:`httpkit._urls.URL` objects.

    Returns:
        False only for the same origin, or http -> https on the same host
        with both ports the defaults.
    """
    if old_url.host != new_url.host:
        return True
    if (old_url.scheme, old_url.port, new_url.scheme, new_url.port) == ("http", 80, "https", 443):
        return False
    return old_url.origin != new_url.origin


def _resolve(request, response, location):
    if _CONTROL.search(location):
        raise InvalidURL("Redirect Location %r contains control characters" % (location,),
                         request=request, response=response)
    try:
        url = request.parsed_url.join(location)
    except InvalidURL as exc:
        raise type(exc)("Redirect to an invalid Location %r: %s" % (location, exc),
                        request=request, response=response)
    if not url.is_http:  # any scheme parses; a redirect may only lead to http(s)
        raise InvalidSchema("Redirect to a Location that is not http(s): %r" % (location,),
                            request=request, response=response)
    return url


def _replay_body(request, new_request, rewind_body, status):
    body = request.body
    if rewind_body is not None:
        try:
            replaced = rewind_body(new_request)
        except UnrewindableBodyError:
            raise UnrewindableBodyError(
                "A %d redirect must resend the %s body to %s, but the body is a one-shot %s "
                "that was already sent (pass bytes or a seekable file to follow 307/308)"
                % (status, new_request.method, _clip(str(new_request.parsed_url)),
                   type(body).__name__), request=request)
        if replaced is not None:
            new_request.body = replaced
        return
    if body is None or isinstance(body, (binary_type, text_type, list, tuple)):
        return
    raise UnrewindableBodyError(
        "A %d redirect must resend the %s body, but it is a one-shot %s and no "
        "rewind_body was given" % (status, new_request.method, type(body).__name__),
        request=request)


def _strip_for_new_origin(request, headers, new_url):
    old_url = request.parsed_url
    if should_strip_auth(old_url, new_url):
        headers.pop("Authorization", None)
    if old_url.origin != new_url.origin:
        for name in _ORIGIN_HEADERS:
            headers.pop(name, None)


def _use_location_credentials(headers, url):
    """Credentials in the Location become Basic auth for that hop; return the URL without them.

    They never stay in the URL (``r.url``, ``r.history``, logs). Like any
    Authorization they are dropped at the next change of origin.
    """
    from ._auth import basic_auth_header
    headers["Authorization"] = basic_auth_header(url.username, url.password or "")
    return url.without_auth()


def redirect_request(request, response, cookie_jar=None, rewind_body=None):
    """Build the request for the next hop of a redirect.

    Args:
        request: the PreparedRequest that got ``response``.
        response: a redirect (see :func:`is_redirect`).
        cookie_jar: the jar to store the response's cookies in and to take
            the new request's Cookie header from (None: no cookie handling).
        rewind_body: called as ``rewind_body(new_request)`` when a 307/308
            must resend the body; it rewinds the body in place (returning
            None) or returns a replacement body, and raises
            UnrewindableBodyError when it cannot. Without it, only None,
            bytes, text, lists and tuples can be resent.

    Returns:
        A new PreparedRequest; ``request`` is not changed.

    Raises:
        InvalidURL (or a subclass): the Location is not a usable http(s) URL.
        UnrewindableBodyError: the body must be resent but cannot be.
    """
    location = redirect_location(response)
    if location is None:
        raise InvalidURL("Response %d has no Location to redirect to" % response.status_code,
                         request=request, response=response)
    new_url = _resolve(request, response, location)
    if cookie_jar is not None:
        from ._cookies import extract_cookies
        extract_cookies(cookie_jar, response)
    headers = request.headers.copy()
    _strip_for_new_origin(request, headers, new_url)
    if new_url.username is not None:
        new_url = _use_location_credentials(headers, new_url)
    method = redirect_method(request.method, response.status_code)
    keep_body = response.status_code in _BODY_KEEPING
    if not keep_body:
        for name in _BODY_HEADERS:
            headers.pop(name, None)
    new_request = PreparedRequest(method, new_url, headers,
                                  request.body if keep_body else None,
                                  request.body_length if keep_body else None, request.hooks)
    if keep_body:
        new_request._body_start = request._body_start
        _replay_body(request, new_request, rewind_body, response.status_code)
    if cookie_jar is not None:
        new_request.headers.pop("Cookie", None)
        from ._cookies import add_cookie_header
        add_cookie_header(cookie_jar, new_request)
    return new_request


def check_redirect_count(history, max_redirects, response):
    """Raise TooManyRedirects when following ``response`` would exceed the limit.

    Args:
        history: the redirect responses followed so far.
        max_redirects: the limit (e.g. :data:`DEFAULT_MAX_REDIRECTS`).
        response: the redirect about to be followed.

    Raises:
        TooManyRedirects: ``len(history) >= max_redirects``; the message shows
            the last URLs so a loop is easy to spot; ``.response`` is set.
    """
    if len(history) < max_redirects:
        return
    chain = [_shown(r) for r in list(history)[-3:]] + [_shown(response)]
    location = _USERINFO.sub(u"//", redirect_location(response) or u"", 1)
    raise TooManyRedirects("Exceeded %d redirects (last hops: %s -> %s)"
                           % (max_redirects, " -> ".join(chain), _clip(location)),
                           response=response)


def _shown(response):
    request = response.request
    url = request.parsed_url.without_auth() if request is not None else response.url
    return "%s %s" % (response.status_code, _clip(str(url)))


def _clip(text, limit=100):
    """A URL short enough for a message (a loop can grow it on every hop)."""
    text = "%s" % (text,)
    return text if len(text) <= limit else text[:limit - 3] + "..."
