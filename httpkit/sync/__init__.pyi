# Types of the blocking front-end: httpkit.Session, httpkit.get... (rules: httpkit/__init__.pyi)
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from typing_extensions import Self, Unpack

from .. import (
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
from ..cookies import CookieJar
from ..transports import BaseTransport

class Session:
    """A blocking HTTP session: connection pool, cookies and defaults (requests API)."""

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
    ) -> Response: ...
    def get(self, url: str, **kwargs: Unpack[_RequestOptions]) -> Response: ...
    def options(self, url: str, **kwargs: Unpack[_RequestOptions]) -> Response: ...
    def head(self, url: str, **kwargs: Unpack[_RequestOptions]) -> Response: ...
    def post(self, url: str, data: _Data = None, json: Any = None, **kwargs: Unpack[_PostOptions]) -> Response: ...
    def put(self, url: str, data: _Data = None, **kwargs: Unpack[_PutOptions]) -> Response: ...
    def patch(self, url: str, data: _Data = None, **kwargs: Unpack[_PutOptions]) -> Response: ...
    def delete(self, url: str, **kwargs: Unpack[_RequestOptions]) -> Response: ...
    def send(self, request: PreparedRequest, **kwargs: Unpack[_SendOptions]) -> Response: ...
    def close(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(self, *exc_info: object) -> None: ...
    def __getstate__(self) -> dict[str, Any]: ...
    def __setstate__(self, state: Mapping[str, Any]) -> None: ...

def request(method: str, url: str, **kwargs: Unpack[_RequestOptions]) -> Response: ...
def get(url: str, params: _Params = None, **kwargs: Unpack[_GetOptions]) -> Response: ...
def options(url: str, **kwargs: Unpack[_RequestOptions]) -> Response: ...
def head(url: str, **kwargs: Unpack[_RequestOptions]) -> Response: ...
def post(url: str, data: _Data = None, json: Any = None, **kwargs: Unpack[_PostOptions]) -> Response: ...
def put(url: str, data: _Data = None, **kwargs: Unpack[_PutOptions]) -> Response: ...
def patch(url: str, data: _Data = None, **kwargs: Unpack[_PutOptions]) -> Response: ...
def delete(url: str, **kwargs: Unpack[_RequestOptions]) -> Response: ...
