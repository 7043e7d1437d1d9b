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

from ._compat import MutableMapping, binary_type, integer_types, string_types, text_type, \
    to_str
from ._head_limits import MAX_HEADER_LINE, check_header_line
from ._urls import URL
from .exceptions import HTTPError, InvalidHeader, InvalidMethod, JSONDecodeError, ResponseNotRead

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
            control character (a tab inside is allowed), or the line would
            be over ``MAX_HEADER_LINE``; the message names the header.
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
    value = value.rstrip(" \t")
    if len(name) + len(value) + 2 > MAX_HEADER_LINE:
        check_header_line(name, value)
    return name, value


def check_method(method):
    """Return ``method`` upper-cased as native str, or raise InvalidMethod.

    Raises:
        InvalidMethod: ``method`` is not str/bytes, or not an RFC 9110 token
            (section 9.1: empty, a space, CR, LF, NUL, non-ASCII); the message
            names the method. h11 would refuse it too, but only while sending.
    """
    if isinstance(method, str):
        checked = _CHECKED_METHODS.get(method)
        if checked is not None:
            return checked  # the hot path: checked twice a request (prepared, sent)
        if _TOKEN.match(method):
            checked = method.upper()
            if len(_CHECKED_METHODS) < 64:
                _CHECKED_METHODS[method] = checked
            return checked
    if not isinstance(method, (text_type, binary_type)):
        raise InvalidMethod("Method %r must be str or bytes, not %s"
                            % (method, type(method).__name__))
    text = method.decode("latin-1") if isinstance(method, binary_type) else method
    if not _TOKEN.match(text):
        raise InvalidMethod("Invalid method %r: an HTTP method is a token of letters, digits "
                            "and !#$%%&'*+-.^_`|~ (RFC 9110 section 9.1)" % (method,))
    return str(text.upper())


#: The methods check_method passed, as it returned them (a few: "GET", "post"...).
_CHECKED_METHODS = {}


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
        # (``for name in (...,)``: each name is decoded once; 3.9+ makes it an assignment)
        return cls(_trusted=[[name.lower(), name, v.decode("latin-1")]
                             for n, v in raw for name in (n.decode("latin-1"),)])

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

    def __getstate__(self):  # __slots__ classes need this to pickle with protocol 0/1
        return {"items": self._items}  # never empty: pickle skips __setstate__ for a false state

    def __setstate__(self, state):
        self._items = state["items"]

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
        self.method = None if method is None else to_str(method).upper()
        self.parsed_url = url if url is None or isinstance(url, URL) else URL.parse(url)
        # (None first: isinstance against Headers, an ABC, costs three calls)
        self.headers = Headers() if headers is None else \
            headers if isinstance(headers, Headers) else Headers(headers)
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
        """Pickle everything but the body's rewind hook (a closure over the body)."""
        return dict((name, getattr(self, name)) for name in self.__slots__
                    if name != "_body_start")

    def __setstate__(self, state):
        self._body_start = None
        for name, value in state.items():
            setattr(self, name, value)

    def __repr__(self):
        return "<PreparedRequest [%s]>" % self.method


_REDIRECT_CODES = frozenset((301, 302, 303, 307, 308))
_CLOSED = "close()"  # Response._consumer of a body discarded unread


def default_reason(status_code):
    """The standard reason phrase for ``status_code`` ("OK" for 200; "" if unknown)."""
    if not _REASONS:
        try:
            from http.client import responses
        except ImportError:  # 2.7
            from httplib import responses
        _REASONS.update(responses)
    return _REASONS.get(status_code, "")


_REASONS = {}


#: A new Response's ``elapsed`` (timedelta is immutable: one for all).
_NO_TIME = datetime.timedelta(0)


class Response(object):
    """An HTTP response. The body is read through the front-end that made it.

    Sessions make Responses; tests and transports may build them too, empty
    (``r = Response(); r.status_code = 200; r._content = b"..."``) or filled in::

        Response(200, headers={"Content-Type": "text/plain"}, content=b"hi")
        Response(404, json={"error": "not found"})

    Args:
        status_code: the status (None until set).
        reason: the reason phrase; defaults to the standard one for the status.
        headers: a Headers, a dict or a list of pairs.
        request: the PreparedRequest it answers (a transport's Session fills it in).
        http_version: ``"HTTP/1.1"`` by default.
        content: the body as bytes, or an iterable of bytes pieces or a
            binary file (pulled as the caller reads: ``iter_content()``,
            ``raw``, ``content``). As sent: a
            transport's gzip body with ``Content-Encoding: gzip`` is decoded.
        text: the body as text, sent as UTF-8 (Content-Type ``text/plain;
            charset=utf-8`` unless given).
        json: a value sent as a JSON body (Content-Type ``application/json``
            unless given).
    """

    __attrs__ = ("status_code", "reason", "headers", "url", "history", "request",
                 "elapsed", "http_version")

    def __init__(self, status_code=None, reason=None, headers=None, request=None,
                 http_version="HTTP/1.1", content=None, text=None, json=None):
        self.status_code = status_code
        if reason is None and status_code is not None:
            reason = default_reason(status_code)
        self.reason = reason
        if headers is None or not isinstance(headers, Headers):
            headers = Headers(headers)
        self.headers = headers
        self.request = request
        self.url = request.url if request is not None else None
        self.http_version = http_version
        self.history = []
        self._elapsed = _NO_TIME  # or seconds, a float (see elapsed)
        self._cookies = None
        self.from_cache = False
        #: What the cache did, one of ``"hit"``, ``"miss"``, ``"revalidated"``, ``"stale"``
        #: or ``"bypass"`` (None when the Session has no cache).
        self.cache_status = None
        self._content = None
        self._content_consumed = False
        self._consumer = None      # the reader that took the streamed body ("r.raw.read()")
        self._encoding = None      # set by the user only
        self._next = None          # the next hop's PreparedRequest (allow_redirects=False)
        self._stream = None        # core BodyStream while the body is unread
        self._frontend = None      # how to pull the body (set by the front-end)
        self._raw = None           # the blocking front-end's file over the body
        self.connection = None
        if content is not None or text is not None or json is not None:
            self._give_body(content, text, json)
        elif status_code is None:  # built empty, to be filled in (content None, as requests)
            from .transports._body import detached_bodies
            self._frontend = detached_bodies()

    def _give_body(self, content, text, json):
        """The body given to the constructor (at most one of the three)."""
        if sum(value is not None for value in (content, text, json)) > 1:
            raise TypeError("Response() takes one of content=, text= and json=")
        if json is not None:
            content = _json.dumps(json).encode("utf-8")
            self.headers.setdefault("Content-Type", "application/json")
        elif text is not None:
            content = text.encode("utf-8") if isinstance(text, text_type) else text
            self.headers.setdefault("Content-Type", "text/plain; charset=utf-8")
        elif isinstance(content, text_type):
            content = content.encode("utf-8")
        elif isinstance(content, bytearray):
            content = bytes(content)
        if isinstance(content, binary_type):
            self._content = content
            return
        from .transports._body import GivenBody, detached_bodies
        if hasattr(content, "read"):  # a file: read as the caller reads, closed at the end
            self._stream = GivenBody.from_file(content)
        else:
            self._stream = GivenBody(content)
        self._frontend = detached_bodies()  # readable by hand; a Session replaces it

    @property
    def cookies(self):
        """The cookies this response set (its Set-Cookie fields); an empty jar when none.

        The Session's jar holds every cookie; ``r.cookies`` only this hop's,
        as in requests (each response in ``history`` has its own).
        """
        if self._cookies is None:
            from ._cookies import CookieJar
            self._cookies = CookieJar()
        return self._cookies

    @cookies.setter
    def cookies(self, jar):
        self._cookies = jar

    # ---- status
    @property
    def elapsed(self):
        """The time from sending the request to parsing the response head (a timedelta)."""
        value = self._elapsed
        if type(value) is float:  # made on first use: a timedelta costs ~0.8 us
            value = self._elapsed = datetime.timedelta(seconds=value)
        return value

    @elapsed.setter
    def elapsed(self, value):
        self._elapsed = value

    @property
    def ok(self):
        """True unless the status is 4xx or 5xx."""
        return self.status_code < 400

    def __bool__(self):
        return self.ok

    __nonzero__ = __bool__

    @property
    def is_redirect(self):
        """A redirect with a Location that httpkit would follow (an empty one is not)."""
        return self.status_code in _REDIRECT_CODES and bool(self.headers.get("location"))

    @property
    def is_permanent_redirect(self):
        """A 301 or 308 with a (non-empty) Location."""
        return self.status_code in (301, 308) and bool(self.headers.get("location"))

    @property
    def next(self):
        """The PreparedRequest of the next redirect hop, when redirects were not followed.

        Set for a redirect received with ``allow_redirects=False``; None otherwise.

        .. versionadded:: 0.1
        """
        return self._next

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
                raise ResponseNotRead("the body of %r has not been read%s" % (
                    self, "" if self._stream is None else ": a streamed (stream=True) body "
                    "can be read once the call has returned, not inside a hook"))
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

    @raw.setter
    def raw(self, fileobj):
        """Give the body as a file to read from: ``r.raw = io.BytesIO(b"...")`` (tests,
        mock libraries). ``content``, ``iter_content`` and ``close()`` then use it.

        .. versionadded:: 0.1
        """
        from .transports._body import give_file
        give_file(self, fileobj)

    @property
    def encoding(self):
        """The charset named by the headers, or the one set here (settable).

        As requests' ``get_encoding_from_headers``: the Content-Type
        ``charset`` (when Python knows the codec); ``"utf-8"`` for JSON types;
        None otherwise (then :attr:`text` guesses from the body: see
        :mod:`httpkit._charset`; httpkit does not assume ISO-8859-1 for ``text/*``).
        """
        if self._encoding is not None:
            return self._encoding
        from ._charset import response_encoding
        return response_encoding(self.headers)

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
        text = json_text(self.content, self._encoding)
        try:
            return _json.loads(text, **kwargs)
        except ValueError as exc:  # json.JSONDecodeError on 3.x
            raise JSONDecodeError("Response body is not valid JSON: %s" % exc, text,
                                  getattr(exc, "pos", 0), msg=getattr(exc, "msg", None),
                                  response=self)
        except RuntimeError as exc:  # RecursionError (a RuntimeError on 2.7): "[[[[..."
            if "recursion" not in str(exc):
                raise
            raise JSONDecodeError("Response body is JSON nested too deeply to decode", text,
                                  0, response=self)

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

    def __iter__(self):
        """Iterate over the body in 128-byte pieces (``iter_content(128)``, as requests)."""
        return iter(self.iter_content(128))

    def iter_content(self, chunk_size=1, decode_unicode=False):
        """Yield the body in pieces of ``chunk_size`` bytes (the front-end streams it).

        Args:
            chunk_size: an int, or None for pieces as they arrive (one piece
                when the body is already in memory).
            decode_unicode: yield text decoded with :attr:`encoding` (UTF-8 when None).

        Raises:
            TypeError: ``chunk_size`` is neither an int nor None.
            StreamConsumedError: another reader already took the body.
        """
        if chunk_size is not None and not isinstance(chunk_size, integer_types):
            raise TypeError("chunk_size must be an int or None, not %s"
                            % type(chunk_size).__name__)
        if self._content is not None:
            data = self._content
            size = chunk_size if chunk_size and chunk_size > 0 else max(len(data), 1)
            chunks = (data[i:i + size] for i in range(0, len(data), size))
        elif self._frontend is None:
            raise ResponseNotRead("the body of %r has not been read" % self)
        else:
            chunks = self._frontend.iter_body(self, chunk_size)
        if decode_unicode:
            from ._charset import iter_decode
            return iter_decode(chunks, self.encoding or "utf-8")
        return chunks

    # ---- for front-ends: the same body bookkeeping everywhere
    def _take_stream(self, consumer):
        """The unread body stream, now owned by ``consumer``; None when there is none.

        Every front-end's readers come here first, so a body is read by ONE
        reader: a second one (``r.content`` after ``r.raw.read(3)``) raises
        instead of returning the rest as if it were the whole body.

        Args:
            consumer: how the caller reads, for the error message ("r.raw.read()").

        Raises:
            StreamConsumedError: another reader already took the body.
        """
        self._check_unconsumed()
        stream = self._stream
        if stream is None:
            return None
        self._consumer = consumer
        self._content_consumed = True
        return stream

    def _check_unconsumed(self):
        """Raise StreamConsumedError when a streaming reader already took the body."""
        if self._consumer is not None:
            from .exceptions import StreamConsumedError
            if self._consumer == _CLOSED:
                raise StreamConsumedError("the body of %r was discarded unread by close()"
                                          % (self,), response=self)
            raise StreamConsumedError("the body of %r was already consumed by %s; read a "
                                      "body with one reader only" % (self, self._consumer),
                                      response=self)

    def _drop_stream(self):
        """Forget the body stream; a half-read one closes its connection (never reused).

        A body dropped before any reader took it cannot be read later: readers
        then raise StreamConsumedError instead of returning an empty body.
        """
        stream, self._stream = self._stream, None
        if stream is not None and not stream.done:
            stream.abort()
            if self._consumer is None:
                self._consumer = _CLOSED

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

    # ---- pickling (requests' Response pickles too)
    _PICKLED = ("status_code", "reason", "headers", "url", "history", "elapsed", "http_version",
                "from_cache", "cache_status", "_content", "_encoding", "_cookies", "_next")

    def __getstate__(self):
        """Read the body (if it is still unread), then keep what needs no connection.

        The request is kept when it pickles (a body or hook that cannot be
        pickled drops it: ``request`` is None after unpickling).
        """
        if self._content is None and self._consumer is None and self._frontend is not None:
            self.content  # noqa: B018 - reads the body
        state = dict((name, getattr(self, name)) for name in self._PICKLED)
        state["request"] = _picklable_or_none(self.request)
        return state

    def __setstate__(self, state):
        self.__init__(state.pop("status_code"), state.pop("reason"), state.pop("headers"),
                      state.pop("request"), state.pop("http_version"))
        self.elapsed = state.pop("elapsed")
        self.__dict__.update(state)
        self._content_consumed = True

    def __repr__(self):
        return "<Response [%s]>" % (self.status_code,)


def _picklable_or_none(value):
    import pickle
    try:
        pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - whatever a user's hook or body raises while pickling
        return None
    return value
