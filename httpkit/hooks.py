"""Event hooks with requests' names: ``default_hooks()`` and ``dispatch_hook()``.

httpkit has one event, ``"response"``: each hook is called as
``hook(response, **kwargs)`` after every response (each redirect hop
included), and a hook that returns something other than None replaces the
response. ``Session(hooks=...)``, ``session.hooks`` and ``hooks=`` on a call
take the dict :func:`default_hooks` returns, with a callable or a list of them
per event.

.. versionadded:: 0.1
"""
from __future__ import absolute_import, division, print_function

__all__ = ["HOOKS", "default_hooks", "dispatch_hook"]

#: The events a hook can be registered for.
HOOKS = ["response"]


def default_hooks():
    """Return a new hooks dict with an empty list per event: ``{"response": []}``."""
    return dict((event, []) for event in HOOKS)


def dispatch_hook(key, hooks, hook_data, **kwargs):
    """Call the hooks registered for one event, each on the last one's result.

    Args:
        key: the event (``"response"``).
        hooks: a hooks dict (a callable or a list of callables per event), or None.
        hook_data: what the first hook receives (the response).
        **kwargs: passed on to every hook.

    Returns:
        ``hook_data`` as the last hook that returned something left it.
    """
    callables = (hooks or {}).get(key)
    if not callables:
        return hook_data
    if callable(callables):
        callables = [callables]
    for hook in callables:
        result = hook(hook_data, **kwargs)
        if result is not None:
            hook_data = result
    return hook_data
