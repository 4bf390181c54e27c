import lxml.html
from hypothesis import given, settings
from hypothesis import strategies as st

from thresher.assemble.html import render_html
from thresher.model import Block, Metadata
from thresher.options import Options

STRUCTURAL_TAGS = frozenset({
    "div", "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "ul", "ol", "li", "table", "thead", "tbody",
    "tr", "th", "td", "pre", "code", "blockquote", "figure", "figcaption",
})


def _b(i: int, text: str, kind: str = "paragraph", **kw: object) -> Block:
    return Block(index=i, text=text, kind=kind, **kw)  # type: ignore[arg-type]


def _tree(blocks: list[Block], title: str | None = None) -> lxml.html.HtmlElement:
    """The fragment parsed by lxml, under one <div>."""
    fragment = render_html(blocks, Metadata(title=title), Options())
    return lxml.html.fragment_fromstring(fragment, create_parent="div")


def _shape(el: lxml.html.HtmlElement) -> str:
    """Tags only, nested: ``ul(li(ul(li)),li)``."""
    children = [c for c in el if isinstance(c.tag, str) and c.tag != "br"]
    return el.tag + (f"({','.join(_shape(c) for c in children)})" if children else "")


def test_headings_keep_their_level_and_the_title_is_left_to_the_head():
    tree = _tree([_b(0, "Intro", "heading", level=2), _b(1, "Deep", "heading", level=9), _b(2, "Body.")],
                 title="The <title>")
    assert [(h.tag, h.text) for h in tree] == [("h2", "Intro"), ("h6", "Deep"), ("p", "Body.")]


def test_nested_lists_ordered_by_the_tag_path():
    tree = _tree([
        _b(0, "first", "list_item", level=1, path="body/ol[1]/li[1]"),
        _b(1, "bullet", "list_item", level=2, path="body/ol[1]/li[1]/ul[1]/li[1]"),
        _b(2, "second", "list_item", level=1, path="body/ol[1]/li[2]"),
        _b(3, "Step two, more.", "list_item", level=1, path="body/ol[1]/li[2]/p[2]"),
    ])
    assert _shape(tree) == "div(ol(li(ul(li)),li))"
    items = tree.findall(".//li")
    assert [li.text.strip() for li in items] == ["first", "bullet", "second"]
    assert items[2].text_content() == "second\nStep two, more."


def test_list_starting_deep_and_closing_several_levels():
    tree = _tree([
        _b(0, "deep", "list_item", level=3),
        _b(1, "deeper", "list_item", level=4),
        _b(2, "deepest", "list_item", level=5),
        _b(3, "back", "list_item", level=3),
        _b(4, "After."),
    ])
    assert _shape(tree) == "div(ul(li(ul(li(ul(li)))),li),p)"


def test_ordered_list_starting_later_keeps_its_number():
    tree = _tree([_b(0, "third", "list_item", level=1, path="body/ol[1]/li[3]")])
    assert tree.find("ol").get("start") == "3"


def test_table_header_body_padding_and_separate_tables():
    tree = _tree([
        _b(0, "", "table_row", cells=("Name", "Value", "Note"), path="body/table[1]/tr[1]"),
        _b(1, "", "table_row", cells=("a|b", "<1>"), path="body/table[1]/tr[2]"),
        _b(2, "", "table_row", cells=("x", "y"), path="body/table[2]/tr[1]"),
    ])
    tables = tree.findall("table")
    assert len(tables) == 2
    assert [th.text for th in tables[0].findall("thead/tr/th")] == ["Name", "Value", "Note"]
    assert [td.text or "" for td in tables[0].findall("tbody/tr/td")] == ["a|b", "<1>", ""]
    assert tables[1].find("tbody") is None


def test_code_keeps_lines_and_language_and_markup_as_text():
    tree = _tree([
        _b(0, "if a < b:", "code", path="body/pre[1]/span[1]", hints=("language", "python", "languagepython")),
        _b(1, "    print('<b>&amp;</b>')", "code", path="body/pre[1]/span[2]"),
        _b(2, "other", "code", path="body/pre[2]"),
    ])
    codes = tree.findall("pre/code")
    assert len(codes) == 2
    assert codes[0].get("class") == "language-python"
    assert codes[0].text == "if a < b:\n    print('<b>&amp;</b>')"
    assert codes[1].get("class") is None


def test_quote_caption_and_line_breaks():
    tree = _tree([
        _b(0, "First.", "quote", path="body/blockquote[1]/p[1]"),
        _b(1, "Second.", "quote", path="body/blockquote[1]/p[2]"),
        _b(2, "A photo.", "caption"),
        _b(3, "Roses are red\nViolets are blue"),
    ])
    assert _shape(tree) == "div(blockquote(p,p),figure(figcaption),p)"
    assert len(tree.findall("p/br")) == 1


def test_markup_in_text_stays_text():
    evil = '<script>alert("x")</script> <img src=x onerror=alert(1)> &copy; "q" \x00\x07'
    tree = _tree([_b(0, evil), _b(1, evil, "heading", level=2), _b(2, "", "table_row", cells=(evil,))])
    assert not tree.findall(".//script") and not tree.findall(".//img")
    expected = evil.replace("\x00", "").replace("\x07", "").strip()
    assert tree.find("p").text == expected
    assert tree.find("h2").text == expected
    assert tree.find("table/thead/tr/th").text == expected
    for el in tree.iter():
        assert el.tag in STRUCTURAL_TAGS
        assert not el.attrib or el.tag in ("ol", "code")


def test_nothing_kept_is_empty():
    assert render_html([], Metadata(), Options()) == ""
    assert render_html([_b(0, "  ")], Metadata(), Options()) == ""


_TEXT = st.text(alphabet=st.sampled_from("ab1 .)#>+-*=_`~[]()<>&;!\\|:\"'\x00\ud800é中"), min_size=1,
                max_size=30)


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.sampled_from(["paragraph", "heading", "list_item", "quote", "table_row", "code", "caption"]))
def test_any_text_in_any_block_kind_reads_back(text, kind):
    block = _b(0, text, kind, level=2, cells=(text, text) if kind == "table_row" else None, path="body/x[1]")
    fragment = render_html([block], Metadata(), Options())
    clean = text.replace("\x00", "").replace("\ud800", "")
    if not clean.strip():
        return
    tree = lxml.html.fragment_fromstring(fragment, create_parent="div")
    assert all(el.tag in STRUCTURAL_TAGS for el in tree.iter())
    if kind == "code":
        assert tree.find("pre/code").text == "\n".join(line.rstrip() for line in clean.split("\n")).strip("\n")
    else:
        expected = " ".join(clean.split())
        assert " ".join(tree.text_content().split()) == (f"{expected}{expected}" if kind == "table_row" else expected)


def test_text_blocks_show_their_lists_and_headlines():
    features = {"terminal": 0.0, "ends_with_colon": 0.0, "leading_time": 0.0, "n_words": 2.0}
    tree = _tree([
        Block(index=0, text="Opening hours", kind="paragraph", features=features),
        Block(index=1, text="1. Monday", kind="list_item"),
        Block(index=2, text="2. Tuesday", kind="list_item"),
    ])
    assert _shape(tree) == "div(h2,ol(li,li))"
    assert [li.text for li in tree.findall("ol/li")] == ["Monday", "Tuesday"]


def test_table_of_paragraph_cells_is_a_table():
    t = "body/table[1]/tbody[1]"
    tree = _tree([
        _b(0, "JSON", path=f"{t}/tr[1]/td[1]/p[1]"), _b(1, "Python", path=f"{t}/tr[1]/td[2]/p[1]"),
        _b(2, "object", path=f"{t}/tr[2]/td[1]/p[1]"), _b(3, "dict", path=f"{t}/tr[2]/td[2]/p[1]"),
    ])
    assert _shape(tree) == "div(table(thead(tr(th,th)),tbody(tr(td,td))))"
    assert [td.text for td in tree.findall("table/tbody/tr/td")] == ["object", "dict"]


def test_every_thead_row_is_a_header_row():
    t = "body/table[1]"
    tree = _tree([
        _b(0, "", "table_row", cells=("Model", "Price"), path=f"{t}/thead[1]/tr[1]"),
        _b(1, "", "table_row", cells=("", "USD"), path=f"{t}/thead[1]/tr[2]"),
        _b(2, "", "table_row", cells=("A", "1"), path=f"{t}/tbody[1]/tr[1]"),
    ])
    assert len(tree.findall("table/thead/tr")) == 2
    assert [td.text for td in tree.findall("table/tbody/tr/td")] == ["A", "1"]


def test_inline_markup_as_tags_with_safe_addresses():
    from thresher.model import Span

    block = Block(index=0, text="Read <the> guide and bold now", kind="paragraph", spans=(
        Span(5, 16, "link", 'https://ex.org/?a=1&b="2"'), Span(21, 25, "strong"),
        Span(26, 26, "image", "https://ex.org/i.png", 'a "cat"')))
    html = render_html([block], Metadata(), Options())
    assert html == ('<p>Read <a href="https://ex.org/?a=1&amp;b=%222%22">&lt;the&gt; guide</a> and '
                    '<strong>bold</strong> <img src="https://ex.org/i.png" alt="a &quot;cat&quot;"> now</p>\n')
    lxml.html.fragment_fromstring(html, create_parent="div")


def test_addresses_with_spaces_are_valid_urls_letters_of_any_script_stay():
    from thresher.model import Span

    block = Block(index=0, text="my file and 北京", kind="paragraph", spans=(
        Span(0, 7, "link", "https://ex.org/docs/my file.pdf"), Span(12, 14, "link", "https://zh.wikipedia.org/wiki/北京"),
        Span(14, 14, "image", "https://ex.org/a b.png", "x")))
    tree = lxml.html.fragment_fromstring(render_html([block], Metadata(), Options()), create_parent="div")
    assert [a.get("href") for a in tree.iter("a")] == ["https://ex.org/docs/my%20file.pdf",
                                                        "https://zh.wikipedia.org/wiki/北京"]
    assert tree.find(".//img").get("src") == "https://ex.org/a%20b.png"
    from thresher.assemble.markdown import render_markdown

    md = render_markdown([block], Metadata(), Options())  # the same rule, parentheses aside
    assert "(https://ex.org/docs/my%20file.pdf)" in md and "(https://zh.wikipedia.org/wiki/北京)" in md


def test_a_list_inside_a_blockquote_stays_in_it():
    q = "body/blockquote[1]"
    tree = _tree([
        _b(0, "Before.", path="body/p[1]"),
        _b(1, "Intro:", "quote", path=f"{q}/p[1]"),
        _b(2, "one", "list_item", level=1, path=f"{q}/ol[1]/li[1]"),
        _b(3, "two", "list_item", level=1, path=f"{q}/ol[1]/li[2]"),
        _b(4, "End.", "quote", path=f"{q}/p[2]"),
        _b(5, "only", "list_item", level=1, path="body/blockquote[2]/ul[1]/li[1]"),
        _b(6, "outside", "list_item", level=1, path="body/ul[1]/li[1]"),
    ])
    assert _shape(tree) == "div(p,blockquote(p,ol(li,li),p),blockquote(ul(li)),ul(li))"


def test_definitions_outside_a_list_item_are_paragraphs():
    d = "body/dl[1]"
    tree = _tree([_b(0, "Chunk", "list_item", level=1, path=f"{d}/dt[1]"),
                  _b(1, "A piece.", "list_item", level=1, path=f"{d}/dd[1]"),
                  _b(2, "Vector", "list_item", level=1, path=f"{d}/dt[2]"),
                  _b(3, "Numbers.", "list_item", level=1, path=f"{d}/dd[2]/p[1]"),
                  _b(4, "Meaning.", "list_item", level=1, path=f"{d}/dd[2]/p[2]"),
                  _b(5, "Card.", "list_item", level=1, path="body/ul[1]/li[1]/div[1]/p[1]"),
                  _b(6, "Item.", "list_item", level=1, path="body/ul[2]/li[1]")])
    assert _shape(tree) == "div(p,p,p,p,p,p,ul(li))"
    assert [p.text for p in tree.findall("p")] == ["Chunk", "A piece.", "Vector", "Numbers.", "Meaning.", "Card."]


def test_an_image_that_stood_before_a_link_stays_out_of_it():
    from thresher.model import Span

    block = Block(index=0, text="Read the guide.", kind="paragraph", spans=(
        Span(0, 14, "link", "https://ex.org/g"), Span(0, 0, "image", "https://ex.org/i.png", "shot", alone=True)))
    tree = lxml.html.fragment_fromstring(render_html([block], Metadata(), Options()), create_parent="div")
    assert tree.find(".//a/img") is None and tree.find("p/img") is not None
    assert tree.find(".//a").text == "Read the guide"


def test_items_the_page_numbers_otherwise_say_their_value():
    tree = _tree([_b(0, "three", "list_item", level=1, path="body/ol[1]/li[1]", hints=("#3",)),
                  _b(1, "two", "list_item", level=1, path="body/ol[1]/li[2]", hints=("#2",)),
                  _b(2, "ten", "list_item", level=1, path="body/ol[1]/li[3]", hints=("#10",)),
                  _b(3, "eleven", "list_item", level=1, path="body/ol[1]/li[4]", hints=("#11",))])
    ol = tree.find("ol")
    assert ol.get("start") == "3"
    assert [li.get("value") for li in ol.findall("li")] == [None, "2", "10", None]


def test_code_language_from_a_pre_attribute_in_html():
    tree = _tree([_b(0, "fn main() {}", "code", hints=("lang=rust",))])
    assert tree.find("pre/code").get("class") == "language-rust"
