"""Child process for the FileCache concurrency test: write and read ONE key, over and over.

Usage: python child_hammer.py DIRECTORY KEY WORKER START_AT MAX_SECONDS BODY_SIZE WRITES

Runs until it has stored WRITES bodies, or for MAX_SECONDS on a busy machine.

Every write stores one of 64 bodies unique to the worker, all of the same
length (so the size alone never tells two bodies apart), through the store
API: ``writer(key)``, several ``write()`` pieces, ``commit(meta, ttl)`` with
metadata from cachecontrol's Serializer carrying the body's SHA-256 and
writer (prepared before the race, so writes come fast). Every 7th write is
discarded half-way. Between writes the worker reads the key two ways:

- twice with ``load()`` + ``_entry.decode`` as the cache flow does it
  (``_flow._lookup``: the stamp, length and checksum checks that decide a
  miss); every body it would serve as read must carry the headers of its
  own body (SHA-256, length, writer). Every 5th such read is "revalidated":
  ``update()`` with new metadata and the stamp read, as after a 304;
- every 8th time, through a real ``Session`` with ``Cache-Control: only-if-cached``
  (the key is that URL; nothing goes to the network): a 504 is a miss, an
  error while reading the body is a miss caught late, and every 200 must
  pass the same check (this covers bodies streamed from the file, too).

Prints one JSON line of counters.
"""
from __future__ import absolute_import, division, print_function

import hashlib
import json
import sys
import time

import httpkit
from httpkit.cache import FileCache
from httpkit.cache._flow import _lookup

from cache_helpers import http_date, serialized_meta

TTL = 3600
SLOTS = 64
READS = 2  # fast reads per write


def body_for(worker, slot, size):
    unit = ("writer %02d slot %04d|" % (worker, slot)).encode("ascii")
    return (unit * (size // len(unit) + 1))[:size]


def headers_for(worker, body, extra=()):
    return [("Date", http_date()), ("Cache-Control", "max-age=3600"),
            ("Content-Length", str(len(body))), ("ETag", '"%s"' % hashlib.sha1(body).hexdigest()),
            ("X-Body-Sha256", hashlib.sha256(body).hexdigest()), ("X-Writer", str(worker))] \
        + list(extra)


def prepared(worker, size):
    """SLOTS (body, metadata) pairs: serializing outside the race makes writes frequent."""
    pairs = []
    for slot in range(SLOTS):
        body = body_for(worker, slot, size)
        pairs.append((body, serialized_meta(headers_for(worker, body))))
    return pairs


def write(store, key, pairs, iteration, counts):
    body, meta = pairs[iteration % SLOTS]
    writer = store.writer(key)
    quarter = max(1, len(body) // 4)
    pieces = [body[i:i + quarter] for i in range(0, len(body), quarter)]
    if iteration % 7 == 6:
        writer.write(pieces[0])
        writer.discard()
        counts["discards"] += 1
        return
    for piece in pieces:
        writer.write(piece)
    if writer.commit(meta, TTL):
        counts["writes"] += 1


def lookup(store, key, counts, mismatches):
    """What the cache flow would serve for ``key``; its entry, or None for a miss."""
    found = _lookup(store, key)
    if found is None:
        counts["misses"] += 1
        return None
    try:
        if not isinstance(found.body, bytes):  # streamed: checked by serve() as it is read
            counts["streamed"] += 1
            return found.entry
        counts["hits"] += 1
        problems = check(found.entry.headers, found.body)
        if problems:
            mismatches.append(problems)
        return found.entry
    finally:
        found.close()


def serve(session, url, counts, mismatches):
    """GET ``url`` from the cache only, as a user would; check what is served."""
    try:
        response = session.get(url, headers={"Cache-Control": "only-if-cached"})
        body = response.content
    except httpkit.RequestException:
        counts["late_misses"] += 1  # the flow noticed the swap while reading: not served
        return
    if response.status_code == 504:
        counts["served_misses"] += 1
        return
    counts["served"] += 1
    problems = check(response.headers, body)
    if problems:
        mismatches.append(problems)


def check(headers, body):
    want_sha = headers.get("X-Body-Sha256")
    got_sha = hashlib.sha256(body).hexdigest()
    writer = body[len(b"writer "):len(b"writer ") + 2].decode("ascii", "replace")
    problems = []
    if want_sha != got_sha:
        problems.append("sha256 %s in metadata, body has %s" % (want_sha, got_sha))
    if headers.get("Content-Length") != str(len(body)):
        problems.append("Content-Length %s, body is %d bytes"
                        % (headers.get("Content-Length"), len(body)))
    if not writer.isdigit() or headers.get("X-Writer") != str(int(writer)):
        problems.append("metadata of writer %s, body of writer %r"
                        % (headers.get("X-Writer"), writer))
    if problems and headers.get("X-Revalidated"):
        problems.append("metadata from update() by worker.serial %s"
                        % headers.get("X-Revalidated"))
    return "; ".join(problems)


def revalidate(store, key, entry, worker, serial, counts):
    keep = [(n, v) for n, v in entry.headers.raw_items()
            if n.lower() not in ("date", "x-revalidated")]
    headers = keep + [("Date", http_date()), ("X-Revalidated", "%d.%d" % (worker, serial))]
    store.update(key, serialized_meta(headers), TTL, entry.stamp)
    counts["updates"] += 1


def main(argv):
    directory, key = argv[0], argv[1]
    worker, start_at, seconds, size = int(argv[2]), float(argv[3]), float(argv[4]), int(argv[5])
    enough = int(argv[6])
    store = FileCache(directory)
    session = httpkit.Session(cache=store)
    counts = dict.fromkeys(["writes", "discards", "updates", "hits", "streamed", "misses",
                            "served", "served_misses", "late_misses"], 0)
    mismatches = []
    pairs = prepared(worker, size)
    time.sleep(max(0.0, min(start_at - time.time(), 10.0)))  # start together (bounded)
    deadline = time.time() + seconds
    iteration = 0
    while time.time() < deadline and counts["writes"] < enough:
        write(store, key, pairs, iteration, counts)
        for _ in range(READS):
            entry = lookup(store, key, counts, mismatches)
            found = counts["hits"] + counts["streamed"]
            if entry is not None and found % 5 == 0:
                revalidate(store, key, entry, worker, found, counts)
        if iteration % 8 == 0:  # the slower, end-to-end read: often enough, not too often
            serve(session, key, counts, mismatches)
        iteration += 1
    session.close()
    counts["mismatches"] = len(mismatches)
    counts["examples"] = mismatches[:5]
    print(json.dumps(counts))


if __name__ == "__main__":
    main(sys.argv[1:])
