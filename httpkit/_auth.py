"""Authentication as generator flows, shared by every front-end.

Rules:
- An :class:`Auth` is a generator flow (httpx's ``auth_flow``): it yields a
  :class:`~httpkit.PreparedRequest` to send and is sent back the Response.
  It yields again to answer a challenge, or simply ends. The core flow owns
  all I/O: rewinding the body before a resend, draining the 401's body,
  applying the cookie jar to every request a flow yields. Python 2.7
  compatible: flows end with a bare ``return``.
- A flow never mutates a request it already yielded: a resend is a
  ``request.copy()``, so ``response.request`` stays what was really sent.
- Credentials never appear in a ``repr`` or an error message.
- Digest follows RFC 7616 (MD5, SHA-256, SHA-512-256, and SHA-512 and SHA
  (SHA-1) as requests does, each with its ``-sess`` form; ``qop=auth`` or
  RFC 2069 without qop). After a redirect it waits for the next 401 instead
  of pre-authenticating (as requests), since strict servers refuse an answer
  they did not challenge for that URI. ``auth-int`` would need the
  whole body hashed; it is refused with :class:`DigestAuthError` rather than
  answered with credentials the server must reject.
"""
from __future__ import absolute_import, division, print_function

import base64
import binascii
import os
import re
import threading

from ._compat import binary_type, environ_getter, monotonic, quote, text_type, to_bytes, to_str
from .exceptions import InvalidHeader, RequestException

__all__ = ["Auth", "BasicAuth", "DigestAuth", "BearerAuth", "FunctionAuth", "NetrcAuth",
           "DigestAuthError", "build_auth", "netrc_credentials", "basic_auth_header",
           "parse_challenges"]


class DigestAuthError(RequestException):
    """The server's Digest challenge cannot be answered correctly."""


class Auth(object):
    """Base of every auth flow: subclass and override :meth:`auth_flow`.

    ``requires_request_body`` / ``requires_response_body`` tell the core to
    buffer a body before running the flow (like httpx).
    """

    requires_request_body = False
    requires_response_body = False

    def auth_flow(self, request):
        """Yield requests to send; receive each response; end when done.

        Args:
            request: the :class:`~httpkit.PreparedRequest` about to be sent.

        Yields:
            PreparedRequest objects; the core sends each and passes its Response
            back with the generator's ``send()``.
        """
        yield request

    def redirect_flow(self, request):
        """Return the flow for a request that follows a same-origin redirect.

        The default is :meth:`auth_flow`; a scheme that pre-authenticates
        (Digest) starts without credentials here and waits for a challenge.

        .. versionadded:: 0.1
        """
        return self.auth_flow(request)

    def __repr__(self):
        return "<%s>" % type(self).__name__


# ---------------------------------------------------------------- Basic / Bearer


def _credential_bytes(value, what):
    if isinstance(value, binary_type):
        return value
    if not isinstance(value, text_type):
        raise TypeError("%s must be str or bytes, not %s" % (what, type(value).__name__))
    try:
        return value.encode("latin-1")  # requests' encoding
    except UnicodeEncodeError:
        return value.encode("utf-8")  # RFC 7617 charset="UTF-8"


def basic_auth_header(username, password):
    """Build a Basic ``Authorization`` (or ``Proxy-Authorization``) value.

    Args:
        username: str (encoded latin-1 like requests, UTF-8 if it must) or bytes.
        password: str or bytes, encoded the same way.

    Returns:
        The native str ``"Basic <base64>"``.

    Raises:
        TypeError: a credential is neither str nor bytes.
        InvalidHeader: the user name contains ":", or either part a control
            character (RFC 7617 section 2); the message names the user.
    """
    user = _credential_bytes(username, "username")
    secret = _credential_bytes(password, "password")
    _check_basic(user, secret, username)
    return "Basic " + to_str(base64.b64encode(user + b":" + secret))


_CONTROL_BYTES = re.compile(b"[\x00-\x1f\x7f]")


def _check_basic(user, secret, username):
    # RFC 7617 section 2: "a user-id containing a colon character is invalid" (the
    # server splits at the first one: another user, another password), and neither
    # part may contain control characters.
    if b":" in user:
        raise InvalidHeader("Invalid Basic auth user name %r: it contains ':', which ends "
                            "the user name (RFC 7617 section 2)" % (username,))
    if _CONTROL_BYTES.search(user):
        raise InvalidHeader("Invalid Basic auth user name %r: control characters (CR, LF, "
                            "NUL...) are not allowed (RFC 7617)" % (username,))
    if _CONTROL_BYTES.search(secret):
        raise InvalidHeader("Invalid Basic auth password for user %r: control characters "
                            "(CR, LF, NUL...) are not allowed (RFC 7617)" % (username,))


class BasicAuth(Auth):
    """Send ``Authorization: Basic`` with every request (RFC 7617)."""

    def __init__(self, username, password):
        self._header = basic_auth_header(username, password)

    def auth_flow(self, request):
        """Set the Authorization header and send once."""
        request.headers["Authorization"] = self._header
        yield request


class BearerAuth(Auth):
    """Send ``Authorization: Bearer <token>`` with every request (RFC 6750)."""

    def __init__(self, token):
        self._header = "Bearer " + to_str(token)

    def auth_flow(self, request):
        """Set the Authorization header and send once."""
        request.headers["Authorization"] = self._header
        yield request


class FunctionAuth(Auth):
    """Adapt a requests-style ``auth(request) -> request`` callable (or AuthBase)."""

    def __init__(self, func):
        self._func = func

    def auth_flow(self, request):
        """Let the callable change the request, then send it once."""
        result = self._func(request)
        yield request if result is None else result

    def __repr__(self):
        return "<FunctionAuth %s>" % type(self._func).__name__


# ---------------------------------------------------------------- netrc


def _netrc_paths(netrc_file):
    if netrc_file is not None:
        return (netrc_file,)
    env = _netrc_env()[0]  # os.environ.get("NETRC") without os.environ's Python layers
    if env:
        return (env,)
    return ("~/.netrc", "~/_netrc")


_netrc_env = environ_getter(("NETRC",))


def netrc_credentials(host, netrc_file=None):
    """Look ``host`` up in the user's netrc file, like requests.

    The file is ``netrc_file``, else ``$NETRC``, else the first of
    ``~/.netrc`` and ``~/_netrc`` that exists. A missing or broken file means
    no credentials (errors are ignored, as in requests).

    Args:
        host: the host name (no port, no brackets).
        netrc_file: an explicit path, or None.

    Returns:
        ``(login, password)`` (the account stands in for an empty login),
        or None.
    """
    candidates = _netrc_paths(netrc_file)
    now = monotonic()
    none_of, when = _NONE_FOUND[0]
    if candidates == none_of and now - when < _MISSING_TTL:
        return None  # none of them existed a moment ago (the common case: no netrc at all)
    for candidate in candidates:
        stat = _stat_netrc(candidate)
        if stat is None:
            continue
        path = stat[0]
        stat = stat[1]
        try:
            found = _parsed_netrc(path, stat).authenticators(to_str(host))
        except (IOError, OSError, UnicodeError, ValueError):
            return None
        if not found:
            return None
        return (found[0] or found[1], found[2])
    _NONE_FOUND[0] = (candidates, now)
    return None


_NETRC_CACHE = {}
_MISSING = {}   # path -> monotonic time it was last seen missing
_MISSING_TTL = 1.0
#: [(the candidates, monotonic time)] of the last lookup that found none of them.
_NONE_FOUND = [(None, 0.0)]
_EXPANDED = {}  # "~/.netrc" -> its path (HOME does not change under a running program)


def _stat_netrc(candidate):
    """``(path, os.stat)`` of a netrc candidate, or None if it does not exist.

    A missing file is remembered for a second: requests stats both
    ``~/.netrc`` and ``~/_netrc`` on every request.
    """
    path = _EXPANDED.get(candidate)
    if path is None:
        try:
            path = _EXPANDED[candidate] = os.path.expanduser(candidate)
        except KeyError:  # no HOME on some platforms
            return None
    seen_missing = _MISSING.get(path)
    now = monotonic()
    if seen_missing is not None and now - seen_missing < _MISSING_TTL:
        return None
    try:
        return path, os.stat(path)
    except OSError:
        _MISSING[path] = now
        return None


def _parsed_netrc(path, stat):
    """Parse ``path`` once per (mtime, size): requests re-parses it on every request."""
    import netrc  # rarely used: imported on demand

    key = (path, stat.st_mtime, stat.st_size)
    parsed = _NETRC_CACHE.get(key)
    if parsed is None:
        try:
            parsed = netrc.netrc(path)
        except netrc.NetrcParseError as exc:
            raise ValueError(str(exc))
        _NETRC_CACHE.clear()
        _NETRC_CACHE[key] = parsed
    return parsed


class NetrcAuth(Auth):
    """Basic credentials from netrc for the request's host (if any).

    An Authorization header already on the request is left alone.
    """

    def __init__(self, netrc_file=None):
        self.netrc_file = netrc_file

    def auth_flow(self, request):
        """Add Basic credentials found in netrc, then send once."""
        if "Authorization" not in request.headers:
            found = netrc_credentials(request.parsed_url.host, self.netrc_file)
            if found is not None:
                request.headers["Authorization"] = basic_auth_header(found[0], found[1] or "")
        yield request


# ---------------------------------------------------------------- challenges

_SKIP = re.compile(r"[\s,]*")
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_PARAM = re.compile(r"""([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,"]*)""")
_TOKEN68 = re.compile(r"\s+([A-Za-z0-9\-._~+/]+=*)\s*(?=,|$)")
_ESCAPE = re.compile(r"\\(.)")


def _unquote(value):
    if value.startswith('"') and value.endswith('"') and len(value) >= 2:
        return _ESCAPE.sub(r"\1", value[1:-1])
    return value


def parse_challenges(values):
    """Parse ``WWW-Authenticate`` field values into challenges (RFC 9110 11.6.1).

    Several challenges may share one field value, separated by commas.

    Args:
        values: the field values (``headers.get_all("www-authenticate")``).

    Returns:
        A list of ``(scheme_lower, params)``; param names are lower case,
        quoted values unescaped; a token68 is stored under ``""``.
    """
    challenges = []
    for value in values:
        pos, params = 0, None
        while pos < len(value):
            pos = _SKIP.match(value, pos).end()
            match = _PARAM.match(value, pos) if params is not None else None
            if match:
                params[match.group(1).lower()] = _unquote(match.group(2))
                pos = match.end()
                continue
            match = _TOKEN.match(value, pos)
            if not match:
                break  # malformed: keep what was understood
            params = {}
            challenges.append((match.group(0).lower(), params))
            pos = match.end()
            match = _TOKEN68.match(value, pos)
            if match:
                params[""] = match.group(1)
                pos = match.end()
    return challenges


# ---------------------------------------------------------------- Digest

# RFC 7616 section 3.5 algorithm names -> hashlib names, best first.
_DIGEST_HASHES = [("SHA-512-256", "sha512_256"), ("SHA-512", "sha512"), ("SHA-256", "sha256"),
                  ("SHA", "sha1"), ("MD5", "md5")]


def _hash_name(algorithm):
    import hashlib  # Digest only: ~3 ms to import (OpenSSL's hashes)
    base = algorithm.upper()
    if base.endswith("-SESS"):
        base = base[:-5]
    for name, hashname in _DIGEST_HASHES:
        if name == base:
            try:
                hashlib.new(hashname)
            except ValueError:  # e.g. SHA-512/256 missing from this OpenSSL
                return None
            return hashname
    return None


def _rank(challenge):
    base = challenge.get("algorithm", "MD5").upper().replace("-SESS", "")
    names = [name for name, _ in _DIGEST_HASHES]
    return len(names) - names.index(base) if base in names else 0


def _qop_options(challenge):
    if "qop" not in challenge:
        return None
    return [q.strip().lower() for q in challenge["qop"].split(",") if q.strip()]


def _challenge_problem(challenge):
    """Why ``challenge`` cannot be answered, or None when it can."""
    if not challenge.get("nonce"):
        return "a Digest challenge has no nonce"
    algorithm = challenge.get("algorithm", "MD5")
    if _hash_name(algorithm) is None:
        return "Digest algorithm %r is not supported" % (algorithm,)
    qops = _qop_options(challenge)
    if qops is not None and "auth" not in qops:
        return "Digest qop=%r is not supported (httpkit answers qop=auth only)" % (
            challenge["qop"],)
    return None


def _safe_url(response):
    request = response.request
    return str(request.parsed_url.without_auth()) if request is not None else "the server"


def _is_true(value):
    return (value or "").strip().lower() == "true"


def _quoted(value):
    return '"%s"' % value.replace("\\", "\\\\").replace('"', '\\"')


def _as_bytes(value):
    return value if isinstance(value, binary_type) else value.encode("utf-8")


def _username_field(username):
    """``username="..."`` or RFC 7616 ``username*=UTF-8''...`` for non-ASCII names."""
    raw = _as_bytes(username)
    if all(0x20 <= ord(raw[i:i + 1]) < 0x7f for i in range(len(raw))):
        return "username=" + _quoted(to_str(raw))
    return "username*=UTF-8''" + quote(raw, safe="")


class DigestAuth(Auth):
    """HTTP Digest access authentication (RFC 7616, RFC 2069 fallback).

    Answers a 401 Digest challenge (the strongest supported algorithm wins
    when several are offered), retries once more when the server says the
    nonce was ``stale``, and remembers the challenge per origin so later
    requests inside its protection space (the ``domain`` URIs, else the
    whole origin; RFC 7616 section 3.3) are pre-authenticated with the next
    nonce count. Safe to share between threads and tasks.

    Raises (from the flow):
        DigestAuthError: every Digest challenge offered needs something
            httpkit does not do (``auth-int`` only, unknown algorithm).
    """

    def __init__(self, username, password):
        self._username = username
        self._password = password
        self._lock = threading.Lock()
        self._spaces = {}  # origin -> state dict (challenge, prefixes, nc)

    def auth_flow(self, request):
        """Return the flow: send (pre-authenticated inside a known protection space),
        answer a Digest challenge, retry once on a stale nonce."""
        return self._answer(self._preauthorized(request))

    def redirect_flow(self, request):
        """Return the flow for a redirect hop: no pre-emptive header, answer the 401."""
        return self._answer(request)

    def _answer(self, request):
        response = yield request
        answers = 0
        while response.status_code == 401 and answers < 2:
            challenge = self._pick_challenge(response)
            if challenge is None or (answers and not _is_true(challenge.get("stale"))):
                self._forget(request)
                return
            request = request.copy()
            state = self._remember(request, challenge)
            request.headers["Authorization"] = self._authorization(request, state)
            answers += 1
            response = yield request

    # ---- challenge selection and protection spaces
    def _pick_challenge(self, response):
        digests = [params for scheme, params in
                   parse_challenges(response.headers.get_all("www-authenticate"))
                   if scheme == "digest"]
        if not digests:
            return None
        usable = [c for c in digests if _challenge_problem(c) is None]
        if not usable:
            problems = "; ".join(_challenge_problem(c) for c in digests)
            raise DigestAuthError("Cannot answer the Digest challenge from %s: %s"
                                  % (_safe_url(response), problems), response=response)
        return max(usable, key=_rank)

    def _remember(self, request, challenge):
        url = request.parsed_url
        prefixes = []
        for uri in (challenge.get("domain") or "").split():
            try:
                space = url.join(uri)
            except RequestException:
                continue
            prefixes.append((space.origin, space.path))
        state = {"challenge": challenge, "prefixes": prefixes or [(url.origin, "/")], "nc": 0}
        with self._lock:
            self._spaces[url.origin] = state
        return state

    def _forget(self, request):
        with self._lock:
            self._spaces.pop(request.parsed_url.origin, None)

    def _preauthorized(self, request):
        """``request``, or a copy with Authorization inside a known protection space."""
        url = request.parsed_url
        with self._lock:
            state = self._spaces.get(url.origin)
        if state is None or "Authorization" in request.headers:
            return request
        if any(origin == url.origin and url.path.startswith(path)
               for origin, path in state["prefixes"]):
            request = request.copy()  # the caller's request (and its redirects) stay clean
            request.headers["Authorization"] = self._authorization(request, state)
        return request

    def __getstate__(self):  # a pickled DigestAuth keeps its credentials, not its nonces
        return {"_username": self._username, "_password": self._password}

    def __setstate__(self, state):
        self.__init__(state["_username"], state["_password"])

    # ---- the response value (RFC 7616 section 3.4)
    def _next_nc(self, state):
        with self._lock:
            state["nc"] += 1
            return "%08x" % state["nc"]

    def _new_cnonce(self):
        return to_str(binascii.hexlify(os.urandom(16)))

    def _authorization(self, request, state):
        challenge = state["challenge"]
        algorithm = challenge.get("algorithm", "MD5")
        digest = _digester(_hash_name(algorithm))
        qop = "auth" if _qop_options(challenge) is not None else None
        sess = algorithm.upper().endswith("-SESS")
        values = {"realm": challenge.get("realm", ""), "nonce": challenge["nonce"],
                  "uri": request.parsed_url.target, "algorithm": algorithm, "qop": qop,
                  "cnonce": self._new_cnonce() if (qop or sess) else None,
                  "nc": self._next_nc(state) if qop else None}
        user, password = _as_bytes(self._username), _as_bytes(self._password)
        ha1 = digest(user, values["realm"], password)
        if sess:
            ha1 = digest(ha1, values["nonce"], values["cnonce"])
        ha2 = digest(request.method, values["uri"])
        if qop:
            values["response"] = digest(ha1, values["nonce"], values["nc"], values["cnonce"],
                                        qop, ha2)
        else:
            values["response"] = digest(ha1, values["nonce"], ha2)
        if _is_true(challenge.get("userhash")):
            values["userhash"] = digest(user, values["realm"])
        return _digest_header(self._username, values, challenge.get("opaque"))


def _digester(hashname):
    import hashlib

    def digest(*parts):
        # Values from the wire are native str holding latin-1 bytes; the
        # user's credentials were encoded UTF-8 (RFC 7616 charset=UTF-8).
        data = b":".join(p if isinstance(p, binary_type) else to_bytes(p) for p in parts)
        return hashlib.new(hashname, data).hexdigest()
    return digest


def _digest_header(username, values, opaque):
    """The ``Authorization: Digest ...`` value (RFC 7616 section 3.4)."""
    userhash = values.get("userhash")
    fields = [
        "username=" + _quoted(userhash) if userhash else _username_field(username),
        "realm=" + _quoted(values["realm"]), "nonce=" + _quoted(values["nonce"]),
        "uri=" + _quoted(values["uri"]), "algorithm=" + values["algorithm"],
        "response=" + _quoted(values["response"]),
    ]
    if opaque is not None:
        fields.append("opaque=" + _quoted(opaque))
    if values["qop"]:
        fields.extend(["qop=" + values["qop"], "nc=" + values["nc"]])
    if values["cnonce"]:
        fields.append("cnonce=" + _quoted(values["cnonce"]))
    if userhash:
        fields.append("userhash=true")
    return "Digest " + ", ".join(fields)


# ---------------------------------------------------------------- conversion


def build_auth(auth):
    """Turn whatever the user passed as ``auth=`` into an :class:`Auth`.

    Args:
        auth: None, an Auth, a ``(username, password)`` tuple or list, or a
            requests-style callable (including ``requests.auth.AuthBase``
            subclasses) taking and returning a request.

    Returns:
        An Auth instance, or None for no auth.

    Raises:
        TypeError: anything else (the value itself is never echoed: it may
            hold credentials).
    """
    if auth is None or isinstance(auth, Auth):
        return auth
    if isinstance(auth, (tuple, list)):
        if len(auth) != 2:
            raise TypeError("auth tuple must be (username, password), got %d items" % len(auth))
        return BasicAuth(auth[0], auth[1])
    if callable(auth):
        return FunctionAuth(auth)
    raise TypeError("auth must be a (username, password) tuple, a callable taking and "
                    "returning a request, or an httpkit Auth instance; got %s"
                    % type(auth).__name__)
