import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from thresher.dedup.normalise import LOWER_TABLE, normalise, tokenise, tokens


def test_words_are_lowercased_and_punctuation_dropped():
    assert tokens("Hello, World!  It's   FINE_done.") == ["hello", "world", "it", "s", "fine", "done"]
    assert normalise("Hello, World!\n\n  It's \t FINE.") == "hello world it s fine"


def test_nfkc_folds_compatibility_forms():
    assert tokens("ｆｕｌｌ ﬁne x² ｶﾀ") == ["full", "fine", "x2", "カ", "タ"]
    assert tokens("a\u00a0b\u2026c\u202fd") == ["a", "b", "c", "d"]  # NBSP, ellipsis: separators


def test_scripts_without_spaces_are_one_token_per_character():
    assert tokens("我爱北京天安门。") == ["我", "爱", "北", "京", "天", "安", "门"]
    assert tokens("東京タワーへ行く") == ["東", "京", "タ", "ワ", "ー", "へ", "行", "く"]
    assert tokens("ab世c") == ["ab", "世", "c"]
    assert normalise("我爱 北京，天安门") == "我爱北京天安门"


def test_combining_marks_stay_inside_their_word():
    assert tokens("नमस्ते दुनिया") == ["नमस्ते", "दुनिया"]
    assert tokens("สวัสดี")[1] == "วั"  # a Thai vowel sign stays with its consonant
    assert tokens("e\u0301cole") == ["école"]  # NFKC composes


def test_spaced_scripts_keep_words():
    assert tokens("안녕하세요 세계") == ["안녕하세요", "세계"]
    assert tokens("مرحبا بالعالم") == ["مرحبا", "بالعالم"]
    assert tokens("Привет, МИР") == ["привет", "мир"]


def test_empty_and_wordless_texts():
    assert tokens("") == []
    assert tokens(" .,;!? \n\t —") == []
    assert normalise("") == normalise("  !!  ") == ""
    assert len(tokenise("")) == 0


def test_lower_table_matches_str_lower():
    mismatches = [
        cp for cp in range(LOWER_TABLE.size - 1)
        if not 0xD800 <= cp <= 0xDFFF and chr(cp).lower()[0] != chr(int(LOWER_TABLE[cp]))
    ]
    assert mismatches == []


@given(st.text())
def test_tokens_match_the_nfkc_of_the_text(text):
    folded = unicodedata.normalize("NFKC", text)
    assert tokens(text) == tokens(folded)


@given(st.text(alphabet=st.characters(codec="utf-8")))
def test_normalise_is_idempotent(text):
    once = normalise(text)
    assert normalise(once) == once


def test_long_runs_of_marks_are_linear_and_attach_to_their_base():
    zalgo = "a" + "\u0301" * 200_000 + " 東" + "\u0301" * 3 + " \u0301x"
    assert [len(t) for t in tokens(zalgo)] == [200_000, 4, 2]  # NFKC composes a + acute
    assert tokens("\u0301\u0301") == ["\u0301\u0301"]
