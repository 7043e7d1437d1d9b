"""Properties of header validation: accepted or InvalidHeader; nothing accepted breaks a line."""
from __future__ import absolute_import, division, print_function

import h11
from hypothesis import given
from hypothesis import strategies as st

from _props import SETTINGS
from httpkit._models import Headers, check_header, check_method
from httpkit._cookies import check_cookie, create_cookie
from httpkit.exceptions import InvalidHeader, InvalidMethod

_TEXT = st.one_of(st.text(max_size=30), st.binary(max_size=30),
                  st.text(alphabet="aZ09-_ :;\"\r\n\t\x00\x7f\u00e9\u20ac", max_size=12))
_TOKEN_CHARS = set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz"
                   "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


@SETTINGS
@given(_TEXT, _TEXT)
def test_a_header_is_accepted_or_invalid_header(name, value):
    try:
        name, value = check_header(name, value)
    except InvalidHeader as exc:
        assert str(exc)
        return
    assert type(name) is str and type(value) is str
    assert name and set(name) <= _TOKEN_CHARS
    assert not set(value) & set("\r\n\x00\x7f") and value[:1] not in (" ", "\t")
    line = (name + ": " + value).encode("latin-1")  # what goes on the wire
    assert b"\r" not in line and b"\n" not in line and b"\x00" not in line


@SETTINGS
@given(_TEXT, _TEXT)
def test_what_check_header_accepts_h11_accepts(name, value):
    # The request head goes to h11 as already parsed (_connection.send_request_head):
    # h11 no longer matches each field, so httpkit's check must be the stricter one.
    try:
        name, value = check_header(name, value)
    except InvalidHeader:
        return
    if name.lower() in ("host", "content-length", "transfer-encoding"):
        return  # h11 checks those values itself, on every request
    h11.Request(method=b"GET", target=b"/", headers=[
        (b"Host", b"example.test"), (name.encode("latin-1"), value.encode("latin-1"))])


@SETTINGS
@given(st.lists(st.tuples(_TEXT, _TEXT), max_size=5))
def test_headers_hold_only_what_check_header_accepts(pairs):
    headers = Headers()
    for name, value in pairs:
        try:
            headers[name] = value
        except InvalidHeader:
            continue
    for name, value in headers.raw_items():
        assert check_header(name, value) == (name, value)


@SETTINGS
@given(_TEXT)
def test_a_method_is_an_upper_case_token_or_invalid_method(method):
    try:
        checked = check_method(method)
    except InvalidMethod:
        return
    assert type(checked) is str and checked == checked.upper() and set(checked) <= _TOKEN_CHARS


@SETTINGS
@given(_TEXT, st.one_of(_TEXT, st.none(), st.integers()))
def test_a_cookie_is_created_or_invalid_header(name, value):
    try:
        cookie = create_cookie(name, value)
    except InvalidHeader:
        return
    check_cookie(cookie.name, cookie.value)
    pair = "%s=%s" % (cookie.name, cookie.value if cookie.value is not None else "")
    assert not set(pair) & set("\r\n\x00;")
    pair.encode("latin-1")
