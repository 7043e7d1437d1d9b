"""The asyncio part of the demo (Python 3 only: async syntax)."""
import asyncio

import httpkit.aio as aio


def fetch(url, ca):
    async def main():
        async with aio.Session(verify=ca) as s:
            r = await s.get(url)
            return r.status_code, r.json()

    return asyncio.run(main())
