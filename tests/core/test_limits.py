"""Limits(max_body_size=...): the value object and the read_all check (no network).

Bodies come from MockTransport (an endless generator: the check must fire as
pieces arrive); the network, cache and head limits through every front-end
are in tests/scenarios/limits.py.
"""
from __future__ import absolute_import, division, print_function

import itertools
import pickle

import pytest

import httpkit
from httpkit import HTTPAdapter, Limits, MockTransport, Response
from httpkit._pool import DEFAULT_MAX_BODY_SIZE


def _endless(request):
    return Response(200, content=(b"z" * 1000 for _ in itertools.count()))


def _session(max_body_size, handler=_endless):
    s = httpkit.Session(limits=Limits(max_body_size=max_body_size))
    s.mount("http://m.test", MockTransport(handler))
    return s


def test_defaults_and_validation():
    assert Limits().max_body_size == DEFAULT_MAX_BODY_SIZE == 256 * 1024 * 1024
    assert Limits(max_body_size=None).max_body_size is None
    assert "max_body_size=10" in repr(Limits(max_body_size=10))
    with pytest.raises(ValueError) as info:
        Limits(max_body_size=-1)
    assert "max_body_size" in str(info.value)


def test_pickle_keeps_it_and_old_pickles_get_the_default():
    copy = pickle.loads(pickle.dumps(Limits(max_body_size=5)))
    assert copy.max_body_size == 5 and copy.body_limit() == 5
    old = Limits.__new__(Limits)
    old.__setstate__({"max_per_host": 1, "max_total": 1, "idle_timeout": 1.0})
    assert old.body_limit() == DEFAULT_MAX_BODY_SIZE


def test_an_endless_buffered_body_is_too_large():
    with _session(10000) as s:
        with pytest.raises(httpkit.ResponseTooLarge) as info:
            s.get("http://m.test/")
    exc = info.value
    assert isinstance(exc, httpkit.RequestException)
    assert exc.request is not None and exc.request.url == "http://m.test/"
    assert "10000 bytes" in str(exc) and "max_body_size" in str(exc)
    assert "stream=True" in str(exc)


def test_at_the_limit_is_fine_one_past_is_not():
    def exact(request):
        return Response(200, content=iter([b"a" * 600, b"b" * 400]))
    with _session(1000, exact) as s:
        assert len(s.get("http://m.test/").content) == 1000
    with _session(999, exact) as s:
        with pytest.raises(httpkit.ResponseTooLarge):
            s.get("http://m.test/")


def test_none_disables_and_streaming_is_not_capped():
    def big(request):
        return Response(200, content=b"q" * 50000)
    with _session(None, big) as s:
        assert len(s.get("http://m.test/").content) == 50000
    with _session(1000) as s:
        r = s.get("http://m.test/", stream=True)
        pieces = list(itertools.islice(r.iter_content(4096), 5))
        r.close()
        assert sum(len(p) for p in pieces) == 5 * 4096


def test_a_streamed_response_read_whole_is_capped_and_not_reread():
    with _session(5000) as s:
        r = s.get("http://m.test/", stream=True)
        with pytest.raises(httpkit.ResponseTooLarge):
            r.content  # noqa: B018
        with pytest.raises(httpkit.StreamConsumedError) as info:
            r.content  # noqa: B018 - never an empty or partial body as if complete
        assert "ResponseTooLarge" in str(info.value)


def test_mounting_a_pool_block_adapter_keeps_the_body_limit():
    with httpkit.Session(limits=Limits(max_body_size=123)) as s:
        s.mount("http://", HTTPAdapter(pool_maxsize=3, pool_block=True))
        assert s.limits.max_per_host == 3 and s.limits.max_body_size == 123


def test_a_redirect_body_over_the_limit_is_dropped_not_an_error():
    def handler(request):
        if request.url.endswith("/old"):
            return Response(302, headers={"Location": "/new", "Content-Length": "2000"},
                            content=b"r" * 2000)
        return Response(200, content=b"done")
    with _session(1000, handler) as s:
        r = s.get("http://m.test/old")
    assert r.content == b"done" and [h.status_code for h in r.history] == [302]
