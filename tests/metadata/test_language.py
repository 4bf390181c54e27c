import os

import numpy as np
import pytest

from thresher.metadata import language as language_module
from thresher.metadata.language import identify

SAMPLES = {
    "en": "The committee will publish its final report on the new railway line next spring.",
    "de": "Der Ausschuss wird seinen Abschlussbericht über die neue Bahnstrecke im nächsten Frühjahr veröffentlichen.",
    "ru": "Комитет опубликует свой окончательный доклад о новой железнодорожной линии следующей весной.",
    "zh": "委员会将于明年春天发布关于新铁路线的最终报告。",
    "ja": "委員会は来年の春に新しい鉄道路線に関する最終報告書を発表する予定です。",
    "ar": "ستنشر اللجنة تقريرها النهائي عن خط السكك الحديدية الجديد في الربيع المقبل.",
}


@pytest.mark.parametrize("lang", sorted(SAMPLES))
def test_identifies_language(lang):
    assert identify(SAMPLES[lang]) == lang


def test_short_text_is_unsure():
    assert identify("Hello") is None
    assert identify("   ") is None


def test_scanner_gives_py3langid_answers():
    """identify() walks py3langid's automaton itself and sums in float64 where py3langid sums in
    float32: the answers must be py3langid's and the probabilities as close as float32 sums are to
    the exact ones, on texts in many scripts, short and long, shuffled and random."""
    import random

    from thresher.metadata.language import _identifier, _scanner

    scanner = _scanner()
    assert scanner is not None
    assert scanner.depth == 6
    rng = random.Random(3)
    texts = [*SAMPLES.values(), " ".join(SAMPLES.values()), "ABC DEF GHI JKL MNO PQR STU", "x" * 30, "🙂" * 40]
    for text in list(texts):
        chars = list(text)
        rng.shuffle(chars)
        texts.append("".join(chars))
    texts += ["".join(chr(rng.randrange(32, 0x3000)) for _ in range(rng.randrange(1, 400))) for _ in range(50)]
    for text in texts:
        ours, theirs = scanner.classify(text), _identifier().classify(text)
        assert ours[0] == theirs[0], text
        assert ours[1] == pytest.approx(theirs[1], abs=1e-4), text


def test_scanner_keeps_only_the_compact_model_arrays():
    """The model's big tables stay in the dtypes py3langid stores them in (no int64/float64 copies)."""
    from thresher.metadata.language import _scanner

    scanner = _scanner()
    assert scanner is not None
    assert scanner.nextmove.dtype.itemsize <= 4 and scanner.ptc.dtype.itemsize == 2
    assert scanner.output.dtype.itemsize == 4
    assert not hasattr(scanner, "identifier")


def test_npz_reader_reads_stored_members_and_rejects_others():
    import io
    import zipfile

    import numpy as np

    from thresher.metadata.language import _read_npz

    arrays = {"a": np.arange(5, dtype=np.int32), "b": np.ones((2, 3), dtype=np.float16)}
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    got = _read_npz(io.BytesIO(buffer.getvalue()))
    assert sorted(got) == ["a", "b"]
    for name, array in arrays.items():
        assert got[name].dtype == array.dtype and np.array_equal(got[name], array)
    squeezed = io.BytesIO()
    with zipfile.ZipFile(squeezed, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.npy", buffer.getvalue()[:100])
    with pytest.raises(ValueError):
        _read_npz(io.BytesIO(squeezed.getvalue()))
    with pytest.raises(ValueError):
        _read_npz(io.BytesIO(buffer.getvalue()[:200]))


def test_falls_back_to_py3langid_when_its_model_is_laid_out_otherwise(monkeypatch):
    from thresher.metadata import language

    monkeypatch.setattr(language, "_load_arrays", lambda: None)
    language._scanner.cache_clear()
    try:
        assert language._scanner() is None
        assert identify(SAMPLES["de"]) == "de"
    finally:
        language._scanner.cache_clear()



def test_long_text_reads_the_same_sample_as_the_whole_collapsed_text(monkeypatch):
    from thresher.metadata import language

    scanner = language._scanner()
    assert scanner is not None
    seen = []

    class Spy:
        def classify(self, sample):
            seen.append(sample)
            return scanner.classify(sample)

    monkeypatch.setattr(language, "_scanner", lambda: Spy())
    body = SAMPLES["de"] + " " + SAMPLES["en"] * 200
    spaced = " \n\t " * 4000 + body  # the first 16,000 characters are white space
    for text in (body, spaced, SAMPLES["ru"] * 150, "  " + SAMPLES["en"]):
        seen.clear()
        language.identify(text)
        assert seen == [" ".join(text.split())[: language.SAMPLE_CHARS]]


# CI builds the extension (gcc is there): a missing build fails there instead of skipping
compiled = pytest.mark.skipif(language_module._compiled is None and os.environ.get("CI") != "true",
                              reason="C extension not built")


@compiled
def test_c_scan_and_numpy_scan_give_the_same_features_counts_sums_and_answers(monkeypatch):
    """The automaton walked in C (in interleaved stretches) and with numpy: same features in the same
    order with the same counts; the class sums (walk, count and product fused in C) and the
    (language, probability) the same to the last bit."""
    import random

    from thresher.metadata.language import _scanner

    scanner = _scanner()
    assert scanner is not None and language_module._compiled is not None, "the C extension is not built"
    assert scanner.compiled
    rng = random.Random(7)
    texts = [*SAMPLES.values(), " ".join(SAMPLES.values()) * 12, "x" * 30, "🙂" * 400, "", "a" * 9000]
    texts += ["".join(chr(rng.randrange(32, 0x3000)) for _ in range(rng.randrange(1, 3000))) for _ in range(40)]
    texts += [" ".join(rng.choice(list(SAMPLES.values())) for _ in range(rng.randrange(1, 40))) for _ in range(40)]
    for text in texts:
        data = text.encode("utf8")
        a_idx, a_counts = scanner.visits(data)
        b_idx, b_counts = scanner.visits_compiled(data)
        np.testing.assert_array_equal(a_idx, b_idx)
        np.testing.assert_array_equal(a_counts, b_counts)
        fast_sums = scanner.sums(data)
        fast = scanner.classify(text) if text else None
        with monkeypatch.context() as m:
            m.setattr(scanner, "compiled", False)
            slow_sums = scanner.sums(data)
            assert (scanner.classify(text) if text else None) == fast
        assert (fast_sums is None) == (slow_sums is None) == (len(a_idx) == 0)
        if fast_sums is not None and slow_sums is not None:
            assert fast_sums.tobytes() == slow_sums.tobytes()
            # level 1: the loops without F16C/FMA; 2: F16C/FMA without AVX-512 (the one-pass rows where
            # the processor has it, level 0): the same numbers
            for level in (1, 2, True):
                other = np.empty_like(fast_sums)
                language_module._compiled.lang_score(data, scanner.nextmove, scanner.row, scanner.output,
                                                     scanner._slot, scanner.depth, scanner.ptc,
                                                     scanner.weights(len(data)), other, level)
                assert other.tobytes() == fast_sums.tobytes(), level
    assert not scanner._slot.any()  # the scratch is left clean


def test_sums_are_the_ordered_float64_sums_of_exact_products():
    """sums(): feature after feature (first occurrence first), weight x float16 row in float64."""
    from thresher.metadata.language import _scanner

    scanner = _scanner()
    assert scanner is not None
    data = SAMPLES["de"].encode("utf8")
    idx, counts = scanner.visits(data)
    expected = np.zeros(scanner.ptc.shape[1])
    for f, k in zip(idx.tolist(), counts.tolist(), strict=True):
        expected += float(np.log1p(np.float32(k))) * scanner.ptc[f].astype(np.float64)
    got = scanner.sums(data)
    assert got is not None and got.tobytes() == expected.tobytes()
    assert scanner.weights(20_000)[20_000] == np.log1p(np.float32(20_000))  # the weight table grows


@compiled
def test_c_scan_rejects_tables_that_lead_out_of_bounds():
    C = language_module._compiled
    assert C is not None, "the C extension is not built"
    nextmove = np.full(256, 5, dtype=np.uint32)  # every move to state 5, of one state
    row, out_feat = np.zeros(1, dtype=np.uint16), np.zeros(1, dtype=np.int32)
    slot = np.zeros(1, dtype=np.int32)
    idx, counts = np.empty(3, dtype=np.intp), np.empty(3, dtype=np.float32)
    with pytest.raises(ValueError):
        C.lang_visits(b"abc", nextmove, row, out_feat, slot, idx, counts, 6)
    nextmove[:] = 0
    assert C.lang_visits(b"abc", nextmove, row, out_feat, slot, idx, counts, 6) == 1
    assert counts[0] == 3.0 and not slot.any()
    with pytest.raises(TypeError):
        C.lang_visits(b"abc", nextmove.astype(np.int64), row, out_feat, slot, idx, counts, 6)
    ptc, sums = np.full((1, 2), -1.5, dtype=np.float16), np.empty(2)
    weights = np.log1p(np.arange(4, dtype=np.float32))
    assert C.lang_score(b"abc", nextmove, row, out_feat, slot, 6, ptc, weights, sums) == 1
    assert sums.tolist() == [-1.5 * float(weights[3])] * 2 and not slot.any()
    with pytest.raises(ValueError):  # a weight table too short for the counts
        C.lang_score(b"abcd", nextmove, row, out_feat, slot, 6, ptc, weights, sums)
    with pytest.raises(ValueError):  # the class table's rows do not have len(sums) entries
        C.lang_score(b"abc", nextmove, row, out_feat, slot, 6, ptc, weights, np.empty(3))
    nextmove[:] = 5
    with pytest.raises(ValueError):
        C.lang_score(b"abc", nextmove, row, out_feat, slot, 6, ptc, weights, sums)


def _python_sample(text: str) -> str:
    return " ".join(text.split())[: language_module.SAMPLE_CHARS]


@compiled
def test_c_sample_is_the_collapsed_prefix_python_takes(monkeypatch):
    """sample_of in C (collapsed_prefix) and in Python: the white-space collapsed text cut at
    SAMPLE_CHARS, for every kind of white space str.split() knows (and characters it does not)."""
    import random

    assert language_module._collapse is not None, "the C extension is not built"
    rng = random.Random(11)
    pool = [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\xa0", "\u1680", "\u2000", "\u2028",
            "\u3000", "\u200b", "\ufeff", "a", "é", "中", "🙂", "\ud800", "word "]
    texts = ["".join(rng.choice(pool) for _ in range(rng.randrange(0, 60))) for _ in range(3000)]
    texts += [" ".join(SAMPLES.values()) * 60, "  x  " * 2000, "y" * 7000, " " * 7000 + "z", ""]
    for text in texts:
        fast = language_module.sample_of(text)
        assert fast == _python_sample(text), repr(text[:40])
        with monkeypatch.context() as m:
            m.setattr(language_module, "_collapse", None)
            assert language_module.sample_of(text) == fast
    for limit in range(0, 12):
        assert language_module._collapse("  ab  cd\te  ", limit) == "ab cd e"[:limit]
