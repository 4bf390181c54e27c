import json

import pytest

from thresher.model import Document, Failure, Rejected
from thresher.write.formats import FORMAT_NAMES, get_format


def test_every_format_renders_a_document_and_a_failure():
    for name in FORMAT_NAMES:
        fmt = get_format(name)
        assert fmt.extension.startswith(".")
        assert "needle" in (fmt.render(Document(text="needle")) or "")
        out = fmt.render(Failure(reason="empty", message="nothing"))
        assert (out is not None) == fmt.records_failures


def test_rejected_documents_are_records_only_in_record_formats():
    doc = Document(text="", rejected=Rejected(stage="assemble", reason="too_short"))
    assert get_format("txt").render(doc) is None
    assert get_format("markdown").render(doc) is None
    assert "too_short" in (get_format("jsonl").render(doc) or "")
    assert "too_short" in (get_format("csv").render(doc) or "")


@pytest.mark.parametrize("name", ["json", "jsonl", "csv", "xml"])
def test_record_formats_carry_the_metadata_without_with_metadata(name):
    """`thresher page.html --xml` had no title, url or date: --with-metadata is for txt/markdown/html
    headers, records always carry the metadata (as the --help says)."""
    doc = Document(text="needle", title="The Title", url="https://example.org/a", date="2024-05-01")
    for many in (False, True):
        out = get_format(name, many=many).render(doc, with_metadata=False) or ""
        assert "The Title" in out and "https://example.org/a" in out and "2024-05-01" in out


def test_json_many_is_framed_as_an_array():
    fmt = get_format("json", many=True)
    parts = [fmt.render(Document(text=str(i))) for i in range(3)]
    text = fmt.header + fmt.separator.join(p or "" for p in parts) + fmt.footer
    assert [r["text"] for r in json.loads(text)] == ["0", "1", "2"]


def test_unknown_format():
    with pytest.raises(ValueError, match="unknown output format"):
        get_format("docx")
