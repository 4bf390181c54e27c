import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thresher.deadline import NO_DEADLINE
from thresher.options import Options
from thresher.parse.html import parse_html
from thresher.segment.features import WORD, split_hint_tokens
from thresher.segment.html import PATH_MAX_DEPTH, segment_html

OPTS = Options()


def segment(html):
    return segment_html(parse_html(html, OPTS), OPTS, NO_DEADLINE)


def test_blocks_in_order_with_kinds_and_levels():
    blocks = segment("""<html><body><h2>Heading</h2><p>First <b>bold</b> para.</p>
    <ul><li>one</li><li>two<ul><li>nested</li></ul></li></ul><pre>code  line\n  indented</pre>
    <blockquote>quoted</blockquote><figure><img src=x><figcaption>A caption</figcaption></figure>
    <dl><dt>term</dt><dd>definition</dd></dl></body></html>""")
    got = [(b.kind, b.text) for b in blocks]
    assert got == [
        ("heading", "Heading"),
        ("paragraph", "First bold para."),
        ("list_item", "one"),
        ("list_item", "two"),
        ("list_item", "nested"),
        ("code", "code  line\n  indented"),
        ("quote", "quoted"),
        ("caption", "A caption"),
        ("list_item", "term"),
        ("list_item", "definition"),
    ]
    assert blocks[0].level == 2
    assert blocks[4].level == 2  # nested list
    assert [b.index for b in blocks] == list(range(len(blocks)))


def test_br_becomes_newline_and_whitespace_is_normalised():
    blocks = segment("<html><body><p>  line   one<br>line\n two </p></body></html>")
    assert blocks[0].text == "line one\nline two"


def test_text_directly_in_div_is_a_block_split_by_children():
    blocks = segment("<html><body><div>loose text<p>para</p>tail text</div></body></html>")
    assert [b.text for b in blocks] == ["loose text", "para", "tail text"]


def test_data_table_rows_have_cells_layout_tables_do_not():
    blocks = segment("""<html><body><table><tr><th>Name</th><th>Age</th></tr>
    <tr><td>Ann</td><td>31</td></tr></table>
    <table><tr><td><p>Layout paragraph one.</p></td><td><p>Layout two.</p></td></tr></table></body></html>""")
    rows = [b for b in blocks if b.kind == "table_row"]
    assert [r.cells for r in rows] == [("Name", "Age"), ("Ann", "31")]
    assert [b.text for b in blocks if b.kind == "paragraph"] == ["Layout paragraph one.", "Layout two."]


def test_features_links_hints_and_context():
    blocks = segment("""<html lang="en"><body><nav class="mainMenu"><ul><li><a href="/">Home page</a></li></ul></nav>
    <article><div class="post-body"><p>This is the text of the article, and it has a comma. It ends.</p>
    <p>Half <a href="/x">linked</a></p></div></article><footer id="site_footer"><p>Copyright</p></footer></body></html>""")
    nav, p1, p2, foot = blocks
    assert nav.features["link_density"] == 1.0 and nav.features["n_links"] == 1
    assert nav.features["in_nav"] == 1.0 and nav.features["d_navigation"] > 0
    assert "main" in nav.hints and "menu" in nav.hints
    assert p1.features["in_article"] == 1.0 and p1.features["link_density"] == 0.0
    assert p1.features["sentence_end"] == 1.0 and p1.features["n_commas"] == 1.0
    assert p1.features["stopword_rate"] > 0.3
    assert p1.features["d_content"] > 0
    assert "post" in p1.hints and "body" in p1.hints
    assert 0.3 < p2.features["link_density"] < 0.7
    assert p2.features["sentence_end"] == 0.0
    assert foot.features["in_footer"] == 1.0 and foot.features["d_legal"] > 0
    assert p1.features["prev_link_density"] == 1.0
    assert p1.features["position"] < p2.features["position"]
    assert all(isinstance(v, float) for b in blocks for v in b.features.values())
    assert p1.path.endswith("article[1]/div[1]/p[1]") and p2.path.endswith("p[2]")


def test_cjk_words_are_characters():
    blocks = segment('<html lang="zh"><body><p>我们今天去公园。</p><p>two words</p></body></html>')
    assert blocks[0].features["n_words"] == 7.0
    assert blocks[1].features["n_words"] == 2.0
    assert len(WORD.findall("日本語のテキスト")) == 8


def test_hint_tokens_split_camel_case_and_separators():
    assert split_hint_tokens("postBody main-content") == ("post", "body", "postbody", "main", "content",
                                                         "maincontent")


def test_deep_page_segments_without_recursion_error():
    html = "<html><body>" + "<div>" * 2000 + "<p>deep text</p>" + "</div>" * 2000 + "</body></html>"
    blocks = segment(html)
    assert [b.text for b in blocks] == ["deep text"]


def test_element_cap_stops_the_walk():
    html = "<html><body>" + "".join(f"<p>para {i}</p>" for i in range(50)) + "</body></html>"
    tree = parse_html(html, Options(max_elements=10))
    blocks = segment_html(tree, Options(max_elements=10), NO_DEADLINE)
    assert len(blocks) == 10


def test_stopword_rate_uses_declared_language_and_characters_for_cjk():
    de = segment('<html lang="de"><body><p>Das ist ein Satz, und er ist nicht sehr lang.</p></body></html>')
    assert de[0].features["stopword_rate"] > 0.5
    ja = segment('<html lang="ja"><body><p>これは今日の天気についての簡単な日本語の文です。</p></body></html>')
    assert ja[0].features["stopword_rate"] > 0.3
    unknown = segment('<html lang="xx"><body><p>Zzz qqq vvv.</p></body></html>')
    assert unknown[0].features["stopword_rate"] == 0.0


def test_inline_elements_count_for_links_and_sibling_paths():
    blocks = segment("""<html><body><div><a href="/x">Home</a> <span>one</span><span><b>two</b></span>
    <i class="icon"></i><span><div>inner block</div></span><p>para <a href="/y">link</a></p></div></body></html>""")
    loose, inner, para = blocks
    assert loose.text == "Home onetwo"
    assert loose.features["link_density"] == 4 / len(loose.text) and loose.features["n_links"] == 1.0
    assert inner.path == "body/div[1]/span[3]/div[1]"  # the two spans before it count
    assert para.text == "para link" and para.features["n_links"] == 1.0
    assert para.features["link_density"] == 4 / 9


def test_character_rates_follow_their_definitions():
    text = "Hello, World 42! Привет, МИР… 中文。"
    blocks = segment(f"<html><body><p>{text}</p></body></html>")
    f = blocks[0].features
    n = len(text)
    assert f["n_chars"] == n
    assert f["punct_rate"] == sum(c in ".,;:!?\u3002\uff0c\u3001\uff01\uff1f\uff1b\uff1a\u060c\u061f\u0964\u2026"
                                  for c in text) / n
    assert f["n_commas"] == 2.0
    assert f["digit_rate"] == 2 / n
    assert f["upper_rate"] == sum(c.isupper() for c in text) / n  # Latin and Russian capitals only here
    assert f["sentence_end"] == 1.0


def test_hint_tokens_are_split_once_and_give_categories():
    from thresher.segment.features import CATEGORIES, hint_tokens

    tokens, categories = hint_tokens("site-nav mainMenu")
    assert tokens == split_hint_tokens("site-nav mainMenu")
    assert CATEGORIES.index("navigation") in categories
    assert hint_tokens("site-nav mainMenu") is hint_tokens("site-nav mainMenu")


def _reference_split(value):
    """split_hint_tokens as first written (one pass, list membership): the memoised one must agree."""
    import re

    camel = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
    out = []
    for chunk in value.split()[:12]:
        if chunk.isalpha() and chunk.islower():
            if chunk not in out:
                out.append(chunk)
            continue
        pieces = [p.lower() for p in camel.findall(chunk)]
        for p in pieces:
            if p not in out and not p.isdigit():
                out.append(p)
        if len(pieces) > 1:
            whole = "".join(pieces)
            if len(whole) <= 24 and whole not in out:
                out.append(whole)
        if len(out) >= 16:
            break
    return tuple(out[:16])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["nav", "postBody", "main-content", "col-12", "a b", "x1y2", "HTMLBlock",
                                 "nav", "a-a", "Ab", "AB", "1234", "12-34", "a", "b", "c", "d", "e", "f",
                                 "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r", "s"]),
                max_size=30))
def test_memoised_hint_split_agrees_with_the_plain_one(words):
    value = " ".join(words)
    assert split_hint_tokens(value) == _reference_split(value)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from([
    " ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\xa0", "\u1680", "\u2000", "\u200a",
    "\u200b", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "a", "é", "中", "-",
]), max_size=20))
def test_fast_space_collapse_is_the_regex_one(text):
    from thresher.segment.html import _SPACE, _collapse

    assert _collapse(text) == _SPACE.sub(" ", text).strip()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=30), min_size=1, max_size=8))
def test_character_class_counts_match_the_patterns(texts):
    from thresher.segment.features import _COMMA, _DIGIT, _PUNCT, _UPPER, char_class_counts

    got = char_class_counts(texts).tolist()
    assert got == [[len(p.findall(t)) for t in texts] for p in (_PUNCT, _COMMA, _DIGIT, _UPPER)]


def test_blocks_of_one_element_share_its_hints_without_repeats():
    blocks = segment('<body><div class="post post-body"><p class="post">One paragraph here.</p>'
                     '<p>Another one <br> with a break.</p></div></body>')
    assert blocks[0].hints == ("post", "body", "postbody")
    assert blocks[1].hints == ("post", "body", "postbody")
    assert blocks[1].text == "Another one\nwith a break."


def test_blocks_carry_their_features_as_one_matrix_while_unchanged():
    import numpy as np

    from thresher.segment.features import feature_values

    blocks = segment('<body><nav><a href="/">Home</a></nav><p>One, two. Three!</p><p>Four <a href="#">five</a></p></body>')
    got = feature_values(blocks)
    assert got is not None
    matrix, column_of = got
    assert matrix.shape == (len(blocks), len(blocks[0].features))
    for i, b in enumerate(blocks):
        assert list(column_of) == list(b.features)
        assert matrix[i].tolist() == list(b.features.values())
        assert all(type(v) is float for v in b.features.values())
    assert feature_values(list(blocks)) is None  # a plain list: read the mappings
    from dataclasses import replace

    blocks[1] = replace(blocks[1], features={**blocks[1].features, "n_chars": 1.0})
    assert feature_values(blocks) is None  # a block's features replaced: the matrix is stale
    assert np.isfinite(matrix).all()


def test_feature_mappings_are_the_same_with_and_without_the_compiled_helper(monkeypatch):
    from thresher.segment import features

    html = "<body><h1>Title</h1><ul><li>a <a href='#'>b</a></li></ul><p>Text, more text.</p></body>"
    fast = [b.features for b in segment(html)]
    monkeypatch.setattr(features, "_compiled_row_dicts", lambda: None)
    slow = [b.features for b in segment(html)]
    assert fast == slow
    assert [list(f) for f in fast] == [list(f) for f in slow]


def test_white_space_only_text_makes_no_block():
    blocks = segment("<body><div>\n \u3000\u2003<span> </span>\x1c</div><p>Kept</p></body>")
    assert [b.text for b in blocks] == ["Kept"]


SPANNED_TABLE = """<body><table><tr><th>Model</th><th>Year</th><th>Score</th></tr>
<tr><td rowspan="2">BERT</td><td>2018</td><td>80.5</td></tr><tr><td>2019</td><td>82.1</td></tr>
<tr><td colspan="2">Total</td><td>9</td></tr><tr><td colspan="3">A note across the table</td></tr></table></body>"""


@pytest.mark.parametrize("compiled", [True, False])
def test_spanned_cells_keep_their_columns_in_both_walks(monkeypatch, compiled):
    from thresher.segment import html as segment_module

    if not compiled:
        monkeypatch.setattr(segment_module, "_compiled_walk", lambda: None)
    rows = [b for b in segment(SPANNED_TABLE) if b.kind == "table_row"]
    assert [r.cells for r in rows] == [("Model", "Year", "Score"), ("BERT", "2018", "80.5"), ("", "2019", "82.1"),
                                       ("Total", "", "9"), ("A note across the table",)]
    assert [r.text for r in rows][2:] == ["2019 | 82.1", "Total | 9", "A note across the table"]  # no words added


def test_hostile_or_garbage_spans_are_capped_or_ignored():
    rows = [b for b in segment("""<body><table><tr><td colspan="abc">x</td><td colspan="99999999">y</td>
    <td rowspan="-3">z</td><td colspan="5000">w</td></tr><tr><td>a</td><td>b</td></tr></table></body>""")
            if b.kind == "table_row"]
    assert rows[0].cells == ("x", "y", "z", "w")
    huge = [b for b in segment('<body><table><tr><td colspan="999">x</td><td colspan="999">y</td></tr></table></body>')
            if b.kind == "table_row"]
    assert len(huge[0].cells or ()) == 1000


@pytest.mark.parametrize("compiled", [True, False])
def test_permalink_pilcrow_leaves_the_heading(monkeypatch, compiled):
    from thresher.segment import html as segment_module

    if not compiled:
        monkeypatch.setattr(segment_module, "_compiled_walk", lambda: None)
    blocks = segment('<body><h2>Install<a class="headerlink" href="#install" title="Permalink">¶</a></h2>'
                     '<p>Text of the section, with words.</p><p>Section ¶ 12 ¶</p></body>')
    assert [b.text for b in blocks] == ["Install", "Text of the section, with words.", "Section ¶ 12"]
    plain = segment("<body><h2>Legal ¶</h2></body>")  # no permalinks on the page: the text is the page's
    assert plain[0].text == "Legal ¶"


RENDERING = Options(with_markdown=True, with_html=True)


def _rendered_blocks(html):
    return segment_html(parse_html(html, RENDERING), RENDERING, NO_DEADLINE)


@pytest.mark.parametrize("compiled", [True, False])
def test_ordered_list_start_reversed_and_value_reach_the_items(monkeypatch, compiled):
    from thresher.segment import html as segment_module

    if not compiled:
        monkeypatch.setattr(segment_module, "_compiled_walk", lambda: None)
    blocks = _rendered_blocks("""<body><ol start="5"><li>five</li><li><p>six</p><ul><li>bullet</li></ul></li></ol>
    <ol reversed><li>a</li><li>b</li><li value="10">c</li><li>d</li></ol><ol><li>plain</li></ol>
    <ol start="-2"><li>negative</li></ol></body>""")
    marks = {b.text: [h for h in b.hints if h.startswith(segment_module.ITEM_NUMBER_MARK)] for b in blocks}
    assert marks == {"five": ["#5"], "six": ["#6"], "bullet": [], "a": ["#4"], "b": ["#3"], "c": ["#10"],
                     "d": ["#9"], "plain": [], "negative": []}
    assert not any(h.startswith("#") for b in segment('<body><ol start="5"><li>x</li></ol></body>') for h in b.hints)


@pytest.mark.parametrize("compiled", [True, False])
def test_code_language_attributes_become_a_hint(monkeypatch, compiled):
    from thresher.segment import html as segment_module

    if not compiled:
        monkeypatch.setattr(segment_module, "_compiled_walk", lambda: None)
    blocks = _rendered_blocks("""<body><pre lang="rust">fn main() {}</pre><pre data-lang="Python">x = 1</pre>
    <pre><code data-lang="go">package main</code></pre><pre><code data-language="ts"><span>let</span> x</code></pre>
    <pre>plain</pre></body>""")
    assert [[h for h in b.hints if h.startswith("lang=")] for b in blocks] == [
        ["lang=rust"], ["lang=python"], ["lang=go"], ["lang=ts"], []]


def test_many_numbered_lists_and_spanned_tables_deep_or_wide_stay_cheap():
    import time

    many = "".join(f'<ol start="{i}"><li>item {i}</li></ol>' for i in range(3000))
    deep = "<div>" * (PATH_MAX_DEPTH + 5) + '<table><tr><td rowspan="3">a</td><td>b</td></tr><tr><td>c</td></tr></table>' \
        + "</div>" * (PATH_MAX_DEPTH + 5)
    started = time.perf_counter()
    blocks = _rendered_blocks(f"<body>{many}{deep}</body>")
    assert time.perf_counter() - started < 5
    assert blocks[2999].hints[-1] == "#2999"
    assert [b.cells for b in blocks if b.kind == "table_row"] == [("a", "b"), ("c",)]  # too deep to place: as walked
