"""Charsets: which encoding a body's text uses, and decoding it; Link headers.

Rules, in order, for :attr:`Response.text` (:func:`decode_text`):

1. The encoding the user set on the response (``r.encoding = ...``).
2. The ``charset`` parameter of Content-Type, if Python knows the codec.
   JSON types (``application/json``, ``*/*+json``) have no charset
   parameter (RFC 8259 section 11), so theirs is ignored and rule 3 applies.
3. :func:`guess_encoding` on the body: a BOM names its codec; the JSON
   null-byte pattern of the first four bytes names UTF-16/32 (RFC 4627
   section 3); a body that is valid UTF-8 is UTF-8 (ASCII included);
   anything else is windows-1252, the documented last resort (what browsers
   use for unlabelled Western text; unlike requests, httpkit never assumes
   ISO-8859-1 for ``text/*``, which mis-decodes the UTF-8 most servers send).

Decoding replaces undecodable bytes (``errors="replace"``) and drops a
leading BOM. An unknown codec name at rule 1 or 2 falls back to rule 3.

:func:`json_text` follows RFC 8259 section 8.1 / RFC 7159 section 8.1: a
BOM or the null-byte pattern picks UTF-8/16/32, else UTF-8; a body that is
not valid UTF-8 falls back to rule 3 rather than failing.
"""
from __future__ import absolute_import, division, print_function

import codecs
import re

__all__ = ["encoding_from_headers", "response_encoding", "guess_encoding", "decode_text", "json_text",
           "iter_decode", "TextDecoder", "parse_link_header"]

# Longest BOMs first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_FALLBACK = "windows-1252"
_BOM = u"\ufeff"


def encoding_from_headers(headers):
    """Return the charset named by Content-Type, or None.

    Args:
        headers: a mapping with case-insensitive ``get`` (Headers), or None.

    Returns:
        The ``charset`` parameter (quotes stripped) when Python has that
        codec; None when it is absent, unknown, or the type is JSON.
    """
    value = headers.get("content-type") if headers else None
    if not value:
        return None
    mime, params = parse_content_type(value)
    if mime == "application/json" or mime.endswith("+json"):
        return None
    charset = params.get("charset", "").strip().strip("'\"").strip()
    if not charset or not _known_codec(charset):
        return None
    return charset


def response_encoding(headers):
    """Return :attr:`Response.encoding` for these headers (requests' rules, mostly).

    Like requests' ``get_encoding_from_headers``: the ``charset`` parameter
    (quotes stripped, any case of the parameter name) and ``"utf-8"`` for
    ``application/json``. Deliberate differences: a JSON type (``+json`` too)
    is always ``"utf-8"`` (RFC 8259 section 11 defines no charset parameter; a
    BOM still wins when decoding), an unknown codec is None instead of a name
    that fails later, and ``text/*`` without a charset is None instead of
    ``"ISO-8859-1"`` (:attr:`Response.text` then detects the charset).
    """
    value = headers.get("content-type") if headers else None
    if value:
        mime = parse_content_type(value)[0]
        if mime == "application/json" or mime.endswith("+json"):
            return "utf-8"
    return encoding_from_headers(headers)


def parse_content_type(value):
    """Split a Content-Type value into its media type and parameters.

    Args:
        value: the header value, e.g. ``'text/html; charset="utf-8"'``.

    Returns:
        ``(mime, params)``: the lower-case media type and a dict of
        parameters with lower-case names and unquoted values.
    """
    if ";" not in value:
        return value.strip().lower(), {}
    # Imported here: ~9 ms, and on 2.7 email imports random, which holds an fd.
    from email.message import Message
    msg = Message()
    msg["content-type"] = value
    params = msg.get_params() or []
    mime = value.split(";", 1)[0].strip().lower()
    return mime, dict((k.lower(), _param_value(v)) for k, v in params[1:])


def _param_value(value):
    # RFC 2231 values come back as (charset, language, text) tuples.
    if isinstance(value, tuple):
        value = value[2]
    return value


def _known_codec(name):
    """True when ``name`` is a text codec that can decode with "replace".

    The server names the charset: ``rot13``, ``base64`` or ``zlib`` are not
    text encodings, and ``idna`` refuses "replace"; each would make ``.text``
    raise the codec's own LookupError/UnicodeError.
    """
    try:
        info = codecs.lookup(name)
        if not getattr(info, "_is_text_encoding", True):
            return False
        info.decode(b"a", "replace")
    except Exception:  # noqa: BLE001 - any codec failure means "not usable"
        return False
    return True


def guess_encoding(content):
    """Guess a body's encoding from its bytes alone.

    Args:
        content: the body bytes.

    Returns:
        A codec name: from a BOM, the UTF-16/32 null-byte pattern,
        ``"utf-8"`` when the body is valid UTF-8, else ``"windows-1252"``.
    """
    encoding = _sniff_unicode(content)
    if encoding is not None:
        return encoding
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return _FALLBACK
    return "utf-8"


def _sniff_unicode(content):
    # BOM, then the pattern of zero bytes among the first four (RFC 4627
    # section 3): text that starts with ASCII shows where UTF-16/32 put zeros.
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            return encoding
    head = content[:4]
    if len(head) < 4:
        return None
    zeros = tuple(b == 0 for b in bytearray(head))
    return _NULL_PATTERNS.get(zeros)


_NULL_PATTERNS = {
    (True, True, True, False): "utf-32-be",
    (False, True, True, True): "utf-32-le",
    (True, False, True, False): "utf-16-be",
    (False, True, False, True): "utf-16-le",
}


def decode_text(content, encoding=None, headers=None):
    """Decode a body to text by the rules in this module's docstring.

    Args:
        content: the body bytes.
        encoding: an explicit codec name, or None.
        headers: the response headers (for the Content-Type charset), or None.

    Returns:
        The text, with undecodable bytes replaced and any leading BOM removed.
    """
    if not content:
        return u""
    encoding = encoding or encoding_from_headers(headers)
    if encoding and not _known_codec(encoding):
        encoding = None
    if not encoding:
        encoding = _sniff_unicode(content)
    if not encoding:
        try:
            return _strip_bom(content.decode("utf-8"))
        except UnicodeDecodeError:
            encoding = _FALLBACK
    return _strip_bom(content.decode(encoding, "replace"))


def _strip_bom(text):
    return text[1:] if text.startswith(_BOM) else text


def json_text(content, encoding=None):
    """Decode a JSON body to text (RFC 8259 section 8.1).

    Args:
        content: the body bytes.
        encoding: a codec the user chose (``r.encoding``), or None to detect
            UTF-8/16/32 from a BOM or the null-byte pattern.

    Returns:
        The text, without a BOM.
    """
    if encoding and _known_codec(encoding):
        return _strip_bom(content.decode(encoding, "replace"))
    detected = _sniff_unicode(content) or _sniff_json(content) or "utf-8"
    try:
        return _strip_bom(content.decode(detected))
    except UnicodeDecodeError:
        # Mislabelled (often latin-1) JSON: decode it like text instead.
        return decode_text(content)


def _sniff_json(content):
    """UTF-16/32 without a BOM, from the zeros around a JSON text's first character.

    Any JSON text starts with an ASCII character (whitespace, ``{ [ " - t f n`` or a
    digit; RFC 8259 section 2) and never holds a raw U+0000, so one character is
    enough: the two-ASCII-characters pattern of :func:`_sniff_unicode` (RFC 4627)
    misses a string or a number whose second character is not ASCII.
    """
    head = bytearray(content[:4])
    if len(head) == 4 and head[0] == head[1] == head[2] == 0 and head[3]:
        return "utf-32-be"
    if len(head) == 4 and head[0] and head[1] == head[2] == head[3] == 0:
        return "utf-32-le"
    if len(head) >= 2 and head[0] == 0 and head[1]:
        return "utf-16-be"
    if len(head) >= 2 and head[0] and head[1] == 0:
        return "utf-16-le"
    return None


def iter_decode(chunks, encoding=None):
    """Decode an iterator of byte chunks incrementally, yielding text.

    Args:
        chunks: an iterable of bytes.
        encoding: a codec name; None or an unknown name means guess it
            from the first non-empty chunk (BOM, null bytes, UTF-8 validity).

    Yields:
        Non-empty text pieces; a leading BOM is dropped.
    """
    from ._chunking import iter_through
    return iter_through(chunks, TextDecoder(encoding))


class TextDecoder(object):
    """Decode a body that arrives in pieces (a cutter, like ``_chunking``'s).

    ``feed(chunk)`` returns the text the bytes so far complete (a character
    split across chunks waits for its end); ``flush()`` returns the rest,
    with an unfinished character replaced. Each returns a list holding one
    non-empty text, or nothing. A leading BOM is dropped.
    """

    __slots__ = ("encoding", "_decoder", "_first", "_head")

    def __init__(self, encoding=None):
        self.encoding = encoding
        self._decoder = None
        self._first = True
        self._head = b""

    def feed(self, chunk):
        """Return the text ``chunk`` completes."""
        if not chunk:
            return []
        if self._decoder is None:
            # The codec is chosen on the first 4 bytes (a BOM, the null-byte
            # pattern), however the body was cut: the same as for ``.text``.
            chunk = self._head + chunk
            if len(chunk) < 4:
                self._head = chunk
                return []
            self._head = b""
            self._decoder = _incremental_decoder(self.encoding, chunk)
        return self._out(self._decoder.decode(chunk))

    def flush(self):
        """Return what is left once the body ended."""
        if self._decoder is None:
            if not self._head:
                return []
            self._decoder = _incremental_decoder(self.encoding, self._head)
            return self._out(self._decoder.decode(self._head, True))
        return self._out(self._decoder.decode(b"", True))

    def _out(self, text):
        if not text:
            return []
        if self._first:
            self._first = False
            text = _strip_bom(text)
        return [text] if text else []


def _incremental_decoder(encoding, first_chunk):
    if not encoding or not _known_codec(encoding):
        encoding = _sniff_unicode(first_chunk) or _guess_prefix(first_chunk)
    elif codecs.lookup(encoding).name in _NEED_BOM:
        encoding = _without_bom(encoding, first_chunk)
    return codecs.getincrementaldecoder(encoding)(errors="replace")


# Python's incremental UTF-16/32 decoders raise a bare UnicodeError on a body
# without a BOM; ``bytes.decode`` (``.text``) reads it as little-endian: so do we.
_NEED_BOM = {"utf-16": (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE),
             "utf-32": (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)}


def _without_bom(encoding, first_chunk):
    name = codecs.lookup(encoding).name
    return encoding if first_chunk.startswith(_NEED_BOM[name]) else name + "-le"


def _guess_prefix(chunk):
    # A chunk may end inside a UTF-8 sequence: decode it non-final.
    try:
        codecs.getincrementaldecoder("utf-8")().decode(chunk, False)
    except UnicodeDecodeError:
        return _FALLBACK
    return "utf-8"


# RFC 8288 section 3: link-value = "<" URI-Reference ">" *( OWS ";" OWS link-param )
_LINK_URL = re.compile(r'\s*<([^>]*)>')
_LINK_PARAM = re.compile(r'\s*;\s*([^\s;,=]+)\s*(?:=\s*("(?:[^"\\]|\\.)*"|[^;,]*))?')
_UNESCAPE = re.compile(r"\\(.)")


def parse_link_header(value):
    """Parse a Link header into dicts, the way requests does.

    Args:
        value: the header value, e.g. ``'<https://x/?page=2>; rel="next"'``.

    Returns:
        A list of dicts, one per link, each with ``"url"`` and one key per
        parameter (names lower-cased, quotes removed; the first wins).
    """
    links = []
    pos = 0
    while True:
        match = _LINK_URL.match(value, pos)
        if match is None:
            break
        link = {"url": match.group(1).strip()}
        pos = match.end()
        param = _LINK_PARAM.match(value, pos)
        while param is not None:
            name = param.group(1).lower()
            if name not in link:
                link[name] = _unquote(param.group(2))
            pos = param.end()
            param = _LINK_PARAM.match(value, pos)
        links.append(link)
        pos = _next_link(value, pos)
    return links


def _unquote(raw):
    if raw is None:
        return ""
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return _UNESCAPE.sub(r"\1", raw[1:-1])
    return raw


def _next_link(value, pos):
    # Skip to after the next comma (tolerating junk a server put in between).
    comma = value.find(",", pos)
    return len(value) if comma < 0 else comma + 1
