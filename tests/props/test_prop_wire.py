"""Property over a real loopback round trip: whatever a caller passes, the server gets a
well-formed request holding exactly what the caller asked for, or nothing at all.

Random paths, params, header and cookie names and values go through the blocking
front-end to a raw scripted peer; a refusal must be an httpkit ValueError with no
connection made, an accepted call must put one request line and exactly the caller's
header fields on the wire (nothing injected, nothing split).
"""
from __future__ import absolute_import, division, print_function

import re

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

import httpkit
from _props import FEW
from servers import ScriptedServer

_OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
_NASTY = st.text(alphabet=st.one_of(st.sampled_from(list("aZ09-_ ;:=\"%&?#/\\\r\n\t\x00\x01\x7f")
                                                    + [u"\u00e9", u"\u20ac", u"\u2028"]),
                                    st.characters(blacklist_categories=("Cs",))),
                 min_size=0, max_size=12)
_VALUE = st.one_of(_NASTY, st.binary(max_size=10))
_REQUEST_LINE = re.compile(br"\A(GET|POST) (/[\x21-\x7e]*) HTTP/1\.1\Z")
_FIELD = re.compile(br"\A([!#$%&'*+\-.^_`|~0-9A-Za-z]+): ([^\r\n\x00]*)\Z")


@pytest.fixture(scope="module")
def peer():
    server = ScriptedServer([_OK]).start()
    yield server
    server.stop()


def _parse_head(raw):
    head = raw.split(b"\r\n\r\n", 1)[0]
    lines = head.split(b"\r\n")
    assert _REQUEST_LINE.match(lines[0]), lines[0]
    fields = []
    for line in lines[1:]:
        match = _FIELD.match(line)
        assert match, line
        fields.append((match.group(1).lower(), match.group(2)))
    return lines[0], fields


@FEW
@given(path=_NASTY, params=st.lists(st.tuples(_VALUE, _VALUE), max_size=3),
       headers=st.dictionaries(st.sampled_from(["X-A", "X-B", "X A", "X\r\nB", u"X-\u00e9"]),
                               _VALUE, max_size=3),
       cookies=st.dictionaries(_NASTY, _NASTY, max_size=2))
def test_a_request_is_well_formed_on_the_wire_or_never_sent(peer, path, params, headers,
                                                            cookies):
    before = peer.connections
    try:
        httpkit.post(peer.url + "/" + path, params=params, headers=headers, cookies=cookies,
                     data=b"x", timeout=5)
    except (httpkit.InvalidURL, httpkit.InvalidHeader) as exc:
        assert isinstance(exc, ValueError) and str(exc)
        assert peer.connections == before  # refused before connecting
        event("refused: %s" % type(exc).__name__)
        return
    event("sent")
    assert peer.connections == before + 1
    _, fields = _parse_head(peer.received[-1])
    sent = [name for name, _ in fields if name.startswith(b"x-")]
    assert sorted(sent) == sorted(n.lower().encode("latin-1") for n in headers), fields
    assert [name for name, _ in fields].count(b"cookie") == (1 if cookies else 0), fields
    assert [name for name, _ in fields].count(b"content-length") == 1, fields
