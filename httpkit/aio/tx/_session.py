"""The Twisted front-end's Session and module-level helpers (treq-like, requests-named).

Rules:
- Only what Twisted users see lives here; settings, merging and every policy
  (redirects, auth, cookies, retries, proxies, decoding, timeouts) are the
  shared core's (:mod:`httpkit._client`, :mod:`httpkit._flows`).
- Every method that does I/O returns a Deferred and never blocks; errors
  (even invalid arguments) arrive as failures of that Deferred, carrying the
  same httpkit exceptions as the blocking and asyncio front-ends.
- ``Deferred.cancel()`` on a request closes its flow: the connection is
  closed (never reused half-used) and the pool slot is freed.
- A Session belongs to one reactor and is used from its thread only.
"""
from __future__ import absolute_import, division, print_function

from twisted.internet.defer import fail

from ..._client import BaseSession, RequestContext, VerbMethods, verb_functions
from ..._config import DEFAULT_TIMEOUT, UNSET
from ..._flows import request_flow
from ._driver import TwistedDriver
from ._response import TxBodies, TxResponse

__all__ = ["Session", "request", "get", "head", "post", "put", "patch", "delete", "options"]


class Session(VerbMethods, BaseSession):
    """A Twisted HTTP session: connection pool, cookies and defaults (requests API).

    Takes :class:`httpkit.Session`'s arguments (see
    :class:`httpkit._client.BaseSession`), plus ``reactor`` (default: the
    global one, looked up when first needed).
    """

    def __init__(self, headers=None, cookies=None, auth=None, params=None, proxies=None,
                 verify=True, cert=None, timeout=DEFAULT_TIMEOUT, retries=None,
                 max_redirects=30, trust_env=True, limits=None, tls_backend=None,
                 hooks=None, stream=False, max_decoded_size=None,
                 max_decompression_ratio=None, cache=None, reactor=None):
        # BaseSession's parameters, spelled out so that IDEs and inspect.signature
        # show them (tests/typing/test_signatures.py keeps the two lists equal).
        self._reactor = reactor  # for _start_io, which BaseSession.__init__ calls last
        super(Session, self).__init__(
            headers=headers, cookies=cookies, auth=auth, params=params, proxies=proxies,
            verify=verify, cert=cert, timeout=timeout, retries=retries,
            max_redirects=max_redirects, trust_env=trust_env, limits=limits,
            tls_backend=tls_backend, hooks=hooks, stream=stream,
            max_decoded_size=max_decoded_size, max_decompression_ratio=max_decompression_ratio,
            cache=cache)

    def _start_io(self):
        # After unpickling: the global reactor (a reactor does not pickle).
        reactor = self.__dict__.pop("_reactor", None)
        self._driver = TwistedDriver(self.limits, reactor)
        self._bodies = TxBodies(self._driver)

    def request(self, method, url, params=None, data=None, headers=None, cookies=None,
                files=None, auth=None, timeout=UNSET, allow_redirects=True, proxies=None,
                hooks=None, stream=None, verify=None, cert=None, json=None, cache=None,
                on_progress=None, on_upload_progress=None):
        """Send a request; return a Deferred firing with a :class:`TxResponse`.

        ``on_progress(bytes_done, bytes_total_or_None)`` reports the response body as
        it arrives, ``on_upload_progress(...)`` the request body as it is sent, at most
        ~10 times a second, from the reactor thread (see docs/progress.md).

        .. versionadded:: 0.1
           ``on_progress`` and ``on_upload_progress``.
        """
        try:
            request, options = self.build_request(
                method, url, params=params, data=data, headers=headers, cookies=cookies,
                files=files, auth=auth, timeout=timeout, allow_redirects=allow_redirects,
                proxies=proxies, hooks=hooks, stream=stream, verify=verify, cert=cert,
                json=json, cache=cache, on_progress=on_progress,
                on_upload_progress=on_upload_progress)
        except Exception:  # noqa: BLE001 - reported through the Deferred, like I/O errors
            return fail()
        return self._send(request, options)

    def send(self, request, **kwargs):
        """Send a PreparedRequest; return a Deferred firing with a :class:`TxResponse`.

        ``kwargs``: ``stream``, ``timeout``, ``verify``, ``cert``, ``proxies``,
        ``allow_redirects``, ``cache``, ``on_progress``, ``on_upload_progress``
        (requests' ``Session.send``).
        """
        try:
            request, options = self.send_request(request, **kwargs)
        except Exception:  # noqa: BLE001 - reported through the Deferred
            return fail()
        return self._send(request, options)

    def _send(self, request, options):
        try:
            ctx = RequestContext(self, request, options, self._driver)
        except Exception:  # noqa: BLE001 - reported through the Deferred
            return fail()
        return self._driver.run(request_flow(ctx, request)).addCallback(self._wrap)

    def _wrap(self, response):
        response._frontend = self._bodies
        for earlier in response.history:
            earlier._frontend = self._bodies
        return TxResponse(response, self._driver)

    def close(self):
        """Close every pooled connection; return a Deferred firing once they are closed.

        Connections in use close when their response is done with.
        """
        self._close_cache()
        self._close_transports()
        return self._driver.close_all()


def request(method, url, **kwargs):
    """Send one request with a throw-away Session; return a Deferred of its TxResponse.

    The Session's pool is closed as soon as the response arrives; a streamed
    body keeps its connection until it is read or closed.
    """
    session = Session(reactor=kwargs.pop("reactor", None))
    d = session.request(method, url, **kwargs)

    def done(result):
        session.close()
        return result
    return d.addBoth(done)


get, options, head, post, put, patch, delete = verb_functions(request)
