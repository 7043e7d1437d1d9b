"""Values shared by every front-end: Headers, PreparedRequest, Response.

Rules:
- No I/O here. A Response's body is pulled through its front-end
  (``response._frontend``), which runs the core body flow with its own I/O;
  everything else (status, headers, text, json, links, raise_for_status) is
  computed here once for all front-ends.
- Header names and values are native ``str``; CR, LF and NUL are refused
  when a header is set, so nothing can be smuggled onto the wire.
"""
from __future__ import absolute_import, division, print_function

import datetime
import json as _json
import re

from ._compat import MutableMapping, binary_type, string_types, text_type, to_str
from .exceptions import HTTPError, InvalidHeader, JSONDecodeError, ResponseNotRead

__all__ = ["Headers", "PreparedRequest", "Response"]

# Every check is anchored with \A and \Z: "$" also matches before a final "\n".
_BAD_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_NOT_LATIN1 = re.compile(u"[^\x00-\xff]")
_TOKEN = re.compile(r"\A[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")


def check_header(name, value):
    """Return ``(name, value)`` as native str, or raise InvalidHeader.

    Raises:
        InvalidHeader: the name is not an RFC 9110 token, or the value is not
            str/bytes, starts with whitespace, or holds CR, LF, NUL or another
            control character (a tab inside is allowed); the message names
            the header.
    """
    if not isinstance(name, str):
        if not isinstance(name, (text_type, binary_type)):
            raise InvalidHeader("Header name %r must be str or bytes, not %s"
                                % (name, type(name).__name__))
        name = _native(name, "header name %r" % (name,))
    if not isinstance(value, str):
        if isinstance(value, (text_type, binary_type)):
            value = _native(value, "value of header %r" % (name,))
        else:
            raise InvalidHeader("Header %r value must be str or bytes, not %s"
                                % (name, type(value).__name__))
    if not _TOKEN.match(name):
        raise InvalidHeader("Invalid header name %r: only letters, digits and "
                            "!#$%%&'*+-.^_`|~ are allowed" % (name,))
    if _BAD_VALUE.search(value):
        raise InvalidHeader("Invalid header value for %r: CR, LF, NUL and other control "
                            "characters are not allowed" % (name,))
    if value[:1] in (" ", "\t"):
        # requests refuses it too: a leading space or tab reads as a folded line.
        raise InvalidHeader("Invalid header value for %r: leading whitespace is not "
                            "allowed" % (name,))
    if _NOT_LATIN1.search(value):
        raise InvalidHeader("Invalid value of header %r: only Latin-1 characters can be "
                            "sent" % (name,))
    return name, value.rstrip(" \t")


def _native(value, what):
    # Header text must be Latin-1 on the wire (RFC 9110 section 5.5: obs-text).
    try:
        if isinstance(value, binary_type):
            return to_str(value, "latin-1")
        return to_str(value.encode("latin-1")) if str is bytes else value
    except UnicodeError:
        raise InvalidHeader("Invalid %s: only Latin-1 characters can be sent" % (what,))


class Headers(MutableMapping):
    """Case-insensitive, ordered, multi-valued HTTP headers.

    ``h[name]`` joins repeated fields with ``", "`` (requests semantics);
    ``h.get_all(name)`` returns each value; ``h.add(name, value)`` appends.
    """

    __slots__ = ("_items",)

    def __init__(self, headers=None, _trusted=None):
        # _items: list of [lower_name, name, value]
        if _trusted is not None:
            self._items = _trusted
            return
        self._items = []
        if headers:
            self.update(headers)

    @classmethod
    def from_wire(cls, raw):
        """Build from h11's ``[(name_bytes, value_bytes), ...]`` without re-validation."""
        if str is bytes:
            return cls(_trusted=[[n.lower(), n, v] for n, v in raw])
        return cls(_trusted=[[n.decode("latin-1").lower(), n.decode("latin-1"),
                              v.decode("latin-1")] for n, v in raw])

    def __getitem__(self, key):
        lower = key.lower()
        values = [v for k, _, v in self._items if k == lower]
        if not values:
            raise KeyError(key)
        return values[0] if len(values) == 1 else ", ".join(values)

    def get(self, key, default=None):
        """``h[key]``, or ``default`` when absent (no KeyError raised inside: hot path)."""
        lower = key.lower()
        values = [v for k, _, v in self._items if k == lower]
        if not values:
            return default
        return values[0] if len(values) == 1 else ", ".join(values)

    def __setitem__(self, key, value):
        if value is None:
            # requests: a None value means "do not send this header" (a Session's
            # default User-Agent...); kept so that it hides the default, never sent.
            name, value = check_header(key, "")[0], None
        else:
            name, value = check_header(key, value)
        lower = name.lower()
        for i, item in enumerate(self._items):
            if item[0] == lower:
                self._items[i] = [lower, name, value]
                self._items[i + 1:] = [it for it in self._items[i + 1:] if it[0] != lower]
                return
        self._items.append([lower, name, value])

    def __delitem__(self, key):
        lower = key.lower()
        kept = [it for it in self._items if it[0] != lower]
        if len(kept) == len(self._items):
            raise KeyError(key)
        self._items = kept

    def __contains__(self, key):
        if not isinstance(key, string_types):
            return False
        lower = key.lower()
        for item in self._items:
            if item[0] == lower:
                return True
        return False

    def __iter__(self):
        seen = set()
        for lower, name, _ in self._items:
            if lower not in seen:
                seen.add(lower)
                yield name

    def __len__(self):
        return len(set(k for k, _, _ in self._items))

    def add(self, key, value):
        """Append a field, keeping any existing ones with the same name."""
        name, value = check_header(key, value)
        self._items.append([name.lower(), name, value])

    def get_all(self, key):
        """Every value of ``key``, in order (``[]`` if absent)."""
        lower = key.lower()
        return [v for k, _, v in self._items if k == lower]

    getlist = get_all

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return self[key]

    def raw_items(self):
        """``[(name, value), ...]`` in order, repeated fields separate."""
        return [(name, value) for _, name, value in self._items]

    def copy(self):
        return Headers(_trusted=[list(it) for it in self._items])

    def lower_items(self):
        return ((k, v) for k, _, v in self._items)

    def __eq__(self, other):
        if isinstance(other, Headers):
            return sorted(self.lower_items()) == sorted(other.lower_items())
        try:
            other = Headers(other)
        except Exception:
            return NotImplemented
        return self == other

    def __ne__(self, other):
        return not self == other

    __hash__ = None

    def __getstate__(self):
        # Pickling (Python 2.7's default protocol needs this with __slots__).
        return {"_items": self._items}

    def __setstate__(self, state):
        self._items = state["_items"]

    def __repr__(self):
        return "Headers(%r)" % (self.raw_items(),)


class PreparedRequest(object):
    """A request ready to send: method, URL, headers and body (requests' PreparedRequest).

    ``url`` is the string form (settable); ``parsed_url`` the validated
    :class:`httpkit._urls.URL`. ``body`` is ``None``, bytes, a file object or
    an iterable of bytes (sent chunked when its length is unknown). ``auth``,
    ``cookies`` and ``hooks`` are the ones given for this request; they are
    applied when it is sent, hop by hop, on top of the Session's.

    As in requests, ``PreparedRequest()`` may be built empty and filled by
    :meth:`prepare` (or its ``prepare_*`` steps).
    """

    __slots__ = ("method", "parsed_url", "headers", "body", "body_length", "_body_start",
                 "hooks", "auth", "cookies", "_url_auth")

    def __init__(self, method=None, url=None, headers=None, body=None, body_length=None,
                 hooks=None):
        from ._urls import URL
        self.method = None if method is None else to_str(method).upper()
        self.parsed_url = url if isinstance(url, URL) or url is None else URL.parse(url)
        self.headers = headers if isinstance(headers, Headers) else Headers(headers)
        self.body = body
        self.body_length = body_length
        self._body_start = None
        self.hooks = hooks or {}
        self.auth = self.cookies = self._url_auth = None

    def prepare(self, method=None, url=None, headers=None, files=None, data=None, params=None,
                auth=None, cookies=None, hooks=None, json=None):
        """Fill this request from requests' ``Request`` arguments.

        Files are read now (as requests does); auth, cookies and hooks are
        kept and applied when the request is sent (Basic auth is also written
        into ``headers`` now, as requests does).

        Raises:
            InvalidURL, MissingSchema, InvalidHeader: bad input.
            ValueError: ``files=`` with ``data=`` that is not form fields.
        """
        from ._prepare import fill
        fill(self, method=method, url=url, headers=headers, files=files, data=data,
             params=params, auth=auth, cookies=cookies, hooks=hooks, json=json)

    def prepare_method(self, method):
        """Set the method (upper-cased)."""
        from ._prepare import prepare_method
        prepare_method(self, method)

    def prepare_url(self, url, params=None):
        """Set the URL, with ``params`` appended to its query."""
        from ._prepare import prepare_url
        prepare_url(self, url, params)

    def prepare_headers(self, headers):
        """Set the headers (a None value is left out)."""
        from ._prepare import prepare_headers
        prepare_headers(self, headers)

    def prepare_body(self, data, files, json=None):
        """Set the body and its framing headers (after :meth:`prepare_headers`)."""
        from ._prepare import prepare_body
        prepare_body(self, data, files, json, True)

    def prepare_auth(self, auth, url=""):
        """Keep ``auth`` for this request (applied when it is sent, per hop).

        Basic credentials are also written into ``headers`` now, as requests does.
        """
        from ._prepare import prepare_auth
        prepare_auth(self, auth)

    def prepare_cookies(self, cookies):
        """Keep ``cookies`` for this request (the Cookie header is made when it is sent)."""
        self.cookies = cookies

    def prepare_hooks(self, hooks):
        """Set this request's hooks (``{"response": [callables]}``)."""
        self.hooks = dict(hooks or {})

    @property
    def url(self):
        return None if self.parsed_url is None else str(self.parsed_url)

    @url.setter
    def url(self, value):
        from ._urls import URL
        self.parsed_url = URL.parse(value)

    @property
    def path_url(self):
        return self.parsed_url.target

    @property
    def _cookies(self):
        # requests' name for the request's cookies (tests compare copies through it)
        return self.cookies

    def copy(self):
        """A shallow copy with its own headers."""
        r = PreparedRequest(self.method, self.parsed_url, self.headers.copy(), self.body,
                            self.body_length, self.hooks)
        r._body_start = self._body_start
        r.auth, r.cookies, r._url_auth = self.auth, self.cookies, self._url_auth
        return r

    def __getstate__(self):
        # Picklable as in requests (a file or generator body is not, there either).
        return dict((name, getattr(self, name)) for name in self.__slots__)

    def __setstate__(self, state):
        for name, value in state.items():
            setattr(self, name, value)

    def __repr__(self):
        return "<PreparedRequest [%s]>" % self.method


_REDIRECT_CODES = frozenset((301, 302, 303, 307, 308))


class Response(object):
    """An HTTP response. The body is read through the front-end that made it."""

    __attrs__ = ("status_code", "reason", "headers", "url", "history", "request",
                 "elapsed", "http_version")

    def __init__(self, status_code, reason, headers, request, http_version="HTTP/1.1"):
        self.status_code = status_code
        self.reason = reason
        self.headers = headers
        self.request = request
        self.url = request.url if request is not None else None
        self.http_version = http_version
        self.history = []
        self.elapsed = datetime.timedelta(0)
        self._cookies = None
        self.from_cache = False
        #: "hit", "miss", "revalidated", "stale" or "bypass" (None: the Session has no cache)
        self.cache_status = None
        self._content = None
        self._content_consumed = False
        self._encoding = None
        self._stream = None        # core BodyStream while the body is unread
        self._frontend = None      # how to pull the body (set by the front-end)
        self._raw = None           # the blocking front-end's file over the body
        self.connection = None

    @property
    def cookies(self):
        """The cookie jar after this response (an empty jar when no cookie was involved)."""
        if self._cookies is None:
            from ._cookies import CookieJar
            self._cookies = CookieJar()
        return self._cookies

    @cookies.setter
    def cookies(self, jar):
        self._cookies = jar

    # ---- status
    @property
    def ok(self):
        """True unless the status is 4xx or 5xx."""
        return self.status_code < 400

    def __bool__(self):
        return self.ok

    __nonzero__ = __bool__

    @property
    def is_redirect(self):
        """A redirect with a Location that httpkit would follow."""
        return self.status_code in _REDIRECT_CODES and "location" in self.headers

    @property
    def is_permanent_redirect(self):
        return self.status_code in (301, 308) and "location" in self.headers

    def raise_for_status(self):
        """Raise HTTPError for a 4xx/5xx status; return the response otherwise."""
        if 400 <= self.status_code < 600:
            kind = "Client" if self.status_code < 500 else "Server"
            reason = self.reason
            if isinstance(reason, binary_type):
                reason = reason.decode("latin-1")
            raise HTTPError("%d %s Error: %s for url: %s"
                            % (self.status_code, kind, reason, self.url), response=self)
        return self

    # ---- body
    @property
    def content(self):
        """The whole body as bytes (read on first access in the blocking front-end)."""
        if self._content is None:
            if self._frontend is None:
                raise ResponseNotRead("the body of %r has not been read" % self)
            self._content = self._frontend.read_all(self)
        return self._content

    @property
    def raw(self):
        """The unread body as a file, as in requests (blocking front-end only).

        ``r.raw.read(amt)``, ``r.raw.stream(amt)``, ``shutil.copyfileobj(r.raw, f)``;
        the bytes as sent unless ``r.raw.decode_content = True``. Use it with
        ``stream=True``: otherwise the body was read already and ``raw`` is empty.

        Raises:
            TypeError: the response was made by an event-loop front-end
                (use ``aiter_content()`` or ``collect()``).

        .. versionadded:: 0.1
        """
        if self._raw is None:
            make = getattr(self._frontend, "raw", None)
            if make is None:
                raise TypeError("%r streams through its event loop, not a file: use "
                                "aiter_content() (asyncio) or collect() (Twisted)" % (self,))
            self._raw = make(self)
        return self._raw

    @property
    def encoding(self):
        """The charset used by :attr:`text` (header, then JSON/BOM rules; settable)."""
        if self._encoding is None:
            from ._charset import encoding_from_headers
            self._encoding = encoding_from_headers(self.headers)
        return self._encoding

    @encoding.setter
    def encoding(self, value):
        self._encoding = value

    @property
    def apparent_encoding(self):
        """The charset guessed from the body itself."""
        from ._charset import guess_encoding
        return guess_encoding(self.content)

    @property
    def text(self):
        """The body decoded to text (see :attr:`encoding`)."""
        from ._charset import decode_text
        return decode_text(self.content, self._encoding or self.encoding_or_none(),
                           self.headers)

    def encoding_or_none(self):
        from ._charset import encoding_from_headers
        return encoding_from_headers(self.headers)

    def json(self, **kwargs):
        """Decode the body as JSON (UTF-8/16/32 detected per RFC 8259)."""
        from ._charset import json_text
        try:
            return _json.loads(json_text(self.content, self._encoding), **kwargs)
        except ValueError as exc:
            raise JSONDecodeError("Response body is not valid JSON: %s" % exc, response=self)
        except RuntimeError as exc:  # RecursionError (a RuntimeError on 2.7): "[[[[..."
            if "recursion" not in str(exc):
                raise
            raise JSONDecodeError("Response body is JSON nested too deeply to decode",
                                  response=self)

    @property
    def links(self):
        """The parsed Link header, keyed by ``rel`` (or URL)."""
        from ._charset import parse_link_header
        header = self.headers.get("link")
        result = {}
        if header:
            for link in parse_link_header(header):
                result[link.get("rel") or link.get("url")] = link
        return result

    def iter_lines(self, chunk_size=512, decode_unicode=False, delimiter=None):
        """Yield the body line by line (streamed)."""
        from ._chunking import LineSplitter, iter_through
        chunks = self.iter_content(chunk_size, decode_unicode=decode_unicode)
        for line in iter_through(chunks, LineSplitter(delimiter)):
            yield line

    def iter_content(self, chunk_size=1, decode_unicode=False):
        """Yield the body in pieces (the front-end streams it)."""
        if self._content is not None:
            data = self._content
            chunks = (data[i:i + chunk_size] for i in range(0, len(data), max(chunk_size or 1, 1)))
        elif self._frontend is None:
            raise ResponseNotRead("the body of %r has not been read" % self)
        else:
            chunks = self._frontend.iter_body(self, chunk_size)
        if decode_unicode:
            from ._charset import iter_decode
            return iter_decode(chunks, self.encoding or "utf-8")
        return chunks

    # ---- for front-ends: the same body bookkeeping everywhere
    def _take_stream(self, consumer="iter_content()"):
        """The unread body stream, marked consumed; None when there is none.

        Raises:
            StreamConsumedError: a streaming read already took the body.
        """
        stream = self._stream
        if stream is None:
            if self._content_consumed:
                from .exceptions import StreamConsumedError
                raise StreamConsumedError("the body was already consumed by %s" % consumer)
            return None
        self._content_consumed = True
        return stream

    def _drop_stream(self):
        """Forget the body stream; a half-read one closes its connection (never reused)."""
        stream, self._stream = self._stream, None
        if stream is not None and not stream.done:
            stream.abort()

    def close(self):
        """Release the connection (discarding any unread body)."""
        if self._frontend is not None:
            self._frontend.close(self)

    # ---- asyncio front-end: thin delegation, the coroutines live in httpkit.aio
    def aread(self):
        """Read the whole body: ``await response.aread()`` returns it as bytes.

        Afterwards :attr:`content`, :attr:`text` and :meth:`json` work.

        Raises:
            TypeError: the response was not made by ``httpkit.aio``.

        .. versionadded:: 0.1
        """
        return self._async_frontend().aread(self)

    def aiter_content(self, chunk_size=None, decode_unicode=False):
        """Stream the body: ``async for chunk in response.aiter_content(n)``.

        Args:
            chunk_size: cut the body into pieces of this size (the last may be
                shorter); None yields chunks as they arrive.
            decode_unicode: yield text, decoded with :attr:`encoding` (UTF-8
                when the response names none), as :meth:`iter_content` does.

        .. versionadded:: 0.1
        """
        frontend = self._async_frontend()
        chunks = frontend.aiter_body(self, chunk_size)
        if decode_unicode:
            from ._charset import TextDecoder
            return frontend.aiter_through(chunks, TextDecoder(self.encoding or "utf-8"))
        return chunks

    aiter_bytes = aiter_content

    def aiter_lines(self, chunk_size=512, decode_unicode=False, delimiter=None):
        """Stream the body line by line: ``async for line in response.aiter_lines()``.

        Lines are bytes, or text with ``decode_unicode=True`` (then a
        ``delimiter`` is text too); as :meth:`iter_lines`.

        .. versionadded:: 0.1
        """
        from ._chunking import LineSplitter
        return self._async_frontend().aiter_through(
            self.aiter_content(chunk_size, decode_unicode), LineSplitter(delimiter))

    def aclose(self):
        """Release the connection, discarding any unread body: ``await response.aclose()``.

        .. versionadded:: 0.1
        """
        return self._async_frontend().aclose(self)

    def _async_frontend(self):
        frontend = self._frontend
        if frontend is None or not hasattr(frontend, "aread"):
            raise TypeError("%r was not made by an asyncio Session (httpkit.aio)" % (self,))
        return frontend

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __repr__(self):
        return "<Response [%d]>" % self.status_code
