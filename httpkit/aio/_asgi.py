"""The coroutine behind :class:`httpkit.transports.ASGITransport` (ASGI 3, HTTP scope).

Rules:
- One ``http`` scope per hop; ``receive()`` hands the request body once, then
  ``http.disconnect`` once the response is complete.
- The response is complete at ``http.response.body`` with ``more_body``
  false, or when the app returns; an app that returns without starting a
  response is an error (500 with ``raise_app_exceptions=False``).
"""
from __future__ import absolute_import, division, print_function

import asyncio
from typing import Any, Dict, List

from .. import _bodies
from .._compat import to_bytes
from .._models import Response

__all__ = ["call_app"]


def scope_for(transport: Any, request: Any) -> Dict[str, Any]:
    """The ASGI ``http`` connection scope for ``request``."""
    url = request.parsed_url
    path, _, query = url.target.partition("?")
    from urllib.parse import unquote
    headers = [(to_bytes(name).lower(), to_bytes(value))
               for name, value in request.headers.raw_items()]
    if not any(name == b"host" for name, _ in headers):
        headers.insert(0, (b"host", to_bytes(url.host_header)))
    return {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1", "method": request.method, "scheme": url.scheme,
        "path": unquote(path), "raw_path": to_bytes(path), "query_string": to_bytes(query),
        "root_path": transport.root_path, "headers": headers,
        "client": tuple(transport.client), "server": (url.host, url.port),
    }


async def call_app(transport: Any, request: Any) -> Response:
    """Run the app for one request; return the Response with the whole body given."""
    body = b"".join(_bodies.iter_body_chunks(request.body))
    status: List[Any] = []
    chunks: List[bytes] = []
    done = asyncio.Event()
    sent_request = False

    async def receive() -> Dict[str, Any]:
        nonlocal sent_request
        if not sent_request:
            sent_request = True
            return {"type": "http.request", "body": body, "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: Dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status[:] = [message["status"], message.get("headers", [])]
        elif message["type"] == "http.response.body" and not done.is_set():
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                done.set()

    try:
        await transport.app(scope_for(transport, request), receive, send)
    except Exception:  # noqa: BLE001 - the app's own error
        if transport.raise_app_exceptions or status:
            raise
        status[:] = [500, []]
        chunks[:] = []
    done.set()
    if not status:
        raise RuntimeError("the ASGI app %r returned without starting a response"
                           % (transport.app,))
    headers = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in status[1]]
    return Response(status[0], None, headers, request, content=b"".join(chunks))
