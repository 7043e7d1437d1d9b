"""Every ```python block of docs/*.md and README.md runs as written, each in a fresh interpreter.

The conventions an example can rely on (and the only changes made to it):

- ``https://httpbin.org`` is the local httpbin-like test server (plain HTTP on
  127.0.0.1, tests/server_routes.py), because tests never leave loopback; in
  what the example prints, the server's address is turned back into
  ``https://httpbin.org``.
- ``http://proxy.example:3128`` is a forward proxy on loopback (tests/servers.py
  ``ProxyServer``: plain forwarding and CONNECT tunnels).
- ``redis://localhost:6379/0`` is a redis-server started for the examples.
- A hidden HTML comment on the line before the fence asks for more:
  ``<!-- example: tls -->`` makes ``https://httpbin.org`` the TLS test server
  (``https://localhost:PORT``, a certificate of the test CA); the example's
  working directory always holds that CA as ``ca.pem``.
  ``<!-- example: files=report.csv,big.iso -->`` creates those files (a few KiB
  of deterministic bytes) in the working directory first.
- Each example runs in a temporary directory (its cwd, ``HOME`` and
  ``XDG_CACHE_HOME``) with no proxy variables in its environment and this
  checkout's httpkit first on ``PYTHONPATH``.
- Blocks that need Python 3 (``async def``, ``await``, f-strings, anything else 2.7
  cannot compile, such as annotations) are skipped on
  2.7; the others run on 2.7 too, with ``from __future__ import print_function``
  put in front so that ``print(a, b)`` prints what it prints on 3.x.

An example asserts nothing itself: it must exit 0, and when the page shows its
output (a ```text block right after the ```python one), it must print that:
compared as doctest does with ELLIPSIS and NORMALIZE_WHITESPACE (``...`` stands
for any text), after 2.7's ``u'...'`` reprs are written as 3.x writes them.
Blocks that are not meant to run use another fence: ```text, ```pycon, or ```console
for shell commands.

Command-line examples run too: a ```console block whose first command is
``$ python -m httpkit ...`` runs each ``$`` line with /bin/sh, one after another in
one working directory (the same conventions; ``python`` is this interpreter). Each
must exit 0 (show a failing one as ``... || echo failed``), and the lines after a
command, up to the next ``$``, are its output (stdout and stderr), compared as above.
"""
from __future__ import absolute_import, division, print_function

import doctest
import glob
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PY2 = sys.version_info[0] < 3
HTTPBIN = "https://httpbin.org"
PROXY = "http://proxy.example:3128"
REDIS = "redis://localhost:6379/0"
MARKER = re.compile(r"^<!--\s*example:(.*?)-->\s*$")
PY3_ONLY = re.compile(r"\basync\s+def\b|\bawait\b|(?<![\w.])[fF][rR]?[\"']")
TIMEOUT = 60
CLI = re.compile(r"^python -m httpkit\b")
OPTIONS = ("tls", "files")  # what a <!-- example: ... --> marker may ask for


class Example(object):
    """One ```python block: where it is, its code, its options and its shown output.

    A command-line example (```console) has ``commands``: [(command, shown output)].
    """

    def __init__(self, page, line, code, options, output, commands=None):
        self.page, self.line, self.code = page, line, code
        self.options, self.output, self.commands = options, output, commands

    @property
    def id(self):
        return "%s:%d" % (self.page, self.line)

    @property
    def py3_only(self):
        if self.commands is not None:
            return False
        if PY3_ONLY.search(self.code):
            return True
        if PY2:  # annotations, keyword-only arguments...: what 2.7 cannot compile
            try:
                compile(self.code, self.id, "exec")
            except SyntaxError:
                return True
        return False

    def option(self, name):
        for opt in self.options:
            key, _, value = opt.partition("=")
            if key == name:
                return value or True
        return None


def _fence(lines, start):
    """Return (content, index after the closing fence) of the fence opened at ``start``."""
    end = start + 1
    while end < len(lines) and lines[end].rstrip() != "```":
        end += 1
    return "".join(lines[start + 1:end]), end + 1


def _next_nonblank(lines, i):
    while i < len(lines) and not lines[i].strip():
        i += 1
    return i


def _commands(block):
    """[(command, shown output)] of a console block whose first command is the CLI."""
    commands = []
    for line in block.splitlines(True):
        if line.startswith("$ "):
            commands.append([line[2:].strip(), ""])
        elif commands:
            commands[-1][1] += line
    if not commands or not CLI.match(commands[0][0]):
        return None
    return [tuple(pair) for pair in commands]


def parse_examples(path):
    """Return the :class:`Example` objects of one Markdown file, in order."""
    with io.open(path, encoding="utf-8") as f:
        lines = f.readlines()
    page = os.path.relpath(path, ROOT)
    found, i = [], 0
    while i < len(lines):
        fence = lines[i].rstrip()
        if fence not in ("```python", "```console"):
            i += 1
            continue
        before = lines[i - 1].strip() if i else ""
        marker = MARKER.match(before)
        options = marker.group(1).split() if marker else []
        code, after = _fence(lines, i)
        if fence == "```console":
            commands = _commands(code)
            if commands:
                found.append(Example(page, i + 1, code, options, None, commands))
            i = after
            continue
        output, nxt = None, _next_nonblank(lines, after)
        if nxt < len(lines) and lines[nxt].rstrip() == "```text":
            output = _fence(lines, nxt)[0]
        found.append(Example(page, i + 1, code, options, output))
        i = after
    return found


def all_examples():
    paths = sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
    return [ex for path in paths + [os.path.join(ROOT, "README.md")]
            for ex in parse_examples(path)]


EXAMPLES = all_examples()


def _params():
    reason = "Python 3 syntax (async def, await, an f-string or annotations)"
    return [pytest.param(ex, id=ex.id,
                         marks=pytest.mark.skipif(PY2 and ex.py3_only, reason=reason))
            for ex in EXAMPLES]


def _clean_env(home):
    env = dict((k, v) for k, v in os.environ.items()
               if not k.lower().endswith("_proxy") and k not in ("NETRC", "PYTHONSTARTUP"))
    env.update(HOME=home, XDG_CACHE_HOME=os.path.join(home, "cache"), PYTHONPATH=ROOT,
               PYTHONIOENCODING="utf-8")
    return env


def _make_files(home, names):
    for n, name in enumerate(names.split(",") if names else ()):
        with open(os.path.join(home, name), "wb") as f:
            f.write(bytes(bytearray((n * 7 + i) % 251 for i in range(4096))))


def _run(code, home):
    path = os.path.join(home, "example.py")
    with io.open(path, "w", encoding="utf-8") as f:
        f.write((u"from __future__ import print_function\n" if PY2 else u"") + code)
    return _wait(subprocess.Popen([sys.executable, path], cwd=home, env=_clean_env(home),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE))


def _run_command(command, home):
    """Run one shell command of a console example (stderr merged into stdout)."""
    command = CLI.sub(lambda m: "'%s' -m httpkit" % sys.executable, command)
    rc, out, _ = _wait(subprocess.Popen(["/bin/sh", "-c", command], cwd=home,
                                        env=_clean_env(home), stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT))
    return rc, out


def _wait(proc):
    if PY2:  # pytest-timeout bounds it
        out, err = proc.communicate()
    else:
        try:
            out, err = proc.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            out += b"\n[killed after %d s]" % TIMEOUT
    err = err or b""  # None when stderr goes to stdout
    return proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def _as_shown(out, replaced):
    for shown, actual in replaced:
        out = out.replace(actual, shown)
    if PY2:
        out = re.sub(r"(?<![\w'\"])u(['\"])", r"\1", out)
    return out


class _Peers(object):
    """The servers an example's placeholders stand for, started on demand."""

    def __init__(self, request, http_server):
        self.request, self.http_server = request, http_server

    def replacements(self, ex):
        base = self.http_server.url
        if ex.option("tls"):
            base = self.request.getfixturevalue("https_server").base_url("", "localhost")
            base = base.rstrip("/")
        pairs = [(HTTPBIN, base)]
        if PROXY in ex.code:
            pairs.append((PROXY, self.request.getfixturevalue("proxy_server").url))
        if REDIS in ex.code:
            pairs.append((REDIS, self.request.getfixturevalue("docs_redis_url")))
        return pairs


@pytest.mark.parametrize("ex", _params())
def test_example_runs(request, http_server, ca_bundle, ex):
    unknown = [opt for opt in ex.options if opt.partition("=")[0] not in OPTIONS]
    assert not unknown, "%s: unknown example options %r (known: %s)" % (ex.id, unknown, OPTIONS)
    replaced = _Peers(request, http_server).replacements(ex)
    code = ex.code
    for shown, actual in replaced:
        code = code.replace(shown, actual)
    home = tempfile.mkdtemp(prefix="httpkit-example-")
    try:
        shutil.copy(ca_bundle, os.path.join(home, "ca.pem"))
        _make_files(home, ex.option("files"))
        if ex.commands is not None:
            return _check_commands(ex, replaced, home)
        rc, out, err = _run(code, home)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    report = "%s\n--- code\n%s--- stdout\n%s--- stderr\n%s" % (ex.id, code, out, err)
    assert rc == 0, report
    if ex.output is not None:
        checker = doctest.OutputChecker()
        flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
        shown = _as_shown(out, replaced)
        assert checker.check_output(ex.output, shown, flags), (
            "%s\n--- the page shows\n%s--- it printed\n%s" % (report, ex.output, shown))


def _check_commands(ex, replaced, home):
    checker = doctest.OutputChecker()
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    for command, expected in ex.commands:
        for shown, actual in replaced:
            command = command.replace(shown, actual)
        rc, out = _run_command(command, home)
        report = "%s\n--- $ %s\n%s" % (ex.id, command, out)
        assert rc == 0, report
        if expected.strip():
            shown = _as_shown(out, replaced)
            assert checker.check_output(expected, shown, flags), (
                "%s--- the page shows\n%s--- it printed\n%s" % (report, expected, shown))


def test_the_readme_has_an_example_per_front_end():
    code = "\n".join(ex.code for ex in EXAMPLES if ex.page == "README.md")
    for needle in ("httpkit.get(", "httpkit.Session(", "httpkit.aio.Session(", "tx.get("):
        assert needle in code


def test_examples_are_found_and_outputs_attached():
    pages = set(ex.page for ex in EXAMPLES)
    assert "README.md" in pages and os.path.join("docs", "quickstart.md") in pages
    assert any(ex.output for ex in EXAMPLES)


def test_the_parser_reads_markers_and_outputs(tmpdir):
    page = tmpdir.join("page.md")
    page.write("text\n<!-- example: tls files=a.bin,b.bin -->\n```python\nprint(1)\n```\n\n"
               "```text\n1\n```\n```python\nasync def f(): pass\n```\n")
    first, second = parse_examples(str(page))
    assert first.option("tls") is True and first.option("files") == "a.bin,b.bin"
    assert first.code == "print(1)\n" and first.output == "1\n" and not first.py3_only
    assert second.output is None and second.py3_only and second.option("tls") is None


def test_the_parser_runs_cli_consoles_only(tmpdir):
    page = tmpdir.join("page.md")
    page.write("```console\n$ pip install httpkit\n```\n"
               "```console\n$ python -m httpkit -v URL\nHTTP/1.1 200 OK\n...\n"
               "$ python -m httpkit URL || echo failed\n```\n")
    (ex,) = parse_examples(str(page))
    assert ex.commands == [("python -m httpkit -v URL", "HTTP/1.1 200 OK\n...\n"),
                           ("python -m httpkit URL || echo failed", "")]
