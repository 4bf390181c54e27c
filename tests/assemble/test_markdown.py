from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from thresher.assemble.markdown import render_markdown
from thresher.model import Block, Metadata
from thresher.options import Options


def test_shapes_render_as_gfm():
    blocks = [
        Block(index=0, text="Intro", kind="heading", level=2),
        Block(index=1, text="A *starred* word.", kind="paragraph"),
        Block(index=2, text="one", kind="list_item", level=1),
        Block(index=3, text="nested", kind="list_item", level=2),
        Block(index=4, text="", kind="table_row", cells=("Name", "Value")),
        Block(index=5, text="", kind="table_row", cells=("a|b", "1")),
        Block(index=6, text="print('x')", kind="code"),
    ]
    md = render_markdown(blocks, Metadata(title="Title: here"), Options())
    assert md.startswith("## Intro\n\nA \\*starred\\* word.\n\n- one\n  - nested\n\n")
    assert "| Name | Value |\n| --- | --- |\n| a\\|b | 1 |" in md
    assert "```\nprint('x')\n```" in md


def test_line_that_looks_like_syntax_is_escaped():
    md = render_markdown([Block(index=0, text="1. not a list", kind="paragraph")], Metadata(), Options())
    assert md == "1\\. not a list\n"
    assert _html([_b(0, "## not a heading")]) == "<p>## not a heading</p>\n"


# --- rendered through a CommonMark + GFM-tables parser: the HTML shows what a reader would see ---

_PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def _html(blocks: list[Block], title: str | None = None) -> str:
    return _PARSER.render(render_markdown(blocks, Metadata(title=title), Options()))


def _b(i: int, text: str, kind: str = "paragraph", **kw: object) -> Block:
    return Block(index=i, text=text, kind=kind, **kw)  # type: ignore[arg-type]


def test_headings_keep_their_level_and_a_trailing_hash():
    html = _html([_b(0, "Intro", "heading", level=2), _b(1, "C #", "heading", level=3),
                  _b(2, "Deep", "heading", level=9)])
    assert "<h2>Intro</h2>" in html
    assert "<h3>C #</h3>" in html
    assert "<h6>Deep</h6>" in html


def test_title_is_not_added_to_the_content():
    assert _html([_b(0, "Title", "heading", level=1), _b(1, "Body.")], title="Title").count("<h1>") == 1
    assert "<h1>" not in _html([_b(0, "Body.")], title="Title")


def test_nested_list_by_level():
    html = _html([
        _b(0, "one", "list_item", level=1, path="body/ul[1]/li[1]"),
        _b(1, "inner", "list_item", level=2, path="body/ul[1]/li[1]/ul[1]/li[1]"),
        _b(2, "two", "list_item", level=1, path="body/ul[1]/li[2]"),
    ])
    assert html == "<ul>\n<li>one\n<ul>\n<li>inner</li>\n</ul>\n</li>\n<li>two</li>\n</ul>\n"


def test_list_starting_deep_is_not_an_indented_code_block():
    html = _html([_b(0, "Text."), _b(1, "deep", "list_item", level=3), _b(2, "deeper", "list_item", level=4)])
    assert "<pre>" not in html
    assert "<li>deep\n<ul>\n<li>deeper</li>" in html


def test_ordered_list_from_the_tag_path():
    html = _html([
        _b(0, "first", "list_item", level=1, path="body/ol[1]/li[1]"),
        _b(1, "second", "list_item", level=1, path="body/ol[1]/li[2]"),
        _b(2, "bullet", "list_item", level=2, path="body/ol[1]/li[2]/ul[1]/li[1]"),
    ])
    assert html.startswith("<ol>\n<li>first</li>\n<li>second\n<ul>\n<li>bullet</li>\n</ul>\n</li>\n</ol>")


def test_paragraphs_of_one_item_stay_in_it():
    html = _html([
        _b(0, "Step one.", "list_item", level=1, path="body/ol[1]/li[1]/p[1]"),
        _b(1, "Details of step one.", "list_item", level=1, path="body/ol[1]/li[1]/p[2]"),
        _b(2, "Step two.", "list_item", level=1, path="body/ol[1]/li[2]"),
    ])
    assert html.count("<li>") == 2
    assert "<li>Step one.<br />\nDetails of step one.</li>" in html


def test_table_has_header_padded_rows_and_escaped_pipes():
    html = _html([
        _b(0, "", "table_row", cells=("Name", "Value", "Note")),
        _b(1, "", "table_row", cells=("a|b", "*1*")),
        _b(2, "", "table_row", cells=("c",)),
    ])
    assert "<thead>\n<tr>\n<th>Name</th>\n<th>Value</th>\n<th>Note</th>" in html
    assert "<td>a|b</td>\n<td>*1*</td>\n<td></td>" in html
    assert html.count("<tr>") == 3
    assert "<em>" not in html


def test_code_is_fenced_with_the_hinted_language_and_lines_of_one_pre_join():
    html = _html([
        _b(0, "x = `1`", "code", path="body/pre[1]/div[1]", hints=("language", "python", "languagepython")),
        _b(1, "    y = 2", "code", path="body/pre[1]/div[2]"),
        _b(2, "<b>not bold</b>", "code", path="body/pre[2]"),
    ])
    assert '<pre><code class="language-python">x = `1`\n    y = 2\n</code></pre>' in html
    assert "<pre><code>&lt;b&gt;not bold&lt;/b&gt;\n</code></pre>" in html


def test_code_without_language_hint_has_no_info_string():
    html = _html([_b(0, "ls", "code", hints=("languages", "menu"))])
    assert html == "<pre><code>ls\n</code></pre>\n"


def test_quote_paragraphs_of_one_blockquote():
    html = _html([
        _b(0, "First.", "quote", path="body/blockquote[1]/p[1]"),
        _b(1, "> Second.", "quote", path="body/blockquote[1]/p[2]"),
    ])
    assert html == "<blockquote>\n<p>First.</p>\n<p>&gt; Second.</p>\n</blockquote>\n"


def test_text_that_looks_like_markup_stays_text():
    html = _html([
        _b(0, "a *b* _c_ [d](e) <i>f</i> &copy; ~~g~~ `h`"),
        _b(1, "---"),
        _b(2, "Line\n==="),
        _b(3, "> not a quote"),
        _b(4, "#"),
        _b(5, "+ plus"),
    ])
    assert "<p>a *b* _c_ [d](e) &lt;i&gt;f&lt;/i&gt; &amp;copy; ~~g~~ `h`</p>" in html
    for tag in ("<em>", "<a ", "<i>", "<code>", "<s>", "<hr", "<h1>", "<h2>", "<blockquote>", "<ul>"):
        assert tag not in html
    assert "<p>---</p>" in html
    assert "<p>&gt; not a quote</p>" in html


def test_multi_line_paragraph_keeps_its_line_breaks():
    html = _html([_b(0, "one\ntwo")])
    assert html == "<p>one<br />\ntwo</p>\n"


def _visible_text(markdown: str) -> str:
    out = []
    for token in _PARSER.parse(markdown):
        if token.type == "inline":
            out.extend(c.content for c in token.children or () if c.type in ("text", "code_inline"))
    return "".join(out)


_MARKUP_TEXT = st.text(alphabet=st.sampled_from("ab1 .)#>+-*=_`~[]()<>&;!\\|:"), min_size=1, max_size=30)


@settings(max_examples=300, deadline=None)
@given(_MARKUP_TEXT)
def test_any_paragraph_line_reads_back_as_its_text(text):
    md = render_markdown([_b(0, text, path="body/p[1]")], Metadata(), Options())
    assert _visible_text(md) == text.strip()


@settings(max_examples=300, deadline=None)
@given(_MARKUP_TEXT, st.sampled_from(["heading", "list_item", "quote", "table_row"]))
@example("- |", "list_item")  # a delimiter-row look-alike that also starts like a list item
@example("- |", "quote")
def test_any_line_in_any_block_kind_reads_back_as_its_text(text, kind):
    block = _b(0, text, kind, level=2, cells=(text, text) if kind == "table_row" else None, path="body/x[1]")
    md = render_markdown([block], Metadata(), Options())
    expected = " ".join(text.split())
    if kind == "table_row" and expected:
        expected = expected * 2
    assert " ".join(_visible_text(md).split()) == expected


# --- already-scraped text (blocks without a tag path): the structure the text shows ---

def _t(i: int, text: str, kind: str = "paragraph", **features: float) -> Block:
    base = {"terminal": 1.0 if text.rstrip()[-1:] in ".!?" else 0.0,
            "ends_with_colon": 1.0 if text.endswith(":") else 0.0,
            "leading_time": 0.0, "n_words": float(len(text.split()))}
    return Block(index=i, text=text, kind=kind, features={**base, **features})  # type: ignore[arg-type]


def test_text_list_lines_become_list_items_with_their_numbers():
    md = render_markdown([
        _t(0, "Intro paragraph."),
        _t(1, "- Book the van", "list_item"),
        _t(2, "• Label boxes", "list_item"),
        _t(3, "Then:"),
        _t(4, "3. Read the meters.", "list_item"),
        _t(5, "3) Same number again.", "list_item"),
        _t(6, "4. Hand over the keys", "line"),
    ], Metadata(), Options())
    assert "- Book the van\n- Label boxes\n\nThen:\n\n" in md
    html = _PARSER.render(md)
    assert '<ol start="3">\n<li>Read the meters.</li>\n<li>Same number again.</li>\n<li>Hand over the keys</li>' in html
    assert "\\-" not in md and "•" not in md


def test_text_headline_line_before_prose_or_a_list_is_a_heading():
    prose = "A paragraph of prose that is clearly longer than the headline above it."
    md = render_markdown([
        _t(0, "What changed"), _t(1, prose),
        _t(2, "Opening hours"), _t(3, "- Monday to Friday", "list_item"),
        _t(4, "Not a headline."), _t(5, prose),
        _t(6, "Too short for its follower"), _t(7, "Short one."),
        _t(8, "Ends with a colon:"), _t(9, prose),
        _t(10, "Last line"),
    ], Metadata(), Options())
    assert md.startswith("## What changed\n\n")
    assert "## Opening hours\n\n- Monday to Friday" in md
    assert md.count("## ") == 2


def test_html_blocks_are_not_reshaped_as_text():
    md = render_markdown([_b(0, "- dash", path="body/p[1]"), _b(1, "Short", path="body/p[2]"),
                          _b(2, "A longer paragraph of prose follows here.", path="body/p[3]")],
                         Metadata(), Options())
    assert md.startswith("\\- dash\n\nShort\n\n")


# --- tables the segmenter took for layout (cells holding <p> or headings): rebuilt when they are a grid ---

def test_table_with_paragraphs_in_cells_is_rebuilt():
    t = "body/div[1]/table[1]"
    md = render_markdown([
        _b(0, "Before.", path="body/div[1]/p[1]"),
        _b(1, "Specs", "heading", level=3, path=f"{t}/thead[1]/tr[1]/th[1]/h3[1]"),
        _b(2, "JSON", path=f"{t}/tbody[1]/tr[1]/td[1]/p[1]"),
        _b(3, "Python", path=f"{t}/tbody[1]/tr[1]/td[2]/p[1]"),
        _b(4, "object", path=f"{t}/tbody[1]/tr[2]/td[1]/p[1]"),
        _b(5, "dict", path=f"{t}/tbody[1]/tr[2]/td[2]/p[1]"),
        _b(6, "empty first cell", path=f"{t}/tbody[1]/tr[3]/td[2]/p[1]"),
        _b(7, "After.", path="body/div[1]/p[2]"),
    ], Metadata(), Options())
    assert md == ("Before.\n\n| Specs |  |\n| --- | --- |\n| JSON | Python |\n| object | dict |\n"
                  "|  | empty first cell |\n\nAfter.\n")


def test_layout_table_with_long_cells_stays_paragraphs():
    t = "body/table[1]/tr[1]"
    long = "A paragraph of the article. " * 15
    blocks = [_b(0, "Menu", path=f"{t}/td[1]/p[1]"), _b(1, long, path=f"{t}/td[2]/p[1]"),
              _b(2, "Side", path="body/table[1]/tr[2]/td[1]/p[1]"), _b(3, "More.", path="body/table[1]/tr[2]/td[2]/p[1]")]
    assert "|" not in render_markdown(blocks, Metadata(), Options())
    one_row = [_b(0, "a", path=f"{t}/td[1]/p[1]"), _b(1, "b", path=f"{t}/td[2]/p[1]")]
    assert render_markdown(one_row, Metadata(), Options()) == "a\n\nb\n"
    many_blocks = [_b(i, f"p{i}", path=f"{t}/td[1]/p[{i}]") for i in range(1, 4)]
    many_blocks += [_b(5, "x", path=f"{t}/td[2]/p[1]"), _b(6, "y", path="body/table[1]/tr[2]/td[1]/p[1]"),
                    _b(7, "z", path="body/table[1]/tr[2]/td[2]/p[1]")]
    assert "|" not in render_markdown(many_blocks, Metadata(), Options())


def test_paragraphs_numbered_one_after_the_other_are_an_ordered_list():
    steps = [_b(0, "Intro.", path="body/p[1]"), _b(1, "9. Loosen the bolts.", path="body/p[2]"),
             _b(2, "10. Remove the wheel.", path="body/p[3]"), _b(3, "Then rest.", path="body/p[4]")]
    html = _html(steps)
    assert '<ol start="9">\n<li>Loosen the bolts.</li>\n<li>Remove the wheel.</li>\n</ol>' in html
    gap = [_b(0, "1. One.", path="body/p[1]"), _b(1, "3. Three.", path="body/p[2]")]
    assert render_markdown(gap, Metadata(), Options()) == "1\\. One.\n\n3\\. Three.\n"


def test_paragraphs_opening_with_one_bullet_glyph_are_a_list():
    points = [_b(0, "We offer:", path="body/p[1]"), _b(1, "● Local moving: across town.", path="body/p[2]"),
              _b(2, "● Storage: 100,000 square feet.", path="body/p[3]"), _b(3, "Call us.", path="body/p[4]")]
    html = _html(points)
    assert "<p>We offer:</p>\n<ul>\n<li>Local moving: across town.</li>\n<li>Storage: 100,000 square feet.</li>\n</ul>" in html
    assert "<p>Call us.</p>" in html
    # a lone bullet, two different bullets, or a hyphen (dialogue, a footnote) stay paragraphs
    for first, second in (("• One.", "Two."), ("• One.", "▪ Two."), ("- One.", "- Two.")):
        pair = [_b(0, first, path="body/p[1]"), _b(1, second, path="body/p[2]")]
        assert "<li>" not in _html(pair)


def test_code_language_from_the_usual_class_names():
    from thresher.assemble.markdown import code_language
    assert code_language(("highlight", "python", "highlightpython3", "notranslate")) == "python"
    assert code_language(("highlight", "default", "highlightdefault")) == ""
    assert code_language(("brush", "js", "notranslate")) == "js"
    assert code_language(("lang", "rust", "langrust")) == "rust"
    assert code_language(("language", "menu")) == ""


def test_numbered_list_not_starting_at_one_after_other_items_stays_a_list():
    html = _html([
        _b(0, "Next", "list_item", level=1, path="body/ul[1]/li[1]"),
        _b(1, "Set", "list_item", level=2, path="body/ul[1]/li[1]/ol[1]/li[56]"),
        _b(2, "in", "list_item", level=2, path="body/ul[1]/li[1]/ol[1]/li[57]"),
        _b(3, "back", "list_item", level=1, path="body/ol[1]/li[3]"),
    ])
    assert '<ol start="56">' in html and '<ol start="3">' in html
    assert "Next 56" not in html and "in\n3." not in html
    assert html.count("<li>") == 4


_ITEM = st.tuples(st.integers(min_value=1, max_value=4), st.booleans(), st.integers(min_value=1, max_value=60),
                  st.text(alphabet=st.sampled_from("ab1 .)#>+-*"), min_size=1, max_size=8).filter(str.strip))


@settings(max_examples=300, deadline=None)
@given(st.lists(_ITEM, min_size=1, max_size=8))
def test_any_list_reads_back_item_by_item_in_markdown_and_html(items):
    from thresher.assemble.html import render_html

    blocks = [_b(i, text, "list_item", level=level, path=f"body/div[{i}]/{'ol' if ordered else 'ul'}[1]/li[{n}]")
              for i, (level, ordered, n, text) in enumerate(items)]
    expected = [" ".join(text.split()) for *_, text in items]
    md_html = _PARSER.render(render_markdown(blocks, Metadata(), Options()))
    for fragment in (md_html, render_html(blocks, Metadata(), Options())):
        tree = __import__("lxml.html").html.fragment_fromstring(fragment, create_parent="div")
        own_text = [" ".join("".join(li.xpath("text()|p/text()")).split()) for li in tree.iter("li")]
        assert own_text == expected, fragment


# --- inline markup (links, formatting, images) from Block.spans ---


def _spanned(text: str, *spans: tuple[str, str, str]) -> Block:
    """A paragraph with spans over the first occurrence of each (substring, kind, target)."""
    from thresher.model import Span

    out = []
    for sub, kind, target in spans:
        at = text.index(sub)
        end = at if kind == "image" else at + len(sub)
        out.append(Span(at, end, kind, target, sub if kind == "image" else ""))  # type: ignore[arg-type]
    return Block(index=0, text=text, kind="paragraph", spans=tuple(out))


def test_links_emphasis_code_and_images_render_as_commonmark():
    block = _spanned("See the [full] guide, *really* important, call f(x) now",
                     ("the [full] guide", "link", "https://ex.org/a b(c)"), ("[full]", "strong", ""),
                     ("*really*", "emphasis", ""), ("f(x)", "code", ""), ("now", "image", "https://ex.org/i.png"))
    md = render_markdown([block], Metadata(), Options())
    html = _PARSER.render(md)
    assert '<a href="https://ex.org/a%20b%28c%29">the <strong>[full]</strong> guide</a>' in html
    assert "<em>*really*</em>" in html
    assert "<code>f(x)</code>" in html
    assert '<img src="https://ex.org/i.png" alt="now" /> now' in html


def test_emphasis_commonmark_would_not_read_stays_plain():
    # '**"' after a letter cannot open an emphasis: no stray asterisks, the text stays as it was
    block = _spanned('say"quoted"now', ('"quoted"', "strong", ""))
    md = render_markdown([block], Metadata(), Options())
    assert md == 'say"quoted"now\n'


def test_spans_follow_list_items_and_headings():
    from thresher.model import Span

    item = Block(index=0, text=" Item one here", kind="list_item", level=1, path="body/ul[1]/li[1]",
                 spans=(Span(1, 9, "link", "https://ex.org/1"),))
    heading = Block(index=1, text="A linked heading", kind="heading", level=2,
                    spans=(Span(2, 8, "link", "https://ex.org/h"),))
    md = render_markdown([item, heading], Metadata(), Options())
    assert md == "- [Item one](https://ex.org/1) here\n\n## A [linked](https://ex.org/h) heading\n"


@settings(max_examples=80, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cc", "Cs")) | st.just("\n"), min_size=1, max_size=30), st.data())
def test_any_text_with_spans_keeps_its_words(text, data):
    from thresher.model import Span

    n = len(text)
    spans = []
    for kind in data.draw(st.lists(st.sampled_from(["link", "strong", "emphasis", "code"]), max_size=3)):
        a = data.draw(st.integers(0, n - 1))
        b = data.draw(st.integers(a + 1, n))
        spans.append(Span(a, b, kind, "https://ex.org/x"))
    from thresher.segment.inline import _nested

    block = Block(index=0, text=text, kind="paragraph", spans=_nested(spans))
    plain = _PARSER.render(render_markdown([Block(index=0, text=text, kind="paragraph")], Metadata(), Options()))
    rich = _PARSER.render(render_markdown([block], Metadata(), Options()))
    import re

    def words(h: str) -> list[str]:
        return re.sub(r"<[^>]+>", "", h).split()

    assert "".join(words(rich)) == "".join(words(plain))


def test_bold_over_a_whole_heading_is_dropped_inside_it_is_kept():
    from thresher.model import Span

    whole = Block(index=0, text="1. Title", kind="heading", level=4, spans=(Span(0, 8, "strong"),))
    part = Block(index=1, text="A bold word", kind="heading", level=4, spans=(Span(2, 6, "strong"),))
    assert render_markdown([whole, part], Metadata(), Options()) == "#### 1\\. Title\n\n#### A **bold** word\n"


def test_an_image_that_stood_alone_gets_a_line_of_its_own():
    from thresher.model import Span

    block = Block(index=0, text="Second words.", kind="paragraph",
                  spans=(Span(0, 0, "image", "https://ex.org/a.png", "A", alone=True),))
    md = render_markdown([block], Metadata(), Options())
    assert md == "![A](https://ex.org/a.png)  \nSecond words.\n"
    assert '<img src="https://ex.org/a.png" alt="A" /><br />' in _PARSER.render(md)


# --- found in a user audit (session 7): pages a RAG builder feeds in ---


def test_paragraph_lines_shaped_like_a_table_stay_a_paragraph():
    # a pasted table in a <p> with <br>: GFM reads "a | b" + "--- | ---" as a table header
    html = _html([_b(0, "| a | b |\n| --- | --- |\n| c | d |"), _b(1, "x | y\n:-|-:"),
                  _b(2, "item | here\n--- | ---", "list_item", level=1),
                  _b(3, "quoted | text\n-|-", "quote", path="body/blockquote[1]/p[1]")])
    assert "<table>" not in html
    assert "| a | b |<br />\n| --- | --- |<br />\n| c | d |" in html
    assert "x | y<br />\n:-|-:" in html and "item | here<br />\n--- | ---" in html
    cells = _html([_b(0, "", "table_row", cells=("h", "--- | ---")), _b(1, "", "table_row", cells=("|", "-|-"))])
    assert "<td>|</td>\n<td>-|-</td>" in cells and "<th>--- | ---</th>" in cells


def test_code_language_from_github_scopes_and_pandoc():
    from thresher.assemble.markdown import code_language
    assert code_language(("highlight", "source", "js", "highlightsourcejs")) == "js"
    assert code_language(("highlight", "source", "shell", "highlightsourceshell", "notranslate")) == "shell"
    assert code_language(("highlight", "text", "html", "basic", "highlighttexthtmlbasic")) == "html"
    assert code_language(("source", "code", "sourcecode", "python", "cb", "cb1")) == "python"
    assert code_language(("highlight", "source", "highlightsource")) == ""
    assert code_language(("source", "code", "sourcecode")) == ""


def test_a_list_inside_a_blockquote_stays_in_it():
    q = "body/blockquote[1]"
    blocks = [
        _b(0, "Intro:", "quote", path=f"{q}/p[1]"),
        _b(1, "one", "list_item", level=1, path=f"{q}/ol[1]/li[1]"),
        _b(2, "nested", "list_item", level=2, path=f"{q}/ol[1]/li[1]/ul[1]/li[1]"),
        _b(3, "two", "list_item", level=1, path=f"{q}/ol[1]/li[2]"),
        _b(4, "End.", "quote", path=f"{q}/p[2]"),
        _b(5, "only a list", "list_item", level=1, path="body/blockquote[2]/ul[1]/li[1]"),
        _b(6, "outside", "list_item", level=1, path="body/ul[1]/li[1]"),
    ]
    md = render_markdown(blocks, Metadata(), Options())
    assert md.startswith("> Intro:\n>\n> 1. one\n>    - nested\n> 2. two\n>\n> End.\n\n> - only a list\n\n- outside\n")
    html = _PARSER.render(md)
    assert html.count("<blockquote>") == 2
    assert "<blockquote>\n<p>Intro:</p>\n<ol>\n<li>one\n<ul>\n<li>nested</li>\n</ul>\n</li>\n<li>two</li>\n</ol>\n" in html
    assert html.endswith("</blockquote>\n<ul>\n<li>outside</li>\n</ul>\n")


def test_a_quote_inside_a_list_item_does_not_cut_the_list():
    blocks = [_b(0, "a", "list_item", level=1, path="body/ul[1]/li[1]"),
              _b(1, "b", "list_item", level=2, path="body/ul[1]/li[1]/blockquote[1]/ul[1]/li[1]"),
              _b(2, "c", "list_item", level=1, path="body/ul[1]/li[2]")]
    assert render_markdown(blocks, Metadata(), Options()) == "- a\n  - b\n- c\n"


def test_definitions_outside_a_list_item_are_paragraphs():
    d = "body/dl[1]"
    blocks = [_b(0, "Chunk", "list_item", level=1, path=f"{d}/dt[1]"),
              _b(1, "A piece.", "list_item", level=1, path=f"{d}/dd[1]"),
              _b(2, "A part.", "list_item", level=1, path=f"{d}/dd[2]"),
              _b(3, "Vector", "list_item", level=1, path=f"{d}/dt[2]"),
              _b(4, "Numbers.", "list_item", level=1, path=f"{d}/dd[3]/p[1]"),
              _b(5, "Meaning.", "list_item", level=1, path=f"{d}/dd[3]/p[2]"),
              _b(6, "in a definition", "list_item", level=2, path=f"{d}/dd[3]/ul[1]/li[1]"),
              _b(7, "Ann", "list_item", level=2, path="body/ul[1]/li[1]/dl[1]/dt[1]"),
              _b(8, "admin", "list_item", level=2, path="body/ul[1]/li[1]/dl[1]/dd[1]")]
    # Markdown has no definition list: terms and definitions are paragraphs; a list inside a
    # definition stays a list, and a dl inside a list item (a user card) is that item's text
    assert render_markdown(blocks, Metadata(), Options()) == (
        "Chunk\n\nA piece.\n\nA part.\n\nVector\n\nNumbers.\n\nMeaning.\n\n- in a definition\n* Ann  \n  admin\n")


def test_items_set_out_as_cards_or_in_a_nav_are_paragraphs():
    from thresher.assemble.html import render_html

    blocks = [_b(0, "Plain item", "list_item", level=1, path="body/ul[1]/li[1]"),
              _b(1, "Item in a p", "list_item", level=1, path="body/ul[1]/li[2]/p[1]"),
              _b(2, "Card title", "heading", level=3, path="body/ul[2]/li[1]/a[1]/div[1]/h3[1]"),
              _b(3, "Card text.", "list_item", level=1, path="body/ul[2]/li[1]/a[1]/div[1]/p[1]"),
              _b(4, "Other card.", "list_item", level=1, path="body/ul[2]/li[2]/article[1]/p[1]"),
              _b(5, "Contents", "list_item", level=1, path="body/nav[1]/ol[1]/li[1]"),
              _b(6, "Setup", "list_item", level=1, path="body/nav[1]/ol[1]/li[2]"),
              _b(7, "quoted", "list_item", level=1, path="body/nav[1]/blockquote[1]/ul[1]/li[1]/div[1]"),
              _b(8, "Last", "list_item", level=1, path="body/ol[1]/li[1]")]
    md = render_markdown(blocks, Metadata(), Options())
    assert md == ("- Plain item\n- Item in a p\n\n### Card title\n\nCard text.\n\nOther card.\n\nContents\n\n"
                  "Setup\n\n> - quoted\n\n1. Last\n")
    assert _PARSER.render(md).count("<li>") == 4
    tree = __import__("lxml.html").html.fragment_fromstring(render_html(blocks, Metadata(), Options()),
                                                              create_parent="div")
    assert [el.tag for el in tree] == ["ul", "h3", "p", "p", "p", "p", "blockquote", "ol"]


def test_which_list_items_are_not_list_lines():
    from thresher.assemble.markdown import not_a_list_line

    assert not_a_list_line("body/dl[1]/dd[2]")
    assert not_a_list_line("body/ul[1]/li[3]/div[1]/div[2]/p[1]")
    assert not_a_list_line("body/div[1]/nav[1]/ul[1]/li[2]")
    assert not not_a_list_line("body/div[1]/ul[1]/li[2]/p[1]")  # layout outside the li says nothing
    assert not not_a_list_line("body/ol[1]/li[1]/strong[1]")
    assert not not_a_list_line("body/nav[1]/blockquote[1]/ul[1]/li[1]")
    assert not not_a_list_line("body/ul[1]/li[1]/dl[1]/dd[1]")
    assert not not_a_list_line("body/dl[1]/dd[2]", frozenset({"cards", "nav"}))
    assert not not_a_list_line("body/nav[1]/ul[1]/li[2]", frozenset({"definitions", "cards"}))
    assert not not_a_list_line("body/ul[1]/li[3]/div[1]/p[1]", frozenset({"definitions", "nav"}))


def test_an_image_that_stood_before_a_link_stays_out_of_it():
    from thresher.model import Span

    # an image-only <p> before a paragraph that starts with a link: the segmenter gives the image to
    # the paragraph's first character
    block = _b(0, "Read the guide now.", spans=(Span(0, 14, "link", "https://ex.org/g"), Span(0, 14, "strong"),
                                                Span(0, 0, "image", "https://ex.org/i.png", "shot", alone=True)))
    md = render_markdown([block], Metadata(), Options())
    assert md == "![shot](https://ex.org/i.png)  \n[**Read the guide**](https://ex.org/g) now.\n"
    inline = _b(0, "Tips here", "heading", level=2,
                spans=(Span(0, 4, "link", "https://ex.org/t"), Span(0, 0, "image", "https://ex.org/t.png", "tip")))
    assert render_markdown([inline], Metadata(), Options()) == "## [![tip](https://ex.org/t.png) Tips](https://ex.org/t) here\n"


def test_page_with_quoted_list_definitions_image_and_pasted_table_keeps_its_shape():
    from pathlib import Path

    from thresher.extract import extract_trace

    source = (Path(__file__).parents[1] / "fixtures" / "markdown" /
              "quote-list-dl-image-before-link-pasted-table.html").read_text(encoding="utf-8")
    opts = Options(with_markdown=True, include_links=True, include_images=True, time_limit=None)
    trace = extract_trace(source, url="https://example.org/notes/", options=opts)
    # every block the segmenter found (the shape is the renderer's business, not the classifier's)
    body = [b for b in trace.blocks if b.kind != "heading" or b.level > 1]
    md = render_markdown(body, Metadata(), opts)
    html = _PARSER.render(md)
    assert "<blockquote>\n<p>Three rules we keep:</p>\n<ol>\n<li>split on headings</li>\n<li>keep lists whole</li>" in html
    assert "<p>Chunk</p>\n<p>A piece of a document small enough to embed.</p>" in html
    assert ('<p><img src="https://example.org/img/pipeline.png" alt="The pipeline" /><br />\n'
            '<a href="https://example.org/docs/chunking%20guide.html">The chunking guide</a> has the details.</p>') in html
    assert "<table>" not in html and "| size | recall |<br />" in html
    assert "```js\nsplit(doc, {size: 512});\n```" in md


def test_two_lists_one_after_the_other_stay_two_lists():
    blocks = [_b(0, "Vim", "list_item", level=1, path="body/ol[1]/li[1]"),
              _b(1, "Emacs", "list_item", level=1, path="body/ol[1]/li[2]"),
              _b(2, "Third", "list_item", level=1, path="body/ol[2]/li[1]"),
              _b(3, "Winner", "list_item", level=1, path="body/ol[2]/li[2]"),
              _b(4, "apples", "list_item", level=1, path="body/ul[1]/li[1]"),
              _b(5, "pears", "list_item", level=1, path="body/ul[2]/li[1]"),
              _b(6, "plums", "list_item", level=1, path="body/ul[3]/li[1]")]
    md = render_markdown(blocks, Metadata(), Options())
    assert md == "1. Vim\n2. Emacs\n1) Third\n2) Winner\n- apples\n* pears\n- plums\n"
    html = _PARSER.render(md)
    assert html.count("<ol>") == 2 and html.count("<ul>") == 3
    from thresher.assemble.html import render_html
    assert render_html(blocks, Metadata(), Options()).count("<ol>") == 2


def test_a_command_inside_a_step_stays_in_the_step():
    ol = "body/ol[1]"
    blocks = [
        _b(0, "Download it.", "list_item", level=1, path=f"{ol}/li[1]/p[1]"),
        _b(1, "Run:", "list_item", level=1, path=f"{ol}/li[2]/p[1]"),
        _b(2, "sudo ./install.sh", "code", path=f"{ol}/li[2]/pre[1]", hints=("language", "bash", "languagebash")),
        _b(3, "  --prefix /opt\n\n  --yes", "code", path=f"{ol}/li[2]/pre[1]/span[1]"),
        _b(4, "It asks for your password.", "list_item", level=1, path=f"{ol}/li[2]/p[2]"),
        _b(5, "x = 1", "code", path=f"{ol}/li[3]/pre[1]"),
        _b(6, "Restart.", "list_item", level=1, path=f"{ol}/li[4]/p[1]"),
        _b(7, "after the list", "code", path="body/pre[1]"),
    ]
    md = render_markdown(blocks, Metadata(), Options())
    assert md == ("1. Download it.\n2. Run:\n   ```bash\n   sudo ./install.sh\n     --prefix /opt\n\n     --yes\n   ```\n"
                  "   It asks for your password.\n3. ```\n   x = 1\n   ```\n4. Restart.\n\n```\nafter the list\n```\n")
    html = _PARSER.render(md)
    assert html.count("<li>") == 4 and html.count("<ol>") == 1
    assert '<li>Run:<pre><code class="language-bash">sudo ./install.sh\n  --prefix /opt\n\n  --yes\n</code></pre>\nIt asks' in html
    from thresher.assemble.html import render_html
    tree = __import__("lxml.html").html.fragment_fromstring(render_html(blocks, Metadata(), Options()), create_parent="div")
    assert [el.tag for el in tree] == ["ol", "pre"]
    assert [len(li.findall("pre")) for li in tree.find("ol")] == [0, 1, 1, 0]
    assert tree.find("ol/li[2]/pre/code").text == "sudo ./install.sh\n  --prefix /opt\n\n  --yes"


def test_chinese_and_japanese_list_lines_without_a_space_are_list_items():
    md = render_markdown([
        _t(0, "主な特徴は次のとおりです。"),
        _t(1, "・大容量バッテリー", "line"),
        _t(2, "･防水機能", "line"),
        _t(3, "主要特点如下："),
        _t(4, "1、大容量电池", "line"),
        _t(5, "2．高性能相机", "line"),
        _t(6, "3）防水功能", "line"),
        _t(7, "2024年3月15日発表。", "line"),
    ], Metadata(), Options())
    html = _PARSER.render(md)
    assert "<ul>\n<li>大容量バッテリー</li>\n<li>防水機能</li>\n</ul>" in html
    assert "<ol>\n<li>大容量电池</li>\n<li>高性能相机</li>\n<li>防水功能</li>\n</ol>" in html
    assert "<p>2024年3月15日発表。</p>" in html
    numbered = _html([_b(0, "1、第一步", path="body/p[1]"), _b(1, "2、第二步", path="body/p[2]")])
    assert numbered == "<ol>\n<li>第一步</li>\n<li>第二步</li>\n</ol>\n"


def test_a_number_that_starts_a_chinese_sentence_is_not_a_list_marker():
    lines = ["3．5倍的增长速度让分析师感到惊讶。", "2019、2020年和2021年，公司连续三年保持盈利。", "1、这是一句以数字开头的话。",
             "３．５倍的增长。"]
    md = render_markdown([_t(i, line, "line") for i, line in enumerate(lines)], Metadata(), Options())
    html = _PARSER.render(md)
    assert "<li>" not in html
    for line in lines:  # every character kept, in its place
        assert line in md


def test_a_chinese_headline_counts_its_characters_not_as_words():
    head = "人工智能与新能源汽车成为本届国际科技博览会的焦点"  # 24 characters, each a "word"
    body = "多家企业展示了大语言模型和智能机器人，吸引了大量观众驻足参观。组委会表示，预计展会期间将接待观众超过二十万人次。"
    md = render_markdown([_t(0, head, n_words=24.0, cjk_ratio=1.0, terminal=0.0),
                          _t(1, body, n_words=50.0, cjk_ratio=0.9, terminal=1.0)], Metadata(), Options())
    assert md.startswith(f"## {head}\n\n")
    sentence = "组委会表示预计展会期间将接待观众超过二十万人次并且还会举办多场专业论坛和新品发布活动"  # 42
    md = render_markdown([_t(0, sentence, n_words=42.0, cjk_ratio=1.0, terminal=0.0),
                          _t(1, body * 2, n_words=100.0, cjk_ratio=0.9, terminal=1.0)], Metadata(), Options())
    assert not md.startswith("#")


def test_scraped_japanese_and_chinese_lists_end_to_end():
    from pathlib import Path

    import thresher

    folder = Path(__file__).parents[1] / "fixtures" / "multilingual"
    opts = Options(with_markdown=True, input_format="text", time_limit=None)
    ja = thresher.extract((folder / "ja-bullets-without-space.txt").read_text(encoding="utf-8"), options=opts)
    assert "<ul>\n<li>大容量バッテリー</li>\n<li>高性能カメラ</li>\n<li>防水機能</li>\n</ul>" in _PARSER.render(ja.markdown or "")
    zh = thresher.extract((folder / "zh-numbered-lines-with-dun-comma.txt").read_text(encoding="utf-8"), options=opts)
    html = _PARSER.render(zh.markdown or "")
    assert "<li>大容量电池</li>" in html and "<li>防水功能</li>" in html and "、" not in html


_PLACE = st.sampled_from([
    ("paragraph", 0, "body/p[{n}]"),
    ("quote", 0, "body/blockquote[1]/p[{n}]"),
    ("list_item", 1, "body/blockquote[1]/ul[1]/li[{n}]"),
    ("list_item", 1, "body/ol[1]/li[{n}]"),
    ("list_item", 2, "body/ol[1]/li[2]/ul[1]/li[{n}]"),
    ("code", 0, "body/ol[1]/li[{n}]/pre[1]"),
    ("code", 0, "body/pre[{n}]"),
    ("list_item", 1, "body/dl[1]/dt[{n}]"),
    ("list_item", 1, "body/dl[1]/dd[{n}]"),
    ("list_item", 1, "body/ul[{n}]/li[1]"),
])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_PLACE, st.integers(min_value=1, max_value=3),
                          st.text(alphabet=st.sampled_from("ab1 .)#>-*|`"), min_size=1, max_size=10).filter(str.strip)),
                min_size=1, max_size=10))
def test_any_mix_of_quotes_lists_and_code_keeps_every_text_in_order(items):
    from thresher.assemble.html import render_html

    blocks = [_b(i, text, kind, level=level, path=path.format(n=n))
              for i, ((kind, level, path), n, text) in enumerate(items)]
    md = render_markdown(blocks, Metadata(), Options())
    seen = []
    for token in _PARSER.parse(md):
        if token.type in ("fence", "code_block"):
            seen.append(token.content)
        elif token.type == "inline":
            seen.extend(c.content for c in token.children or () if c.type in ("text", "code_inline"))
    squeeze = "".join
    assert squeeze(squeeze(b.text.split()) for b in blocks) == squeeze(squeeze(s.split()) for s in seen), md
    assert not any(t.type in ("html_block", "hr", "code_block") for t in _PARSER.parse(md)), md
    fragment = render_html(blocks, Metadata(), Options())
    tree = __import__("lxml.html").html.fragment_fromstring(fragment, create_parent="div")
    assert squeeze(tree.text_content().split()) == squeeze(squeeze(b.text.split()) for b in blocks), fragment


def test_no_tables_rebuilds_no_table_from_paragraphs_in_cells():
    from thresher.assemble.html import render_html

    t = "body/table[1]"
    blocks = [_b(0, "Weight", path=f"{t}/tr[1]/td[1]/p[1]"), _b(1, "120 g", path=f"{t}/tr[1]/td[2]/p[1]"),
              _b(2, "Battery", path=f"{t}/tr[2]/td[1]/p[1]"), _b(3, "4000 mAh", path=f"{t}/tr[2]/td[2]/p[1]")]
    assert render_markdown(blocks, Metadata(), Options()).startswith("| Weight | 120 g |")
    off = Options(include_tables=False)
    assert render_markdown(blocks, Metadata(), off) == "Weight\n\n120 g\n\nBattery\n\n4000 mAh\n"
    assert "<table>" not in render_html(blocks, Metadata(), off)


def test_page_numbering_of_ordered_lists_is_kept():
    blocks = [
        Block(index=0, text="fifth", kind="list_item", level=1, path="body/ol[1]/li[1]", hints=("#5",)),
        Block(index=1, text="sixth", kind="list_item", level=1, path="body/ol[1]/li[2]", hints=("#6",)),
        Block(index=2, text="Between.", kind="paragraph"),
        Block(index=3, text="three", kind="list_item", level=1, path="body/ol[2]/li[1]", hints=("x", "#3")),
        Block(index=4, text="two", kind="list_item", level=1, path="body/ol[2]/li[2]", hints=("#2",)),
    ]
    md = render_markdown(blocks, Metadata(), Options())
    assert md == "5. fifth\n6. sixth\n\nBetween.\n\n3. three\n2. two\n"
    assert '<ol start="5">' in _html(blocks)


def test_code_language_from_a_pre_attribute():
    blocks = [Block(index=0, text="fn main() {}", kind="code", hints=("lang=rust",)),
              Block(index=1, text="x", kind="code", hints=("lang=text", "language", "languagepy", "py"))]
    assert render_markdown(blocks, Metadata(), Options()) == "```rust\nfn main() {}\n```\n\n```py\nx\n```\n"


def test_rows_with_spanned_cells_render_aligned():
    from thresher.deadline import NO_DEADLINE
    from thresher.parse.html import parse_html
    from thresher.segment.html import segment_html

    html = """<body><table><tr><th>Model</th><th>Year</th><th>Score</th></tr>
    <tr><td rowspan="2">BERT</td><td>2018</td><td>80.5</td></tr><tr><td>2019</td><td>82.1</td></tr></table></body>"""
    blocks = segment_html(parse_html(html, Options()), Options(), NO_DEADLINE)
    md = render_markdown(blocks, Metadata(), Options())
    assert md.endswith("| BERT | 2018 | 80.5 |\n|  | 2019 | 82.1 |\n")


# --- list structure the markup shows through other elements than li (headings, quotes, <br> lines, rows) ---


def test_headings_each_all_its_item_holds_are_those_list_items():
    ul = "body/div[1]/ul[1]"
    md = render_markdown([
        _b(0, "Brands", "heading", level=2, path="body/div[1]/h2[1]"),
        _b(1, "organic cotton", "heading", level=3, path=f"{ul}/li[1]/h3[1]"),
        _b(2, "hemp", "heading", level=3, path=f"{ul}/li[2]/h3[1]"),
        # tabs or cards: one item holds more than its heading, so each heading stays a heading
        _b(3, "Card title", "heading", level=3, path="body/div[1]/ul[2]/li[1]/h3[1]"),
        _b(4, "The card's own text.", "list_item", level=1, path="body/div[1]/ul[2]/li[1]/p[1]"),
        _b(5, "Lone tab", "heading", level=3, path="body/div[1]/ul[2]/li[2]/h3[1]"),
        _b(6, "A list of one heading", "heading", level=3, path="body/div[1]/ul[3]/li[1]/h3[1]"),
    ], Metadata(), Options())
    assert md.startswith("## Brands\n\n- organic cotton\n- hemp\n\n### Card title\n\n- The card's own text.\n\n"
                         "### Lone tab\n\n### A list of one heading\n")
    ordered = _html([_b(0, "Gold", "heading", level=2, path="body/ol[1]/li[1]/h2[1]/a[1]"),
                     _b(1, "Silver", "heading", level=2, path="body/ol[1]/li[2]/h2[1]")])
    assert ordered == "<ol>\n<li>Gold</li>\n<li>Silver</li>\n</ol>\n"


def test_list_inside_a_quote_keeps_its_items():
    item = "body/div[1]/ul[1]/li[1]"
    nested = _html([
        _b(0, "Real-time monitoring", "list_item", level=1, path=f"{item}/p[1]"),
        # Sphinx indents a nested list with a blockquote: the quote won the segmenter's kind
        _b(1, "Task progress", "quote", path=f"{item}/blockquote[1]/div[1]/ul[1]/li[1]/p[1]"),
        _b(2, "Graphs", "quote", path=f"{item}/blockquote[1]/div[1]/ul[1]/li[2]/p[1]"),
        _b(3, "Remote control", "list_item", level=1, path="body/div[1]/ul[1]/li[2]/p[1]"),
    ])
    assert nested == ("<ul>\n<li>Real-time monitoring\n<ul>\n<li>Task progress</li>\n<li>Graphs</li>\n</ul>\n"
                      "</li>\n<li>Remote control</li>\n</ul>\n")
    quoted = _html([_b(0, "Said:", "quote", path="body/blockquote[1]/p[1]"),
                    _b(1, "one", "quote", path="body/blockquote[1]/ul[1]/li[1]/p[1]"),
                    _b(2, "two", "quote", path="body/blockquote[1]/ul[1]/li[2]/p[1]")])
    assert quoted == "<blockquote>\n<p>Said:</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n</blockquote>\n"
    # a quote inside an item stays a quote
    assert "<blockquote>" in _html([_b(0, "Step", "list_item", level=1, path="body/ol[1]/li[1]/p[1]"),
                                    _b(1, "A tip.", "quote", path="body/ol[1]/li[1]/blockquote[1]/p[1]")])


def test_lines_of_a_block_that_are_list_lines_become_its_items():
    html = _html([_b(0, "Ready? Here goes:\n1.  Make a budget\n2. Pick colours\n3) Scale up\nThat is all.",
                    path="body/p[1]")])
    assert html == ("<p>Ready? Here goes:</p>\n<ol>\n<li>Make a budget</li>\n<li>Pick colours</li>\n"
                    "<li>Scale up</li>\n</ol>\n<p>That is all.</p>\n")
    heading = _html([_b(0, "1. Budget\n2. Mood board", "heading", level=3, path="body/h3[1]")])
    assert heading == "<ol>\n<li>Budget</li>\n<li>Mood board</li>\n</ol>\n"
    bullets = _html([_b(0, "• Towel\n• Shoes", path="body/p[1]")])
    assert bullets == "<ul>\n<li>Towel</li>\n<li>Shoes</li>\n</ul>\n"
    nested = _html([_b(0, "It lays out:\n* College\n* Deadline", "list_item", level=1, path="body/ul[1]/li[1]")])
    assert nested == "<ul>\n<li>It lays out:\n<ul>\n<li>College</li>\n<li>Deadline</li>\n</ul>\n</li>\n</ul>\n"
    # no list: numbers that do not count up, one list line, lines of dialogue, mixed bullets
    for text in ("1. One.\n3. Three.", "Intro\n1. Only one", "— Hola.\n— ¿Qué tal?", "» Zitat\n» Zitat",
                 "- one\n• two"):
        assert "<li>" not in _html([_b(0, text, path="body/p[1]")]), text


def test_list_lines_keep_their_inline_markup():
    from thresher.model import Span
    text = "Read:\n1. the guide\n2. the FAQ"
    at = text.index("guide")
    block = Block(index=0, text=text, kind="paragraph", path="body/p[1]",
                  spans=(Span(start=at, end=at + 5, kind="link", target="https://example.org/guide"),))
    md = render_markdown([block], Metadata(), Options())
    assert md == "Read:\n\n1. the [guide](https://example.org/guide)\n2. the FAQ\n"


def test_table_rows_numbered_in_their_first_cell_are_an_ordered_list():
    t = "body/center[1]/table[1]/tbody[1]"
    md = render_markdown([
        _b(0, "", "table_row", cells=("1.", "", "First story (example.org)"), path=f"{t}/tr[1]"),
        _b(1, "", "table_row", cells=("", "", "12 points by someone"), path=f"{t}/tr[2]"),
        _b(2, "", "table_row", cells=("2.", "", "Second story"), path=f"{t}/tr[3]"),
    ], Metadata(), Options())
    assert md == "1. First story (example.org)  \n   12 points by someone\n2. Second story\n"
    header = [_b(0, "", "table_row", cells=("Rank", "Team"), path=f"{t}/tr[1]"),
              _b(1, "", "table_row", cells=("1.", "Reds"), path=f"{t}/tr[2]"),
              _b(2, "", "table_row", cells=("2.", "Blues"), path=f"{t}/tr[3]")]
    assert render_markdown(header, Metadata(), Options()).startswith("| Rank | Team |")
    gap = [_b(0, "", "table_row", cells=("1.", "Reds"), path=f"{t}/tr[1]"),
           _b(1, "", "table_row", cells=("3.", "Blues"), path=f"{t}/tr[2]")]
    assert render_markdown(gap, Metadata(), Options()).startswith("| 1\\. | Reds |")


def test_block_element_inside_a_heading_is_that_heading():
    md = render_markdown([
        _b(0, "Frequently asked questions", path="body/div[1]/h2[1]/div[1]/span[1]"),
        _b(1, "An answer.", path="body/div[1]/p[1]"),
        # two blocks of one heading element (a card wrapped in a heading) stay paragraphs
        _b(2, "Card name", path="body/div[2]/a[1]/h3[1]/div[1]"),
        _b(3, "Card text.", path="body/div[2]/a[1]/h3[1]/div[2]"),
    ], Metadata(), Options())
    assert md == "## Frequently asked questions\n\nAn answer.\n\nCard name\n\nCard text.\n"


def test_html_output_shows_the_same_list_shapes():
    from thresher.assemble.html import render_html

    t = "body/table[1]/tbody[1]"
    blocks = [_b(0, "Ready:\n1. Budget\n2. Colours", path="body/p[1]"),
              _b(1, "", "table_row", cells=("1.", "First story"), path=f"{t}/tr[1]"),
              _b(2, "", "table_row", cells=("2.", "Second story"), path=f"{t}/tr[2]"),
              _b(3, "FAQ", path="body/h2[1]/div[1]")]
    html = render_html(blocks, Metadata(), Options())
    assert "<ol><li>Budget</li><li>Colours</li></ol>" in html.replace("\n", "")
    assert "<ol><li>First story</li><li>Second story</li></ol>" in html.replace("\n", "")
    assert "<h2>FAQ</h2>" in html and "<table" not in html
