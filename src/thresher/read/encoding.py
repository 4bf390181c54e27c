"""Bytes to text: find the character encoding of a page the way a careful browser would.

The evidence is weighed in a fixed order, strongest first:

1. a byte-order mark (UTF-8, UTF-16, UTF-32);
2. the charset the transport declared (HTTP ``Content-Type``), if the bytes are valid in it;
3. ``<meta charset>`` / ``<meta http-equiv="content-type">`` / the XML declaration in the first
   few KB, again only if the bytes are valid in it (a "lying" declaration falls through);
4. strict UTF-8 (the common case, and cheap);
5. mostly-UTF-8 bytes with a few broken sequences (decoded with U+FFFD replacements);
6. statistical detection (charset-normalizer) on a prefix of the payload.

A declared legacy charset loses to UTF-8 when the bytes hold non-ASCII characters that are valid
UTF-8: that is how most mislabelled pages on the web look, and the reverse mistake is
practically impossible. Labels are mapped to the superset codecs browsers use (``iso-8859-1`` →
``cp1252``, ``shift_jis`` → ``cp932``, ``gb2312`` → ``gb18030``). Payloads that are not text at
all raise ``ThresherError("undecodable", ...)``.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import CharsetMatch, CharsetMatches, from_bytes

from thresher.compiled import function
from thresher.errors import ThresherError

META_WINDOW = 4096
"""How many leading bytes are searched for a ``<meta>`` or XML encoding declaration."""
DETECTION_WINDOW = 65536
"""How many leading bytes statistical detection looks at."""

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose BOM is its prefix
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_LABELS: dict[str, str] = {
    # labels Python does not know, as browsers read them
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "x-gbk": "gb18030",
    "x-euc-jp": "euc_jp",
    "windows-874": "cp874",
    "x-mac-roman": "mac-roman",
    "x-mac-cyrillic": "mac-cyrillic",
    "unicode": "utf-16",
    "x-user-defined": "cp1252",
}

_SUPERSETS: dict[str, str] = {
    # canonical Python codec name → the superset a browser decodes it with (WHATWG Encoding)
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "shift_jis": "cp932",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "big5": "big5hkscs",
}

_HOLES_RE = re.compile("[\udc81\udc8d\udc8f\udc90\udc9d]")
"""Bytes cp1252 leaves undefined (escaped as surrogates); browsers map them to the C1 control of the
same number."""

_META_RE = re.compile(rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([a-z0-9_:.\-]+)""", re.IGNORECASE)
_XML_RE = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([a-z0-9_:.\-]+)""", re.IGNORECASE)
_LATIN = re.compile(r"cp125[02478]|cp8(?:50|52)|cp775|iso8859_(?:[1-49]|1[03456])|latin_1|mac_(?:roman|latin2)|hp_roman8")
"""charset-normalizer's names of the Latin-script single-byte code pages, which tie on short text."""
_LIKELIHOOD_CHARS = 4000
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27)) + b"\x7f"


def decode(data: bytes, *, declared: str | None = None) -> str:
    """Decode a page's bytes to text, weighing BOM, declared charset, meta tags and detection."""
    return decode_page(data, declared=declared)[0]


def decode_page(data: bytes, *, declared: str | None = None) -> tuple[str, bytes | None]:
    """:func:`decode`, and ``data`` itself when the text is ``data`` read as strict UTF-8 (then
    ``text.encode("utf-8") == data``, so the parser can take those bytes as they are instead of the
    text encoded again); None otherwise."""
    text, utf8 = _decode(data, declared)
    return text, data if utf8 else None


def _decode(data: bytes, declared: str | None) -> tuple[str, bool]:
    """(the text, whether it is ``data`` read as strict UTF-8)."""
    if not data:
        return "", False
    for bom, bom_codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(bom_codec, errors="replace"), False

    if b"\x00" in data[:4096]:  # BOM-less UTF-16 is valid UTF-8 when all its bytes are below 0x80
        utf16 = utf16_without_bom(data)
        if utf16 is not None:
            return data.decode(utf16, errors="replace"), False
    utf8_text = _strict(data, "utf-8")
    for label in (declared, _declared_in_markup(data[:META_WINDOW])):
        name = normalize_charset(label)
        if name is None:
            continue
        if name.startswith("utf-16") or name.startswith("utf-32"):
            if label is not declared:
                name = "utf-8"  # a meta tag cannot be read in UTF-16 without a BOM (WHATWG)
            elif utf8_text is not None:
                return utf8_text, True
        if name != "utf-8" and utf8_text is not None and not data.isascii():
            return utf8_text, True  # a legacy label on valid UTF-8 text is a mislabel
        decoded = utf8_text if name == "utf-8" else _strict(data, name)
        if decoded is not None:
            return decoded, utf8_text is not None and decoded == utf8_text

    if utf8_text is not None:
        return utf8_text, True
    mostly = _mostly_utf8(data)
    if mostly is not None:
        return mostly, False
    return _detect(data), False


def normalize_charset(label: str | None) -> str | None:
    """The Python codec a charset label should be decoded with, or None for unknown labels.

    Labels are mapped to the superset codec a browser uses (``latin-1`` → ``cp1252``).
    """
    if not label:
        return None
    key = label.strip().strip("\"'").strip().lower()
    key = _LABELS.get(key, key)
    try:
        name = codecs.lookup(key).name
    except (LookupError, ValueError):
        return None
    return _SUPERSETS.get(name, name)


def control_share(data: bytes) -> float:
    """Share of bytes that are control characters no text encoding uses (NUL, BEL, ...)."""
    if not data:
        return 0.0
    return (len(data) - len(data.translate(None, _CONTROL_BYTES))) / len(data)


def utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` when the bytes look like BOM-less UTF-16 text (NULs every other byte).

    Latin text has NUL high bytes almost everywhere; other scripts (Cyrillic, Greek, CJK) have them
    only for their ASCII (markup, spaces, digits), so a smaller share of NULs on one side counts too
    when the sample then decodes to printable text.
    """
    sample = data[:4096]
    if len(sample) < 8:
        return None
    sample = sample[: len(sample) & ~1]
    even, odd = sample[0::2], sample[1::2]
    even_nul, odd_nul = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_nul > 0.4 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.4 and odd_nul < 0.05:
        return "utf-16-be"
    for codec, high_nul, low_nul in (("utf-16-le", odd_nul, even_nul), ("utf-16-be", even_nul, odd_nul)):
        if high_nul > 0.1 and low_nul < 0.01 and _printable(sample.decode(codec, errors="replace")):
            return codec
    return None


def _printable(text: str) -> bool:
    """At most 1 % of the characters are replacements, controls, unassigned or private-use."""
    bad = sum(1 for ch in text if ch == "\ufffd" or (not ch.isprintable() and ch not in "\t\n\r\f"))
    return bad <= 0.01 * len(text)


def _declared_in_markup(head: bytes) -> str | None:
    match = _XML_RE.search(head) or _META_RE.search(head)
    return match.group(1).decode("ascii", errors="replace") if match else None


def _strict(data: bytes, name: str) -> str | None:
    try:
        return data.decode(name)
    except LookupError:
        return None
    except UnicodeDecodeError:
        if name != "cp1252":
            return None
    text = data.decode("cp1252", errors="surrogateescape")
    return _HOLES_RE.sub(lambda m: chr(ord(m.group()) - 0xDC00), text)


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with replacement characters, when valid multi-byte sequences far outnumber broken ones."""
    sample = data[:DETECTION_WINDOW].decode("utf-8", errors="replace")
    broken = sample.count("\ufffd")
    non_ascii = len(sample) - len(sample.encode("ascii", errors="ignore")) - broken
    if broken and non_ascii >= 4 * broken:
        return data.decode("utf-8", errors="replace")
    return None


def _latin_choice(head: bytes, results: CharsetMatches, best: CharsetMatch) -> str:
    """The detector's pick, unless it is a Latin code page tied with others (windows-1252 always among
    them: the web's default): then the one whose text reads most like a language.

    charset-normalizer often ties windows-1250/1252/1257 on short Western European text and picks
    1250, turning "à" into "ŕ"; a language model's likelihood of each decoded text tells them apart
    (the same bytes, so the same length) and keeps Czech or Polish in 1250.
    """
    if not _LATIN.fullmatch(best.encoding):
        return best.encoding
    candidates = [best.encoding]
    for match in results:
        if (match.encoding not in candidates and _LATIN.fullmatch(match.encoding)
                and match.chaos <= best.chaos + 0.01 and len(candidates) < 4):
            candidates.append(match.encoding)
    if "cp1252" not in candidates:
        candidates.append("cp1252")
    scored = [(name, text) for name in candidates if (text := _strict(head, name)) is not None]
    if len({text for _, text in scored}) < 2:
        return best.encoding
    return max(scored, key=lambda pair: _likelihood(pair[1]))[0]  # the first (the detector's) on a tie


def _likelihood(text: str) -> float:
    """py3langid's log-likelihood of its best language for ``text``, per UTF-8 byte."""
    from py3langid.langid import rank

    sample = text[:_LIKELIHOOD_CHARS]
    return float(rank(sample)[0][1]) / max(1, len(sample.encode("utf-8")))


def _detect(data: bytes) -> str:
    utf16 = utf16_without_bom(data)
    if utf16 is not None:
        return data.decode(utf16, errors="replace")
    head = data[:DETECTION_WINDOW]
    if control_share(head[:4096]) > 0.02:
        raise ThresherError("undecodable", "the bytes look binary, not like text in any encoding")
    results = from_bytes(head)
    best = results.best()
    if best is None:
        raise ThresherError("undecodable", "no character encoding fits the bytes")
    name = normalize_charset(_latin_choice(head, results, best)) or "utf-8"
    text = _strict(data, name)
    return text if text is not None else data.decode(name, errors="replace")


_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_SURROGATE_RANGE = (0xD800, 0xDFFF)
_has_chars_in = function("has_chars_in")
"""The extension's ``has_chars_in``: ``_SURROGATE_RE.search(text) is not None`` answered at once for
text held in one byte a character, and without the regex engine's cost per character for the rest
(None without the extension)."""
_ESCAPED_BYTES_RE = re.compile("[\udc80-\udcff]+")


def repair_surrogates(text: str) -> str:
    """Text without surrogate code points, none of its characters lost.

    A ``str`` can carry surrogates that no encoder accepts: bytes kept by ``surrogateescape`` (a file
    name or a pipe read with the wrong codec: ``caf\\udce9``), or a pair JSON with ``\\ud83d\\ude00``
    left split. Escaped bytes are decoded again (UTF-8 when they form it, else windows-1252), pairs are
    joined, and a surrogate alone becomes U+FFFD.
    """
    if not (_has_chars_in(text, _SURROGATE_RANGE) if _has_chars_in is not None else _SURROGATE_RE.search(text)):
        return text

    def _bytes(match: re.Match[str]) -> str:
        raw = bytes(ord(c) - 0xDC00 for c in match.group())
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return _strict(raw, "cp1252") or raw.decode("latin-1")

    text = _ESCAPED_BYTES_RE.sub(_bytes, text)
    return text.encode("utf-16-le", errors="surrogatepass").decode("utf-16-le", errors="replace")
