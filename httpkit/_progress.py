"""Body progress: the ``on_progress`` / ``on_upload_progress`` callbacks, rate-limited.

Rules:
- One :class:`ProgressMeter` per body: the response body handed to the caller
  (downloads), or one sending of the request body (uploads; a body sent again
  after a redirect or a retry starts a new meter from 0).
- Bytes are body bytes as framed on the wire: after de-chunking, before
  content decoding, so ``done`` reaches ``total``. ``total`` is the
  Content-Length (the body's length for uploads), or None when unknown.
- At most one call per :data:`INTERVAL` seconds of the monotonic clock, the
  first piece at once; the call that completes the body is always made (once),
  so a bar ends at 100% and an empty body gives exactly one call.
- The meter never catches what the callback raises: the body source that calls
  it gives up on the body (its connection is closed) and the exception
  reaches the caller as it is.
"""
from __future__ import absolute_import, division, print_function

from ._compat import monotonic

__all__ = ["ProgressMeter", "INTERVAL", "download_total", "watch_download"]

#: The least time between two calls (seconds): at most ~10 calls a second.
INTERVAL = 0.1


class ProgressMeter(object):
    """Call ``callback(done, total)`` as a body moves, at most every ``interval`` seconds.

    Args:
        callback: ``callable(bytes_done, bytes_total_or_None)``.
        total: the body's size in bytes, or None when unknown.
        clock: the clock (seconds); httpkit's monotonic clock by default.
        interval: the least time between two calls, except the last.
    """

    __slots__ = ("callback", "total", "done", "clock", "interval", "last_call", "finished")

    def __init__(self, callback, total, clock=monotonic, interval=INTERVAL):
        self.callback = callback
        self.total = total
        self.clock = clock
        self.interval = interval
        self.done = 0
        self.last_call = None  # the clock's time of the last call; None: no call yet
        self.finished = False

    def update(self, done):
        """Note that ``done`` bytes moved; call back unless the last call was too recent.

        Reaching ``total`` finishes the meter (:meth:`finish`).
        """
        self.done = done
        if self.total is not None and done >= self.total:
            self.finish()
            return
        now = self.clock()
        if self.last_call is not None and now - self.last_call < self.interval:
            return
        self._call(now)

    def finish(self, done=None):
        """Report the complete body: the one call that is always made (only once)."""
        if self.finished:
            return
        self.finished = True
        if done is not None:
            self.done = done
        self._call(self.clock())

    def _call(self, now):
        self.last_call = now
        self.callback(self.done, self.total)


def download_total(response):
    """The size of ``response``'s body on the wire, or None when it is not announced.

    No body (HEAD, 1xx, 204, 304) is 0 whatever Content-Length says
    (RFC 9110, section 6.4.1); a chunked body has no total.
    """
    if response.request.method == "HEAD" or response.status_code in (204, 304) \
            or response.status_code < 200:
        return 0
    headers = response.headers
    if "transfer-encoding" in headers:
        return None
    try:
        length = int(headers.get("content-length", ""))
    except ValueError:
        return None
    return length if length >= 0 else None


def watch_download(response, callback):
    """Report the body of ``response`` (the one handed to the caller) to ``callback``.

    The body source calls the meter as raw pieces arrive (:mod:`httpkit._exchange`
    and the other sources); a body already in memory (a cache hit served whole)
    is reported at once, complete.
    """
    stream = response._stream
    if stream is None:
        content = response._content or b""
        ProgressMeter(callback, len(content)).finish(len(content))
        return
    total = getattr(stream, "size", None)  # a stored body knows its size
    if total is None:
        total = download_total(response)
    stream.progress = ProgressMeter(callback, total)
