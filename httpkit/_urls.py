"""URLs: parse, validate, encode query parameters, resolve redirects.

Rules:
- Parsing follows RFC 3986's split (scheme, authority, path, query,
  fragment) with the stdlib's ``quote`` for unsafe characters, so the hot
  path does not import urllib3 (2.5 MiB); host names are IDNA-encoded by
  :func:`httpkit.tls._hostname.parse_host` (UTS 46), so the Host header, SNI
  and certificate checks all see the same A-label.
- Anything that could smuggle bytes onto the wire (CR, LF, NUL, other
  controls, spaces in the host) raises InvalidURL before a byte is sent; so
  does a host name that DNS cannot carry (an empty label as in
  ``http://.example.com``, ``*``, labels over 63 characters).
- Any scheme parses, as in requests: a URL whose scheme does not start with
  "http" (``mailto:``, ``data:``, ``localhost:3128``) is kept exactly as
  given; other ``http*`` schemes (``http+unix://%2Fsocket/path``) are split
  and requoted but their host is not interpreted. Only http and https URLs
  have ``is_http`` set; sending any other is InvalidSchema (in
  :func:`httpkit._exchange.send_single`), not parsing it.
- Query parameters are encoded like requests: lists repeat the key, ``None``
  values are dropped, bytes and text both accepted.
"""
from __future__ import absolute_import, division, print_function

import re

from ._compat import Mapping, binary_type, string_types, text_type, to_str, urlencode, urljoin
from .exceptions import InvalidURL, MissingSchema
from .tls._hostname import InvalidHostname, is_ip_address, parse_host

__all__ = ["URL", "encode_params", "DEFAULT_PORTS"]

DEFAULT_PORTS = {"http": 80, "https": 443}
_PARSED = {}
_PARSED_MAX = 512
_CONTROL = re.compile(u"[\x00-\x1f\x7f]")
_SCHEME = re.compile(r"\A[a-zA-Z][a-zA-Z0-9+.-]*:")
_ABSOLUTE = re.compile(r"\A[hH][tT][tT][pP][sS]?://")
# What DNS can carry (RFC 1123 labels, plus "_" which real names use); A-labels too.
_DNS_NAME = re.compile(r"\A[a-z0-9_-]{1,63}(?:\.[a-z0-9_-]{1,63})*\Z")


class URL(object):
    """An absolute URL; http(s) ones validated and normalised.

    Attributes: ``scheme`` (lower case), ``host`` (A-label or IP literal, no
    brackets), ``port`` (explicit or default), ``path``, ``query`` (or
    ``None``), ``fragment`` (or ``None``), ``username``/``password`` (or
    ``None``, percent-decoded), ``is_http`` (False for other schemes, which
    are kept as given: see the module docstring).
    """

    __slots__ = ("scheme", "host", "port", "path", "query", "fragment",
                 "username", "password", "is_ip", "is_http", "_explicit_port", "_str")

    def __getstate__(self):  # pickle protocols 0/1 (2.7's default) need it with __slots__
        return dict((name, getattr(self, name)) for name in self.__slots__ if hasattr(self, name))

    def __setstate__(self, state):
        for name, value in state.items():
            setattr(self, name, value)

    def __init__(self, url):
        if isinstance(url, URL):
            for name in URL.__slots__:
                setattr(self, name, getattr(url, name))
            return
        if isinstance(url, binary_type):
            try:
                url = url.decode("utf-8")
            except UnicodeError:
                raise InvalidURL("URL %r is neither text nor UTF-8 bytes" % (url,))
        url = text_type(url).strip()
        if _CONTROL.search(url):
            raise InvalidURL("URL contains control characters (CR, LF, NUL...): %r" % (url,))
        if u":" in url and not url.lower().startswith(u"http"):
            self._keep(url)  # requests leaves such URLs alone
            return
        if not _SCHEME.match(url):
            raise MissingSchema("No scheme supplied in %r: perhaps you meant https://%s?"
                                % (url, url))
        self._parse(url)

    @classmethod
    def parse(cls, url):
        """``URL(url)``, remembered: clients ask for the same few URLs again and again.

        URL objects are never changed in place (every method returns a copy),
        so sharing them is safe.
        """
        cached = _PARSED.get(url)
        if cached is None:
            cached = cls(url)
            if len(_PARSED) >= _PARSED_MAX:
                _PARSED.clear()
            _PARSED[url] = cached
        return cached

    def _keep(self, url):
        self.scheme = str(url.partition(u":")[0].lower())
        self.host, self.port, self.path, self.query, self.fragment = "", None, "", None, None
        self.username = self.password = self._explicit_port = None
        self.is_ip = self.is_http = False
        self._str = to_str(url.encode("utf-8")) if str is bytes else url

    def _parse(self, url):
        scheme, netloc, path, query, fragment = _split(url)
        if netloc is None:
            raise InvalidURL("Invalid URL %r: expected %s://host" % (url, scheme))
        userinfo, _, hostport = netloc.rpartition("@")
        if u"@" in userinfo:
            # RFC 3986 section 3.2.1: "@" is not allowed in userinfo; which "@" ends it
            # is a guess parsers make differently (the stdlib: the last one).
            raise InvalidURL("Invalid URL %r: more than one '@' in the authority (write an "
                             "'@' in a user name or password as %%40)" % (url,))
        self.scheme = str(scheme)
        self.is_http = scheme in DEFAULT_PORTS
        if self.is_http:
            host, port = _split_hostport(url, hostport)
            self.host, self.is_ip = _parse_host(url, host)
        else:  # http+unix://%2Fpath... : the host is the transport's business
            host, port, self.is_ip = _requote(hostport), None, False
            self.host = host
        self._explicit_port = port
        self.port = port or DEFAULT_PORTS.get(scheme)
        self.path = _requote(path or u"/")
        self.query = None if query is None else _requote(query)
        self.fragment = None if fragment is None else _requote(fragment)
        self.username, self.password = _split_auth(userinfo) if _ else (None, None)
        self._str = None

    # ---- derived forms
    @property
    def origin(self):
        """``(scheme, host, port)``: what same-origin checks and the pool compare."""
        return (self.scheme, self.host, self.port)

    @property
    def host_header(self):
        """The Host header value: host plus the port when it is not the default."""
        if not self.is_http:
            return self.host
        host = "[%s]" % self.host if ":" in self.host else self.host
        if self.port != DEFAULT_PORTS[self.scheme]:
            return "%s:%d" % (host, self.port)
        return host

    netloc = host_header

    @property
    def target(self):
        """The request-target: path plus query."""
        if self.query is None:
            return self.path
        return self.path + "?" + self.query

    def __str__(self):
        if self._str is None:
            auth = ""
            if self.username is not None:
                from ._compat import quote
                auth = quote(self.username, safe="")
                if self.password is not None:
                    auth += ":" + quote(self.password, safe="")
                auth += "@"
            s = "%s://%s%s%s" % (self.scheme, auth, self.host_header, self.target)
            if self.fragment is not None:
                s += "#" + self.fragment
            self._str = s
        return self._str

    def __getstate__(self):
        # Pickling (Python 2.7's default protocol needs this with __slots__).
        return dict((name, getattr(self, name)) for name in URL.__slots__)

    def __setstate__(self, state):
        for name, value in state.items():
            setattr(self, name, value)

    def __repr__(self):
        return "URL(%r)" % str(self)

    def __eq__(self, other):
        return str(self) == str(other)

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(str(self))

    def without_auth(self):
        """This URL without user:password (what is sent and shown)."""
        if self.username is None:
            return self
        copy = URL(self)
        copy.username = copy.password = None
        copy._str = None
        return copy

    def join(self, location):
        """Resolve a (possibly relative) Location against this URL.

        A fragment on this URL is kept when the Location has none (RFC 9110
        section 10.2.2).
        """
        if isinstance(location, binary_type):
            try:
                location = location.decode("utf-8")
            except UnicodeError:  # a lone byte: kept, percent-encoded as it is
                location = location.decode("utf-8", "surrogateescape") if str is not bytes \
                    else location.decode("latin-1")
        location = location.strip()
        if location.startswith("//"):
            location = "%s:%s" % (self.scheme, location)
        if _ABSOLUTE.match(location):
            joined = URL(location)  # urljoin would fill in an empty host ("http:///")
        else:
            try:
                joined = URL(urljoin(str(self.without_auth()), location))
            except ValueError as exc:  # urlsplit: "Invalid IPv6 URL"...
                if isinstance(exc, InvalidURL):
                    raise
                raise InvalidURL("Invalid URL %r: %s" % (location, exc))
        if joined.fragment is None and self.fragment is not None:
            joined.fragment = self.fragment
            joined._str = None
        return joined

    def with_params(self, params):
        """Return a copy with ``params`` appended to the query (requests semantics)."""
        if isinstance(params, (string_types, binary_type)):
            encoded = _raw_query(params)
        else:
            encoded = encode_params(params)
        if not encoded or (not self.is_http and not self.host):
            return self  # requests: no params on mailto:, data:...
        copy = URL(self)
        copy.query = encoded if not copy.query else copy.query + "&" + encoded
        copy._str = None
        return copy


def _raw_query(params):
    """A query string given as ``params=``: requoted like a URL's (requests), controls refused."""
    text = params
    if isinstance(text, binary_type):
        try:
            text = text.decode("utf-8")
        except UnicodeError:  # Latin-1 or binary: sent percent-encoded as it is
            text = params.decode("latin-1")
            if not _CONTROL.search(text):
                from ._compat import quote
                return str(quote(params, safe=_SAFE))
    if _CONTROL.search(text):
        raise InvalidURL("Invalid params %r: control characters (CR, LF, NUL...) are not "
                         "allowed" % (params,))
    return _requote(text)


def _split(url):
    """``(scheme, netloc, path, query or None, fragment or None)``; "?" and "#" kept apart
    from their absence (RFC 3986 section 5.3)."""
    scheme, sep, rest = url.partition(u":")
    if not rest.startswith(u"//"):
        return scheme.lower(), None, None, None, None
    rest = rest[2:]
    rest, hashmark, fragment = rest.partition(u"#")
    rest, qmark, query = rest.partition(u"?")
    slash = rest.find(u"/")
    netloc, path = (rest, u"") if slash < 0 else (rest[:slash], rest[slash:])
    return (scheme.lower(), netloc, path, query if qmark else None,
            fragment if hashmark else None)


def _parse_host(url, host):
    try:
        name, is_ip = parse_host(host)
    except (InvalidHostname, UnicodeError) as exc:
        raise InvalidURL("Invalid URL %r: %s" % (url, exc))
    if not is_ip and (len(name) > 253 or not _DNS_NAME.match(name)):
        raise InvalidURL("Invalid URL %r: invalid host name %r (empty label, or a "
                         "character DNS names cannot have)" % (url, host))
    return name, is_ip


def _split_hostport(url, hostport):
    if hostport.startswith(u"["):
        host, bracket, after = hostport[1:].partition(u"]")
        if not bracket or (after and not after.startswith(u":")) or \
                u":" not in host or not is_ip_address(host):
            raise InvalidURL("Invalid URL %r: bad IPv6 literal" % (url,))
        port_text = after[1:] if after else u""
    else:
        host, _, port_text = hostport.partition(u":")
    if not host:
        raise InvalidURL("Invalid URL %r: no host supplied" % (url,))
    if not port_text:
        return host, None
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise InvalidURL("Invalid URL %r: bad port %r" % (url, port_text))
    return host, int(port_text)


#: What may stay as it is in a path, query or fragment (requests' requote_uri set).
_SAFE = "!#$%&'()*+,/:;=?@[]~"
_NEEDS_QUOTING = re.compile(u"[^A-Za-z0-9\\-._~!#$%&'()*+,/:;=?@\\[\\]]")


_ESCAPED_UNRESERVED = re.compile(u"%(4[1-9A-Fa-f]|5[0-9Aa]|6[1-9A-Fa-f]|7[0-9Aa]|3[0-9]"
                                 u"|2[DEde]|5[Ff]|7[Ee])")


def _requote(part):
    """Percent-encode what may not appear raw (spaces, non-ASCII as UTF-8).

    Existing %XX escapes are kept as they are, except those of unreserved
    characters (``%7E`` -> ``~``), which RFC 3986 section 6.2.2.2 says to
    decode (requests does too).
    """
    if u"%" in part:
        part = _ESCAPED_UNRESERVED.sub(lambda m: chr(int(m.group(1), 16)), part)
    if not _NEEDS_QUOTING.search(part):
        return str(part)
    from ._compat import quote
    return str(quote(part.encode("utf-8"), safe=_SAFE))


def _split_auth(auth):
    if not auth:
        return None, None
    from ._compat import unquote
    user, sep, password = auth.partition(":")
    return to_str(unquote(user)), (to_str(unquote(password)) if sep else None)


def encode_params(params):
    """Encode query parameters like requests: dicts, pairs, strings, bytes.

    Lists and tuples as values repeat the key; ``None`` values are dropped.
    """
    if params is None:
        return ""
    if isinstance(params, (string_types, binary_type)):
        return to_str(params)
    if hasattr(params, "read"):
        return to_str(params.read())
    items = params.items() if isinstance(params, Mapping) else params
    pairs = []
    for key, values in items:
        if isinstance(values, (string_types, binary_type)) or not hasattr(values, "__iter__"):
            values = [values]
        for value in values:
            if value is None:
                continue
            pairs.append((_param_bytes(key), _param_bytes(value)))
    return urlencode(pairs)


def _param_bytes(value):
    if isinstance(value, text_type):
        return value.encode("utf-8")
    if isinstance(value, binary_type):
        return value
    return text_type(value).encode("utf-8")
