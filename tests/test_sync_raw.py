"""What only the blocking front-end's ``r.raw`` does (the shared reader rules are in
tests/scenarios/resp.py): the same file keeps reading, and it reports closed after
``r.close()`` as in requests.
"""
from __future__ import absolute_import, division, print_function

import contextlib

import pytest

import httpkit


@pytest.fixture
def session():
    with httpkit.Session() as s:
        yield s


def test_raw_is_closed_after_the_response_is(session, http_server):
    with session.get(http_server.base_url("/stream/4"), stream=True) as response:
        pass
    assert response.raw.closed
    with contextlib.closing(session.get(http_server.base_url("/bytes/10"),
                                        stream=True)) as response:
        assert response.raw.read(2) and not response.raw.closed
    assert response.raw.closed
    with pytest.raises(ValueError):
        response.raw.read(1)


def test_raw_after_content_reads_nothing_and_content_stays(session, http_server):
    response = session.get(http_server.base_url("/bytes/10"))
    assert response.raw.read() == b"" and len(response.content) == 10
    response.close()
    assert response.raw.closed and len(response.content) == 10


def test_content_of_a_body_closed_unread_raises(session, http_server):
    response = session.get(http_server.base_url("/bytes/70000"), stream=True)
    response.close()
    with pytest.raises(httpkit.StreamConsumedError) as info:
        response.content
    assert "discarded unread by close()" in str(info.value)
