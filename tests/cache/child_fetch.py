"""Child process for the cache tests: GETs through one cached httpkit Session.

Usage: python child_fetch.py STORE URL [URL...] [--stream CHUNK]
  STORE: ``none``, ``file:<directory>`` or ``redis:<redis://url>``.
Prints one JSON line: status, cache_status, from_cache, size and sha256 of
the body of the last URL, ``cache_statuses`` of every URL, and the
process's peak RSS in KiB (``ru_maxrss``).
"""
from __future__ import absolute_import, division, print_function

import argparse
import hashlib
import json
import resource
import sys

import httpkit
import httpkit.cache


def make_session(store):
    if store == "none":
        return httpkit.Session()
    kind, _, where = store.partition(":")
    if kind == "file":
        return httpkit.Session(cache=httpkit.cache.FileCache(where))
    if kind == "redis":
        return httpkit.Session(cache=httpkit.cache.RedisCache(where))
    raise SystemExit("unknown store %r" % (store,))


def fetch(session, url, chunk):
    digest, size = hashlib.sha256(), 0
    response = session.get(url, stream=bool(chunk))
    for piece in response.iter_content(chunk) if chunk else [response.content]:
        digest.update(piece)
        size += len(piece)
    response.close()
    return {"status": response.status_code, "cache_status": response.cache_status,
            "from_cache": response.from_cache, "size": size, "sha256": digest.hexdigest()}


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("store")
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--stream", type=int, default=0, help="iter_content chunk size")
    args = parser.parse_args(argv)
    with make_session(args.store) as session:
        results = [fetch(session, url, args.stream) for url in args.urls]
    out = dict(results[-1])
    out["cache_statuses"] = [r["cache_status"] for r in results]
    out["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
