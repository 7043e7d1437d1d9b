# Types of httpkit's public API (PEP 561 inline stubs; see docs/typing.md).
#
# Rules:
# - The .py modules stay unannotated (they run on Python 2.7); these stubs
#   are what mypy, pyright and IDEs read. tests/typing/test_mypy.py runs
#   `mypy --strict` over them and a usage sample, and `stubtest` against the
#   runtime, so a stub cannot drift from the code it describes.
# - Public classes are declared in the public module users import them from
#   (httpkit.Response, not httpkit._models.Response); stubs never import the
#   private .py modules.
# - Every request method's keywords after (method, url) are declared ONCE, in
#   the TypedDicts below (`_CommonOptions` and the per-verb ones built on it);
#   `**kwargs: Unpack[...]` types the verbs (get/post/...) whose runtime
#   signature is `**kwargs`. The explicit `Session.request` signatures
#   (httpkit.sync, httpkit.aio, httpkit.aio.tx) list the same keywords: a new
#   keyword (e.g. on_progress) is one line in `_CommonOptions` plus one line
#   in each of the three `Session.request(...)` signatures.
import datetime
import io
import http.cookiejar
import os
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Iterator, Mapping, MutableMapping
from typing import IO, Any, Literal, TypeVar, overload, type_check_only

from typing_extensions import Self, TypeAlias, TypedDict

from . import aio as aio  # imported on first use at runtime (PEP 562)
from . import auth as auth
from . import cache as cache  # on first use
from . import cookies as cookies  # on first use
from . import hooks as hooks
from . import structures as structures
from . import transports as transports
from . import utils as utils
from .auth import Auth, BasicAuth as BasicAuth, DigestAuth as DigestAuth
from .cache import BaseStore, Cache
from .exceptions import (
    ChunkedEncodingError as ChunkedEncodingError,
    ClosedFileError as ClosedFileError,
    ConnectionError as ConnectionError,
    ConnectTimeout as ConnectTimeout,
    ContentDecodingError as ContentDecodingError,
    DeadlineExceeded as DeadlineExceeded,
    DecompressionBombError as DecompressionBombError,
    HTTPError as HTTPError,
    IncompleteRead as IncompleteRead,
    InsecureRequestWarning as InsecureRequestWarning,
    InvalidBodyFraming as InvalidBodyFraming,
    InvalidHeader as InvalidHeader,
    InvalidJSONError as InvalidJSONError,
    InvalidMethod as InvalidMethod,
    InvalidProxyURL as InvalidProxyURL,
    InvalidSchema as InvalidSchema,
    InvalidTimeout as InvalidTimeout,
    InvalidURL as InvalidURL,
    JSONDecodeError as JSONDecodeError,
    MissingSchema as MissingSchema,
    PoolTimeout as PoolTimeout,
    ProxyConnectTimeout as ProxyConnectTimeout,
    ProxyError as ProxyError,
    ReadTimeout as ReadTimeout,
    RemoteProtocolError as RemoteProtocolError,
    RequestException as RequestException,
    ResponseNotRead as ResponseNotRead,
    ResponseTooLarge as ResponseTooLarge,
    RetryError as RetryError,
    SSLError as SSLError,
    StreamConsumedError as StreamConsumedError,
    Timeout as Timeout,
    TooManyRedirects as TooManyRedirects,
    UnrewindableBodyError as UnrewindableBodyError,
    URLRequired as URLRequired,
    WriteTimeout as WriteTimeout,
)
from .cookies import CookieJar
from .structures import LookupDict
from .sync import (
    Session as Session,
    delete as delete,
    get as get,
    head as head,
    options as options,
    patch as patch,
    post as post,
    put as put,
    request as request,
)
from .transports import (
    ASGITransport as ASGITransport,
    BaseTransport as BaseTransport,
    HTTPAdapter as HTTPAdapter,
    HTTPTransport as HTTPTransport,
    MockTransport as MockTransport,
    WSGITransport as WSGITransport,
)

__version__: str

__all__ = ["__version__", "request", "get", "head", "post", "put", "patch", "delete", "options",
    "codes", "hooks", "utils", "structures", "Session", "Request", "PreparedRequest", "Response",
    "Headers", "Timeouts", "DEFAULT_TIMEOUT", "Limits", "auth", "BasicAuth", "DigestAuth",
    "RequestException", "HTTPError", "ConnectionError", "ProxyError", "ProxyConnectTimeout",
    "SSLError", "RemoteProtocolError", "Timeout", "ConnectTimeout", "ReadTimeout", "WriteTimeout",
    "PoolTimeout", "DeadlineExceeded", "URLRequired", "TooManyRedirects", "InvalidURL",
    "MissingSchema", "InvalidSchema", "InvalidProxyURL", "InvalidHeader", "InvalidTimeout",
    "ChunkedEncodingError", "IncompleteRead", "InvalidBodyFraming", "ContentDecodingError",
    "DecompressionBombError", "StreamConsumedError", "ResponseNotRead", "ResponseTooLarge",
    "RetryError", "UnrewindableBodyError", "ClosedFileError", "InvalidJSONError", "InvalidMethod",
    "JSONDecodeError", "InsecureRequestWarning", "transports", "BaseTransport", "HTTPTransport",
    "HTTPAdapter", "MockTransport", "WSGITransport", "ASGITransport"]

_T = TypeVar("_T")

# ---- what the request methods accept (shared by every front-end's stubs)
_Text: TypeAlias = str | bytes
_ParamScalar: TypeAlias = str | bytes | int | float | None
# (Mapping[str, Any]: a dict literal mixing str and int values would infer
# as dict[str, object] against a precise union, and be refused.)
_Params: TypeAlias = (
    Mapping[str, Any]
    | Iterable[tuple[str, _ParamScalar]]
    | str
    | bytes
    | None
)
# Only a mapping (a list of pairs works at runtime too): one type besides None
# lets mypy infer {"A": "1", "B": b"2"} as the mapping it is.
_HeadersArg: TypeAlias = Mapping[str, _Text | None] | None
_Data: TypeAlias = (
    _Text
    | Mapping[str, Any]
    | Iterable[tuple[str, Any]]
    | Iterable[bytes]
    | IO[bytes]
    | IO[str]
    | None
)
# A file: its content, (filename, content), (filename, content, type) or
# (filename, content, type, headers); content is bytes, text or a file.
_FileContent: TypeAlias = _Text | IO[bytes] | IO[str]
_FileSpec: TypeAlias = (
    _FileContent
    | tuple[str | None, _FileContent]
    | tuple[str | None, _FileContent, str | None]
    | tuple[str | None, _FileContent, str | None, Mapping[str, str]]
)
_Files: TypeAlias = Mapping[str, _FileSpec] | Iterable[tuple[str, _FileSpec]] | None
_Cookies: TypeAlias = Mapping[str, str] | http.cookiejar.CookieJar | None
_AuthArg: TypeAlias = (
    tuple[_Text, _Text] | Auth | Callable[[PreparedRequest], PreparedRequest] | None
)
_Seconds: TypeAlias = float | None
_TimeoutArg: TypeAlias = Timeouts | float | tuple[_Seconds, _Seconds] | None
_Verify: TypeAlias = bool | str | os.PathLike[str]
_Cert: TypeAlias = str | tuple[str, str] | None
_Proxies: TypeAlias = Mapping[str, str | None] | None
_Hook: TypeAlias = Callable[..., Any]
_Hooks: TypeAlias = Mapping[str, _Hook | list[_Hook]] | None
# Any: a cachecontrol BaseCache is accepted too (duck-typed; not imported here).
_CacheArg: TypeAlias = bool | str | os.PathLike[str] | Cache | BaseStore | Any | None
# A progress hook, on_progress(bytes_done, bytes_total_or_None) (docs/progress.md).
_Progress: TypeAlias = Callable[[int, int | None], object] | None

class _CommonOptions(TypedDict, total=False):
    """The keywords of every request method, but params, data and json."""

    headers: _HeadersArg
    cookies: _Cookies
    files: _Files
    auth: _AuthArg
    timeout: _TimeoutArg
    allow_redirects: bool
    proxies: _Proxies
    hooks: _Hooks
    stream: bool | None
    verify: _Verify | None
    cert: _Cert
    cache: bool | None
    on_progress: _Progress
    on_upload_progress: _Progress

# mypy refuses a keyword both named and in the TypedDict, so one class per
# verb shape (module-level get() names params; post() data and json...).
class _PostOptions(_CommonOptions, total=False):
    params: _Params

class _PutOptions(_PostOptions, total=False):
    json: Any

class _GetOptions(_CommonOptions, total=False):
    data: _Data
    json: Any

class _RequestOptions(_PutOptions, total=False):
    """The keywords of every request method after ``(method, url)``."""

    data: _Data

class _SendOptions(TypedDict, total=False):
    """The keywords of ``Session.send(prepared, ...)``."""

    stream: bool | None
    timeout: _TimeoutArg
    verify: _Verify | None
    cert: _Cert
    proxies: _Proxies
    allow_redirects: bool
    cache: bool | None
    on_progress: _Progress
    on_upload_progress: _Progress

# ---- values
class Timeouts:
    connect: float | None
    read: float | None
    write: float | None
    pool: float | None
    total: float | None
    def __init__(
        self,
        timeout: float | None = ...,
        connect: float | None = ...,
        read: float | None = ...,
        write: float | None = ...,
        pool: float | None = ...,
        total: float | None = None,
    ) -> None: ...
    @classmethod
    def coerce(cls, value: Any, default: Timeouts) -> Timeouts: ...
    def __eq__(self, other: object) -> bool: ...
    def __ne__(self, other: object) -> bool: ...
    def __getstate__(self) -> dict[str, Any]: ...
    def __setstate__(self, state: dict[str, Any]) -> None: ...

DEFAULT_TIMEOUT: Timeouts

class Limits:
    max_per_host: int
    max_total: int
    idle_timeout: float
    max_body_size: int | None
    def __init__(
        self,
        max_per_host: int = 100,
        max_total: int = 100,
        idle_timeout: float = 60.0,
        max_body_size: int | None = ...,
    ) -> None: ...
    def body_limit(self) -> int | None: ...
    def __getstate__(self) -> dict[str, Any]: ...
    def __setstate__(self, state: dict[str, Any]) -> None: ...

@type_check_only
class _Codes(LookupDict[int]):
    """``httpkit.codes``: ``codes.ok == 200``, ``codes["not_found"] == 404``."""

    def __getattr__(self, name: str) -> int: ...

codes: _Codes

class Headers(MutableMapping[str, str]):
    """Case-insensitive, order-keeping HTTP headers (several values per name)."""

    def __init__(self, headers: _HeadersArg = None) -> None: ...
    @classmethod
    def from_wire(cls, raw: Iterable[tuple[bytes, bytes]]) -> Self: ...
    def __getitem__(self, key: str) -> str: ...
    def __setitem__(self, key: str, value: _Text) -> None: ...
    def __delitem__(self, key: str) -> None: ...
    def __iter__(self) -> Iterator[str]: ...
    def __len__(self) -> int: ...
    def __contains__(self, key: object) -> bool: ...
    @overload
    def get(self, key: str, default: None = None) -> str | None: ...
    @overload
    def get(self, key: str, default: str) -> str: ...
    @overload
    def get(self, key: str, default: _T) -> str | _T: ...
    @overload
    def setdefault(self, key: str, default: None = None) -> str | None: ...
    @overload
    def setdefault(self, key: str, default: _Text) -> str: ...
    def add(self, key: str, value: _Text) -> None: ...
    def get_all(self, key: str) -> list[str]: ...
    def getlist(self, key: str) -> list[str]: ...
    def raw_items(self) -> list[tuple[str, str]]: ...
    def copy(self) -> Headers: ...
    def lower_items(self) -> Iterator[tuple[str, str]]: ...
    def __eq__(self, other: object) -> bool: ...
    def __ne__(self, other: object) -> bool: ...
    def __getstate__(self) -> dict[str, Any]: ...
    def __setstate__(self, state: dict[str, Any]) -> None: ...

class PreparedRequest:
    """A request ready to send: method, URL, headers and body (requests' name)."""

    method: str | None
    parsed_url: Any
    headers: Headers
    body: Any
    body_length: int | None
    hooks: dict[str, list[_Hook]]
    auth: Any
    cookies: Any
    def __init__(
        self,
        method: str | None = None,
        url: str | None = None,
        headers: _HeadersArg | Headers = None,
        body: Any = None,
        body_length: int | None = None,
        hooks: _Hooks = None,
    ) -> None: ...
    def prepare(
        self,
        method: str | None = None,
        url: str | None = None,
        headers: _HeadersArg = None,
        files: _Files = None,
        data: _Data = None,
        params: _Params = None,
        auth: _AuthArg = None,
        cookies: _Cookies = None,
        hooks: _Hooks = None,
        json: Any = None,
    ) -> None: ...
    def prepare_method(self, method: str) -> None: ...
    def prepare_url(self, url: str, params: _Params = None) -> None: ...
    def prepare_headers(self, headers: _HeadersArg) -> None: ...
    def prepare_body(self, data: _Data, files: _Files, json: Any = None) -> None: ...
    def prepare_auth(self, auth: _AuthArg, url: str = "") -> None: ...
    def prepare_cookies(self, cookies: _Cookies) -> None: ...
    def prepare_hooks(self, hooks: _Hooks) -> None: ...
    @property
    def url(self) -> str: ...
    @url.setter
    def url(self, value: str) -> None: ...
    @property
    def path_url(self) -> str: ...
    def copy(self) -> PreparedRequest: ...
    def __getstate__(self) -> dict[str, Any]: ...
    def __setstate__(self, state: dict[str, Any]) -> None: ...

class Request:
    """A request to prepare, as in requests: ``Request("GET", url).prepare()``."""

    method: str | None
    url: str | None
    headers: _HeadersArg
    files: _Files
    data: _Data
    params: _Params
    auth: _AuthArg
    cookies: _Cookies
    hooks: _Hooks
    json: Any
    def __init__(
        self,
        method: str | None = None,
        url: str | None = None,
        headers: _HeadersArg = None,
        files: _Files = None,
        data: _Data = None,
        params: _Params = None,
        auth: _AuthArg = None,
        cookies: _Cookies = None,
        hooks: _Hooks = None,
        json: Any = None,
    ) -> None: ...
    def prepare(
        self, base_headers: _HeadersArg | Headers = None, base_params: _Params = None
    ) -> PreparedRequest: ...

@type_check_only
class _RawBody(io.RawIOBase):
    """``Response.raw`` (blocking front-end): the unread body as a file, as in requests."""

    decode_content: bool
    def read(self, amt: int | None = None, decode_content: bool | None = None) -> bytes: ...
    def stream(self, amt: int = 65536, decode_content: bool | None = None) -> Iterator[bytes]: ...

class Response:
    """An HTTP response (every front-end's; Twisted wraps it in a TxResponse)."""

    __attrs__: tuple[str, ...]
    status_code: int
    reason: str
    headers: Headers
    request: PreparedRequest
    url: str
    http_version: str
    history: list[Response]
    elapsed: datetime.timedelta
    from_cache: bool
    cache_status: str | None
    connection: Any
    def __init__(
        self,
        status_code: int | None = None,
        reason: str | None = None,
        headers: _HeadersArg | Headers = None,
        request: PreparedRequest | None = None,
        http_version: str = "HTTP/1.1",
        content: bytes | Iterable[bytes] | IO[bytes] | None = None,
        text: str | None = None,
        json: Any = None,
    ) -> None: ...
    @property
    def cookies(self) -> CookieJar: ...
    @cookies.setter
    def cookies(self, jar: CookieJar | None) -> None: ...
    @property
    def ok(self) -> bool: ...
    def __bool__(self) -> bool: ...
    def __nonzero__(self) -> bool: ...
    @property
    def is_redirect(self) -> bool: ...
    @property
    def is_permanent_redirect(self) -> bool: ...
    @property
    def next(self) -> PreparedRequest | None: ...
    def raise_for_status(self) -> Self: ...
    @property
    def content(self) -> bytes: ...
    @property
    def raw(self) -> _RawBody: ...
    @raw.setter
    def raw(self, fileobj: IO[bytes] | io.RawIOBase | io.BufferedIOBase) -> None: ...
    @property
    def encoding(self) -> str | None: ...
    @encoding.setter
    def encoding(self, value: str | None) -> None: ...
    @property
    def apparent_encoding(self) -> str: ...
    @property
    def text(self) -> str: ...
    def encoding_or_none(self) -> str | None: ...
    def json(self, **kwargs: Any) -> Any: ...
    @property
    def links(self) -> dict[str, dict[str, str]]: ...
    @overload
    def iter_content(
        self, chunk_size: int | None = 1, decode_unicode: Literal[False] = False
    ) -> Iterator[bytes]: ...
    @overload
    def iter_content(self, chunk_size: int | None, decode_unicode: Literal[True]) -> Iterator[str]: ...
    @overload
    def iter_content(self, *, decode_unicode: Literal[True]) -> Iterator[str]: ...
    @overload
    def iter_lines(
        self, chunk_size: int = 512, decode_unicode: Literal[False] = False, delimiter: bytes | None = None
    ) -> Iterator[bytes]: ...
    @overload
    def iter_lines(
        self, chunk_size: int, decode_unicode: Literal[True], delimiter: str | None = None
    ) -> Iterator[str]: ...
    @overload
    def iter_lines(
        self, chunk_size: int = 512, *, decode_unicode: Literal[True], delimiter: str | None = None
    ) -> Iterator[str]: ...
    def __iter__(self) -> Iterator[bytes]: ...
    def close(self) -> None: ...
    # httpkit.aio responses: the body through the event loop
    def aread(self) -> Coroutine[Any, Any, bytes]: ...
    @overload
    def aiter_content(
        self, chunk_size: int | None = None, decode_unicode: Literal[False] = False
    ) -> AsyncIterator[bytes]: ...
    @overload
    def aiter_content(self, chunk_size: int | None, decode_unicode: Literal[True]) -> AsyncIterator[str]: ...
    @overload
    def aiter_content(self, *, decode_unicode: Literal[True]) -> AsyncIterator[str]: ...
    @overload
    def aiter_bytes(
        self, chunk_size: int | None = None, decode_unicode: Literal[False] = False
    ) -> AsyncIterator[bytes]: ...
    @overload
    def aiter_bytes(self, chunk_size: int | None, decode_unicode: Literal[True]) -> AsyncIterator[str]: ...
    @overload
    def aiter_bytes(self, *, decode_unicode: Literal[True]) -> AsyncIterator[str]: ...
    @overload
    def aiter_lines(
        self, chunk_size: int = 512, decode_unicode: Literal[False] = False, delimiter: bytes | None = None
    ) -> AsyncIterator[bytes]: ...
    @overload
    def aiter_lines(
        self, chunk_size: int, decode_unicode: Literal[True], delimiter: str | None = None
    ) -> AsyncIterator[str]: ...
    @overload
    def aiter_lines(
        self, chunk_size: int = 512, *, decode_unicode: Literal[True], delimiter: str | None = None
    ) -> AsyncIterator[str]: ...
    def aclose(self) -> Coroutine[Any, Any, None]: ...
    def __enter__(self) -> Self: ...
    def __exit__(self, *exc_info: object) -> None: ...
    def __getstate__(self) -> dict[str, Any]: ...
    def __setstate__(self, state: dict[str, Any]) -> None: ...
