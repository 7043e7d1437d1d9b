"""The request flow every front-end runs: auth, redirects, retries, cookies, body.

Rules:
- Written once, as generators yielding ops (see :mod:`httpkit._flow`); the
  blocking, asyncio and Twisted drivers only carry out the ops.
- Layering, outermost first: redirects -> auth -> cache -> retries -> cookies ->
  the hop's transport (``Session.mount``; by default the network,
  :func:`httpkit._exchange.send_single`). The cache step (:mod:`httpkit.cache._flow`)
  is only there when the Session has a cache.
- Credentials never follow a redirect to another origin: the Authorization
  header is dropped by the redirect policy and the auth object is replaced by
  netrc's entry for the new host (if any); the call's own ``cookies=`` are
  left behind too (the Session's jar decides by domain and path).
- Every response that is not handed to the caller (a redirect, a 401 that
  auth answers, a retried 503) is drained (small) or closed, never left
  holding its connection.
"""
from __future__ import absolute_import, division, print_function

from ._compat import monotonic
from ._flow import Return
from ._log import debug
from ._ops import Sleep
from ._exchange import BodyStream, attach_request
from ._progress import watch_download
from .exceptions import (ConnectionError, DeadlineExceeded, RequestException, ResponseTooLarge,
                         RetryError, Timeout)

__all__ = ["request_flow", "read_all", "read_all_buffered", "discard_body"]

#: A redirect or auth challenge body larger than this is not drained (the connection closes).
DRAIN_LIMIT = 256 * 1024


def request_flow(ctx, request):
    """Flow: the whole request, redirects included; returns the final Response.

    The redirect loop is this flow's own (one generator level for the chain,
    not two: a level costs ~1.5 us of a small GET); what a followed redirect
    changes is kept by :class:`_Redirects`, made at the first one.
    """
    first = request
    auth = ctx.auth
    redirects = None
    try:
        while True:
            transport = _unwrapped_transport(ctx, request) if auth is None else None
            if transport is not None:  # the common path: two generator levels less
                started = _attempt_starts(ctx, request)
                response = yield transport._send_flow(ctx, request)
                _attempt_ended(ctx, response, started)
            elif auth is None:
                response = yield _sender(ctx, request)
            else:
                response = yield _send_handling_auth(ctx, request, auth, redirects is not None)
            _received(ctx, response, redirects)
            if ctx.hooks.get("response"):
                response = yield _run_hooks(ctx, response)
            if not response.is_redirect:
                break
            if not ctx.allow_redirects:
                response._next = _next_request(ctx, request, response)
                break
            yield discard_body(response)
            if redirects is None:
                redirects = _Redirects(ctx, first)
            request, auth = redirects.follow(request, response)
        if not ctx.stream and not read_all_buffered(response):
            yield read_all(response)
    except RequestException as exc:
        late = ctx.at_deadline(exc)  # a Timeout at the total deadline: DeadlineExceeded
        attach_request(late, first)  # hop errors name their hop already (send_single)
        if late is exc:
            raise
        raise late
    raise Return(response)


def _received(ctx, response, redirects):
    """Note a hop's response: its history, and the caller's progress meter on a final one."""
    if redirects is not None:
        # Each response's history is the hops before it (requests), its own
        # auth challenges last; TooManyRedirects' response carries the chain.
        response.history = redirects.history + response.history
    if ctx.on_progress is not None and not (response.is_redirect and ctx.allow_redirects):
        watch_download(response, ctx.on_progress)  # the caller's body, not a hop's


class _Redirects(object):
    """A followed redirect chain: the responses so far, the origin and its auth."""

    __slots__ = ("ctx", "history", "followed", "origin", "auth")

    def __init__(self, ctx, request):
        self.ctx = ctx
        self.history = []   # every earlier response: redirects and the auth challenges before them
        self.followed = []  # the redirects alone (max_redirects counts these)
        self.origin = request.parsed_url.origin
        self.auth = ctx.auth

    def follow(self, request, response):
        """Return the request that follows redirect ``response`` and the auth it gets.

        Credentials never follow to another origin: the auth becomes netrc's
        for the new host (or None) and the call's own cookies stay behind.
        """
        ctx = self.ctx
        ctx.check_redirects(self.followed, response)
        self.followed.append(response)
        self.history = response.history + [response]
        from ._redirects import redirect_request
        request = redirect_request(request, response, ctx.cookies, rewind_body=ctx.rewind)
        new_origin = request.parsed_url.origin != self.origin
        if new_origin:
            self.auth = ctx.auth_for_new_origin(request.parsed_url)
            ctx.cookies_for_new_origin(request)
            self.origin = request.parsed_url.origin
        log = debug()
        if log:
            log.debug("following %d to %s %s%s", response.status_code, request.method,
                      request.url, " (another origin: credentials dropped)" if new_origin else "")
        return request, self.auth


def _run_hooks(ctx, response):
    """Flow: call the response hooks; a hook can read a non-streamed body (requests)."""
    if not ctx.stream:
        yield read_all(response)
    raise Return(ctx.dispatch_hooks(response))


def _next_request(ctx, request, response):
    """The PreparedRequest a followed redirect would send next (``Response.next``), or None."""
    from ._redirects import redirect_request
    from .exceptions import RequestException
    try:
        return redirect_request(request, response, ctx.cookies, rewind_body=ctx.rewind)
    except RequestException:  # a Location that cannot be followed: there is no next request
        return None


def _send_handling_auth(ctx, request, auth, redirected=False):
    # After a redirect, auth starts without pre-emptive credentials (see Auth.redirect_flow).
    flow = auth.redirect_flow(request) if redirected else auth.auth_flow(request)
    current = next(flow)
    challenges = []
    while True:
        response = yield _sender(ctx, current)
        if getattr(auth, "requires_response_body", False):
            yield read_all(response)
        try:
            following = flow.send(response)
        except StopIteration:
            if challenges:
                response.history = challenges + response.history
            raise Return(response)
        yield discard_body(response)
        challenges.append(response)
        ctx.rewind(following)
        current = following


def _sender(ctx, request):
    """The flow that sends one hop: through the cache step when the Session has a cache."""
    if ctx.cache is None:
        return _send_handling_retries(ctx, request)
    if not _CACHE_STEP:
        from .cache._flow import cache_step
        _CACHE_STEP.append(cache_step)
    return _CACHE_STEP[0](ctx, request, _send_handling_retries)


_CACHE_STEP = []  # imported on first use: httpkit.cache costs nothing while caching is off


def _unwrapped_transport(ctx, request):
    """The hop's transport when nothing wraps it (no cache, no retries), else None.

    Such a hop is one attempt: :func:`request_flow` runs the transport's flow
    itself, between :func:`_attempt_starts` and :func:`_attempt_ended`.
    """
    if ctx.cache is not None:
        return None
    transport = ctx.transport_for(request)  # the mounted transport (default: the network)
    return transport if ctx.retry_for(transport) is None else None


def _attempt_starts(ctx, request):
    """Before each attempt: the Cookie header (again: a retried answer may set cookies)."""
    ctx.add_cookies(request)
    return monotonic()


def _attempt_ended(ctx, response, started):
    response._elapsed = monotonic() - started  # seconds (Response.elapsed makes the timedelta)
    ctx.extract_cookies(response)


def _send_handling_retries(ctx, request):
    transport = ctx.transport_for(request)  # the mounted transport (default: the network)
    retry = ctx.retry_for(transport)
    while True:
        started = _attempt_starts(ctx, request)
        try:
            response = yield transport._send_flow(ctx, request)
        except (ConnectionError, Timeout) as exc:
            if retry is None or isinstance(exc, DeadlineExceeded):
                raise
            from ._retry import next_retry
            retry, delay = next_retry(retry, request.method, request.url, error=exc,
                                      request_sent=getattr(exc, "request_sent", None))
            _log_retry(request, delay, type(exc).__name__)
            yield _sleep(ctx, delay)
            ctx.rewind(request)
            continue
        _attempt_ended(ctx, response, started)
        if retry is not None and ctx.should_retry_status(retry, request, response):
            from ._retry import next_retry
            try:
                retry, delay = next_retry(retry, request.method, request.url,
                                          response=response)
            except RetryError as exc:  # exhausted: free the connection (urllib3 drains it too)
                yield discard_body(response)
                raise exc
            if delay is None:  # Retry-After past MAX_RETRY_AFTER: the caller gets this answer
                raise Return(response)
            _log_retry(request, delay, "status %d" % response.status_code)
            yield discard_body(response)
            yield _sleep(ctx, delay)
            ctx.rewind(request)
            continue
        raise Return(response)


def _log_retry(request, delay, cause):
    log = debug()
    if log:
        log.debug("retrying %s %s in %.2fs after %s", request.method, request.url,
                  delay or 0, cause)


def _sleep(ctx, delay):
    if delay and delay > 0:
        if ctx.deadline is not None and monotonic() + delay >= ctx.deadline:
            raise DeadlineExceeded("a retry would wait %.1fs, past the total deadline" % delay)
        yield Sleep(delay)


def read_all_buffered(response):
    """Do :func:`read_all`'s work with a plain call when the whole body is already here.

    Returns True when done (``response._content`` is set); False: run ``read_all``.
    A flow costs a generator and trips through the driver; a small body
    that came with its head needs neither (~2.5 us of a small GET).
    """
    stream = response._stream
    if type(stream) is not BodyStream:
        return False
    content = stream.read_whole()
    if content is None:
        return False
    response._content = content
    response._stream = None
    return True


def read_all(response):
    """Flow: read the rest of the body into ``response._content``.

    Raises:
        ResponseTooLarge: the decoded body grew past the stream's ``max_body_size``
            (checked as the pieces arrive; the connection is closed).
    """
    stream = response._stream
    if stream is None:
        if response._content is None:
            response._content = b""
        return
    limit = getattr(stream, "max_body_size", None)
    decoder = getattr(stream, "decoder", None)
    if limit is not None and decoder is not None:
        decoder.limit_output(limit)  # a bomb passes the limit inside one read
    # The body source's own protocol, not BodyPieces: pieces of any size will do.
    parts = []
    size = 0
    while True:
        try:
            piece = stream.read_buffered()
            if piece is None:
                piece = yield stream.read_chunk()
        except ResponseTooLarge:  # from the decoder (the stream is aborted)
            _too_large(response, stream, limit)
        if not piece:  # b"": the body ended
            break
        parts.append(piece)
        if limit is not None:
            size += len(piece)
            if size > limit:
                _too_large(response, stream, limit)
    response._content = parts[0] if len(parts) == 1 else b"".join(parts)
    response._stream = None


def _too_large(response, stream, limit):
    stream.abort()  # the connection cannot be reused: the rest of the body is unread
    response._stream = None
    # A later read raises StreamConsumedError, never returns an empty or partial body.
    response._consumer = "a read stopped by ResponseTooLarge"
    response._content_consumed = True
    raise ResponseTooLarge(
        "the response body is larger than %d bytes, the Session's limit for a body read "
        "into memory: raise it with Session(limits=httpkit.Limits(max_body_size=...)) "
        "(None: no limit), or read it in pieces with stream=True and iter_content()"
        % limit, response=response)


def discard_body(response):
    """Flow: free the connection of a response the caller will not see.

    Small bodies are read (so the connection is reused); larger ones are
    abandoned and the connection closed.
    """
    stream = response._stream
    if stream is None or read_all_buffered(response):
        return
    if response.status_code in (204, 304) or response.request.method == "HEAD":
        length = 0  # no body, whatever Content-Length says (RFC 9110, section 6.4.1)
    else:
        try:
            length = int(response.headers.get("content-length", -1))
        except ValueError:
            length = -1
    limit = getattr(stream, "max_body_size", None)
    if 0 <= length <= DRAIN_LIMIT and (limit is None or length <= limit):
        try:
            yield read_all(response)
        except (ConnectionError, Timeout, ResponseTooLarge):  # (a body decoded past the limit)
            stream.abort()
    else:
        stream.abort()
    response._stream = None
    if response._content is None:
        response._content = b""
