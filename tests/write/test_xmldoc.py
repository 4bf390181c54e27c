import xml.etree.ElementTree as ET

from thresher.model import Document, Failure
from thresher.write.xmldoc import render_xml


def test_doc_element_with_paragraphs_and_escaped_attributes():
    doc = Document(text='a < b & "c"\n\nsecond\x01', title="T <&>", comments="c1")
    root = ET.fromstring(render_xml(doc))
    assert root.tag == "doc" and root.get("title") == "T <&>"
    assert [p.text for p in root.find("main")] == ['a < b & "c"', "second"]
    assert root.find("comments")[0].text == "c1"


def test_failure_is_an_error_element():
    root = ET.fromstring(render_xml(Failure(reason="empty", message="nothing")))
    assert root.tag == "error" and root.get("reason") == "empty"


def test_structure_from_the_semantic_html():
    html = (
        "<h2>Sub &amp; head</h2>\n<p>Para <strong>bold</strong> and <a href=\"https://x.org/\">link</a>.</p>\n"
        "<ul>\n<li>one</li>\n<li>two\n<ol>\n<li>nested</li></ol></li></ul>\n"
        "<table>\n<thead>\n<tr><th>a</th><th>b</th></tr>\n</thead>\n<tbody>\n<tr><td>1</td><td>2</td></tr>\n"
        "</tbody>\n</table>\n<pre><code class=\"language-python\">x = 1\n  y = 2</code></pre>\n"
        "<blockquote>\n<p>quoted</p>\n</blockquote>\n<p>line<br>\nbreak</p>\n"
    )
    root = ET.fromstring(render_xml(Document(text="unused", html=html)))
    main = root.find("main")
    assert [(e.tag, e.get("rend")) for e in main] == [
        ("head", "h2"), ("p", None), ("list", "ul"), ("table", None), ("code", None), ("quote", None), ("p", None),
    ]
    head, para, items, table, code, quote, lines = main
    assert head.text == "Sub & head"
    assert para.text == "Para " and para[0].tag == "hi" and para[0].get("rend") == "#b"
    assert para[1].tag == "ref" and para[1].get("target") == "https://x.org/" and para[1].tail == "."
    assert [i.text for i in items] == ["one", "two "]
    assert items[1][0].get("rend") == "ol" and items[1][0][0].text == "nested"
    assert [[c.text for c in row] for row in table] == [["a", "b"], ["1", "2"]]
    assert [c.get("role") for c in table[0]] == ["head", "head"]
    assert code.text == "x = 1\n  y = 2" and code.get("lang") == "python"
    assert quote[0].tag == "p" and quote[0].text == "quoted"
    assert lines.text == "line" and lines[0].tag == "lb" and lines[0].tail == "break"


def test_structure_survives_odd_markup_and_control_characters():
    root = ET.fromstring(render_xml(Document(text="x", html="<p>a\x01 <em>b</p><p>c</em></p><img src=x alt=y>")))
    main = root.find("main")
    assert main[0].text == "a " and main[0][0].text == "b"
    assert main[-1].tag == "graphic" and main[-1].get("alt") == "y"
