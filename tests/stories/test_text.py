from thresher.stories.text import fold, normalise, terms


def test_possessive_acronym_and_stem():
    t = terms("Poland’s U.S. envoy says elections matter")
    assert "poland" in t.entities
    assert "us" in t.words
    assert "electi" in t.words  # long words keyed by their stem
    assert "says" not in t.words  # function word


def test_numbers_are_kept_without_separators():
    assert terms("Over 1,000 flee as storm hits").numbers == {"1000"}
    assert terms("Over 1000 flee as storm hits").numbers == {"1000"}
    assert "60m" in terms("'Lilo & Stitch' $60M Second Weekend").numbers


def test_title_case_headline_has_no_plain_words():
    t = terms("Stranger Things Season 5 Gets Release Date On Netflix")
    assert t.plain == frozenset()
    assert terms("Stranger Things gets a release date on Netflix").plain >= {"gets", "releas"}


def test_cjk_is_cut_into_bigrams():
    t = terms("習近平訪問ロシア")
    assert "訪問" in t.words
    assert t.entities == frozenset()


def test_fold_and_normalise():
    assert normalise("a\u200bb  \u201cc\u201d") == 'ab "c"'
    assert fold("Officials SAY: “U.S.” wins!") == "officials say us wins"
