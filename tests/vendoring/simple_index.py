"""A package index on loopback, as pip sees PyPI: routes for :class:`servers.HTTPTestServer`.

``/simple/<project>/`` is the project page: PEP 691 JSON when the client's ``Accept``
asks for ``application/vnd.pypi.simple.v1+json`` (and ``json=True``), PEP 503 HTML
otherwise, each link carrying its ``#sha256=`` (HTML) or ``hashes`` (JSON).
``/files/<name>`` serves the distributions, cacheable for a year as PyPI's files are.
The contents are deterministic bytes: the same index is the same on every run.
Used by tests/vendoring/test_vendoring.py and the demo (tools/demo.py); 2.7 and 3.x.
"""
from __future__ import absolute_import, division, print_function

import hashlib
import json

from peer_base import Response, random_bytes

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
HTML_TYPE = "application/vnd.pypi.simple.v1+html"

# (filename, size, yanked): the newest wheel for any Python is 1.10 (not 1.9: versions
# compare as numbers); 2.0 is built for one platform, 3.0 was yanked, 1.11 is an sdist.
DEMO_FILES = (
    ("demo-1.0-py2.py3-none-any.whl", 50000, False),
    ("demo-1.9-py2.py3-none-any.whl", 60000, False),
    ("demo-1.10-py2.py3-none-any.whl", 300000, False),
    ("demo-1.11.tar.gz", 40000, False),
    ("demo-2.0-cp311-cp311-manylinux_2_17_x86_64.whl", 70000, False),
    ("demo-3.0-py2.py3-none-any.whl", 80000, True),
)
NEWEST_WHEEL = "demo-1.10-py2.py3-none-any.whl"


class SimpleIndex(object):
    """One project's files and the routes that serve them.

    Args:
        project: the normalized project name (``demo``).
        files: ``(filename, size, yanked)`` triples.
        json: offer the PEP 691 JSON form (False: HTML only, as a plain file server).
    """

    def __init__(self, project="demo", files=DEMO_FILES, json=True):
        self.project = project
        self.offer_json = json
        self.files = []
        for i, (name, size, yanked) in enumerate(files):
            body = random_bytes(size, seed=i)
            self.files.append((name, body, hashlib.sha256(body).hexdigest(), yanked))

    def routes(self):
        """``{prefix: handler}`` for HTTPTestServer(routes=...)."""
        return {"/simple/%s/" % self.project: self.project_page, "/files/": self.file}

    def sha256(self, name):
        """The hex sha256 of the file called ``name``."""
        return [digest for n, _, digest, _ in self.files if n == name][0]

    def project_page(self, req):
        if self.offer_json and JSON_TYPE in (req.header("Accept") or ""):
            return Response(200, [("Content-Type", JSON_TYPE)], self._json())
        return Response(200, [("Content-Type", "text/html; charset=utf-8")], self._html())

    def _json(self):
        files = [{"filename": name, "url": "../../files/" + name, "hashes": {"sha256": digest},
                  "yanked": yanked} for name, _, digest, yanked in self.files]
        page = {"meta": {"api-version": "1.0"}, "name": self.project, "files": files}
        return json.dumps(page).encode("utf-8")

    def _html(self):
        links = []
        for name, _, digest, yanked in self.files:
            extra = ' data-yanked=""' if yanked else ""
            links.append('<a href="../../files/%s#sha256=%s"%s>%s</a><br/>'
                         % (name, digest, extra, name))
        return ("<!DOCTYPE html>\n<html><head><meta name=\"pypi:repository-version\" "
                "content=\"1.0\"><title>Links for %s</title></head><body>\n<h1>Links for %s"
                "</h1>\n%s\n</body></html>\n" % (self.project, self.project, "\n".join(links))
                ).encode("utf-8")

    def file(self, req):
        name = req.path[len("/files/"):]
        for n, body, digest, _ in self.files:
            if n == name:
                return Response(200, [("Content-Type", "application/octet-stream"),
                                      ("Cache-Control", "max-age=31536000, public"),
                                      ("ETag", '"%s"' % digest[:16])], body)
        return Response(404, [("Content-Type", "text/plain")], b"no such file")
