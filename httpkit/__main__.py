"""``python -m httpkit``: the command line (see :mod:`httpkit._cli`)."""
from __future__ import absolute_import, division, print_function

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
