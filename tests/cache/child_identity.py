"""Child process for the cache tests: what FileCache.load() says of a stored body.

Usage: python child_identity.py DIRECTORY KEY
Prints one JSON line: ``identity`` (``Stored.identity``, compared with the
stamp in the metadata) and ``stamp`` (that stamp, decoded by this Python).
"""
from __future__ import absolute_import, division, print_function

import json
import sys

from httpkit.cache import FileCache
from httpkit.cache._entry import decode


def main(argv):
    stored = FileCache(argv[0]).load(argv[1])
    try:
        print(json.dumps({"identity": stored.identity, "stamp": decode(stored.meta).stamp}))
    finally:
        stored.close()


if __name__ == "__main__":
    main(sys.argv[1:])
