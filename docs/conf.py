"""Sphinx configuration of httpkit's documentation (docs/).

Build: ``.venvs/py3.12/bin/python -m sphinx -W -b html docs docs/_build/html``
(tests/docs/test_sphinx.py runs the same build, warnings as errors). The pages
are Markdown, read by myst-parser; the API reference is autodoc over the public
modules' docstrings (Google style: napoleon). Nothing is fetched at build time.
"""
from __future__ import absolute_import, division, print_function

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)  # document this checkout's httpkit, whatever is installed

import httpkit  # noqa: E402

project = "httpkit"
author = "the httpkit authors"
copyright = "2026, the httpkit authors"
release = httpkit.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]

# `[text](#a-heading)` links between and inside pages, as GitHub renders them.
myst_heading_anchors = 3
myst_enable_extensions = ["deflist"]

autodoc_member_order = "bysource"
autodoc_default_options = {"show-inheritance": True}
autodoc_preserve_defaults = True  # `timeout=UNSET`, not `<object object at ...>`
autodoc_typehints = "none"
autodoc_inherit_docstrings = False  # the stdlib's (MutableMapping...) are not ours to render  # signatures as written; types live in the docstrings
napoleon_google_docstring = True
napoleon_numpy_docstring = False

# -n (nitpicky) holds: every cross-reference resolves, except the ones that cannot
# without a network (the stdlib's objects: no intersphinx here) and private names
# (httpkit._*), which the reference deliberately leaves out.
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(abc|collections\.abc|enum|json\.decoder|http\.cookiejar)\.\w+"),
    (r"py:.*", r"httpkit(\.\w+)*\._\w+(\.\w+)*"),
]

html_theme = "alabaster"
html_title = "httpkit %s" % release
html_static_path = []

# Pages other work of this release adds; until each one lands, index.md's toctree
# simply goes without it (a toctree entry naming a missing page fails the -W build).
OPTIONAL_PAGES = ("progress", "pip", "packaging", "typing")


def _drop_missing_optional_pages(app, docname, source):
    if docname != "index":
        return
    here = os.path.dirname(os.path.abspath(__file__))
    missing = [name for name in OPTIONAL_PAGES
               if not os.path.exists(os.path.join(here, name + ".md"))]
    lines = source[0].split("\n")
    source[0] = "\n".join(line for line in lines if line.strip() not in missing)


def _exceptions_by_short_name(app, env, node, contnode):
    """Resolve ``InvalidTimeout`` / ``httpkit.InvalidTimeout`` to httpkit.exceptions.

    Docstrings name exceptions as users write them (``httpkit.InvalidURL``, or bare
    in a Raises section); the reference documents each once, in httpkit.exceptions.
    """
    if node.get("refdomain") != "py" or node.get("reftype") not in ("exc", "class", "obj"):
        return None
    import httpkit.exceptions
    name = node["reftarget"].rsplit(".", 1)[-1]
    if node["reftarget"] not in (name, "httpkit." + name):
        return None
    if not isinstance(getattr(httpkit.exceptions, name, None), type):
        return None
    node = node.deepcopy()
    node["reftarget"] = "httpkit.exceptions." + name
    return env.domains["py"].resolve_xref(env, node["refdoc"], app.builder, "exc",
                                          node["reftarget"], node, contnode)


def setup(app):
    app.connect("source-read", _drop_missing_optional_pages)
    app.connect("missing-reference", _exceptions_by_short_name)
