"""Every front-end's Session shows its parameters (no ``*args, **kwargs``).

``httpkit.Session``, ``httpkit.aio.Session`` and ``httpkit.aio.tx.Session``
take the same keyword parameters with the same defaults, in the same order
(Twisted adds ``reactor`` last), so an IDE's signature help and
``inspect.signature`` list every one, and the three cannot drift apart.
"""
from __future__ import absolute_import, division, print_function

import inspect
import sys

import pytest

import httpkit
from httpkit._client import BaseSession

PY2 = sys.version_info[0] < 3

#: What a Session takes (BaseSession's documented Args), in order.
EXPECTED = ["headers", "cookies", "auth", "params", "proxies", "verify", "cert", "timeout",
            "retries", "max_redirects", "trust_env", "limits", "tls_backend", "hooks",
            "stream", "max_decoded_size", "max_decompression_ratio", "cache"]


def parameters(cls):
    """``[(name, default), ...]`` of ``cls(...)``, failing on ``*args``/``**kwargs``."""
    if PY2:
        spec = inspect.getargspec(cls.__init__)
        assert spec.varargs is None and spec.keywords is None, spec
        names = spec.args[1:]
        defaults = spec.defaults or ()
        assert len(defaults) == len(names), "every parameter has a default: %r" % (spec,)
        return list(zip(names, defaults))
    result = []
    for param in inspect.signature(cls).parameters.values():
        assert param.kind == param.POSITIONAL_OR_KEYWORD, param
        assert param.default is not param.empty, "%s has no default" % (param,)
        result.append((param.name, param.default))
    return result


def front_ends():
    yield "httpkit.Session", httpkit.Session
    if not PY2:
        from httpkit.aio import Session as AioSession
        yield "httpkit.aio.Session", AioSession
    from httpkit.aio import tx  # Twisted is a test requirement on every Python
    yield "httpkit.aio.tx.Session", tx.Session


def test_base_session_lists_every_parameter():
    assert [name for name, _ in parameters(BaseSession)] == EXPECTED


@pytest.mark.parametrize("name,cls", list(front_ends()))
def test_session_signature_is_explicit_and_agrees(name, cls):
    base = parameters(BaseSession)
    params = parameters(cls)
    if name == "httpkit.aio.tx.Session":
        assert params[-1] == ("reactor", None)
        params = params[:-1]
    assert params == base, name


@pytest.mark.parametrize("name,cls", list(front_ends()))
def test_session_takes_its_parameters_by_keyword(name, cls):
    limits = httpkit.Limits(max_per_host=3)
    session = cls(headers={"X-Test": "1"}, params={"q": "1"}, verify=False, max_redirects=5,
                  trust_env=False, limits=limits, stream=True, timeout=7)
    try:
        assert session.headers["X-Test"] == "1"
        assert session.params == {"q": "1"}
        assert session.verify is False and session.max_redirects == 5
        assert session.trust_env is False and session.stream is True
        assert session.limits is limits and session.timeout == httpkit.Timeouts(7)
        assert session._driver is not None  # the front-end's I/O started
    finally:
        close = getattr(session, "close", None)
        if close is not None:
            close()
        else:  # asyncio: nothing pooled yet, so closing needs no loop
            session._closed = True
            session._driver.close_all()
