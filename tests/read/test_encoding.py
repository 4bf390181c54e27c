import codecs
import random
from pathlib import Path

import pytest

from thresher.errors import ThresherError
from thresher.read.encoding import control_share, decode, decode_page, normalize_charset

from .conftest import CHINESE, FRENCH, JAPANESE, RUSSIAN


def html(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}<title>t</title></head><body><p>{body}</p></body></html>"


def test_plain_utf8():
    assert decode(RUSSIAN.encode("utf-8")) == RUSSIAN


@pytest.mark.parametrize(
    ("data", "declared"),
    [
        (html(RUSSIAN).encode("utf-8"), None),
        (html(FRENCH, '<meta charset="windows-1252">').encode("utf-8"), None),  # a mislabel: still UTF-8
        (html("plain ascii", '<meta charset="iso-8859-1">').encode("ascii"), None),
        (html(CHINESE).encode("utf-8"), "gb2312"),
    ],
)
def test_decode_page_hands_back_the_bytes_of_utf8_text(data, declared):
    text, utf8 = decode_page(data, declared=declared)
    assert text == decode(data, declared=declared)
    assert utf8 is data
    assert text.encode("utf-8") == utf8


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + html(FRENCH).encode("utf-8"),  # the BOM is not part of the text
        html(RUSSIAN, '<meta charset="windows-1251">').encode("cp1251"),
        html(FRENCH).encode("utf-8")[:-40] + b"\xff" + html(FRENCH).encode("utf-8")[-40:],  # mostly UTF-8
        html("caf\u00e9 " * 20).encode("utf-16-le"),
    ],
)
def test_decode_page_hands_back_no_bytes_when_the_text_is_not_them(data):
    text, utf8 = decode_page(data)
    assert text == decode(data)
    assert utf8 is None


def test_empty_bytes_decode_to_empty_text():
    assert decode(b"") == ""


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_bom_wins_over_everything(bom, codec):
    page = html(FRENCH, '<meta charset="windows-1251">')
    assert decode(bom + page.encode(codec), declared="shift_jis") == page


def test_declared_header_charset():
    page = html(RUSSIAN)
    assert decode(page.encode("cp1251"), declared="windows-1251") == page


def test_declared_header_beats_meta():
    page = html(RUSSIAN, '<meta charset="koi8-r">')
    assert decode(page.encode("cp1251"), declared="cp1251") == page


def test_declared_charset_that_does_not_fit_falls_through_to_meta():
    page = html(JAPANESE, '<meta charset="shift_jis">')
    # the header says UTF-8, but the bytes are Shift-JIS, as the meta tag says
    assert decode(page.encode("cp932"), declared="utf-8") == page


def test_meta_charset():
    page = html(RUSSIAN, '<meta charset="windows-1251">')
    assert decode(page.encode("cp1251")) == page


def test_meta_http_equiv():
    page = html(JAPANESE, '<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">')
    assert decode(page.encode("cp932")) == page


def test_xml_declaration():
    page = '<?xml version="1.0" encoding="windows-1251"?>\n' + html(RUSSIAN)
    assert decode(page.encode("cp1251")) == page


def test_lying_meta_utf8_on_cp1251_bytes_falls_through_to_detection():
    page = html(RUSSIAN, '<meta charset="utf-8">')
    assert decode(page.encode("cp1251")) == page


def test_lying_legacy_label_on_utf8_bytes_keeps_utf8():
    page = html(FRENCH, '<meta charset="iso-8859-1">')
    assert decode(page.encode("utf-8")) == page
    ja_page = html(JAPANESE, '<meta charset="shift_jis">')
    assert decode(ja_page.encode("utf-8")) == ja_page


def test_latin1_label_reads_as_windows_1252():
    page = html("Smart quotes \u201clike these\u201d \u2014 and the euro \u20ac. " + FRENCH)
    assert decode(page.encode("cp1252"), declared="ISO-8859-1") == page


def test_cp1252_holes_do_not_break_decoding():
    data = html("caf\u00e9 ").encode("cp1252").replace(b"</p>", b"\x81\x8d</p>")
    assert decode(data, declared="windows-1252").endswith("caf\u00e9 \x81\x8d</p></body></html>")


@pytest.mark.parametrize(
    ("text", "codec"),
    [(RUSSIAN, "cp1251"), (JAPANESE, "shift_jis"), (JAPANESE, "euc-jp"), (CHINESE, "gbk"), (FRENCH, "cp1252")],
)
def test_undeclared_legacy_encodings_are_detected(text, codec):
    assert decode(text.encode(codec)) == text


def test_undeclared_cp1251_html_page():
    page = html(RUSSIAN.replace("\n\n", "</p><p>"))
    assert decode(page.encode("cp1251")) == page


def test_unknown_labels_are_ignored():
    page = html(RUSSIAN, '<meta charset="no-such-charset">')
    assert decode(page.encode("utf-8"), declared="bogus") == page


def test_mostly_utf8_with_a_few_broken_bytes_uses_replacement():
    data = (FRENCH * 3).encode("utf-8") + b" \xff\xfe broken " + FRENCH.encode("utf-8")
    out = decode(data)
    assert "L'été dernier" in out
    assert "\ufffd" in out


def test_utf16_without_bom_is_read():
    assert decode(FRENCH.encode("utf-16-le")) == FRENCH


def test_binary_garbage_is_undecodable():
    rng = random.Random(7)
    data = bytes(rng.randrange(256) for _ in range(5000))
    with pytest.raises(ThresherError) as err:
        decode(data)
    assert err.value.reason == "undecodable"


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("latin-1", "cp1252"),
        ("ISO-8859-1", "cp1252"),
        ("us-ascii", "cp1252"),
        ("Shift_JIS", "cp932"),
        ("x-sjis", "cp932"),
        ("gb2312", "gb18030"),
        ("GBK", "gb18030"),
        ("euc-kr", "cp949"),
        ("utf8", "utf-8"),
        ('"windows-1251"', "cp1251"),
        ("nonsense", None),
        (None, None),
    ],
)
def test_normalize_charset(label, codec):
    assert normalize_charset(label) == codec


def test_control_share():
    assert control_share(b"plain text\n") == 0.0
    assert control_share(b"\x00\x01ab") == 0.5


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "read"


def test_fixture_lying_meta_on_cp1251_page():
    text = decode((FIXTURES / "lying-meta-utf8-on-cp1251.html").read_bytes())
    assert "<title>Москва</title>" in text
    assert RUSSIAN.split("\n\n")[2] in text


def test_fixture_undeclared_shift_jis_page():
    text = decode((FIXTURES / "undeclared-shift-jis.html").read_bytes())
    assert "<h1>東京</h1>" in text
    assert JAPANESE.split("\n\n")[1] in text


# Western European text in windows-1252 that charset-normalizer alone reads as windows-1250 (its
# candidates tie): "à" came out as "ŕ", "è" as "č", "ï" as "ď". A cp1250 page must still read as one.
UNDECLARED_SINGLE_BYTE = [
    ("Le café à la crème est délicieux, naïveté et élégance réunies. Les français préfèrent l’express.\n\n" * 3,
     "cp1252"),
    ("Tutti gli esseri umani nascono liberi ed eguali in dignità e diritti. Essi sono dotati di ragione e di "
     "coscienza e devono agire gli uni verso gli altri in spirito di fratellanza. Perché è così.\n\n", "cp1252"),
    ("Todos los seres humanos nacen libres e iguales en dignidad y derechos y, dotados como están de razón y "
     "conciencia, deben comportarse fraternalmente. El niño pequeño añadió.\n\n" * 3, "cp1252"),
    ("Všichni lidé se rodí svobodní a sobě rovní co do důstojnosti a práv. Jsou nadáni rozumem a svědomím a "
     "mají spolu jednat v duchu bratrství.\n\n" * 3, "cp1250"),
    ("Minden emberi lény szabadon születik és egyenlő méltósága és joga van. Az emberek, ésszel és "
     "lelkiismerettel bírván, egymással szemben testvéri szellemben kell hogy viseltessenek.\n\n", "cp1250"),
    ("Zażółć gęślą jaźń. Wszyscy ludzie rodzą się wolni i równi pod względem swej godności i swych praw.\n\n" * 3,
     "cp1250"),
]


@pytest.mark.parametrize(("text", "codec"), UNDECLARED_SINGLE_BYTE)
def test_undeclared_latin_text_is_read_in_its_own_code_page(text, codec):
    assert decode(text.encode(codec)) == text
