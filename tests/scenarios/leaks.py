"""Scenarios for connections that must be freed (issue 11, found under -W error::ResourceWarning).

Each one leaves a session with a single connection slot, so a connection
that was not given back shows as a PoolTimeout on the next call instead of
as a socket closed by the garbage collector much later.

Rules: loopback only; bounded waits; 2.7 syntax.
"""
from __future__ import absolute_import, division, print_function

import httpkit

from scenarios.corpus import ok, raised, scenario

ONE_SLOT = httpkit.Limits(max_per_host=1, max_total=1)


def _timeouts():
    return httpkit.Timeouts(5.0, pool=2.0)


@scenario
def retries_exhausted_on_a_status_give_the_connection_back(adapter, servers):
    from urllib3.util.retry import Retry
    http = servers.http
    retry = Retry(total=1, status_forcelist=[503], backoff_factor=0)
    with adapter.session(retries=retry, limits=ONE_SLOT) as s:
        res = s.request("GET", http.base_url("/retry-after?count=99&key=leaks1&after=0"),
                        timeout=_timeouts())
        raised(res, "RetryError")
        ok(s.request("GET", http.base_url("/get"), timeout=_timeouts()))
