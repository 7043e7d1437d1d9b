"""The child process of test_memcap.py: risky hostile cases under a memory cap.

Usage: ``python memcap_child.py FRONTEND SPEC_JSON``; FRONTEND is ``sync``,
``asyncio`` (3.x) or ``twisted``. SPEC_JSON holds ``headroom`` (bytes),
``warmup`` (a URL answering 200) and ``cases``: ``[{"name", "url",
"stream", "session": {"max_body_size", "max_decompression_ratio"}}]``.

The child first makes one request to ``warmup`` (so the front-end's modules,
threads and buffers exist), measures its address space (``VmSize``) and then
caps it with ``resource.setrlimit(RLIMIT_AS, VmSize + headroom)``: from there
on any allocation past the cap fails (MemoryError, or the process dies). It
prints one JSON line first (``{"baseline": VmSize, "cap": ...}``), then one
per case: the error's class name (None for a response), its message, the
body bytes read and VmPeak. Streamed cases read everything with
``iter_content`` / ``aiter_content`` / ``collect`` and discard it.

2.7-compatible syntax (the asyncio runner lives in memcap_child_aio.py).
"""
from __future__ import absolute_import, division, print_function

import json
import os
import resource
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))  # the worktree: its httpkit

import httpkit  # noqa: E402

#: Read size for the streamed cases.
CHUNK = 64 * 1024


def vm_status(field):
    """``VmSize``/``VmPeak``/``VmHWM`` of this process, in bytes (Linux /proc)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return None


def cap_memory(headroom):
    """Limit the address space to what is mapped now plus ``headroom``.

    Returns the JSON line to print first: ``{"baseline": VmSize, "cap": ...}``,
    from ONE reading (another thread, Twisted's say, may map more in between).
    """
    baseline = vm_status("VmSize")
    cap = baseline + headroom
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    return json.dumps({"baseline": baseline, "cap": cap})


def session_kwargs(case):
    spec = case.get("session", {})
    kwargs = {"timeout": httpkit.Timeouts(20, total=60)}
    if "max_body_size" in spec:
        kwargs["limits"] = httpkit.Limits(max_body_size=spec["max_body_size"])
    if "max_decompression_ratio" in spec:
        kwargs["max_decompression_ratio"] = spec["max_decompression_ratio"]
    return kwargs


def outcome(case, error=None, nbytes=0):
    """The JSON line for one case (``error``: the exception, or None)."""
    return json.dumps({
        "case": case["name"],
        "error": None if error is None else type(error).__name__,
        "message": None if error is None else str(error)[:300],
        "bytes": nbytes,
        "vm_peak": vm_status("VmPeak"),
    })


def emit(line):
    print(line)
    sys.stdout.flush()


# --------------------------------------------------------------------------- sync
def run_sync(spec):
    with httpkit.Session() as s:
        s.get(spec["warmup"], timeout=10).content  # noqa: B018
    emit(cap_memory(spec["headroom"]))
    for case in spec["cases"]:
        emit(sync_case(case))


def sync_case(case):
    nbytes = 0
    kwargs = session_kwargs(case)
    timeout = kwargs.pop("timeout")
    try:
        with httpkit.Session(**kwargs) as s:
            r = s.get(case["url"], stream=case["stream"], timeout=timeout,
                      verify=case.get("verify", True))
            if case["stream"]:
                for chunk in r.iter_content(CHUNK):
                    nbytes += len(chunk)
            else:
                nbytes = len(r.content)
    except (httpkit.RequestException, MemoryError) as exc:
        return outcome(case, exc, nbytes)
    return outcome(case, None, nbytes)


# --------------------------------------------------------------------------- twisted
def run_twisted(spec):
    from twisted.internet import defer, reactor
    from httpkit.aio import tx

    @defer.inlineCallbacks
    def main():
        try:
            s = tx.Session()
            r = yield s.get(spec["warmup"], timeout=10)
            yield r.content()
            yield s.close()
            emit(cap_memory(spec["headroom"]))
            for case in spec["cases"]:
                line = yield twisted_case(tx, case)
                emit(line)
        finally:
            reactor.stop()

    @defer.inlineCallbacks
    def twisted_case(tx, case):
        counted = [0]

        def count(chunk):
            counted[0] += len(chunk)
        kwargs = session_kwargs(case)
        timeout = kwargs.pop("timeout")
        s = tx.Session(**kwargs)
        try:
            r = yield s.get(case["url"], stream=case["stream"], timeout=timeout,
                      verify=case.get("verify", True))
            if case["stream"]:
                yield r.collect(count)
            else:
                body = yield r.content()
                counted[0] = len(body)
        except (httpkit.RequestException, MemoryError) as exc:
            defer.returnValue(outcome(case, exc, counted[0]))
        finally:
            yield s.close()
        defer.returnValue(outcome(case, None, counted[0]))

    reactor.callWhenRunning(main)
    reactor.run(installSignalHandlers=False)


def main(argv):
    frontend, spec = argv[1], json.loads(argv[2])
    if frontend == "sync":
        run_sync(spec)
    elif frontend == "twisted":
        run_twisted(spec)
    elif frontend == "asyncio":
        sys.path.insert(0, HERE)
        from memcap_child_aio import run_asyncio
        run_asyncio(spec)
    else:
        raise SystemExit("unknown front-end %r" % frontend)


if __name__ == "__main__":
    main(sys.argv)
