"""Reader fixes found by the adversarial corpus (thresher.read), pinned as unit tests."""

from __future__ import annotations

import random

import pytest

from thresher.read.encoding import decode, utf16_without_bom
from thresher.read.sniff import binary_kind, sniff

RU = "Москва — столица России, крупнейший город страны. Впервые упоминается в летописях под 1147 годом."
PAGE = f"<html><body><p>{RU}</p><p>{RU}</p></body></html>"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_bom_less_utf16_of_a_non_latin_page_is_text(codec: str) -> None:
    """Cyrillic high bytes are 0x04, not NUL: the page was refused as binary, or read as UTF-8 with NULs."""
    data = PAGE.encode(codec)
    assert utf16_without_bom(data) == codec
    assert binary_kind(data) is None
    assert sniff(data) == "html"
    assert decode(data) == PAGE


def test_bom_less_utf16_wins_over_a_meta_charset_it_cannot_hold() -> None:
    data = PAGE.replace("<html>", '<html><meta charset="utf-8">').encode("utf-16-be")
    assert "Москва" in decode(data)


def test_binary_with_nuls_on_one_side_is_not_taken_for_utf16() -> None:
    rng = random.Random(11)
    data = bytes(b for _ in range(2000) for b in (rng.randrange(256), 0 if rng.random() < 0.3 else rng.randrange(1, 256)))
    assert utf16_without_bom(data) is None
