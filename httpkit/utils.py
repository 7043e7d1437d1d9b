"""The ``requests.utils`` helpers that application code imports, under the same names.

``from httpkit.utils import quote, parse_header_links`` replaces
``from requests.utils import quote, parse_header_links``. Each helper is the
one httpkit itself uses (Link headers, charsets, URL quoting, cookie jars,
default headers), so what a helper returns is what httpkit does on the wire.

Differences from requests, on purpose:

- :func:`get_encoding_from_headers` follows httpkit's charset rules
  (docs/usage.md, "Text and encodings"): ``text/*`` without a charset gives
  None, not ``"ISO-8859-1"``, and an unknown codec name gives None.
- :func:`get_auth_from_url` gives ``("user", "")`` for ``user@host`` (requests:
  ``("", "")``).

.. versionadded:: 0.1
"""
from __future__ import absolute_import, division, print_function

from collections import OrderedDict

from . import _charset, _urls
from ._client import default_headers, default_user_agent
from ._compat import Mapping, binary_type, integer_types, quote, string_types, unquote
from .exceptions import InvalidURL
from .structures import CaseInsensitiveDict

__all__ = [
    "quote", "unquote", "requote_uri", "unquote_unreserved", "parse_header_links",
    "get_encoding_from_headers", "guess_json_utf", "to_key_val_list", "from_key_val_list",
    "default_user_agent", "default_headers", "CaseInsensitiveDict", "cookiejar_from_dict",
    "dict_from_cookiejar", "add_dict_to_cookiejar", "get_auth_from_url",
]

#: The characters RFC 3986 section 2.3 calls unreserved: never need escaping.
UNRESERVED_SET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_SAFE_WITHOUT_PERCENT = _urls._SAFE.replace("%", "")


def unquote_unreserved(uri):
    """Decode the percent-escapes of unreserved characters, keep every other escape.

    Args:
        uri: a URL or part of one (text).

    Returns:
        ``uri`` with ``%7E`` turned into ``~``, ``%41`` into ``A``..., while
        ``%2F``, ``%20``... stay escaped.

    Raises:
        InvalidURL: a ``%`` is followed by two letters or digits that are not hex.
    """
    parts = uri.split("%")
    for i in range(1, len(parts)):
        escape = parts[i][:2]
        if len(escape) == 2 and escape.isalnum():
            try:
                char = chr(int(escape, 16))
            except ValueError:
                raise InvalidURL("Invalid percent-escape sequence: '%s'" % (escape,))
            if char in UNRESERVED_SET:
                parts[i] = char + parts[i][2:]
                continue
        parts[i] = "%" + parts[i]
    return "".join(parts)


def requote_uri(uri):
    """Return ``uri`` quoted the way httpkit sends URLs: stable when applied twice.

    Unreserved characters are unescaped, then what may not appear raw (spaces,
    non-ASCII as UTF-8...) is percent-encoded, keeping existing valid escapes.
    A ``%`` that starts no valid escape is encoded as ``%25``.

    Args:
        uri: the URL (text; bytes are read as UTF-8).

    Returns:
        The quoted URL (native str).
    """
    if isinstance(uri, binary_type):
        uri = uri.decode("utf-8")
    try:
        return _urls._requote(unquote_unreserved(uri))
    except InvalidURL:
        return str(quote(uri.encode("utf-8"), safe=_SAFE_WITHOUT_PERCENT))


def parse_header_links(value):
    """Parse a Link header (RFC 8288) into a list of dicts, as requests does.

    Args:
        value: the header value, e.g. ``'<https://x/?page=2>; rel="next"'``.

    Returns:
        list: one dict per link, ``"url"`` plus each parameter (lower-case names,
        unquoted values). ``r.links`` is the same, keyed by ``rel``.
    """
    return _charset.parse_link_header(value or "")


def get_encoding_from_headers(headers):
    """Return the text encoding the headers name, by httpkit's charset rules.

    Args:
        headers: response headers (:class:`httpkit.Headers` or another mapping
            with a case-insensitive ``get``).

    Returns:
        The Content-Type ``charset`` parameter when Python knows that codec,
        else None (see this module's docstring for the difference from requests).
    """
    return _charset.encoding_from_headers(headers)


def guess_json_utf(data):
    """Guess which UTF a JSON document is in from its first four bytes (RFC 4627 section 3).

    Args:
        data: the start of the body (bytes).

    Returns:
        ``"utf-8"``, ``"utf-8-sig"``, ``"utf-16"``, ``"utf-16-le"``... (a BOM
        or the pattern of zero bytes), or None when the zero bytes fit no UTF.
    """
    encoding = _charset._sniff_unicode(data)
    if encoding is None and b"\x00" not in data[:4]:
        return "utf-8"
    return encoding


def _check_pairs(value):
    if isinstance(value, (string_types, binary_type, bool) + integer_types):
        raise ValueError("cannot encode objects that are not 2-tuples")


def to_key_val_list(value):
    """Return a mapping or an iterable of pairs as a list of ``(key, value)`` pairs.

    Args:
        value: a mapping, an iterable of 2-tuples, or None.

    Returns:
        A list of pairs, or None for None.

    Raises:
        ValueError: ``value`` is a string, bytes, a bool or an int.
    """
    if value is None:
        return None
    _check_pairs(value)
    if isinstance(value, Mapping):
        value = value.items()
    return list(value)


def from_key_val_list(value):
    """Return a mapping or an iterable of pairs as an OrderedDict.

    Args:
        value: a mapping, an iterable of 2-tuples, or None.

    Returns:
        An OrderedDict, or None for None.

    Raises:
        ValueError: ``value`` is a string, bytes, a bool or an int.
    """
    if value is None:
        return None
    _check_pairs(value)
    return OrderedDict(value)


def cookiejar_from_dict(cookie_dict, cookiejar=None, overwrite=True):
    """Return a cookie jar holding the cookies of a dict.

    Args:
        cookie_dict: ``{name: value}`` or None.
        cookiejar: a jar to add them to, or None for a new httpkit jar.
        overwrite: replace cookies of the same name already in ``cookiejar``.

    Returns:
        The jar.
    """
    from . import _cookies  # the stdlib cookie jar costs ~2 MiB: only on first use
    return _cookies.cookiejar_from_dict(cookie_dict, cookiejar, overwrite)


def dict_from_cookiejar(cj):
    """Return ``{name: value}`` for every cookie in a jar (any stdlib CookieJar).

    Args:
        cj: the jar, e.g. ``session.cookies``.

    Returns:
        A dict; of cookies with the same name in several domains, the last wins.
    """
    return dict((cookie.name, cookie.value) for cookie in cj)


def add_dict_to_cookiejar(cj, cookie_dict):
    """Add the cookies of a dict to a jar, replacing those of the same name.

    Args:
        cj: the jar (any stdlib CookieJar).
        cookie_dict: ``{name: value}``.

    Returns:
        The jar.
    """
    return cookiejar_from_dict(cookie_dict, cj)


def get_auth_from_url(url):
    """Return the user name and password in a URL, percent-decoded.

    Args:
        url: e.g. ``"https://user:p%40ss@host/"`` (text or bytes).

    Returns:
        ``(username, password)``; ``""`` for a part that is absent.
    """
    if isinstance(url, binary_type):
        url = url.decode("utf-8")
    netloc = _urls._split(url)[1] or ""
    userinfo, at, _ = netloc.rpartition("@")
    if not at:
        return ("", "")
    username, password = _urls._split_auth(userinfo)
    return (username or "", password or "")
