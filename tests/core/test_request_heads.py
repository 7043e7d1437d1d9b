"""A keep-alive connection sends a repeated request head with the h11 event it made for
the last one (``_connection._request_event``), and a changed head with a new event.

Every request here goes to a real server on one pooled connection, which echoes
the headers it received.
"""
from __future__ import absolute_import, division, print_function

import httpkit


def _sent(session, url, **kwargs):
    r = session.get(url, **kwargs)
    assert r.status_code == 200
    return r.json()["headers"], r.connection


def test_a_changed_head_is_sent_as_it_is_now(http_server):
    url = http_server.url + "/headers"
    with httpkit.Session() as s:
        seen, conns = [], set()
        for value in ["1", "1", "2", "1", "1"]:
            headers, conn = _sent(s, url, headers={"X-N": value})
            seen.append(headers["X-N"])
            conns.add(id(conn))
        s.headers["X-Session"] = "a"
        headers, conn = _sent(s, url, headers={"X-N": "1"})
        assert headers["X-Session"] == "a"
        s.headers["X-Session"] = "b"  # the Session's own headers changed in place
        headers, conn = _sent(s, url, headers={"X-N": "1"})
        assert headers["X-Session"] == "b"
        del s.headers["X-Session"]
        headers, conn = _sent(s, url + "?q=1", headers={"X-N": "1"})
        assert "X-Session" not in headers
        conns.add(id(conn))
    assert seen == ["1", "1", "2", "1", "1"]
    assert len(conns) == 1  # all on one connection: each head was compared with the last


def test_the_same_head_again_reuses_the_event(http_server):
    url = http_server.url + "/headers"
    with httpkit.Session() as s:
        _, conn = _sent(s, url)
        first = conn.last_request[1]
        _, again = _sent(s, url)
        assert again is conn and conn.last_request[1] is first
        _, other = _sent(s, url, headers={"X-Other": "1"})
        assert other is conn and conn.last_request[1] is not first
        assert conn.last_request[1].target == b"/headers"
