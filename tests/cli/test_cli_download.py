"""``python -m httpkit -o FILE``: saving, the progress line (in a pseudo-terminal),
resuming with ``-C -`` and ``--cache``.
"""
from __future__ import absolute_import, division, print_function

import os
import sys
import time

import pytest

from cli_helpers import ROOT, run, run_in_pty
from peer_base import random_bytes

SIZE = 300000
#: The plain progress line even where rich is installed (the 3.x test envs).
PLAIN = {"HTTPKIT_NO_RICH": "1"}
HAS_RICH = sys.version_info[0] >= 3  # the 3.x test envs install the cli extra (rich)


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
    result = run_in_pty(["-o", out, http_server.url + "/bytes/%d?seed=p" % SIZE], cache_home,
                        env=PLAIN)
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
    result = run_in_pty(["-o", out, url], cache_home, env=PLAIN)
    took = time.time() - started
    assert result.code == 0, result.err
    draws = result.err.count("\r") - 1  # the final line ends with \r\n on the terminal
    assert 2 <= draws <= took / 0.1 + 2, result.err
    assert "ETA 0:00:0" in result.err
    assert "19.5 KiB / 19.5 KiB 100%" in result.err


def test_progress_without_a_length(http_server, tmpdir, cache_home):
    out = tmpdir.join("file.bin")
    url = http_server.url + "/stream-bytes/%d?seed=n" % SIZE  # chunked: no Content-Length
    result = run_in_pty(["-o", out, url], cache_home, env=PLAIN)
    assert result.code == 0, result.err
    assert "293.0 KiB" in result.err and "%" not in result.err


def test_progress_of_a_compressed_body_counts_wire_bytes(http_server, tmpdir, cache_home):
    out = tmpdir.join("file.json")
    result = run_in_pty(["-o", out, http_server.url + "/gzip"], cache_home, env=PLAIN)
    assert result.code == 0, result.err
    body = out.read_binary()
    assert b'"gzipped": true' in body  # written decoded
    # on_progress counts the bytes as sent (gzip'd), so they reach Content-Length.
    done, _, _, total, _, percent = result.err.rstrip("\r\n").split("\r")[-1].split()[:6]
    assert (done, percent) == (total, "100%"), result.err
    assert int(done) < len(body)


def test_quiet_draws_no_progress_on_a_terminal(http_server, tmpdir, cache_home):
    out = tmpdir.join("file.bin")
    result = run_in_pty(["-q", "-o", out, http_server.url + "/bytes/%d?seed=q" % SIZE],
                        cache_home)  # (rich or not)
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
                        cache_home, env=PLAIN)
    assert result.code == 0, result.err
    assert out.read_binary() == full
    assert "293.0 KiB / 293.0 KiB 100%" in result.err


def test_resume_at_an_offset_replaces_what_follows(http_server, tmpdir, cache_home):
    full = random_bytes(SIZE, "z")
    out = tmpdir.join("file.bin")
    out.write_binary(full[:2000] + b"garbage after byte 1500")
    url = http_server.url + "/range/%d?seed=z&k=offset" % SIZE
    result = run(["-C", "1500", "-o", out, url], cache_home)
    assert result.code == 0, result.err
    assert out.read_binary() == full
    (req,) = requests_for(http_server, "k=offset")
    assert req.header("Range") == "bytes=1500-"


def test_resume_at_an_offset_past_the_file_is_an_error(http_server, tmpdir, cache_home):
    out = tmpdir.join("file.bin")
    out.write_binary(b"short")
    url = http_server.url + "/range/5000?k=past"
    result = run(["-C", "100", "-o", out, url], cache_home)
    assert result.code == 1
    assert "byte 100" in result.err and "5 bytes" in result.err
    assert "Traceback" not in result.err
    assert out.read_binary() == b"short"
    assert requests_for(http_server, "k=past") == []  # refused before sending


def test_resume_at_offset_zero_is_a_plain_download(http_server, tmpdir, cache_home):
    out = tmpdir.join("file.bin")
    out.write_binary(b"old content")
    url = http_server.url + "/range/5000?seed=0&k=zero"
    assert run(["-C", "0", "-o", out, url], cache_home).code == 0
    assert out.read_binary() == random_bytes(5000, "0")
    (req,) = requests_for(http_server, "k=zero")
    assert req.header("Range") is None


# ------------------------------------------------------------------ the bar: rich or plain
def _last_draw(err):
    return err.replace("\r\n", "\n").rstrip("\n").split("\r")[-1]


def test_bar_is_rich_where_installed_else_plain(http_server, tmpdir, cache_home):
    out = tmpdir.join("file.bin")
    result = run_in_pty(["-o", out, http_server.url + "/bytes/%d?seed=b" % SIZE], cache_home)
    assert result.code == 0, result.err
    assert out.read_binary() == random_bytes(SIZE, "b")
    if HAS_RICH:  # rich's columns: the bar, done/total, the rate, the ETA
        assert "293.0/293.0 KiB" in result.err, result.err
        assert u"\u2501" in result.err and "ETA" in result.err and "/s" in result.err
        assert "293.0 KiB / 293.0 KiB" not in result.err
    else:  # 2.7: the plain line
        assert "293.0 KiB / 293.0 KiB 100%" in _last_draw(result.err)


@pytest.mark.skipif(not HAS_RICH, reason="rich is the cli extra of Python 3 (2.7: plain only)")
def test_rich_bar_resumes_and_streams_without_length(http_server, tmpdir, cache_home):
    full = random_bytes(SIZE, "u")
    out = tmpdir.join("file.bin")
    out.write_binary(full[:SIZE // 2])
    result = run_in_pty(["-C", "-", "-o", out, http_server.url + "/range/%d?seed=u" % SIZE],
                        cache_home)
    assert result.code == 0, result.err
    assert out.read_binary() == full
    assert "146.5/293.0 KiB" in result.err or "146.6/293.0 KiB" in result.err, result.err
    assert "293.0/293.0 KiB" in result.err
    chunked = tmpdir.join("chunked.bin")
    url = http_server.url + "/stream-bytes/%d?seed=v" % SIZE  # no Content-Length
    result = run_in_pty(["-o", chunked, url], cache_home)
    assert result.code == 0, result.err
    assert chunked.read_binary() == random_bytes(SIZE, "v")
    assert "293.0/? KiB" in result.err, result.err


@pytest.mark.skipif(not HAS_RICH, reason="rich is the cli extra of Python 3 (2.7: plain only)")
def test_rich_bar_redraws_at_most_ten_times_a_second(http_server, tmpdir, cache_home):
    out = tmpdir.join("file.bin")
    url = http_server.url + "/drip?numbytes=20000&duration=1.5"
    started = time.time()
    result = run_in_pty(["-o", out, url], cache_home)
    took = time.time() - started
    assert result.code == 0, result.err
    draws = result.err.count("\x1b[2K")  # rich erases the line before each redraw
    assert 2 <= draws <= took / 0.1 + 3, result.err
    assert "19.5/19.5 KiB" in result.err


def test_broken_rich_falls_back_to_the_plain_line(http_server, tmpdir, cache_home):
    fake = tmpdir.mkdir("fake-site").mkdir("rich")
    fake.join("__init__.py").write("raise RuntimeError('a broken rich install')\n")
    out = tmpdir.join("file.bin")
    env = {"PYTHONPATH": os.pathsep.join([str(tmpdir.join("fake-site")), ROOT])}
    result = run_in_pty(["-o", out, http_server.url + "/bytes/%d?seed=k" % SIZE], cache_home,
                        env=env)
    assert result.code == 0, result.err
    assert out.read_binary() == random_bytes(SIZE, "k")
    assert "293.0 KiB / 293.0 KiB 100%" in _last_draw(result.err)
    assert "Traceback" not in result.err and "broken" not in result.err


def test_rich_is_not_imported_when_no_bar_is_drawn(http_server, tmpdir, cache_home):
    # A rich that would fail loudly if imported: no -o, -q, and a pipe all leave it alone.
    fake = tmpdir.mkdir("loud-site").mkdir("rich")
    fake.join("__init__.py").write("import sys\nsys.stderr.write('RICH IMPORTED')\n")
    env = {"PYTHONPATH": os.pathsep.join([str(tmpdir.join("loud-site")), ROOT])}
    out = tmpdir.join("file.bin")
    url = http_server.url + "/bytes/1000?seed=i"
    for args in ([url], ["-q", "-o", out, url]):
        result = run_in_pty(args, cache_home, env=env)
        assert result.code == 0 and "RICH IMPORTED" not in result.err, result.err


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
