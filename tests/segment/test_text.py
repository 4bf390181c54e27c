"""segment_text: paragraphs vs. per-line blocks, and the numeric features the text rules read."""

import os
import random
import re
from pathlib import Path

import numpy as np
import pytest

from thresher.deadline import NO_DEADLINE, Deadline
from thresher.errors import DeadlineExceeded
from thresher.model import Block
from thresher.options import Options
from thresher.segment import text as text_module
from thresher.segment.text import content_tokens, is_terminal, segment_text, text_vocabulary

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "text"
MULTILINGUAL = Path(__file__).resolve().parents[1] / "fixtures" / "multilingual"
OPTS = Options()


def seg(text: str) -> list[Block]:
    return segment_text(text, OPTS, NO_DEADLINE)


def by_text(blocks: list[Block], start: str) -> Block:
    return next(b for b in blocks if b.text.startswith(start))


def test_paragraphs_split_on_blank_lines_and_newlines_are_normalised():
    blocks = seg("First paragraph here.\r\n\r\nSecond paragraph here.\rStill second? No: a new line.\n")
    assert [b.text for b in blocks][:1] == ["First paragraph here."]
    assert all("\r" not in b.text for b in blocks)
    assert [b.index for b in blocks] == list(range(len(blocks)))


def test_list_of_short_lines_is_one_block_per_line():
    text = "Top stories\n3:19 One thing happened\n3:09 Another thing happened\n2:52 A third thing"
    blocks = seg(text)
    assert [b.text for b in blocks] == text.split("\n")
    assert all(b.kind == "line" for b in blocks)
    assert [b.features["line_in_para"] for b in blocks] == [0, 1, 2, 3]
    assert {b.features["para"] for b in blocks} == {0.0}


def test_hard_wrapped_prose_is_joined_into_one_paragraph():
    text = (
        "The committee met on Tuesday to discuss the proposal, and after a long\n"
        "debate it decided to postpone the vote until the budget figures for the\n"
        "coming year are known to all members."
    )
    blocks = seg(text)
    assert len(blocks) == 1
    assert blocks[0].kind == "paragraph"
    assert blocks[0].text == " ".join(text.split("\n"))
    assert blocks[0].features["para_lines"] == 3


def test_bullets_are_list_items():
    blocks = seg("Bring:\n- a tent\n- a stove\n* water")
    assert [b.kind for b in blocks] == ["line", "list_item", "list_item", "list_item"]
    assert blocks[1].features["bullet"] == 1.0


def test_cjk_characters_count_as_words_and_have_no_case():
    (block,) = seg("市中心的人民公园改造工程于本周正式完工。")
    assert block.features["n_words"] == 19
    assert block.features["cjk_ratio"] > 0.9
    assert block.features["title_case"] == 0.0
    assert block.features["terminal"] == 1.0


def test_terminal_punctuation_in_several_scripts_and_after_quotes():
    assert is_terminal("He said “yes.”")
    assert is_terminal("完工了。")
    assert is_terminal("Really?!")
    assert not is_terminal("Football news:")
    assert not is_terminal("Why Thousands Are Leaving")


@pytest.mark.parametrize("line", [
    "شہر کی بلدیہ نے ایک نئی لائبریری کا افتتاح کیا۔",  # Urdu full stop
    "မြို့တော်တွင် စာကြည့်တိုက်အသစ် ဖွင့်လှစ်ခဲ့သည်။",  # Burmese
    "ក្រុងបានបើកបណ្ណាល័យថ្មីមួយ។",  # Khmer khan
    "ከተማው አዲስ ቤተ መጻሕፍት ከፍቷል።",  # Ethiopic full stop
    "Քաղաքում նոր գրադարան է բացվել։",  # Armenian full stop
    "གྲོང་ཁྱེར་དུ་དཔེ་མཛོད་གསར་པ་ཞིག་ཕྱེ་སོང་།",  # Tibetan shad
    "महापौर ने कहा कि यह परियोजना पूरी हुई॥",  # Devanagari double danda
    "नगर निगम ने पुस्तकालय खोला।",  # danda
    "ከተማው አዲስ ቤተ መጻሕፍት ከፍቷል?",
])
def test_sentence_ends_of_scripts_beyond_latin_and_cjk(line):
    """Each script's own full stop ends a sentence (Urdu ۔, Burmese ။, Khmer ។, Ethiopic ።, Armenian ։,
    Tibetan །, Devanagari । and ॥), also before a closing quote."""
    (block,) = seg(line)
    assert block.features["terminal"] == 1.0
    assert is_terminal(line + "»")
    (quoted,) = seg(line + "»")
    assert quoted.features["terminal"] == 1.0


_THAI_SENTENCE = "เทศบาลเปิดห้องสมุดประชาชนแห่งใหม่ใจกลางเมืองเมื่อวันอาทิตย์ที่ผ่านมา "
"""Thai has no sentence punctuation: a space ends a sentence, a paragraph just stops."""


def test_long_running_text_in_a_script_without_sentence_punctuation_ends_like_a_sentence():
    """A long Thai or Lao line ends like a sentence; a short one (a menu item, a headline) does not,
    nor does a long Latin line without a full stop, nor a Thai line ending in a digit."""
    paragraph = (_THAI_SENTENCE * 3).strip()
    assert len(paragraph) >= text_module.RUNNING_MIN_CHARS
    blocks = seg(f"หน้าแรก\n\nเปิดห้องสมุดประชาชนแห่งใหม่กลางเมือง\n\n{paragraph}\n\n{paragraph} 2569\n\n"
                 f"ຫ້ອງສະໝຸດແຫ່ງໃໝ່ໄດ້ເປີດໃຫ້ບໍລິການແລ້ວໃນນະຄອນຫຼວງວຽງຈັນ {'ປະຊາຊົນຫຼາຍຄົນມາຢ້ຽມຢາມ ' * 4}"
                 "ທຸກຄົນ\n\n" + "word " * 40 + "end")
    assert [b.features["terminal"] for b in blocks] == [0.0, 0.0, 1.0, 0.0, 1.0, 0.0]
    assert blocks[2].features["listy"] == 0.0


@pytest.mark.parametrize(
    "line",
    ["2 hours ago", "vor 3 Stunden", "il y a 5 minutes", "hace 2 horas", "3 ore fa", "5 минут назад", "3小时前"],
)
def test_relative_time_in_several_languages(line):
    (block,) = seg(line)
    assert block.features["relative_time"] == 1.0


def test_relative_time_not_in_ordinary_sentence():
    (block,) = seg("The bridge was built a long time before the war.")
    assert block.features["relative_time"] == 0.0


def test_leading_time_ends_with_colon_and_title_case():
    blocks = seg("12:45 Council Approves New Budget\nFootball news:\nthe end of it")
    assert blocks[0].features["leading_time"] == 1.0
    assert blocks[1].features["ends_with_colon"] == 1.0
    assert blocks[0].features["title_case"] == 1.0
    assert blocks[2].features["title_case"] == 0.0


@pytest.mark.parametrize(
    "line", ["<!DOCTYPE html>", "<div class=\"nav\">", "&nbsp;&nbsp;&amp;", "{{ article.title }}", "javascript:void(0)"]
)
def test_html_residue(line):
    (block,) = seg(line)
    assert block.features["html_residue"] >= 0.5


def test_no_html_residue_in_plain_prose():
    (block,) = seg("Prices rose by 3% while wages grew & rents stayed flat, the report said.")
    assert block.features["html_residue"] < 0.5


def test_urls_emails_and_repetition():
    blocks = seg("Write to Jane at jane.doe@example.com or see https://example.com/x\n\nShare\n\nBody text.\n\nShare")
    assert blocks[0].features["n_emails"] == 1.0
    assert blocks[0].features["n_urls"] == 1.0
    assert blocks[1].features["repeated"] == 1.0
    assert blocks[2].features["repeated"] == 0.0
    assert blocks[0].features["position"] == 0.0
    assert blocks[-1].features["position"] == 1.0


def test_run_features_cover_consecutive_short_lines_across_blank_lines():
    text = "A long sentence that ends the paragraph properly.\n\n1:00 One\n1:05 Two\n\nThree without time\n\nEnd."
    blocks = seg(text)
    assert blocks[0].features["run_len"] == 0.0
    assert [b.features["run_len"] for b in blocks[1:4]] == [3.0, 3.0, 3.0]
    assert blocks[1].features["run_time_share"] == pytest.approx(2 / 3)


def test_topic_fit_is_low_for_an_off_topic_headline():
    body = (
        "Flights out of the capital were booked for days as reservists tried to leave the country "
        "before the border closed, and long queues of cars formed at every crossing to the south.\n\n"
        "Officials said the border would stay open, but reservists and their families kept arriving "
        "at the crossings with luggage, fearing that the mobilization would soon be expanded.\n\n"
    )
    blocks = seg(body + "Reservists queue for days at the border crossings\n\nStriker scores twice as champions win derby")
    on_topic = by_text(blocks, "Reservists queue").features["topic_fit"]
    off_topic = by_text(blocks, "Striker").features["topic_fit"]
    assert on_topic > 0.5
    assert off_topic == 0.0


def test_content_tokens_drop_stop_words_and_use_cjk_bigrams():
    stop = text_vocabulary().stopwords
    assert content_tokens("The treaty and the peace", stop) == ["treaty", "peace"]
    assert content_tokens("公园改造", stop) == ["公园", "园改", "改造"]


def test_every_feature_is_a_float():
    blocks = seg((FIXTURES / "de_promo_and_ticker.txt").read_text(encoding="utf-8"))
    keys = set(blocks[0].features)
    for block in blocks:
        assert set(block.features) == keys
        assert all(isinstance(v, float) for v in block.features.values())


def test_empty_and_blank_text_give_no_blocks():
    assert seg("") == []
    assert seg("\n \n\t\n") == []


def test_deadline_is_checked():
    expired = Deadline(0.0)
    with pytest.raises(DeadlineExceeded):
        segment_text("line without end\n" * 5000, OPTS, expired)


def test_features_are_views_of_one_table_per_document():
    from thresher.segment.text import FEATURES, TextFeatures, feature_table

    blocks = seg("First line\nSecond line\n\nA paragraph that ends.")
    table = feature_table(blocks)
    assert all(isinstance(b.features, TextFeatures) and b.features.table is table for b in blocks)
    assert table.values.shape == (len(blocks), len(FEATURES))
    assert dict(blocks[1].features) == {name: float(table.values[1, j]) for j, name in enumerate(FEATURES)}
    assert table.columns().n_words == [2.0, 2.0, 4.0]
    with pytest.raises(KeyError):
        blocks[0].features["no_such_feature"]


def test_feature_table_of_blocks_from_elsewhere_reads_their_dicts():
    from thresher.segment.text import feature_table

    blocks = [Block(index=0, text="x", features={"n_words": 3.0}), Block(index=1, text="y")]
    table = feature_table(blocks)
    assert table.column("n_words").tolist() == [3.0, 0.0]
    assert feature_table(seg("a\nb")[1:]).column("position").tolist() == [1.0]  # a slice: rows renumbered


def test_patterns_are_found_on_every_line_of_a_document_not_only_the_first():
    blocks = seg("Intro sentence of the page.\n\nToday at 6:23 PM\n12:05 Markets open\n- a bullet\n"
                 "see https://example.org/a and mail x@example.org\n<div class=\"x\">")
    f = {b.text[:8]: b.features for b in blocks}
    assert f["Today at"]["relative_time"] == 1.0
    assert f["12:05 Ma"]["leading_time"] == 1.0
    assert f["- a bull"]["bullet"] == 1.0
    assert (f["see http"]["n_urls"], f["see http"]["n_emails"]) == (1.0, 1.0)
    assert f["<div cla"]["html_residue"] >= 0.5
    assert f["Intro se"]["relative_time"] == f["Intro se"]["n_urls"] == 0.0


def test_characters_outside_the_basic_plane_and_case_changes_that_grow_the_text():
    blocks = seg("İstanbul Üniversitesi 🎉 kutlama yaptı.\n𠀋𠀋 emoji 😀 Line Two\nΟΔΟΣ ΣΟΦΙΑΣ")
    assert [b.features["n_words"] for b in blocks] == [5.0, 5.0, 2.0]
    assert blocks[0].features["title_case"] == 0.5  # İstanbul, Üniversitesi of four words
    assert blocks[2].features["title_case"] == 1.0


def test_stop_word_and_comma_ratios_separate_prose_from_menus():
    prose, menu = seg("The minister said that the plan, which was approved in May, would be delayed.\n\n"
                      "Home News Sport Weather Markets")
    assert prose.features["stop_ratio"] > 0.3 > menu.features["stop_ratio"]
    assert prose.features["comma_ratio"] > 0.1 and menu.features["comma_ratio"] == 0.0


# CI builds the extension (gcc is there): a missing build fails there instead of skipping
compiled = pytest.mark.skipif(text_module._compiled is None and os.environ.get("CI") != "true",
                              reason="C extension not built")

_MIXED = [
    "İstanbul Üniversitesi 🎉 kutlama yaptı.\n𠀋𠀋 emoji 😀 Line Two\nΟΔΟΣ ΣΟΦΙΑΣ ΚΑΙ ΟΔΥΣΣΕΑΣ",
    "委员会将于明年春天发布关于新铁路线的最终报告，「相关阅读」、3小时前\n日本語のテキスト、ニュースレター",
    "ستنشر اللجنة تقريرها النهائي عن خط السكك الحديدية الجديد، في الربيع المقبل.\nעברית: שלום עולם",
    "Read more: 2 hours ago\n12:05 Markets rally\n- a bullet, with commas, and, more\n<div class=x>&amp; "
    "{{x}}</div>\nWrite to Jane Doe at jane@example.com or see https://example.com/a_b\n\nThe_snake_case x2 "
    "don't ﬁnance ẞtraße Ǆemal ΣΑΣ ß İİ\u0130\n\u00a0\u2028tail\u2029x\x0cy\x1cz\u0085w",
    "a\n\nb\n\n\n" + "word " * 900 + "\n" + "x" * 5000,
    "\U0001d400\U0001d401 \U0001F600x \U00020000\U00020001\U00020002 mixed 𝔄𝔅 𝟙𝟚 \U000e0041",
]


def _features_of(blocks: list[Block]) -> list[tuple[str, str, tuple[tuple[str, float], ...]]]:
    return [(b.text, b.kind, tuple(b.features.items())) for b in blocks]


@compiled
def test_c_loops_and_numpy_fallback_give_the_same_blocks_and_features(monkeypatch):
    """The per-character and per-word loops run in C (_speedups_text.c) when the extension is built,
    else with numpy and Python sets: every feature of every block must be the same, in every script
    (CJK without spaces, RTL, case changes that grow the text, characters beyond the BMP)."""
    import random

    assert text_module._compiled is not None, "the C extension is not built"
    rng = random.Random(5)
    texts = list(_MIXED) + [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("*.txt"))]
    alphabet = "aZ İıΣσς ß日本語한국어 ٠١,，、،.!?。\n\n\t-•😀𠀋:_0123456789<&{=@/"
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 300))) for _ in range(200)]
    for text in texts:
        if not text.strip():
            continue
        fast = _features_of(seg(text))
        with monkeypatch.context() as m:
            m.setattr(text_module, "_compiled", None)
            for name in ("_text_lines", "_lower", "_has_chars_in"):
                m.setattr(text_module, name, None)
            slow = _features_of(seg(text))
        assert fast == slow, text[:80]


@compiled
def test_c_loops_find_characters_beyond_the_basic_plane():
    """text_counts/text_words return None when they meet a character beyond the BMP and were given
    no table for it; with the table they count it."""
    C = text_module._compiled
    assert C is not None, "the C extension is not built"
    table = text_module._bmp_classes()
    vocab = text_vocabulary()
    counts = np.zeros((1, 6), dtype=np.int64)
    assert C.text_counts("a 😀 b", table, None, counts) is None
    assert C.text_counts("a 😀 b", table, text_module._astral_classes("😀"), counts) is True
    assert counts[0].tolist() == [3, 0, 2, 0, 0, 0]
    assert C.text_words("a 𝐀b", "a 𝐀b", table, None, vocab.stopwords, vocab.relative_triggers) is None
    with pytest.raises(ValueError):
        C.text_counts("a\nb", table, None, np.zeros((1, 6), dtype=np.int64))  # two blocks, one row
    with pytest.raises(ValueError):
        C.text_counts("a", table[:100], None, counts)


@compiled
def test_c_word_table_gives_what_the_word_sets_give():
    """text_words_vocab looks words up in its own hash table (text_vocab) and makes a str only of
    the words it keeps: every answer must be the one text_words gives with the sets, in every script,
    including words that differ only past the first characters or in case folding."""
    import random

    C = text_module._words_vocab
    assert C is not None and text_vocabulary().compiled is not None, "the C extension is not built"
    vocab = text_vocabulary()
    table = text_module._bmp_classes()
    rng = random.Random(9)
    stop = sorted(vocab.stopwords)
    texts = list(_MIXED) + [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("*.txt"))]
    texts += ["\n".join(" ".join(rng.choice(stop) + rng.choice(["", "", "s", "x", "é"]) for _ in range(rng.randrange(1, 12)))
                        for _ in range(rng.randrange(1, 6))) for _ in range(200)]
    alphabet = "aZ İıΣσς ß日本語한국어 ٠١,，、،.!?。\n\t-•😀𠀋:_0123456789"
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 200))) for _ in range(200)]
    for text in texts:
        doc = "\n".join(line for line in text.split("\n"))
        low = doc.lower()
        astral = text_module._astral_classes(doc + low)
        want = C.text_words(low, doc, table, astral, vocab.stopwords, vocab.relative_triggers)
        assert C.text_words_vocab(low, doc, table, astral, vocab.compiled) == want, text[:60]
    # a small table of its own: words only in one list, in both, and a non-word entry
    own = C.text_vocab(frozenset({"the", "and", "ago", "", "don't"}), frozenset({"ago", "vor"}))
    got = C.text_words_vocab("the ago vor and x", "the ago vor and x", table, None, own)
    assert got == ([5], [3], [True], [{"vor"}], ["the ago vor and x"])
    with pytest.raises(TypeError):
        C.text_vocab(frozenset({1}), frozenset())


def test_classes_of_characters_beyond_the_basic_plane_are_remembered_not_changed():
    text = "a 😀 b 𝐀 c 🙂😀 \U00020000"
    first = text_module._astral_classes(text)
    assert first == text_module._astral_classes(text)  # second time from the remembered bits
    fresh = text_module._classes_of("".join(sorted(set(text_module._ASTRAL_RE.findall(text))))).tolist()
    assert sorted(first.values()) == sorted(fresh)
    assert set(first) == {ord(ch) for ch in "😀𝐀🙂\U00020000"}


_NON_CJK = [
    "The minister said, on Monday, that the plan “would be delayed.”\nRead more: 2 hours ago\n12:05 Markets rally\n"
    "[3:15] Ticker line\n١٢:٠٥ خبر عاجل\n1. First point\n12) Twelfth point\n- a bullet, with commas\n• another\n"
    "Write to Jane Doe at jane@example.com or see https://example.com/a_b and www.example.org\n<div class=x>&amp;</div>\n"
    "var x = {'a': 1}; document.write(x)\njavaſcript: void(0) — a transcript, a description",
    "ΟΔΟΣ ΣΟΦΙΑΣ ΚΑΙ ΟΔΥΣΣΕΑΣ\nΗ οδός Σοφίας είναι μεγάλη.\nΟΔΟΣ'Α ΣΟΦΙΑΣ\nМинистр сказал, что план отложен.\n"
    "Türkçe ıi metin, \u212aelvin ſo straße ẞ ǅ\nThe_snake_case x2 don't ﬁnance\n\u00a0\u2028tail\u2029x\x0cy\x1cz\u0085w",
    ("word " * 60 + "end\n") * 3 + "Home\nHome\nhome!\n" + "A" * 300 + "\n" + "A" * 300 + "\n\nshort line:\nvor 2 Stunden",
    "One.\"'\n" + "x" + "'" * 13 + "\n" + "Ends with closing marks.”)\nNo terminal ”\n…\n?\n¿Qué?\nनमस्ते।\nسلام؟",
    "شہر۔\nမြို့။\nក្រុង។\nក្រុង៕\nከተማ።\nከተማ፧\nՔաղաք։\nགྲོང་།\nགྲོང་༎\nहै॥\nᠬᠣᠲᠠ᠃\nहै॥”\nشہر۔)\n"
    + "ภาษาไทย" * 17 + "\n" + "ภาษาไทย" * 18 + "\n" + "ภาษาไทย " * 20 + "๒๕๖๙\n" + "ພາສາລາວ " * 20 + "ລາວ\n" + "ไทย" * 40 + "”",
]


@compiled
def test_whole_document_features_in_c_match_the_python_code(monkeypatch):
    """text_features computes every column of a document without CJK, characters beyond the BMP or
    case changes that grow the text in one C pass: the same numbers as the Python code, for scripts
    with spaces, Unicode digits in time stamps, closing quotes, repeated short and long lines,
    markup, links and e-mail addresses (looked for in Python in both cases)."""
    import random

    assert text_module._whole is not None, "the C extension is not built"
    rng = random.Random(8)
    texts = list(_NON_CJK) + [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted(MULTILINGUAL.glob("*.txt"))]
    alphabet = ["۔", "။", "॥", "।", "։", "ภาษาไทยภาษาไทยภาษาไทยภาษาไทยภาษาไทย", "ລາວລາວລາວລາວ", "ไทย", "the", "and", "vor", "Stunden", "ago", "ΣΟΦΙΑΣ", "ıi", "12:05", "١:٠٥", "[1:2", "-", "•", "»", "x2",
                "“q.”", "end.)", ",", "،", "http://a.b", "a@b.co", "<b>", "&amp;", "{{x}}", "=", "script", "…", "\n"]
    texts += [" ".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 80))) for _ in range(300)]
    for text in texts:
        if not text.strip():
            continue
        fast = _features_of(seg(text))
        with monkeypatch.context() as m:
            m.setattr(text_module, "_whole", None)
            assert _features_of(seg(text)) == fast, text[:80]
    vocab = text_vocabulary()
    table = text_module._bmp_classes()
    out = np.zeros((1, len(text_module.FEATURES)))
    for other in ("日本語のテキスト", "emoji 😀", "İstanbul"):  # CJK, beyond the BMP, lower() grows it
        assert text_module._whole.text_features(other, other.lower(), table, vocab.compiled, [0], [0], [1], out) is None
    with pytest.raises(ValueError):  # two blocks, one row
        text_module._whole.text_features("a\nb", "a\nb", table, vocab.compiled, [0], [0], [1], out)


def test_blocks_made_without_init_are_the_blocks_init_makes(monkeypatch):
    """The extension's new_slotted fills the blocks' slots directly: equal to Block(...) field by
    field; it refuses classes and values it cannot fill."""
    text = "Title\n\nA paragraph, long enough.\n\n- one\n- two"
    fast = seg(text)
    with monkeypatch.context() as m:
        m.setattr(text_module, "_new_slotted", None)
        slow = seg(text)
    assert fast == slow and [type(b) for b in fast] == [Block] * len(slow)
    make = text_module._new_slotted
    if make is None:
        return
    assert text_module.slotted_maker(dict, {}) is None
    with pytest.raises(ValueError):  # a slot without a value
        make(Block, 1, {"index": [0]}, {})
    with pytest.raises(ValueError):  # a column of the wrong length
        make(Block, 2, {"index": [0], "text": ["a"], "kind": ["line"], "features": [{}]}, text_module._BLOCK_DEFAULTS)
    with pytest.raises(ValueError):  # a slot named twice, one missing
        make(text_module.TextFeatures, 1, {"row": [0]}, {"row": 0})

    class Plain:
        pass

    with pytest.raises(TypeError):
        make(Plain, 1, {}, {})  # no tuple of slots it can fill


def test_feature_table_of_blocks_that_no_longer_view_their_rows():
    """feature_table reuses segment_text's table only when block i views row i of it."""
    blocks = seg("One line here.\nAnother line there.\nA third one.")
    table = text_module.feature_table(blocks)
    assert table is blocks[0].features.table  # type: ignore[attr-defined]
    swapped = [blocks[1], blocks[0], blocks[2]]
    other = text_module.feature_table(swapped)
    assert other is not table
    assert other.values.tolist() == table.values[[1, 0, 2]].tolist()
    replaced = [*blocks[:2], Block(2, "x", features={"n_chars": 1.0})]
    assert text_module.feature_table(replaced).values[2].tolist() == [
        1.0 if name == "n_chars" else 0.0 for name in text_module.FEATURES]


def test_strong_residue_prefilter_never_hides_a_match():
    """_may_be_strong is False only where _STRONG_RESIDUE_RE finds nothing, also with the letters
    re's case-insensitive matching takes as ASCII ones (İ, ı, ſ, the Kelvin sign)."""
    import random

    rng = random.Random(12)
    pool = ["<", ">", "{", "}", "=", "&", ";", ":", ".", " ", "(", ")", "'", "a", "x", "İ", "ı", "ſ", "\u212a", "é",
            "script", "javascript:", "window.x", "document.write", "function", "var", "DOCTYPE", "<div", "{{", "}}"]
    for _ in range(20000):
        probe = "".join(rng.choice(pool) for _ in range(rng.randrange(1, 12)))
        if text_module._STRONG_RESIDUE_RE.search(probe):
            assert text_module._may_be_strong(probe), probe


def test_blocks_holding_marks_are_found_from_the_whole_text():
    texts = ["a <b", "plain", "x & y & z", "", "www.a http", "@"]
    doc = "\n".join(texts)
    starts = text_module._starts(texts)
    for marks in (("<", "&"), ("http", "www."), ("@",), ("script",)):
        assert text_module._holding(doc, starts, marks) == [
            i for i, t in enumerate(texts) if any(m in t for m in marks)]


@compiled
def test_c_search_for_unpunctuated_scripts_is_the_regex_search(monkeypatch):
    """has_unpunctuated in C (has_chars_in) says what the regex says, characters at and just past
    each end of the Thai and Lao ranges included, in str of every width."""
    import random
    import re

    assert text_module._has_chars_in is not None, "the C extension is not built"
    pattern = re.compile(text_module.UNPUNCTUATED)
    edges = ["\u0e00", "\u0e01", "\u0e4f", "\u0e50", "\u0e80", "\u0e81", "\u0edf", "\u0ee0"]
    pool = ["a", "é", "’", "中", "🙂", "\n", *edges]
    rng = random.Random(5)
    texts = ["", "plain ascii", "latin-1 café", *edges, *("x" * k + ch for k in (0, 7, 300) for ch in edges)]
    texts += ["".join(rng.choice(pool) for _ in range(rng.randrange(0, 30))) for _ in range(2000)]
    for text in texts:
        expected = pattern.search(text) is not None
        assert text_module.has_unpunctuated(text) == expected, repr(text)
        with monkeypatch.context() as m:
            m.setattr(text_module, "_has_chars_in", None)
            assert text_module.has_unpunctuated(text) == expected
    with pytest.raises(ValueError):
        text_module._has_chars_in("x", (5, 1))


@compiled
def test_c_lower_is_str_lower_or_leaves_it_to_str_lower(monkeypatch):
    """lower() in C: str.lower() for every character of the BMP (alone and in a text, of each width),
    None (str.lower() then) for İ, the capital sigma (its lower case depends on its neighbours) and
    text beyond the BMP; the result has the narrowest width, as str.lower()'s does."""
    import sys

    C = text_module._lower
    assert C is not None, "the C extension is not built"
    for cp in range(0x10000):
        ch = chr(cp)
        got = C(ch)
        if cp in (0x130, 0x3A3):
            assert got is None
        else:
            assert got == ch.lower(), hex(cp)
    every = "".join(chr(cp) for cp in range(0x20, 0x10000) if cp not in (0x130, 0x3A3))
    assert C(every) == every.lower()
    assert C("🙂 A") is None
    for text in ("Straße ÀÉÎ", "ŸES", "Ωμέγα ΣΟΦΙΑ", "İstanbul", "ÇA VA", "Ǆ ǅ", "Kelvin \u212a"):
        assert text_module.lower(text) == text.lower()
        assert sys.getsizeof(text_module.lower(text)) == sys.getsizeof(text.lower())  # same width
        with monkeypatch.context() as m:
            m.setattr(text_module, "_lower", None)
            assert text_module.lower(text) == text.lower()


@compiled
def test_c_paragraph_lines_split_and_strip_as_python_does(monkeypatch):
    """paragraph_lines in C (text_lines): the stripped non-empty lines of str.splitlines() and the
    paragraph sizes, for every line break (\r\n as one) and white space str knows, in str of every
    width; and segment_text's blocks the same either way."""
    import random

    assert text_module._text_lines is not None, "the C extension is not built"
    pool = ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", " ", "\t",
            "\xa0", "\u3000", "\u200b", "\ufeff", "a", "é", "中", "🙂", "word", "\n\n"]
    rng = random.Random(9)
    texts = ["", "\n", "a", "a\n", "\na", "a\r\n\r\nb", "a\r\rb", " a \n\n b \n c ", *_MIXED]
    texts += ["".join(rng.choice(pool) for _ in range(rng.randrange(0, 40))) for _ in range(3000)]
    for text in texts:
        fast = text_module.paragraph_lines(text)
        with monkeypatch.context() as m:
            m.setattr(text_module, "_text_lines", None)
            slow = text_module.paragraph_lines(text)
            slow_blocks = _features_of(seg(text)) if text.strip() else None
        assert fast == slow, repr(text)
        lines = [x.strip() for x in text.splitlines()]
        assert fast[0] == [x for x in lines if x] and sum(fast[1]) == len(fast[0])
        if slow_blocks is not None:
            assert _features_of(seg(text)) == slow_blocks, repr(text)


def test_relative_time_runs_only_the_patterns_a_line_can_match():
    """has_relative_time says what the alternation of every pattern says: each pattern runs only on
    lines holding (case-insensitively, folded) one of the texts every match of it holds, also with
    the letters re's case-insensitive matching takes as others (ſ and s, İ and i, ς and σ)."""
    import random

    vocab = text_vocabulary()
    assert vocab.relative_parts and all(need for need, _ in vocab.relative_parts[:3])
    rng = random.Random(5)
    pool = ["2", "15", " ", "  ", "ago", "AGO", "aGo", "just now", "Yesterday", "today", "at", "10:30", ",", "vor",
            "Vor", "einer", "Stunde", "Stunden", "il y a", "IL Y A", "une", "heure", "hace", "una", "hora", "há", "HÁ",
            "ha", "uma", "dias", "un", "ore", "fa", "een", "uur", "geleden", "för", "dagar", "sedan", "ſedan", "siden",
            "temu", "dni", "назад", "Минут", "önce", "gün", "前", "小时", "시간", "전", "hours", "minutes", "x", "é",
            "İl y a", "ı", "\u212a", "ς", "a", "one", "week", "de", "y"]
    lines = [f"{a}" for a in ("2 hours ago", "Just now", "yesterday, at 10:30", "vor 3 Stunden", "il y a 5 minutes",
                              "hace 2 horas", "há 2 dias", "3 ore fa", "een uur geleden", "för 2 dagar sedan",
                              "2 timer siden", "5 dni temu", "5 минут назад", "3 gün önce", "3小时前", "3時間前",
                              "3 시간 전", "A long time ago", "2 HOURS AGO", "för 2 dagar ſedan")]
    lines += ["".join(rng.choice(pool) + rng.choice(["", " "]) for _ in range(rng.randrange(1, 9)))
              for _ in range(20000)]
    found = 0
    for line in lines:
        want = vocab.relative_time.search(line) is not None
        assert text_module.has_relative_time(line, vocab) == want, line
        found += want
    assert found > 100


def test_required_texts_of_a_pattern():
    required = text_module.required_texts
    assert required(r"\b\d+\s+(?:hours?|days?)\s+ago\b") == ("ago",)
    assert required(r"^\W*(?:just now|Yesterday)") == ("just now", "yesterday")
    assert required(r"\bh[áa]\s+\d+") == ("ha", "há")
    assert required(r"\d+\s*(?:秒|分)前") == ("分前", "秒前")
    assert required(r"\d+\s+\w+") is None
    assert required("ſedan", re.IGNORECASE) == ("sedan",)


def test_fold_translates_only_what_it_must_and_says_the_same():
    """fold skips str.translate when no letter it maps is in the text: the same as translating always."""
    first = str.maketrans({"\u0130": "i"})

    def always(text: str) -> str:
        return text.lower() if text.isascii() else text.translate(first).lower().translate(text_module.FOLD_THEN)

    rng = random.Random(8)
    pool = [*"aAbİIıiſsSςσΣµμKk", *map(chr, text_module.FOLD_THEN), "\u0345", "ǅ", "ẞ", "ß", "ﬅ", "ﬆ", "中", " "]
    for _ in range(20000):
        text = "".join(rng.choice(pool) for _ in range(rng.randrange(0, 10)))
        assert text_module.fold(text) == always(text), repr(text)


@compiled
def test_c_blocks_of_paragraphs_are_the_python_loops(monkeypatch):
    """blocks_of in C (text_blocks): the same blocks (joined hard-wrapped prose, one block a line
    otherwise) as the Python loop, for paragraphs of lines that end mid-sentence or not, start with
    a time stamp, a bullet, a lower-case letter or a quote, in scripts of every width."""
    assert text_module._text_blocks is not None, "the C extension is not built"
    rng = random.Random(21)
    words = ["the", "Bridge", "was", "built", "über", "中文", "🙂", "naïve", "x" * 30, "(see", "“quoted”", "'it",
             "12:30", "[9:05]", "1.", "2)", "-", "•", "»", "—", "end.", "end,", "end;", "end-", "end–", "end—",
             "Tail:", "tail：", "said.\"", "done.)", "ok!", "what?", "…", "2024", "ǅ", "ß"]
    for _ in range(3000):
        lines = [" ".join(rng.choice(words) for _ in range(rng.randrange(1, 14))) for _ in range(rng.randrange(1, 12))]
        lines = [line.strip() for line in lines if line.strip()]
        if not lines:
            continue
        cuts = sorted(rng.sample(range(1, len(lines)), rng.randrange(0, len(lines)))) if len(lines) > 1 else []
        sizes = [b - a for a, b in zip([0, *cuts], [*cuts, len(lines)], strict=True)]
        fast = text_module.blocks_of(lines, sizes, Deadline(None))
        with monkeypatch.context() as m:
            m.setattr(text_module, "_text_blocks", None)
            assert text_module.blocks_of(lines, sizes, Deadline(None)) == fast, (lines, sizes)
    with pytest.raises(ValueError):
        text_module._text_blocks(["a", "b"], [1], "paragraph", "line")
    with pytest.raises(ValueError):
        text_module._text_blocks(["a", ""], [2], "paragraph", "line")


def test_content_token_set_is_the_set_of_content_tokens():
    stop = text_vocabulary().stopwords
    rng = random.Random(3)
    pool = ["The", "treaty", "TREATY", "Treaty", "and", "peace", "公园改造", "中", "İstanbul", "ΟΔΟΣ", "ὈΔΥΣΣΕΎΣ", "ß",
            "Straße", "ǅemal", "x1y", "a_b", "naïve", "'s", " ", "\n", ",", "日本語テキスト", "한국어"]
    for _ in range(5000):
        text = "".join(rng.choice(pool) + rng.choice(["", " ", "\n"]) for _ in range(rng.randrange(0, 12)))
        assert text_module.content_token_set(text, stop) == set(content_tokens(text, stop)), repr(text)


def test_long_documents_keep_whole_number_columns_as_shared_ints_with_the_same_values():
    from thresher.segment.text import FEATURES, feature_table, segment_text

    lines = [f"Line {i} of a long list, {i % 7} items: {'x' * (i % 13)}." for i in range(1500)]
    blocks = segment_text("\n".join(lines), Options(), NO_DEADLINE)
    table = feature_table(blocks)
    columns = table.columns()
    floats = table.values.T.tolist()
    for name, column, reference in zip(FEATURES, columns, floats, strict=True):
        assert column == reference, name  # 3 == 3.0: the rules compute the same
    assert all(type(v) is int for v in columns.n_words)  # counts: small ints, shared objects
    assert any(type(v) is float for col in columns for v in col)  # ratios stay floats
    short = feature_table(blocks[:20]).columns()
    assert all(type(v) is float for v in short.n_words)  # short documents: as before
