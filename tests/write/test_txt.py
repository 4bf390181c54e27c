from thresher.model import Document, Failure, Rejected
from thresher.write.txt import render_txt


def test_text_with_comments_after_it():
    doc = Document(text="Main text.", comments="A comment.")
    assert render_txt(doc) == "Main text.\n\nA comment.\n"


def test_metadata_header_only_when_asked():
    doc = Document(text="Body", title="T: x")
    assert render_txt(doc) == "Body\n"
    assert render_txt(doc, with_metadata=True).startswith('---\ntitle: "T: x"\n')
    assert render_txt(doc, with_metadata=True).endswith("---\nBody\n")


def test_failures_and_rejected_documents_have_no_text_output():
    assert render_txt(Failure(reason="empty", message="nothing")) is None
    assert render_txt(Document(text="", rejected=Rejected(stage="assemble", reason="too_short"))) is None
