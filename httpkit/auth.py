"""Authentication: the public names, in requests' and httpx's spellings.

``auth=("user", "pass")`` is Basic auth; the classes here cover the rest::

    httpkit.get(url, auth=httpkit.auth.DigestAuth("user", "pass"))
    httpkit.get(url, auth=httpkit.auth.HTTPDigestAuth("user", "pass"))  # requests' name

Every one runs unchanged in the blocking, asyncio and Twisted front-ends:
auth is a flow in the shared core (an ``auth_flow(request)`` generator that
yields requests and is sent back responses), so a Digest challenge is answered
the same way everywhere and credentials never follow a redirect to another origin.

Custom auth: subclass :class:`Auth` and write ``auth_flow``, or subclass
:class:`AuthBase` and write requests' ``__call__(request) -> request``.

.. versionadded:: 0.1
"""
from __future__ import absolute_import, division, print_function

from ._auth import Auth, BasicAuth, BearerAuth, DigestAuth, DigestAuthError, NetrcAuth

__all__ = ["Auth", "AuthBase", "BasicAuth", "BearerAuth", "DigestAuth", "DigestAuthError",
           "NetrcAuth", "HTTPBasicAuth", "HTTPDigestAuth"]

#: requests' names for the same classes.
HTTPBasicAuth = BasicAuth
HTTPDigestAuth = DigestAuth


class AuthBase(object):
    """requests' auth protocol: override ``__call__(request)``, change the request, return it.

    Called once per request sent (each redirect hop and retry included);
    ``request`` is a :class:`httpkit.PreparedRequest`. For challenge/response
    schemes, subclass :class:`Auth` instead.
    """

    def __call__(self, request):
        raise NotImplementedError("subclasses of AuthBase implement __call__(request)")
