# -*- coding: utf-8 -*-
"""What may be stored, and when a stored response may be served (RFC 9111).

Rules:
- Storing is cachecontrol's decision: ``CacheController.cache_response`` runs
  on small shims of the request and response against a :class:`_Recorder`,
  a one-key store that only notes what cachecontrol would write (metadata in
  its Serializer format, an expiry) or delete. httpkit then streams the body
  and performs the writes itself. Its heuristics (``ExpiresAfter``,
  ``LastModified``...) run on the same shim.
- Before cachecontrol sees a response httpkit applies what it lacks: a shared
  cache never stores ``private`` responses, responses that set cookies, or
  answers to requests with ``Authorization`` (unless ``public``, ``s-maxage``
  or ``must-revalidate`` allow it, RFC 9111 §3.5); heuristics never touch a
  response with ``no-store``/``no-cache``/``private``, explicit freshness or a
  status RFC 9111 §4.2.2 does not allow; a missing or invalid ``Date``, or
  one ahead of this host's clock, is replaced by the time of receipt (RFC 9110
  §6.6.1), so no heuristic trips over it and a skewed origin clock never
  makes a response fresh for longer than it said.
- Serving is decided here, per RFC 9111 §4.2, with cachecontrol's directive
  parser: cachecontrol's ``cached_request`` ignores ``Age``, ``s-maxage``,
  response ``no-cache``, ``max-stale`` and ``must-revalidate``, serves 301/308
  forever and raises on a bad ``Date``.
- The cache key is the URL without user info or fragment, scheme and host in
  lower case (cachecontrol's ``cache_url`` form): computed from httpkit's
  parsed URL, so ``Example.COM`` and ``#frag`` find what was stored.
- Vary: httpkit's own ``Accept-Encoding`` depends on whether brotli/zstandard
  are installed. When a request carries the Session's default, the variant
  records ``gzip, deflate`` (what every httpkit and requests sends), so hosts
  sharing a cache agree; a stored coding this host cannot decode is a miss.
"""
from __future__ import absolute_import, division, print_function

import calendar
import time
from email.utils import formatdate, parsedate_tz

from .._decoders import supported_encodings

__all__ = ["cache_key", "directives", "Verdict", "evaluate", "vary_view", "validators",
           "decodable", "Storing", "plan_store", "merged_headers", "updated_meta"]

#: Statuses cachecontrol stores (its default).
STORABLE_STATUSES = frozenset((200, 203, 300, 301, 308))
#: Statuses a heuristic may make fresh (RFC 9111 §4.2.2 / RFC 9110 §15.1), of those stored.
HEURISTIC_STATUSES = frozenset((200, 203, 300, 301, 308))
PORTABLE_ACCEPT_ENCODING = "gzip, deflate"
#: How long an entry with validators is kept for revalidation (cachecontrol's 14 days).
VALIDATOR_TTL = 14 * 86400
MAX_TTL = 365 * 86400
#: How long past its freshness a stale copy is kept when stale-if-error is on without a limit.
DEFAULT_STALE_WINDOW = 7 * 86400
_NOT_UPDATED_BY_304 = frozenset(("content-length", "content-encoding", "transfer-encoding",
                                 "content-range"))


def cache_key(url):
    """The key for a parsed URL: no user info, no fragment, lower-case scheme and host."""
    key = _KEYS.get(url)
    if key is None:
        key = "%s://%s%s" % (url.scheme, url.host_header, url.target)
        if len(_KEYS) >= 4096:
            _KEYS.clear()
        _KEYS[url] = key
    return key


_KEYS = {}  # URL -> key (URL objects are immutable and hash by their text)


_CONTROLLER = []


def _controller_class():
    from cachecontrol.controller import CacheController
    return CacheController


def directives(value):
    """Parse a Cache-Control value with cachecontrol's parser: ``{"max-age": 60, ...}``."""
    if not value:
        return {}
    if not _CONTROLLER:
        _CONTROLLER.append(_controller_class()(cache=_Recorder(None)))
    return _CONTROLLER[0].parse_cache_control({"cache-control": value})


def http_date(value):
    """Seconds since the epoch for an HTTP date, or None when absent or invalid."""
    if not value:
        return None
    try:
        parsed = parsedate_tz(value)
        return None if parsed is None else calendar.timegm(parsed[:6]) - (parsed[9] or 0)
    except (TypeError, ValueError, OverflowError, IndexError):
        return None


# --------------------------------------------------------------------------- serving
class Verdict(object):
    """What a stored response is good for, now: ``FRESH``, ``STALE_OK`` or ``STALE``."""

    FRESH = "fresh"        # serve it
    STALE_OK = "stale-ok"  # stale, but the request's max-stale accepts it
    STALE = "stale"        # validate it (or fetch anew)

    __slots__ = ("state", "staleness", "revalidate_only")

    def __init__(self, state, staleness, revalidate_only):
        self.state, self.staleness = state, staleness
        #: must-revalidate (or proxy-revalidate in a shared cache): never served stale.
        self.revalidate_only = revalidate_only


def lifetime(headers, cc, shared):
    """Freshness lifetime in seconds of a stored response (RFC 9111 §4.2.1)."""
    if shared and cc.get("s-maxage") is not None:
        return cc["s-maxage"]
    if cc.get("max-age") is not None:
        return cc["max-age"]
    expires = headers.get("expires")
    if expires is not None:
        date, when = http_date(headers.get("date")), http_date(expires)
        return 0 if date is None or when is None else max(0, when - date)
    return 0


def _facts(entry, shared):
    """``(shared, cc, date, age_header, lifetime, revalidate_only)``, derived once per entry."""
    facts = entry.facts
    if facts is None or facts[0] != shared:
        headers = entry.headers
        cc = directives(headers.get("cache-control"))
        try:
            age_header = max(0, int(headers.get("age") or 0))
        except ValueError:
            age_header = 0
        revalidate_only = "must-revalidate" in cc or (shared and "proxy-revalidate" in cc)
        facts = entry.facts = (shared, cc, http_date(headers.get("date")), age_header,
                               lifetime(headers, cc, shared), revalidate_only)
    return facts


def evaluate(entry, request_cc, now, shared):
    """Return the :class:`Verdict` for ``entry`` and a request with ``request_cc``."""
    _, cc, date, age_header, life, revalidate_only = _facts(entry, shared)
    if date is None:  # not ours: stored by someone who kept a bad Date
        return Verdict(Verdict.STALE, float("inf"), True)
    age = max(0, now - date) + age_header
    staleness = age - life
    fresh = life > age
    if "no-cache" in cc or "no-cache" in request_cc:
        return Verdict(Verdict.STALE, staleness, revalidate_only)
    max_age = request_cc.get("max-age")
    if max_age is not None and age > max_age:
        fresh = False
    min_fresh = request_cc.get("min-fresh")
    if min_fresh is not None and life - age < min_fresh:
        fresh = False
    if fresh:
        return Verdict(Verdict.FRESH, staleness, revalidate_only)
    if "max-stale" in request_cc and not revalidate_only:
        limit = request_cc["max-stale"]
        if limit is None or staleness <= limit:
            return Verdict(Verdict.STALE_OK, staleness, revalidate_only)
    return Verdict(Verdict.STALE, staleness, revalidate_only)


def vary_value(headers, name, default_accept_encoding):
    """The request's value of header ``name`` as variants are recorded (see vary_view)."""
    value = headers.get(name)
    if value == default_accept_encoding and name.lower() == "accept-encoding":
        return PORTABLE_ACCEPT_ENCODING
    return value


def vary_view(headers, default_accept_encoding):
    """The request's headers as variants are recorded: ``{lower name: value}``."""
    view = dict((lower, headers[name]) for lower, name in
                ((name.lower(), name) for name in headers))
    if view.get("accept-encoding") == default_accept_encoding:
        view["accept-encoding"] = PORTABLE_ACCEPT_ENCODING
    return view


def validators(entry):
    """Conditional request headers for revalidating ``entry`` (RFC 9110 §13.1)."""
    out = {}
    etag = entry.headers.get("etag")
    if etag:
        out["If-None-Match"] = etag
    modified = entry.headers.get("last-modified")
    if modified:
        out["If-Modified-Since"] = modified
    return out


def decodable(entry):
    """True when this host can decode the entry's Content-Encoding."""
    coding = entry.headers.get("content-encoding")
    if not coding:
        return True
    if not _DECODABLE:  # once: a failed optional import searches sys.path every time
        _DECODABLE.append(frozenset(supported_encodings() + ["identity"]))
    known = _DECODABLE[0]
    return all(c.strip().lower() in known for c in coding.split(",") if c.strip())


_DECODABLE = []


def merged_headers(entry, fresh_headers):
    """The entry's headers updated by a 304's (RFC 9111 §4.3.4), as ``[(name, value)]``."""
    fresh = dict((name.lower(), name) for name in fresh_headers
                 if name.lower() not in _NOT_UPDATED_BY_304)
    out = [(n, v) for n, v in entry.headers.raw_items() if n.lower() not in fresh]
    for lower, name in fresh.items():
        for value in fresh_headers.get_all(name):
            out.append((name, value))
    return out


# --------------------------------------------------------------------------- storing
class _Recorder(object):
    """A one-key cachecontrol cache that records what cachecontrol would do."""

    def __init__(self, existing):
        self.existing = existing
        self.meta = self.expires = None
        self.deleted = False

    def get(self, key):
        return self.existing

    def set(self, key, value, expires=None):
        self.meta, self.expires = value, expires

    def delete(self, key):
        self.deleted = True

    def close(self):
        pass


class _ShimRequest(object):
    """The request as cachecontrol reads it: ``url`` (the key) and ``headers``."""

    def __init__(self, key, headers):
        self.url = key
        self.headers = headers


class _ShimResponse(object):
    """The response head as cachecontrol (and its heuristics) read it; no body."""

    strict = 0  # cachecontrol 0.12's serializer writes it
    decode_content = True

    def __init__(self, status, reason, version, headers):
        self.status, self.reason, self.version, self.headers = status, reason, version, headers
        self._fp = None
        self.length_remaining = 0

    def read(self, *args, **kwargs):  # cachecontrol reads the body we pass separately
        return b""


def _case_insensitive(pairs):
    from requests.structures import CaseInsensitiveDict  # cachecontrol depends on requests
    merged = CaseInsensitiveDict()
    for name, value in pairs:
        merged[name] = merged[name] + ", " + value if name in merged else value
    return merged


class Storing(object):
    """cachecontrol's verdict on a response: the metadata to write, for how long.

    Attributes:
        meta: the metadata bytes (cachecontrol's Serializer), or None: do not store.
        ttl: seconds a store with expiry should keep the entry.
        purge: the key's existing entry must go (``no-store``, or an uncacheable answer).
    """

    __slots__ = ("meta", "ttl", "purge")

    def __init__(self, meta, ttl, purge):
        self.meta, self.ttl, self.purge = meta, ttl, purge


def _shared_forbids(request_headers, response_headers, cc):
    if "private" in cc or "set-cookie" in response_headers:
        return True
    if "authorization" in request_headers:
        return not ("public" in cc or "s-maxage" in cc or "must-revalidate" in cc)
    return False


def _explicit_freshness(headers, cc):
    return "max-age" in cc or "s-maxage" in cc or "expires" in headers


def plan_store(policy, key, request_view, response, existing, now):
    """Decide whether ``response`` (head only) is stored, with cachecontrol's rules.

    Args:
        policy: the :class:`httpkit.cache.Cache` (shared, heuristic, stale window).
        key: the cache key; request_view: :func:`vary_view` of the request headers.
        response: the httpkit Response (status and headers read, body untouched).
        existing: True when the store holds an entry for ``key``.
    """
    headers = response.headers
    cc = directives(headers.get("cache-control"))
    if "range" in request_view or response.status_code == 206:
        return Storing(None, 0, False)
    if policy.shared and _shared_forbids(request_view, headers, cc):
        return Storing(None, 0, existing)
    pairs = headers.raw_items()
    date = http_date(headers.get("date"))
    if date is None or date > now + 1:  # no age could be computed from it (or only 0)
        pairs = [(n, v) for n, v in pairs if n.lower() != "date"]
        pairs.append(("Date", formatdate(now, usegmt=True)))
    shim = _ShimResponse(response.status_code, response.reason,
                         11 if response.http_version == "HTTP/1.1" else 10,
                         _case_insensitive(pairs))
    heuristic = policy.heuristic
    if heuristic is not None and response.status_code in HEURISTIC_STATUSES \
            and not ("no-store" in cc or "no-cache" in cc or "private" in cc) \
            and not _explicit_freshness(headers, cc):
        heuristic.apply(shim)
    recorder = _Recorder(existing or None)
    controller = _controller_class()(cache=recorder, status_codes=STORABLE_STATUSES)
    controller.cache_response(_ShimRequest(key, _case_insensitive(request_view.items())), shim)
    if recorder.meta is None:
        return Storing(None, 0, recorder.deleted)
    ttl = _ttl(policy, shim.headers, recorder.expires, now)
    if ttl is None:
        return Storing(None, 0, existing)
    return Storing(recorder.meta, ttl, False)


def update_is_moot(old, new, shared):
    """True when storing a 304's merge would change nothing but a Date nobody uses.

    An entry with no freshness lifetime (or ``no-cache``) is revalidated on
    every use whatever its Date says; rewriting its metadata on each 304 would
    only cost a file replace (about 1 ms on ext4) or a Redis round trip.
    """
    def rest(entry):
        return sorted((n.lower(), v) for n, v in entry.headers.raw_items()
                      if n.lower() not in ("date", "age"))
    _, cc, _, _, life, _ = _facts(new, shared)
    return (life <= 0 or "no-cache" in cc) and rest(old) == rest(new)


def updated_meta(policy, key, request_view, entry, now):
    """Metadata for ``entry`` after a 304 merged new headers into it, and its TTL.

    Written by cachecontrol's Serializer, as ``update_cached_response`` does.
    """
    from cachecontrol.serialize import Serializer
    shim = _ShimResponse(entry.status, entry.reason, entry.version,
                         _case_insensitive(entry.headers.raw_items()))
    request = _ShimRequest(key, _case_insensitive(request_view.items()))
    meta = Serializer().dumps(request, shim, b"")
    return meta, _ttl(policy, shim.headers, None, now) or VALIDATOR_TTL


def _ttl(policy, headers, cc_expires, now):
    """How long a store keeps the entry; None when it would be of no use at all."""
    cc = directives(headers.get("cache-control"))
    life = lifetime(headers, cc, policy.shared)
    keep = max(life, cc_expires or 0)
    if headers.get("etag") or headers.get("last-modified"):
        keep = max(keep, VALIDATOR_TTL)
    window = policy.stale_window
    if window and "must-revalidate" not in cc:
        keep = max(keep, life + window)
    if keep <= 0:
        return None  # stale already, nothing to validate it with
    return int(min(keep, MAX_TTL))
