from thresher.stories.text import fold, normalise, terms

from . import required


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


# CI builds the extension (gcc is there): a missing C function fails there instead of skipping
def _compiled(name: str):  # type: ignore[no-untyped-def]
    from thresher.stories import text as text_module

    found = getattr(text_module._compiled, name, None)
    required.compiled(found, name)
    return found


HEADLINES = [
    "Poland’s U.S. envoy says elections matter",
    "'Lilo & Stitch' $60M Second Weekend; over 1,000 flee",
    "Stranger Things Season 5 Gets Release Date On Netflix",
    "習近平訪問ロシア 2025年",
    "Ukraine's president, Zelenskyy, meets EU leaders in Brussels",
    "نتنياهو يلتقي ترامب في واشنطن",
    "Le président français à Berlin: «coopération» renforcée",
    "A X 9 the of a1b2 I",
    "",
]


def test_gather_in_c_is_the_python_one():
    from thresher.stories import text as text_module

    gather = _compiled("stories_gather")
    for headline in HEADLINES:
        text_module.clear_cache()
        _, infos = text_module._read(text_module.normalise(headline))
        args = (infos, text_module._ENTITY, text_module._PLAIN, text_module._NUMBER)
        assert gather(*args) == text_module._gather_python(*args), headline
    assert gather([(2, ()), (3, ("x", "y")), (1, ("7",))], 2, 3, 1) == (["x", "y", "7"], [], ["x"], ["7"])


def test_ascii_tokens_in_c_are_read_as_in_python():
    import random
    import string

    from thresher.stories import text as text_module

    token_ascii = _compiled("stories_token_ascii")
    words = text_module.function_words()
    rng = random.Random(0)
    tokens = [*sorted(words)[:2000], "A", "a", "1", "Z9", "ab12", "USA", "Ukraine", "Ukrainians", "x" * 300]
    tokens += ["".join(rng.choice(string.ascii_letters + string.digits) for _ in range(rng.randint(1, 12)))
               for _ in range(20000)]
    handled = 0
    for token in tokens:
        got = token_ascii(token, words, text_module.STEM)
        if got is not None:
            handled += 1
            assert got == text_module._token(token, False), token
    assert handled > 20000
    for other in ("U.S", "don't", "naïve", "é", "a-b", "", "a_b"):  # left to Python
        assert token_ascii(other, words, text_module.STEM) is None


def test_headlines_in_c_are_read_as_in_python():
    import random

    from thresher.stories import text as text_module

    read = _compiled("stories_terms_ascii")
    words = text_module.function_words()
    table = text_module._ASCII_AFTER_NORMALISING
    rng = random.Random(5)
    pieces = ["U.S.", "U.S", "e.g.", "A.B.C.D", "don't", "Trump's", "O'Brien's", "rock'n'roll", "'90s", "x'", "1,000",
              "1,0000", "12.345.678", "3,5", "$1.5bn", "9,999,999", "_", "__init__", "a_b", "The", "the", "A", "I",
              "Ukraine", "Ukrainians", "MUSK", "iPhone", "x" * 300, "42", "2025", "Z9", "\u2019s", "\u2018Lilo\u2019",
              "\u201cno\u201d", "\u2014", "\u2026", "a\u200bb", "\u00ad", "caf\u00e9", "\u00e9t\u00e9", "\u00a0",
              "\u2011", "\u2212", "\u00ab", "\u02bc", "\u2032", "\u7fd2\u8fd1\u5e73", "\U0001f389", "-", ",", ".",
              ":", ";", "!", "?", "(", ")", "&", "/", "\t", "\n", "  "]
    texts = [*HEADLINES, *(" ".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))) for _ in range(4000))]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 8))) for _ in range(4000)]  # no spaces
    handled = 0
    for text in texts:
        got = read(text, words, text_module.STEM, table)
        if got is not None:
            handled += 1
            text_module.clear_cache()
            assert got == text_module._read_terms_python(text), text
        else:
            assert not all(c.isascii() or ord(c) in table for c in text), text
    assert handled > 4000
    assert read("caf\u00e9", words, text_module.STEM, table) is None
    assert read("a\u2019s", words, text_module.STEM) is None  # no table: ASCII only


def test_the_c_table_is_what_normalising_does():
    from thresher.stories import text as text_module

    for code, ascii_text in text_module._ASCII_AFTER_NORMALISING.items():
        assert ascii_text.isascii() and not any(c.isspace() for c in ascii_text)
        assert normalise(f"a{chr(code)}b") == f"a{ascii_text}b", hex(code)


def test_terms_do_not_depend_on_the_c_loops(monkeypatch):
    from thresher.stories import text as text_module

    with_c = [terms(h, h) for h in HEADLINES]
    monkeypatch.setattr(text_module, "_gather", text_module._gather_python)
    monkeypatch.setattr(text_module, "_ascii", None)
    monkeypatch.setattr(text_module, "_terms_ascii", None)
    text_module.clear_cache()
    assert [terms(h, h) for h in HEADLINES] == with_c
    text_module.clear_cache()


def test_openers_are_the_capitalised_words_that_open_a_clause():
    from thresher.stories.text import openers

    assert openers("Boulder attack updates: Multiple people injured, FBI says") == ["boulde", "multip"]
    assert openers("The Knicks lose again - Fans boo") == ["knicks", "fans"]  # after "The"; after a dash
    assert openers("NYC college's students locked inside library") == []  # an acronym is a name anywhere
    assert openers("protesters gather outside: police respond") == []  # lower case: nothing to mark
    t = terms("Runway under construction at Newark airport reopens early")
    assert t.openers == {"runway"} and t.entities == {"runway", "newark"}
    assert terms("Stranger Things Season 5 Gets Release Date On Netflix").openers == frozenset()  # title case


def test_a_last_part_naming_the_outlet_is_dropped():
    from thresher.stories.text import without_outlet

    assert without_outlet("Runway at Newark airport reopens early : NPR", "npr.org") == (
        "Runway at Newark airport reopens early")
    assert without_outlet("Poland's run-off goes down to the wire - BBC News", "bbc.co.uk") == (
        "Poland's run-off goes down to the wire")
    assert without_outlet("Tariffs to stay despite ruling | The Guardian", "theguardian.com") == (
        "Tariffs to stay despite ruling")
    # a last part that is not the outlet's name stays, and so does everything without an outlet
    assert without_outlet("Trump tariffs to stay - US politics live", "theguardian.com").endswith("politics live")
    assert without_outlet("Runway reopens early : NPR", None) == "Runway reopens early : NPR"
    assert without_outlet("Markets slide after rate call - Fox News", "www.foxnews.com") == "Markets slide after rate call"


def test_a_clause_that_begins_like_a_host_label_is_not_an_outlet():
    """Labels that name no outlet (com, net, news, www) matched as prefixes: "Commonwealth steps in"
    was cut from an smh.com.au headline, "Newsom wins again" from a news.yahoo.com one."""
    from thresher.stories.text import without_outlet

    for headline, host in (("Floods cut off towns in Queensland - Commonwealth steps in", "www.smh.com.au"),
                           ("Budget talks stall in Canberra - Netanyahu speaks", "www.abc.net.au"),
                           ("California primary results are in - Newsom wins again", "news.yahoo.com")):
        assert without_outlet(headline, host) == headline
    assert without_outlet("California primary results are in - Yahoo News", "news.yahoo.com") == (
        "California primary results are in")
