"""The command line: ``python -m httpkit`` (and the ``httpkit`` console script).

Usage::

    httpkit [METHOD] URL [-H 'Name: value']... [-d DATA | --json JSON | -F field=@file]...
            [-o FILE [-C OFFSET|-]] [--timeout S] [--insecure | --cacert FILE]
            [--cache [--cache-dir DIR]] [--no-follow] [-v] [-q] [--fail]
    httpkit --version

The body goes to stdout as bytes (or to ``-o FILE``, with a progress bar on stderr
when stderr is a terminal and ``-q`` is not given: rich's when it is installed, the
``cli`` extra, else one plain line; :mod:`httpkit._cli_progress`, fed by the request's
``on_progress``); ``-v`` writes the status line and the response headers to stderr
first. See docs/cli.md.

Exit codes (curl's where curl has one):

    0    success (any HTTP status unless --fail)
    1    any other error (an httpkit error not listed below, a local file error)
    2    bad usage (argparse)
    6    could not resolve or connect (ConnectionError)
    8    the server's answer is not valid HTTP/1.x (RemoteProtocolError)
    22   HTTP status >= 400 with --fail
    28   timeout (Timeout)
    35   TLS error (SSLError)
    130  interrupted (Ctrl-C)

Rules: every error is ONE line on stderr (``httpkit: error: <message>``), never a
traceback. Only the blocking front-end, the stdlib and (optional, imported when a
bar is drawn) rich are used: nothing here is imported by ``import httpkit``.
"""
from __future__ import absolute_import, division, print_function

import argparse
import errno
import json
import os
import sys
import warnings

from . import exceptions
from ._compat import PYTHON_VERSION
from .__version__ import __version__

__all__ = ["main", "build_parser", "version_text"]

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_CONNECT, EXIT_PROTOCOL = 0, 1, 2, 6, 8
EXIT_HTTP, EXIT_TIMEOUT, EXIT_TLS, EXIT_INTERRUPTED = 22, 28, 35, 130

#: Exception classes and their exit codes, most specific first (SSLError and
#: ConnectTimeout are ConnectionErrors too).
_EXIT_CODES = (
    (exceptions.SSLError, EXIT_TLS),
    (exceptions.Timeout, EXIT_TIMEOUT),
    (exceptions.RemoteProtocolError, EXIT_PROTOCOL),  # (a ConnectionError: before it)
    (exceptions.ConnectionError, EXIT_CONNECT),
    (exceptions.RequestException, EXIT_ERROR),
    (EnvironmentError, EXIT_ERROR),
)


class CLIError(Exception):
    """A failure to report as one line, with its exit code."""

    def __init__(self, message, code=EXIT_ERROR):
        Exception.__init__(self, message)
        self.code = code


def build_parser():
    """Return the argparse parser of ``python -m httpkit``."""
    p = argparse.ArgumentParser(
        prog="httpkit", usage="%(prog)s [options] [METHOD] URL",
        description="Send one HTTP request and write the response body.",
        epilog="Exit codes: 0 ok, 1 other error, 2 bad usage, 6 connection, 8 not HTTP, "
               "22 HTTP >= 400 with --fail, 28 timeout, 35 TLS, 130 interrupted.")
    p.add_argument("target", nargs="+", metavar="[METHOD] URL",
                   help="the URL, after an optional HTTP method (default GET, or POST "
                        "when a body is given)")
    p.add_argument("-H", "--header", action="append", default=[], metavar="'Name: value'",
                   help="add a request header (repeatable)")
    body = p.add_mutually_exclusive_group()
    body.add_argument("-d", "--data", metavar="DATA", help="request body; @FILE reads FILE")
    body.add_argument("--json", metavar="JSON", help="JSON request body (@FILE reads FILE)")
    body.add_argument("-F", "--form", action="append", metavar="field=value|field=@file",
                      help="multipart/form-data field (repeatable)")
    p.add_argument("-o", "--output", metavar="FILE", help="write the body to FILE")
    p.add_argument("-C", "--continue-at", metavar="OFFSET",
                   help="with -o: resume a partial FILE from byte OFFSET ('-': from its size)")
    p.add_argument("--timeout", type=_seconds, metavar="S",
                   help="timeout of each phase (connect, read, write) in seconds")
    tls = p.add_mutually_exclusive_group()
    tls.add_argument("-k", "--insecure", action="store_true",
                     help="do not verify the server's certificate")
    tls.add_argument("--cacert", metavar="FILE", help="trust the CA certificates in FILE")
    p.add_argument("--cache", action="store_true", help="use an HTTP cache (FileCache)")
    p.add_argument("--cache-dir", metavar="DIR",
                   help="directory of the cache (implies --cache; default ~/.cache/httpkit)")
    p.add_argument("--no-follow", action="store_true", help="do not follow redirects")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="write the status line and response headers to stderr")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress line")
    p.add_argument("-f", "--fail", action="store_true",
                   help="exit 22 (and write no body) when the status is >= 400")
    p.add_argument("--version", action=_VersionAction,
                   help="print httpkit's, Python's and the TLS backend's versions, and exit")
    return p


def version_text():
    """Return the ``--version`` line: ``httpkit X.Y.Z (Python A.B.C, TLS backend ...)``.

    .. versionadded:: 0.1
    """
    import ssl
    from .tls import DEFAULT_BACKEND_NAME
    return "httpkit %s (Python %s, TLS backend %s: %s)" % (
        __version__, PYTHON_VERSION, DEFAULT_BACKEND_NAME, ssl.OPENSSL_VERSION)


class _VersionAction(argparse.Action):
    """``--version``: the version line on stdout (argparse's own uses stderr on 2.7)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS,
                 help=None):
        argparse.Action.__init__(self, option_strings=option_strings, dest=dest,
                                 default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        sys.stdout.write(version_text() + "\n")
        sys.stdout.flush()
        parser.exit(EXIT_OK)


def _seconds(text):
    """argparse type: a positive number of seconds."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError("%r is not a positive number of seconds" % text)
    return value


def _parse(parser, argv):
    """Parse ``argv`` and check what argparse cannot; parser.error exits 2."""
    args, extra = parser.parse_known_args(argv)
    unknown = [a for a in extra if a.startswith("-")]
    if unknown:
        parser.error("unrecognized arguments: %s" % " ".join(unknown))
    args.target += extra  # the URL after options: `httpkit PUT -d @f URL` (no intermixed on 2.7)
    if len(args.target) > 2:
        parser.error("expected [METHOD] URL, got %d arguments" % len(args.target))
    args.url = args.target[-1]
    args.method = args.target[0].upper() if len(args.target) == 2 else None
    if args.continue_at is not None:
        if args.continue_at != "-" and not args.continue_at.isdigit():
            parser.error("-C takes '-' (resume from the size of the -o FILE) or a byte "
                         "offset, not %r" % args.continue_at)
        if not args.output:
            parser.error("-C %s needs -o FILE" % args.continue_at)
    if args.json is not None:
        try:
            json.loads(_text(_read_arg(args.json)))
        except ValueError as exc:
            parser.error("--json is not valid JSON: %s" % exc)
    for header in args.header:
        if ":" not in header:
            parser.error("bad header %r: expected 'Name: value'" % header)
    for field in args.form or ():
        if "=" not in field:
            parser.error("bad form field %r: expected field=value or field=@file" % field)
    return args


def _as_bytes(value):
    """Command-line text as the bytes the user typed."""
    if isinstance(value, bytes):
        return value  # 2.7: argv is bytes already
    fsencode = getattr(os, "fsencode", None)
    return fsencode(value) if fsencode else value.encode("utf-8")


def _text(data):
    return data.decode("utf-8") if isinstance(data, bytes) else data


def _read_arg(value):
    """``value`` as bytes, or the bytes of the file named after a leading ``@``."""
    if value.startswith("@"):
        with open(value[1:], "rb") as f:
            return f.read()
    return _as_bytes(value)


def _headers(args):
    headers = []
    for header in args.header:
        name, _, value = header.partition(":")
        headers.append((name.strip(), value.strip()))
    if args.json is not None:
        headers.append(("Content-Type", "application/json"))
        headers.append(("Accept", "application/json"))
    return headers


def _form(fields, opened):
    """``(data, files)`` for the -F fields; files opened are appended to ``opened``."""
    data, files = [], []
    for field in fields:
        name, _, value = field.partition("=")
        if value.startswith("@"):
            f = open(value[1:], "rb")
            opened.append(f)
            files.append((name, (os.path.basename(value[1:]), f)))
        else:
            data.append((name, value))
    return data, files


def _request_kwargs(args, opened):
    """The keyword arguments of ``Session.request`` for ``args``."""
    kwargs = {"headers": _headers(args), "allow_redirects": not args.no_follow,
              "stream": True}
    if args.timeout is not None:
        kwargs["timeout"] = args.timeout
    if args.data is not None:
        kwargs["data"] = _read_arg(args.data)
    elif args.json is not None:
        kwargs["data"] = _read_arg(args.json)
    elif args.form:
        kwargs["data"], kwargs["files"] = _form(args.form, opened)
    return kwargs


def _session(args):
    from .sync import Session
    kwargs = {}
    if args.insecure:
        kwargs["verify"] = False
        warnings.simplefilter("ignore", exceptions.InsecureRequestWarning)  # asked for
    elif args.cacert:
        kwargs["verify"] = args.cacert
    if args.cache or args.cache_dir:
        from .cache import FileCache
        kwargs["cache"] = FileCache(args.cache_dir)
    return Session(**kwargs)


def _write_head(response, err):
    """Write the status line and the response headers (``-v``) to ``err``."""
    lines = ["%s %d %s" % (response.http_version, response.status_code, response.reason or "")]
    lines.extend("%s: %s" % item for item in response.headers.raw_items())
    if response.cache_status:
        lines.append("(cache: %s)" % response.cache_status)
    err.write("\n".join(lines) + "\n\n")
    err.flush()


class _Forward(object):
    """The request's ``on_progress``: hands the calls to a display once one is open.

    The request is sent before the CLI knows whether the body will be saved (a
    status with --fail, a resume's answer); only then is the display opened.
    """

    __slots__ = ("display",)

    def __init__(self):
        self.display = None

    def __call__(self, done, total):
        if self.display is not None:
            self.display(done, total)


def _copy_body(response, out):
    for chunk in response.iter_content(None):  # pieces as they arrive
        out.write(chunk)
    out.flush()


def _resume_start(args):
    """The byte of the -o FILE to resume from (0: start over).

    Raises:
        CLIError: ``-C OFFSET`` past the end of FILE (the download would leave a gap).
    """
    if args.continue_at is None:
        return 0
    size = os.path.getsize(args.output) if os.path.exists(args.output) else 0
    if args.continue_at == "-":
        return size
    offset = int(args.continue_at)
    if offset > size:
        raise CLIError("cannot resume at byte %d: %s has only %d bytes"
                       % (offset, args.output, size))
    return offset


def _check_resume(response, start):
    """Return the file mode for ``response`` to a Range request; None when complete.

    A 206 appends, a 200 rewrites FILE, a 416 naming FILE's size means it is complete.

    Raises:
        CLIError: any other answer (FILE is left as it is).
    """
    content_range = response.headers.get("Content-Range", "")
    if response.status_code == 416:
        if content_range.strip() == "bytes */%d" % start:
            return None
        raise CLIError("cannot resume: the server answered 416 (%s) to a range from byte %d"
                       % (content_range or "no Content-Range", start), EXIT_HTTP)
    if response.status_code == 206:
        if not content_range.startswith("bytes %d-" % start):
            raise CLIError("cannot resume: asked for bytes from %d, got %r"
                           % (start, content_range))
        return "ab"
    if response.status_code == 200:
        return "wb"
    raise CLIError("cannot resume: the server answered %d %s" % (
        response.status_code, response.reason or ""), EXIT_HTTP)


def _save(response, args, start, err, progress):
    """Write the body of ``response`` to ``args.output`` (resuming when ``start``).

    ``progress``: the request's on_progress forwarder (None: no display).
    """
    mode = _check_resume(response, start) if start else "wb"
    if mode is None:
        return
    if progress is not None:
        from ._cli_progress import open_display  # (rich, when there, only now)
        progress.display = open_display(err, start if mode == "ab" else 0)
    try:
        with open(args.output, mode) as out:
            if mode == "ab":
                out.truncate(start)  # -C OFFSET before the end: what follows is replaced
            _copy_body(response, out)
    finally:
        if progress is not None:
            progress.display.close()


def _run(args, out, err):
    opened = []
    try:
        kwargs = _request_kwargs(args, opened)
        start = _resume_start(args)
        if start:
            kwargs["headers"] += [("Range", "bytes=%d-" % start), ("Accept-Encoding", "identity")]
        method = args.method or ("POST" if ("data" in kwargs or "files" in kwargs) else "GET")
        progress = None
        if args.output and not args.quiet and err.isatty():
            progress = kwargs["on_progress"] = _Forward()
        with _session(args) as session:
            response = session.request(method, args.url, **kwargs)
            try:
                return _handle(response, args, start, out, err, progress)
            finally:
                response.close()
    finally:
        for f in opened:
            f.close()


def _handle(response, args, start, out, err, progress=None):
    if args.verbose:
        _write_head(response, err)
    if args.fail and response.status_code >= 400 and not (start and response.status_code == 416):
        raise CLIError("HTTP %d %s from %s" % (response.status_code, response.reason or "",
                                                response.url), EXIT_HTTP)
    if args.output:
        _save(response, args, start, err, progress)
    else:
        _copy_body(response, out)
    return EXIT_OK


def _one_line(exc):
    message = " ".join(str(exc).split()) or "(no message)"
    if isinstance(exc, CLIError):
        return message
    return "%s: %s" % (type(exc).__name__, message)


def _exit_code(exc):
    if isinstance(exc, CLIError):
        return exc.code
    for cls, code in _EXIT_CODES:
        if isinstance(exc, cls):
            return code
    raise exc  # pragma: no cover - main() only passes the classes above


def main(argv=None):
    """Run the command line with ``argv`` (default ``sys.argv[1:]``).

    Args:
        argv: the arguments, without the program name.

    Returns:
        int: the exit code (see the module docstring).
    """
    err = sys.stderr
    out = getattr(sys.stdout, "buffer", sys.stdout)  # bytes as they came, never re-encoded
    try:
        args = _parse(build_parser(), argv)
        return _run(args, out, err)
    except SystemExit as exc:  # argparse: --help (0) or bad usage (2)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except EnvironmentError as exc:
        if isinstance(exc, exceptions.RequestException) or exc.errno != errno.EPIPE:
            return _report(exc, err)
        _silence_stdout()  # the reader went away (`| head`): no message, no flush error
        return EXIT_ERROR
    except CLIError as exc:
        return _report(exc, err)


def _report(exc, err):
    """Write ``exc`` as one line to ``err``; return its exit code."""
    err.write("httpkit: error: %s\n" % _one_line(exc))
    err.flush()
    return _exit_code(exc)


def _silence_stdout():
    """Point stdout at /dev/null, so the interpreter's final flush cannot fail."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - stdout is not a real file
        pass
    finally:
        os.close(devnull)
