"""Profile httpkit's cache-hit path: N hits on a FileCache (or MemoryCache), sorted by self time.

Usage: .venvs/bench/bin/python benchmarks/profile_cache_hit.py [--hits 2000] [--memory] [--top 15]

A loopback http.server thread serves one 13-byte body with ``Cache-Control:
max-age=3600``; one GET stores it in a FileCache in a temp dir, then ``--hits``
GETs are profiled with cProfile (every one asserted a hit: no request reaches
the server). Prints the top functions by tottime (self time), and the hit rate
without the profiler for scale.
"""
import argparse
import cProfile
import http.server
import io
import os
import pstats
import shutil
import sys
import tempfile
import threading
import time

BODY = b"Hello, world\n"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(BODY)))
        self.send_header("Cache-Control", "max-age=3600")
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args):
        pass


def hits(session, url, n):
    for _ in range(n):
        r = session.get(url)
        if r.content != BODY or not r.from_cache:
            raise SystemExit("not a cache hit: %r" % (r.cache_status,))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hits", type=int, default=2000)
    ap.add_argument("--memory", action="store_true", help="MemoryCache instead of FileCache")
    ap.add_argument("--top", type=int, default=15)
    args = ap.parse_args()
    import httpkit
    import httpkit.cache
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True  # the keep-alive handler thread must not block shutdown
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = "http://127.0.0.1:%d/cached.txt" % server.server_address[1]
    directory = tempfile.mkdtemp(prefix="httpkit-profile-cache-")
    try:
        store = httpkit.cache.MemoryCache() if args.memory else httpkit.cache.FileCache(directory)
        s = httpkit.Session(cache=store)
        r = s.get(url)
        if r.content != BODY or r.from_cache:
            raise SystemExit("the warm-up GET was not a stored miss")
        hits(s, url, 200)  # warm
        t0 = time.perf_counter()
        hits(s, url, args.hits)
        rate = args.hits / (time.perf_counter() - t0)
        prof = cProfile.Profile()
        prof.enable()
        hits(s, url, args.hits)
        prof.disable()
        s.close()
    finally:
        server.shutdown()
        shutil.rmtree(directory, ignore_errors=True)
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("tottime").print_stats(args.top)
    total = sum(v[2] for v in stats.stats.values())
    print("%s hits: %.0f/s without the profiler (%.1f us each); profiled: %d calls, "
          "%.3f s self time in all" % ("MemoryCache" if args.memory else "FileCache", rate,
                                       1e6 / rate, sum(v[1] for v in stats.stats.values()),
                                       total))
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip()))


if __name__ == "__main__":
    sys.exit(main())
