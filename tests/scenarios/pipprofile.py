"""Scenarios: the "pip profile" (docs/pip.md, issue 12), through every front-end and TLS backend.

- ``TrustStore.union(...)`` trusts the roots of each of its stores: the system's
  plus a CA bundle accepts a server that only the bundle knows, while the
  system's alone refuses it (``unknown_ca``); certifi's plus the bundle too.
- The whole profile in one Session: system and certifi roots (plus the index's
  own CA, as ``pip --cert`` adds one), a FileCache in a given directory and
  retries: a 503 is retried, the file downloaded once, then served by the cache.

Registered by the import at the bottom of corpus.py. 2.7-compatible syntax.
"""
from __future__ import absolute_import, division, print_function

import threading

import httpkit
from httpkit.tls import TrustStore
from servers import random_bytes

from scenarios.corpus import ok, raised, scenario

__all__ = []

WHEEL = random_bytes(50000, seed=12)


@scenario
def trust_union_adds_roots_to_the_system_store(adapter, servers):
    bundle = TrustStore.from_file(servers.ca_bundle)
    url = servers.https.base_url("/get")
    for backend in httpkit.tls.available_backends():
        for store in (TrustStore.union(TrustStore.system(), bundle),
                      TrustStore.union(TrustStore.certifi(), bundle)):
            with adapter.session(tls_backend=backend, verify=store) as s:
                ok(s.request("GET", url))
        with adapter.session(tls_backend=backend, verify=TrustStore.system()) as s:
            res = s.request("GET", url)
        raised(res, "SSLError")
        assert res.error_reason == "unknown_ca", (backend, res.error_reason, res.error_message)


class _FlakyFile(object):
    """A cacheable file whose first request is a 503 (retries must cover it)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.calls = 0

    def __call__(self, req):
        with self.lock:
            self.calls += 1
            first = self.calls == 1
        if first:
            return 503, [("Retry-After", "0")], b"try again"
        return 200, [("Content-Type", "application/octet-stream"),
                     ("Cache-Control", "max-age=31536000, public")], WHEEL


@scenario
def pip_profile_session(adapter, servers):
    flaky = _FlakyFile()
    origin = servers.http_server(tls=True, routes={"/files/": flaky})
    trust = TrustStore.union(TrustStore.system(), TrustStore.certifi(),
                             TrustStore.from_file(servers.ca_bundle))
    cache = servers.tmpdir()
    url = origin.base_url("/files/demo-1.0-py3-none-any.whl")
    with adapter.session(verify=trust, cache=cache, retries=3) as s:
        first = s.request("GET", url)
        ok(first)
        assert first.body == WHEEL and first.cache_status == "miss"
    with adapter.session(verify=trust, cache=cache, retries=3) as s:  # the next run
        again = s.request("GET", url)
        ok(again)
        assert again.body == WHEEL and again.from_cache and again.cache_status == "hit"
    assert flaky.calls == 2  # the 503, the download; the cache answered the rest
