"""FileCache: entries as files, shared by processes, the layout cachecontrol and pip use.

Rules:
- One entry is two files named from the key's SHA-224 (cachecontrol's
  layout, ``a/b/c/d/e/<hash>`` and ``<hash>.body``), so pip's HTTP cache and
  httpkit's can be one directory.
- Every write is a temporary file beside its target, then ``os.replace``:
  a reader sees the old file or the new one, never half of one. The body goes
  first, then the metadata, which carries a stamp of the body it belongs to:
  its size, inode, mtime (ms) and CRC-32. Two processes storing the same key
  can still finish in the order body A, body B, metadata B, metadata A; the
  reader then finds metadata A's stamp does not match body B and treats the
  entry as a miss. Size, inode and mtime alone are not enough: ext4 hands a
  freed inode to the next new file, and mtimes come from a clock that ticks
  every few ms, so a third writer's body can look like A's; the CRC-32 tells
  them apart (checked on load for bodies read at once, at the end of the
  stream for larger ones). So a reader never pairs one response's head with
  another's body, and no lock (or lock library) is needed.
- A body being written lives in ``<hash>.body.<random>.tmp``; discarding
  removes it. The directory and its files are private to the user (0700/0600).
"""
from __future__ import absolute_import, division, print_function

import errno
import hashlib
import os
import shutil
import sys
import tempfile
import zlib

from ._store import BaseStore, BodyWriter, Stored

__all__ = ["FileCache", "default_cache_dir"]

_HEX = frozenset("0123456789abcdef")
_O_RDONLY = os.O_RDONLY | getattr(os, "O_BINARY", 0)
#: Bodies up to this size are read whole by load(); larger ones are streamed.
_READ_AT_ONCE = 256 * 1024

if hasattr(os, "replace"):
    _replace = os.replace
else:  # pragma: no cover - 2.7: rename replaces atomically on POSIX
    _replace = os.rename


def default_cache_dir(appname="httpkit"):
    """The user's cache directory for ``appname``, by platform convention.

    Linux and other Unixes: ``$XDG_CACHE_HOME/httpkit`` or ``~/.cache/httpkit``;
    macOS: ``~/Library/Caches/httpkit``; Windows: ``%LOCALAPPDATA%\\httpkit\\Cache``.
    """
    if sys.platform.startswith("win"):
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~\\AppData\\Local")
        return os.path.join(base, appname, "Cache")
    if sys.platform == "darwin":
        return os.path.join(os.path.expanduser("~/Library/Caches"), appname)
    base = os.environ.get("XDG_CACHE_HOME")
    if not base or not os.path.isabs(base):
        base = os.path.expanduser("~/.cache")
    return os.path.join(base, appname)


def _make_dirs(path):
    try:
        os.makedirs(path, 0o700)
    except OSError as exc:
        if exc.errno != errno.EEXIST or not os.path.isdir(path):
            raise


def _identity(st):
    """``[size, inode, mtime in ms]``; 2.7's float st_mtime may be 1 ms off 3.x's st_mtime_ns.

    The inode alone could be reused by a later body; size and mtime make that harmless.
    """
    mtime_ns = getattr(st, "st_mtime_ns", None)
    mtime_ms = mtime_ns // 1000000 if mtime_ns is not None else int(st.st_mtime * 1000)
    return [st.st_size, st.st_ino, mtime_ms]


def _open_or_none(path):
    """A read-only file descriptor, or None when the file is not there."""
    try:
        return os.open(path, _O_RDONLY)
    except (IOError, OSError) as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return None
        raise


def _read_all(fd, size):
    parts = []
    while size > 0:
        part = os.read(fd, size)
        if not part:
            break
        parts.append(part)
        size -= len(part)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _write_atomically(path, data):
    directory = os.path.dirname(path)
    _make_dirs(directory)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=os.path.basename(path) + ".",
                               suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        _replace(tmp, path)
    except BaseException:
        _unlink(tmp)
        raise


def _unlink(path):
    try:
        os.unlink(path)
    except OSError:
        pass


class FileCache(BaseStore):
    """Entries in a directory, shared by every process (and by pip's HTTP cache).

    Args:
        directory: where entries live; default :func:`default_cache_dir`.
            Created private to the user (mode 0700) when missing.
        max_body_size: bodies longer than this are not stored (default None:
            any size; bodies stream to disk, never into memory).

    .. versionadded:: 0.1
    """

    def __init__(self, directory=None, max_body_size=None):
        self.directory = os.path.abspath(os.path.expanduser(directory or default_cache_dir()))
        self.max_body_size = max_body_size
        self._paths = {}  # key -> path: hashing every lookup costs more than the rest
        _make_dirs(self.directory)

    def path_for(self, key):
        """The metadata file of ``key`` (its body is the same path plus ``.body``)."""
        path = self._paths.get(key)
        if path is None:
            hashed = hashlib.sha224(key.encode("utf-8")).hexdigest()
            path = os.path.join(self.directory, *(list(hashed[:5]) + [hashed]))
            if len(self._paths) >= 4096:
                self._paths.clear()
            self._paths[key] = path
        return path

    def load(self, key):
        path = self.path_for(key)
        fd = _open_or_none(path)
        if fd is None:
            return None
        try:
            meta = _read_all(fd, os.fstat(fd).st_size)
        finally:
            os.close(fd)
        fd = _open_or_none(path + ".body")
        if fd is None:
            return Stored(meta)
        try:
            st = os.fstat(fd)
            if st.st_size <= _READ_AT_ONCE:  # small: read now, no more trips to a thread
                return Stored(meta, _read_all(fd, st.st_size), _identity(st), st.st_size)
            body, fd = os.fdopen(fd, "rb"), None
        finally:
            if fd is not None:
                os.close(fd)
        return Stored(meta, body, _identity(st), st.st_size)

    def writer(self, key):
        return _FileWriter(self, self.path_for(key))

    def update(self, key, meta, ttl, stamp=None):
        if stamp is not None:
            from ._entry import stamp as add_stamp
            meta = add_stamp(meta, stamp)
        _write_atomically(self.path_for(key), meta)

    def delete(self, key):
        path = self.path_for(key)
        _unlink(path)  # metadata first: a reader never finds metadata without its body
        _unlink(path + ".body")

    def clear(self):
        """Remove every entry (only the hashed folders: other files are left alone)."""
        for name in os.listdir(self.directory):
            full = os.path.join(self.directory, name)
            if name in _HEX and os.path.isdir(full):
                shutil.rmtree(full, ignore_errors=True)

    def __repr__(self):
        return "FileCache(%r)" % (self.directory,)


class _FileWriter(BodyWriter):
    """Streams a body into ``<hash>.body.<random>.tmp``; commit renames it into place."""

    def __init__(self, store, path):
        BodyWriter.__init__(self, store.max_body_size)
        self._path = path
        self._file = self._tmp = None
        self._crc = 0

    def _append(self, data):
        if self._file is None:
            directory = os.path.dirname(self._path)
            _make_dirs(directory)
            fd, self._tmp = tempfile.mkstemp(dir=directory,
                                             prefix=os.path.basename(self._path) + ".body.",
                                             suffix=".tmp")
            self._file = os.fdopen(fd, "wb")
        self._file.write(data)
        self._crc = zlib.crc32(data, self._crc)

    def _store(self, meta, ttl):
        if self._file is None:
            self._append(b"")
        self._file.flush()
        # The stamp names this file (renaming keeps its inode, size and mtime) and its bytes.
        stamp = _identity(os.fstat(self._file.fileno())) + [self._crc & 0xffffffff]
        self._file.close()
        _replace(self._tmp, self._path + ".body")
        self._tmp = None
        from ._entry import stamp as add_stamp
        _write_atomically(self._path, add_stamp(meta, stamp))

    def _release(self):
        f, self._file = self._file, None
        if f is not None:
            f.close()
        tmp, self._tmp = self._tmp, None
        if tmp is not None:
            _unlink(tmp)

    def __del__(self):
        # A response dropped without close() never reaches discard(): no temp file may stay.
        try:
            self._release()
        except Exception:  # noqa: BLE001 - never raise from a finalizer
            pass
