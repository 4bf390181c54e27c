"""The vocabulary of Thresher: the records that flow between stages.

read ─► Page ─► parse ─► segment ─► Block ─► classify ─► Decision ─► assemble ─► Document
                                                                       └────────► Failure (broken input)

Every type here is a frozen, slotted dataclass: stages build new values, never mutate old ones.
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

InputFormat = Literal["auto", "html", "text"]
"""How a page's payload is to be read: ``html`` markup, already-scraped ``text``, or ``auto``."""


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a page came from: enough to find the bytes again."""

    source: str = ""
    """File path, URL, ``<stdin>`` or ``<python>``."""
    record: int | None = None
    """Index of the record inside the source (JSONL line number, WARC record number), from 0."""
    offset: int | None = None
    """Byte offset of the record inside the (compressed) source file, when known."""
    record_id: str | None = None
    """WARC-Record-ID or the id field of a JSONL record."""
    date: str | None = None
    """When the page was captured, as the transport says: a WARC record's WARC-Date, a JSONL record's
    ``date`` (or ``metadata.date``) field. The crawl's date, never taken as the page's publication date."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "record": self.record,
            "offset": self.offset,
            "record_id": self.record_id,
            "date": self.date,
        }


@dataclass(frozen=True, slots=True)
class Page:
    """One input document as a reader hands it over, before any parsing."""

    data: bytes | str
    url: str | None = None
    id: str | None = None
    kind: InputFormat = "auto"
    """What the reader knows about the payload (``text`` for .txt files and WET records)."""
    content_type: str | None = None
    """Media type declared by the transport (HTTP header, WARC), when there is one."""
    charset: str | None = None
    """Charset declared by the transport (HTTP header), the strongest encoding hint after a BOM."""
    provenance: Provenance = field(default_factory=Provenance)


BlockKind = Literal[
    "paragraph", "heading", "list_item", "code", "quote", "table_row", "caption", "line", "other"
]


SpanKind = Literal["link", "strong", "emphasis", "code", "image"]


@dataclass(frozen=True, slots=True)
class Span:
    """Inline markup the page put on part of a block's text (``Options.include_links``, ``_images``,
    ``_formatting``): offsets into ``Block.text``; an image is a point (``start == end``)."""

    start: int
    end: int
    kind: SpanKind
    target: str = ""
    """The link's address or the image's source, absolute when the page's URL is known."""
    alt: str = ""
    """An image's alternative text."""
    alone: bool = False
    """An image with no text beside it in its block element (a picture between paragraphs): shown
    on a line of its own."""


@dataclass(frozen=True, slots=True)
class Block:
    """A run of text the page shows as a unit, in reading order, with the features that describe it."""

    index: int
    text: str
    kind: BlockKind = "paragraph"
    level: int = 0
    """Heading level (1-6), list nesting depth, or 0."""
    path: str = ""
    """Tag path from the root (``html/body/div/p``) for HTML blocks; empty for text blocks."""
    features: Mapping[str, float] = field(default_factory=dict)
    cells: tuple[str, ...] | None = None
    """Cell texts when the block is a table row."""
    hints: tuple[str, ...] = ()
    """Tokens from the markup (class/id/role) or from the text shape that rules may use."""
    spans: tuple[Span, ...] = ()
    """Links, emphasis, inline code and images inside the text, when the options ask for them
    (``thresher.segment.inline``); the Markdown and HTML renderers show them."""


Label = Literal[
    "main",
    "title",
    "byline",
    "comment",
    "caption",
    "navigation",
    "headline_list",
    "promo",
    "share",
    "legal",
    "residue",
    "boilerplate",
]

KEPT_LABELS: frozenset[str] = frozenset({"main", "caption"})
"""Labels whose blocks go into the document's text (comments join them when asked)."""


@dataclass(frozen=True, slots=True)
class Decision:
    """What the classifier said of one block, and why."""

    label: Label
    reason: str
    score: float | None = None
    """Model probability that the block is main content, when a model decided."""

    @property
    def kept(self) -> bool:
        return self.label in KEPT_LABELS


@dataclass(frozen=True, slots=True)
class RemovedBlock:
    """A block left out of the text, kept in the record so that nothing is lost silently."""

    label: str
    reason: str
    text: str
    index: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "reason": self.reason, "text": self.text, "index": self.index}


@dataclass(frozen=True, slots=True)
class Headline:
    """One line of a removed ticker or headline list, kept as an item for ``thresher stories``."""

    headline: str
    time: str | None = None
    """The line's leading clock time (``"15:19"``) when it had one; tickers give no date."""

    def to_dict(self) -> dict[str, Any]:
        return {"time": self.time, "headline": self.headline}


@dataclass(frozen=True, slots=True)
class Metadata:
    """Page-level facts, each field chosen from candidates (see ``thresher.metadata``)."""

    title: str | None = None
    author: str | None = None
    date: str | None = None
    """Publication date, ISO 8601 (``YYYY-MM-DD``)."""
    sitename: str | None = None
    hostname: str | None = None
    language: str | None = None
    description: str | None = None
    image: str | None = None
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    page_type: str | None = None
    sources: Mapping[str, str] = field(default_factory=dict)
    """For each field, the candidate it came from (``json-ld``, ``og:title``, ``byline`` ...)."""


@dataclass(frozen=True, slots=True)
class Rejected:
    """Why a page's content was not accepted (it is still returned, with empty text)."""

    stage: str
    reason: str

    def __str__(self) -> str:
        return f"{self.stage}:{self.reason}"


@dataclass(frozen=True, slots=True)
class Document:
    """The clean document: main text plus metadata, and what was removed with labels and reasons."""

    text: str
    id: str | None = None
    url: str | None = None
    title: str | None = None
    author: str | None = None
    date: str | None = None
    sitename: str | None = None
    hostname: str | None = None
    language: str | None = None
    description: str | None = None
    image: str | None = None
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    page_type: str | None = None
    markdown: str | None = None
    html: str | None = None
    """Clean semantic HTML of the kept content (a fragment of block elements), when asked for."""
    comments: str | None = None
    removed: tuple[RemovedBlock, ...] = ()
    headlines: tuple[Headline, ...] = ()
    """The removed ticker / headline-list lines as items (time + headline), for ``thresher stories``."""
    mode: Literal["html", "text"] = "html"
    """Which engine extracted it."""
    rejected: Rejected | None = None
    provenance: Provenance = field(default_factory=Provenance)

    @property
    def fingerprint(self) -> str:
        """A short hash of the normalised text, as trafilatura's ``fingerprint``."""
        norm = " ".join(self.text.lower().split())
        return hashlib.blake2b(norm.encode("utf-8"), digest_size=8).hexdigest()

    @property
    def ok(self) -> bool:
        return self.rejected is None

    def to_dict(self, *, with_removed: bool = True) -> dict[str, Any]:
        """A JSON-ready record in trafilatura's field names (read unchanged by datatrove's JsonlReader)."""
        rec: dict[str, Any] = {
            "id": self.id,
            "url": self.url,
            "hostname": self.hostname,
            "title": self.title,
            "author": self.author,
            "date": self.date,
            "sitename": self.sitename,
            "description": self.description,
            "language": self.language,
            "categories": list(self.categories),
            "tags": list(self.tags),
            "image": self.image,
            "pagetype": self.page_type,
            "fingerprint": self.fingerprint,
            "text": self.text,
        }
        if self.markdown is not None:
            rec["markdown"] = self.markdown
        if self.html is not None:
            rec["html"] = self.html
        if self.comments:
            rec["comments"] = self.comments
        rec["mode"] = self.mode
        rec["rejected"] = str(self.rejected) if self.rejected else None
        rec["source"] = self.provenance.source
        rec["provenance"] = self.provenance.to_dict()
        if with_removed:
            rec["removed"] = [b.to_dict() for b in self.removed]
        if self.headlines:
            rec["headlines"] = [h.to_dict() for h in self.headlines]
        return rec


@dataclass(frozen=True, slots=True)
class Failure:
    """The error record: an input that could not become a Document, and the reason why."""

    reason: str
    """A stable code: ``too_large``, ``timeout``, ``undecodable``, ``not_html``, ``empty``,
    ``truncated``, ``invalid_record``, ``fetch_error``, ``read_error`` or ``internal_error``."""
    message: str
    id: str | None = None
    url: str | None = None
    provenance: Provenance = field(default_factory=Provenance)

    ok = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "error": self.reason,
            "message": self.message,
            "source": self.provenance.source,
            "provenance": self.provenance.to_dict(),
        }


Result = Document | Failure
"""What the batch interfaces yield for each input."""


@dataclass(frozen=True, slots=True)
class Trace:
    """``extract_trace``'s answer: the document plus every block with its decision."""

    document: Document
    blocks: tuple[Block, ...]
    decisions: tuple[Decision, ...]
    metadata: Metadata


def _pickled_by_constructor(cls: type) -> None:
    """Pickle ``cls`` as a call of its constructor with its field values, in order. The slotted
    dataclass's own pickling (Python 3.11) looks the fields up again for every object it writes and
    reads: a page's thousand removed blocks took ~10 ms to send from a server worker and read back,
    ~1 ms this way. The same objects come back: no field is kw-only or left out of ``__init__``, and
    no class here has a ``__post_init__``."""
    names = tuple(f.name for f in fields(cls))
    values = operator.attrgetter(*names)
    if len(names) == 1:
        def __reduce__(self: Any) -> tuple[type, tuple[Any, ...]]:
            return cls, (values(self),)
    else:
        def __reduce__(self: Any) -> tuple[type, tuple[Any, ...]]:
            return cls, values(self)
    cls.__reduce__ = __reduce__  # type: ignore[assignment,method-assign]


for _cls in (Provenance, Page, Span, Block, Decision, RemovedBlock, Headline, Metadata, Rejected, Document,
             Failure, Trace):
    _pickled_by_constructor(_cls)
