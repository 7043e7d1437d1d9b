"""Python 2/3 differences, in ONE place.

Rules: this is the only module that looks at the Python version. It never
rebinds ``str`` or ``bytes``; it only gives names to the things that differ.
"""
from __future__ import absolute_import, division, print_function

import sys

PY2 = sys.version_info[0] == 2
#: "A.B.C", for messages (``httpkit --version``).
PYTHON_VERSION = "%d.%d.%d" % tuple(sys.version_info[:3])

if PY2:  # pragma: no cover - exercised by the 2.7 run
    text_type = unicode  # noqa: F821
    binary_type = str
    string_types = (str, unicode)  # noqa: F821
    integer_types = (int, long)  # noqa: F821
    from urlparse import urlsplit, urlunsplit, urljoin  # noqa: F401
    from urllib import urlencode, quote, unquote  # noqa: F401
    from collections import Mapping, MutableMapping  # noqa: F401
    import Queue as queue  # noqa: F401

    #: What httpkit.JSONDecodeError also derives from: json raises plain ValueError on 2.7.
    JSONDecodeErrorBase = ValueError

    def b2s(data):
        """Bytes to the native str type (no-op on 2.7)."""
        return data

    def iterbytes(data):
        return (ord(c) for c in data)

    def reraise(exc_type, exc, tb):
        exec("raise exc_type, exc, tb")  # noqa: S102 - 2.7 syntax only

    def memoryview_bytes(view):
        # bytes(memoryview) is the *repr* on 2.7.
        return view.tobytes()

    def native_pairs_to_bytes(pairs):
        """``[(str, str), ...]`` as bytes pairs, latin-1 (native str is bytes on 2.7)."""
        return pairs
else:
    text_type = str
    binary_type = bytes
    string_types = (str,)
    integer_types = (int,)
    from urllib.parse import urlsplit, urlunsplit, urljoin, urlencode, quote, unquote  # noqa: F401
    from collections.abc import Mapping, MutableMapping  # noqa: F401
    import queue  # noqa: F401
    from json import JSONDecodeError as JSONDecodeErrorBase  # noqa: F401

    def b2s(data):
        """Bytes to the native str type (latin-1, lossless)."""
        return data.decode("latin-1")

    def native_pairs_to_bytes(pairs):
        """``[(str, str), ...]`` as bytes pairs, latin-1 (header fields: a hot path)."""
        return [(name.encode("latin-1"), value.encode("latin-1")) for name, value in pairs]

    iterbytes = iter

    def reraise(exc_type, exc, tb):
        raise exc.with_traceback(tb)

    def memoryview_bytes(view):
        return bytes(view)


if PY2:  # pragma: no cover
    # 2.7 has no time.monotonic; read CLOCK_MONOTONIC through ctypes where
    # possible, else fall back to time.time (documented: deadlines may drift).
    # Found on the first call, never at import: ctypes.util.find_library runs
    # /sbin/ldconfig, and ctypes.util imports random, which keeps /dev/urandom
    # open on 2.7 (importing httpkit must not touch the program: issue 12).
    def _make_monotonic():
        import ctypes
        import os
        import time

        class _Timespec(ctypes.Structure):
            _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]

        try:
            clock_gettime = _librt(ctypes).clock_gettime
        except (OSError, AttributeError):
            return time.time
        clock_gettime.argtypes = [ctypes.c_int, ctypes.POINTER(_Timespec)]
        clock_id = 1  # CLOCK_MONOTONIC on Linux

        def _mono():
            ts = _Timespec()  # one per call: threads read the clock at the same time
            if clock_gettime(clock_id, ctypes.byref(ts)) != 0:
                errno_ = ctypes.get_errno()
                raise OSError(errno_, os.strerror(errno_))
            return ts.tv_sec + ts.tv_nsec * 1e-9

        return _mono

    def _librt(ctypes):
        try:
            return ctypes.CDLL("librt.so.1", use_errno=True)  # Linux, without ldconfig
        except OSError:
            import ctypes.util
            return ctypes.CDLL(ctypes.util.find_library("rt") or "librt.so.1", use_errno=True)

    _clock = []

    def _monotonic():
        if not _clock:
            _clock.append(_make_monotonic())
        return _clock[0]()

    monotonic = _monotonic
else:
    import time as _time

    # Seconds from a clock that never goes backwards: the clock itself, not a
    # function calling it (~9 reads a request).
    monotonic = _time.monotonic


def to_bytes(value, encoding="latin-1"):
    """Return ``value`` as bytes (text is encoded with ``encoding``)."""
    if isinstance(value, binary_type):
        return value
    return value.encode(encoding)


def to_text(value, encoding="latin-1"):
    """Return ``value`` as text (bytes are decoded with ``encoding``)."""
    if isinstance(value, text_type):
        return value
    return value.decode(encoding)


def to_str(value, encoding="latin-1"):
    """Return ``value`` as the native ``str`` type."""
    if isinstance(value, str):
        return value
    if PY2:
        return value.encode(encoding)
    return value.decode(encoding)


def environ_getter(names):
    """Return ``snapshot()``: the values of environment variables ``names``, as a tuple.

    It exists to notice cheaply that one of them changed (proxy settings are
    re-read then). On POSIX 3.x it reads os.environ's backing dict: going
    through the Mapping interface cost ~2 us a name, on every request.
    """
    import os
    encodekey = getattr(os.environ, "encodekey", None)
    if PY2 or os.name != "posix" or not isinstance(getattr(os.environ, "_data", None), dict) \
            or encodekey is None:
        return lambda: tuple([os.environ.get(name) for name in names])
    keys = [encodekey(name) for name in names]

    def snapshot():
        data = getattr(os.environ, "_data", None)  # looked up each time: os.environ may be replaced
        if data is None:
            return tuple([os.environ.get(name) for name in names])
        return tuple(map(data.get, keys))  # (C-level: no list comprehension frame)

    return snapshot


def import_cookiejar():
    """The stdlib cookie jar module (imported on first use: it pulls in urllib.request, ~2 MiB)."""
    if PY2:  # pragma: no cover
        import cookielib
        return cookielib
    import http.cookiejar
    return http.cookiejar
