"""Inline markup (links, formatting, images) found in the tree and placed on the blocks' text."""

from hypothesis import given, settings
from hypothesis import strategies as st

from thresher.deadline import Deadline
from thresher.options import Options
from thresher.parse.html import parse_html
from thresher.segment.html import segment_html
from thresher.segment.inline import wants_spans, with_spans

ALL = Options(include_links=True, include_images=True, include_formatting=True, with_markdown=True)


def _spans(html: str, opts: Options = ALL, url: str | None = "https://example.com/a/page.html"):
    tree = parse_html(html, opts)
    blocks = with_spans(tree, segment_html(tree, opts, Deadline(None)), url, opts)
    return [(b.text, [(b.text[s.start:s.end], s.kind, s.target, s.alt) for s in b.spans]) for b in blocks]


def test_links_and_formatting_cover_their_words():
    got = _spans('<body><p>Read <a href="/x">the <b>full</b> guide</a> and <em>this</em> <code>f(x)</code>.</p></body>')
    assert got == [("Read the full guide and this f(x).", [
        ("the full guide", "link", "https://example.com/x", ""),
        ("full", "strong", "", ""),
        ("this", "emphasis", "", ""),
        ("f(x)", "code", "", ""),
    ])]


def test_lazy_image_gives_its_real_picture_not_the_placeholder():
    got = _spans('<body><p>Lead <img src="/spacer.gif" data-lazy-src="/photo.jpg" alt="Photo"> text</p></body>')
    assert got[0][1] == [("", "image", "https://example.com/photo.jpg", "Photo")]


def test_image_given_only_by_srcset_takes_its_widest_candidate():
    got = _spans('<body><p>Lead <img srcset="/s.jpg 320w, /l.jpg 1280w, /m.jpg 640w" alt="Map"> text</p>'
                 '<p>More <img data-srcset="/one.png, /two.png 2x"> words</p></body>')
    assert [spans for _, spans in got] == [[("", "image", "https://example.com/l.jpg", "Map")],
                                           [("", "image", "https://example.com/two.png", "")]]


def test_srcset_addresses_keep_their_commas_and_a_placeholder_never_becomes_an_address():
    cdn = "https://res.cloudinary.com/demo/image/upload"
    got = _spans(f'<body><p>Lead <img srcset="{cdn}/w_400,c_fill/a.jpg 400w, {cdn}/w_800,c_fill/a.jpg 800w"> text</p>'
                 '<p>More <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" '
                 'srcset="data:image/gif;base64,R0lGODlhAQABAAAAACw= 1x" '
                 'data-srcset="https://cdn.example.org/real.jpg 800w"> words</p></body>')
    assert [spans for _, spans in got] == [[("", "image", f"{cdn}/w_800,c_fill/a.jpg", "")],
                                           [("", "image", "https://cdn.example.org/real.jpg", "")]]


def test_only_followable_addresses_are_kept():
    got = _spans('<body><p><a href="javascript:alert(1)">one</a> <a href="#top">two</a> '
                 '<a href="data:text/html,x">three</a> <a href="mailto:a@b.org">four</a></p></body>')
    assert got[0][1] == [("four", "link", "mailto:a@b.org", "")]


def test_image_is_a_point_before_the_following_text():
    got = _spans('<body><p>Before <img data-src="/i.png" src="data:image/gif;base64,R0" alt="A cat"> after</p></body>')
    text, spans = got[0]
    assert text == "Before after"
    assert spans == [("", "image", "https://example.com/i.png", "A cat")]
    tree = parse_html('<body><p>Before <img src="/i.png"> after</p></body>', ALL)
    block = with_spans(tree, segment_html(tree, ALL, Deadline(None)), None, ALL)[0]
    assert block.text[block.spans[0].start:] == "after"


def test_a_link_around_several_blocks_marks_each_part():
    got = _spans('<body><a href="/story"><h2>Headline here</h2><p>Teaser text.</p></a></body>')
    assert [spans for _, spans in got] == [
        [("Headline here", "link", "https://example.com/story", "")],
        [("Teaser text.", "link", "https://example.com/story", "")],
    ]


def test_table_cell_separators_do_not_shift_later_spans():
    got = _spans('<body><table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>'
                 '<p>After the <a href="/t">table</a>.</p></body>')
    assert got[-1] == ("After the table.", [("table", "link", "https://example.com/t", "")])


def test_nothing_asked_nothing_done():
    opts = Options(with_markdown=True)
    assert not wants_spans(opts)
    assert not wants_spans(Options(include_links=True))  # nothing renders links
    got = _spans('<body><p><a href="/x">link</a> and <b>bold</b></p></body>', opts)
    assert got == [("link and bold", [])]


_WORDS = st.text(alphabet="abcdé 漢字|\n", min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "em", "code", "span", "p", "td"]), _WORDS), min_size=1, max_size=12))
def test_spans_stay_inside_their_block_and_nest(parts):
    html = "<body><table><tr>" + "".join(
        f'<{tag} href="/{i}">{text}</{tag}>' for i, (tag, text) in enumerate(parts)) + "</tr></table></body>"
    tree = parse_html(html, ALL)
    blocks = segment_html(tree, ALL, Deadline(None))
    marked = with_spans(tree, blocks, "https://example.com/", ALL)
    assert [b.text for b in marked] == [b.text for b in blocks]
    for block in marked:
        for span in block.spans:
            assert 0 <= span.start <= span.end <= len(block.text)
            if span.kind != "image":
                assert block.text[span.start:span.end].strip()
        closed = sorted(block.spans, key=lambda s: (s.start, -s.end))
        for i, outer in enumerate(closed):
            for inner in closed[i + 1:]:
                assert inner.start >= outer.end or inner.end <= outer.end


def test_an_image_between_paragraphs_stands_alone_one_inside_text_does_not():
    tree = parse_html('<body><p>First words here.</p><p><img src="/a.png" alt="A"></p><p>Second words.</p>'
                      '<p>Inline <img src="/b.png" alt="B"> image.</p><figure><img src="/c.png">'
                      '<figcaption>Caption</figcaption></figure></body>', ALL)
    blocks = with_spans(tree, segment_html(tree, ALL, Deadline(None)), None, ALL)
    images = {s.target: (b.text, s.alone) for b in blocks for s in b.spans if s.kind == "image"}
    assert images == {"/a.png": ("Second words.", True), "/b.png": ("Inline image.", False),
                      "/c.png": ("Caption", False)}


def test_base_href_is_what_relative_addresses_resolve_against():
    page = '<html><head><base href="{}"></head><body><p>See <a href="x/p.html">this page</a> now.</p></body></html>'
    assert _spans(page.format("https://cdn.example/dir/"))[0][1] == [
        ("this page", "link", "https://cdn.example/dir/x/p.html", "")]
    # a relative base resolves against the page URL; a base that is no web address is ignored
    assert _spans(page.format("../up/"))[0][1][0][2] == "https://example.com/up/x/p.html"
    assert _spans(page.format("javascript:void(0)"))[0][1][0][2] == "https://example.com/a/x/p.html"
