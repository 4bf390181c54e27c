from hypothesis import given, settings
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
    assert md.startswith("# Title: here\n\n## Intro\n\nA \\*starred\\* word.\n\n- one\n  - nested\n\n")
    assert "| Name | Value |\n| --- | --- |\n| a\\|b | 1 |" in md
    assert "```\nprint('x')\n```" in md


def test_line_that_looks_like_syntax_is_escaped():
    md = render_markdown([Block(index=0, text="1. not a list", kind="paragraph")], Metadata(), Options())
    assert md == "1\\. not a list\n"


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


def test_title_heading_is_added_once():
    html = _html([_b(0, "Title", "heading", level=1), _b(1, "Body.")], title="Title")
    assert html.count("<h1>") == 1


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
    md = render_markdown([_b(0, text)], Metadata(), Options())
    assert _visible_text(md) == text.strip()


@settings(max_examples=300, deadline=None)
@given(_MARKUP_TEXT, st.sampled_from(["heading", "list_item", "quote", "table_row"]))
def test_any_line_in_any_block_kind_reads_back_as_its_text(text, kind):
    block = _b(0, text, kind, level=2, cells=(text, text) if kind == "table_row" else None)
    md = render_markdown([block], Metadata(), Options())
    expected = " ".join(text.split())
    if kind == "table_row" and expected:
        expected = expected * 2
    assert " ".join(_visible_text(md).split()) == expected
