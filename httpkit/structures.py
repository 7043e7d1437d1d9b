"""General-purpose mappings with requests' names: CaseInsensitiveDict, LookupDict.

``from httpkit.structures import CaseInsensitiveDict`` is the drop-in for
``from requests.structures import CaseInsensitiveDict`` (``httpkit.utils``
has it too). Response and request headers are :class:`httpkit.Headers`, not
this class: Headers validates header names and values and keeps repeated
fields; a CaseInsensitiveDict holds any value under any string key.

:class:`LookupDict` is the type of :data:`httpkit.codes`.

.. versionadded:: 0.1
"""
from __future__ import absolute_import, division, print_function

from collections import OrderedDict

from ._compat import Mapping, MutableMapping

__all__ = ["CaseInsensitiveDict", "LookupDict"]


class CaseInsensitiveDict(MutableMapping):
    """A dict whose string keys compare case-insensitively (requests' class).

    The case of the key set last is kept: ``list(d)``, ``keys()`` and
    ``items()`` show it, while lookups, ``in`` and ``del`` ignore case::

        d = CaseInsensitiveDict()
        d["Accept"] = "application/json"
        d["aCCEPT"] == "application/json"   # True
        list(d) == ["Accept"]               # True

    Equality with any mapping ignores the case of keys; ``copy()`` returns a
    CaseInsensitiveDict; ``lower_items()`` yields ``(lower-case key, value)``.

    Args:
        data: a mapping or an iterable of ``(key, value)`` pairs, or None.
        **kwargs: more items, added after ``data``.
    """

    def __init__(self, data=None, **kwargs):
        self._store = OrderedDict()
        self.update(data or {}, **kwargs)

    def __setitem__(self, key, value):
        self._store[key.lower()] = (key, value)

    def __getitem__(self, key):
        return self._store[key.lower()][1]

    def __delitem__(self, key):
        del self._store[key.lower()]

    def __iter__(self):
        return (cased for cased, _ in self._store.values())

    def __len__(self):
        return len(self._store)

    def lower_items(self):
        """Yield ``(key.lower(), value)`` for every item, in insertion order."""
        return ((lower, pair[1]) for lower, pair in self._store.items())

    def __eq__(self, other):
        if not isinstance(other, Mapping):
            return NotImplemented
        return dict(self.lower_items()) == dict(CaseInsensitiveDict(other).lower_items())

    def __ne__(self, other):
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = None

    def copy(self):
        """Return a shallow copy (a CaseInsensitiveDict with the same keys' cases)."""
        return CaseInsensitiveDict(self._store.values())

    def __repr__(self):
        return str(dict(self.items()))


class LookupDict(dict):
    """Names looked up as attributes or items (the type of :data:`httpkit.codes`).

    ``d.name`` raises AttributeError for an unknown name, while ``d["name"]``
    and ``d.get("name")`` return None (or the default), as in requests. The
    names live in the instance's attributes, not in the dict itself.

    Args:
        name: what the lookup is called (shown by ``repr``).
    """

    def __init__(self, name=None):
        self.name = name
        dict.__init__(self)

    def __repr__(self):
        return "<lookup '%s'>" % (self.name,)

    def __getitem__(self, key):
        return self.__dict__.get(key, None)

    def get(self, key, default=None):
        """Return the value of ``key``, or ``default`` when there is none."""
        return self.__dict__.get(key, default)
