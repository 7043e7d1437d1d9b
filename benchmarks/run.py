"""Measure httpkit against requests, httpx, urllib3 and an h11 ceiling on a local nginx.

Usage: tools/bench [--quick] [--rounds N] [--only small_http,big_https] [--no-async]

One run starts nginx (benchmarks/nginx.conf) on loopback with a temp docroot
(a 13-byte file and a 100 MiB file), then plays interleaved rounds: in each
round every workload runs once per client, the client order rotated, each run
in its own subprocess (so ``ru_maxrss`` is that client's peak RSS). The table
shows medians over rounds and httpkit's ratio to each client; it is also written
to benchmarks/results.md. A client that can't run here reports "n/a".
"""
import argparse
import json
import os
import platform
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CA = os.path.join(ROOT, "tests", "certs", "ca.pem")
CERT = os.path.join(ROOT, "tests", "certs", "server.pem")
KEY = os.path.join(ROOT, "tests", "certs", "server.key")
SMALL = b"Hello, world\n"
BIG_SIZE = 100 * 1024 * 1024
CONCURRENCY = 50
WORKER_TIMEOUT = 180

# name -> (kind, scheme, path, unit, full count, quick count)
WORKLOADS = {
    "small_http": ("small", "http", "/small.txt", "req/s", 2000, 500),
    "small_https": ("small", "https", "/small.txt", "req/s", 2000, 500),
    "big_http": ("big", "http", "/big.bin", "MB/s", 1, 1),
    "big_https": ("big", "https", "/big.bin", "MB/s", 1, 1),
    "newconn_https": ("newconn", "https", "/small.txt", "req/s", 200, 60),
    "async_http": ("async", "http", "/small.txt", "req/s", 2000, 500),
}
TITLES = {
    "small_http": "sequential keep-alive GET, 13 B, HTTP",
    "small_https": "sequential keep-alive GET, 13 B, HTTPS",
    "big_http": "100 MiB streamed download, HTTP",
    "big_https": "100 MiB streamed download, HTTPS",
    "newconn_https": "new HTTPS connection per request (full handshake)",
    "async_http": "async: GETs at concurrency %d, HTTP" % CONCURRENCY,
}


# --------------------------------------------------------------------------- worker side
def worker(kind, client, url, count):
    """Run one workload in this process; return the measured rate."""
    sys.path.insert(0, HERE)
    import clients
    if kind == "async":
        func = clients.ASYNC[client][0]
        return count / func(url, count, CONCURRENCY, warm=CONCURRENCY * 2)
    adapter = next(c for c in clients.SYNC if c.name == client)
    session = adapter.open(CA)
    warm = url.rsplit("/", 1)[0] + "/small.txt"
    if adapter.get(session, warm) != SMALL:
        raise RuntimeError("wrong body from %s" % warm)
    t0 = time.perf_counter()
    if kind == "big":
        n = adapter.stream(session, url)
        if n != BIG_SIZE:
            raise RuntimeError("read %d bytes, expected %d" % (n, BIG_SIZE))
        return n / 1e6 / (time.perf_counter() - t0)
    for _ in range(count):
        adapter.get(session, url, close=(kind == "newconn"))
    return count / (time.perf_counter() - t0)


def worker_main(argv):
    kind, client, url, count = argv[0], argv[1], argv[2], int(argv[3])
    sys.path.insert(0, HERE)
    import clients
    try:
        out = {"value": worker(kind, client, url, count)}
    except clients.Unavailable as exc:
        out = {"na": str(exc)}
    except Exception as exc:  # report, don't crash the whole run
        out = {"error": "%s: %s" % (type(exc).__name__, exc)}
    out["rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("RESULT " + json.dumps(out))


# --------------------------------------------------------------------------- nginx
def find_nginx():
    return shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx")
                                     else None)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Nginx(object):
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="httpkit-bench-")
        os.chmod(self.dir, 0o755)
        self.docroot = os.path.join(self.dir, "docroot")
        os.mkdir(self.docroot)
        with open(os.path.join(self.docroot, "small.txt"), "wb") as f:
            f.write(SMALL)
        with open(os.path.join(self.docroot, "big.bin"), "wb") as f:
            for _ in range(BIG_SIZE // (1 << 20)):
                f.write(os.urandom(1 << 20))
        self.http_port, self.https_port = free_port(), free_port()
        user = "user root root;" if os.geteuid() == 0 else ""
        with open(os.path.join(HERE, "nginx.conf")) as f:
            conf = f.read() % {"user": user, "dir": self.dir, "docroot": self.docroot,
                               "http_port": self.http_port, "https_port": self.https_port,
                               "cert": CERT, "key": KEY}
        path = os.path.join(self.dir, "nginx.conf")
        with open(path, "w") as f:
            f.write(conf)
        self.proc = subprocess.Popen([find_nginx(), "-p", self.dir, "-c", path, "-e",
                                      os.path.join(self.dir, "error.log")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait()

    def _wait(self):
        deadline = time.time() + 10
        while time.time() < deadline and self.proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", self.https_port), 1).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise SystemExit("nginx did not start (see tools/services.sh)")

    def url(self, scheme, path):
        port = self.https_port if scheme == "https" else self.http_port
        return "%s://127.0.0.1:%d%s" % (scheme, port, path)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


# --------------------------------------------------------------------------- orchestration
def run_one(kind, client, url, count, env_extra):
    env = dict(os.environ, **env_extra)
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", kind, client, url, str(count)]
    try:
        out = subprocess.run(cmd, env=env, capture_output=True, text=True,
                             timeout=WORKER_TIMEOUT).stdout
    except subprocess.TimeoutExpired:
        return {"error": "timed out after %ds" % WORKER_TIMEOUT}
    for line in out.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    return {"error": "no result (worker crashed)"}


def clients_for(kind):
    sys.path.insert(0, HERE)
    import clients
    if kind == "async":
        return [(name, env) for name, (_, env) in clients.ASYNC.items()]
    return [(c.name, {}) for c in clients.SYNC]


def measure(nginx, workloads, rounds, quick):
    results = {}  # (workload, client) -> list of result dicts
    for r in range(rounds):
        t0 = time.time()
        for wl in workloads:
            kind, scheme, path, _, full, small = WORKLOADS[wl]
            names = clients_for(kind)
            names = names[r % len(names):] + names[:r % len(names)]
            for client, env in names:
                past = results.setdefault((wl, client), [])
                if past and ("na" in past[0] or "error" in past[0]):
                    continue  # it won't run in later rounds either
                past.append(run_one(kind, client, nginx.url(scheme, path),
                                    small if quick else full, env))
        print("round %d/%d done in %.1fs" % (r + 1, rounds, time.time() - t0), file=sys.stderr)
    return results


def summarize(results, workloads):
    """(workload, client) -> (median value or None, median RSS MiB, note)."""
    table = {}
    for (wl, client), runs in results.items():
        values = [x["value"] for x in runs if "value" in x]
        rss = [x["rss_kib"] / 1024 for x in runs if "rss_kib" in x]
        note = runs[0].get("na") or runs[0].get("error") or ""
        table[wl, client] = (statistics.median(values) if values else None,
                             statistics.median(rss) if rss else None,
                             "n/a" if "na" in runs[0] else note)
    return table


def fmt(value, digits=0):
    return "n/a" if value is None else ("%.*f" % (digits, value))


def render(table, workloads, header):
    lines = [header, ""]
    for wl in workloads:
        unit = WORKLOADS[wl][3]
        lines += ["### %s (%s)" % (TITLES[wl], wl), "",
                  "| client | %s (median) | peak RSS MiB | httpkit / client |" % unit,
                  "|---|---:|---:|---:|"]
        names = [c for c, _ in clients_for(WORKLOADS[wl][0])]
        ours = table.get((wl, "httpkit" if WORKLOADS[wl][0] != "async" else "httpkit.aio"))
        for name in names:
            value, rss, note = table.get((wl, name), (None, None, "not run"))
            ratio = "n/a"
            if ours and ours[0] and value:
                ratio = "%.2fx" % (ours[0] / value)
            shown = fmt(value, 1 if unit == "MB/s" else 0)
            if value is None and note and note != "n/a":
                shown = "error"
            lines.append("| %s | %s | %s | %s |" % (name, shown, fmt(rss, 1), ratio))
        notes = ["- %s: %s" % (n, table[wl, n][2]) for n in names
                 if (wl, n) in table and table[wl, n][0] is None and table[wl, n][2]]
        lines += [""] + notes + ([""] if notes else [])
    return "\n".join(lines)


def versions():
    out = []
    for mod in ("requests", "httpx", "urllib3", "h11", "aiohttp", "treq", "twisted", "httpkit"):
        try:
            m = __import__(mod)
            out.append("%s %s" % (mod, getattr(m, "__version__", "?")))
        except Exception:
            out.append("%s missing" % mod)
    nginx = subprocess.run([find_nginx(), "-v"], capture_output=True, text=True).stderr.strip()
    return "Python %s, %s, %s, %d cores. %s." % (
        platform.python_version(), nginx.replace("nginx version: ", ""),
        platform.platform(terse=True), os.cpu_count(), ", ".join(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer requests and rounds (~40 s)")
    ap.add_argument("--rounds", type=int, help="interleaved rounds (default 5, quick 2)")
    ap.add_argument("--only", help="comma-separated workloads: " + ",".join(WORKLOADS))
    ap.add_argument("--no-async", action="store_true", help="skip the async workload")
    ap.add_argument("--output", default=os.path.join(HERE, "results.md"))
    args = ap.parse_args()
    workloads = args.only.split(",") if args.only else list(WORKLOADS)
    if args.no_async:
        workloads = [w for w in workloads if WORKLOADS[w][0] != "async"]
    rounds = args.rounds or (2 if args.quick else 5)
    if not find_nginx():
        raise SystemExit("nginx not found: run tools/services.sh (as root)")
    t0 = time.time()
    nginx = Nginx()
    try:
        results = measure(nginx, workloads, rounds, args.quick)
    finally:
        nginx.stop()
    header = "# httpkit benchmarks\n\n%s\n\n%d interleaved rounds%s, medians; took %.0f s. " \
             "nginx on loopback, 1 worker, TLS session cache off.\nRatios are httpkit " \
             "(httpkit.aio for async) divided by the client: >1 means httpkit is faster." % (
                 versions(), rounds, " (--quick)" if args.quick else "", time.time() - t0)
    text = render(summarize(results, workloads), workloads, header)
    print(text)
    with open(args.output, "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker_main(sys.argv[2:])
    else:
        main()
