from thresher.assemble.document import assemble, join_blocks
from thresher.model import Block, Decision, Metadata, Page
from thresher.options import Options


def _blocks(*specs):
    return [Block(index=i, text=t, kind=k) for i, (t, k) in enumerate(specs)]


def test_kept_blocks_form_text_and_the_rest_is_listed_with_reasons():
    blocks = _blocks(("Home | News | Sport", "line"), ("First paragraph.", "paragraph"),
                     ("Second paragraph.", "paragraph"), ("Share on X", "line"))
    decisions = [Decision("navigation", "link_run"), Decision("main", "body"), Decision("main", "body"),
                 Decision("share", "share_phrase")]
    doc = assemble(blocks, decisions, Metadata(title="T"), Page(data="x", url="https://ex.org/a"), "text",
                   Options())
    assert doc.text == "First paragraph.\n\nSecond paragraph."
    assert [(r.label, r.reason, r.text) for r in doc.removed] == [
        ("navigation", "link_run", "Home | News | Sport"), ("share", "share_phrase", "Share on X")]
    assert doc.hostname == "ex.org"
    assert doc.title == "T"
    assert doc.mode == "text"
    assert doc.rejected is None


def test_no_kept_block_is_rejected_with_a_reason():
    blocks = _blocks(("Menu", "line"))
    doc = assemble(blocks, [Decision("navigation", "short")], Metadata(), Page(data="Menu"), "text", Options())
    assert doc.text == ""
    assert str(doc.rejected) == "assemble:no_main_content"


def test_min_length_and_target_language_reject():
    blocks = _blocks(("Ein kurzer deutscher Satz über das Wetter in Berlin und anderswo heute.", "paragraph"))
    decisions = [Decision("main", "body")]
    doc = assemble(blocks, decisions, Metadata(), Page(data="x"), "text", Options(min_text_length=500))
    assert doc.rejected is not None and doc.rejected.reason == "too_short"
    doc = assemble(blocks, decisions, Metadata(), Page(data="x"), "text", Options(target_language="en"))
    assert doc.rejected is not None and doc.rejected.reason == "language_de"


def test_comments_only_when_asked():
    blocks = _blocks(("Body text here.", "paragraph"), ("Nice post!", "paragraph"))
    decisions = [Decision("main", "body"), Decision("comment", "comment_section")]
    without = assemble(blocks, decisions, Metadata(), Page(data="x"), "html", Options())
    with_ = assemble(blocks, decisions, Metadata(), Page(data="x"), "html", Options(include_comments=True))
    assert without.comments is None and without.removed[0].label == "comment"
    assert with_.comments == "Nice post!" and with_.text == "Body text here."


def test_list_runs_join_by_single_newlines():
    blocks = _blocks(("Intro.", "paragraph"), ("one", "list_item"), ("two", "list_item"), ("End.", "paragraph"))
    assert join_blocks(blocks) == "Intro.\n\none\ntwo\n\nEnd."


def test_id_is_stable_and_content_addressed():
    blocks = _blocks(("Body.", "paragraph"))
    d = [Decision("main", "body")]
    a = assemble(blocks, d, Metadata(), Page(data="<p>Body.</p>"), "html", Options())
    b = assemble(blocks, d, Metadata(), Page(data="<p>Body.</p>"), "html", Options())
    c = assemble(blocks, d, Metadata(), Page(data="<p>Body!</p>"), "html", Options())
    given = assemble(blocks, d, Metadata(), Page(data="x", id="doc-7"), "html", Options())
    assert a.id == b.id != c.id
    assert given.id == "doc-7"


def test_no_tables_removes_kept_table_rows_with_a_reason():
    blocks = [Block(index=0, text="Body text here.", kind="paragraph"),
              Block(index=1, text="a | 1", kind="table_row", cells=("a", "1"))]
    decisions = [Decision("main", "body"), Decision("main", "body")]
    page = Page(data="x")
    assert assemble(blocks, decisions, Metadata(), page, "html", Options()).text == "Body text here.\n\na | 1"
    doc = assemble(blocks, decisions, Metadata(), page, "html", Options(include_tables=False, with_markdown=True))
    assert doc.text == "Body text here."
    assert "|" not in (doc.markdown or "")
    assert [(r.reason, r.text) for r in doc.removed] == [("tables_off", "a | 1")]


def test_control_characters_never_reach_the_document():
    from thresher.assemble.document import printable

    assert printable("a\x01b\x0bc\x0cd\x7f\x85e\ufffe\ud800") == "ab c de"
    assert printable("tab\tand\nline\r\nbreaks stay") == "tab\tand\nline\r\nbreaks stay"
    assert printable(None) is None and printable("") == ""
    import thresher

    page = ("<html><head><title>Bird \x01watching</title></head><body><article><h1>Bird watching</h1><p>Words"
            "\x02 of the article, long enough\x0bto be the main content of this page. More words here.</p>"
            "</article></body></html>")
    doc = thresher.extract(page)
    assert doc.title == "Bird watching"
    assert "\x02" not in doc.text and "enough to be" in doc.text


def test_c_check_for_unprintable_characters_agrees_with_the_pattern(monkeypatch):
    """printable() asks the C extension (has_unprintable) whether a text needs cleaning, else the
    pattern: both must agree on every control character, surrogate and noncharacter edge."""
    import random

    from thresher.assemble import document

    if document._unprintable_in is None:
        import os

        assert os.environ.get("CI") != "true", "the C extension is not built"
        return
    rng = random.Random(3)
    edges = [*range(0x00, 0x30), *range(0x70, 0xB0), 0xD7FF, 0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0xE000, 0xFFFD,
             0xFFFE, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF]
    pool = [chr(c) for c in edges] + ["a", "é", "中", "\u2028"]
    texts = ["".join(rng.choice(pool) for _ in range(rng.randrange(0, 12))) for _ in range(20000)]
    for text in texts:
        assert document._unprintable_in(text) == (document._UNPRINTABLE.search(text) is not None), repr(text)
        fast = document.printable(text)
        with monkeypatch.context() as m:
            m.setattr(document, "_unprintable_in", None)
            assert document.printable(text) == fast


def test_removed_blocks_made_by_the_extension_are_the_ones_init_makes(monkeypatch):
    """The removed blocks come from the extension's new_slotted when it is built: equal to (and as
    hashable as) RemovedBlocks made by __init__, in block order, tables_off rows included; the
    headline-list lines are read from them."""
    from thresher.assemble import document
    from thresher.model import RemovedBlock

    blocks = _blocks(("Menu", "line"), ("Body text here.", "paragraph"), ("a | 1", "table_row"),
                     ("09:12 Storm closes the port\n10:40 Markets rally", "line"), ("  ", "line"), ("Share", "line"))
    decisions = [Decision("navigation", "short"), Decision("main", "body"), Decision("main", "body"),
                 Decision("headline_list", "ticker_run"), Decision("boilerplate", "blank"),
                 Decision("share", "share_line")]
    opts = Options(include_tables=False)
    fast = assemble(blocks, decisions, Metadata(), Page(data="x"), "text", opts)
    monkeypatch.setattr(document, "_new_removed", None)
    slow = assemble(blocks, decisions, Metadata(), Page(data="x"), "text", opts)
    assert fast == slow
    assert fast.removed == (RemovedBlock("navigation", "short", "Menu", 0), RemovedBlock("boilerplate", "tables_off",
                            "a | 1", 2), RemovedBlock("headline_list", "ticker_run", blocks[3].text, 3),
                            RemovedBlock("share", "share_line", "Share", 5))
    assert all(type(r) is RemovedBlock for r in fast.removed) and len(set(fast.removed)) == 4
    assert [(h.time, h.headline) for h in fast.headlines] == [("09:12", "Storm closes the port"),
                                                              ("10:40", "Markets rally")]
