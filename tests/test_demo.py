"""The README's demo command runs, and every front-end in it gets its answer."""
from __future__ import absolute_import, division, print_function

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_demo_fetches_through_every_front_end():
    proc = subprocess.Popen([sys.executable, os.path.join(ROOT, "tools", "demo.py")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        out = proc.communicate(timeout=120)[0] if sys.version_info[0] > 2 \
            else proc.communicate()[0]  # 2.7: pytest-timeout bounds it
    finally:
        if proc.poll() is None:
            proc.kill()
    text = out.decode("utf-8", "replace")
    assert proc.returncode == 0, text
    assert text.rstrip().endswith("done."), text
    sections = ["2. Blocking front-end", "4. Twisted front-end"]
    if sys.version_info[0] > 2:
        sections.append("3. asyncio front-end")
    for title in sections:
        answer = text.split(title, 1)[1].split("\n\n", 1)[0].splitlines()[1:]
        assert answer[0].split()[0] == "200", (title, text)
        assert "'world'" in " ".join(answer), (title, text)
    cache = text.split("5. HTTP caching", 1)[1].split("\n\n", 1)[0]
    assert "fetch 1: 200 cache_status=miss from_cache=False server_saw_it=True" in cache, text
    assert "fetch 2: 200 cache_status=hit from_cache=True server_saw_it=False" in cache, text
    for backend in ("stdlib", "openssl") if sys.version_info[0] > 2 else ("socketpair",):
        assert "   %s " % backend in text, text
    download = text.split("6. Download with progress", 1)[1].split("\n\n", 1)[0]
    # 8 MiB over about a second: ~10 calls (rate-limited), the last one complete.
    assert "8388608 bytes in" in download and "last (8388608, 8388608)" in download, text
    pip = text.split("7. Vendored as pip vendors it", 1)[1].split("\n\n", 1)[0]
    runs = ("sync", "aio") if sys.version_info[0] > 2 else ("sync",)
    assert pip.count("fetch 1: miss, fetch 2: hit; the server saw /simple/demo/ /files/") \
        == len(runs), text
    for front_end in runs:
        assert "   %-5s picked demo-1.10-" % front_end in pip, text
    assert pip.count("last progress call [300000, 300000]") == len(runs), text
    assert "from fakepip/fakepip/_vendor/httpkit" in pip, text
