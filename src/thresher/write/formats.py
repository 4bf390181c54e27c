"""The output formats: how one result becomes text, and what frames a stream of them.

A format renders one result at a time, so output streams; ``header``/``separator``/``footer`` frame
the records of one stream or file (the CSV header row, the brackets of a JSON array).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from thresher.model import Document, Result
from thresher.write.html import STREAM_HEAD, STREAM_TAIL, render_html_article, render_html_page
from thresher.write.jsonl import render_json, render_jsonl
from thresher.write.markdown import render_markdown
from thresher.write.tabular import csv_header, render_csv
from thresher.write.txt import render_txt
from thresher.write.xmldoc import render_xml

FormatName = Literal["txt", "json", "jsonl", "csv", "markdown", "xml", "html", "parquet"]
FORMAT_NAMES: tuple[FormatName, ...] = ("txt", "json", "jsonl", "csv", "markdown", "xml", "html", "parquet")

Renderer = Callable[..., str | None]


@dataclass(frozen=True, slots=True)
class Format:
    """One output format: a renderer for a result and the framing of a stream of them."""

    name: str
    extension: str
    render_one: Renderer
    header: str = ""
    separator: str = ""
    footer: str = ""
    records_failures: bool = True
    """Whether failures are records in this format (json, jsonl, csv, xml) or only reported (txt, md,
    html)."""

    def render(self, result: Result, *, with_metadata: bool = False) -> str | None:
        """The result's text in this format, or ``None`` when the format has nothing to show for it."""
        return self.render_one(result, with_metadata=with_metadata)


def _json_in_array(result: Result, *, with_metadata: bool = False) -> str:
    return "  " + render_json(result, with_metadata=with_metadata).replace("\n", "\n  ")


def _json_single(result: Result, *, with_metadata: bool = False) -> str:
    return render_json(result, with_metadata=with_metadata) + "\n"


def _parquet_row(result: Result, *, with_metadata: bool = False) -> str | None:
    """A document's record as one JSON line (the row ``ParquetOutput`` writes); None for a failure, which
    Parquet output reports instead (its columns are a document's)."""
    return render_jsonl(result) if isinstance(result, Document) else None


def get_format(name: str, *, many: bool = False) -> Format:
    """The format called ``name``; ``many`` is for a stream of several records (JSON becomes an array).

    Raises ``ValueError`` for an unknown name.
    """
    if name == "txt":
        return Format("txt", ".txt", render_txt, separator="\n", records_failures=False)
    if name in ("markdown", "md"):
        return Format("markdown", ".md", render_markdown, separator="\n", records_failures=False)
    if name == "jsonl":
        return Format("jsonl", ".jsonl", render_jsonl)
    if name == "json":
        if many:
            return Format("json", ".json", _json_in_array, header="[\n", separator=",\n", footer="\n]\n")
        return Format("json", ".json", _json_single)
    if name == "csv":
        return Format("csv", ".csv", render_csv, header=csv_header())
    if name == "xml":
        if many:
            return Format("xml", ".xml", render_xml, header="<docs>\n", footer="</docs>\n")
        return Format("xml", ".xml", render_xml)
    if name in ("html", "htm"):
        if many:
            return Format("html", ".html", render_html_article, header=STREAM_HEAD, footer=STREAM_TAIL,
                          records_failures=False)
        return Format("html", ".html", render_html_page, records_failures=False)
    if name == "parquet":  # a binary file, written a row group at a time by write.output.ParquetOutput
        return Format("parquet", ".parquet", _parquet_row, records_failures=False)
    raise ValueError(f"unknown output format {name!r}; choose from {', '.join(FORMAT_NAMES)}")
