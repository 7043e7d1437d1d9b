"""README.md's Python examples run as written, each in a fresh interpreter.

The one change made to them: ``https://httpbin.org`` becomes the local test
server (plain HTTP on 127.0.0.1, httpbin's routes), because tests never leave
loopback. The asyncio example needs Python 3, so 2.7 runs the others.
"""
from __future__ import absolute_import, division, print_function

import io
import os
import re
import shutil
import subprocess
import sys
import tempfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def _examples():
    with io.open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        return BLOCK.findall(f.read())


def _runnable_here():
    return [code for code in _examples() if sys.version_info[0] > 2 or "async def" not in code]


def test_the_readme_has_an_example_per_front_end():
    examples = "\n".join(_examples())
    for needle in ("httpkit.get(", "httpkit.Session(", "httpkit.aio.Session(", "tx.get("):
        assert needle in examples


@pytest.mark.parametrize("index", range(len(_runnable_here())))
def test_readme_example_runs(http_server, index):
    code = _runnable_here()[index]
    base = "http://127.0.0.1:%d" % http_server.port
    home = tempfile.mkdtemp()
    try:
        path = os.path.join(home, "example.py")
        with io.open(path, "w", encoding="utf-8") as f:
            f.write(code.replace("https://httpbin.org", base))
        env = dict(os.environ, HOME=home, XDG_CACHE_HOME=os.path.join(home, "cache"),
                   PYTHONPATH=ROOT)
        proc = subprocess.Popen([sys.executable, path], cwd=home, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        out = proc.communicate(timeout=60)[0] if sys.version_info[0] > 2 \
            else proc.communicate()[0]  # 2.7: pytest-timeout bounds it
    finally:
        shutil.rmtree(home)
    text = out.decode("utf-8", "replace")
    assert proc.returncode == 0, code + "\n---\n" + text
    if "async def" in code:
        assert "200 {'q': 'aio'}" in text, text
    elif "tx.get(" in code:
        assert "{'q': 'tx'}" in text or "{u'q': u'tx'}" in text, text
    else:
        assert "{'q': 'httpkit'}" in text or "{u'q': u'httpkit'}" in text, text
        assert "200000" in text and "bytes streamed" in text, text  # 2.7 prints a tuple
