from thresher.model import Document, Rejected
from thresher.write.markdown import render_markdown


def test_uses_the_assembled_markdown_when_present():
    doc = Document(text="plain", title="T", markdown="## Heading\n\n- item\n")
    assert render_markdown(doc) == "## Heading\n\n- item\n"


def test_fallback_title_heading_then_paragraphs():
    doc = Document(text="First line.\nSecond line.\n\nThird.", title="My  title")
    assert render_markdown(doc) == "# My title\n\nFirst line.\n\nSecond line.\n\nThird.\n"


def test_fallback_does_not_repeat_a_title_the_text_starts_with():
    doc = Document(text="My title\n\nBody.", title="My title")
    assert render_markdown(doc) == "My title\n\nBody.\n"


def test_front_matter_is_valid_yaml_before_the_body():
    doc = Document(text="Body.", title='Colon: "quotes"\nnewline', markdown="Body.")
    out = render_markdown(doc, with_metadata=True)
    head, _, body = out.partition("---\n\n")
    assert body == "Body.\n"
    yaml = __import__("pytest").importorskip("yaml")
    assert yaml.safe_load(head.removeprefix("---\n"))["title"] == 'Colon: "quotes"\nnewline'


def test_rejected_document_is_skipped():
    assert render_markdown(Document(text="x", rejected=Rejected(stage="filter", reason="language_de"))) is None


def test_comments_and_fallback_text_show_as_written_not_as_markup():
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    comments = "alice\nGreat post! <img src=x onerror=alert(1)> **really**\nbob\n1. I disagree.\ncarol\n---\n# not a heading"
    doc = Document(text="Body.", markdown="Body.\n", comments=comments)
    html = parser.render(render_markdown(doc) or "")
    assert "<img" not in html and "<strong>" not in html and "<ol>" not in html and "<hr" not in html
    assert html.count("<h2>") == 1  # the "## Comments" heading only
    assert "<p>Great post! &lt;img src=x onerror=alert(1)&gt; **really**</p>" in html
    assert "<p>---</p>" in html and "<p># not a heading</p>" in html
    fallback = parser.render(render_markdown(Document(text="1. one\n| a | b |\n|---|---|", title="C# <b>x</b> #")) or "")
    assert fallback == "<h1>C# &lt;b&gt;x&lt;/b&gt; #</h1>\n<p>1. one</p>\n<p>| a | b |</p>\n<p>|---|---|</p>\n"
