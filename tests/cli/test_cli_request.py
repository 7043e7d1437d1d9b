"""``python -m httpkit``: methods, headers, bodies, TLS options, redirects and exit codes.

Each test runs the CLI as a child process against the local test servers.
"""
from __future__ import absolute_import, division, print_function

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from cli_helpers import CA, Watchdog, child_env, command, free_port, one_error_line, run
from peer_base import random_bytes


@pytest.fixture
def cli(tmpdir):
    """``cli(*args)``: run ``python -m httpkit`` with its own cache home."""
    return lambda *args: run(args, tmpdir.join("cache-home"))


def echoed(result):
    assert result.code == 0, result.err
    return json.loads(result.out.decode("utf-8"))


# ------------------------------------------------------------------ output
def test_body_goes_to_stdout_as_bytes(cli, http_server):
    result = cli(http_server.url + "/bytes/5000?seed=cli")
    assert result.code == 0
    assert result.out == random_bytes(5000, "cli")  # not decoded, not re-encoded
    assert result.err == ""


def test_verbose_writes_status_and_headers_to_stderr_first(cli, http_server):
    result = cli("-v", http_server.url + "/response-headers?X-Cli=yes")
    assert result.code == 0
    head = result.err.split("\n\n")[0].splitlines()
    assert head[0] == "HTTP/1.1 200 OK"
    assert "X-Cli: yes" in head
    assert b"X-Cli" in result.out


# ------------------------------------------------------------------ request
def test_method_is_optional_get_by_default(cli, http_server):
    assert echoed(cli(http_server.url + "/anything"))["method"] == "GET"


@pytest.mark.parametrize("given,sent", [("PUT", "PUT"), ("delete", "DELETE")])
def test_method_given(cli, http_server, given, sent):
    assert echoed(cli(given, http_server.url + "/anything"))["method"] == sent


def test_headers(cli, http_server):
    doc = echoed(cli("-H", "X-One: 1", "-H", "X-Two:  two words ",
                     http_server.url + "/headers"))
    assert doc["headers"]["X-One"] == "1"
    assert doc["headers"]["X-Two"] == "two words"


def test_data_is_posted(cli, http_server):
    doc = echoed(cli("-d", "a=1&b=2", "-H", "Content-Type: application/x-www-form-urlencoded",
                     http_server.url + "/anything"))
    assert doc["method"] == "POST"
    assert doc["form"] == {"a": "1", "b": "2"}


def test_data_from_file(cli, http_server, tmpdir):
    body = random_bytes(3000, "upload")
    path = tmpdir.join("body.bin")
    path.write_binary(body)
    doc = echoed(cli("PUT", "-d", "@%s" % path, http_server.url + "/anything"))
    assert doc["method"] == "PUT"
    assert doc["body_length"] == 3000
    assert http_server.last_request.body == body


def test_json_body(cli, http_server):
    doc = echoed(cli("--json", '{"a": [1, 2]}', http_server.url + "/anything"))
    assert doc["method"] == "POST"
    assert doc["json"] == {"a": [1, 2]}
    assert doc["headers"]["Content-Type"] == "application/json"


def test_form_fields_and_file(cli, http_server, tmpdir):
    path = tmpdir.join("notes.txt")
    path.write_binary(b"file contents\n")
    doc = echoed(cli("-F", "name=value", "-F", "upload=@%s" % path,
                     http_server.url + "/anything"))
    assert doc["method"] == "POST"
    assert doc["headers"]["Content-Type"].startswith("multipart/form-data; boundary=")
    assert 'name="upload"; filename="notes.txt"' in doc["data"]
    assert "file contents\n" in doc["data"]
    assert 'name="name"' in doc["data"] and "value" in doc["data"]


def test_redirects_are_followed(cli, http_server):
    assert echoed(cli(http_server.url + "/redirect/2"))["path"] == "/get"


def test_no_follow(cli, http_server):
    result = cli("--no-follow", "-v", http_server.url + "/redirect/1")
    assert result.code == 0
    assert result.err.startswith("HTTP/1.1 302 ")
    assert "Location: /get" in result.err.splitlines()


# ------------------------------------------------------------------ TLS
def test_cacert_trusts_the_test_ca(cli, https_server):
    assert echoed(cli("--cacert", CA, https_server.url + "/get"))["path"] == "/get"


def test_insecure_skips_verification(cli, https_server):
    result = cli("--insecure", https_server.url + "/get")
    assert echoed(result)["path"] == "/get"
    assert result.err == ""  # no InsecureRequestWarning: the user asked for it


def test_unknown_ca_exits_35(cli, https_server):
    result = cli(https_server.url + "/get")
    assert result.code == 35
    assert "SSLError" in one_error_line(result)


# ------------------------------------------------------------------ exit codes
def test_status_over_400_without_fail_exits_0(cli, http_server):
    result = cli(http_server.url + "/status/404")
    assert result.code == 0
    assert result.err == ""


def test_fail_exits_22_without_the_body(cli, http_server):
    result = cli("--fail", http_server.url + "/status/404")
    assert result.code == 22
    assert result.out == b""
    assert "404" in one_error_line(result)


def test_fail_with_success_exits_0(cli, http_server):
    assert cli("--fail", http_server.url + "/get").code == 0


def test_refused_connection_exits_6(cli):
    result = cli("http://127.0.0.1:%d/" % free_port())
    assert result.code == 6
    assert "ConnectionError" in one_error_line(result)


def test_server_answering_garbage_exits_8(cli, scripted_server):
    server = scripted_server([b"SSH-2.0-OpenSSH_9.6\r\n"])
    result = cli(server.url + "/")
    assert result.code == 8
    assert "RemoteProtocolError" in one_error_line(result)


def test_timeout_exits_28(cli, http_server):
    result = cli("--timeout", "0.5", http_server.url + "/delay/10")
    assert result.code == 28
    assert "Timeout" in one_error_line(result)


def test_other_httpkit_error_exits_1(cli, http_server):
    result = cli(http_server.url + "/truncated")  # 10 of 100 bytes, then the server closes
    assert result.code == 1
    assert "IncompleteRead" in one_error_line(result)


def test_missing_schema_exits_1(cli):
    result = cli("example.invalid/path")
    assert result.code == 1
    assert "MissingSchema" in one_error_line(result)


def test_unreadable_data_file_exits_1(cli, http_server, tmpdir):
    result = cli("-d", "@%s" % tmpdir.join("missing"), http_server.url + "/anything")
    assert result.code == 1
    assert "missing" in one_error_line(result)


@pytest.mark.parametrize("args", [
    [],
    ["GET", "http://127.0.0.1/", "extra"],
    ["-C", "ten", "-o", "out", "http://127.0.0.1/"],
    ["-C", "-", "http://127.0.0.1/"],
    ["-C", "10", "http://127.0.0.1/"],
    ["-H", "no colon", "http://127.0.0.1/"],
    ["--json", "{not json", "http://127.0.0.1/"],
    ["-d", "x", "--json", "{}", "http://127.0.0.1/"],
    ["--insecure", "--cacert", CA, "http://127.0.0.1/"],
    ["-F", "novalue", "http://127.0.0.1/"],
    ["--timeout", "soon", "http://127.0.0.1/"],
    ["--timeout", "0", "http://127.0.0.1/"],
    ["--timeout", "-1", "http://127.0.0.1/"],
], ids=["no-url", "three-positionals", "C-not-a-number", "C-without-o", "C-offset-without-o",
        "bad-header", "bad-json",
        "two-bodies", "insecure-and-cacert", "bad-form", "bad-timeout", "zero-timeout",
        "negative-timeout"])
def test_bad_usage_exits_2(cli, args):
    result = cli(*args)
    assert result.code == 2
    assert result.err.splitlines()[-1].startswith("httpkit: error: ")
    assert "Traceback" not in result.err


def test_help_exits_0(cli):
    result = cli("--help")
    assert result.code == 0
    assert b"Exit codes" in result.out


def test_interrupt_exits_130_quietly(http_server, tmpdir):
    http_server.reset()
    # The child must start with SIGINT at its default even when this test runs in
    # a background job of a shell without job control, which ignores it.
    proc = subprocess.Popen(command([http_server.url + "/delay/10?k=interrupt"]),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=child_env(tmpdir.join("cache-home")),
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    dog = Watchdog(proc)
    try:
        deadline = time.time() + 30
        while time.time() < deadline and not any(
                "k=interrupt" in r.target for r in list(http_server.requests)):
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate()
    finally:
        dog.cancel()
    assert proc.returncode == 130
    assert out == b"" and err == b""


def test_closed_stdout_exits_1_quietly(http_server, tmpdir):
    proc = subprocess.Popen(command([http_server.url + "/bytes/4000000"]),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=child_env(tmpdir.join("cache-home")))
    dog = Watchdog(proc)
    try:
        assert proc.stdout.read(10)
        proc.stdout.close()  # like `| head -c 10`: the rest cannot fit in the pipe
        err = proc.stderr.read()
        proc.stderr.close()
        proc.wait()
    finally:
        dog.cancel()
    assert proc.returncode == 1
    assert err == b""


def test_unwritable_output_exits_1(cli, http_server, tmpdir):
    result = cli("-o", tmpdir.join("no-such-dir", "file"), http_server.url + "/get")
    assert result.code == 1
    assert "no-such-dir" in one_error_line(result)


def test_console_script_runs_the_same_command(tmpdir, http_server):
    """`pip install` puts an ``httpkit`` command beside the interpreter (setup.py entry point)."""
    script = os.path.join(os.path.dirname(sys.executable), "httpkit")
    assert os.path.isfile(script), script
    proc = subprocess.Popen([script, "-v", "--fail", http_server.url + "/bytes/64?seed=3"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.PIPE,
                            env=child_env(tmpdir))
    dog = Watchdog(proc)
    try:
        out, err = proc.communicate(b"")
    finally:
        dog.cancel()
    assert proc.returncode == 0, err
    assert len(out) == 64 and b"200" in err.splitlines()[0], (out, err)
