"""Shared fixtures for the TLS tests: certificate paths and backend parameters."""
from __future__ import absolute_import, division, print_function

import pytest

from httpkit import tls

import peers

BACKENDS = tls.available_backends()


@pytest.fixture
def certs():
    """The tests/certs directory."""
    return peers.CERTS


@pytest.fixture(params=BACKENDS)
def backend_name(request):
    """Each TLS backend that can run on this interpreter."""
    return request.param
