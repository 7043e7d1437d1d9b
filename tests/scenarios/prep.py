# -*- coding: utf-8 -*-
"""Scenarios: request bodies, uploads, prepare() and caller input (issue 10).

Every body requests can send goes byte for byte, with a Content-Length when
its size is knowable; files prepared explicitly survive being closed; bad
headers and URLs fail before a byte is sent, with httpkit's errors.
"""
from __future__ import absolute_import, division, print_function

import hashlib
import io

import pytest

import httpkit
from httpkit._prepare import SMALL_MULTIPART
from servers import random_bytes

from scenarios.corpus import ok, raised, scenario, served

PAYLOAD = random_bytes(150000, "prep")
DIGEST = hashlib.sha256(PAYLOAD).hexdigest()
TEXT = u"caf\u00e9 \u20ac\n" * 5000  # non-ASCII: its UTF-8 size is not its length


class ReadAllOnZero(object):
    """requests' own test stream: read/seek/tell/__len__, no __iter__, and
    ``read(0)`` returns EVERYTHING (a probing read must never be made)."""

    def __init__(self, data):
        self.data, self.index = data, 0

    def __len__(self):
        return len(self.data)

    def read(self, size=None):
        if size:
            chunk = self.data[self.index:self.index + size]
            self.index += len(chunk)
            return chunk
        chunk, self.index = self.data[self.index:], len(self.data)
        return chunk

    def tell(self):
        return self.index

    def seek(self, offset, whence=0):
        self.index = offset if whence == 0 else (
            self.index + offset if whence == 1 else len(self.data) + offset)


class LenAttribute(object):
    """Only ``read`` and a ``len`` attribute (requests' super_len reads ``o.len``)."""

    def __init__(self, data):
        self._io, self.len = io.BytesIO(data), len(data)

    def read(self, size=-1):
        return self._io.read(size)


class ReadOnly(object):
    """Only ``read``: the size is unknowable, so the body goes chunked."""

    def __init__(self, data):
        self._io = io.BytesIO(data)

    def read(self, size=-1):
        return self._io.read(size)


class SizedIterable(object):
    """An iterable with ``__len__`` (bytes), like requests' streaming test bodies."""

    def __init__(self, data):
        self.data = data

    def __len__(self):
        return len(self.data)

    def __iter__(self):
        for i in range(0, len(self.data), 10000):
            yield self.data[i:i + 10000]


def _sent(doc, digest=DIGEST, length=len(PAYLOAD)):
    """Assert the server got the body whole, with Content-Length ``length`` (None: chunked)."""
    assert doc["body_sha256"] == digest, (doc["body_length"], doc["headers"])
    if length is None:
        assert doc["headers"].get("Transfer-Encoding") == "chunked", doc["headers"]
        assert "Content-Length" not in doc["headers"], doc["headers"]
    else:
        assert doc["headers"].get("Content-Length") == str(length), doc["headers"]
        assert "Transfer-Encoding" not in doc["headers"], doc["headers"]


@scenario
def body_any_file_like_is_sent_byte_for_byte(adapter, servers):
    url = servers.http.base_url("/post")
    _sent(ok(adapter.request("POST", url, data=ReadAllOnZero(PAYLOAD))))
    _sent(ok(adapter.request("PUT", servers.http.base_url("/put"), data=LenAttribute(PAYLOAD))))
    _sent(ok(adapter.request("POST", url, data=ReadOnly(PAYLOAD))), length=None)
    _sent(ok(adapter.request("POST", url, data=SizedIterable(PAYLOAD))))
    _sent(ok(adapter.request("POST", url, data=bytearray(PAYLOAD))))
    _sent(ok(adapter.request("POST", url, data=memoryview(PAYLOAD))))
    # From the current position: what is left, not the whole file.
    stream = ReadAllOnZero(b"skip" + PAYLOAD)
    stream.seek(4)
    _sent(ok(adapter.request("POST", url, data=stream)))
    path = servers.write_file("body.bin", b"header" + PAYLOAD)
    with open(path, "rb") as f:
        f.read(6)
        _sent(ok(adapter.request("POST", url, data=f)))


@scenario
def body_text_streams_go_as_utf8_with_a_length(adapter, servers):
    url = servers.http.base_url("/post")
    data = TEXT.encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()
    _sent(ok(adapter.request("POST", url, data=io.StringIO(TEXT))), digest, len(data))
    path = servers.write_file("body.txt", data)
    with io.open(path, "r", encoding="utf-8") as f:
        _sent(ok(adapter.request("POST", url, data=f)), digest, len(data))

    def pieces():
        for i in range(0, len(TEXT), 7000):
            yield TEXT[i:i + 7000]
    _sent(ok(adapter.request("POST", url, data=pieces())), digest, None)


@scenario
def body_longer_than_announced_is_an_error(adapter, servers):
    class Liar(SizedIterable):
        def __len__(self):
            return 10  # the pieces are 150000 bytes: never a short or overlong body
    server = servers.http
    res = adapter.request("POST", server.base_url("/post"), data=Liar(PAYLOAD))
    raised(res, "RequestException", "longer than")
    assert served(server, "/post") == []


@scenario
def multipart_text_file_has_a_content_length(adapter, servers):
    # Over SMALL_MULTIPART: streamed from the open files, not read at prepare time.
    big = random_bytes(SMALL_MULTIPART + 100000, "big")
    data = TEXT.encode("utf-8")
    text_path = servers.write_file("notes.txt", data)
    bin_path = servers.write_file("blob.bin", big)
    with io.open(text_path, "r", encoding="utf-8") as text, open(bin_path, "rb") as blob:
        doc = ok(adapter.request("POST", servers.http.base_url("/upload"),
                                 files={"text": text, "blob": blob,
                                        "mem": ("m.txt", io.StringIO(u"\u2603"))},
                                 data={"field": u"v\u00e9"}))
    assert "Transfer-Encoding" not in doc["headers"], doc["headers"]
    assert int(doc["headers"]["Content-Length"]) > len(data) + len(big)
    parts = dict((p["name"], p) for p in doc["parts"])
    assert parts["text"]["filename"] == "notes.txt"
    assert parts["text"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert parts["blob"]["sha256"] == hashlib.sha256(big).hexdigest()
    assert parts["mem"]["sha256"] == hashlib.sha256(u"\u2603".encode("utf-8")).hexdigest()


@scenario
def prepared_upload_sent_after_the_file_is_closed(adapter, servers):
    url = servers.http.base_url("/upload")
    path = servers.write_file("report.bin", PAYLOAD)
    with open(path, "rb") as f:
        prepared = httpkit.Request("POST", url, files={"report": f}).prepare()
    empty = httpkit.PreparedRequest()
    with open(path, "rb") as f:
        empty.prepare(method="POST", url=url, files={"report": f}, data={"k": "v"})
    with adapter.session() as s:
        for request in (prepared, empty):
            doc = ok(s.send(request))
            assert doc["parts"][-1]["sha256"] == DIGEST
            assert "Content-Length" in doc["headers"], doc["headers"]
        ok(s.send(prepared))  # bytes now: it can be sent again


@scenario
def closed_data_file_is_a_clear_error(adapter, servers):
    server = servers.http
    path = servers.write_file("gone.bin", PAYLOAD)
    with open(path, "rb") as f:
        prepared = httpkit.Request("POST", server.base_url("/post"), data=f).prepare()
    with adapter.session() as s:
        res = s.send(prepared)
    raised(res, "ClosedFileError", "gone.bin")
    assert "ValueError" in res.error_mro
    assert served(server, "/post") == []  # refused before the request head was sent


@scenario
def files_none_skipped_and_raw_data_refused(adapter, servers):
    url = servers.http.base_url("/upload")
    doc = ok(adapter.request("POST", url, files={"skipped": None, "kept": ("k.txt", b"k"),
                                                 "also": ("a.txt", None)}))
    assert [p["name"] for p in doc["parts"]] == ["kept"]
    for raw in ("raw string", b"raw bytes", io.BytesIO(b"raw file")):
        with pytest.raises(ValueError) as info:
            adapter.request("POST", url, files={"f": b"x"}, data=raw)
        assert "data=" in str(info.value) and "form fields" in str(info.value)
    assert len(served(servers.http, "/upload")) == 1


@scenario
def none_headers_are_not_sent(adapter, servers):
    url = servers.http.base_url("/headers")
    with adapter.session(headers={"User-Agent": None, "X-Session": "s",
                                  "X-Gone": None}) as s:
        doc = ok(s.request("GET", url, headers={"Accept-Encoding": None, "X-Session": None,
                                                "X-Call": "c"}))
    sent = dict((k.lower(), v) for k, v in doc["headers"].items())
    assert "user-agent" not in sent and "accept-encoding" not in sent, sent
    assert "x-session" not in sent and "x-gone" not in sent, sent
    assert sent["x-call"] == "c" and sent["accept"] == "*/*"


@scenario
def invalid_header_input_sends_nothing(adapter, servers):
    server = servers.scripted([b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"])
    cases = [({"foo\n": "bar"}, "foo"), ({"foo": "bar\n"}, "foo"), ({"foo\r\n": "x"}, "foo"),
             ({"foo": "a\x01b"}, "foo"), ({"foo": "a\x7fb"}, "foo"), ({" foo": "x"}, "foo"),
             ({"foo": " bar"}, "foo"), ({"bar": 3}, "bar"), ({"baz": ["a", "b"]}, "baz"),
             ({"": "x"}, "header name"), ({u"x-\u00e9": "x"}, "x-")]
    for headers, named in cases:
        raised(adapter.request("GET", server.url + "/", headers=headers), "InvalidHeader", named)
    with adapter.session(headers={"X-Fine": "a\tb"}) as s:
        raised(s.request("GET", server.url + "/", headers={"X-Euro": u"\u20ac"}),
               "InvalidHeader", "x-euro")
    assert server.connections == 0 and server.received == []


@scenario
def invalid_urls_fail_with_requests_errors(adapter, servers):
    for url, name in [("http://.example.com", "InvalidURL"), ("http://*", "InvalidURL"),
                      ("http://*.example.com", "InvalidURL"),
                      ("http://*example.com/", "InvalidURL"),
                      ("http://", "InvalidURL"), ("http://:1", "InvalidURL"),
                      ("http://a..b/", "InvalidURL"), ("http://%s.com/" % ("a" * 64), "InvalidURL"),
                      ("http://example.com:0/", "InvalidURL"),
                      ("http://exa mple.com", "InvalidURL"),
                      (u"http://\u2603.net/", "InvalidURL"),
                      ("hiwpefhipowhefopw", "MissingSchema"),
                      ("localhost:3128", "InvalidSchema"), ("10.122.1.1:3128/", "InvalidSchema"),
                      ("mailto:user@example.org", "InvalidSchema"),
                      ("data:SSDimaUgUHl0aG9uIQ==", "InvalidSchema"),
                      ("http+unix://%2Fvar%2Frun%2Fsocket/path", "InvalidSchema"),
                      ("ftp://127.0.0.1/file", "InvalidSchema")]:
        res = adapter.request("GET", url, timeout=5)
        raised(res, name)
    res = adapter.request("GET", "localhost:3128")
    assert "perhaps you meant http://localhost:3128" in res.error_message


@scenario
def other_schemes_prepare_and_fail_only_when_sent(adapter, servers):
    prepared = httpkit.Request("GET", "http+unix://%2Fvar%2Frun%2Fs/path%7E",
                               params={"k": "v"}).prepare()
    assert prepared.url == "http+unix://%2Fvar%2Frun%2Fs/path~?k=v"
    with adapter.session() as s:
        raised(s.send(prepared), "InvalidSchema", "http+unix://")


@scenario
def send_needs_a_prepared_request(adapter, servers):
    request = httpkit.Request("GET", servers.http.base_url("/get"))
    with adapter.session() as s:
        with pytest.raises(ValueError) as info:
            s.send(request)
        assert isinstance(info.value, TypeError)
        assert "PreparedRequest" in str(info.value) and "prepare" in str(info.value)
        ok(s.send(request.prepare()))


@scenario
def prepared_request_filled_like_requests(adapter, servers):
    prepared = httpkit.PreparedRequest()
    prepared.prepare(method="post", url=servers.http.base_url("/post"),
                     headers={"X-Mine": "1"}, data={"a": "1"}, params={"q": "x"},
                     auth=("user", "pass"), cookies={"c": "v"},
                     hooks={"response": [lambda r, *a, **k: None]})
    assert prepared.method == "POST" and prepared.url.endswith("/post?q=x")
    with adapter.session() as s:
        doc = ok(s.send(prepared))
    assert doc["form"] == {"a": "1"} and doc["args"] == {"q": "x"}
    assert doc["headers"]["X-Mine"] == "1"
    assert doc["headers"]["Authorization"].startswith("Basic ")
    assert doc["headers"]["Cookie"] == "c=v"


def _answer_after_head(response):
    """A script step: read the request head only, answer ``response``; the server then
    closes with the body unread (what werkzeug does for a 307, nginx for a 413)."""
    def step(ctx):
        from peer_base import Reader
        Reader(ctx.sock).read_until(b"\r\n\r\n", 65536)
        return response
    return step


@scenario
def early_answer_to_an_upload_is_the_response(adapter, servers):
    answer = (b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 8\r\n"
              b"Connection: close\r\n\r\ntoo big!")
    big = b"x" * (32 << 20)  # far more than socket buffers hold: the send must fail

    def chunks():
        for i in range(0, len(big), 1 << 20):
            yield big[i:i + (1 << 20)]
    for data in (big, chunks()):
        server = servers.scripted([_answer_after_head(answer), ("sleep", 0.2)],
                                  read_first=False)
        res = adapter.request("POST", server.url + "/upload", data=data, timeout=10)
        assert ok(res, 413) is None and res.body == b"too big!"
    # No answer at all: the send error itself.
    server = servers.scripted([("close",)], read_first=False)
    raised(adapter.request("POST", server.url + "/upload", data=big, timeout=10),
           "ConnectionError")
