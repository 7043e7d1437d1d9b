"""Session-wide test peers (tests/servers.py) as pytest fixtures; 2.7 and 3.x.

Fixtures:
  certs_dir, ca_bundle          paths of tests/certs and its ca.pem
  http_server, https_server     HTTPTestServer (plain / TLS), one per session;
                                call ``.reset()`` to clear the request log
  proxy_server                  ProxyServer without auth, one per session
  nginx                         NginxServer, one per session; FAILS (never skips)
                                when nginx is missing: run tools/services.sh
  scripted_server               factory: scripted_server(script, tls=False, ...)
                                -> a started ScriptedServer, stopped after the test
  scenario_servers              a fresh scenarios.harness.Servers (the scenario corpus
                                and the hostile catalogue, in every front-end's runner)
"""
from __future__ import absolute_import, division, print_function

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:  # let tests in subfolders `import servers`
    sys.path.insert(0, HERE)

import servers  # noqa: E402
from nginx import NginxServer, find_nginx  # noqa: E402


@pytest.fixture(scope="session")
def certs_dir():
    return servers.CERTS_DIR


@pytest.fixture(scope="session")
def ca_bundle():
    return servers.CA_BUNDLE


@pytest.fixture(scope="session")
def http_server():
    server = servers.HTTPTestServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def https_server():
    server = servers.HTTPTestServer(tls=True).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def proxy_server():
    server = servers.ProxyServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def nginx():
    if not find_nginx():
        pytest.fail("nginx not found: run tools/services.sh (as root) to install it",
                    pytrace=False)
    server = NginxServer()
    try:
        server.start()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def scripted_server():
    started = []

    def make(script, tls=False, **kwargs):
        server = servers.ScriptedServer(script, tls=tls, **kwargs).start()
        started.append(server)
        return server
    yield make
    for server in started:
        server.stop()


@pytest.fixture
def scenario_servers(http_server, https_server, proxy_server):
    from scenarios.harness import Servers
    servers = Servers(http_server, https_server, proxy_server)
    yield servers
    servers.close()
