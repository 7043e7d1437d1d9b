"""The documentation builds with Sphinx, every warning an error (Python 3.12 only: see conftest.py).

The same command builds it by hand:
``.venvs/py3.12/bin/python -m sphinx -W -b html docs docs/_build/html``.
No network: conf.py has no intersphinx, so nothing is fetched. conf.py sets
``nitpicky = True`` (what ``-n`` does): every cross-reference must resolve, except the
stdlib's (unresolvable offline) and private ``httpkit._*`` names (nitpick_ignore_regex).
"""
from __future__ import absolute_import, division, print_function

import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOCS = os.path.join(ROOT, "docs")
PAGES = ["index", "quickstart", "usage", "async", "caching", "cli", "design", "hostile",
         "migrating", "tls", "transports", "sessions-and-pools", "timeouts-and-limits",
         "redirects-and-auth", "proxies", "architecture", "changelog", "api/index"]


def _sphinx(builder, *options):
    out = tempfile.mkdtemp(prefix="httpkit-docs-")
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", builder]
            + list(options) + [DOCS, out],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        text = proc.communicate(timeout=300)[0].decode("utf-8", "replace")
        built = sorted(os.path.relpath(os.path.join(d, f), out)
                       for d, _, files in os.walk(out) for f in files)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return proc.returncode, text, built


def test_the_html_build_has_no_warnings_and_every_page():
    rc, text, built = _sphinx("html", "-E")
    assert rc == 0, text
    assert text.strip() == "", text
    for page in PAGES:
        assert page + ".html" in built, page
    assert "api/httpkit.html" in built
