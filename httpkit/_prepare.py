"""Building the request to send: requests' ``Request`` and ``prepare()``.

Rules:
- ONE builder, :func:`prepare`, serves ``Session.request()``,
  ``Request.prepare()`` and ``Session.prepare_request()``: the URL (credentials
  taken out of it), params, headers, and the body with its framing headers.
- Auth and per-request cookies ride on the PreparedRequest and are applied
  when it is sent, hop by hop, so a redirect to another origin drops them and
  a Digest challenge can be answered. (An explicit ``prepare()`` also writes
  Basic auth into the headers, as requests does: the same value.)
- Merging follows requests: request values win; a header or param set to
  ``None`` removes the base one (and a Session header set to ``None`` is
  never sent).
- When files are read: an explicit ``prepare()`` reads ``files=`` into a
  bytes body (requests does), so it can be sent after the files are closed;
  a call that sends at once streams them, unless the multipart body is at
  most :data:`SMALL_MULTIPART`. A ``data=`` file is always streamed when sent.
- ``PreparedRequest()`` can be filled step by step (:func:`fill`,
  ``prepare_method``... as in requests).
"""
from __future__ import absolute_import, division, print_function

from . import _bodies
from ._compat import string_types, text_type
from ._models import Headers, PreparedRequest, check_method
from ._urls import URL

__all__ = ["Request", "prepare", "fill", "prepare_auth"]

_BODY_METHODS = frozenset(("POST", "PUT", "PATCH"))
#: A multipart body up to this size is read at once even by calls that send at once:
#: copying it costs next to nothing, and ``r.request.body`` is then bytes, as in requests.
SMALL_MULTIPART = 1024 * 1024


def prepare(method, url, params=None, data=None, json=None, files=None, headers=None,
            base_headers=None, base_params=None, materialize=False):
    """Build the PreparedRequest for a call.

    Args:
        method, url, params, data, json, files, headers: as in ``requests.request``.
        base_headers, base_params: a Session's, merged under the call's.
        materialize: read a multipart body (``files=``) into bytes now, as an
            explicit ``prepare()`` does (requests reads files there); calls
            that send at once stream it instead, unless it is at most
            :data:`SMALL_MULTIPART` bytes.

    Returns:
        The PreparedRequest; credentials found in the URL are on its
        ``_url_auth`` (used when no other auth applies), not in its URL.

    Raises:
        InvalidURL, MissingSchema, InvalidHeader...: before anything is sent.
        ValueError: ``files=`` with ``data=`` that is not form fields.
    """
    request = PreparedRequest()
    prepare_method(request, method)
    prepare_url(request, url, params, base_params)
    prepare_headers(request, headers, base_headers)
    prepare_body(request, data, files, json, materialize)
    return request


def fill(request, method=None, url=None, headers=None, files=None, data=None, params=None,
         auth=None, cookies=None, hooks=None, json=None):
    """Fill ``request`` from requests' ``PreparedRequest.prepare()`` arguments.

    Files are read now (see :func:`prepare`'s ``materialize``); auth and
    cookies are kept on the request and applied when it is sent.
    """
    prepare_method(request, method)
    prepare_url(request, url, params)
    prepare_headers(request, headers)
    prepare_body(request, data, files, json, True)
    prepare_auth(request, auth)
    request.cookies = cookies
    request.hooks = dict(hooks or {})
    return request


def prepare_auth(request, auth):
    """Keep ``auth`` on the request; Basic credentials also go into its headers.

    requests writes ``Authorization: Basic`` in ``prepare()``; httpkit does
    too for Basic (the value is the same when it is applied again as the
    request is sent, and dropped on a redirect to another origin). Other
    auth (Digest, custom flows) needs the exchange, so it is applied when sent.
    """
    from ._auth import BasicAuth, basic_auth_header
    request.auth = auth
    if isinstance(auth, (tuple, list)) and len(auth) == 2:
        request.headers["Authorization"] = basic_auth_header(auth[0], auth[1])
    elif isinstance(auth, BasicAuth):
        request.headers["Authorization"] = auth._header


def prepare_method(request, method):
    """Set the method, upper-cased (None stays None, as in requests).

    Raises:
        InvalidMethod: ``method`` is not an RFC 9110 token (a ValueError).
    """
    request.method = None if method is None else check_method(method)


def prepare_url(request, url, params=None, base_params=None):
    """Parse and set the URL with ``params`` (and a Session's) appended.

    Credentials in the URL are moved to ``request._url_auth``.
    """
    if url is None:
        raise _url_required()
    parsed = URL.parse(url)
    request._url_auth = None
    if parsed.username is not None:
        # requests: credentials in the URL are Basic auth (never sent or shown as is)
        request._url_auth = (parsed.username, parsed.password or "")
        parsed = parsed.without_auth()
    request.parsed_url = _with_params(parsed, base_params, params)


def _url_required():
    from .exceptions import MissingSchema  # what requests raises for url=None
    return MissingSchema("Invalid URL None: no URL supplied (e.g. Request('GET', "
                         "'https://example.com/'))")


def prepare_headers(request, headers, base_headers=None):
    """Set the headers: ``headers`` over ``base_headers``; a None value means "not sent"."""
    request.headers = _merge_headers(base_headers, headers)


def prepare_body(request, data, files, json=None, materialize=False):
    """Set the body and its Content-Type / Content-Length / Transfer-Encoding headers."""
    _attach_body(request, data, json, files, materialize)


def _with_params(parsed, base_params, params):
    merged = dict(base_params or {})
    if params:
        if isinstance(params, dict):
            merged.update(params)
        elif isinstance(params, string_types + (bytes,)):  # unicode too on 2.7
            merged = list(merged.items())
            parsed = parsed.with_params(params)
        else:
            merged = list(merged.items()) + list(params)
    return parsed.with_params(merged) if merged else parsed


def _merge_headers(base, headers):
    # A None value (``session.headers["User-Agent"] = None``) means: do not send it.
    if isinstance(base, Headers):
        merged = Headers(_trusted=[list(it) for it in base._items if it[2] is not None])
    else:  # None, or a plain dict assigned to session.headers
        merged = Headers((k, v) for k, v in (base or {}).items() if v is not None)
    if headers:
        for name, value in (headers.items() if hasattr(headers, "items") else headers):
            if value is None:
                merged.pop(name, None)
            else:
                merged[name] = value
    return merged


def _attach_body(request, data, json, files, materialize=False):
    if data is None and json is None and not files:
        if request.method in _BODY_METHODS and "content-length" not in request.headers:
            request.headers["Content-Length"] = "0"  # the caller's own value is kept
        return
    content_type, body, length = _bodies.encode_body(data=data, json=json, files=files)
    if files and (materialize or (length is not None and length <= SMALL_MULTIPART)):
        body, length = _bodies.materialize(body)
    if content_type and "content-type" not in request.headers:
        request.headers["Content-Type"] = content_type
    if body is None:
        if request.method in _BODY_METHODS:
            request.headers["Content-Length"] = "0"
        return
    request.body = body
    request.body_length = length
    if isinstance(body, (bytes, text_type)):
        request.headers["Content-Length"] = str(length if length is not None else len(body))
        return
    request._body_start = _bodies.body_replayer(body)
    if length is not None:
        request.headers["Content-Length"] = str(length)
    elif "content-length" not in request.headers:
        request.headers["Transfer-Encoding"] = "chunked"


class Request(object):
    """A request to prepare, as in requests: ``Request("GET", url, params=...).prepare()``.

    Send the result with ``Session.send()``, or let ``Session.prepare_request()``
    merge a Session's headers and params in first. Every front-end's Session
    takes the same PreparedRequest.

    .. versionadded:: 0.1
    """

    def __init__(self, method=None, url=None, headers=None, files=None, data=None,
                 params=None, auth=None, cookies=None, hooks=None, json=None):
        self.method = method
        self.url = url
        self.headers = headers
        self.files = files
        self.data = data
        self.params = params
        self.auth = auth
        self.cookies = cookies
        self.hooks = hooks
        self.json = json

    def prepare(self, base_headers=None, base_params=None):
        """Return the :class:`~httpkit.PreparedRequest` for this request.

        Without arguments it holds only what this Request says (no Session
        defaults such as User-Agent); ``Session.prepare_request`` passes the
        Session's headers and params. Files given as ``files=`` are read
        now (as requests does), so the result can be sent after they are
        closed; a ``data=`` file is streamed when the request is sent.

        Raises:
            ValueError: ``files=`` with raw ``data=``.
            InvalidURL, MissingSchema, InvalidHeader: bad input (MissingSchema
                also when there is no URL).
        """
        prepared = prepare(self.method, self.url, params=self.params, data=self.data,
                           json=self.json, files=self.files, headers=self.headers,
                           base_headers=base_headers, base_params=base_params,
                           materialize=True)
        prepare_auth(prepared, self.auth)
        prepared.cookies = self.cookies
        prepared.hooks = dict(self.hooks or {})
        return prepared

    def __repr__(self):
        return "<Request [%s]>" % (self.method,)
