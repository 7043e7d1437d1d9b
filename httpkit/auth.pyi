# Types of httpkit.auth (rules: httpkit/__init__.pyi).
from collections.abc import Generator
from typing import Any

from . import PreparedRequest, Response
from .exceptions import RequestException

__all__ = ["Auth", "AuthBase", "BasicAuth", "BearerAuth", "DigestAuth", "DigestAuthError",
           "NetrcAuth", "HTTPBasicAuth", "HTTPDigestAuth"]

# An auth flow yields the requests to send and is sent back each Response.
_AuthFlow = Generator[PreparedRequest, Response, None]

class DigestAuthError(RequestException): ...

class Auth:
    """Base of every auth flow: subclass and override ``auth_flow``."""

    requires_request_body: bool
    requires_response_body: bool
    def auth_flow(self, request: PreparedRequest) -> _AuthFlow: ...
    def redirect_flow(self, request: PreparedRequest) -> _AuthFlow: ...

class BasicAuth(Auth):
    def __init__(self, username: str | bytes, password: str | bytes) -> None: ...

class BearerAuth(Auth):
    def __init__(self, token: str) -> None: ...

class NetrcAuth(Auth):
    netrc_file: str | None
    def __init__(self, netrc_file: str | None = None) -> None: ...

class DigestAuth(Auth):
    def __init__(self, username: str | bytes, password: str | bytes) -> None: ...
    def __getstate__(self) -> dict[str, Any]: ...
    def __setstate__(self, state: dict[str, Any]) -> None: ...

HTTPBasicAuth = BasicAuth
HTTPDigestAuth = DigestAuth

class AuthBase:
    """requests' auth protocol: override ``__call__(request)`` and return the request."""

    def __call__(self, request: PreparedRequest) -> PreparedRequest: ...
