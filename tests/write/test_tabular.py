import csv
import io

from thresher.model import Document, Failure
from thresher.write.tabular import CSV_COLUMNS, csv_header, render_csv


def _rows(text):
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_quotes_commas_and_newlines_survive():
    doc = Document(text='He said "hi",\nthen left.\r\nEnd', title='A, "B"', id="7", url="https://x.org/?a=1,2")
    rows = _rows(csv_header() + render_csv(doc))
    assert len(rows) == 1
    assert rows[0]["text"] == doc.text
    assert rows[0]["title"] == doc.title
    assert rows[0]["url"] == doc.url
    assert rows[0]["fingerprint"] == doc.fingerprint
    assert rows[0]["error"] == ""


def test_failure_row_carries_error_columns():
    rows = _rows(csv_header() + render_csv(Failure(reason="too_large", message="big, very")))
    assert rows[0]["error"] == "too_large" and rows[0]["message"] == "big, very" and rows[0]["text"] == ""


def test_header_has_trafilatura_columns():
    for name in ("url", "id", "fingerprint", "hostname", "title", "image", "date", "text", "comments"):
        assert name in CSV_COLUMNS
    assert csv_header().rstrip("\n").split(",") == list(CSV_COLUMNS)


def test_description_categories_and_tags_columns():
    doc = Document(text="t", description="A, b", categories=("News", "World"), tags=("x",))
    row = _rows(csv_header() + render_csv(doc))[0]
    assert (row["description"], row["categories"], row["tags"]) == ("A, b", "News;World", "x")
