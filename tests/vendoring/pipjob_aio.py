"""pipjob.py's job through httpkit.aio (Python 3): the same steps, awaited."""
from __future__ import annotations


async def run(aio, args, job):
    """The job through ``aio.Session``; ``job`` is pipjob (its steps); returns the report."""
    calls: list = []
    async with aio.Session(verify=args.ca, cache=args.cache) as s:
        page = await s.get(args.index, headers=job.index_headers(args.html), timeout=30)
        page.raise_for_status()
        link = job.pick_wheel(job.parse_index(str(page.url), page.headers.get("Content-Type", ""),
                                              page.content))
        first = await s.get(link.url, timeout=30, **job.progress_kwargs(calls))
        first.raise_for_status()
        digest = job.check_hash(link, first.content)
    async with aio.Session(verify=args.ca, cache=args.cache) as s:  # pip's next run
        again = await s.get(link.url, timeout=30)
        job.check_hash(link, again.content)
    return job.report("aio", page, link, digest, first, again, calls)
