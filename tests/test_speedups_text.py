"""The text extension's character scans (_speedups_text.c: has_chars_in, has_unprintable) against
their regex twins, on long texts of every str width with the hit anywhere (they test a stretch of
characters at a time)."""

import os
import random
import re

import pytest

from thresher.assemble.document import _UNPRINTABLE as UNPRINTABLE
from thresher.compiled import extension

C = extension("has_chars_in", "has_unprintable")
compiled = pytest.mark.skipif(C is None and os.environ.get("CI") != "true", reason="C extension not built")


def _texts(rng: random.Random, specials: list[str]) -> list[str]:
    plain = ["a", " ", "é", "\t", "\n", "\r", "中", "😀", "\xa0", "\x7e", "\xa0", "\ufffd", "\u0e00", "\u0e50"]
    out = []
    for _ in range(3000):
        n = rng.choice([0, 1, 5, 255, 256, 257, 600, 1500])
        chars = [rng.choice(plain) for _ in range(n)]
        if chars and rng.random() < 0.5:
            chars[rng.randrange(n)] = rng.choice(specials)
        out.append("".join(chars))
    return out


@compiled
def test_has_chars_in_is_the_character_class_search():
    assert C is not None, "the C extension is not built"
    rng = random.Random(1)
    ranges = (0x0E01, 0x0E4F, 0x0E81, 0x0EDF)
    pattern = re.compile("[\u0e01-\u0e4f\u0e81-\u0edf]")
    for text in _texts(rng, ["\u0e01", "\u0e4f", "\u0e81", "\u0edf", "\u0e50", "\u0e80", "\u0ee0"]):
        assert C.has_chars_in(text, ranges) == (pattern.search(text) is not None), repr(text[:40])
        assert C.has_chars_in(text, (0x41, 0x5A)) == (re.search("[A-Z]", text) is not None)


@compiled
def test_has_unprintable_is_the_regex_search():
    assert C is not None, "the C extension is not built"
    rng = random.Random(2)
    specials = ["\x00", "\x08", "\x0b", "\x0c", "\x0e", "\x1f", "\x7f", "\x9f", "\ud800", "\udfff", "\ufffe", "\uffff",
                "\x20", "\xa0", "\ufffd"]
    for text in _texts(rng, specials):
        assert C.has_unprintable(text) == (UNPRINTABLE.search(text) is not None), repr(text[:40])


@compiled
def test_the_surrogate_test_of_repair_surrogates_is_the_regex_search(monkeypatch):
    """repair_surrogates asks the extension's has_chars_in whether a str holds a surrogate: the
    answer (and so the repaired text) of the regex it stands in for, on texts of every str width."""
    from thresher.read import encoding

    assert C is not None and encoding._has_chars_in is not None, "the C extension is not built"
    rng = random.Random(3)
    texts = _texts(rng, ["\ud800", "\udbff", "\udc00", "\udce9", "\udfff", "\ud7ff", "\ue000", "\U0001f600"])
    texts += ["caf\udce9 au lait", "smile \ud83d\ude00 now", "plain ascii", ""]
    fast = [encoding.repair_surrogates(text) for text in texts]
    for text in texts:
        assert C.has_chars_in(text, encoding._SURROGATE_RANGE) == (encoding._SURROGATE_RE.search(text) is not None)
    monkeypatch.setattr(encoding, "_has_chars_in", None)
    assert [encoding.repair_surrogates(text) for text in texts] == fast
    assert any(a != b for a, b in zip(texts, fast, strict=True))  # some texts were repaired
