"""httpkit.aio.tx with mounted transports: where each runs, and the ASGI refusal.

The behaviour every front-end shares is in tests/scenarios/transports.py.
"""
from __future__ import absolute_import, division, print_function

import threading

import pytest

import httpkit


def _get_text(session, url):
    return session.get(url).addCallback(lambda r: r.text())


def test_mock_runs_on_the_reactor_thread_wsgi_in_a_worker(tx):
    threads = {}

    def handler(request):
        threads["mock"] = threading.current_thread().name
        return httpkit.Response(200, text=u"mock")

    def app(environ, start_response):
        threads["wsgi"] = threading.current_thread().name
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"wsgi"]

    session = tx.session()
    tx.call(session.mount, "http://m.test", httpkit.MockTransport(handler))
    tx.call(session.mount, "http://w.test", httpkit.WSGITransport(app))
    assert tx.call(_get_text, session, "http://m.test/") == u"mock"
    assert tx.call(_get_text, session, "http://w.test/") == u"wsgi"
    assert threads["mock"] == "twisted-reactor"
    assert threads["wsgi"] != "twisted-reactor"


def test_asgi_transport_is_refused_with_a_clear_error(tx):
    def app(scope, receive, send):  # never called
        raise AssertionError("an ASGI app must not run under Twisted")

    session = tx.session()
    tx.call(session.mount, "http://a.test", httpkit.ASGITransport(app))
    with pytest.raises(TypeError, match="httpkit.aio.Session"):
        tx.call(session.get, "http://a.test/")
