"""httpkit.transports and Response(): mounting, the transport interface, the built-in
transports' edges (blocking front-end), and Response built by hand.

Behaviour every front-end shares is in tests/scenarios/transports.py.
"""
from __future__ import absolute_import, division, print_function

import gzip
import io
import threading

import pytest

import httpkit
from httpkit._compat import PY2
from httpkit import HTTPAdapter, MockTransport, Response, WSGITransport


def _ok(request):
    return Response(200, content=b"ok")


# --------------------------------------------------------------------------- Response()
def test_response_empty_then_filled_in():
    r = Response()
    assert r.status_code is None and r.reason is None and len(r.headers) == 0
    assert repr(r) == "<Response [None]>"
    r.status_code = 200
    r.headers["Content-Type"] = "application/json; charset=utf-8"
    r._content = b'{"a": [1]}'
    assert r.json() == {"a": [1]} and r.text == u'{"a": [1]}' and r.ok


def test_response_positional_order_and_reason_default():
    r = Response(404, None, {"X-A": "1"})
    assert (r.status_code, r.reason, r.headers["x-a"]) == (404, "Not Found", "1")
    assert Response(200, "Fine").reason == "Fine"
    assert Response(299).reason == ""
    assert isinstance(Response(200, headers=[("A", "1"), ("A", "2")]).headers, httpkit.Headers)


def test_response_bodies():
    r = Response(200, json={"k": u"v\xe9"})
    assert r.json() == {"k": u"v\xe9"} and r.headers["content-type"] == "application/json"
    r = Response(200, text=u"h\xe9")
    assert r.content == u"h\xe9".encode("utf-8") and r.text == u"h\xe9"
    assert r.headers["content-type"] == "text/plain; charset=utf-8"
    r = Response(200, headers={"Content-Type": "text/html"}, text=u"<p>")
    assert r.headers["content-type"] == "text/html"
    assert Response(200, content=b"raw").content == b"raw"
    with pytest.raises(TypeError, match="one of"):
        Response(200, content=b"a", json={})


def test_response_iterable_or_file_body_built_by_hand():
    assert Response(200, content=iter([b"a", b"", b"b"])).content == b"ab"
    r = Response(200, content=iter([b"abc", b"de"]))
    assert list(r.iter_content(2)) == [b"ab", b"cd", b"e"]
    with pytest.raises(httpkit.StreamConsumedError):
        r.content  # noqa: B018 - iter_content() took the body
    f = io.BytesIO(b"file body")
    r = Response(200, content=f)
    assert r.raw.read(4) == b"file" and r.raw.read() == b" body"
    assert f.closed
    with httpkit.Session() as s:
        s.mount("http://m.test", MockTransport(lambda req: Response(
            200, content=(piece for piece in [b"a", b"", b"b"]))))
        assert s.get("http://m.test/").content == b"ab"
        s.mount("http://f.test", MockTransport(lambda req: Response(
            200, content=io.BytesIO(b"x" * 100000))))
        assert s.get("http://f.test/").content == b"x" * 100000
        s.mount("http://b.test", MockTransport(lambda req: Response(
            200, content=bytearray(b"ba"))))
        assert s.get("http://b.test/").content == b"ba"


# --------------------------------------------------------------------------- mounting
def test_default_adapters_and_get_adapter():
    with httpkit.Session() as s:
        assert list(s.adapters) == ["https://", "http://"]
        assert isinstance(s.get_adapter("HTTPS://x.test/"), httpkit.HTTPAdapter)
        assert s.get_adapter("http://x.test/") is s.adapters["http://"]
        with pytest.raises(httpkit.InvalidSchema, match="ftp://x.test"):
            s.get_adapter("ftp://x.test/")


def test_mount_orders_longest_prefix_first():
    a, b, c = MockTransport(_ok), MockTransport(_ok), MockTransport(_ok)
    with httpkit.Session() as s:
        s.mount("http://x.test/", a)
        s.mount("http://x.test/api/v2/", b)
        s.mount("http://", c)  # replaces the default, keeps the longer ones first
        assert list(s.adapters) == ["http://x.test/api/v2/", "http://x.test/", "https://",
                                    "http://"]
        assert s.get_adapter("http://x.test/api/v2/users") is b
        assert s.get_adapter("http://X.TEST/api/v1") is a
        assert s.get_adapter("http://y.test/") is c


def test_mount_refuses_what_is_not_a_transport():
    with httpkit.Session() as s:
        with pytest.raises(TypeError, match="BaseTransport"):
            s.mount("http://", _ok)


def test_session_close_closes_each_transport_once():
    closed = []

    class Closing(MockTransport):
        def close(self):
            closed.append(self)

    t = Closing(_ok)
    s = httpkit.Session()
    s.mount("http://a.test", t)
    s.mount("http://b.test", t)
    s.close()
    assert closed == [t]


# --------------------------------------------------------------------------- the interface
def test_user_transport_receives_request_and_settings():
    class Recording(httpkit.BaseTransport):
        def __init__(self):
            self.calls = []

        def send(self, request, **settings):
            self.calls.append((request, settings, threading.current_thread()))
            return Response(200, headers={"X-Via": "recording"}, content=b"body")

    t = Recording()
    with httpkit.Session(proxies={"https": "http://p.test:1"}) as s:
        s.mount("http://r.test", t)
        r = s.get("http://r.test/p?q=1", timeout=(3, 4), cert="/c.pem", stream=True,
                  cookies={"c": "1"})
        assert r.content == b"body" and r.request is t.calls[0][0]
        assert r.url == "http://r.test/p?q=1" and r.connection is t
    request, settings, thread = t.calls[0]
    assert request.headers["cookie"] == "c=1"
    assert (settings["timeout"].connect, settings["timeout"].read) == (3, 4)
    assert settings["cert"] == "/c.pem" and settings["stream"] is True
    assert settings["verify"] is True and settings["proxies"] == {"https": "http://p.test:1"}
    assert thread is threading.current_thread()


def test_transport_errors_are_clear():
    with httpkit.Session() as s:
        s.mount("http://a.test", MockTransport(lambda r: "not a response"))
        with pytest.raises(TypeError, match="not an httpkit.Response"):
            s.get("http://a.test/")
        s.mount("http://b.test", MockTransport(lambda r: Response()))
        with pytest.raises(TypeError, match="without a status_code"):
            s.get("http://b.test/")
        s.mount("http://c.test", httpkit.BaseTransport())
        with pytest.raises(NotImplementedError, match="neither send"):
            s.get("http://c.test/")

        def down(request):
            raise httpkit.ConnectTimeout("simulated")
        s.mount("http://d.test", MockTransport(down))
        with pytest.raises(httpkit.ConnectTimeout) as info:
            s.get("http://d.test/x")
        assert info.value.request.url == "http://d.test/x"
    with pytest.raises(TypeError, match="handler"):
        MockTransport("not callable")
    with pytest.raises(TypeError, match="Session.send"):
        HTTPAdapter().send(None)


def test_mock_body_through_raw_and_decoding():
    data = b"x" * 5000
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb") as f:
        f.write(data)
    gz = buf.getvalue()
    handler = lambda r: Response(200, headers={"Content-Encoding": "gzip"}, content=gz)  # noqa: E731
    with httpkit.Session() as s:
        s.mount("http://g.test", MockTransport(handler))
        assert s.get("http://g.test/", stream=True).raw.read() == gz
        r = s.get("http://g.test/", stream=True)
        r.raw.decode_content = True
        assert r.raw.read() == data
        r = s.head("http://g.test/")
        assert r.content == b""  # HEAD: no body, whatever the transport gave


# --------------------------------------------------------------------------- HTTPAdapter
def test_httpadapter_arguments():
    a = HTTPAdapter()
    assert (a.max_retries, a.pool_connections, a.pool_maxsize, a.pool_block) == \
        (None, 10, 10, False)
    assert a.limits is None
    limits = HTTPAdapter(pool_connections=3, pool_maxsize=2, pool_block=True).limits
    assert (limits.max_per_host, limits.max_total) == (2, 6)
    assert HTTPAdapter(max_retries=3).max_retries.total == 3
    assert HTTPAdapter(max_retries=False).max_retries.total == 0
    with pytest.raises(ValueError):
        HTTPAdapter(max_retries=-1)
    with pytest.raises(TypeError):
        HTTPAdapter(max_retries="3")
    assert httpkit.HTTPAdapter is httpkit.HTTPTransport


def test_httpadapter_pool_block_limits_the_session_pool(http_server):
    with httpkit.Session() as s:
        s.mount("http://", HTTPAdapter(pool_maxsize=1, pool_block=True))
        assert s.limits.max_per_host == 1 and s._driver.pool.limits is s.limits
        held = s.get(http_server.url + "/bytes/100000", stream=True)
        with pytest.raises(httpkit.PoolTimeout):
            s.get(http_server.url + "/get", timeout=httpkit.Timeouts(5, pool=0.2))
        held.close()
        assert s.get(http_server.url + "/get").status_code == 200


# --------------------------------------------------------------------------- WSGI edges
def test_wsgi_iterable_closed_once_read_or_abandoned():
    closed = []

    class Body(object):
        def __init__(self):
            self.pieces = iter([b"a" * 1000] * 50)

        def __iter__(self):
            return self.pieces

        def close(self):
            closed.append(True)

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return Body()

    with httpkit.Session() as s:
        s.mount("http://w.test", WSGITransport(app))
        assert len(s.get("http://w.test/").content) == 50000
        assert closed == [True]
        r = s.get("http://w.test/", stream=True)
        next(r.iter_content(10))
        r.close()
        assert closed == [True, True]


def test_wsgi_app_errors_propagate():
    def broken(environ, start_response):
        raise KeyError("app bug")

    def silent(environ, start_response):
        return [b"no start_response"]

    with httpkit.Session() as s:
        s.mount("http://b.test", WSGITransport(broken))
        with pytest.raises(KeyError, match="app bug"):
            s.get("http://b.test/")
        s.mount("http://s.test", WSGITransport(silent))
        with pytest.raises(RuntimeError, match="start_response"):
            s.get("http://s.test/")


def test_a_prebuilt_response_can_be_served_many_times():
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb") as f:
        f.write(b"same")
    canned = Response(200, headers={"Content-Encoding": "gzip", "Set-Cookie": "a=1"},
                      content=buf.getvalue())
    with httpkit.Session() as s:
        s.mount("http://c.test", MockTransport(lambda request: canned))
        first, second = s.get("http://c.test/1"), s.get("http://c.test/2")
    assert first.content == second.content == b"same"
    assert (first.url, second.url) == ("http://c.test/1", "http://c.test/2")


def test_a_canned_response_served_to_head_keeps_its_body_for_get():
    canned = Response(200, content=b"payload")
    with httpkit.Session() as s:
        s.mount("http://c.test", MockTransport(lambda request: canned))
        assert s.head("http://c.test/").content == b""
        assert s.get("http://c.test/").content == b"payload"


def test_public_transport_api():
    names = ["BaseTransport", "HTTPTransport", "HTTPAdapter", "MockTransport", "WSGITransport",
             "ASGITransport"]
    for name in names:
        assert name in httpkit.__all__ and getattr(httpkit, name) is \
            getattr(httpkit.transports, name)
    assert sorted(httpkit.transports.__all__) == sorted(names + ["BaseAdapter"])
    assert httpkit.transports.BaseAdapter is httpkit.BaseTransport
    from httpkit.aio import tx
    sessions = [httpkit.Session, tx.Session]
    if not PY2:
        from httpkit import aio
        sessions.append(aio.Session)
    for cls in sessions:
        assert callable(cls.mount) and callable(cls.get_adapter)


def test_httpadapter_subclass_overriding_send_is_refused():
    class TimeoutAdapter(HTTPAdapter):  # requests' recipe: send() is never called by httpkit
        def send(self, request, **kwargs):
            kwargs.setdefault("timeout", 5)
            return super(TimeoutAdapter, self).send(request, **kwargs)

    class Tuned(HTTPAdapter):  # a subclass that only sets arguments is fine
        def __init__(self):
            super(Tuned, self).__init__(max_retries=2)

    with httpkit.Session() as s:
        with pytest.raises(TypeError, match="overrides HTTPAdapter.send"):
            s.mount("https://", TimeoutAdapter())
        s.mount("https://", Tuned())
        assert s.get_adapter("https://x.test/").max_retries.total == 2


def test_response_raw_set_by_hand():
    assert Response().content is None  # nothing given, as requests
    r = Response()
    r.status_code = 200
    r.raw = io.BytesIO(b"the content")
    assert r.raw.read(3) == b"the"  # r.raw is the file given
    r = Response()
    r.raw = io.BytesIO(b"the content")
    assert [len(c) for c in r.iter_content(4)] == [4, 4, 3]
    r = Response()
    r.raw = io.BytesIO(b"the content")
    r.encoding = "ascii"
    assert u"".join(r.iter_content(3, decode_unicode=True)) == u"the content"
    r = Response()
    r.raw = io.BytesIO(b"the content")
    assert r.content == b"the content"
    f = io.BytesIO(b"unread")
    r = Response()
    r.raw = f
    r.close()
    assert f.closed
    r = Response()
    r.raw = io.StringIO(u"caf\xe9")  # a text file: its text as UTF-8 bytes
    assert next(r.iter_content(128)) == u"caf\xe9".encode("utf-8")
