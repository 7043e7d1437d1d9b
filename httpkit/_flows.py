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

import datetime

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
    """Flow: the whole request, redirects included; returns the final Response."""
    try:
        response = yield _follow_redirects(ctx, request)
        if not ctx.stream:
            if not read_all_buffered(response):
                yield read_all(response)
    except Timeout as exc:
        late = ctx.at_deadline(exc)
        attach_request(late, request)
        if late is exc:
            raise
        raise late
    except RequestException as exc:
        attach_request(exc, request)  # hop errors name their hop already (send_single)
        raise
    raise Return(response)


def _follow_redirects(ctx, request):
    history = []    # every earlier response: redirects and the auth challenges before them
    redirects = []  # the redirects alone (max_redirects counts these)
    origin = request.parsed_url.origin
    auth = ctx.auth
    redirected = False
    while True:
        if auth is None:  # one generator level less on the common path
            response = yield _sender(ctx, request)
        else:
            response = yield _send_handling_auth(ctx, request, auth, redirected)
        # Each response's history is the hops before it (requests), its own
        # auth challenges last; TooManyRedirects' response carries the chain.
        response.history = history + response.history
        if ctx.on_progress is not None and not (response.is_redirect and ctx.allow_redirects):
            watch_download(response, ctx.on_progress)  # the caller's body, not a hop's
        if ctx.hooks.get("response"):
            response = yield _run_hooks(ctx, response)
        if not response.is_redirect:
            break
        if not ctx.allow_redirects:
            response._next = _next_request(ctx, request, response)
            break
        yield discard_body(response)
        ctx.check_redirects(redirects, response)
        redirects.append(response)
        history = response.history + [response]
        from ._redirects import redirect_request
        request = redirect_request(request, response, ctx.cookies, rewind_body=ctx.rewind)
        redirected = True
        new_origin = request.parsed_url.origin != origin
        if new_origin:
            auth = ctx.auth_for_new_origin(request.parsed_url)
            ctx.cookies_for_new_origin(request)
            origin = request.parsed_url.origin
        log = debug()
        if log:
            log.debug("following %d to %s %s%s", response.status_code, request.method,
                      request.url, " (another origin: credentials dropped)" if new_origin else "")
    raise Return(response)


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


def _send_handling_retries(ctx, request):
    transport = ctx.transport_for(request)  # the mounted transport (default: the network)
    retry = ctx.retry_for(transport)
    while True:
        ctx.add_cookies(request)
        started = monotonic()
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
        response.elapsed = datetime.timedelta(seconds=monotonic() - started)
        ctx.extract_cookies(response)
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
