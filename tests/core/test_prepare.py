# -*- coding: utf-8 -*-
"""prepare(), PreparedRequest, URLs of any scheme, header checks, stream lengths (no I/O)."""
from __future__ import absolute_import, division, print_function

import io
import os
import tempfile

import pytest

import httpkit
from httpkit._client import BaseSession, NotPreparedError
from httpkit._exchange import require_http
from httpkit._models import Headers, check_header
from httpkit._streams import iter_pieces, read_stream, stream_length
from httpkit.exceptions import (ClosedFileError, InvalidHeader, InvalidSchema, InvalidURL,
                                MissingSchema, RequestException)


# ---- URLs (requests' test_preparing_url / test_url_mutation / test_invalid_url cases)
@pytest.mark.parametrize("url, expected", [
    ("http://google.com", "http://google.com/"),
    (u"http://\u30b8\u30a7\u30fc\u30d4\u30fc\u30cb\u30c3\u30af.jp",
     "http://xn--hckqz9bzb1cyrb.jp/"),
    (u"http://stra\u00dfe.de/stra\u00dfe", "http://xn--strae-oqa.de/stra%C3%9Fe"),
    (b"http://xn--n3h.net/", "http://xn--n3h.net/"),
    ("http://[1200:0000:ab00:1234:0000:2552:7777:1313]:12345/",
     "http://[1200:0000:ab00:1234:0000:2552:7777:1313]:12345/"),
    (b"http+unix://%2Fvar%2Frun%2Fsocket/path%7E", "http+unix://%2Fvar%2Frun%2Fsocket/path~"),
    ("mailto:user@example.org", "mailto:user@example.org"),
    (b"data:SSDimaUgUHl0aG9uIQ==", "data:SSDimaUgUHl0aG9uIQ=="),
    ("localhost:3128", "localhost:3128"),
    ("http://x/%7e%41%2F", "http://x/~A%2F"),
])
def test_preparing_url(url, expected):
    assert httpkit.Request("GET", url).prepare().url == expected


@pytest.mark.parametrize("url, params, expected", [
    ("http+unix://%2Fvar%2Frun%2Fsocket/path", {"key": "value"},
     "http+unix://%2Fvar%2Frun%2Fsocket/path?key=value"),
    ("mailto:user@example.org", {"key": "value"}, "mailto:user@example.org"),
])
def test_params_for_nonstandard_schemes(url, params, expected):
    assert httpkit.Request("GET", url, params=params).prepare().url == expected


@pytest.mark.parametrize("url, error", [
    ("http://.example.com", InvalidURL), ("http://*", InvalidURL), (b"http://*", InvalidURL),
    ("http://*.google.com", InvalidURL), ("http://*example.com", InvalidURL),
    (u"http://\u2603.net/", InvalidURL), ("http://", InvalidURL), ("http://:1", InvalidURL),
    ("http://a..b", InvalidURL), ("http://" + "a" * 64 + ".com", InvalidURL),
    ("http://a b/", InvalidURL), ("http://x:99999/", InvalidURL), ("http://x:y/", InvalidURL),
    ("http:/x", InvalidURL), ("hiwpefhipowhefopw", MissingSchema), (None, MissingSchema),
])
def test_bad_urls_fail_in_prepare(url, error):
    with pytest.raises(error):
        httpkit.Request("GET", url).prepare()


@pytest.mark.parametrize("url", ["localhost:3128", "10.122.1.1:3128/", "mailto:a@b.c",
                                 "http+unix://%2Fs/p", "ftp://example.com/"])
def test_other_schemes_prepare_but_cannot_be_sent(url):
    prepared = httpkit.Request("GET", url).prepare()
    with pytest.raises(InvalidSchema) as info:
        require_http(prepared)
    assert info.value.request is prepared and str(prepared.url) in str(info.value)


def test_ordinary_hosts_still_parse():
    for url in ("http://a_b.example.com/", "http://localhost:8080/", "http://127.0.0.1/",
                "http://[::1]/", "http://example.com./", "https://xn--n3h.net/"):
        require_http(httpkit.Request("GET", url).prepare())


# ---- headers
@pytest.mark.parametrize("name, value", [
    ("foo\n", "bar"), ("foo", "bar\n"), ("fo\ro", "bar"), ("foo", "a\r\nb: c"), ("foo", "\x00"),
    ("foo", "a\x01"), ("foo", "a\x7f"), (" foo", "bar"), ("foo", " bar"), ("foo", "\tbar"),
    ("", "x"), ("foo", 3), ("foo", ["a"]), (3, "x"), ("foo", u"\u20ac"), ("f\u00f6o", "x"),
])
def test_invalid_headers(name, value):
    with pytest.raises(InvalidHeader):
        check_header(name, value)


def test_valid_headers():
    assert check_header("foo", "bar baz qux") == ("foo", "bar baz qux")
    assert check_header(b"bar", b"fbbq") == ("bar", "fbbq")
    assert check_header("baz", "") == ("baz", "")
    assert check_header("tab", "a\tb  ") == ("tab", "a\tb")
    assert check_header("latin", u"caf\u00e9")[1] in ("caf\xe9", u"caf\u00e9")


def test_none_header_hides_the_session_default():
    session = BaseSession(headers={"X-Gone": None})
    session.headers["User-Agent"] = None
    assert session.headers["User-Agent"] is None
    prepared = session.prepare_request(httpkit.Request("GET", "http://example.com/",
                                                       headers={"Accept": None, "X-New": "1"}))
    assert "user-agent" not in prepared.headers and "x-gone" not in prepared.headers
    assert "accept" not in prepared.headers and prepared.headers["X-New"] == "1"
    assert "Accept-Encoding" in prepared.headers


def test_plain_dict_session_headers():
    session = BaseSession()
    session.headers = {"X-A": "1", "X-B": None}
    prepared = session.prepare_request(httpkit.Request("GET", "http://example.com/"))
    assert prepared.headers == {"X-A": "1"}


# ---- PreparedRequest() and prepare()
def test_prepared_request_built_empty():
    prepared = httpkit.PreparedRequest()
    assert prepared.method is None and prepared.url is None and prepared.body is None
    prepared.prepare(method="post", url="http://example.com/p", headers={"X": "1"},
                     data={"a": "b"}, params={"q": 1}, auth=("u", "p"), cookies={"c": "v"},
                     hooks={"response": [len]}, json=None)
    assert (prepared.method, prepared.url) == ("POST", "http://example.com/p?q=1")
    assert prepared.body == "a=b" and prepared.headers["Content-Length"] == "3"
    assert prepared.headers["X"] == "1" and prepared.auth == ("u", "p")
    assert prepared.headers["Authorization"] == "Basic dTpw"  # Basic: as requests does
    assert prepared.cookies == {"c": "v"} and prepared.hooks == {"response": [len]}


def test_prepare_steps():
    prepared = httpkit.PreparedRequest()
    prepared.prepare_method("put")
    prepared.prepare_url("http://example.com/", {"a": "1"})
    prepared.prepare_headers({"Content-Type": "text/plain", "X": None})
    prepared.prepare_body(u"\u00e9", None)
    prepared.prepare_auth(("u", "p"))
    prepared.prepare_cookies({"c": "1"})
    prepared.prepare_hooks({"response": []})
    assert prepared.url == "http://example.com/?a=1" and prepared.method == "PUT"
    assert prepared.body == u"\u00e9" and prepared.headers["Content-Type"] == "text/plain"
    assert "X" not in prepared.headers and prepared.headers["Content-Length"] == "2"
    assert prepared.headers["Authorization"] == "Basic dTpw"
    digest = httpkit.DigestAuth("u", "p")
    prepared.prepare_headers({})
    prepared.prepare_auth(digest)  # needs a challenge: applied when sent
    assert prepared.auth is digest and "Authorization" not in prepared.headers


def test_request_takes_requests_arguments_and_no_method():
    request = httpkit.Request()
    request.url, request.data = "http://kennethreitz.org/", {"life": "42"}
    prepared = request.prepare()
    assert prepared.url == request.url and prepared.body == "life=42"  # str, as requests
    full = httpkit.Request("GET", "http://e.com/", headers={"A": "1"}, files=None, data=None,
                           params={"p": "1"}, auth=("u", "p"), cookies={"c": "1"},
                           hooks={"response": []}, json={"j": 1}).prepare()
    assert full.body == b'{"j": 1}' and full.auth == ("u", "p") and full.url.endswith("?p=1")


def test_send_refuses_unprepared_requests():
    session = BaseSession()
    with pytest.raises(ValueError) as info:
        session.send_request(httpkit.Request("GET", "http://example.com/"))
    assert isinstance(info.value, TypeError) and isinstance(info.value, NotPreparedError)
    assert "You can only send PreparedRequests" in str(info.value)
    with pytest.raises(ValueError):
        session.send_request(httpkit.PreparedRequest())


def test_explicit_prepare_reads_files_calls_stream_large_ones():
    from httpkit._prepare import SMALL_MULTIPART
    small, large = _temp_file(b"file content"), _temp_file(b"x" * (SMALL_MULTIPART + 1))
    try:
        with open(small, "rb") as f:
            prepared = httpkit.Request("POST", "http://e.com/", files={"f": f}).prepare()
        assert isinstance(prepared.body, bytes) and b"file content" in prepared.body
        assert prepared.headers["Content-Length"] == str(len(prepared.body))
        with open(small, "rb") as f:  # small: read at once by a call too
            assert isinstance(BaseSession().build_request("POST", "http://e.com/",
                                                          files={"f": f})[0].body, bytes)
        with open(large, "rb") as f:
            explicit = httpkit.Request("POST", "http://e.com/", files={"f": f}).prepare()
            f.seek(0)
            streamed = BaseSession().build_request("POST", "http://e.com/", files={"f": f})[0]
        assert isinstance(explicit.body, bytes) and len(explicit.body) > SMALL_MULTIPART
        assert not isinstance(streamed.body, bytes)
        assert streamed.headers["Content-Length"] == explicit.headers["Content-Length"]
        with pytest.raises(ClosedFileError):
            iter(streamed.body)
    finally:
        os.unlink(small)
        os.unlink(large)


def test_files_none_and_raw_data():
    prepared = httpkit.Request("POST", "http://e.com/", files={"a": None, "b": ("b", None),
                                                               "c": b"c"}).prepare()
    assert b'name="c"' in prepared.body and b'name="a"' not in prepared.body
    assert b'name="b"' not in prepared.body
    for raw in ("raw", b"raw", io.BytesIO(b"raw")):
        with pytest.raises(ValueError) as info:
            httpkit.Request("POST", "http://e.com/", files={"f": b"x"}, data=raw).prepare()
        assert "form fields" in str(info.value)


# ---- stream lengths (requests' super_len rules) and reading
class _Stream(object):
    def __init__(self, data):
        self.data, self.index = data, 0

    def __len__(self):
        return len(self.data)

    def read(self, size=None):
        if size:  # read(0) returns everything: requests' TestStream
            chunk = self.data[self.index:self.index + size]
        else:
            chunk = self.data[self.index:]
        self.index += len(chunk)
        return chunk

    def tell(self):
        return self.index

    def seek(self, offset, whence=0):
        self.index = offset if whence == 0 else len(self.data) + offset


def test_stream_length_rules():
    stream = _Stream(b"0123456789")
    assert stream_length(stream) == 10 and stream.index == 0  # never probed by reading
    stream.read(4)
    assert stream_length(stream) == 6
    bio = io.BytesIO(b"abcdef")
    bio.seek(2)
    assert stream_length(bio) == 4 and bio.tell() == 2

    class Len(object):
        len = 7

        def read(self, n=-1):
            return b""
    assert stream_length(Len()) == 7
    assert stream_length(iter([b"a"])) is None
    assert stream_length(io.BytesIO(b"")) is None  # 0 is never trusted: chunked
    text = io.StringIO(u"\u20ac\u20ac")
    assert stream_length(text) == 6 and text.tell() == 0


def test_stream_length_of_real_and_unseekable_files():
    path = _temp_file(b"x" * 1000)
    try:
        with open(path, "rb") as f:
            f.read(100)
            assert stream_length(f) == 900
        with io.open(path, "r") as f:
            assert stream_length(f) == 1000
    finally:
        os.unlink(path)
    read_fd, write_fd = os.pipe()
    try:
        with io.open(read_fd, "rb", closefd=False) as pipe:
            assert stream_length(pipe) is None
    finally:
        os.close(read_fd)
        os.close(write_fd)


def test_read_stream_keeps_its_promise():
    assert b"".join(read_stream(io.BytesIO(b"abcdef"), 4, 3)) == b"abcd"
    with pytest.raises(RequestException) as info:
        list(read_stream(io.BytesIO(b"ab"), 4))
    assert "short" in str(info.value)
    text = u"\u00e9t\u00e9"
    assert b"".join(read_stream(io.StringIO(text), 5)) == text.encode("utf-8")
    assert b"".join(iter_pieces([b"ab", u"\u00e9", b""], 4)) == b"ab\xc3\xa9"
    with pytest.raises(RequestException) as info:
        list(iter_pieces([b"abc", b"def"], 4))
    assert "longer" in str(info.value)


def test_closed_body_file_is_refused_before_sending():
    from httpkit._bodies import iter_body_chunks
    f = io.BytesIO(b"data")
    f.close()
    with pytest.raises(ClosedFileError) as info:
        iter_body_chunks(f, 4)
    assert isinstance(info.value, ValueError) and "closed" in str(info.value)


def _temp_file(data):
    fd, path = tempfile.mkstemp()
    os.write(fd, data)
    os.close(fd)
    return path


def test_prepared_request_pickles():
    import pickle
    prepared = httpkit.Request("POST", "http://e.com/x?a=1", files={"f": ("a.txt", b"abc")},
                               auth=("u", "p"), hooks={"response": []}).prepare()
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        copy = pickle.loads(pickle.dumps(prepared, protocol))
        assert (copy.method, copy.url, copy.body, copy.auth) == \
            (prepared.method, prepared.url, prepared.body, prepared.auth)
        assert copy.headers == prepared.headers and copy.parsed_url.host == "e.com"
        assert pickle.loads(pickle.dumps(httpkit.PreparedRequest(), protocol)).url is None
