"""Measure httpkit against requests, httpx, urllib3 and an h11 ceiling on a local nginx.

Usage: tools/bench [--quick] [--rounds N] [--only small_http,cache_hit_file] [--no-async]
                   [--baseline REV|none] [--no-pin]

One run starts nginx (benchmarks/nginx.conf) on loopback with a temp docroot
(a 13-byte file, the same 13 bytes served with ``Cache-Control: max-age=3600``
and a 100 MiB file), then plays interleaved rounds: in each round every
workload runs once per client, the client order rotated, each run in its own
subprocess (so ``ru_maxrss`` is that client's peak RSS). nginx and the clients
are pinned to different CPUs where the machine has two (``--no-pin``: not). The table shows
medians over rounds, the spread (min-max) and httpkit's ratio to each client;
it is also written to benchmarks/results.md. A client that can't run here
reports "n/a".

Caching: ``cache_hit_file`` times cache hits (httpkit's FileCache in a temp
dir, every measured request asserted a hit) against a network GET and against
requests + CacheControl's file cache (pip's stack). Caching off must cost
nothing: ``small_http`` also runs httpkit as of ``--baseline`` (default: the
commit before ``httpkit/cache`` was added, unpacked with ``git archive`` into a
temp dir and put first on the worker's ``sys.path``), and ``cache_off_import``
times ``import httpkit; httpkit.Session()`` in a fresh interpreter and fails
if that loads cachecontrol or requests. The "Targets" section reports each
target's pass/fail; as a 2% difference is within this harness's round-to-round
noise, it also shows cProfile's count of Python calls per small_http GET for
httpkit and the baseline (a count the machine's load does not move).
benchmarks/profile_cache_hit.py profiles the cache-hit path itself;
benchmarks/profile_async.py counts the async front-ends' loop work per GET.
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
#: CPU pinning: (nginx's CPU, the clients' CPU), or None (see pin_cpus).
PINNED = None
#: Env var naming a directory that holds another httpkit (put first on sys.path).
BASELINE_ENV = "BENCH_HTTPKIT_PATH"
#: Modules ``import httpkit; httpkit.Session()`` must not load (caching is off).
MUST_NOT_LOAD = ("cachecontrol", "requests")
#: Also shown, for information.
WATCHED = MUST_NOT_LOAD + ("msgpack", "httpkit.cache")

# name -> (kind, scheme, path, unit, full count, quick count)
WORKLOADS = {
    "small_http": ("small", "http", "/small.txt", "req/s", 2000, 500),
    "small_https": ("small", "https", "/small.txt", "req/s", 2000, 500),
    "big_http": ("big", "http", "/big.bin", "MB/s", 1, 1),
    "big_https": ("big", "https", "/big.bin", "MB/s", 1, 1),
    "newconn_https": ("newconn", "https", "/small.txt", "req/s", 200, 60),
    "newconn_resumable": ("newconn", "https-resume", "/small.txt", "req/s", 200, 60),
    "async_http": ("async", "http", "/small.txt", "req/s", 2000, 500),
    "cache_hit_file": ("cache", "http", "/cached.txt", "req/s", 5000, 1000),
    "cache_off_import": ("import", None, None, "ms", 1, 1),
}
TITLES = {
    "small_http": "sequential keep-alive GET, 13 B, HTTP",
    "small_https": "sequential keep-alive GET, 13 B, HTTPS",
    "big_http": "100 MiB streamed download, HTTP",
    "big_https": "100 MiB streamed download, HTTPS",
    "newconn_https": "new HTTPS connection per request (full handshake)",
    "newconn_resumable": "new HTTPS connection per request, to a server that resumes TLS "
                         "sessions (only httpkit offers one)",
    "async_http": "async: GETs at concurrency %d, HTTP" % CONCURRENCY,
    "cache_hit_file": "cache hits: sequential GETs of a max-age=3600 URL, 13 B, "
                      "after one GET that stored it",
    "cache_off_import": "caching off: `import httpkit; httpkit.Session()` in a fresh "
                        "interpreter (lower is better)",
}
#: The row the ratios divide by, per kind of workload.
OURS = {"small": "httpkit", "big": "httpkit", "newconn": "httpkit", "async": "httpkit.aio",
        "cache": "httpkit + FileCache", "import": "httpkit"}
#: Units where lower is better: the ratio is then client / ours.
LOWER_IS_BETTER = frozenset(["ms"])
#: Targets (issue: HTTP caching): FileCache hits vs a network GET and vs
#: requests + CacheControl; caching off costs less than 2% on small_http.
HIT_VS_NETWORK, HIT_VS_CACHECONTROL, OFF_COST = 3.0, 2.0, 0.02

# Measures the import in an interpreter that has loaded nothing else (run.py's
# own imports would pre-load modules httpkit needs). argv[1]: "plain" or "memory"
# (httpkit), or the name of another client: its import and first pool/session.
IMPORT_SNIPPET = r"""
import os, sys, time
path = os.environ.get(%(env)r)
if path:
    sys.path.insert(0, path)
t0 = time.perf_counter()
if sys.argv[1] == "urllib3":
    import urllib3
    s = urllib3.PoolManager()
elif sys.argv[1] == "requests":
    import requests
    s = requests.Session()
elif sys.argv[1] == "httpx":
    import httpx
    s = httpx.Client()
elif sys.argv[1] == "memory":
    import httpkit, httpkit.cache
    s = httpkit.Session(cache=httpkit.cache.MemoryCache())
else:
    import httpkit
    s = httpkit.Session()
elapsed = time.perf_counter() - t0
import json, resource
loaded = [m for m in %(watched)r if m in sys.modules]
out = {"value": elapsed * 1000, "loaded": loaded}
bad = [m for m in %(must_not)r if m in loaded]
if "httpkit" not in sys.modules:
    del out["loaded"]  # (what httpkit loads is the point of the other rows only)
elif path and not os.path.abspath(httpkit.__file__).startswith(os.path.abspath(path)):
    out = {"error": "imported httpkit from %%s, not %%s" %% (httpkit.__file__, path)}
elif sys.argv[1] == "plain" and bad:
    out = {"error": "import httpkit; httpkit.Session() loaded " + ", ".join(bad)}
out["rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print("RESULT " + json.dumps(out))
""" % {"env": BASELINE_ENV, "watched": WATCHED, "must_not": MUST_NOT_LOAD}


# --------------------------------------------------------------------------- worker side
def cache_worker(client, url, count):
    """Time ``count`` GETs of ``url`` after one that stored it; every one must be a hit.

    Returns (rate, note). The cache lives in a temp dir removed afterwards.
    """
    import clients
    adapter = next(c for c in clients.CACHE if c.name == client)
    directory = tempfile.mkdtemp(prefix="httpkit-bench-cache-")
    try:
        session = adapter.open(CA, directory)
        body, _ = adapter.fetch(session, url)  # stores it (or opens the connection)
        if body != SMALL:
            raise RuntimeError("wrong body from %s" % url)
        wrong = bad_body = 0
        expect = adapter.expect_hit
        t0 = time.perf_counter()
        for _ in range(count):
            body, hit = adapter.fetch(session, url)
            if bool(hit) != expect:
                wrong += 1
            if body != SMALL:
                bad_body += 1
        rate = count / (time.perf_counter() - t0)
        if wrong:
            raise RuntimeError("%d of %d measured requests were %s" % (
                wrong, count, "not cache hits" if expect else "served from a cache"))
        if bad_body:
            raise RuntimeError("%d of %d bodies were wrong" % (bad_body, count))
        return rate, getattr(adapter, "note", None)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def worker(kind, client, url, count):
    """Run one workload in this process; return (rate, note or None[, calls per request])."""
    sys.path.insert(0, HERE)
    import clients
    if kind == "cache":
        return cache_worker(client, url, count)
    if kind == "async":
        func = clients.ASYNC[client][0]
        return count / func(url, count, CONCURRENCY, warm=CONCURRENCY * 2), None
    adapter = next(c for c in clients.SYNC + clients.BIG_ONLY if c.name == client)
    session = adapter.open(CA)
    warm = url.rsplit("/", 1)[0] + "/small.txt"
    if adapter.get(session, warm) != SMALL:
        raise RuntimeError("wrong body from %s" % warm)
    t0 = time.perf_counter()
    if kind == "big":
        n = adapter.stream(session, url)
        if n != BIG_SIZE:
            raise RuntimeError("read %d bytes, expected %d" % (n, BIG_SIZE))
        return n / 1e6 / (time.perf_counter() - t0), None
    for _ in range(count):
        adapter.get(session, url, close=(kind == "newconn"))
    rate = count / (time.perf_counter() - t0)
    if kind == "small" and client == "httpkit" and url.startswith("http:"):  # small_http
        return rate, None, calls_per_request(adapter, session, url)
    return rate, None


def calls_per_request(adapter, session, url, n=200):
    """Python function calls (cProfile's count, builtins included) per GET, after timing.

    Unlike a rate, this does not move with the machine's load: the small_http
    target compares it between httpkit and the baseline.
    """
    import cProfile
    import pstats
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(n):
        adapter.get(session, url)
    prof.disable()
    return sum(v[1] for v in pstats.Stats(prof).stats.values()) / float(n)


def use_baseline():
    """Put the httpkit named by BENCH_HTTPKIT_PATH first; check that it is the one imported."""
    path = os.environ.get(BASELINE_ENV)
    if not path:
        return
    sys.path.insert(0, path)
    import httpkit
    if not os.path.abspath(httpkit.__file__).startswith(os.path.abspath(path)):
        raise RuntimeError("imported httpkit from %s, not %s" % (httpkit.__file__, path))


def worker_main(argv):
    kind, client, url, count = argv[0], argv[1], argv[2], int(argv[3])
    sys.path.insert(0, HERE)
    import clients
    try:
        use_baseline()
        measured = worker(kind, client, url, count)
        out = {"value": measured[0]}
        if measured[1]:
            out["note"] = measured[1]
        if len(measured) > 2:
            out["calls"] = measured[2]
    except clients.Unavailable as exc:
        out = {"na": str(exc)}
    except Exception as exc:  # report, don't crash the whole run
        out = {"error": "%s: %s" % (type(exc).__name__, exc)}
    out["rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("RESULT " + json.dumps(out))


# --------------------------------------------------------------------------- CPUs
def pin_cpus(enabled):
    """Give nginx one CPU and the clients another (the issue's "pin where possible").

    On a 2-core machine the two otherwise trade places with every wake-up, and a
    client's latency then depends on where the scheduler last put nginx.
    Returns (server CPU, client CPU), or None without ``sched_setaffinity`` or
    with fewer than two usable CPUs.
    """
    global PINNED
    if not enabled or not hasattr(os, "sched_setaffinity"):
        return None
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None
    PINNED = (cpus[0], cpus[1])
    return PINNED


def _pin(cpu):
    """A ``preexec_fn`` that puts the child (and what it forks) on ``cpu``; no-op unpinned."""
    if PINNED is None:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


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
        for name in ("small.txt", "cached.txt"):  # cached.txt: max-age=3600 (nginx.conf)
            with open(os.path.join(self.docroot, name), "wb") as f:
                f.write(SMALL)
        with open(os.path.join(self.docroot, "big.bin"), "wb") as f:
            for _ in range(BIG_SIZE // (1 << 20)):
                f.write(os.urandom(1 << 20))
        self.http_port, self.https_port, self.resume_port = free_port(), free_port(), free_port()
        user = "user root root;" if os.geteuid() == 0 else ""
        with open(os.path.join(HERE, "nginx.conf")) as f:
            conf = f.read() % {"user": user, "dir": self.dir, "docroot": self.docroot,
                               "http_port": self.http_port, "https_port": self.https_port,
                               "resume_port": self.resume_port,
                               "cert": CERT, "key": KEY}
        path = os.path.join(self.dir, "nginx.conf")
        with open(path, "w") as f:
            f.write(conf)
        self.proc = subprocess.Popen([find_nginx(), "-p", self.dir, "-c", path, "-e",
                                      os.path.join(self.dir, "error.log")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     preexec_fn=_pin(PINNED and PINNED[0]))
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
        """``scheme`` "https-resume": the server that resumes TLS sessions."""
        port = {"https": self.https_port, "https-resume": self.resume_port}.get(scheme,
                                                                              self.http_port)
        return "%s://127.0.0.1:%d%s" % (scheme.split("-")[0], port, path)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


# --------------------------------------------------------------------------- baseline
class Baseline(object):
    """httpkit as of an earlier commit, unpacked into a temp dir (``git archive``)."""

    def __init__(self, rev):
        self.dir = self.label = self.problem = None
        self.rev = rev or self.before_cache()
        if not self.rev:
            self.problem = "no baseline: git could not find the commit that added httpkit/cache"
            return
        try:
            sha = self._git("rev-parse", "--short", self.rev + "^{commit}").strip()
            self.dir = tempfile.mkdtemp(prefix="httpkit-bench-baseline-")
            archive = subprocess.run(["git", "-C", ROOT, "archive", sha, "httpkit"],
                                     capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", self.dir], input=archive, check=True)
        except (OSError, subprocess.CalledProcessError) as exc:
            self.problem = "no baseline: %s" % (exc,)
            self.stop()
            return
        self.sha = sha
        self.subject = self._git("log", "-1", "--format=%s", sha).strip()
        self.label = "httpkit before caching (%s)" % sha if rev is None else "httpkit at %s" % sha
        self.env = {BASELINE_ENV: self.dir}

    @staticmethod
    def _git(*args):
        return subprocess.run(["git", "-C", ROOT] + list(args), capture_output=True,
                              text=True, check=True).stdout

    @classmethod
    def before_cache(cls):
        """The parent of the commit that added httpkit/cache/__init__.py, or None."""
        try:
            added = cls._git("log", "--diff-filter=A", "--format=%H", "--",
                             "httpkit/cache/__init__.py").split()
        except (OSError, subprocess.CalledProcessError):
            return None
        return added[-1] + "^" if added else None

    def stop(self):
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None


# --------------------------------------------------------------------------- orchestration
def bytecode_env(directory):
    """Workers write and read bytecode in ``directory``: with PYTHONDONTWRITEBYTECODE
    set, the working tree's httpkit would be compiled anew by every worker while a
    baseline could have .pyc files, and import times would not compare. Nothing is
    written into the source trees."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = directory


def warm_up(workloads, baseline):
    """Import every httpkit a worker will import once, untimed, so .pyc files exist."""
    if "cache_off_import" in workloads:
        for _, client, env in clients_for("cache_off_import", baseline):
            run_one("import", client, "", 1, env)
    elif baseline and baseline.label:
        run_one("import", "plain", "", 1, baseline.env)


def run_one(kind, client, url, count, env_extra):
    env = dict(os.environ, **env_extra)
    if kind == "import":
        cmd = [sys.executable, "-c", IMPORT_SNIPPET, client]
    else:
        cmd = [sys.executable, os.path.abspath(__file__), "--worker", kind, client, url,
               str(count)]
    try:
        out = subprocess.run(cmd, env=env, capture_output=True, text=True,
                             timeout=WORKER_TIMEOUT,
                             preexec_fn=_pin(PINNED and PINNED[1])).stdout
    except subprocess.TimeoutExpired:
        return {"error": "timed out after %ds" % WORKER_TIMEOUT}
    for line in out.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    return {"error": "no result (worker crashed)"}


def clients_for(wl, baseline=None):
    """[(row label, adapter name, extra env)] for workload ``wl``, in table order."""
    sys.path.insert(0, HERE)
    import clients
    kind = WORKLOADS[wl][0]
    if kind == "async":
        return [(name, name, env) for name, (_, env) in clients.ASYNC.items()]
    if kind == "cache":
        return [(c.name, c.name, {}) for c in clients.CACHE]
    old = [(baseline.label, "httpkit", baseline.env)] if baseline and baseline.label else []
    if kind == "import":
        return ([("httpkit", "plain", {})] + [(label, "plain", env) for label, _, env in old]
                + [("httpkit, Session(cache=MemoryCache())", "memory", {})]
                + [("%s (its import and first pool/session)" % name, name, {})
                   for name in ("urllib3", "requests", "httpx")])
    rows = [(c.name, c.name, {}) for c in clients.SYNC]
    if kind == "big":
        rows += [(c.name, c.name, {}) for c in clients.BIG_ONLY]
    return rows + (old if wl == "small_http" else [])


def measure(nginx, workloads, rounds, quick, baseline):
    results = {}  # (workload, row label) -> list of result dicts, one per round
    for r in range(rounds):
        t0 = time.time()
        for wl in workloads:
            kind, scheme, path, _, full, small = WORKLOADS[wl]
            names = clients_for(wl, baseline)
            names = names[r % len(names):] + names[:r % len(names)]
            for label, client, env in names:
                past = results.setdefault((wl, label), [])
                if past and ("na" in past[0] or "error" in past[0]):
                    continue  # it won't run in later rounds either
                url = nginx.url(scheme, path) if path else ""
                past.append(run_one(kind, client, url, small if quick else full, env))
        print("round %d/%d done in %.1fs" % (r + 1, rounds, time.time() - t0), file=sys.stderr)
    return results


class Row(object):
    """One client's results for one workload."""

    def __init__(self, runs):
        self.values = [x["value"] for x in runs if "value" in x]
        rss = [x["rss_kib"] / 1024 for x in runs if "rss_kib" in x]
        self.value = statistics.median(self.values) if self.values else None
        self.rss = statistics.median(rss) if rss else None
        failed = [x for x in runs if "value" not in x]
        self.na = bool(failed) and "na" in failed[0]
        self.note = (failed[0].get("na") or failed[0].get("error") or "") if failed else ""
        infos = []
        for x in runs:
            info = x.get("note") or ("loads: " + (", ".join(x["loaded"]) or "none of "
                                     + ", ".join(WATCHED)) if "loaded" in x else None)
            if info and info not in infos:
                infos.append(info)
        self.info = "; ".join(infos)
        self.runs = runs


def summarize(results, workloads):
    """(workload, row label) -> Row."""
    return dict((key, Row(runs)) for key, runs in results.items())


def fmt(value, digits=0):
    return "n/a" if value is None else ("%.*f" % (digits, value))


def ratio(unit, ours, theirs):
    """How many times faster ours is (>1: ours is faster), or None."""
    if not ours or not theirs:
        return None
    return theirs / ours if unit in LOWER_IS_BETTER else ours / theirs


def render(table, workloads, header, baseline):
    lines = [header, ""]
    for wl in workloads:
        kind, unit = WORKLOADS[wl][0], WORKLOADS[wl][3]
        digits = 1 if unit in ("MB/s", "ms") else 0
        lines += ["### %s (%s)" % (TITLES[wl], wl), "",
                  "| client | %s (median) | spread (min-max) | peak RSS MiB | %s / client |"
                  % (unit, OURS[kind]),
                  "|---|---:|---:|---:|---:|"]
        names = [label for label, _, _ in clients_for(wl, baseline)]
        ours = table.get((wl, OURS[kind]))
        notes = []
        for name in names:
            row = table.get((wl, name))
            if row is None:
                lines.append("| %s | not run | | | |" % name)
                continue
            r = ratio(unit, ours and ours.value, row.value)
            shown = fmt(row.value, digits)
            if row.value is None and row.note and not row.na:
                shown = "error"
            spread = "%s-%s" % (fmt(min(row.values), digits), fmt(max(row.values), digits)) \
                if row.values else ""
            lines.append("| %s | %s | %s | %s | %s |" % (
                name, shown, spread, fmt(row.rss, 1), "n/a" if r is None else "%.2fx" % r))
            if row.note:
                notes.append("- %s: %s" % (name, row.note))
            if row.info:
                notes.append("- %s: %s" % (name, row.info))
        lines += [""] + notes + ([""] if notes else [])
    return "\n".join(lines)


def paired(table, wl, ours, theirs, unit):
    """Per-round ratios of two rows measured in the same rounds."""
    a, b = table.get((wl, ours)), table.get((wl, theirs))
    if not a or not b:
        return []
    return [ratio(unit, x.get("value"), y.get("value")) for x, y in zip(a.runs, b.runs)
            if "value" in x and "value" in y]


def calls_of(row):
    counts = [x["calls"] for x in row.runs if "calls" in x] if row else []
    return statistics.median(counts) if counts else None


def verdict(ok, *rows):
    """PASS/FAIL; FAIL whenever a round of a row it rests on failed (e.g. a request missed)."""
    if any(row is not None and row.note and not row.na for row in rows):
        return "FAIL (a run failed: see the notes above)"
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def targets(table, workloads, baseline, previous):
    """The "Targets" section: each target of the caching issue, measured, PASS or FAIL."""
    lines = ["### Targets (HTTP caching)", "",
             "| target | measured | result |", "|---|---|---|"]

    def value(wl, label):
        row = table.get((wl, label))
        return row.value if row else None

    def spread_of(values):
        return "; per round %.2f-%.2fx" % (min(values), max(values)) if values else ""

    if "cache_hit_file" in workloads:
        ours = value("cache_hit_file", "httpkit + FileCache")
        for label, goal in (("httpkit, no cache (network GET)", HIT_VS_NETWORK),
                            ("requests + CacheControl (file)", HIT_VS_CACHECONTROL)):
            r = ratio("req/s", ours, value("cache_hit_file", label))
            per = paired(table, "cache_hit_file", "httpkit + FileCache", label, "req/s")
            lines.append("| FileCache hit >= %gx %s | %s%s | %s |" % (
                goal, label, "n/a" if r is None else "%.2fx" % r, spread_of(per),
                verdict(None if r is None else r >= goal,
                        table.get(("cache_hit_file", "httpkit + FileCache")),
                        table.get(("cache_hit_file", label)))))
    if "small_http" in workloads:
        label = baseline.label if baseline else None
        r = ratio("req/s", value("small_http", "httpkit"), value("small_http", label)) \
            if label else None
        per = paired(table, "small_http", "httpkit", label, "req/s") if label else []
        what = "httpkit / %s: %s (ratio of medians)%s" % (label, "%.3fx" % r, spread_of(per)) \
            if r else (baseline.problem if baseline and baseline.problem else "no baseline row")
        # Two views: the ratio of the medians, and the median of the per-round ratios
        # (both rows ran in the same round, so slow drift cancels out). They must agree.
        floor = 1 - OFF_COST
        views = [x for x in (r, statistics.median(per) if per else None) if x is not None]
        ok = None if not views else (True if all(x >= floor for x in views) else
                                     False if all(x < floor for x in views) else "split")
        result = verdict(ok if ok != "split" else True, table.get(("small_http", "httpkit")),
                         table.get(("small_http", label)))
        if per:
            result += " (median of the per-round ratios %.3fx)" % statistics.median(per)
        if ok == "split" and not result.startswith("FAIL"):
            result = "INCONCLUSIVE: the ratio of medians and the median per-round ratio " \
                     "fall on either side of %.2fx (%.3fx, %.3fx): the noise is larger than " \
                     "the 2%% tested; rerun on a quiet machine, or with more rounds" % (
                         floor, views[0], views[1])
        elif per and min(per) < floor <= max(per):
            result += "; %d of %d rounds on the other side of %.2fx" % (
                len([x for x in per if (x < floor) == bool(ok)]), len(per), floor)
        lines.append("| caching off costs < %d%% on small_http | %s | %s |" % (
            OFF_COST * 100, what, result))
        calls = [calls_of(table.get(("small_http", name))) for name in ("httpkit", label)]
        if label and all(c is not None for c in calls):
            lines.append("| (no target) Python function calls per small_http GET, counted by "
                         "cProfile: independent of load | httpkit %.1f, %s %.1f (%+.1f, %+.2f%%) "
                         "| info |" % (calls[0], label, calls[1], calls[0] - calls[1],
                                       100.0 * (calls[0] - calls[1]) / calls[1]))
    if "cache_off_import" in workloads:
        row = table.get(("cache_off_import", "httpkit"))
        ok = None if row is None or row.na else (row.value is not None and not row.note)
        lines.append("| `import httpkit; httpkit.Session()` loads neither %s | %s | %s |" % (
            " nor ".join(MUST_NOT_LOAD), (row.note or row.info) if row else "not run",
            verdict(ok)))
    lines.append("")
    if "small_http" in workloads and previous:
        lines += ["For comparison, the previous benchmarks/results.md (%s) had httpkit "
                  "small_http at %s req/s. That run was at another time, on other code: it "
                  "cannot resolve 2%%; the baseline row above, measured in the same rounds, "
                  "is the comparison the target uses." % (previous[1], previous[0]), ""]
    if baseline and baseline.label:
        lines += ["%s: httpkit as of commit %s (\"%s\"), imported from a `git archive` of it." % (
            baseline.label, baseline.sha, baseline.subject[:90]), ""]
    return "\n".join(lines) if len(lines) > 5 else ""


#: Issue 13's targets: (workload, our row, their row, goal). The ratio is ours /
#: theirs (for ms, theirs / ours); the target holds when it is >= goal.
SPEED_TARGETS = [
    ("small_http", "httpkit", "h11 ceiling", 0.7),
    ("small_https", "httpkit", "h11 ceiling", 0.7),
    ("async_http", "httpkit.aio", "aiohttp", 0.6),
    ("async_http", "httpkit.aio", "aiohttp (pure)", 1.4),
    ("async_http", "httpkit tx", "treq", 1.5),
    ("newconn_https", "httpkit", "urllib3", 1.5),
    ("big_http", "httpkit", "urllib3", 1.0),
    ("big_https", "httpkit", "urllib3", 1.0),
    ("big_http", "httpkit", "raw socket loop", 0.9),
    ("big_https", "httpkit", "raw socket loop", 0.9),
    ("cache_off_import", "httpkit",
     "urllib3 (its import and first pool/session)", 1.0),
]


def speed_targets(table, workloads):
    """The "Targets (speed)" section: each of issue 13's ratios, with the spread of
    the per-round ratios (both rows ran in the same rounds), PASS or FAIL."""
    lines = ["### Targets (speed)", "",
             "| target | ratio of medians | per-round ratios | result |", "|---|---:|---:|---|"]
    for wl, ours, theirs, goal in SPEED_TARGETS:
        if wl not in workloads:
            continue
        unit = WORKLOADS[wl][3]
        a, b = table.get((wl, ours)), table.get((wl, theirs))
        r = ratio(unit, a.value if a else None, b.value if b else None)
        per = paired(table, wl, ours, theirs, unit)
        lines.append("| %s: %s >= %gx %s | %s | %s | %s |" % (
            wl, ours, goal, theirs, "n/a" if r is None else "%.2fx" % r,
            "%.2f-%.2fx" % (min(per), max(per)) if per else "n/a",
            verdict(None if r is None else r >= goal, a, b)))
    return "\n".join(lines) + "\n" if len(lines) > 4 else ""


def previous_small_http():
    """(httpkit's small_http median, where from) in the last committed benchmarks/results.md.

    Read from git, not the work tree: an earlier run of this harness may have
    overwritten the file already. None when there is no such number.
    """
    try:
        text = Baseline._git("show", "HEAD:benchmarks/results.md")
        where = Baseline._git("log", "-1", "--format=committed in %h, %cs", "--",
                              os.path.join(HERE, "results.md")).strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    section = text.split("(small_http)", 1)
    if len(section) < 2:
        return None
    for line in section[1].split("###", 1)[0].splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells and cells[0] == "httpkit" and len(cells) > 1:
            return cells[1], where
    return None


def code_version():
    """Which httpkit the "httpkit" rows ran: the commit, and whether httpkit/ had edits."""
    try:
        sha = Baseline._git("rev-parse", "--short", "HEAD").strip()
        dirty = Baseline._git("status", "--porcelain", "--", "httpkit").strip()
        if dirty:
            import hashlib
            diff = Baseline._git("diff", "HEAD", "--", "httpkit") + dirty
            dirty = hashlib.sha1(diff.encode("utf-8", "replace")).hexdigest()[:8]
    except (OSError, subprocess.CalledProcessError):
        return "httpkit from the work tree"
    return "httpkit from the work tree at %s%s" % (
        sha, " plus uncommitted changes under httpkit/ (diff %s)" % dirty if dirty else "")


def code_now(start):
    """code_version() now, saying so when it changed while the rounds ran."""
    end = code_version()
    if end == start:
        return end
    return "%s at the start, %s at the end: the code changed during the run, so rounds " \
           "measured different code" % (start, end.replace("httpkit from the work tree at ", ""))


def versions():
    out = []
    for mod in ("requests", "httpx", "urllib3", "h11", "aiohttp", "treq", "twisted",
                "cachecontrol", "httpkit"):
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
    ap.add_argument("--baseline", help="git revision of the httpkit that small_http and "
                    "cache_off_import also run (default: the commit before httpkit/cache "
                    "was added; 'none': no baseline row)")
    ap.add_argument("--output", default=os.path.join(HERE, "results.md"))
    ap.add_argument("--no-pin", action="store_true", help="don't pin nginx and the clients "
                    "to different CPUs")
    args = ap.parse_args()
    workloads = args.only.split(",") if args.only else list(WORKLOADS)
    unknown = [w for w in workloads if w not in WORKLOADS]
    if unknown:
        ap.error("unknown workload(s) %s; choose from %s" % (", ".join(unknown),
                                                              ", ".join(WORKLOADS)))
    if args.no_async:
        workloads = [w for w in workloads if WORKLOADS[w][0] != "async"]
    rounds = args.rounds or (2 if args.quick else 5)
    if not find_nginx():
        raise SystemExit("nginx not found: run tools/services.sh (as root)")
    previous = previous_small_http()
    load0, code0 = os.getloadavg()[0], code_version()
    t0 = time.time()
    baseline = None
    if args.baseline != "none" and ("small_http" in workloads
                                    or "cache_off_import" in workloads):
        baseline = Baseline(args.baseline)
        if baseline.problem:
            print(baseline.problem, file=sys.stderr)
    pinned = pin_cpus(not args.no_pin)
    pycache = tempfile.mkdtemp(prefix="httpkit-bench-pycache-")
    bytecode_env(pycache)
    nginx = Nginx()
    try:
        warm_up(workloads, baseline)
        results = measure(nginx, workloads, rounds, args.quick, baseline)
    finally:
        nginx.stop()
        if baseline:
            baseline.stop()
        shutil.rmtree(pycache, ignore_errors=True)
    header = "# httpkit benchmarks\n\n%s\n\n%d interleaved rounds%s, medians; took %.0f s. " \
             "nginx on loopback, 1 worker, TLS session cache and tickets off (on for " \
             "newconn_resumable's server only); %s.\nRatios are the row the " \
             "column names (httpkit; httpkit.aio for async; httpkit + FileCache for cache " \
             "hits) divided by the client: >1 means httpkit is faster " \
             "(for ms, lower is better: the ratio is client / httpkit).\nSpread: the lowest " \
             "and highest of the rounds. %s; load average (1 min) %.2f at the start, %.2f at " \
             "the end." % (versions(), rounds, " (--quick)" if args.quick else "",
                           time.time() - t0,
                           "nginx on CPU %d, clients on CPU %d" % pinned if pinned
                           else "CPUs not pinned", code_now(code0), load0, os.getloadavg()[0])
    table = summarize(results, workloads)
    text = render(table, workloads, header, baseline)
    for goals in (targets(table, workloads, baseline, previous),
                  speed_targets(table, workloads)):
        if goals:
            text += "\n" + goals
    print(text)
    with open(args.output, "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker_main(sys.argv[2:])
    else:
        main()
