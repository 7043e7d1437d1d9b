"""httpkit's blocking front-end (``httpkit.Session``, ``httpkit.get``...)."""
from __future__ import absolute_import, division, print_function

from ._session import Session, delete, get, head, options, patch, post, put, request  # noqa: F401
