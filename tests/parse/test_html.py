import time

import pytest

from thresher.compiled import function
from thresher.options import Options
from thresher.parse.html import LONG_STYLE_MIN, MAX_DEPTH, parse_html

OPTS = Options()


def body_text(tree):
    return tree.body.text(deep=True)


def test_scripts_styles_and_form_controls_are_removed():
    html = """<html><head><title>T</title><style>p{color:red}</style></head><body>
    <p>Visible text.</p><script>var secret = 1;</script><noscript>enable js</noscript>
    <template><p>template text</p></template><svg><text>svg text</text></svg>
    <form><p>Inside a form.</p><input value="x"><button>Send now</button><select><option>opt</option></select>
    <textarea>typed</textarea></form><iframe src="x">frame</iframe></body></html>"""
    text = body_text(parse_html(html, OPTS))
    assert "Visible text." in text
    assert "Inside a form." in text  # the form itself is kept
    for gone in ("secret", "enable js", "template text", "svg text", "Send now", "opt", "typed", "color:red"):
        assert gone not in text


def test_hidden_elements_are_removed():
    html = """<html><body><p>Shown.</p><div hidden>hidden attr</div><span aria-hidden="true">aria</span>
    <div style="display: none">display none</div><div style="visibility:hidden">vis hidden</div>
    <div style="display:block">block shown</div></body></html>"""
    text = body_text(parse_html(html, OPTS))
    assert "Shown." in text and "block shown" in text
    for gone in ("hidden attr", "aria", "display none", "vis hidden"):
        assert gone not in text


def test_hidden_wrapper_holding_the_whole_page_is_kept():
    para = "<p>" + "Real article text that matters. " * 100 + "</p>"
    html = f'<html><body><div aria-hidden="true">{para}</div><div hidden>tiny</div></body></html>'
    text = body_text(parse_html(html, OPTS))
    assert "Real article text" in text
    assert "tiny" not in text


def test_content_a_script_shows_is_kept_and_overlays_still_go():
    """Shops and help pages serve their descriptions, specifications and answers collapsed
    (``display:none`` accordions, tab panels, "read more" expanders, deferred blocks) and a script
    opens them; a reader sees them after a click. Dialogs, menus and carousels stay hidden."""
    prose = "This stoneware mug is thrown by hand and glazed in small batches, so no two are alike. " * 4
    html = f"""<html><body><h1>Mug</h1>
    <div class="accordion__panel" style="display:none">Dishwasher safe. Holds 12 oz.</div>
    <div role="tabpanel" hidden>Ships in 3 days.</div>
    <div class="product-wrapper defer-block" style="display: none"><p>{prose}</p></div>
    <div class="modal-dialog" style="display:none"><p>{prose.replace("mug", "offer")}</p></div>
    <div class="accordion-menu" hidden>Home Shop About</div>
    <nav style="display:none"><p>{prose.replace("mug", "nav")}</p></nav>
    <div aria-hidden="true"><p>{prose.replace("mug", "copy")}</p></div>
    <div hidden><a href="/a">{"Related product link text " * 10}</a></div>
    <div hidden>Short hidden note.</div>
    <div class="research-details" hidden>Lab results from 2024.</div>
    <div id="mainNav" hidden>Deals Brands Stores</div>
    <nav class="collapse" hidden>Shop Cart Account Help</nav>
    <div class="gform_wrapper" style="display:none"><form><p>{prose.replace("mug", "form")}</p></form></div>
    </body></html>"""
    text = body_text(parse_html(html, OPTS))
    for kept in ("Dishwasher safe", "Ships in 3 days", "stoneware mug", "Lab results"):  # "research" is no "search"
        assert kept in text
    for gone in ("stoneware offer", "Home Shop About", "stoneware nav", "stoneware copy",
                 "Related product link", "Short hidden note", "stoneware form",
                 "Shop Cart Account", "Deals Brands"):
        assert gone not in text


def test_react_streamed_segments_are_content_not_hidden():
    # React's streamed server rendering: the placeholder first, the content later in a hidden div that
    # a script swaps in; other hidden divs (and ids that only look alike) still go
    html = """<html><body><!--$?--><template id="B:0"></template><p>Loading</p><!--/$-->
    <div hidden id="S:0"><h1>Surface Laptop 13.8 inch</h1><p>Rated 4.8 of 5.</p></div>
    <div hidden id="S:x">not a segment</div><div hidden id="menu">hidden menu</div>
    <script>$RC("B:0","S:0")</script></body></html>"""
    text = body_text(parse_html(html, OPTS))
    assert "Surface Laptop 13.8 inch" in text and "Rated 4.8 of 5." in text
    assert "not a segment" not in text and "hidden menu" not in text
    # without React's placeholders a hidden div named S:0 is just hidden (hidden SEO text)
    plain = '<html><body><p>Shown.</p><div hidden id="S:0">hidden keywords</div></body></html>'
    assert "hidden keywords" not in body_text(parse_html(plain, OPTS))


def test_head_facts_are_gathered_before_cleaning():
    html = """<html lang="de-AT"><head><title> Ein Titel | Seite </title>
    <meta property="og:title" content="OG Titel"><meta name="description" content="Beschreibung">
    <meta property="article:tag" content="eins"><meta property="article:tag" content="zwei">
    <link rel="canonical" href="https://example.org/a">
    <script type="application/ld+json">{"@type": "Article", "headline": "LD"}</script>
    </head><body><p>Text.</p></body></html>"""
    tree = parse_html(html, OPTS)
    assert tree.title == "Ein Titel | Seite"
    assert tree.lang == "de-AT"
    assert tree.canonical == "https://example.org/a"
    assert tree.json_ld == ('{"@type": "Article", "headline": "LD"}',)
    assert tree.meta_values("og:title") == ["OG Titel"]
    assert tree.meta_values("article:tag") == ["eins", "zwei"]
    assert "LD" not in body_text(tree)


def test_deep_nesting_does_not_hang_or_crash():
    depth = 100_000
    html = "<html><body>" + "<div>" * depth + "deep text" + "</div>" * depth + "<p>after</p></body></html>"
    start = time.monotonic()
    tree = parse_html(html, OPTS)
    assert time.monotonic() - start < 5.0
    assert tree.truncated
    assert depth > MAX_DEPTH


def test_max_elements_is_enforced():
    html = "<html><body>" + "<p>x</p>" * 1000 + "</body></html>"
    tree = parse_html(html, Options(max_elements=100))
    assert tree.truncated
    assert tree.n_elements == 101
    small = parse_html(html, Options(max_elements=5000))
    assert not small.truncated and small.n_elements == 1000


def test_noscript_only_page_is_read_from_its_fallback():
    html = ("<html><body><div id='app'></div><noscript><div class='crawler'><p>"
            + "Server rendered post text for crawlers. " * 30 + "</p></div></noscript></body></html>")
    assert "Server rendered post text" in body_text(parse_html(html, OPTS))


def test_inert_html_keeps_text_and_drops_everything_that_runs_or_loads():
    from thresher.parse.html import inert_html

    page = ('<html><body onload="steal()"><p style="background:url(http://x/a)">Grain <a href="javascript:x()">'
            'and</a> <a href="/keep">chaff</a></p><img src="http://127.0.0.1:9/b.gif" srcset="c.png 2x">'
            "<script>steal()</script><iframe src='http://x'></iframe><link rel=stylesheet href='http://x/s.css'>"
            "<style>p{background:url(http://x/b)}</style><video poster='http://x/p.png'></video></body></html>")
    out = inert_html(page)
    assert "Grain" in out and "chaff" in out and 'href="/keep"' in out
    for gone in ("onload", "steal", "http://", "javascript:", "srcset", "<iframe", "<link", "<style", "poster"):
        assert gone not in out, gone


def test_long_tag_precheck_never_misses_a_tag_the_pattern_finds():
    from thresher.parse.html import _LONG_TAG, _has_long_stretch, _long_stretch_starts

    pad = 16_384
    cases = [
        "<p>" + "é" * 20_000 + "</p>",  # long text between tags: no start tag
        "<a" + "b" * pad + ">",  # matches: a letter and 16,384 more characters
        "<a" + "b" * (pad - 1) + ">",  # one short
        "<a" + "é" * pad + ">",  # multi-byte characters
        "<1" + "b" * pad + ">",  # not a tag name
        "<a" + "b" * pad,  # never closed
        "x<a" + "b" * pad + "<",  # closed by another tag
        '<div data-x="' + "0" * 20_000 + '">text</div>',
        "",
        "<",
    ]
    for text in cases:
        if _LONG_TAG.search(text):
            assert _has_long_stretch(text), text[:20]
        starts = _long_stretch_starts(text)
        assert bool(starts) == (len(text) >= pad and _has_long_stretch(text)), text[:20]
        assert {m.start() for m in _LONG_TAG.finditer(text)} <= set(starts), text[:20]
        assert all(text[k] == "<" for k in starts)
    assert _has_long_stretch(cases[1]) and not _has_long_stretch(cases[0])
    assert not _has_long_stretch(cases[2]) and not _has_long_stretch(cases[5])
    assert _long_stretch_starts("é" + cases[3] + "<p>x" + cases[1]) == [1, 1 + len(cases[3]) + 4]


def test_long_tags_are_cut_only_where_the_prescan_points():
    from thresher.parse.html import _LONG_TAG, _cut_attributes, _cut_long_tags, _long_stretch_starts

    many = "<div " + " ".join(f"a{i}=x" for i in range(4000)) + ">"
    few = '<c-wiz data-p="' + "é" * 20_000 + '">'
    for text in (few + "<p>text</p>", many + "<p>text</p>", "é" + few + many + few + "x", "<p>plain</p>", few):
        want = _LONG_TAG.sub(_cut_attributes, text)
        got = _cut_long_tags(text, _long_stretch_starts(text))
        assert got == want, text[:20]
        if want == text:
            assert got is text  # nothing cut: no copy, and no second depth count in _limit


def test_the_native_parser_is_only_offered_on_checked_releases(monkeypatch):
    import selectolax

    from thresher.parse.html import native_parser

    assert native_parser() is not None  # the installed release (pinned in pyproject) was checked
    monkeypatch.setattr(selectolax, "__version__", "1.1.0")
    assert native_parser() is None


def test_a_tag_of_few_white_space_runs_keeps_its_attributes_as_the_pattern_says():
    import random
    import re

    from thresher.parse.html import _ATTRIBUTE, MAX_ATTRIBUTES, _cut_attributes

    def by_pattern(tag: str) -> str:
        for i, attr in enumerate(_ATTRIBUTE.finditer(tag)):
            if i == MAX_ATTRIBUTES:
                return tag[: attr.start()] + ">"
        return tag

    rng = random.Random(1)
    spaces = [" ", "\t", "\n", "\u3000", "\x1c", "\u00a0", "  "]
    for _ in range(200):
        n = rng.choice([0, 1, MAX_ATTRIBUTES - 1, MAX_ATTRIBUTES, MAX_ATTRIBUTES + 1, MAX_ATTRIBUTES + 2])
        attrs = "".join(rng.choice(spaces) + rng.choice("ab/=>") + str(k) + rng.choice(["", "=x", '="a b"', "= y"])
                        for k in range(n))
        tag = "<div" + attrs + rng.choice(["", " ", "\u3000"]) + ">"
        match = re.match(r"(?s).*", tag)
        assert match is not None
        assert _cut_attributes(match) == by_pattern(tag)


def test_long_tag_end_is_where_the_pattern_match_ends():
    import random

    from thresher.parse.html import _LONG_TAG, _LONG_TAG_MIN, _long_tag_end

    rng = random.Random(2)
    texts = ["", "<", "<a", "<a>", "<a" + "x" * _LONG_TAG_MIN + ">", "<a" + "x" * (_LONG_TAG_MIN - 1) + ">",
             "<é" + "x" * _LONG_TAG_MIN + ">", "<a" + "x" * _LONG_TAG_MIN + "<b>", "<a" + "é" * _LONG_TAG_MIN,
             "x<Z" + "\U0001f600" * _LONG_TAG_MIN + ">y"]
    for _ in range(30):
        texts.append("".join(rng.choice(["<a", "<1", ">", "x" * 9000, "é" * 5000, "<", "b"]) for _ in range(8)))
    for text in texts:
        for start in range(len(text) + 1):
            if start < len(text) and text[start] != "<" and start % 97:
                continue  # every "<", and some other places
            m = _LONG_TAG.match(text, start)
            assert _long_tag_end(text, start) == (m.end() if m else -1), (text[:10], start)


def test_the_pages_own_utf8_bytes_parse_as_its_text_does():
    text = ("<html><head><title>Ti\u00eftle</title><style>" + "p{color:red}" * 2000 + "</style></head><body>"
            "<p>\u041f\u0440\u0438\u0432\u0435\u0442 \u4e16\u754c</p><div hidden>gone</div></body></html>")
    plain = parse_html(text, OPTS)
    given = parse_html(text, OPTS, utf8=text.encode("utf-8"))
    assert given.document.html == plain.document.html
    assert given.title == plain.title == "Ti\u00eftle"
    assert "\u041f\u0440\u0438\u0432\u0435\u0442" in body_text(given)


def test_utf8_bytes_are_not_used_when_the_markup_was_cut():
    depth = 20_000
    text = "<html><body><p>kept</p>" + "<div>" * depth + "deep text" + "</div>" * depth + "</body></html>"
    tree = parse_html(text, OPTS, utf8=text.encode("utf-8"))
    assert tree.truncated
    assert "deep text" not in body_text(tree)  # the parser read the cut markup, not the bytes


_CSS = "div.c > p{color:red;margin:0 auto}" * 1200  # over LONG_STYLE_MIN bytes, with ">" but no "<"


def _both_ways(html):
    """(tree parsed from the UTF-8 bytes, which may cut long styles; tree parsed from the str, which never does)."""
    return parse_html(html, OPTS, utf8=html.encode("utf-8")), parse_html(html, OPTS)


def _same_tree(a, b):
    assert a.document.html == b.document.html
    assert (a.title, a.lang, a.json_ld, a.meta, a.n_elements, a.truncated) == (
        b.title, b.lang, b.json_ld, b.meta, b.n_elements, b.truncated)


@pytest.mark.parametrize(
    "head",
    [
        f"<style>{_CSS}</style>",
        f'<style type="text/css" data-x="a>b" media=all>{_CSS}</STYLE >',  # a quoted ">" in the tag
        f"<STYLE\n id='x'>{_CSS}</style\t>",
        f"<style>{_CSS}</style><style>{_CSS}</style><noscript><style>p{{}}</style></noscript>",
        f'<style ="a>b">{_CSS}</style>',  # "=" starts a name: the tag ends at the first ">"
    ],
)
def test_long_styles_are_left_out_of_the_parse_with_the_same_tree(head):
    html = f"<html><head><title>T</title>{head}</head><body><p>Visible text.</p></body></html>"
    cut, plain = _both_ways(html)
    _same_tree(cut, plain)
    assert len(cut.document.raw_html) < len(html) - len(_CSS) + 100  # the parser did not read the CSS


@pytest.mark.parametrize(
    "markup",
    [
        f"<!-- <style>{_CSS}</style> --><p>after a comment</p>",  # no element: a comment
        f'<script>var s = "<style>{_CSS}</style>";</script><p>after a script</p>',
        f"<div data-x='<style>{_CSS}</style>'>in an attribute</div>",
        f"<textarea><style>{_CSS}</style></textarea><p>after a textarea</p>",
        f"<noscript><style>{_CSS}</style><p>fallback</p></noscript><p>{'shown ' * 200}</p>",  # its text counts
        f"<template><style>{_CSS}</style></template><p>after a template</p>",
        f"<p>the page names thresher-cut-style-0. itself</p><style>{_CSS}</style>",
    ],
)
def test_a_style_opener_that_is_no_style_element_is_parsed_as_written(markup):
    html = f"<html><head><title>T</title></head><body>{markup}</body></html>"
    cut, plain = _both_ways(html)
    _same_tree(cut, plain)
    assert len(cut.document.raw_html) == len(html.encode("utf-8"))  # the tree refused the cut


def test_a_style_in_the_title_is_title_text():
    html = f"<html><head><title><style>{_CSS}</style></title></head><body><p>x</p></body></html>"
    cut, plain = _both_ways(html)
    _same_tree(cut, plain)
    assert cut.title is not None and _CSS[:50] in cut.title


def test_long_style_offsets_from_the_extension():
    find = function("lexbor_long_styles")
    if find is None:
        pytest.skip("the C extension is not built")
    data = f"<style a='>'>{_CSS}</style><style>short</style><style>{_CSS}<b></style>".encode()
    start = data.index(b"p{") - len("div.c > ")
    assert find(data, LONG_STYLE_MIN) == [start, start + len(_CSS)]
    assert find(data, len(_CSS) + 1) == []
    assert find(b"<style>" + b"x" * LONG_STYLE_MIN, LONG_STYLE_MIN) == []  # no end tag: the content runs on
