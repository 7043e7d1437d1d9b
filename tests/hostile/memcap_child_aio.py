"""The asyncio runner of memcap_child.py (3.x only: imported by the child on demand)."""
from __future__ import annotations

import asyncio

import httpkit
import httpkit.aio as aio

from memcap_child import CHUNK, cap_memory, emit, outcome, session_kwargs


async def _case(case: dict) -> str:
    nbytes = 0
    kwargs = session_kwargs(case)
    timeout = kwargs.pop("timeout")
    try:
        async with aio.Session(**kwargs) as s:
            r = await s.get(case["url"], stream=case["stream"], timeout=timeout,
                      verify=case.get("verify", True))
            if case["stream"]:
                async for chunk in r.aiter_content(CHUNK):
                    nbytes += len(chunk)
            else:
                nbytes = len(await r.aread())
    except (httpkit.RequestException, MemoryError) as exc:
        return outcome(case, exc, nbytes)
    return outcome(case, None, nbytes)


async def _main(spec: dict) -> None:
    async with aio.Session() as s:
        r = await s.get(spec["warmup"], timeout=10)
        await r.aread()
    emit(cap_memory(spec["headroom"]))
    for case in spec["cases"]:
        emit(await _case(case))


def run_asyncio(spec: dict) -> None:
    asyncio.run(_main(spec))
