"""``httpkit --version``: one line on stdout naming httpkit's, Python's and TLS's versions."""
from __future__ import absolute_import, division, print_function

import platform
import re

import httpkit
from httpkit.tls import DEFAULT_BACKEND_NAME

from cli_helpers import run


def test_version_prints_one_line_and_exits_0(tmpdir):
    result = run(["--version"], tmpdir.join("cache-home"))
    assert result.code == 0, result.err
    assert result.err == ""
    line = result.out.decode("ascii")
    assert line.endswith("\n") and line.count("\n") == 1, line
    match = re.match(r"httpkit (\S+) \(Python (\S+), TLS backend (\w+): (.+)\)$", line.strip())
    assert match, line
    assert match.groups()[:3] == (httpkit.__version__, platform.python_version(),
                                  DEFAULT_BACKEND_NAME)
    assert "SSL" in match.group(4)  # OpenSSL / LibreSSL and its version


def test_version_needs_no_url_and_wins_over_other_options(tmpdir):
    result = run(["-v", "--version", "--timeout", "3"], tmpdir.join("cache-home"))
    assert result.code == 0, result.err
    assert result.out.decode("ascii").startswith("httpkit %s (" % httpkit.__version__)


def test_help_lists_version(tmpdir):
    result = run(["--help"], tmpdir.join("cache-home"))
    assert result.code == 0
    assert b"--version" in result.out
