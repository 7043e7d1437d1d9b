# Types of the Twisted front-end: httpkit.aio.tx (rules: httpkit/__init__.pyi).
# Every method that does I/O returns a Deferred; responses are TxResponse,
# whose body methods return Deferreds too.
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
import datetime
from typing import Any

from twisted.internet.defer import Deferred
from twisted.internet.protocol import Protocol
from typing_extensions import Unpack

from ... import (
    Headers,
    Limits,
    PreparedRequest,
    Request,
    Response,
    Timeouts,
    _AuthArg,
    _CacheArg,
    _Cert,
    _Cookies,
    _Data,
    _Files,
    _GetOptions,
    _HeadersArg,
    _Hooks,
    _Params,
    _PostOptions,
    _Progress,
    _Proxies,
    _PutOptions,
    _RequestOptions,
    _SendOptions,
    _TimeoutArg,
    _Verify,
)
from ...cookies import CookieJar
from ...transports import BaseTransport

__all__ = ["Session", "TxResponse", "collect", "request", "get", "head", "post", "put", "patch", "delete", "options"]

class TxResponse:
    """A response from httpkit.aio.tx: httpkit.Response's attributes, body methods return Deferreds."""

    # Read through to the core Response (``raw``) by __getattr__/__setattr__
    # at runtime; spelled out here so that mypy catches a misspelt name.
    raw: Response
    history: list[TxResponse]
    status_code: int
    reason: str
    headers: Headers
    request: PreparedRequest
    url: str
    http_version: str
    elapsed: datetime.timedelta
    from_cache: bool
    cache_status: str | None
    encoding: str | None
    apparent_encoding: str
    ok: bool
    is_redirect: bool
    is_permanent_redirect: bool
    cookies: CookieJar
    links: dict[str, dict[str, str]]
    next: PreparedRequest | None
    def __init__(self, response: Response, driver: Any) -> None: ...
    def __bool__(self) -> bool: ...
    def __nonzero__(self) -> bool: ...
    def __iter__(self) -> Iterator[bytes]: ...
    def raise_for_status(self) -> TxResponse: ...
    def content(self) -> Deferred[bytes]: ...
    def text(self, encoding: str | None = None) -> Deferred[str]: ...
    def json(self, **kwargs: Any) -> Deferred[Any]: ...
    def collect(self, callback: Callable[[bytes], object]) -> Deferred[None]: ...
    def deliver_body(self, protocol: Protocol) -> Any: ...  # the IPushProducer it drives
    def close(self) -> None: ...

def collect(response: TxResponse, callback: Callable[[bytes], object]) -> Deferred[None]: ...

class Session:
    """A Twisted HTTP session: every I/O method returns a Deferred (requests API)."""

    headers: Headers
    auth: _AuthArg
    params: dict[str, Any]
    proxies: dict[str, str | None]
    verify: _Verify
    cert: _Cert
    timeout: Timeouts
    retries: Any  # None, an int or a urllib3 Retry
    max_redirects: int
    trust_env: bool
    limits: Limits
    hooks: dict[str, list[Any]]
    stream: bool
    max_decoded_size: int | None
    max_decompression_ratio: float | None
    cache: Any  # an httpkit.cache.Cache, or None
    adapters: OrderedDict[str, BaseTransport]
    def __init__(
        self,
        headers: _HeadersArg = None,
        cookies: _Cookies = None,
        auth: _AuthArg = None,
        params: _Params = None,
        proxies: _Proxies = None,
        verify: _Verify = True,
        cert: _Cert = None,
        timeout: _TimeoutArg = ...,
        retries: Any = None,
        max_redirects: int = 30,
        trust_env: bool = True,
        limits: Limits | None = None,
        tls_backend: str | None = None,
        hooks: _Hooks = None,
        stream: bool = False,
        max_decoded_size: int | None = None,
        max_decompression_ratio: float | None = None,
        cache: _CacheArg = None,
        reactor: Any = None,
    ) -> None: ...
    @property
    def cookies(self) -> CookieJar: ...
    @cookies.setter
    def cookies(self, jar: CookieJar) -> None: ...
    def mount(self, prefix: str, transport: BaseTransport) -> None: ...
    def get_adapter(self, url: str) -> BaseTransport: ...
    def prepare_request(self, request: Request) -> PreparedRequest: ...
    def request(
        self,
        method: str,
        url: str,
        params: _Params = None,
        data: _Data = None,
        headers: _HeadersArg = None,
        cookies: _Cookies = None,
        files: _Files = None,
        auth: _AuthArg = None,
        timeout: _TimeoutArg = ...,
        allow_redirects: bool = True,
        proxies: _Proxies = None,
        hooks: _Hooks = None,
        stream: bool | None = None,
        verify: _Verify | None = None,
        cert: _Cert = None,
        json: Any = None,
        cache: bool | None = None,
        on_progress: _Progress = None,
        on_upload_progress: _Progress = None,
    ) -> Deferred[TxResponse]: ...
    def get(self, url: str, **kwargs: Unpack[_RequestOptions]) -> Deferred[TxResponse]: ...
    def options(self, url: str, **kwargs: Unpack[_RequestOptions]) -> Deferred[TxResponse]: ...
    def head(self, url: str, **kwargs: Unpack[_RequestOptions]) -> Deferred[TxResponse]: ...
    def post(
        self, url: str, data: _Data = None, json: Any = None, **kwargs: Unpack[_PostOptions]
    ) -> Deferred[TxResponse]: ...
    def put(self, url: str, data: _Data = None, **kwargs: Unpack[_PutOptions]) -> Deferred[TxResponse]: ...
    def patch(self, url: str, data: _Data = None, **kwargs: Unpack[_PutOptions]) -> Deferred[TxResponse]: ...
    def delete(self, url: str, **kwargs: Unpack[_RequestOptions]) -> Deferred[TxResponse]: ...
    def send(self, request: PreparedRequest, **kwargs: Unpack[_SendOptions]) -> Deferred[TxResponse]: ...
    def close(self) -> Deferred[None]: ...
    def __getstate__(self) -> dict[str, Any]: ...
    def __setstate__(self, state: Mapping[str, Any]) -> None: ...

def request(method: str, url: str, **kwargs: Unpack[_RequestOptions]) -> Deferred[TxResponse]: ...
def get(url: str, params: _Params = None, **kwargs: Unpack[_GetOptions]) -> Deferred[TxResponse]: ...
def options(url: str, **kwargs: Unpack[_RequestOptions]) -> Deferred[TxResponse]: ...
def head(url: str, **kwargs: Unpack[_RequestOptions]) -> Deferred[TxResponse]: ...
def post(url: str, data: _Data = None, json: Any = None, **kwargs: Unpack[_PostOptions]) -> Deferred[TxResponse]: ...
def put(url: str, data: _Data = None, **kwargs: Unpack[_PutOptions]) -> Deferred[TxResponse]: ...
def patch(url: str, data: _Data = None, **kwargs: Unpack[_PutOptions]) -> Deferred[TxResponse]: ...
def delete(url: str, **kwargs: Unpack[_RequestOptions]) -> Deferred[TxResponse]: ...
