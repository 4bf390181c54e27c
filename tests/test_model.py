import dataclasses
import pickle

import thresher.model as model
from thresher.extract import extract_trace
from thresher.model import Document, Failure, Page, Provenance, RemovedBlock

PAGE = ("<html><head><title>A title</title></head><body><nav><a href='/'>Home</a> <a href='/b'>News</a></nav>"
        "<article><h1>A title</h1><p>" + "Some words of the article text. " * 30 + "</p></article>"
        "<footer>Copyright notice of the site</footer></body></html>")


def test_model_records_pickle_as_constructor_calls_and_come_back_equal():
    trace = extract_trace(PAGE)
    doc = trace.document
    assert doc.removed, "the page should leave some blocks out"
    records = [trace, doc, *doc.removed, *trace.blocks, *trace.decisions, trace.metadata, doc.provenance,
               Failure(reason="empty", message="no text", id="x", provenance=Provenance(source="s")),
               Page(data=b"<p>x</p>", url="https://example.org/", charset="utf-8")]
    for record in records:
        cls, args = record.__reduce__()
        assert cls is type(record)
        assert args == tuple(getattr(record, f.name) for f in dataclasses.fields(record))
        back = pickle.loads(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
        assert type(back) is type(record) and back == record


def test_every_model_record_pickles_by_its_constructor():
    classes = [c for c in vars(model).values()
               if isinstance(c, type) and dataclasses.is_dataclass(c) and c.__module__ == model.__name__]
    assert len(classes) >= 12
    for cls in classes:
        assert "__reduce__" in vars(cls), cls.__name__  # a new record type must be added to the list
        assert not hasattr(cls, "__post_init__"), cls.__name__
        assert all(f.init and not f.kw_only for f in dataclasses.fields(cls)), cls.__name__


def test_a_document_with_many_removed_blocks_pickles_compactly():
    removed = tuple(RemovedBlock("navigation", "link_dense", f"link {i}", i) for i in range(1000))
    doc = Document(text="kept", removed=removed)
    data = pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL)
    assert pickle.loads(data) == doc
    assert b"__setstate__" not in data and len(data) < 40_000
