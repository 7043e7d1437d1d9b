"""The docs tests: the Sphinx build (3.12 only) and every example of the docs (2.7 and 3.x).

test_sphinx.py builds docs/ with Sphinx, warnings as errors. It runs on Python 3.12
only: Sphinx and myst-parser are installed in the 3.11+ environments alone, and one
build proves the pages and docstrings; building the same sources on three Pythons
would only triple the time. Every other Python leaves the module out.

Fixtures:
  docs_redis_url   ``redis://127.0.0.1:PORT/0`` of a redis-server started here for
                   the examples that use Redis (tests/cache/conftest.py's RedisProcess)
"""
from __future__ import absolute_import, division, print_function

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))

collect_ignore = [] if sys.version_info[:2] == (3, 12) else ["test_sphinx.py"]


def _load_cache_conftest():
    """tests/cache/conftest.py as a plain module (its fixtures are not visible here)."""
    path = os.path.join(os.path.dirname(HERE), "cache", "conftest.py")
    if sys.version_info[0] < 3:
        import imp
        return imp.load_source("_httpkit_cache_conftest", path)
    import importlib.util
    spec = importlib.util.spec_from_file_location("_httpkit_cache_conftest", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def docs_redis_url():
    cache_conftest = _load_cache_conftest()
    binary = cache_conftest.find_redis_server()
    if binary is None:
        pytest.fail("redis-server is not installed: run tools/services.sh", pytrace=False)
    server = cache_conftest.started_redis(binary)
    yield server.url
    server.close()
