"""Profile the async front-ends per request: event-loop work and Python calls per GET.

Usage: PYTHONPATH=$PWD .venvs/bench/bin/python benchmarks/profile_async.py
       [--client httpkit.aio] [--requests 2000] [--concurrency 50] [--top 25]

(The bench env's httpkit is an editable install of one work tree: PYTHONPATH
picks this one; the first line printed says which was profiled.)

Clients: httpkit.aio, aiohttp, httpkit.tx, treq. Starts the benchmarks' nginx
(run.py's, without its 100 MiB file), warms up with 500 GETs, then profiles
``--requests`` keep-alive GETs of the 13-byte body at ``--concurrency`` with
cProfile (which sees the whole loop: it runs in this thread). Prints, per
request: loop iterations, callbacks run, futures or Deferreds made, timers
armed, ``data_received`` calls and transport writes (counted from the
profile), all Python calls, and the functions called most. Call counts are
deterministic to within a few; the req/s line is for scale only (profiled).
"""
import argparse
import asyncio
import cProfile
import os
import pstats
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import clients  # noqa: E402 - benchmarks/clients.py: run_on_reactor
import run  # noqa: E402 - benchmarks/run.py: its Nginx

WARM = 500

#: What to count: label -> (file suffix, function name) of the Python function.
ASYNCIO_EVENTS = [
    ("loop iterations", ("asyncio/base_events.py", "_run_once")),
    ("callbacks run", ("asyncio/events.py", "_run")),
    ("futures made", ("asyncio/base_events.py", "create_future")),
    ("timers armed", ("asyncio/base_events.py", "call_at")),
    ("data_received", (None, "data_received")),
    ("transport writes", ("asyncio/selector_events.py", "write")),
]
TWISTED_EVENTS = [
    ("reactor iterations", ("twisted/internet/epollreactor.py", "doPoll")),
    ("Deferreds made", ("twisted/internet/defer.py", "__init__")),
    ("timers armed", ("twisted/internet/base.py", "callLater")),
    ("dataReceived", (None, "dataReceived")),
    ("transport writes", ("twisted/internet/abstract.py", "write")),
    ("transport writeSequence", ("twisted/internet/abstract.py", "writeSequence")),
]


def asyncio_fetcher(client, url, concurrency):
    if client == "aiohttp":
        import aiohttp
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency))

        async def fetch():
            async with session.get(url) as r:
                await r.read()
        return fetch, session.close
    import httpkit.aio
    session = httpkit.aio.Session()

    async def fetch():
        (await session.get(url)).content
    return fetch, session.aclose


def profile_asyncio(client, url, count, concurrency):
    async def batch(fetch, total):
        async def worker(n):
            for _ in range(n):
                await fetch()
        await asyncio.gather(*(worker(total // concurrency) for _ in range(concurrency)))

    async def main():
        fetch, close = asyncio_fetcher(client, url, concurrency)
        await batch(fetch, WARM)
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        await batch(fetch, count)
        profile.disable()
        seconds = time.perf_counter() - started
        await close()
        return profile, seconds
    return asyncio.run(main())


def profile_twisted(client, url, count, concurrency):
    from twisted.internet import defer, reactor
    state = {}

    async def fetch():
        if client == "treq":
            import treq
            from twisted.web.client import HTTPConnectionPool
            if "pool" not in state:
                state["pool"] = HTTPConnectionPool(reactor, persistent=True)
                state["pool"].maxPersistentPerHost = concurrency
            await treq.content(await treq.get(url, pool=state["pool"]))
        else:
            import httpkit.aio.tx
            if "session" not in state:
                state["session"] = httpkit.aio.tx.Session()
            await (await state["session"].get(url)).content()

    async def batch(total):
        async def worker(n):
            for _ in range(n):
                await fetch()
        await defer.gatherResults([defer.ensureDeferred(worker(total // concurrency))
                                   for _ in range(concurrency)], consumeErrors=True)

    async def main():
        await batch(WARM)
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        await batch(count)
        profile.disable()
        return profile, time.perf_counter() - started
    return clients.run_on_reactor(main)


def count_of(stats, where, name):
    return sum(row[1] for (path, _, func), row in stats.stats.items()
               if func == name and (where is None or path.endswith(where)))


def report(stats, events, count, top):
    print("per GET:")
    for label, (where, name) in events:
        print("  %-24s %7.2f" % (label, count_of(stats, where, name) / count))
    print("  %-24s %7.1f" % ("Python calls", sum(r[1] for r in stats.stats.values()) / count))
    print("most called (calls per GET, self us per GET under the profiler):")
    rows = sorted(stats.stats.items(), key=lambda item: -item[1][1])[:top]
    for (path, line, func), row in rows:
        place = "%s:%d" % ("/".join(path.split("/")[-2:]), line) if line else "(builtin)"
        print("  %7.2f %7.1f  %s %s" % (row[1] / count, row[2] / count * 1e6, place, func))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--client", default="httpkit.aio",
                    choices=["httpkit.aio", "aiohttp", "httpkit.tx", "treq"])
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    import httpkit
    print("httpkit from %s" % os.path.dirname(os.path.dirname(httpkit.__file__)))
    run.BIG_SIZE = 0  # the 100 MiB download file: not needed here
    nginx = run.Nginx()
    try:
        url = nginx.url("http", "/small.txt")
        twisted = args.client in ("httpkit.tx", "treq")
        profiler = profile_twisted if twisted else profile_asyncio
        profile, seconds = profiler(args.client, url, args.requests, args.concurrency)
    finally:
        nginx.stop()
    print("%s: %d GETs at concurrency %d, %.0f req/s under the profiler"
          % (args.client, args.requests, args.concurrency, args.requests / seconds))
    report(pstats.Stats(profile), TWISTED_EVENTS if twisted else ASYNCIO_EVENTS,
           args.requests, args.top)


if __name__ == "__main__":
    main()
