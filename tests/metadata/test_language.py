import pytest

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


def test_numpy_scanner_gives_py3langid_answers_exactly():
    """identify() walks py3langid's automaton with numpy; answers and probabilities must be the
    ones py3langid gives, on texts in many scripts, short and long, shuffled and random."""
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
        assert scanner.classify(text) == _identifier().classify(text), text


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
