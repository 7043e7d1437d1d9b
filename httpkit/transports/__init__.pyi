# Types of httpkit.transports (rules: httpkit/__init__.pyi).
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, ClassVar, TextIO

from .. import Limits, PreparedRequest, Response, Timeouts, _Cert, _Verify

__all__ = ["BaseTransport", "BaseAdapter", "HTTPTransport", "HTTPAdapter", "MockTransport",
           "WSGITransport", "ASGITransport"]

# A transport's send()/asend() keywords, as the Session passes them.
_Settings = Any

class BaseTransport:
    """What ``Session.mount`` takes: one request in, one Response out."""

    blocking: ClassVar[bool]
    max_retries: Any  # None, an int or a urllib3 Retry
    def send(
        self,
        request: PreparedRequest,
        stream: bool = False,
        timeout: Timeouts | None = None,
        verify: _Verify = True,
        cert: _Cert = None,
        proxies: Mapping[str, str | None] | None = None,
    ) -> Response: ...
    # ``asend(request, **settings)`` returning an awaitable of a Response, or
    # None: "use send()" (override it with a method in a subclass).
    asend: ClassVar[Callable[..., Awaitable[Response]] | None]
    def close(self) -> None: ...

BaseAdapter = BaseTransport

class HTTPTransport(BaseTransport):
    """The network transport (requests' ``HTTPAdapter``, same class)."""

    pool_connections: int
    pool_maxsize: int
    pool_block: bool
    def __init__(
        self, max_retries: Any = None, pool_connections: int = 10, pool_maxsize: int = 10, pool_block: bool = False
    ) -> None: ...
    @property
    def limits(self) -> Limits | None: ...

HTTPAdapter = HTTPTransport

class MockTransport(BaseTransport):
    """A transport that answers with ``handler(request) -> Response``; no network."""

    handler: Callable[[PreparedRequest], Response | Awaitable[Response]]
    def __init__(self, handler: Callable[[PreparedRequest], Response | Awaitable[Response]]) -> None: ...
    def asend(  # type: ignore[override]
        self,
        request: PreparedRequest,
        stream: bool = False,
        timeout: Timeouts | None = None,
        verify: _Verify = True,
        cert: _Cert = None,
        proxies: Mapping[str, str | None] | None = None,
    ) -> Response | Awaitable[Response]: ...

class WSGITransport(BaseTransport):
    """Calls a WSGI application in-process."""

    app: Callable[..., Iterable[bytes]]
    script_name: str
    remote_addr: str
    wsgi_errors: TextIO | None
    def __init__(
        self,
        app: Callable[..., Iterable[bytes]],
        script_name: str = "",
        remote_addr: str = "127.0.0.1",
        wsgi_errors: TextIO | None = None,
    ) -> None: ...
    def environ(self, request: PreparedRequest, body: Any) -> dict[str, Any]: ...

class ASGITransport(BaseTransport):
    """Calls an ASGI application in-process (httpkit.aio only)."""

    app: Callable[..., Awaitable[None]]
    root_path: str
    client: tuple[str, int]
    raise_app_exceptions: bool
    def __init__(
        self,
        app: Callable[..., Awaitable[None]],
        root_path: str = "",
        client: tuple[str, int] = ("127.0.0.1", 123),
        raise_app_exceptions: bool = True,
    ) -> None: ...
    def asend(
        self,
        request: PreparedRequest,
        stream: bool = False,
        timeout: Timeouts | None = None,
        verify: _Verify = True,
        cert: _Cert = None,
        proxies: Mapping[str, str | None] | None = None,
    ) -> Awaitable[Response]: ...
