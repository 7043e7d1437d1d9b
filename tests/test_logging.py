"""httpkit's DEBUG log ("httpkit" logger): what happened, never a secret."""
from __future__ import absolute_import, division, print_function

import logging

import pytest

import httpkit
import servers


class _Records(logging.Handler):
    def __init__(self):
        logging.Handler.__init__(self, logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


@pytest.fixture
def records():
    handler = _Records()
    log = logging.getLogger("httpkit")
    old_level = log.level
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    yield handler.lines
    log.removeHandler(handler)
    log.setLevel(old_level)


@pytest.fixture
def server():
    srv = servers.HTTPTestServer().start()
    yield srv
    srv.stop()


def test_debug_log_tells_the_story_without_secrets(server, records):
    base = server.url
    cross_origin = server.base_url("/get", host="localhost")
    with httpkit.Session(retries=httpkit_retry()) as s:
        url = base.replace("://", "://user:s3cret@") + "/redirect-to?url=" + cross_origin
        r = s.get(url, headers={"Authorization": "Bearer t0ken"}, cookies={"sid": "c00kie"})
        assert r.status_code == 200
        assert s.get(base + "/retry-after?count=1&status=503&after=0&key=log").status_code == 200
    text = "\n".join(records)
    assert "connected to 127.0.0.1:%d (plain TCP)" % server.port in text
    assert "GET %s/redirect-to" % base in text and "-> 302" in text
    assert "following 302 to GET %s (another origin: credentials dropped)" % cross_origin in text
    assert "-> 200 OK (HTTP/1.1," in text
    assert "retrying GET %s/retry-after" % base in text and "after status 503" in text
    for secret in ("s3cret", "t0ken", "c00kie", "user:"):
        assert secret not in text


def test_tls_connections_log_version_and_cipher(records, https_server, ca_bundle):
    assert httpkit.get(https_server.url + "/get", verify=ca_bundle).status_code == 200
    line = [l for l in records if l.startswith("connected to")][0]
    assert "(TLSv1." in line, line


def test_nothing_is_logged_above_debug(server, records):
    logging.getLogger("httpkit").setLevel(logging.INFO)
    httpkit.get(server.base_url("/get"))
    assert records == []


def httpkit_retry():
    from urllib3.util.retry import Retry
    return Retry(total=2, status_forcelist=[503], backoff_factor=0)
