"""Cookie jars: the public names, in requests' spellings.

``Session.cookies`` and ``Response.cookies`` are :class:`CookieJar` objects: the
stdlib jar's rules (domain, path, secure, expiry) with requests' dict-like
methods. Code written for ``requests.cookies`` finds the same names here:
``RequestsCookieJar``, ``cookiejar_from_dict``, ``create_cookie``, ``merge_cookies``
and ``CookieConflictError``.

.. versionadded:: 0.1
"""
from __future__ import absolute_import, division, print_function

from ._cookies import (CookieConflictError, CookieJar, cookiejar_from_dict, create_cookie,
                       merge_cookies)

__all__ = ["CookieJar", "RequestsCookieJar", "CookieConflictError", "cookiejar_from_dict",
           "create_cookie", "merge_cookies"]

#: requests' name for the same class.
RequestsCookieJar = CookieJar
