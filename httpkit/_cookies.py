"""Cookies: the stdlib cookie jar's rules over httpkit's PreparedRequest and Response.

Rules:
- Which cookie goes where (domain, path, secure, expiry, third-party) is
  decided by the stdlib jar (``http.cookiejar`` / ``cookielib``); httpkit only
  drops a cookie larger than 4096 bytes first (as browsers do) and presents
  its models in the shapes the jar reads
  (:class:`RequestView`, :class:`ResponseView`, like requests' MockRequest and
  MockResponse).
- :class:`CookieJar` adds requests' dict-like conveniences. The stdlib jar
  holds its own lock while it adds or extracts cookies; iteration here takes
  a snapshot under that lock, so a jar can be shared between threads.
- A name that matches cookies in several domains or paths is ambiguous:
  ``jar[name]`` raises :class:`CookieConflictError` instead of guessing.
"""
from __future__ import absolute_import, division, print_function

import copy
import re
import time

from ._compat import Mapping, binary_type, import_cookiejar, string_types
from .exceptions import InvalidHeader

cookiejar = import_cookiejar()  # this module is itself imported on first use

__all__ = ["CookieJar", "CookieConflictError", "RequestView", "ResponseView", "create_cookie",
           "cookiejar_from_dict", "merge_cookies", "override_cookies", "add_cookie_header",
           "extract_cookies", "cookies_set_by"]


class CookieConflictError(RuntimeError):
    """Several cookies match a name: pass ``domain=`` and/or ``path=``."""


# ---------------------------------------------------------------- views for the stdlib jar


class RequestView(object):
    """Present an httpkit PreparedRequest the way the stdlib jar expects a urllib2 Request.

    The jar calls :meth:`add_unredirected_header`; the Cookie value it
    builds is collected in :attr:`new_headers` (the PreparedRequest is not touched).
    """

    def __init__(self, request):
        self._request = request
        self._url = request.parsed_url.without_auth()
        self.new_headers = {}
        self.type = self._url.scheme

    # 3.x attribute spellings
    @property
    def host(self):
        return self._url.host_header

    @property
    def origin_req_host(self):
        return self._url.host

    @property
    def unverifiable(self):
        return False  # a redirect the user asked for, like requests

    # 2.7 method spellings
    def get_type(self):
        return self.type

    def get_host(self):
        return self.host

    def get_origin_req_host(self):
        return self.origin_req_host

    def is_unverifiable(self):
        return self.unverifiable

    def get_full_url(self):
        return str(self._url)

    def has_header(self, name):
        return name in self._request.headers or name in self.new_headers

    def get_header(self, name, default=None):
        return self._request.headers.get(name, self.new_headers.get(name, default))

    def add_unredirected_header(self, name, value):
        self.new_headers[name] = value

    def add_header(self, name, value):
        raise NotImplementedError("the cookie jar must not change request headers directly")


class _HeaderView(object):
    def __init__(self, headers):
        self._headers = headers

    def get_all(self, name, default=None):  # 3.x email.message API
        return self._headers.get_all(name) or default

    def getheaders(self, name):  # 2.7 mimetools API
        return self._headers.get_all(name)


class ResponseView(object):
    """Present an httpkit Response the way the stdlib jar expects (``info()``)."""

    def __init__(self, response):
        self._info = _HeaderView(response.headers)

    def info(self):
        return self._info


# ---------------------------------------------------------------- the jar


# RFC 6265 section 4.1.1: cookie-name is a token; a value must not end the pair (";")
# or the header (CR, LF), and only Latin-1 can go into a header at all.
_COOKIE_NAME = re.compile(r"\A[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_BAD_COOKIE_VALUE = re.compile(u"[\x00-\x1f\x7f;]|[^\x00-\xff]")


def check_cookie(name, value):
    """Raise InvalidHeader unless ``name=value`` can go into a Cookie header as given.

    Raises:
        InvalidHeader: naming the cookie (``cookie name 'a\\nb'``).
    """
    if not isinstance(name, string_types) or not _COOKIE_NAME.match(name):
        raise InvalidHeader("Invalid cookie name %r: only letters, digits and "
                            "!#$%%&'*+-.^_`|~ are allowed (RFC 6265)" % (name,))
    if value is not None and not isinstance(value, string_types):
        # The stdlib jar would fail with a TypeError when it builds the header.
        raise InvalidHeader("Invalid value for cookie %r: must be str or bytes, not %s"
                            % (name, type(value).__name__))
    if isinstance(value, string_types) and _BAD_COOKIE_VALUE.search(value):
        raise InvalidHeader("Invalid value for cookie %r: %r holds a control character, "
                            "';' or a character outside Latin-1" % (name, value))


def _native(part):
    # bytes go into the header as they are (Latin-1 is byte for byte); the
    # stdlib jar only handles str (a bytes value was a TypeError when sent).
    if isinstance(part, binary_type) and not isinstance(part, str):
        return part.decode("latin-1")
    return part


def create_cookie(name, value, **kwargs):
    """Make a stdlib Cookie with requests' defaults (path ``/``, any domain).

    Args:
        name: the cookie name.
        value: its value.
        **kwargs: any stdlib Cookie attribute (domain, path, secure,
            expires, rest={"HttpOnly": None}, ...).

    Returns:
        A ``http.cookiejar.Cookie``.

    Raises:
        TypeError: an unknown attribute was passed.
        InvalidHeader: the name is not an RFC 6265 token, or the value is not
            str, bytes or None, or holds a control character, ";" or a
            character outside Latin-1 (either would change the Cookie header
            sent); the message names the cookie.
    """
    name, value = _native(name), _native(value)
    check_cookie(name, value)
    fields = dict(version=0, name=name, value=value, port=None, domain="", path="/",
                  secure=False, expires=None, discard=True, comment=None, comment_url=None,
                  rest={"HttpOnly": None}, rfc2109=False)
    bad = set(kwargs) - set(fields)
    if bad:
        raise TypeError("create_cookie() got unexpected keyword arguments: %s" % sorted(bad))
    fields.update(kwargs)
    fields["port_specified"] = bool(fields["port"])
    fields["domain_specified"] = bool(fields["domain"])
    fields["domain_initial_dot"] = fields["domain"].startswith(".")
    fields["path_specified"] = bool(fields["path"])
    return cookiejar.Cookie(**fields)


class CookieJar(cookiejar.CookieJar, object):
    """A stdlib cookie jar with requests' dict-like interface.

    ``jar[name]`` (KeyError when absent, CookieConflictError when several
    domains/paths hold it), ``jar.get(name, default, domain=, path=)``,
    ``jar.set(name, value, domain=, path=, ...)``, ``keys()/values()/items()``
    (lists) and ``iterkeys()/itervalues()/iteritems()``, ``get_dict(domain=, path=)``,
    ``list_domains()/list_paths()/multiple_domains()``, ``get_policy()/set_policy()``,
    ``copy()``, ``update()``; ``save(path)``/``load(path)`` in libwww-perl (LWP) format.
    """

    def __iter__(self):
        with self._cookies_lock:
            return iter(list(cookiejar.deepvalues(self._cookies)))

    def set_cookie(self, cookie, *args, **kwargs):
        """Store ``cookie``; a quoted value loses its escaped quotes (requests' rule).

        ``Set-Cookie: a="\\"x\\""`` (a quoted value holding quotes, as Werkzeug
        writes it) is stored as ``"x"``, the value the server meant, and sent back so.
        """
        value = cookie.value
        if value and value[:1] == '"' and value[-1:] == '"' and '\\"' in value:
            cookie.value = value.replace('\\"', "")
        return super(CookieJar, self).set_cookie(cookie, *args, **kwargs)

    def get(self, name, default=None, domain=None, path=None):
        """Return the value of cookie ``name`` (or ``default``).

        Raises:
            CookieConflictError: several cookies match; narrow with domain/path.
        """
        try:
            return self._find(name, domain, path)
        except KeyError:
            return default

    def set(self, name, value, **kwargs):
        """Add or replace a cookie; a ``None`` value removes it.

        Args:
            name: the cookie name.
            value: its value, or None to delete every cookie of that name
                (within ``domain``/``path`` when given).
            **kwargs: stdlib Cookie attributes (see :func:`create_cookie`).

        Returns:
            The Cookie set, or None when removing.
        """
        if value is None:
            self._remove(name, kwargs.get("domain"), kwargs.get("path"))
            return None
        cookie = create_cookie(name, value, **kwargs)
        self.set_cookie(cookie)
        return cookie

    def _remove(self, name, domain, path):
        for cookie in list(self):
            if cookie.name == name and _matches(cookie, domain, path):
                self.clear(cookie.domain, cookie.path, cookie.name)

    def _find(self, name, domain=None, path=None):
        found = [c for c in self if c.name == name and _matches(c, domain, path)]
        if not found:
            raise KeyError("name=%r, domain=%r, path=%r" % (name, domain, path))
        if len(found) > 1:
            raise CookieConflictError(
                "There are %d cookies named %r (at %s): pass domain= and/or path="
                % (len(found), name, sorted(set("%s%s" % (c.domain, c.path) for c in found))))
        return found[0].value

    def __getitem__(self, name):
        return self._find(name)

    def __setitem__(self, name, value):
        self.set(name, value)

    def __delitem__(self, name):
        self._remove(name, None, None)

    def __contains__(self, name):
        return any(cookie.name == name for cookie in self)

    def iterkeys(self):
        """Iterate over every cookie name (repeated when several domains/paths share it)."""
        return (cookie.name for cookie in self)

    def itervalues(self):
        """Iterate over every cookie value."""
        return (cookie.value for cookie in self)

    def iteritems(self):
        """Iterate over ``(name, value)`` for every cookie."""
        return ((cookie.name, cookie.value) for cookie in self)

    def keys(self):
        """Every cookie name, as a list (repeated when several domains/paths share it)."""
        return list(self.iterkeys())

    def values(self):
        """Every cookie value, as a list."""
        return list(self.itervalues())

    def items(self):
        """``[(name, value), ...]`` for every cookie."""
        return list(self.iteritems())

    def list_domains(self):
        """The domains that hold cookies."""
        return sorted(set(cookie.domain for cookie in self))

    def list_paths(self):
        """The paths that hold cookies."""
        return sorted(set(cookie.path for cookie in self))

    def multiple_domains(self):
        """Tell whether the jar holds cookies for more than one domain."""
        return len(self.list_domains()) > 1

    def get_policy(self):
        """Return the jar's cookie policy (``set_policy(policy)`` replaces it)."""
        return self._policy

    def get_dict(self, domain=None, path=None):
        """Return ``{name: value}`` for cookies matching ``domain`` and ``path``."""
        return dict((c.name, c.value) for c in self if _matches(c, domain, path))

    def update(self, other):
        """Copy every cookie from another jar, or every item of a mapping."""
        if isinstance(other, cookiejar.CookieJar):
            for cookie in list(other):
                self.set_cookie(copy.copy(cookie))
        else:
            for name, value in (other.items() if isinstance(other, Mapping) else other):
                self.set(name, value)

    def copy(self):
        """Return a new jar with the same policy and cookies."""
        new = type(self)(self._policy)
        new.update(self)
        return new

    def save(self, path, ignore_discard=True, ignore_expires=False):
        """Write the cookies to ``path`` in LWP format.

        Args:
            path: the file name.
            ignore_discard: also save session cookies (default True: a saved
                session should come back whole).
            ignore_expires: also save expired cookies.
        """
        lwp = cookiejar.LWPCookieJar()
        for cookie in self:
            lwp.set_cookie(cookie)
        lwp.save(path, ignore_discard=ignore_discard, ignore_expires=ignore_expires)

    def load(self, path, ignore_discard=True, ignore_expires=False):
        """Add the cookies stored at ``path`` (LWP format) to this jar.

        Raises:
            OSError: the file cannot be read (``IOError`` on 2.7);
                ``LoadError``, an OSError, for a file in another format.
        """
        lwp = cookiejar.LWPCookieJar()
        lwp.load(path, ignore_discard=ignore_discard, ignore_expires=ignore_expires)
        self.update(lwp)

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_cookies_lock")  # locks do not pickle
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        import threading
        self._cookies_lock = threading.RLock()

    def __repr__(self):
        return "<CookieJar[%s]>" % ", ".join("%s for %s%s" % (c.name, c.domain, c.path)
                                             for c in self)


def _matches(cookie, domain, path):
    return (domain is None or cookie.domain == domain) and (path is None or cookie.path == path)


# ---------------------------------------------------------------- helpers the flows call


def cookiejar_from_dict(cookie_dict, jar=None, overwrite=True):
    """Return a jar holding the cookies of a dict (added to ``jar`` if given).

    Args:
        cookie_dict: ``{name: value}`` or None.
        jar: an existing jar to add to, or None for a new :class:`CookieJar`.
        overwrite: replace cookies of the same name already in ``jar``.

    Returns:
        The jar.
    """
    if jar is None:
        jar = CookieJar()
    if cookie_dict:
        names = set(cookie.name for cookie in jar)
        for name, value in cookie_dict.items():
            if overwrite or name not in names:
                jar.set_cookie(create_cookie(name, value))
    return jar


def merge_cookies(jar, cookies):
    """Add ``cookies`` (a dict or any stdlib jar) to ``jar``; return ``jar``.

    A dict never overwrites a cookie already in ``jar`` (requests' rule for
    per-request cookies merged into a session's); a jar's cookies replace.

    Raises:
        TypeError: ``jar`` is not a stdlib CookieJar.
    """
    if not isinstance(jar, cookiejar.CookieJar):
        raise TypeError("merge_cookies() needs a CookieJar, not %s" % type(jar).__name__)
    if isinstance(cookies, Mapping):
        return cookiejar_from_dict(cookies, jar, overwrite=False)
    if isinstance(cookies, cookiejar.CookieJar):
        for cookie in list(cookies):
            jar.set_cookie(cookie)
    return jar


def override_cookies(jar, cookies):
    """Add a call's ``cookies`` to ``jar`` (a copy of the Session's); return ``jar``.

    A per-request cookie wins, as in requests: a dict's value replaces every
    cookie of that name in ``jar`` (whatever its domain or path), a jar's
    cookies replace those with the same name, domain and path.
    """
    if isinstance(cookies, Mapping):
        for name, value in cookies.items():
            jar._remove(name, None, None)
            if value is not None:
                jar.set_cookie(create_cookie(name, value))
        return jar
    return merge_cookies(jar, cookies)


def cookies_set_by(response):
    """Return a new :class:`CookieJar` with only the cookies ``response`` sets."""
    jar = CookieJar()
    extract_cookies(jar, response)
    return jar


def add_cookie_header(jar, request):
    """Set ``request``'s Cookie header from the cookies ``jar`` holds for its URL.

    A Cookie header the user set explicitly is left alone (stdlib rule).

    Returns:
        The Cookie header value added, or None.
    """
    view = RequestView(request)
    jar.add_cookie_header(view)
    value = view.new_headers.get("Cookie")
    if value is not None:
        request.headers["Cookie"] = value
    return value


#: A cookie whose name and value together are longer is dropped, as browsers do
#: (RFC 6265 section 6.1 asks user agents to store at least 4096 bytes; a larger
#: one would make every later request carry it, or be refused by the server).
MAX_COOKIE_SIZE = 4096


def extract_cookies(jar, response):
    """Store the Set-Cookie fields of ``response`` (for ``response.request``) in ``jar``.

    The jar's policy decides (domain, path, secure...); a cookie over
    :data:`MAX_COOKIE_SIZE` is dropped first.
    """
    if response.request is None or not response.headers.get_all("set-cookie"):
        return
    view = RequestView(response.request)
    with jar._cookies_lock:  # what the stdlib's extract_cookies does, with the size check
        jar._policy._now = jar._now = int(time.time())  # make_cookies reads it (Max-Age)
        for cookie in jar.make_cookies(ResponseView(response), view):
            if len(cookie.name) + len(cookie.value or "") <= MAX_COOKIE_SIZE \
                    and jar._policy.set_ok(cookie, view):
                jar.set_cookie(cookie)

