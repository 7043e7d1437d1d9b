# -*- coding: utf-8 -*-
"""Streaming multipart/form-data: parts checked with the stdlib parser, exact lengths."""
from __future__ import absolute_import, division, print_function

import email
import io
import os
import sys
import tempfile

import pytest

from httpkit._multipart import READ_SIZE, MultipartEncoder, file_size
from httpkit.exceptions import RequestException, UnrewindableBodyError

PY2 = sys.version_info[0] == 2


def body_of(encoder):
    data = b"".join(encoder)
    if encoder.length is not None:
        assert encoder.length == len(data)
    return data


def parse(encoder):
    """Parse with the stdlib email parser: [(name, filename, content_type, payload)]."""
    data = body_of(encoder)
    head = ("Content-Type: %s\r\nMIME-Version: 1.0\r\n\r\n" % encoder.content_type).encode("ascii")
    if PY2:
        msg = email.message_from_string(head + data)
    else:
        msg = email.message_from_bytes(head + data)
    assert msg.is_multipart()
    parts = []
    for part in msg.get_payload():
        disposition = part["Content-Disposition"]
        assert disposition.startswith("form-data")
        params = dict(part.get_params(header="content-disposition")[1:])
        parts.append((params.get("name"), params.get("filename"),
                      part["Content-Type"], part.get_payload(decode=True)))
    return parts


def test_fields_then_files_in_requests_order():
    enc = MultipartEncoder(
        fields=[("a", "1"), ("b", [u"x", b"y", None, 3])],
        files={"f": ("report.csv", b"c1,c2\n1,2\n")},
        boundary="testboundary")
    assert enc.content_type == "multipart/form-data; boundary=testboundary"
    assert parse(enc) == [
        ("a", None, None, b"1"),
        ("b", None, None, b"x"),
        ("b", None, None, b"y"),
        ("b", None, None, b"3"),
        ("f", "report.csv", "text/csv", b"c1,c2\n1,2\n"),
    ]


def test_exact_wire_format():
    enc = MultipartEncoder({"k": "v"}, [("f", ("a.bin", b"\x00\x01"))], boundary="B")
    assert b"".join(enc) == (
        b'--B\r\nContent-Disposition: form-data; name="k"\r\n\r\nv\r\n'
        b'--B\r\nContent-Disposition: form-data; name="f"; filename="a.bin"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n\x00\x01\r\n"
        b"--B--\r\n")
    assert enc.length == len(b"".join(enc))


def test_all_file_forms():
    fileobj = io.BytesIO(b"from a file")
    fileobj.name = "/some/dir/photo.png"
    enc = MultipartEncoder(files=[
        ("plain", fileobj),
        ("raw", b"raw bytes"),
        ("one", ("only-name.txt",)),
        ("two", ("two.json", b"{}")),
        ("three", ("three.dat", io.BytesIO(b"3"), "application/x-custom")),
        ("four", ("four.txt", u"texté", "text/plain; charset=utf-8", {"X-Extra": "yes"})),
        ("field", (None, "just a value")),
    ])
    parts = parse(enc)
    assert parts[0] == ("plain", "photo.png", "image/png", b"from a file")
    assert parts[1] == ("raw", "raw", "application/octet-stream", b"raw bytes")
    assert parts[2] == ("one", "only-name.txt", "text/plain", b"")
    assert parts[3] == ("two", "two.json", "application/json", b"{}")
    assert parts[4] == ("three", "three.dat", "application/x-custom", b"3")
    assert parts[5] == ("four", "four.txt", "text/plain; charset=utf-8", u"texté".encode("utf-8"))
    assert parts[6] == ("field", None, None, b"just a value")
    assert b"X-Extra: yes\r\n" in b"".join(enc)


def test_filename_escaping_html5():
    enc = MultipartEncoder(files={'we"ird\r\nname': ('a"b\r\nc.txt', b"x")}, boundary="B")
    data = b"".join(enc)
    assert b'name="we%22ird%0D%0Aname"; filename="a%22b%0D%0Ac.txt"' in data


def test_non_ascii_filename_is_utf8():
    enc = MultipartEncoder(files={u"fïeld": (u"résumé 履歴.pdf", b"%PDF")}, boundary="B")
    data = b"".join(enc)
    expected = u'name="fïeld"; filename="résumé 履歴.pdf"'.encode("utf-8")
    assert expected in data
    assert b"Content-Type: application/pdf" in data


def test_default_filename_from_field_name_for_nameless_objects():
    fileobj = io.BytesIO(b"data")  # no .name
    enc = MultipartEncoder(files={"upload": fileobj}, boundary="B")
    assert parse(enc)[0][:2] == ("upload", "upload")


def test_stdin_like_name_is_not_a_filename():
    class Stream(io.BytesIO):
        name = "<stdin>"
    enc = MultipartEncoder(files={"f": Stream(b"x")}, boundary="B")
    assert parse(enc)[0][1] == "f"


def test_header_injection_refused():
    with pytest.raises(ValueError):
        MultipartEncoder(files={"f": ("a", b"x", "text/plain\r\nX-Evil: 1")})
    with pytest.raises(ValueError):
        MultipartEncoder(files={"f": ("a", b"x", None, {"X": "a\nb"})})


def test_random_boundary():
    a, b = MultipartEncoder({"k": "v"}), MultipartEncoder({"k": "v"})
    assert a.boundary != b.boundary
    assert len(a.boundary) == 32
    int(a.boundary, 16)


def test_invalid_boundary():
    with pytest.raises(ValueError):
        MultipartEncoder({"k": "v"}, boundary="bad\r\nboundary")


def test_empty():
    enc = MultipartEncoder(boundary="B")
    assert b"".join(enc) == b"--B--\r\n"
    assert enc.length == 7


def test_length_unknown_for_unseekable_files_known_for_text_files():
    class Pipe(object):
        def read(self, n=-1):
            return b""
    assert MultipartEncoder(files={"p": Pipe()}).length is None
    text = io.StringIO(u"text mode \u20ac")
    enc = MultipartEncoder(files={"t": ("t.txt", text)})
    assert enc.length is not None
    assert parse(enc)[0][3] == u"text mode \u20ac".encode("utf-8")
    assert len(b"".join(enc)) == enc.length


def test_file_read_from_current_position_and_rewind():
    fileobj = io.BytesIO(b"HEADERpayload")
    fileobj.seek(6)
    enc = MultipartEncoder(files={"f": ("f", fileobj)}, boundary="B")
    first = b"".join(enc)
    assert b"\r\n\r\npayload\r\n" in first
    assert enc.rewindable
    assert b"".join(enc) == first  # iterating again rewinds
    enc.rewind()
    assert fileobj.tell() == 6


def test_unrewindable_file():
    class OneShot(object):
        def __init__(self):
            self.data = [b"x"]

        def read(self, n=-1):
            return self.data.pop() if self.data else b""
    enc = MultipartEncoder(files={"f": OneShot()})
    assert not enc.rewindable
    with pytest.raises(UnrewindableBodyError):
        enc.rewind()


def test_file_shrinking_while_sent_is_an_error():
    tmp = tempfile.NamedTemporaryFile(delete=False)
    try:
        tmp.write(b"x" * 1000)
        tmp.close()
        with open(tmp.name, "rb") as fileobj:
            enc = MultipartEncoder(files={"f": fileobj})
            with open(tmp.name, "wb") as shrink:
                shrink.write(b"x" * 10)
            with pytest.raises(RequestException):
                b"".join(enc)
    finally:
        os.unlink(tmp.name)


def test_file_size_helper():
    fileobj = io.BytesIO(b"0123456789")
    fileobj.seek(4)
    assert file_size(fileobj) == 6
    assert fileobj.tell() == 4
    assert file_size(io.StringIO(u"ab\u00e9")) == 4


def max_rss():
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def test_streams_a_50mb_file_with_bounded_memory():
    size = 50 * 1024 * 1024
    tmp = tempfile.NamedTemporaryFile(delete=False)
    try:
        block = os.urandom(1024 * 1024)
        for _ in range(50):
            tmp.write(block)
        tmp.close()
        with open(tmp.name, "rb") as fileobj:
            enc = MultipartEncoder({"note": "big"}, {"blob": fileobj})
            assert enc.length > size
            try:
                import tracemalloc
            except ImportError:
                tracemalloc = None
            if tracemalloc is not None:
                tracemalloc.start()
            before = max_rss()
            total = 0
            biggest = 0
            for chunk in enc:
                total += len(chunk)
                biggest = max(biggest, len(chunk))
            grew = max_rss() - before
            if tracemalloc is not None:
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
                assert peak < 4 * READ_SIZE + 65536
            assert total == enc.length
            assert biggest <= READ_SIZE + 1024
            assert grew < 20 * 1024 * 1024
    finally:
        os.unlink(tmp.name)
