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
