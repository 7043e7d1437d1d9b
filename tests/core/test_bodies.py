# -*- coding: utf-8 -*-
"""Request bodies: encoding requests-style arguments, streaming them, replaying them."""
from __future__ import absolute_import, division, print_function

import io
import json
import os
import tempfile

import pytest

from httpkit._bodies import (BodyReplayer, body_replayer, encode_body, iter_body_chunks,
                             replay_body)
from httpkit._multipart import MultipartEncoder
from httpkit.exceptions import InvalidJSONError, UnrewindableBodyError


# ---- encode_body
def test_no_body():
    assert encode_body() == (None, None, 0)
    assert encode_body(data={}) == (None, None, 0)
    assert encode_body(data=b"") == (None, None, 0)


def test_bytes_as_they_are():
    assert encode_body(data=b"\x00raw") == (None, b"\x00raw", 4)


def test_text_stays_text_with_its_utf8_length():
    # requests keeps str bodies as str; the UTF-8 bytes are what is sent.
    assert encode_body(data=u"é") == (None, u"é", 2)
    assert b"".join(iter_body_chunks(u"é")) == b"\xc3\xa9"


def test_bytearray():
    assert encode_body(data=bytearray(b"ab")) == (None, b"ab", 2)


def test_form_dict_and_pairs():
    ctype, body, length = encode_body(data={"a": "1", "b": [u"é", "x"], "c": None})
    assert ctype == "application/x-www-form-urlencoded"
    assert isinstance(body, str)  # a native str, as in requests
    assert sorted(body.split("&")) == ["a=1", "b=%C3%A9", "b=x"]
    assert length == len(body)
    assert encode_body(data=[("k", "v"), ("k", "w")])[1] == "k=v&k=w"
    assert encode_body(data=(("sp ace", "a&b"),))[1] == "sp+ace=a%26b"


def test_json():
    ctype, body, length = encode_body(json={"a": [1, 2.5, None, True], "é": u"ü"})
    assert ctype == "application/json"
    assert json.loads(body.decode("utf-8")) == {"a": [1, 2.5, None, True], u"é": u"ü"}
    assert length == len(body)
    assert encode_body(json={"a": 1})[1] == b'{"a": 1}'  # requests' separators
    assert encode_body(json=[])[1] == b"[]"
    assert encode_body(json=0)[1] == b"0"


@pytest.mark.parametrize("bad", [float("nan"), {"x": float("inf")}, set([1]), object()])
def test_json_invalid(bad):
    with pytest.raises(InvalidJSONError):
        encode_body(json=bad)


def test_data_wins_over_json_unless_empty():
    assert encode_body(data=b"d", json={"j": 1}) == (None, b"d", 1)
    assert encode_body(data={}, json={"j": 1})[0] == "application/json"


def test_files_make_multipart_with_data_fields():
    ctype, body, length = encode_body(data={"k": "v"}, json={"ignored": 1},
                                      files={"f": ("a.txt", b"hello")})
    assert isinstance(body, MultipartEncoder)
    assert ctype == body.content_type and ctype.startswith("multipart/form-data; boundary=")
    data = b"".join(iter_body_chunks(body))
    assert length == len(data)
    assert data.index(b'name="k"') < data.index(b'name="f"; filename="a.txt"')


def test_file_object_length_from_current_position():
    fileobj = io.BytesIO(b"skipTHE BODY")
    fileobj.seek(4)
    assert encode_body(data=fileobj) == (None, fileobj, 8)


def test_real_file_length_from_fstat():
    tmp = tempfile.NamedTemporaryFile(delete=False)
    try:
        tmp.write(b"x" * 12345)
        tmp.close()
        with open(tmp.name, "rb") as fileobj:
            fileobj.read(45)
            assert encode_body(data=fileobj)[2] == 12300
    finally:
        os.unlink(tmp.name)


def test_pipe_has_unknown_length():
    read_fd, write_fd = os.pipe()
    try:
        os.write(write_fd, b"abc")
        with io.open(read_fd, "rb", closefd=False) as fileobj:
            assert encode_body(data=fileobj)[2] is None
    finally:
        os.close(read_fd)
        os.close(write_fd)


def test_text_file_length_is_its_utf8_size():
    text = io.StringIO(u"xé€")
    text.read(1)
    assert encode_body(data=text)[2] == 5
    assert text.tell() == 1  # measured, then put back
    assert b"".join(iter_body_chunks(text, 5)) == u"é€".encode("utf-8")


def test_generator_has_unknown_length():
    gen = (x for x in [b"a", b"b"])
    assert encode_body(data=gen) == (None, gen, None)


def test_unsendable_type():
    with pytest.raises(TypeError):
        encode_body(data=12)


# ---- iter_body_chunks
def test_chunks_of_simple_bodies():
    assert list(iter_body_chunks(None)) == []
    assert list(iter_body_chunks(b"")) == []
    assert list(iter_body_chunks(b"abc")) == [b"abc"]
    assert list(iter_body_chunks(u"é")) == [b"\xc3\xa9"]


def test_chunks_of_iterables():
    pieces = [b"a", u"é", b"", bytearray(b"b"), memoryview(b"cd")]
    assert list(iter_body_chunks(iter(pieces))) == [b"a", b"\xc3\xa9", b"b", b"cd"]
    with pytest.raises(TypeError):
        list(iter_body_chunks([b"ok", 5]))


def test_chunks_of_files():
    data = os.urandom(200000)
    chunks = list(iter_body_chunks(io.BytesIO(data)))
    assert b"".join(chunks) == data
    assert [len(c) for c in chunks] == [65536, 65536, 65536, 200000 - 3 * 65536]
    assert list(iter_body_chunks(io.StringIO(u"é"), chunk_size=1)) == [b"\xc3\xa9"]
    assert len(list(iter_body_chunks(io.BytesIO(data), chunk_size=1000))) == 200


def test_file_is_never_read_whole():
    class Recorder(io.BytesIO):
        sizes = []

        def read(self, n=-1):
            self.sizes.append(n)
            return io.BytesIO.read(self, n)
    body = Recorder(b"x" * 300000)
    assert sum(len(c) for c in iter_body_chunks(body)) == 300000
    assert all(0 < n <= 65536 for n in body.sizes)


# ---- replay
def test_bytes_and_lists_replay():
    for body in (b"abc", None, [b"a", b"b"]):
        replayer = body_replayer(body)
        assert replayer() is body
        assert replay_body(replayer, body) is body


def test_file_rewinds_to_its_start_position():
    fileobj = io.BytesIO(b"prefix-body")
    fileobj.seek(7)
    replayer = body_replayer(fileobj)
    assert isinstance(replayer, BodyReplayer)
    assert b"".join(iter_body_chunks(fileobj)) == b"body"
    assert replayer() is fileobj
    assert b"".join(iter_body_chunks(fileobj)) == b"body"


def test_multipart_replays():
    fileobj = io.BytesIO(b"content")
    _, body, _ = encode_body(files={"f": fileobj})
    replayer = body_replayer(body)
    first = b"".join(iter_body_chunks(body))
    assert b"".join(iter_body_chunks(replayer())) == first


def test_generators_cannot_replay():
    gen = (x for x in [b"a"])
    assert body_replayer(gen) is None
    with pytest.raises(UnrewindableBodyError) as info:
        replay_body(None, gen)
    assert "generator" in str(info.value)
    assert body_replayer(iter([b"a"])) is None


def test_unseekable_file_cannot_replay():
    class Stream(object):
        def read(self, n=-1):
            return b""
    assert body_replayer(Stream()) is None

    class BadTell(io.BytesIO):
        def tell(self):
            raise IOError("not seekable")
    assert body_replayer(BadTell(b"x")) is None


def test_seek_failure_at_replay_time():
    class Flaky(io.BytesIO):
        def seek(self, *args):
            raise IOError("gone")
    fileobj = Flaky(b"x")
    replayer = body_replayer(fileobj)
    with pytest.raises(UnrewindableBodyError):
        replayer()
