"""The command line's download display: rich's progress bar, or one plain line.

Rules:
- Driven by the request's ``on_progress`` callback (:mod:`httpkit._progress`):
  the core counts the bytes and limits the calls to ~10 a second, so a display
  only draws what it is given, and draws the last call (the complete body) too.
- rich (the ``cli`` extra, Python 3) is imported only when a bar is about to be
  drawn, never by ``import httpkit`` or by a run that draws nothing. A missing
  or broken rich, or ``HTTPKIT_NO_RICH=1`` in the environment, gives the plain
  line, silently (Python 2.7 always has the plain line).
- A display is used on a terminal only (the caller checks ``isatty()``), and
  is closed once, whether the download succeeded or not, so an error message
  starts on a line of its own.
"""
from __future__ import absolute_import, division, print_function

import os

from ._compat import monotonic

__all__ = ["open_display", "PlainLine", "RichBar"]


def open_display(stream, offset=0):
    """Return a display for a download on ``stream``: call it as ``on_progress``, then close it.

    Args:
        stream: a text stream on a terminal (stderr).
        offset: bytes of the file already there (a resumed download); counted as done.
    """
    if not os.environ.get("HTTPKIT_NO_RICH"):
        try:
            return RichBar(stream, offset)
        except Exception:  # noqa: BLE001 - not installed (2.7) or broken: the plain line
            pass
    return PlainLine(stream, offset)


def size_text(n):
    """``n`` bytes for people: ``"512 B"``, ``"12.5 MiB"``."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return ("%d %s" % (n, unit)) if unit == "B" else ("%.1f %s" % (n, unit))
        n /= 1024.0
    return ""  # pragma: no cover - the loop always returns


def duration_text(seconds):
    seconds = int(seconds + 0.5)
    return "%d:%02d:%02d" % (seconds // 3600, seconds // 60 % 60, seconds % 60)


class PlainLine(object):
    """One line redrawn in place: bytes, total and percentage, rate, ETA."""

    def __init__(self, stream, offset=0):
        self.stream, self.offset = stream, offset
        self.done, self.total = offset, None
        self._start = monotonic()
        self._width = 0

    def __call__(self, done, total):
        self.done = self.offset + done
        self.total = None if total is None else self.offset + total
        self._draw(monotonic())

    def close(self):
        """End the line (if one was drawn)."""
        if self._width:
            self.stream.write("\n")
            self.stream.flush()
            self._width = 0

    def _draw(self, now):
        elapsed = max(now - self._start, 1e-6)
        rate = (self.done - self.offset) / elapsed
        text = size_text(self.done)
        if self.total:
            text += " / %s %3d%%" % (size_text(self.total), 100 * self.done // self.total)
        text += "  %s/s" % size_text(rate)
        if self.total and rate > 0 and self.done < self.total:
            text += "  ETA %s" % duration_text((self.total - self.done) / rate)
        self.stream.write("\r" + text.ljust(self._width))
        self._width = max(len(text), 1)
        self.stream.flush()


class RichBar(object):
    """rich's Progress with pip's columns (bar, bytes, rate, ETA); the last state stays.

    Raises:
        ImportError (or anything a broken rich raises): rich cannot draw.
    """

    def __init__(self, stream, offset=0):
        from rich.console import Console
        from rich.progress import (BarColumn, DownloadColumn, Progress, TextColumn,
                                   TimeRemainingColumn, TransferSpeedColumn)
        self.offset = offset
        self._progress = Progress(
            BarColumn(), DownloadColumn(binary_units=True), TransferSpeedColumn(),
            TextColumn("ETA"), TimeRemainingColumn(),
            console=Console(file=stream), auto_refresh=False,  # drawn on each call: ~10/s
            redirect_stdout=False, redirect_stderr=False)
        self._stream = stream
        self._task = None
        self._plain = None  # the plain line, once rich failed while drawing

    def __call__(self, done, total):
        if self._plain is None:
            try:
                self._draw(done, total)
                return
            except Exception:  # noqa: BLE001 - a broken rich: the plain line from now on
                self._stop()
                self._plain = PlainLine(self._stream, self.offset)
        self._plain(done, total)

    def _draw(self, done, total):
        progress = self._progress
        total = None if total is None else self.offset + total
        if self._task is None:
            progress.start()
            self._task = progress.add_task("download", total=total, completed=self.offset)
        progress.update(self._task, completed=self.offset + done, total=total)
        progress.refresh()

    def close(self):
        """Leave the last state of the bar on its line."""
        if self._plain is not None:
            self._plain.close()
        self._stop()

    def _stop(self):
        if self._task is not None:
            self._task = None
            try:
                self._progress.stop()
            except Exception:  # noqa: BLE001 - see __call__
                pass
