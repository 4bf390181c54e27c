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
