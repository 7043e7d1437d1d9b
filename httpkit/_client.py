"""What every front-end's Session shares: settings, merging, and the request context.

Rules:
- Merging per-request arguments with Session settings follows requests:
  request values win; a header or param set to ``None`` removes the session's;
  ``verify``/``cert``/``proxies``/``stream`` fall back to the Session's.
- The environment is read only when ``trust_env`` is True, and only for
  proxies and .netrc; it never changes ``verify`` (requests#3829).
- A :class:`RequestContext` carries one call's resolved settings into the
  flows, plus the driver's ``io`` (checkin/close) it runs on.
"""
from __future__ import absolute_import, division, print_function

import threading
import warnings
from collections import OrderedDict

from . import _auth, _bodies, _decoders, _prepare, _proxies, _redirects
from ._decoders import supported_encodings
from .__version__ import __version__
from ._compat import monotonic, text_type
from ._config import DEFAULT_TIMEOUT, UNSET, Timeouts, TLSSettings
from ._models import Headers, PreparedRequest
from ._pool import Limits
from ._ops import Budget
from .exceptions import DeadlineExceeded, InsecureRequestWarning, InvalidSchema, Timeout
from .transports._base import HTTPTransport, check_mountable

__all__ = ["BaseSession", "RequestContext", "default_headers", "default_user_agent", "VerbMethods",
           "verb_functions"]

def _accept_encoding():
    return ", ".join(supported_encodings())

#: A timeout this close to the total deadline was the deadline (seconds).
_CLOCK_SLACK = 0.005


def default_user_agent(name="httpkit"):
    """Return the User-Agent httpkit sends: ``"httpkit/<version>"``.

    Args:
        name: the product name to put before the version.

    Returns:
        ``"<name>/<httpkit version>"``.
    """
    return "%s/%s" % (name, __version__)


def default_headers():
    """Return the headers every Session starts with (a new :class:`httpkit.Headers`).

    Returns:
        User-Agent (:func:`default_user_agent`), Accept-Encoding (the codings
        this Python can decode) and ``Accept: */*``.
    """
    return Headers([("User-Agent", default_user_agent()),
                    ("Accept-Encoding", _accept_encoding()),
                    ("Accept", "*/*")])


class NotPreparedError(ValueError, TypeError):
    """``Session.send()`` got something that is not a PreparedRequest.

    A ValueError as in requests, and a TypeError as httpkit raised before.
    """


class BaseSession(object):
    """Settings and state shared by the blocking, asyncio and Twisted Sessions.

    Args:
        headers, cookies, auth, params, proxies, verify, cert, hooks, stream:
            defaults for every request, as in requests.
        timeout: a Timeouts, a number or (connect, read); default DEFAULT_TIMEOUT.
        retries: None (default: no retries), an int, or a urllib3-style Retry.
        max_redirects: default 30.
        trust_env: read proxies and .netrc from the environment (default True).
        limits: a :class:`httpkit.Limits` (per-host and total connections, and
            ``max_body_size``: the largest body read into memory).
        tls_backend: name of the httpkit.tls backend ("stdlib", "socketpair", "openssl").
        max_decoded_size, max_decompression_ratio: content-decoding limits.
        cache: HTTP caching (off by default): True for a FileCache in the user
            cache directory, a directory path, an ``httpkit.cache`` store
            (MemoryCache, RedisCache...), a cachecontrol cache, or an
            :class:`httpkit.cache.Cache`. See docs/caching.md.

    Attributes:
        adapters: the mounted transports, an OrderedDict ``{prefix: transport}``
            with the longest prefix first (see :meth:`~httpkit.Session.mount`); it starts with
            the network transport on ``"https://"`` and ``"http://"``.
    """

    def __init__(self, headers=None, cookies=None, auth=None, params=None, proxies=None,
                 verify=True, cert=None, timeout=DEFAULT_TIMEOUT, retries=None,
                 max_redirects=30, trust_env=True, limits=None, tls_backend=None,
                 hooks=None, stream=False, max_decoded_size=None,
                 max_decompression_ratio=None, cache=None):
        self.headers = default_headers()
        if headers:
            self.headers.update(headers)
        self._lock = threading.Lock()
        self._cookie_jar = None  # made on first use: the stdlib jar costs ~2 MiB to import
        if cookies:
            from . import _cookies
            _cookies.merge_cookies(self.cookies, cookies)
        self.auth = auth
        self.params = dict(params or {})
        self.proxies = dict(proxies or {})
        self.verify = verify
        self.cert = cert
        self.timeout = Timeouts.coerce(timeout, DEFAULT_TIMEOUT)
        self.retries = retries
        self.max_redirects = max_redirects
        self.trust_env = trust_env
        self.limits = limits or Limits()
        self.hooks = {"response": []}
        for event, fns in (hooks or {}).items():
            self.hooks.setdefault(event, []).extend(fns if isinstance(fns, list) else [fns])
        self.stream = stream
        self.max_decoded_size = max_decoded_size
        self.max_decompression_ratio = max_decompression_ratio
        self._tls = TLSSettings(tls_backend)
        self.cache = None
        if cache is not None and cache is not False:  # httpkit.cache (and cachecontrol) only then
            from .cache import Cache
            self.cache = Cache.coerce(cache)
        self.adapters = OrderedDict()
        self.mount("https://", HTTPTransport())
        self.mount("http://", HTTPTransport())
        self._start_io()

    # ---- transports
    def mount(self, prefix, transport):
        """Send requests whose URL starts with ``prefix`` through ``transport``.

        The longest matching prefix wins, compared case-insensitively (as
        requests' ``Session.mount``). Redirects, auth, cookies, retries, hooks,
        caching and decoding still apply around the transport.

        Args:
            prefix: a URL prefix: ``"https://"``, ``"https://api.test/v1/"``,
                ``"http+unix://"``...
            transport: an :class:`httpkit.transports.BaseTransport`
                (``HTTPAdapter``, ``MockTransport``, ``WSGITransport``,
                ``ASGITransport`` or your own).

        Raises:
            TypeError: ``transport`` is not a transport, or is an HTTPAdapter
                subclass overriding ``send()`` (which httpkit would never call).

        .. versionadded:: 0.1
        """
        check_mountable(transport)
        self.adapters[prefix] = transport
        for key in [k for k in self.adapters if len(k) < len(prefix)]:
            self.adapters[key] = self.adapters.pop(key)
        limits = getattr(transport, "limits", None)
        if isinstance(limits, Limits):  # an HTTPAdapter with pool_block=True
            limits.max_body_size = self.limits.body_limit()  # it sizes the pool only
            self.limits = limits
            driver = getattr(self, "_driver", None)
            if driver is not None:
                driver.pool.limits = limits

    def get_adapter(self, url):
        """Return the transport mounted for ``url`` (the longest matching prefix).

        Raises:
            InvalidSchema: no prefix matches ``url``.

        .. versionadded:: 0.1
        """
        transport = _mounted(self.adapters, url)
        if transport is None:
            raise InvalidSchema("No connection adapters were found for %r (mounted "
                                "prefixes: %s)" % (url, ", ".join(self.adapters) or "none"))
        return transport

    def _close_transports(self):
        seen = set()
        for transport in list(self.adapters.values()):
            if id(transport) not in seen:
                seen.add(id(transport))
                transport.close()

    @property
    def cookies(self):
        """The Session's cookie jar (requests' dict-like jar over the stdlib one)."""
        jar = self._cookie_jar
        if jar is None:
            from . import _cookies
            with self._lock:  # two threads must not each make (and lose) a jar
                if self._cookie_jar is None:
                    self._cookie_jar = _cookies.CookieJar()
                jar = self._cookie_jar
        return jar

    @cookies.setter
    def cookies(self, jar):
        self._cookie_jar = jar

    # ---- building one request
    def build_request(self, method, url, params=None, data=None, headers=None, cookies=None,
                      files=None, auth=None, timeout=UNSET, allow_redirects=True,
                      proxies=None, hooks=None, stream=None, verify=None, cert=None,
                      json=None, cache=None, on_progress=None, on_upload_progress=None):
        """Return ``(PreparedRequest, options)`` for a call, merged with the Session's settings."""
        request = _prepare.prepare(method, url, params=params, data=data, json=json, files=files,
                                   headers=headers, base_headers=self.headers,
                                   base_params=self.params)
        options = _Options(self, timeout, allow_redirects, proxies, hooks, stream, verify,
                           cert, auth, cookies)
        options.url_auth = request._url_auth
        options.cache = cache
        options.on_progress, options.on_upload_progress = on_progress, on_upload_progress
        return request, options

    def prepare_request(self, request):
        """Return the PreparedRequest for a :class:`httpkit.Request`, with this Session's
        headers and params merged in (requests' ``Session.prepare_request``).

        The Session's auth, cookies and hooks are applied when it is sent.
        """
        return request.prepare(base_headers=self.headers, base_params=self.params)

    def send_request(self, request, stream=None, timeout=UNSET, verify=None, cert=None,
                     proxies=None, allow_redirects=True, cache=None, on_progress=None,
                     on_upload_progress=None):
        """Return ``(request, options)`` to send a PreparedRequest (``Session.send``'s
        arguments). The request is a copy: sending adds Cookie and auth headers
        per hop, and the caller's PreparedRequest must stay as it was, to be sent again.
        """
        if not isinstance(request, PreparedRequest):
            raise NotPreparedError(
                "You can only send PreparedRequests, not %r: prepare it first with "
                "session.prepare_request(request) (Session headers and params merged in) "
                "or request.prepare()" % (request,))
        if request.method is None or request.parsed_url is None:
            raise NotPreparedError("%r has no %s: set it (PreparedRequest.prepare(method=..., "
                                   "url=...)) before sending it" % (
                                       request, "method" if request.method is None else "URL"))
        options = _Options(self, timeout, allow_redirects, proxies, request.hooks, stream,
                           verify, cert, request.auth, request.cookies)
        options.url_auth = request._url_auth
        options.cache = cache
        options.on_progress, options.on_upload_progress = on_progress, on_upload_progress
        return request.copy(), options

    def close_pools(self):
        """Close idle connections (front-ends call this from close())."""

    # ---- pickling (requests' Session pickles too)
    #: What a pickled Session drops: its pool and driver (a fresh one after
    #: unpickling), its TLS contexts (rebuilt from verify/cert) and its cache.
    _NOT_PICKLED = frozenset(("_lock", "_driver", "_bodies", "_tls", "cache", "_closed"))

    def __getstate__(self):
        state = dict((name, value) for name, value in self.__dict__.items()
                     if name not in self._NOT_PICKLED)
        state["_tls_backend"] = self._tls._backend_name
        return state

    def __setstate__(self, state):
        backend = state.pop("_tls_backend", None)
        self.__dict__.update(state)
        self._lock = threading.Lock()
        self._tls = TLSSettings(backend)
        self.cache = None
        self._start_io()

    def _start_io(self):
        """Give the Session its driver and pool (each front-end's; called last by
        ``__init__``, and again after unpickling)."""

    def _close_cache(self):
        if self.cache is not None:
            self.cache.close()


def _mounted(adapters, url):
    """The transport of the longest prefix of ``url`` in ``adapters`` (longest first), or None."""
    for prefix, transport in adapters.items():
        if url.startswith(prefix) or url[:len(prefix)].lower() == prefix.lower():
            return transport
    return None


class VerbMethods(object):
    """``get``/``options``/``head``/``post``/``put``/``patch``/``delete`` on top of ``request``.

    Shared by every front-end's Session: each returns whatever that
    front-end's ``request`` returns (a Response, a coroutine, a Deferred).
    """

    def get(self, url, **kwargs):
        """Send a GET request."""
        return self.request("GET", url, **kwargs)

    def options(self, url, **kwargs):
        """Send an OPTIONS request."""
        return self.request("OPTIONS", url, **kwargs)

    def head(self, url, **kwargs):
        """Send a HEAD request (redirects are not followed unless asked)."""
        kwargs.setdefault("allow_redirects", False)
        return self.request("HEAD", url, **kwargs)

    def post(self, url, data=None, json=None, **kwargs):
        """Send a POST request."""
        return self.request("POST", url, data=data, json=json, **kwargs)

    def put(self, url, data=None, **kwargs):
        """Send a PUT request."""
        return self.request("PUT", url, data=data, **kwargs)

    def patch(self, url, data=None, **kwargs):
        """Send a PATCH request."""
        return self.request("PATCH", url, data=data, **kwargs)

    def delete(self, url, **kwargs):
        """Send a DELETE request."""
        return self.request("DELETE", url, **kwargs)


def verb_functions(request):
    """Module-level ``get``, ``options``, ``head``, ``post``, ``put``, ``patch``, ``delete``.

    Built on a front-end's module-level ``request`` function, in that order.
    """
    def get(url, params=None, **kwargs):
        """Send a GET request."""
        return request("GET", url, params=params, **kwargs)

    def options(url, **kwargs):
        """Send an OPTIONS request."""
        return request("OPTIONS", url, **kwargs)

    def head(url, **kwargs):
        """Send a HEAD request."""
        kwargs.setdefault("allow_redirects", False)
        return request("HEAD", url, **kwargs)

    def post(url, data=None, json=None, **kwargs):
        """Send a POST request."""
        return request("POST", url, data=data, json=json, **kwargs)

    def put(url, data=None, **kwargs):
        """Send a PUT request."""
        return request("PUT", url, data=data, **kwargs)

    def patch(url, data=None, **kwargs):
        """Send a PATCH request."""
        return request("PATCH", url, data=data, **kwargs)

    def delete(url, **kwargs):
        """Send a DELETE request."""
        return request("DELETE", url, **kwargs)

    return get, options, head, post, put, patch, delete


class _Options(object):
    """One call's settings, merged with the Session's."""

    __slots__ = ("timeout", "allow_redirects", "proxies", "hooks", "stream", "verify", "cert",
                 "auth", "cookies", "url_auth", "cache", "on_progress", "on_upload_progress")

    def __init__(self, session, timeout, allow_redirects, proxies, hooks, stream, verify,
                 cert, auth, cookies):
        self.timeout = Timeouts.coerce(timeout, session.timeout)
        self.allow_redirects = allow_redirects
        self.proxies = proxies
        self.hooks = hooks
        self.stream = session.stream if stream is None else stream
        self.verify = session.verify if verify is None else verify
        self.cert = session.cert if cert is None else cert
        self.auth = auth
        self.cookies = cookies
        self.url_auth = None
        self.cache = None
        self.on_progress = None         # callable(done, total): the response body (_progress)
        self.on_upload_progress = None  # callable(done, total): the request body


class RequestContext(object):
    """Everything the flows need for one call: resolved settings plus the driver's io."""

    def __init__(self, session, request, options, io):
        self.session = session
        self.io = io
        self.timeout = options.timeout
        self.deadline = None if self.timeout.total is None else monotonic() + self.timeout.total
        self.allow_redirects = options.allow_redirects
        self.stream = options.stream
        self.on_progress = options.on_progress
        self.on_upload_progress = options.on_upload_progress
        self.verify = options.verify
        self.cert = options.cert
        self._request_proxies = options.proxies
        self.hooks = _merge_hooks(session.hooks, options.hooks)
        auth = options.auth if options.auth is not None else session.auth
        if auth is None:
            auth = options.url_auth
        if auth is None:
            auth = self._netrc_auth(request.parsed_url)
        self.auth = _auth.build_auth(auth)
        # The jar cookies come from: None while no cookie was ever involved.
        self.cookies = session._cookie_jar
        if options.cookies:  # this call's cookies win over the Session's, and stay out of it
            from . import _cookies
            self.cookies = _cookies.override_cookies(_copy_jar(self.cookies), options.cookies)
        self._session = session
        self._cookie_added = None
        self._call_cookies = bool(options.cookies)  # cookies= of this call, for its origin only
        # The Session's cache; ``cache=False`` on a call skips it (cache_status "bypass").
        self.cache = session.cache
        self.cache_bypass = options.cache is False
        #: The most decoded bytes read_all may buffer (Limits.max_body_size; None: no limit).
        self.max_body_size = session.limits.body_limit()
        self.retry = None
        if session.retries is not None:
            from ._retry import retry_from
            self.retry = retry_from(session.retries)
        if self.verify is False:
            warnings.warn("Unverified HTTPS request to %s: certificate verification is off "
                          "(verify=False)" % request.parsed_url.host, InsecureRequestWarning,
                          stacklevel=4)

    # ---- transports
    def transport_for(self, request):
        """The transport for one hop: the mounted one, or the network (nothing matches)."""
        transport = _mounted(self.session.adapters, request.url)
        return _NETWORK if transport is None else transport

    def retry_for(self, transport):
        """The Retry for a hop through ``transport``: its ``max_retries``, else the Session's."""
        max_retries = transport.max_retries
        if max_retries is None:
            return self.retry
        from ._retry import retry_from
        return retry_from(max_retries)

    def transport_settings(self):
        """The call's settings a transport's ``send()`` receives as keywords."""
        proxies = dict(self.session.proxies)
        proxies.update(self._request_proxies or {})
        return {"stream": self.stream, "timeout": self.timeout, "verify": self.verify,
                "cert": self.cert, "proxies": proxies}

    # ---- timeouts
    def timeout_for(self, phase):
        """The timeout for ``phase``: seconds, or a Budget when there is a total deadline.

        A :class:`httpkit._ops.Budget` is measured again by every op it is
        given to, so no loop of sends or reads can outlive the deadline.

        Raises:
            DeadlineExceeded: the total deadline has already passed.
        """
        if self.deadline is None:  # the common case: a plain number, no Budget
            return getattr(self.timeout, phase)
        budget = Budget(getattr(self.timeout, phase), self.deadline, self.timeout.total)
        budget.seconds()  # raises once the deadline has passed
        return budget

    def budget_for(self, phase):
        """Like :meth:`timeout_for`, without raising when the deadline has passed."""
        value = getattr(self.timeout, phase)
        if self.deadline is None:
            return value
        return Budget(value, self.deadline, self.timeout.total)

    def at_deadline(self, exc):
        """Return ``exc``, or a DeadlineExceeded when the Timeout ``exc`` fired at the deadline.

        An op's timeout shortened to the deadline fires as the op's own timeout
        (ReadTimeout...); what the caller ran out of is the total deadline.
        """
        # (a socket timeout may fire a hair early: poll() rounds to milliseconds)
        if self.deadline is None or isinstance(exc, DeadlineExceeded) \
                or not isinstance(exc, Timeout) or monotonic() < self.deadline - _CLOCK_SLACK:
            return exc
        return DeadlineExceeded("the total deadline of %ss passed (%s)"
                                % (self.timeout.total, exc), request=exc.request)

    def deadline_budget(self):
        """The total deadline alone, for ``Offload.within`` (None: no total deadline)."""
        if self.deadline is None:
            return None
        return Budget(None, self.deadline, self.timeout.total)

    # ---- TLS and proxies
    def tls_context(self):
        return self.session._tls.context_for(self.verify, self.cert)

    def tls_session(self, key):
        """The TLS session a new connection with pool ``key`` resumes, or None."""
        return self.session._tls.session_for(key)

    def keep_tls_session(self, key, conn):
        """Remember the session of ``conn``'s (origin's) TLS layer for the next connection."""
        self.session._tls.keep_session(key, conn.layers[-1])

    def proxy_for(self, url):
        return _proxies.resolve_proxy(url, self._request_proxies, self.session.proxies,
                             self.session.trust_env)

    # ---- auth and redirects
    def _netrc_auth(self, url):
        if not self.session.trust_env:
            return None
        return _auth.netrc_credentials(url.host)

    def auth_for_new_origin(self, url):
        """Auth for a redirect to another origin: only what .netrc says for it."""
        return _auth.build_auth(self._netrc_auth(url))

    def check_redirects(self, history, response):
        _redirects.check_redirect_count(history, self.session.max_redirects, response)

    def dispatch_hooks(self, response):
        """Call each response hook as requests does: ``hook(response, **kwargs)``.

        The keyword arguments are this call's ``timeout`` (a Timeouts),
        ``verify``, ``proxies`` (the Session's merged with the call's),
        ``stream`` and ``cert``. A hook that returns a value replaces the response.
        """
        if not self.hooks.get("response"):
            return response
        from .hooks import dispatch_hook
        return dispatch_hook("response", self.hooks, response, **self.hook_kwargs())

    def hook_kwargs(self):
        proxies = dict(self.session.proxies)
        proxies.update(self._request_proxies or {})
        return {"timeout": self.timeout, "verify": self.verify, "proxies": proxies,
                "stream": self.stream, "cert": self.cert}

    # ---- cookies
    def add_cookies(self, request):
        """Set the Cookie header from the jar (again, for every hop and auth retry).

        A Cookie header that httpkit itself added earlier is recomputed, so
        cookies set by a redirect or a 401 reach the next request; one the
        caller set is left alone.
        """
        if self._cookie_added is not None and \
                request.headers.get("cookie") == self._cookie_added:
            del request.headers["cookie"]
        if self.cookies is not None and len(self.cookies):
            from . import _cookies
            self._cookie_added = _cookies.add_cookie_header(self.cookies, request)

    def cookies_for_new_origin(self, request):
        """A redirect left the call's origin: this call's own ``cookies=`` stay behind.

        They were given for the URL the caller named, like a Cookie header
        (dropped on an origin change too); from here on the Session's jar alone
        decides, by its domain and path rules. The Cookie header of ``request``
        is rebuilt from it.
        """
        if not self._call_cookies:
            return
        self._call_cookies = False
        self.cookies = self._session._cookie_jar
        request.headers.pop("Cookie", None)
        self._cookie_added = None
        if self.cookies is not None and len(self.cookies):
            from . import _cookies
            self._cookie_added = _cookies.add_cookie_header(self.cookies, request)

    def extract_cookies(self, response):
        """Store the response's cookies in the Session's jar (and this call's, if it has one).

        ``response.cookies`` gets a jar of its own with only the cookies it set
        (requests); without Set-Cookie it stays None (an empty jar on access).
        """
        if "set-cookie" in response.headers:
            from . import _cookies
            session_jar = self._session.cookies
            _cookies.extract_cookies(session_jar, response)
            if self.cookies is None:
                self.cookies = session_jar
            elif self.cookies is not session_jar:
                _cookies.extract_cookies(self.cookies, response)
            response.cookies = _cookies.cookies_set_by(response)

    # ---- retries
    def should_retry_status(self, retry, request, response):
        from ._retry import should_retry_status
        return should_retry_status(retry, request.method, response.status_code,
                                   response.headers)

    # ---- bodies
    def body_chunks(self, request):
        """The body's chunks (a closed body file raises ClosedFileError now)."""
        return _bodies.iter_body_chunks(request.body, request.body_length)

    def upload_meter(self, request):
        """The meter reporting one sending of ``request``'s body, or None (no callback)."""
        if self.on_upload_progress is None:
            return None
        from ._progress import ProgressMeter
        body = request.body
        if body is None or isinstance(body, (bytes, text_type)):
            total = len(body.encode("utf-8") if isinstance(body, text_type) else body or b"")
        else:
            total = request.body_length  # None: a generator or an iterator, sent chunked
        return ProgressMeter(self.on_upload_progress, total)

    def can_rewind(self, request):
        return request.body is None or isinstance(request.body, (bytes, text_type)) \
            or request._body_start is not None

    def rewind(self, request):
        """Put a streamed body back at its start (or raise UnrewindableBodyError)."""
        if request.body is None or isinstance(request.body, (bytes, text_type)):
            return
        if request._body_start is None:
            from .exceptions import UnrewindableBodyError
            raise UnrewindableBodyError("the request body cannot be sent twice")
        request._body_start()

    def decoder_for(self, response):
        coding = response.headers.get("content-encoding")
        if not coding or response.request.method == "HEAD" \
                or response.status_code in (204, 304):
            return None
        kwargs = {}
        if self.session.max_decompression_ratio is not None:
            kwargs["max_ratio"] = self.session.max_decompression_ratio
        return _decoders.make_decoder(coding, max_size=self.session.max_decoded_size, **kwargs)


_NETWORK = HTTPTransport()  # a hop no mount matches: the network path decides (InvalidSchema)


def _merge_hooks(session_hooks, request_hooks):
    if not request_hooks:
        return session_hooks
    merged = dict((k, list(v)) for k, v in session_hooks.items())
    for event, fns in request_hooks.items():
        merged.setdefault(event, []).extend(fns if isinstance(fns, list) else [fns])
    return merged


def _copy_jar(jar):
    from . import _cookies
    new = _cookies.CookieJar()
    for cookie in jar or ():
        new.set_cookie(cookie)
    return new
