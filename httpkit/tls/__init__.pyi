# Types of httpkit.tls, the PEP 543 API (rules: httpkit/__init__.pyi).
import abc
import socket
from collections.abc import Callable, Iterable, Sequence
from enum import Enum, IntEnum
from typing import Any, NamedTuple

from typing_extensions import Self

# ---- errors
class TLSError(Exception):
    """Root of every TLS error; ``reason`` is a short machine-readable cause, or None."""

    reason: str | None
    def __init__(self, *args: object, reason: str | None = ...) -> None: ...

class WantReadError(TLSError): ...
class WantWriteError(TLSError): ...
class RaggedEOF(TLSError): ...
class ConfigurationError(TLSError): ...

class CertificateVerificationError(TLSError):
    verify_code: int | None

class UnknownCAError(CertificateVerificationError): ...
class SelfSignedCertificateError(UnknownCAError): ...
class CertificateExpiredError(CertificateVerificationError): ...
class HostnameMismatchError(CertificateVerificationError): ...
class HandshakeError(TLSError): ...
class ProtocolVersionError(HandshakeError): ...
class BackendUnavailable(ConfigurationError): ...
class InvalidHostname(ValueError): ...

# ---- values
class TLSVersion(Enum):
    MINIMUM_SUPPORTED = "MINIMUM_SUPPORTED"
    SSLv2 = "SSLv2"
    SSLv3 = "SSLv3"
    TLSv1 = "TLSv1"
    TLSv1_1 = "TLSv1.1"
    TLSv1_2 = "TLSv1.2"
    TLSv1_3 = "TLSv1.3"
    MAXIMUM_SUPPORTED = "MAXIMUM_SUPPORTED"

class NextProtocol(Enum):
    H2 = b"h2"
    H2C = b"h2c"
    HTTP1 = b"http/1.1"
    WEBRTC = b"webrtc"
    C_WEBRTC = b"c-webrtc"
    FTP = b"ftp"
    STUN = b"stun.nat-discovery"
    TURN = b"stun.turn"

class CipherSuite(IntEnum):
    """IANA cipher suites by their 16-bit id (any int is accepted too)."""

    TLS_AES_128_GCM_SHA256 = 0x1301
    TLS_AES_256_GCM_SHA384 = 0x1302
    TLS_CHACHA20_POLY1305_SHA256 = 0x1303
    TLS_AES_128_CCM_SHA256 = 0x1304
    TLS_AES_128_CCM_8_SHA256 = 0x1305
    TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = 0xC02B
    TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 = 0xC02C
    TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = 0xC02F
    TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 = 0xC030
    TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = 0xCCA8
    TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 = 0xCCA9
    TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 = 0x009E
    TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 = 0x009F
    TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = 0xCCAA
    TLS_ECDHE_ECDSA_WITH_AES_128_CCM = 0xC0AC
    TLS_ECDHE_ECDSA_WITH_AES_256_CCM = 0xC0AD
    TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 = 0xC023
    TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384 = 0xC024
    TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 = 0xC027
    TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384 = 0xC028
    TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA = 0xC009
    TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA = 0xC00A
    TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA = 0xC013
    TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA = 0xC014
    TLS_DHE_RSA_WITH_AES_128_CBC_SHA256 = 0x0067
    TLS_DHE_RSA_WITH_AES_256_CBC_SHA256 = 0x006B
    TLS_DHE_RSA_WITH_AES_128_CBC_SHA = 0x0033
    TLS_DHE_RSA_WITH_AES_256_CBC_SHA = 0x0039
    TLS_RSA_WITH_AES_128_GCM_SHA256 = 0x009C
    TLS_RSA_WITH_AES_256_GCM_SHA384 = 0x009D
    TLS_RSA_WITH_AES_128_CBC_SHA256 = 0x003C
    TLS_RSA_WITH_AES_256_CBC_SHA256 = 0x003D
    TLS_RSA_WITH_AES_128_CBC_SHA = 0x002F
    TLS_RSA_WITH_AES_256_CBC_SHA = 0x0035

DEFAULT_CIPHER_LIST: tuple[CipherSuite, ...]

class Certificate:
    """An X.509 certificate (PEM or DER), held as bytes or as a path."""

    def __init__(self, buffer: bytes | None = None, path: str | None = None) -> None: ...
    @classmethod
    def from_buffer(cls, buffer: bytes) -> Certificate: ...
    @classmethod
    def from_file(cls, path: str) -> Certificate: ...
    @property
    def path(self) -> str | None: ...
    def pem(self) -> bytes: ...
    def __eq__(self, other: object) -> bool: ...
    def __ne__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class PrivateKey(Certificate):
    """A private key (PEM or DER), optionally encrypted."""

    def __init__(
        self, buffer: bytes | None = None, path: str | None = None, password: bytes | str | None = None
    ) -> None: ...
    @classmethod
    def from_buffer(cls, buffer: bytes, password: bytes | str | None = None) -> PrivateKey: ...
    @classmethod
    def from_file(cls, path: str, password: bytes | str | None = None) -> PrivateKey: ...
    def password(self) -> bytes | None: ...

class TrustStore:
    """Where trusted roots come from: ``system()``, ``certifi()``, a file, bytes, or a union."""

    kind: str
    path: str | None
    buffer: bytes | None
    stores: tuple[TrustStore, ...]
    def __init__(self, kind: str, path: str | None = None, buffer: bytes | None = None,
                 stores: Iterable[TrustStore] = ()) -> None: ...
    @classmethod
    def system(cls) -> TrustStore: ...
    @classmethod
    def certifi(cls) -> TrustStore: ...
    @classmethod
    def from_file(cls, path: str) -> TrustStore: ...
    @classmethod
    def from_pem_file(cls, path: str) -> TrustStore: ...
    @classmethod
    def from_buffer(cls, buffer: bytes) -> TrustStore: ...
    @classmethod
    def union(cls, *stores: TrustStore) -> TrustStore: ...
    def members(self) -> tuple[TrustStore, ...]: ...
    def certifi_path(self) -> str: ...
    def __eq__(self, other: object) -> bool: ...
    def __ne__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

_CertificateChain = tuple[Sequence[Certificate], PrivateKey]
_SNICallback = Callable[..., Any]

class TLSConfiguration(tuple[Any, ...]):
    """Immutable, hashable TLS settings (PEP 543): a namedtuple; None picks a field's default."""

    @property
    def validate_certificates(self) -> bool: ...
    @property
    def certificate_chain(self) -> _CertificateChain | None: ...
    @property
    def ciphers(self) -> tuple[CipherSuite | int, ...]: ...
    @property
    def inner_protocols(self) -> tuple[NextProtocol | bytes, ...]: ...
    @property
    def lowest_supported_version(self) -> TLSVersion: ...
    @property
    def highest_supported_version(self) -> TLSVersion: ...
    @property
    def trust_store(self) -> TrustStore | None: ...
    @property
    def sni_callback(self) -> _SNICallback | None: ...
    def __new__(
        cls,
        validate_certificates: bool | None = None,
        certificate_chain: _CertificateChain | None = None,
        ciphers: Sequence[CipherSuite | int] | None = None,
        inner_protocols: Sequence[NextProtocol | bytes | str] | None = None,
        lowest_supported_version: TLSVersion | None = None,
        highest_supported_version: TLSVersion | None = None,
        trust_store: TrustStore | None = None,
        sni_callback: _SNICallback | None = None,
    ) -> Self: ...
    def update(
        self,
        validate_certificates: bool = ...,
        certificate_chain: _CertificateChain | None = ...,
        ciphers: Sequence[CipherSuite | int] = ...,
        inner_protocols: Sequence[NextProtocol | bytes | str] = ...,
        lowest_supported_version: TLSVersion = ...,
        highest_supported_version: TLSVersion = ...,
        trust_store: TrustStore | None = ...,
        sni_callback: _SNICallback | None = ...,
    ) -> TLSConfiguration: ...

TLSClientConfiguration = TLSConfiguration
TLSServerConfiguration = TLSConfiguration

# ---- contexts and buffers
class TLSWrappedBuffer(metaclass=abc.ABCMeta):
    """One TLS connection as a pair of byte buffers (PEP 543), no I/O."""

    reads_all_records: bool
    @abc.abstractmethod
    def read(self, amt: int) -> bytes: ...
    def readinto(self, buffer: bytearray | memoryview, amt: int) -> int: ...
    @abc.abstractmethod
    def write(self, buf: bytes) -> int: ...
    @abc.abstractmethod
    def do_handshake(self) -> None: ...
    @abc.abstractmethod
    def cipher(self) -> CipherSuite | int | None: ...
    @abc.abstractmethod
    def negotiated_protocol(self) -> NextProtocol | bytes | None: ...
    @property
    @abc.abstractmethod
    def context(self) -> ClientContext | ServerContext: ...
    @property
    @abc.abstractmethod
    def negotiated_tls_version(self) -> TLSVersion | None: ...
    @abc.abstractmethod
    def shutdown(self) -> None: ...
    @abc.abstractmethod
    def receive_from_network(self, data: bytes) -> None: ...
    @abc.abstractmethod
    def receive_eof(self) -> None: ...
    @abc.abstractmethod
    def peek_outgoing(self, amt: int) -> bytes: ...
    @abc.abstractmethod
    def consume_outgoing(self, amt: int) -> None: ...
    @abc.abstractmethod
    def incoming_bytes_buffered(self) -> int: ...
    @abc.abstractmethod
    def outgoing_bytes_buffered(self) -> int: ...
    @abc.abstractmethod
    def getpeercert(self) -> bytes | None: ...
    @property
    def session(self) -> object | None: ...
    @property
    def session_reused(self) -> bool: ...
    def bytes_buffered(self) -> int: ...
    def process_incoming(self, data: bytes) -> None: ...
    def process_outgoing(self, amt: int) -> bytes: ...

TLSBuffer = TLSWrappedBuffer

class _BaseContext(metaclass=abc.ABCMeta):
    @abc.abstractmethod
    def __init__(self, configuration: TLSConfiguration) -> None: ...
    @property
    @abc.abstractmethod
    def configuration(self) -> TLSConfiguration: ...

class ClientContext(_BaseContext):
    """A factory of client-side TLS connections."""

    def wrap_socket(self, socket: socket.socket, server_hostname: str | None) -> Any: ...
    @abc.abstractmethod
    def wrap_buffers(self, server_hostname: str | None, session: object | None = None) -> TLSWrappedBuffer: ...
    def create_buffer(self, server_hostname: str | None) -> TLSWrappedBuffer: ...

class ServerContext(_BaseContext):
    """A factory of server-side TLS connections (used by httpkit's tests and tools)."""

    def wrap_socket(self, socket: socket.socket) -> Any: ...
    @abc.abstractmethod
    def wrap_buffers(self) -> TLSWrappedBuffer: ...
    def create_buffer(self) -> TLSWrappedBuffer: ...

class Backend(NamedTuple):
    """A TLS implementation: its classes, so generic code can build any of them."""

    client_context: type[ClientContext] | None
    server_context: type[ServerContext] | None
    certificate: type[Certificate]
    private_key: type[PrivateKey]
    trust_store: type[TrustStore]
    name: str
    def validate_config(self, configuration: TLSConfiguration) -> None: ...

DEFAULT_BACKEND_NAME: str

def backend(name: str | Backend | None = None) -> Backend: ...
def default_backend() -> Backend: ...
def available_backends() -> list[str]: ...
