"""Markup or plain text? Decide which engine reads a payload, and refuse payloads that are not text.

Binary payloads (PDF, images, archives, executables, or bytes full of control characters) raise
``ThresherError("not_html", ...)`` whatever the caller forced: no engine can read them. Otherwise a
forced format wins; an RSS or Atom feed is refused (``not_html``: a feed is a list of entries, not a
page; ``thresher stories`` reads feeds); then the reader's hint, then a look at the first few KB of the
payload.
"""

from __future__ import annotations

import codecs
import re
from typing import Literal

from thresher.errors import ThresherError
from thresher.model import InputFormat
from thresher.read.encoding import control_share, utf16_without_bom
from thresher.read.feeds import looks_like_feed

SNIFF_WINDOW = 4096
"""How many leading bytes (or characters) the markup test looks at."""

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG", "a PNG image"),  # 0x89 never starts text; the short form is enough
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a zip archive (or an Office/EPUB document)"),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data"),
    (b"\xfd7zXZ\x00", "xz-compressed data"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "an ELF executable"),
    (b"MZ\x90\x00", "a Windows executable"),
    (b"\x00asm", "a WebAssembly module"),
    (b"OggS", "an Ogg media file"),
    (b"ID3\x02", "an MP3 audio file"),
    (b"ID3\x03", "an MP3 audio file"),
    (b"ID3\x04", "an MP3 audio file"),
    (b"wOFF", "a WOFF font"),
    (b"wOF2", "a WOFF2 font"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Office document"),
    (b"SQLite format 3\x00", "an SQLite database"),
)

_BOM_CODECS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_COMMENT_RE = re.compile(r"^(?:\s*<!--.*?-->)*\s*", re.DOTALL)
_STARTS_HTML_RE = re.compile(
    r"<(?:!doctype\s+html|html|head|body|meta|title|link|base|script|style|div|p|table|article|section|"
    r"header|nav|main|form|frameset|h[1-6])[\s>/]",
    re.IGNORECASE,
)
_XML_RE = re.compile(r"^<\?xml[\s?]", re.IGNORECASE)
"""An XML prolog: XHTML, but also sitemaps and other XML (RSS and Atom feeds are refused before).
Read as markup, whose parser keeps the words of the elements; read as text, the tags would come out as
the document's words."""
_TAG_RE = re.compile(
    r"<(?:/?(?:p|div|body|head|html|span|table|tr|td|th|li|ul|ol|h[1-6]|section|article|nav|header|"
    r"footer|main|form|title|script|style|em|strong|b|i|blockquote|pre|code)\b[^<>]{0,300}>"
    r"|br\s*/?>|hr\s*/?>|a\s[^<>]{0,300}?href\s*=|img\s[^<>]{0,300}?src\s*=|meta\s[^<>]{0,300}>|link\s[^<>]{0,300}>)",
    re.IGNORECASE,
)


def sniff(
    data: bytes | str, *, hint: InputFormat = "auto", forced: InputFormat = "auto"
) -> Literal["html", "text"]:
    """Whether a payload is ``html`` or plain ``text``; raises ``not_html`` for binary payloads."""
    head = _head_text(data)
    if forced != "auto":
        return forced
    if looks_like_feed(head.encode("utf-8", "surrogatepass")):
        raise ThresherError("not_html", "looks like an RSS or Atom feed, a list of entries rather than a page "
                                        "(thresher stories groups a feed's entries; --input-format html reads it as a page)")
    if hint != "auto":
        return hint
    return "html" if looks_like_markup(head) else "text"


def looks_like_markup(head: str) -> bool:
    """True when text starts like an HTML document or is dense with real HTML tags."""
    body = _COMMENT_RE.sub("", head.lstrip("\ufeff"), count=1)
    if _STARTS_HTML_RE.match(body) or _XML_RE.match(body):
        return True
    if not body and head.strip():  # nothing but comments: a page whose content is all commented out
        return True
    tags = len(_TAG_RE.findall(head))
    return tags >= 2 and tags * 200 >= len(head.strip())


def binary_kind(data: bytes) -> str | None:
    """What a binary payload looks like (``"a PDF document"``), or None for text."""
    what = _magic_kind(data.lstrip(b" \t\r\n")[:16])
    if what is not None:
        return what
    head = data[:1024]
    if any(head.startswith(bom) for bom, name in _BOM_CODECS if name != "utf-8"):
        return None
    if utf16_without_bom(data) is None and control_share(head) > 0.1:
        return "binary data (many control bytes)"
    return None


def _magic_kind(start: bytes) -> str | None:
    """What the magic number at the start of a payload names, or None."""
    for magic, what in _MAGIC:
        if start.startswith(magic):
            return what
    if start.startswith(b"BZh") and start[4:10] == b"1AY&SY":
        return "bzip2-compressed data"
    if start[4:8] == b"ftyp":
        return "an MP4/QuickTime media file"
    if start.startswith(b"RIFF") and start[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return "a RIFF media file"
    return None


def _head_text(data: bytes | str) -> str:
    """The first few KB as text, after refusing binary payloads."""
    if isinstance(data, str):
        head = data[:SNIFF_WINDOW]
        # bytes decoded as Latin-1 keep their magic numbers (a PNG read with ``open(path).read()``)
        what = _magic_kind(head.lstrip(" \t\r\n")[:16].encode("latin-1", errors="replace"))
        if what is not None:
            raise ThresherError("not_html", f"looks like {what}")
        return head
    what = binary_kind(data)
    if what is not None:
        raise ThresherError("not_html", f"looks like {what}")
    raw = data[: SNIFF_WINDOW * 4]
    for bom, name in _BOM_CODECS:
        if raw.startswith(bom):
            return raw[len(bom):].decode(name, errors="ignore")[:SNIFF_WINDOW]
    utf16 = utf16_without_bom(raw)
    if utf16 is not None:
        return raw.decode(utf16, errors="ignore")[:SNIFF_WINDOW]
    return raw[:SNIFF_WINDOW].decode("latin-1")
