"""Proxy selection: which proxy (if any) a URL goes through, decided in one place.

Precedence, highest first (:func:`resolve_proxy`):

1. the per-request ``proxies=`` dict,
2. ``Session.proxies``,
3. the environment, only when ``trust_env`` is true.

Rules:
- Inside one dict the key lookup is requests': ``scheme://host``,
  ``scheme``, ``all://host``, ``all``. The first layer with a matching key
  decides; a ``None`` (or empty) value there means "connect directly".
  A layer without a matching key defers to the next one.
- A dict may carry ``"no_proxy"``; it applies to that dict's proxies: a
  matching URL connects directly (fixes requests#5000). The environment's
  NO_PROXY applies to the environment's proxies only: explicit settings win
  over ambient ones.
- Environment: ``http_proxy``, ``https_proxy``, ``all_proxy``, ``no_proxy``;
  the lower-case name wins over the upper-case one (even when empty, which
  unsets it). ``HTTP_PROXY`` is ignored when ``REQUEST_METHOD`` is set: in
  CGI it comes from the client's ``Proxy:`` header (httpoxy).
- NO_PROXY entries (comma and/or space separated; empty entries ignored):
  ``*``; host names matching on label boundaries (a leading ``.`` or ``*.``
  is allowed); IP literals; CIDR blocks (IPv4 and IPv6); ``host:port``.
  Loopback is not special: it bypasses the proxy only when listed.
- Proxy URLs: ``http://`` (plain) or ``https://`` (TLS to the proxy);
  no scheme means ``http://``; default ports 80 and 443 (like curl);
  user:password becomes a Basic ``Proxy-Authorization``. ``socks5://``,
  ``socks5h://``, ``socks4://``, ``socks4a://`` (and ``socks://`` = socks5, port
  1080 by default) are SOCKS proxies: :mod:`httpkit._socks` does the handshake.
- TLS settings are not proxy settings: nothing here reads
  REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE, so ``verify=False`` can never be undone
  by the environment (requests#3829).
"""
from __future__ import absolute_import, division, print_function

import os
import re
import socket

from ._compat import binary_type, environ_getter, iterbytes, string_types, to_str
from ._urls import URL
from .exceptions import InvalidHeader, InvalidProxyURL, InvalidURL

__all__ = ["Proxy", "environ_proxies", "should_bypass_proxies", "select_proxy",
           "resolve_proxy", "parse_no_proxy"]

_ENV_SCHEMES = ("http", "https", "all", "no")
_SOCKS = ("socks4", "socks4a", "socks5", "socks5h", "socks")
_SPLIT = re.compile(r"[\s,]+")


class Proxy(object):
    """A parsed proxy URL.

    Attributes: ``scheme`` (``http``; ``https``: TLS to the proxy; ``socks5``,
    ``socks5h``, ``socks4``, ``socks4a``: a SOCKS proxy, see :mod:`httpkit._socks`),
    ``host``, ``port``, ``username``/``password`` (or None),
    ``authorization`` (the Basic ``Proxy-Authorization`` value, or None;
    also ``proxy_authorization``), ``key`` (hashable, for pooling). ``str()``
    and ``repr()`` never show credentials.
    """

    __slots__ = ("scheme", "host", "port", "username", "password", "authorization", "url")

    def __init__(self, url):
        """Parse a proxy URL.

        Args:
            url: str or bytes, with or without a scheme.

        Raises:
            InvalidProxyURL: no host, a bad port, an unknown scheme, or
                credentials Basic auth cannot carry.
        """
        text = _with_scheme(url)
        scheme = text.split("://", 1)[0].lower()
        if scheme not in _KNOWN_SCHEMES:
            raise InvalidProxyURL("Unsupported proxy scheme %r: use http://, https://, "
                                  "socks5://, socks5h://, socks4:// or socks4a://" % scheme)
        if scheme in _SOCKS:  # parsed as http: only host, port and credentials count
            text = "http" + text[len(scheme):]
        try:
            parsed = URL(text)
        except InvalidURL as exc:
            raise InvalidProxyURL("Invalid proxy URL: %s" % _redact(exc))
        if scheme in _SOCKS:
            self._socks(scheme, parsed)
            return
        self.scheme, self.host, self.port = parsed.scheme, parsed.host, parsed.port
        self.username, self.password = parsed.username, parsed.password
        self.url = "%s://%s" % (parsed.scheme, parsed.host_header)
        self.authorization = None
        if parsed.username is not None:
            from ._auth import basic_auth_header
            try:
                self.authorization = basic_auth_header(parsed.username, parsed.password or "")
            except InvalidHeader:
                raise InvalidProxyURL(
                    "Invalid proxy URL %r: its user name holds ':' or a control character, "
                    "or its password a control character; neither can be sent as Basic "
                    "credentials (RFC 7617 section 2)" % (_redact_text(text),))

    def _socks(self, scheme, parsed):
        self.scheme = "socks5" if scheme == "socks" else scheme  # curl's meaning of socks://
        self.host, self.port = parsed.host, parsed._explicit_port or 1080
        self.username, self.password = parsed.username, parsed.password
        host = "[%s]" % self.host if ":" in self.host else self.host
        self.url = "%s://%s:%d" % (self.scheme, host, self.port)
        self.authorization = None  # SOCKS5 sends credentials in its own login (RFC 1929)

    @property
    def proxy_authorization(self):
        return self.authorization

    @property
    def is_socks(self):
        """True for a SOCKS proxy: a byte pipe to the origin, not an HTTP forwarder."""
        return self.scheme in _SOCKS

    @property
    def is_tls(self):
        """True when the connection to the proxy itself uses TLS."""
        return self.scheme == "https"

    @property
    def key(self):
        return (self.scheme, self.host, self.port, self.authorization)

    def __eq__(self, other):
        return isinstance(other, Proxy) and self.key == other.key

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(self.key)

    def __str__(self):
        return self.url

    def __repr__(self):
        auth = " (with credentials)" if self.authorization else ""
        return "<Proxy %s%s>" % (self.url, auth)


def _with_scheme(url):
    if isinstance(url, binary_type):
        url = url.decode("utf-8")
    if not isinstance(url, string_types):
        raise InvalidProxyURL("Invalid proxy URL: expected a string such as "
                              "'http://host:port', not %r (%s)" % (url, type(url).__name__))
    url = url.strip()
    if not url:
        raise InvalidProxyURL("Invalid proxy URL: empty")
    if "://" in url:
        return url
    found = _SCHEME_WITHOUT_SLASHES.match(url)
    if found and (found.group(2).startswith("/") or found.group(1).lower() in _KNOWN_SCHEMES
                  and not found.group(2).isdigit()):
        # "http:/proxy:3128" is a typo, not a host called "http".
        raise InvalidProxyURL("Invalid proxy URL %r: write scheme://host:port "
                              "(the scheme must be followed by '//')" % (_redact_text(url),))
    return "http://" + url


_SCHEME_WITHOUT_SLASHES = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):(.*)$", re.S)
_KNOWN_SCHEMES = ("http", "https") + _SOCKS


def _redact_text(url):
    """``url`` without whatever user info it carries (for messages)."""
    return re.sub(r"^([^:/@]*:/*)[^@]*@", r"\1***@", url) if "@" in url else url


def _redact(exc):
    # URL errors quote the URL, which may hold the proxy password.
    return re.sub(r"//[^/@\s]*@", "//***@", str(exc))


def _as_proxy(value):
    return value if isinstance(value, Proxy) else Proxy(value)


# ---------------------------------------------------------------- environment


def environ_proxies(environ=None):
    """Read the proxy settings from the environment.

    Args:
        environ: a mapping to read (default ``os.environ``).

    Returns:
        A proxies dict: any of ``"http"``, ``"https"``, ``"all"``
        (proxy URLs) and ``"no_proxy"``.
    """
    if environ is None:
        # Hot path: scanning all of os.environ on every request cost ~90 us;
        # re-read only when one of the variables that matter changed.
        snapshot = _env_snapshot()
        if snapshot != _ENV_CACHE[0]:
            _ENV_CACHE[1] = _read_environ(os.environ)
            _ENV_CACHE[0] = snapshot
        return dict(_ENV_CACHE[1])
    return _read_environ(environ)


_ENV_NAMES = ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
              "ALL_PROXY", "no_proxy", "NO_PROXY", "REQUEST_METHOD")
_ENV_CACHE = [object(), {}]
_env_snapshot = environ_getter(_ENV_NAMES)


def _read_environ(environ):
    upper, lower = {}, {}
    for name, value in environ.items():
        low = name.lower()
        if not low.endswith("_proxy") or low[:-6] not in _ENV_SCHEMES:
            continue
        (lower if name == low else upper)[low[:-6]] = value
    if "REQUEST_METHOD" in environ:
        upper.pop("http", None)  # httpoxy: CGI puts the Proxy: header there
    found = dict((k, v) for k, v in upper.items() if v)
    for key, value in lower.items():
        if value:
            found[key] = value
        else:
            found.pop(key, None)
    if "no" in found:
        found["no_proxy"] = found.pop("no")
    return found


# ---------------------------------------------------------------- NO_PROXY


def parse_no_proxy(no_proxy):
    """Split a NO_PROXY value into its entries (empty entries dropped, requests#2720).

    Args:
        no_proxy: a comma/space separated str, or an iterable of entries.

    Returns:
        A list of lower-case entries.

    Raises:
        InvalidProxyURL: ``no_proxy`` is neither.
    """
    if no_proxy is None:
        return []
    if isinstance(no_proxy, binary_type):
        no_proxy = no_proxy.decode("latin-1")
    if isinstance(no_proxy, string_types):
        no_proxy = _SPLIT.split(no_proxy)
    try:
        return [to_str(entry).strip().lower() for entry in no_proxy if entry and entry.strip()]
    except (TypeError, AttributeError):
        raise InvalidProxyURL("no_proxy must be a comma-separated string or a list of host "
                              "names, not %r" % (no_proxy,))


def _ip_int(text):
    """``(family, int)`` for an IP literal, or None."""
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            packed = socket.inet_pton(family, text)
        except (socket.error, ValueError, UnicodeError):
            continue
        value = 0
        for byte in iterbytes(packed):
            value = value << 8 | byte
        return family, value
    return None


def _in_cidr(host_ip, entry):
    network, _, bits = entry.partition("/")
    net_ip = _ip_int(network.strip("[]"))
    if host_ip is None or net_ip is None or net_ip[0] != host_ip[0] or not bits.isdigit():
        return False
    width = 32 if host_ip[0] == socket.AF_INET else 128
    prefix = int(bits)
    if prefix > width:
        return False
    shift = width - prefix
    return host_ip[1] >> shift == net_ip[1] >> shift


def _split_entry_port(entry):
    """``(host, port_or_None)`` for ``host``, ``host:port``, ``[v6]:port`` or bare v6."""
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
        return host, int(port) if port.isdigit() else None
    if entry.count(":") == 1:
        host, _, port = entry.partition(":")
        return host, int(port) if port.isdigit() else None
    return entry, None


def _entry_matches(entry, host, port, host_ip):
    if entry == "*":
        return True
    if "/" in entry:
        return _in_cidr(host_ip, entry)
    name, entry_port = _split_entry_port(entry)
    if entry_port is not None and entry_port != port:
        return False
    entry_ip = _ip_int(name)
    if entry_ip is not None or host_ip is not None:
        return entry_ip is not None and entry_ip == host_ip
    name = name.lstrip("*").lstrip(".").rstrip(".")
    return bool(name) and (host == name or host.endswith("." + name))


def should_bypass_proxies(url, no_proxy):
    """Tell whether ``url`` must connect directly according to ``no_proxy``.

    Args:
        url: a :class:`httpkit._urls.URL` or URL string.
        no_proxy: a NO_PROXY value (see :func:`parse_no_proxy`) or None.

    Returns:
        True when an entry matches the URL's host (and port, if the entry
        has one).
    """
    entries = parse_no_proxy(no_proxy)
    if not entries:
        return False
    url = _as_url(url)
    host = url.host.lower().rstrip(".")
    host_ip = _ip_int(host) if url.is_ip else None
    return any(_entry_matches(entry, host, url.port, host_ip) for entry in entries)


def _as_url(url):
    return url if isinstance(url, URL) else URL(url)


# ---------------------------------------------------------------- selection


def _proxy_keys(url):
    return (url.scheme + "://" + url.host, url.scheme, "all://" + url.host, "all")


def select_proxy(url, proxies):
    """Pick the entry of one proxies dict that applies to ``url``.

    Args:
        url: a URL or URL string.
        proxies: a dict keyed ``scheme://host``, ``scheme``, ``all://host``,
            ``all`` (plus optional ``no_proxy``), or None.

    Returns:
        ``(found, value)``: ``found`` is False when no key matches; ``value``
        is the proxy URL/Proxy, or None for "connect directly" (an explicit
        None/empty value, or a match in the dict's ``no_proxy``).
    """
    if not proxies:
        return False, None
    if not hasattr(proxies, "get"):
        raise InvalidProxyURL("proxies must be a dict such as {'https': 'http://host:port'}, "
                              "not %r" % (proxies,))
    url = _as_url(url)
    if should_bypass_proxies(url, proxies.get("no_proxy")):
        return True, None
    for key in _proxy_keys(url):
        if key in proxies:
            return True, proxies[key] or None
    return False, None


def resolve_proxy(url, request_proxies=None, session_proxies=None, trust_env=True,
                  environ=None):
    """Decide the proxy for ``url``: request > session > environment.

    Args:
        url: the target URL (URL or str).
        request_proxies: the per-request ``proxies=`` dict, or None.
        session_proxies: ``Session.proxies``, or None.
        trust_env: also consult the environment (last).
        environ: the environment mapping (default ``os.environ``).

    Returns:
        A :class:`Proxy`, or None to connect directly.

    Raises:
        InvalidProxyURL: the chosen proxy URL is invalid.
    """
    url = _as_url(url)
    layers = [request_proxies, session_proxies]
    if trust_env:
        layers.append(environ_proxies(environ))
    for proxies in layers:
        if not proxies:  # (the common case: no call to make)
            continue
        found, value = select_proxy(url, proxies)
        if found:
            return None if value is None else _as_proxy(value)
    return None
