"""datatrove reads ``thresher run`` output unchanged, and runs Thresher as an extractor step."""

import json

import pytest

from thresher.cli.main import main
from thresher.testing import corpus as factory

datatrove = pytest.importorskip("datatrove")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")



@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("dt-corpus")
    factory.make_corpus(root, shards=2, pages=2)
    return root


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_datatrove_readers_read_run_output_unchanged(corpus, tmp_path, fmt):
    from datatrove.pipeline.readers import JsonlReader, ParquetReader

    out = tmp_path / "run"
    assert main(["run", str(corpus / "*.warc.gz"), "-o", str(out), "--workers", "1", "--format", fmt]) == 0
    reader = (JsonlReader if fmt == "jsonl" else ParquetReader)(str(out / "data"))
    docs = list(reader.run())
    assert len(docs) == 4
    first = docs[0]
    assert first.id.startswith("crawl-000-") and first.id.endswith("/0")
    assert first.metadata["url"].startswith("https://") and first.metadata["hostname"].endswith(".example")
    assert first.metadata["provenance"]["source"].endswith("crawl-000.warc.gz")
    if fmt == "jsonl":
        raw = json.loads((out / "data" / "part-00000.jsonl").read_text().splitlines()[0])
    else:
        import pyarrow.parquet as pq

        raw = pq.read_table(out / "data" / "part-00000.parquet").to_pylist()[0]
    assert raw["text"] == first.text and raw["id"] == first.id
    assert {k: v for k, v in first.metadata.items() if k != "file_path"} == {
        k: v for k, v in raw.items() if k not in ("id", "text")
    }


def test_thresher_is_an_extractor_step(corpus):
    from datatrove.data import Document as DtDocument

    from thresher.integrations.datatrove import ThresherExtractor

    html = factory._html("A title of a page", ["Paragraph one is about rivers and the boats on them. " * 4,
                                               "Paragraph two is about bridges over rivers. " * 4], "a.example")
    docs = [DtDocument(text=html.decode(), id="p1", metadata={"url": "https://a.example/x"}),
            DtDocument(text="", id="p2", metadata={})]
    step = ThresherExtractor()
    out = list(step.run(iter(docs)))
    assert [d.id for d in out] == ["p1"]
    assert "bridges over rivers" in out[0].text and "<p>" not in out[0].text
    assert out[0].metadata["url"] == "https://a.example/x" and out[0].metadata["title"] == "A title of a page"
    assert step.stats["failed_empty"].total == 1
    assert "rivers" in step.extract(html.decode())


def _dt_page():
    from datatrove.data import Document as DtDocument

    html = factory._html("A title of a page", ["Paragraph one is about rivers and the boats on them. " * 4,
                                               "Paragraph two is about bridges over rivers. " * 4], "a.example")
    return DtDocument(text=html.decode(), id="p1", metadata={"url": "https://a.example/x"})


def test_extractor_keeps_the_time_limit_of_its_options():
    """``ThresherExtractor(Options(time_limit=30))`` runs with 30 s, not the step's default of 10."""
    from thresher.integrations.datatrove import ThresherExtractor
    from thresher.options import Options

    assert ThresherExtractor(Options(time_limit=30)).options.time_limit == 30
    assert ThresherExtractor(Options(time_limit=None)).options.time_limit is None
    assert ThresherExtractor().options.time_limit == Options().time_limit
    assert ThresherExtractor(Options(time_limit=30), timeout=5).options.time_limit == 5


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_extractor_can_put_markdown_or_html_in_the_text(fmt):
    """For LLM data the Markdown (or clean HTML) is the text to keep, as trafilatura's
    ``output_format`` does in datatrove's Trafilatura step."""
    from thresher.integrations.datatrove import ThresherExtractor

    step = ThresherExtractor(output_format=fmt)
    [doc] = list(step.run(iter([_dt_page()])))
    assert "bridges over rivers" in doc.text
    if fmt == "markdown":
        assert "\n\n" in doc.text and "<p>" not in doc.text
    else:
        assert doc.text.lstrip().startswith("<") and "<p>" in doc.text
    assert doc.metadata["title"] == "A title of a page"


def test_extractor_refuses_an_unknown_output_format():
    from thresher.integrations.datatrove import ThresherExtractor

    with pytest.raises(ValueError, match="output_format"):
        ThresherExtractor(output_format="xml")
