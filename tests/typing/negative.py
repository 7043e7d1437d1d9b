"""Misuse that mypy must report: each ``# E: <code>`` line is one expected error.

tests/typing/test_mypy.py runs ``mypy --strict`` on this file and requires
exactly these errors, no more and no fewer: the stubs are strict enough to
catch them, and loose nowhere else. Never run (it would fail at runtime).
"""
import httpkit
import httpkit.aio
import httpkit.tls
from httpkit.aio import tx


def misspelt(resp: tx.TxResponse) -> object:
    return resp.status_cod  # E: attr-defined


async def misuse(url: str) -> None:
    r = httpkit.get(url, timeout=5)
    r.status_code + "x"  # E: operator
    r.content.encode()  # E: attr-defined
    httpkit.get(url, tiemout=5)  # E: call-arg
    httpkit.post(url, jsn={})  # E: call-arg
    httpkit.get(url, timeout="5")  # E: arg-type
    httpkit.get(url, allow_redirects="no")  # E: arg-type
    httpkit.get(url, on_progress="bar")  # E: arg-type
    httpkit.Session(max_redirect=3)  # E: call-arg
    httpkit.Session(verify=1.5)  # E: arg-type
    httpkit.Timeouts(connect="1")  # E: arg-type
    s = httpkit.Session()
    s.get(url, headers=["X-A: 1"])  # E: arg-type
    s.request(url)  # E: call-arg
    try:
        r.raise_for_status()
    except httpkit.HTTPError as exc:
        exc.response.status_code  # E: union-attr
    pending = httpkit.aio.get(url)
    pending.status_code  # E: attr-defined
    ar = await httpkit.aio.get(url)
    ar.aread().decode()  # E: attr-defined
    httpkit.aio.Session(reactor=None)  # E: call-arg
    d = tx.get(url)
    d.status_code  # E: attr-defined
    d.addCallback(misspelt)
    tx.Session(reactor=None, max_redirects="3")  # E: arg-type
    httpkit.codes.ok + "x"  # E: operator
    httpkit.tls.TLSConfiguration(lowest_supported_version="TLSv1.2")  # E: arg-type
    await pending
