"""A pip-shaped job: find, download and check one wheel as pip does, then again from the cache.

    python pipjob.py https://127.0.0.1:PORT/simple/demo/ --ca tests/certs/ca.pem \\
        --cache DIR [--vendor fakepip._vendor] [--aio] [--html]

1. GET the project page asking for PEP 691 JSON, as pip does (``--html``: PEP 503 only),
2. pick the newest wheel that runs anywhere and is not yanked,
3. download it with a progress callback; its sha256 must be the one the index gave,
4. download it again in a new Session on the same FileCache directory (pip's next
   run): the cache answers and nothing reaches the server.

With ``--vendor NS`` httpkit is ``NS.httpkit`` and nothing else: an import of an
un-vendored httpkit or dependency (``--guard``) is refused, and the job fails (exit 3)
if one was attempted or is in ``sys.modules`` at the end. Prints one JSON line; a
failed check exits 1. Python 2.7 and 3.x; ``--aio`` (``NS.httpkit.aio``) is 3.x.
"""
from __future__ import absolute_import, division, print_function

import argparse
import collections
import hashlib
import importlib
import json
import os
import sys

try:
    from html.parser import HTMLParser
    from urllib.parse import urljoin
except ImportError:  # Python 2.7
    from HTMLParser import HTMLParser
    from urlparse import urljoin

GUARD = ("httpkit", "h11", "urllib3", "cachecontrol", "idna", "certifi", "msgpack",
         "requests", "charset_normalizer")
JSON_TYPE = "application/vnd.pypi.simple.v1+json"
ACCEPT_JSON = JSON_TYPE + ", application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01"
ACCEPT_HTML = "application/vnd.pypi.simple.v1+html, text/html; q=0.01"

def progress_kwargs(calls):
    """The request arguments that report download progress into ``calls``."""
    return {"on_progress": lambda done, total: calls.append([done, total])}


class JobFailed(Exception):
    """A check of the job failed (exit status 1)."""


# --------------------------------------------------------------------------- the index
Link = collections.namedtuple("Link", "filename url sha256 yanked")


class _Anchors(HTMLParser):
    def __init__(self):
        HTMLParser.__init__(self)
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.found.append((attrs["href"], "data-yanked" in attrs))


def parse_index(page_url, content_type, body):
    """The Links of a project page: PEP 691 JSON or PEP 503 HTML (by its Content-Type)."""
    if content_type.split(";")[0].strip() == JSON_TYPE:
        files = json.loads(body.decode("utf-8"))["files"]
        return [Link(f["filename"], urljoin(page_url, f["url"]), f["hashes"].get("sha256"),
                     bool(f.get("yanked"))) for f in files]
    parser = _Anchors()
    parser.feed(body.decode("utf-8"))
    links = []
    for href, yanked in parser.found:
        url, _, fragment = urljoin(page_url, href).partition("#")
        name, _, digest = fragment.partition("=")
        links.append(Link(url.rsplit("/", 1)[-1], url, digest if name == "sha256" else None,
                          yanked))
    return links


def _wheel_version(filename):
    """The version of a wheel that runs on any platform under this Python, else None."""
    if not filename.endswith(".whl"):
        return None
    parts = filename[:-4].split("-")  # name-version[-build]-python-abi-platform
    if len(parts) not in (5, 6) or parts[-2:] != ["none", "any"]:
        return None
    if "py%d" % sys.version_info[0] not in parts[-3].split("."):
        return None
    try:
        return tuple(int(p) for p in parts[1].split("."))
    except ValueError:
        return None


def pick_wheel(links):
    """The newest Link to a wheel for any platform that is not yanked."""
    usable = [(_wheel_version(link.filename), link) for link in links if not link.yanked]
    usable = [(version, link) for version, link in usable if version is not None]
    if not usable:
        raise JobFailed("no usable wheel among %s" % [link.filename for link in links])
    return max(usable, key=lambda pair: pair[0])[1]


def check_hash(link, body):
    """Raise JobFailed unless ``body`` has the sha256 the index gave for ``link``."""
    digest = hashlib.sha256(body).hexdigest()
    if link.sha256 is None or digest != link.sha256:
        raise JobFailed("%s: sha256 %s, the index says %s" % (link.filename, digest, link.sha256))
    return digest


def index_headers(html_only):
    """What pip sends for a project page (a fresh copy: max-age=0)."""
    return {"Accept": ACCEPT_HTML if html_only else ACCEPT_JSON, "Cache-Control": "max-age=0"}


# --------------------------------------------------------------------------- the job
def run(httpkit, args):
    """The job through the blocking Session; returns the report."""
    calls = []
    with httpkit.Session(verify=args.ca, cache=args.cache) as s:
        page = s.get(args.index, headers=index_headers(args.html), timeout=30)
        page.raise_for_status()
        link = pick_wheel(parse_index(str(page.url), page.headers.get("Content-Type", ""),
                                      page.content))
        first = s.get(link.url, timeout=30, **progress_kwargs(calls))
        first.raise_for_status()
        digest = check_hash(link, first.content)
    with httpkit.Session(verify=args.ca, cache=args.cache) as s:  # pip's next run
        again = s.get(link.url, timeout=30)
        check_hash(link, again.content)
    return report("sync", page, link, digest, first, again, calls)


def report(front_end, page, link, digest, first, again, calls):
    """The job's JSON report (and JobFailed unless the second fetch was a cache hit)."""
    if not (again.from_cache and again.cache_status == "hit"):
        raise JobFailed("the FileCache did not answer the second fetch (%s)"
                        % again.cache_status)
    size = len(first.content)
    if not calls or calls[-1] != [size, size]:
        raise JobFailed("the progress callback ended at %s, not at [%d, %d]"
                        % (calls[-1:], size, size))
    return {"front_end": front_end, "index_type": page.headers.get("Content-Type"),
            "picked": link.filename, "sha256": digest, "size": size,
            "first": first.cache_status, "again": again.cache_status,
            "progress": calls}


# --------------------------------------------------------------------------- the guard
class UnvendoredImportGuard(object):
    """A meta-path finder refusing (and remembering) imports of un-vendored packages."""

    def __init__(self, names):
        self.names = frozenset(names)
        self.attempts = []

    def _refuse(self, fullname):
        if fullname.split(".")[0] not in self.names:
            return
        frame = sys._getframe(2)
        while frame is not None and ("importlib" in frame.f_code.co_filename
                                     or frame.f_code.co_filename.startswith("<")):
            frame = frame.f_back
        where = frame.f_code.co_filename if frame is not None else "?"
        self.attempts.append("%s (from %s)" % (fullname, where))
        raise ImportError("un-vendored import of %r from %s" % (fullname, where))

    def find_spec(self, fullname, path=None, target=None):  # Python 3
        self._refuse(fullname)
        return None

    def find_module(self, fullname, path=None):  # Python 2.7
        self._refuse(fullname)
        return None


def unvendored_modules(names, vendor):
    """Modules loaded under a top-level name in ``names`` from outside ``vendor``.

    An alias of a vendored module does not count: requests files its own modules
    under ``requests.packages.*`` in sys.modules, whatever they are called.
    """
    return sorted(name for name, module in list(sys.modules.items())
                  if name.split(".")[0] in names and module is not None
                  and not getattr(module, "__name__", "").startswith(vendor + "."))


def load_httpkit(vendor, aio):
    """Import httpkit (or httpkit.aio), from the ``vendor`` namespace when given."""
    name = "httpkit.aio" if aio else "httpkit"
    return importlib.import_module(vendor + "." + name if vendor else name)


def job(httpkit, args):
    """Run the job through ``httpkit`` (``httpkit.aio`` with --aio); return the report."""
    if not args.aio:
        return run(httpkit, args)
    import asyncio
    import pipjob_aio
    return asyncio.run(pipjob_aio.run(httpkit, args, sys.modules[__name__]))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("index", help="the project page, https://HOST/simple/PROJECT/")
    parser.add_argument("--ca", required=True, help="the CA bundle that signs the server")
    parser.add_argument("--cache", required=True, help="the FileCache directory")
    parser.add_argument("--vendor", help="the vendored namespace, e.g. fakepip._vendor")
    parser.add_argument("--guard", default=",".join(GUARD),
                        help="top-level packages that must come from --vendor only")
    parser.add_argument("--aio", action="store_true", help="use httpkit.aio (Python 3)")
    parser.add_argument("--html", action="store_true", help="ask for PEP 503 HTML only")
    args = parser.parse_args(argv)
    guard = None
    if args.vendor:
        guard = UnvendoredImportGuard(args.guard.split(","))
        sys.meta_path.insert(0, guard)
    try:
        httpkit = load_httpkit(args.vendor, args.aio)
        result = job(httpkit, args)
    except JobFailed as exc:
        print("pipjob: %s" % exc, file=sys.stderr)
        return 1
    except ImportError:
        if guard is None or not guard.attempts:
            raise
        result = None  # the guard's refusal: reported below
    if guard is not None:
        leaked = unvendored_modules(guard.names, args.vendor)
        if guard.attempts or leaked:
            print("pipjob: un-vendored imports: attempted %s, loaded %s"
                  % (guard.attempts, leaked), file=sys.stderr)
            return 3
        result["vendored"] = sorted(set(
            m[len(args.vendor) + 1:].split(".")[0] for m in sys.modules
            if m.startswith(args.vendor + ".")))
    result["httpkit"] = os.path.dirname(httpkit.__file__)
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
