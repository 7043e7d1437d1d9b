"""The transport interface, the network transport, and how the core runs a transport.

Rules:
- A transport replaces ONLY the network exchange of one hop (the step
  :func:`httpkit._exchange.send_single` of a hop's attempt in ``_flows``).
  Redirects, auth, cookies, retries, hooks, caching and content decoding stay
  the core's, above it, for every transport.
- The core runs a transport with :func:`BaseTransport._send_flow`: ``asend``
  through an ``Await`` op when the driver can await (asyncio), else ``send``:
  inline when ``blocking`` is False, through ``Offload`` when it may block, so
  an event loop never waits on it.
- What comes back is adopted once (:func:`adopt`): its body becomes a
  :class:`GivenBody` pulled like a network body, bound to the call's decoder.
"""
from __future__ import absolute_import, division, print_function

import functools

from .._exchange import send_single
from .._flow import Return
from .._models import Headers, Response, default_reason
from .._ops import Await, Offload
from .._pool import Limits
from ..exceptions import RequestException
from ._body import GivenBody

__all__ = ["BaseTransport", "HTTPTransport", "HTTPAdapter", "adopt", "check_mountable"]


class BaseTransport(object):
    """What :meth:`httpkit.Session.mount` takes: one request in, one Response out.

    Subclass it and implement :meth:`send` (blocking), :meth:`asend` (asyncio),
    or both. A transport sees each hop separately (a redirect is a second
    call) and never follows redirects, retries or decodes by itself: the
    Session does that around it.

    Attributes:
        blocking: True (the default) when :meth:`send` may block; the asyncio
            and Twisted front-ends then run it in a worker thread. Set it to
            False for a transport that answers at once (MockTransport).
        max_retries: None (the Session's ``retries`` apply), or this
            transport's own retries for URLs under its prefix (an int or a
            urllib3 ``Retry``).

    .. versionadded:: 0.1
    """

    blocking = True
    max_retries = None

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        """Send ``request`` and return its Response (requests' ``adapter.send``).

        Args:
            request: the :class:`httpkit.PreparedRequest` of this hop (Cookie
                and Authorization already set by the Session).
            stream: whether the caller will stream the body (the Session reads
                it afterwards either way; a transport may ignore this).
            timeout: the call's :class:`httpkit.Timeouts` (``connect``,
                ``read``, ``write``, ``pool``, ``total``).
            verify, cert: the call's TLS settings (as given to ``request``).
            proxies: the call's proxies merged over the Session's (a dict).

        Returns:
            An :class:`httpkit.Response`; its body given as ``content=`` bytes
            or an iterable of bytes, as the bytes on the wire (a gzip body
            with ``Content-Encoding: gzip`` is decoded by the Session).

        Raises:
            httpkit.RequestException: any httpkit error (``ConnectionError``,
                ``Timeout``...); the Session's retries and error handling
                treat it like the network's.
        """
        raise NotImplementedError("%s implements neither send() nor asend()"
                                  % type(self).__name__)

    #: ``asend(request, **settings)``: return an awaitable of a Response. Only the
    #: asyncio front-end calls it; None means "use :meth:`send`".
    asend = None

    def close(self):
        """Release what the transport holds (the Session's ``close()`` calls it)."""

    def _send_flow(self, ctx, request):
        """Flow (the core's seam): run this transport for one hop; return the Response."""
        try:
            response = yield self._call(ctx, request, ctx.transport_settings())
        except RequestException as exc:
            if exc.request is None:
                exc.request = request
            raise
        raise Return(adopt(ctx, request, response, self))

    def _call(self, ctx, request, settings):
        """Flow: ``asend`` awaited (asyncio), else ``send`` inline or offloaded."""
        if self.asend is not None and getattr(ctx.io, "can_await", False):
            response = yield Await(functools.partial(self.asend, request, **settings))
        elif not _has_send(self):
            if self.asend is None:
                raise NotImplementedError("%s implements neither send() nor asend()"
                                          % type(self).__name__)
            raise TypeError("%s only has an asyncio interface (asend): mount it on an "
                            "httpkit.aio.Session" % type(self).__name__)
        elif self.blocking:
            response = yield Offload.within(ctx.deadline_budget(),
                                            functools.partial(self.send, request, **settings))
        else:
            response = self.send(request, **settings)
        raise Return(response)

    def __repr__(self):
        return "<%s>" % type(self).__name__


def _has_send(transport):
    return _function(type(transport).send) is not _function(BaseTransport.send)


def _function(method):
    return getattr(method, "__func__", method)  # 2.7: unbound methods are made afresh


def check_mountable(transport):
    """Raise TypeError unless ``transport`` can be given to ``Session.mount``.

    An HTTPAdapter subclass that overrides ``send()`` (requests' recipe for
    default timeouts) is refused: httpkit's network exchange is a flow that
    ``send()`` never sees, and the override would be silently ignored.
    """
    if not callable(getattr(transport, "_send_flow", None)):
        raise TypeError("mount() takes an httpkit transport (a subclass of "
                        "httpkit.transports.BaseTransport), not %r" % (transport,))
    if isinstance(transport, HTTPTransport) and \
            _function(type(transport).send) is not _function(HTTPTransport.send):
        raise TypeError("%s overrides HTTPAdapter.send(), which httpkit's network transport "
                        "never calls: set defaults on the Session instead (Session(timeout=..."
                        "), hooks), or subclass httpkit.transports.BaseTransport"
                        % type(transport).__name__)


def adopt(ctx, request, response, transport):
    """Make a transport's Response one the core can use: request, url, reason, body stream.

    Raises:
        TypeError: the transport returned something other than a Response
            with a status code.
    """
    response = _own(response, transport)
    if response.request is None:
        response.request = request
    if response.url is None:
        response.url = request.url
    if response.reason is None:
        response.reason = default_reason(response.status_code)
    if not isinstance(response.headers, Headers):
        response.headers = Headers(response.headers or ())
    if response.connection is None:
        response.connection = transport
    response._stream = _body_stream(ctx, request, response)
    return response


def _own(response, transport):
    """``response``, or a fresh copy if a transport returns it a second time."""
    if not isinstance(response, Response):
        raise TypeError("%r returned %r, not an httpkit.Response" % (transport, response))
    if response.status_code is None:
        raise TypeError("%r returned a Response without a status_code" % (transport,))
    if getattr(response, "_adopted", False):  # a handler returning one prebuilt Response
        if response._given_body is None:
            raise TypeError("%r returned the same Response twice, but its body was an "
                            "iterable, which can be read only once" % (transport,))
        response = _fresh_copy(response)
    response._adopted = True
    response._given_body = None  # the bytes it was given, kept for such a second time
    return response


def _body_stream(ctx, request, response):
    """The given body as a GivenBody bound to the call's decoder (empty when there is none)."""
    body = response._stream
    if body is None:
        response._given_body = response._content or b""
        body = GivenBody(response._given_body)
    response._content = None
    if request.method == "HEAD" or response.status_code in (204, 304) \
            or 100 <= response.status_code < 200:
        body.abort()  # no body, whatever was given (RFC 9110, section 6.4.1)
        body = GivenBody(b"")
    if isinstance(body, GivenBody):
        body.bind(ctx, response)
    return body


def _fresh_copy(response):
    """A new Response with what ``response`` was given (it was served once already)."""
    copy = Response(response.status_code, response.reason, response.headers.copy(), None,
                    response.http_version)
    copy._content = response._given_body
    return copy


class HTTPTransport(BaseTransport):
    """The network: HTTP/1.1 over the Session's pool (what every Session mounts by default).

    ``httpkit.HTTPAdapter`` is the same class, for requests' recipe::

        s.mount("https://", HTTPAdapter(max_retries=Retry(total=3, backoff_factor=0.1,
                                                          status_forcelist=[503])))

    Args:
        max_retries: None (default: the Session's ``retries``), an int or a
            urllib3 ``Retry``: the retries for URLs under this prefix (kept as
            a ``Retry``: an int ``n`` is ``Retry(total=n, redirect=False)``).
        pool_connections: with ``pool_block=True``, the pool's total limit
            becomes ``pool_connections * pool_maxsize`` (``Limits.max_total``).
        pool_maxsize: with ``pool_block=True``, the connections per host
            (``Limits.max_per_host``); a request waits for a free one up to
            the pool timeout, then raises PoolTimeout.
        pool_block: False (default, as requests): the sizes are kept as
            attributes but httpkit's own Limits (100 per host) apply.

    A Session has one pool: mounting an HTTPTransport with ``pool_block=True``
    sets that pool's limits for every host, not only for its prefix.

    .. versionadded:: 0.1
    """

    blocking = False

    def __init__(self, max_retries=None, pool_connections=10, pool_maxsize=10,
                 pool_block=False):
        if max_retries is not None:  # a Retry, as requests keeps it (adapter.max_retries.total)
            from .._retry import Retry, retry_from
            max_retries = retry_from(max_retries) or Retry(total=0, redirect=False)
        self.max_retries = max_retries
        self.pool_connections = pool_connections
        self.pool_maxsize = pool_maxsize
        self.pool_block = pool_block

    @property
    def limits(self):
        """The :class:`httpkit.Limits` this transport asks of the Session's pool (or None)."""
        if not self.pool_block:
            return None
        return Limits(max_per_host=self.pool_maxsize,
                      max_total=max(self.pool_connections, 1) * self.pool_maxsize)

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        """Not callable on its own: the network exchange runs inside a Session's flow.

        Raises:
            TypeError: always; send the request with ``Session.send()``.
        """
        raise TypeError("HTTPTransport is the Session's network exchange and has no pool of "
                        "its own: send requests with Session.send(request)")

    def _send_flow(self, ctx, request):
        return send_single(ctx, request)

    def __repr__(self):
        return "<HTTPTransport max_retries=%r>" % (self.max_retries,)


#: requests' name for the network transport.
HTTPAdapter = HTTPTransport
