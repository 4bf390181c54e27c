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
