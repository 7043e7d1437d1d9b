"""Built-in routes of :class:`servers.HTTPTestServer` (httpbin-like, deterministic).

Every handler takes the :class:`servers.Request` (plus the path's groups) and
returns a :class:`servers.Response` or ``(status, headers, body)``. Waits are
bounded by ``servers.MAX_SLEEP`` and sizes by the caps below. Per-server state
(digest nonces, retry counters) lives in ``request.server.state``.

Routes (``n`` an integer):
  /get /post /put /patch /delete   echo (405 for another method; /get allows HEAD)
  /anything[/...]  /headers  /user-agent  /json  /encoding/utf8  /html
  /status/<code>                    3xx ones carry Location: /redirect/1
  /redirect/<n>[?absolute=true]     /relative-redirect/<n>  /absolute-redirect/<n>
  /redirect-to?url=&status=         (status_code= also accepted; default 302)
  /redirect-cycle                   redirects to itself forever
  /basic-auth/<user>/<pass>         /hidden-basic-auth/<user>/<pass> (404)  /bearer
  /digest-auth/<qop>/<user>/<pass>[/<algorithm>[/<stale_after>]]   RFC 7616
  /cookies  /cookies/set?k=v  /cookies/set/<k>/<v>  /cookies/delete?k
  /set-cookie-and-redirect?k=v[&location=/cookies]
  /gzip  /deflate[?raw=1]  /brotli
  /stream/<n>  /bytes/<n>?seed=  /stream-bytes/<n>?seed=&chunk_size=  /range/<n>
  /chunked/<n>?chunk_size=&seed=&trailers=1   /close-delimited/<n>?seed=
  /truncated  /truncated-chunked  /drip?numbytes=&duration=&delay=&code=
  /delay/<seconds>  /slow-headers?delay=  /close (Connection: close)
  /response-headers?k=v  /large-headers?count=&size=
  /upload (multipart echo: parts with name, filename, content type, size, sha256)
  /etag[/<etag>]  /cache  /cache/<seconds>  /retry-after?count=&status=&after=&key=
"""
from __future__ import absolute_import, division, print_function

import base64
import hashlib
import json
import os
import re
import zlib

from peer_base import Response, bounded, native, random_bytes, text, to_bytes

MAX_BYTES = 64 * 1024 * 1024
MAX_LINES = 10000
JSON = [("Content-Type", "application/json")]
TEXT = [("Content-Type", "text/plain; charset=utf-8")]

ROUTES = []


def route(pattern, methods=None):
    """Register a handler for a full-path regex (groups become arguments)."""
    def deco(func):
        ROUTES.append((re.compile(pattern + "$"), func, methods))
        return func
    return deco


def match(path):
    """Return (handler, groups) for ``path``, or (None, ())."""
    for regex, func, methods in ROUTES:
        m = regex.match(path)
        if m:
            return _method_guard(func, methods), m.groups()
    return None, ()


def _method_guard(func, methods):
    if not methods:
        return func

    def guarded(req, *args):
        if req.method not in methods:
            return Response(405, [("Allow", ", ".join(methods))] + TEXT, b"method not allowed")
        return func(req, *args)
    return guarded


# --------------------------------------------------------------------------- echo
def json_body(obj):
    data = json.dumps(obj, sort_keys=True, indent=2)
    return data if isinstance(data, bytes) else data.encode("utf-8")


def args_dict(req):
    out = {}
    for key, value in req.args:
        if key in out:
            out[key] = out[key] if isinstance(out[key], list) else [out[key]]
            out[key].append(text(value))
        else:
            out[text(key)] = text(value)
    return out


def headers_dict(req):
    out = {}
    for key, value in req.headers:
        key = text(key)
        out[key] = out[key] + ", " + text(value) if key in out else text(value)
    return out


def echo(req, **extra):
    """The request as a JSON-able dict."""
    body = req.body
    doc = {
        "method": req.method, "path": req.path, "url": req.server.base_url(req.target),
        "args": args_dict(req), "headers": headers_dict(req),
        "header_list": [[text(k), text(v)] for k, v in req.headers],
        "data": body.decode("utf-8", "replace"), "body_length": len(body),
        "body_sha256": hashlib.sha256(body).hexdigest(), "http_version": req.version,
        "connection": req.conn_id, "origin": req.client_address[0] if req.client_address else None,
        "json": None, "form": {},
    }
    ctype = (req.header("Content-Type") or "").lower()
    if "json" in ctype:
        try:
            doc["json"] = json.loads(body.decode("utf-8"))
        except ValueError:
            pass
    elif "x-www-form-urlencoded" in ctype:
        from peer_base import parse_qsl
        doc["form"] = dict((text(k), text(v)) for k, v in parse_qsl(native(body), True))
    doc.update(extra)
    return doc


def echo_response(req, status=200, headers=(), **extra):
    return Response(status, JSON + list(headers), json_body(echo(req, **extra)))


@route("/get", ["GET", "HEAD"])
def get(req):
    return echo_response(req)


for _m in ("post", "put", "patch", "delete"):
    route("/" + _m, [_m.upper()])(echo_response)


@route("/anything(?:/.*)?")
def anything(req):
    return echo_response(req)


@route("/headers")
def headers(req):
    return 200, JSON, json_body({"headers": headers_dict(req)})


@route("/user-agent")
def user_agent(req):
    return 200, JSON, json_body({"user-agent": text(req.header("User-Agent", ""))})


@route("/json")
def json_doc(req):
    return 200, JSON, json_body({"slideshow": {"title": "Sample Slide Show", "author": "httpkit",
                                               "slides": [{"title": "Wake up", "type": "all"}]}})


UTF8_TEXT = (u"<html><body><h1>Unicode \u2603 test</h1><p>\u00e9t\u00e9 \u65e5\u672c\u8a9e "
             u"\u0441\u043b\u043e\u0432\u043e \U0001f600</p></body></html>\n")


@route("/encoding/utf8")
def encoding_utf8(req):
    return 200, [("Content-Type", "text/html; charset=utf-8")], UTF8_TEXT.encode("utf-8")


@route("/html")
def html(req):
    return 200, [("Content-Type", "text/html")], b"<!DOCTYPE html><html><body>hi</body></html>"


@route("/response-headers")
def response_headers(req):
    pairs = [(k, v) for k, v in req.args]
    body = json_body(dict((text(k), text(v)) for k, v in pairs))
    return 200, JSON + pairs, body


@route("/large-headers")
def large_headers(req):
    count, size = min(int(req.arg("count", "100")), 10000), min(int(req.arg("size", "100")), 65536)
    return 200, [("X-Large-%d" % i, "v" * size) for i in range(count)], b"ok"


# --------------------------------------------------------------------------- status, redirects
def _host_only(req):
    host = req.header("Host") or req.server.host
    return host.rsplit(":", 1)[0] if not host.endswith("]") else host


@route("/status/(\\d+)")
def status(req, code):
    code = int(code)
    hdrs = list(TEXT)
    if code in (301, 302, 303, 305, 307, 308):
        hdrs.append(("Location", "/redirect/1"))
    if code == 401:
        hdrs.append(("WWW-Authenticate", 'Basic realm="Fake Realm"'))
    if code == 407:
        hdrs.append(("Proxy-Authenticate", 'Basic realm="Fake Realm"'))
    return code, hdrs, b"" if code in (204, 304) else to_bytes("status %d\n" % code)


def _redirect(code, location, extra=()):
    return Response(code, [("Location", location)] + list(extra) + TEXT,
                    to_bytes("redirecting to %s\n" % location))


@route("/redirect/(\\d+)")
def redirect(req, n):
    if req.arg("absolute", "").lower() == "true":
        return absolute_redirect(req, n)
    return relative_redirect(req, n)


@route("/relative-redirect/(\\d+)")
def relative_redirect(req, n):
    n = int(n)
    return _redirect(302, "/get" if n <= 1 else "/relative-redirect/%d" % (n - 1))


@route("/absolute-redirect/(\\d+)")
def absolute_redirect(req, n):
    n = int(n)
    path = "/get" if n <= 1 else "/absolute-redirect/%d" % (n - 1)
    return _redirect(302, req.server.base_url(path, host=_host_only(req)))


@route("/redirect-to")
def redirect_to(req):
    code = int(req.arg("status", req.arg("status_code", "302")))
    return _redirect(code, req.arg("url", "/get"))


@route("/redirect-cycle")
def redirect_cycle(req):
    return _redirect(302, "/redirect-cycle")


# --------------------------------------------------------------------------- auth
def _basic_ok(req, user, passwd):
    expected = "Basic " + native(base64.b64encode(to_bytes("%s:%s" % (user, passwd))))
    return req.header("Authorization") == expected


@route("/basic-auth/([^/]+)/([^/]+)")
def basic_auth(req, user, passwd):
    if _basic_ok(req, user, passwd):
        return 200, JSON, json_body({"authenticated": True, "user": user})
    return 401, [("WWW-Authenticate", 'Basic realm="Fake Realm"')] + JSON, \
        json_body({"authenticated": False})


@route("/hidden-basic-auth/([^/]+)/([^/]+)")
def hidden_basic_auth(req, user, passwd):
    if _basic_ok(req, user, passwd):
        return 200, JSON, json_body({"authenticated": True, "user": user})
    return 404, TEXT, b"not found"


@route("/bearer")
def bearer(req):
    auth = req.header("Authorization") or ""
    if auth.startswith("Bearer ") and auth[7:].strip():
        return 200, JSON, json_body({"authenticated": True, "token": auth[7:].strip()})
    return 401, [("WWW-Authenticate", "Bearer")] + JSON, json_body({"authenticated": False})


_DIGEST_HASHES = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256, "SHA-512-256": None}
DIGEST_REALM = "httpkit-test@example.org"


def parse_auth_params(value):
    """Parse ``k=v, k="quoted, v"`` auth-params into a dict (keys lower-cased)."""
    params = {}
    for m in re.finditer(r'([A-Za-z0-9_\-*]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]*)', value):
        val = m.group(2)
        if val.startswith('"'):
            val = re.sub(r"\\(.)", r"\1", val[1:-1])
        params[m.group(1).lower()] = val
    return params


def _digest_challenge(req, qop, algorithm, stale=False):
    nonce = hashlib.sha256(os.urandom(16)).hexdigest()
    opaque = hashlib.md5(to_bytes(req.path)).hexdigest()
    with req.server.state_lock:
        req.server.state.setdefault("digest_nonces", {})[nonce] = 0
    value = 'Digest realm="%s", nonce="%s", opaque="%s", algorithm=%s' % (
        DIGEST_REALM, nonce, opaque, algorithm)
    if qop:
        value += ', qop="%s"' % qop
    if stale:
        value += ", stale=TRUE"
    return Response(401, [("WWW-Authenticate", value), ("Set-Cookie", "fake=fake_value")] + JSON,
                    json_body({"authenticated": False}))


def digest_response(req, user, passwd, params, algorithm):
    """The expected ``response`` value for the client's Digest params (RFC 7616 3.4.1)."""
    base = algorithm.upper().replace("-SESS", "")
    def H(data):
        return _DIGEST_HASHES[base](to_bytes(data)).hexdigest()
    a1 = "%s:%s:%s" % (user, DIGEST_REALM, passwd)
    if algorithm.upper().endswith("-SESS"):
        a1 = "%s:%s:%s" % (H(a1), params.get("nonce", ""), params.get("cnonce", ""))
    qop = params.get("qop")
    a2 = "%s:%s" % (req.method, params.get("uri", ""))
    if qop == "auth-int":
        a2 += ":" + _DIGEST_HASHES[base](req.body).hexdigest()
    if qop in ("auth", "auth-int"):
        tail = "%s:%s:%s:%s:%s" % (params.get("nonce"), params.get("nc"), params.get("cnonce"),
                                   qop, H(a2))
    else:
        tail = "%s:%s" % (params.get("nonce"), H(a2))
    return H("%s:%s" % (H(a1), tail))


@route("/digest-auth/([^/]+)/([^/]+)/([^/]+)(?:/([^/]+))?(?:/(\\d+))?")
def digest_auth(req, qop, user, passwd, algorithm=None, stale_after=None):
    algorithm = (algorithm or "MD5").upper()
    if algorithm.replace("-SESS", "") not in ("MD5", "SHA-256"):
        return 400, TEXT, b"algorithm must be MD5, SHA-256 (optionally -sess)"
    qop = None if qop in ("", "none") else qop
    auth = req.header("Authorization") or ""
    if not auth.lower().startswith("digest "):
        return _digest_challenge(req, qop, algorithm)
    params = parse_auth_params(auth[7:])
    ok, stale = _digest_check(req, user, passwd, params, qop, algorithm, stale_after)
    if not ok:
        return _digest_challenge(req, qop, algorithm, stale=stale)
    return 200, JSON, json_body({"authenticated": True, "user": user})


def _digest_check(req, user, passwd, params, qop, algorithm, stale_after):
    """Return (ok, stale): stale when only the nonce is unknown or used up."""
    if params.get("username") != user or params.get("realm") != DIGEST_REALM:
        return False, False
    if params.get("uri") != req.target or (params.get("algorithm") or "MD5").upper() != algorithm:
        return False, False
    if qop and (params.get("qop") not in qop.split(",") or not params.get("cnonce")
                or not re.match(r"^[0-9a-fA-F]{8}$", params.get("nc", ""))):
        return False, False
    if params.get("response") != digest_response(req, user, passwd, params, algorithm):
        return False, False
    with req.server.state_lock:
        nonces = req.server.state.setdefault("digest_nonces", {})
        last = nonces.get(params.get("nonce"))
        nc = int(params.get("nc", "0"), 16) if qop else last + 1 if last is not None else 0
        if last is None or nc <= last or (stale_after and nc > int(stale_after)):
            return False, True
        nonces[params["nonce"]] = nc
    return True, False


# --------------------------------------------------------------------------- cookies
def _cookie_dict(req):
    out = {}
    for header in req.header_all("Cookie"):
        for item in header.split(";"):
            name, sep, value = item.strip().partition("=")
            if sep:
                out[text(name)] = text(value)
    return out


@route("/cookies")
def cookies(req):
    return 200, JSON, json_body({"cookies": _cookie_dict(req)})


@route("/cookies/set")
def cookies_set(req):
    hdrs = [("Set-Cookie", "%s=%s; Path=/" % kv) for kv in req.args]
    return _redirect(302, "/cookies", hdrs)


@route("/cookies/set/([^/]+)/([^/]+)")
def cookies_set_one(req, name, value):
    return _redirect(302, "/cookies", [("Set-Cookie", "%s=%s; Path=/" % (name, value))])


@route("/cookies/delete")
def cookies_delete(req):
    hdrs = [("Set-Cookie", "%s=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/" % k)
            for k, _ in req.args]
    return _redirect(302, "/cookies", hdrs)


@route("/set-cookie-and-redirect")
def set_cookie_and_redirect(req):
    location = req.arg("location", "/cookies")
    pairs = [kv for kv in req.args if kv[0] != "location"] or [("session", "abc123")]
    return _redirect(302, location, [("Set-Cookie", "%s=%s; Path=/" % kv) for kv in pairs])


# --------------------------------------------------------------------------- encodings
def _compress(data, wbits):
    comp = zlib.compressobj(6, zlib.DEFLATED, wbits)
    return comp.compress(data) + comp.flush()


@route("/gzip")
def gzip_route(req):
    body = _compress(json_body(echo(req, gzipped=True)), 31)
    return 200, JSON + [("Content-Encoding", "gzip")], body


@route("/deflate")
def deflate_route(req):
    raw = req.arg("raw") in ("1", "true")
    body = _compress(json_body(echo(req, deflated=True)), -15 if raw else 15)
    return 200, JSON + [("Content-Encoding", "deflate")], body


@route("/brotli")
def brotli_route(req):
    try:
        import brotli
    except ImportError:
        return 501, TEXT, b"brotli is not installed on the server side"
    body = brotli.compress(json_body(echo(req, brotli=True)))
    return 200, JSON + [("Content-Encoding", "br")], body


# --------------------------------------------------------------------------- bodies
def _int(value, cap):
    return max(0, min(int(value), cap))


@route("/stream/(\\d+)")
def stream(req, n):
    doc = echo(req)
    def lines():
        for i in range(_int(n, MAX_LINES)):
            doc["id"] = i
            yield json.dumps(doc, sort_keys=True).encode("utf-8") + b"\n"
    return Response(200, JSON, lines(), framing="chunked")


@route("/bytes/(\\d+)")
def bytes_route(req, n):
    data = random_bytes(_int(n, MAX_BYTES), req.arg("seed", "0"))
    return 200, [("Content-Type", "application/octet-stream")], data


@route("/stream-bytes/(\\d+)")
def stream_bytes(req, n):
    data = random_bytes(_int(n, MAX_BYTES), req.arg("seed", "0"))
    size = max(1, int(req.arg("chunk_size", "10240")))
    chunks = (data[i:i + size] for i in range(0, len(data), size))
    return Response(200, [("Content-Type", "application/octet-stream")], chunks, framing="chunked")


@route("/chunked/(\\d+)")
def chunked(req, n):
    data = random_bytes(_int(n, MAX_BYTES), req.arg("seed", "0"))
    size = max(1, int(req.arg("chunk_size", "1000")))
    trailers = [("X-Trailer", "yes")] if req.arg("trailers") else []
    hdrs = [("Content-Type", "application/octet-stream")]
    if trailers:
        hdrs.append(("Trailer", "X-Trailer"))
    return Response(200, hdrs, [data[i:i + size] for i in range(0, len(data), size)],
                    framing="chunked", trailers=trailers)


@route("/close-delimited/(\\d+)")
def close_delimited(req, n):
    data = random_bytes(_int(n, MAX_BYTES), req.arg("seed", "0"))
    return Response(200, [("Content-Type", "application/octet-stream")], data, framing="close")


@route("/truncated")
def truncated(req):
    hdrs = [("Content-Type", "application/octet-stream"), ("Content-Length", "100")]
    return Response(200, hdrs, b"0123456789", framing="raw", close=True)


@route("/truncated-chunked")
def truncated_chunked(req):
    hdrs = [("Content-Type", "text/plain"), ("Transfer-Encoding", "chunked")]
    return Response(200, hdrs, b"a\r\n0123456789\r\n64\r\n0123456789", framing="raw", close=True)


@route("/range/(\\d+)")
def range_route(req, n):
    data = random_bytes(_int(n, MAX_BYTES), req.arg("seed", "0"))
    hdrs = [("Content-Type", "application/octet-stream"), ("Accept-Ranges", "bytes"),
            ("ETag", '"range%d"' % len(data))]
    m = re.match(r"bytes=(\d*)-(\d*)$", req.header("Range") or "")
    if not m:
        return 200, hdrs, data
    first = int(m.group(1)) if m.group(1) else max(0, len(data) - int(m.group(2) or 0))
    last = int(m.group(2)) if m.group(1) and m.group(2) else len(data) - 1
    if first >= len(data) or first > last:
        return 416, hdrs + [("Content-Range", "bytes */%d" % len(data))], b""
    last = min(last, len(data) - 1)
    hdrs.append(("Content-Range", "bytes %d-%d/%d" % (first, last, len(data))))
    return 206, hdrs, data[first:last + 1]


# --------------------------------------------------------------------------- timing
@route("/delay/([0-9.]+)")
def delay(req, seconds):
    req.server.sleep(seconds)
    return echo_response(req)


@route("/drip")
def drip(req):
    numbytes = _int(req.arg("numbytes", "10"), 10 * 1024 * 1024)
    duration = bounded(req.arg("duration", "2"))
    req.server.sleep(req.arg("delay", "0"))
    pause = duration / numbytes if numbytes else 0

    def body():
        for _ in range(numbytes):
            if req.server.stopped:
                return
            yield b"*"
            req.server.sleep(pause)
    hdrs = [("Content-Type", "application/octet-stream"), ("Content-Length", str(numbytes))]
    return Response(int(req.arg("code", "200")), hdrs, body(), framing="raw")


@route("/slow-headers")
def slow_headers(req):
    return Response(200, TEXT, b"slow headers\n", head_delay=bounded(req.arg("delay", "1")))


@route("/close")
def close(req):
    return Response(200, TEXT, b"closing\n", close=True)


# --------------------------------------------------------------------------- upload
def parse_multipart(body, content_type):
    """Split a multipart/form-data body into [(headers dict, data)]."""
    m = re.search(r'boundary="?([^";]+)"?', content_type)
    if not m:
        raise ValueError("no boundary")
    delim = b"\r\n--" + to_bytes(m.group(1))
    parts = []
    for chunk in (b"\r\n" + body).split(delim)[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, data = chunk[2:].partition(b"\r\n\r\n")
        hdrs = {}
        for line in head.split(b"\r\n"):
            name, _, value = line.partition(b":")
            hdrs[native(name.strip()).lower()] = native(value.strip())
        parts.append((hdrs, data))
    return parts


def _disposition_param(value, name):
    m = re.search(name + r"\*=([^';]*)'[^']*'([^;]+)", value)
    if m:
        from peer_base import PY2
        if PY2:
            import urllib
            return urllib.unquote(m.group(2)).decode(m.group(1) or "utf-8")
        from urllib.parse import unquote
        return unquote(m.group(2), encoding=m.group(1) or "utf-8")
    m = re.search(r'(?:^|;)\s*' + name + r'="((?:[^"\\]|\\.)*)"', value) or \
        re.search(r'(?:^|;)\s*' + name + r'=([^;\s]+)', value)
    if not m:
        return None
    return to_bytes(m.group(1)).decode("utf-8", "replace")


@route("/upload")
def upload(req):
    try:
        parts = parse_multipart(req.body, req.header("Content-Type") or "")
    except ValueError as exc:
        return 400, TEXT, to_bytes(str(exc))
    out, form, files = [], {}, {}
    for hdrs, data in parts:
        disp = hdrs.get("content-disposition", "")
        info = {"name": _disposition_param(disp, "name"),
                "filename": _disposition_param(disp, "filename"),
                "content_type": text(hdrs.get("content-type")) if "content-type" in hdrs else None,
                "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                "headers": dict((text(k), text(v)) for k, v in hdrs.items())}
        out.append(info)
        if info["filename"] is None:
            form[info["name"]] = data.decode("utf-8", "replace")
        else:
            files[info["name"]] = info
    return echo_response(req, parts=out, form=form, files=files)


# --------------------------------------------------------------------------- caching, retries
LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT"


@route("/etag(?:/([^/]+))?")
def etag(req, tag=None):
    value = '"%s"' % (tag or "httpkit-etag-1")
    hdrs = [("ETag", value), ("Last-Modified", LAST_MODIFIED)]
    inm = req.header("If-None-Match")
    if inm is not None:
        if inm.strip() == "*" or value in [t.strip().replace("W/", "") for t in inm.split(",")]:
            return 304, hdrs, b""
    elif req.header("If-Modified-Since") == LAST_MODIFIED:
        return 304, hdrs, b""
    return echo_response(req, headers=hdrs)


@route("/cache")
def cache(req):
    if req.header("If-None-Match") or req.header("If-Modified-Since"):
        return 304, [("ETag", '"cache-1"')], b""
    return echo_response(req, headers=[("ETag", '"cache-1"'), ("Last-Modified", LAST_MODIFIED)])


@route("/cache/(\\d+)")
def cache_seconds(req, seconds):
    return echo_response(req, headers=[("Cache-Control", "public, max-age=%d" % int(seconds))])


@route("/retry-after")
def retry_after(req):
    count = int(req.arg("count", "1"))
    key = req.arg("key", "default")
    with req.server.state_lock:
        counters = req.server.state.setdefault("retry_after", {})
        seen = counters.get(key, 0)
        counters[key] = seen + 1
    if seen < count:
        hdrs = [("Retry-After", req.arg("after", "0"))] + TEXT
        return int(req.arg("status", "503")), hdrs, to_bytes("failure %d of %d\n" % (seen + 1, count))
    return echo_response(req, attempts=seen + 1)
