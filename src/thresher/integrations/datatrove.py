"""Thresher as an extractor block of a datatrove pipeline (needs ``datatrove``).

```python
from datatrove.pipeline.readers import WarcReader
from datatrove.pipeline.writers import JsonlWriter
from thresher.integrations.datatrove import ThresherExtractor

pipeline = [WarcReader("crawl/"), ThresherExtractor(), JsonlWriter("out/")]
# Markdown as the text (for LLM data): ThresherExtractor(output_format="markdown")
```

``ThresherExtractor`` takes each document's ``text`` (the HTML, or already-scraped text) and replaces
it with Thresher's main text; the metadata Thresher finds (title, author, date, language, ...) joins
the document's metadata without overwriting what the reader put there, except ``title``,
``language`` and the rest of Thresher's own fields. Rejected pages and broken input are dropped and
counted in the step's stats by reason (``rejected_too_short``, ``failed_not_html``...), as
datatrove's filters do. Extraction runs in-process: Thresher's own per-document time limit
(``Options.time_limit``) replaces the base class's sandbox process.

The other direction needs no adapter: ``thresher run`` output (``id``, ``text``, metadata fields) is
read unchanged by datatrove's ``JsonlReader`` and ``ParquetReader``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from thresher.extract import extract_result
from thresher.model import Document, Page, Provenance
from thresher.options import Options
from thresher.write.markdown import render_markdown

try:
    from datatrove.data import Document as DatatroveDocument
    from datatrove.pipeline.extractors.base import BaseExtractor
except ImportError as err:  # pragma: no cover - depends on the environment
    raise ImportError("thresher.integrations.datatrove needs datatrove: pip install datatrove") from err

METADATA_FIELDS = ("title", "author", "date", "sitename", "hostname", "description", "language", "image",
                   "categories", "tags", "pagetype", "fingerprint", "mode")


OUTPUT_FORMATS = ("txt", "markdown", "html")
"""What becomes the document's ``text``: the plain text, the Markdown or the clean HTML."""


class ThresherExtractor(BaseExtractor):
    """A datatrove extractor step running :func:`thresher.extract`; ``options`` as for the library.

    ``output_format`` chooses what becomes each document's ``text``: ``"txt"`` (the plain text),
    ``"markdown"`` or ``"html"`` (clean semantic HTML), the CLI's names. ``timeout`` (seconds per
    document) overrides ``options.time_limit`` when given.
    """

    name = "🌾 Thresher"
    _requires_dependencies: tuple[str, ...] = ()

    def __init__(
        self, options: Options | None = None, *, timeout: float | None = None, output_format: str = "txt"
    ) -> None:
        if output_format not in OUTPUT_FORMATS:
            raise ValueError(f"output_format must be one of {', '.join(OUTPUT_FORMATS)}, not {output_format!r}")
        opts = options or Options()
        if timeout is not None:
            opts = opts.with_(time_limit=timeout)
        super().__init__(timeout=opts.time_limit or 0)
        self.output_format = output_format
        if output_format == "markdown":
            opts = opts.with_(with_markdown=True)
        elif output_format == "html":
            opts = opts.with_(with_html=True)
        self.options = opts

    def _text(self, result: Document) -> str:
        if self.output_format == "markdown":
            return render_markdown(result) or ""
        if self.output_format == "html":
            return result.html or ""
        return result.text

    def extract(self, text: str) -> str:
        """The main text of one page (empty when the page is rejected or broken)."""
        result = extract_result(Page(data=text, provenance=Provenance(source="<datatrove>")), self.options)
        return self._text(result) if isinstance(result, Document) and result.rejected is None else ""

    def run(
        self, data: Iterator[DatatroveDocument], rank: int = 0, world_size: int = 1
    ) -> Iterator[DatatroveDocument]:
        for doc in data:
            self.stat_update("total")
            with self.track_time():
                url = doc.metadata.get("url")
                page = Page(data=doc.text, url=url if isinstance(url, str) else None, id=doc.id,
                            provenance=Provenance(source=str(doc.metadata.get("file_path", "<datatrove>"))))
                result = extract_result(page, self.options)
            if not isinstance(result, Document):
                self.stat_update(f"failed_{result.reason}")
                continue
            if result.rejected is not None:
                self.stat_update(f"rejected_{result.rejected.reason}")
                continue
            doc.text = self._text(result)
            record: dict[str, Any] = result.to_dict(with_removed=False)
            doc.metadata.update({k: record[k] for k in METADATA_FIELDS if record.get(k) not in (None, [], "")})
            self.stat_update("forwarded")
            self.update_doc_stats(doc)
            yield doc
