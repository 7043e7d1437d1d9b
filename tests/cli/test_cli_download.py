"""``python -m httpkit -o FILE``: saving, the progress line (in a pseudo-terminal),
resuming with ``-C -`` and ``--cache``.
"""
from __future__ import absolute_import, division, print_function

import os
import time

import pytest

from cli_helpers import run, run_in_pty
from peer_base import random_bytes

SIZE = 300000


@pytest.fixture
def cache_home(tmpdir):
    return tmpdir.join("cache-home")


def requests_for(server, marker):
    return [r for r in list(server.requests) if marker in r.target]


# ------------------------------------------------------------------ -o FILE
def test_output_writes_the_body_to_file(http_server, tmpdir, cache_home):
    out = tmpdir.join("file.bin")
    result = run(["-o", out, http_server.url + "/bytes/%d?seed=o" % SIZE], cache_home)
    assert result.code == 0
    assert out.read_binary() == random_bytes(SIZE, "o")
    assert result.out == b""
    assert result.err == ""  # stderr is a pipe: no progress line


def test_output_streams_a_chunked_body(http_server, tmpdir, cache_home):
    out = tmpdir.join("file.bin")
    url = http_server.url + "/stream-bytes/%d?seed=s&chunk_size=7000" % SIZE
    assert run(["-o", out, url], cache_home).code == 0
    assert out.read_binary() == random_bytes(SIZE, "s")


def test_fail_leaves_output_file_alone(http_server, tmpdir, cache_home):
    out = tmpdir.join("file.bin")
    out.write_binary(b"keep me")
    result = run(["--fail", "-o", out, http_server.url + "/status/500"], cache_home)
    assert result.code == 22
    assert out.read_binary() == b"keep me"


# ------------------------------------------------------------------ progress
def test_progress_line_on_a_terminal(http_server, tmpdir, cache_home):
    out = tmpdir.join("file.bin")
    result = run_in_pty(["-o", out, http_server.url + "/bytes/%d?seed=p" % SIZE], cache_home)
    assert result.code == 0, result.err
    assert out.read_binary() == random_bytes(SIZE, "p")
    assert "\r" in result.err
    last = result.err.replace("\r\n", "\n").rstrip("\n").split("\r")[-1]
    assert "293.0 KiB / 293.0 KiB 100%" in last  # bytes done / total, then the rate
    assert "/s" in last


def test_progress_redraws_with_eta_at_most_ten_times_a_second(http_server, tmpdir, cache_home):
    out = tmpdir.join("file.bin")
    url = http_server.url + "/drip?numbytes=20000&duration=1.5"  # 1.5 s of small pieces
    started = time.time()
    result = run_in_pty(["-o", out, url], cache_home)
    took = time.time() - started
    assert result.code == 0, result.err
    draws = result.err.count("\r") - 1  # the final line ends with \r\n on the terminal
    assert 2 <= draws <= took / 0.1 + 2, result.err
    assert "ETA 0:00:0" in result.err
    assert "19.5 KiB / 19.5 KiB 100%" in result.err


def test_progress_without_a_length(http_server, tmpdir, cache_home):
    out = tmpdir.join("file.bin")
    url = http_server.url + "/stream-bytes/%d?seed=n" % SIZE  # chunked: no Content-Length
    result = run_in_pty(["-o", out, url], cache_home)
    assert result.code == 0, result.err
    assert "293.0 KiB" in result.err and "%" not in result.err


def test_progress_of_a_compressed_body_has_no_total(http_server, tmpdir, cache_home):
    out = tmpdir.join("file.json")
    result = run_in_pty(["-o", out, http_server.url + "/gzip"], cache_home)
    assert result.code == 0, result.err
    assert b'"gzipped": true' in out.read_binary()  # written decoded
    assert "\r" in result.err
    assert "%" not in result.err  # Content-Length counts the gzip bytes, not the file's


def test_quiet_draws_no_progress_on_a_terminal(http_server, tmpdir, cache_home):
    out = tmpdir.join("file.bin")
    result = run_in_pty(["-q", "-o", out, http_server.url + "/bytes/%d?seed=q" % SIZE],
                        cache_home)
    assert result.code == 0
    assert out.read_binary() == random_bytes(SIZE, "q")
    assert result.err == ""


def test_no_progress_without_output_file(http_server, cache_home):
    result = run_in_pty([http_server.url + "/bytes/1000?seed=x"], cache_home)
    assert result.code == 0
    assert result.out == random_bytes(1000, "x")
    assert result.err == ""


# ------------------------------------------------------------------ -C -
def test_resume_appends_a_206(http_server, tmpdir, cache_home):
    full = random_bytes(SIZE, "r")
    out = tmpdir.join("file.bin")
    out.write_binary(full[:1000])
    url = http_server.url + "/range/%d?seed=r&k=resume206" % SIZE
    result = run(["-C", "-", "-o", out, url], cache_home)
    assert result.code == 0, result.err
    assert out.read_binary() == full
    (req,) = requests_for(http_server, "k=resume206")
    assert req.header("Range") == "bytes=1000-"


def test_resume_of_a_complete_file_is_done(http_server, tmpdir, cache_home):
    full = random_bytes(5000, "c")
    out = tmpdir.join("file.bin")
    out.write_binary(full)
    result = run(["--fail", "-C", "-", "-o", out,
                  http_server.url + "/range/5000?seed=c&k=complete"], cache_home)
    assert result.code == 0, result.err  # the 416 says the file is whole
    assert out.read_binary() == full
    (req,) = requests_for(http_server, "k=complete")
    assert req.header("Range") == "bytes=5000-"


def test_resume_rewrites_on_a_200(http_server, tmpdir, cache_home):
    out = tmpdir.join("file.bin")
    out.write_binary(b"x" * 777)
    url = http_server.url + "/bytes/5000?seed=w&k=rewrite"  # ignores Range
    assert run(["-C", "-", "-o", out, url], cache_home).code == 0
    assert out.read_binary() == random_bytes(5000, "w")
    (req,) = requests_for(http_server, "k=rewrite")
    assert req.header("Range") == "bytes=777-"


def test_resume_of_a_larger_file_is_an_error(http_server, tmpdir, cache_home):
    out = tmpdir.join("file.bin")
    out.write_binary(b"y" * 6000)
    result = run(["-C", "-", "-o", out, http_server.url + "/range/5000"], cache_home)
    assert result.code == 22
    assert "416" in result.err and "Traceback" not in result.err
    assert out.read_binary() == b"y" * 6000


def test_resume_without_a_file_starts_over(http_server, tmpdir, cache_home):
    out = tmpdir.join("file.bin")
    url = http_server.url + "/range/5000?seed=f&k=nofile"
    assert run(["-C", "-", "-o", out, url], cache_home).code == 0
    assert out.read_binary() == random_bytes(5000, "f")
    (req,) = requests_for(http_server, "k=nofile")
    assert req.header("Range") is None


def test_resume_in_a_terminal_counts_from_the_file_size(http_server, tmpdir, cache_home):
    full = random_bytes(SIZE, "t")
    out = tmpdir.join("file.bin")
    out.write_binary(full[:SIZE // 2])
    result = run_in_pty(["-C", "-", "-o", out, http_server.url + "/range/%d?seed=t" % SIZE],
                        cache_home)
    assert result.code == 0, result.err
    assert out.read_binary() == full
    assert "293.0 KiB / 293.0 KiB 100%" in result.err


# ------------------------------------------------------------------ --cache
def test_cache_dir_serves_the_second_fetch(http_server, tmpdir, cache_home):
    directory = tmpdir.join("cache")
    url = http_server.url + "/cache/3600?k=cachedir"
    first = run(["--cache-dir", directory, "-v", url], cache_home)
    second = run(["--cache-dir", directory, "-v", url], cache_home)
    assert first.code == second.code == 0
    assert first.out == second.out
    assert "(cache: hit)" in second.err
    assert len(requests_for(http_server, "k=cachedir")) == 1
    assert directory.listdir()


def test_cache_defaults_to_the_user_cache_dir(http_server, tmpdir, cache_home):
    url = http_server.url + "/cache/3600?k=cachedefault"
    assert run(["--cache", url], cache_home).code == 0
    second = run(["--cache", "-v", url], cache_home)
    assert "(cache: hit)" in second.err
    assert len(requests_for(http_server, "k=cachedefault")) == 1
    assert cache_home.join("httpkit").listdir()  # $XDG_CACHE_HOME/httpkit


def test_no_cache_without_the_option(http_server, cache_home):
    url = http_server.url + "/cache/3600?k=nocache"
    assert run([url], cache_home).code == 0
    assert run([url], cache_home).code == 0
    assert len(requests_for(http_server, "k=nocache")) == 2
    assert not os.path.exists(str(cache_home.join("httpkit")))
