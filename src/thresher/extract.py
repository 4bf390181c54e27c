"""One page: decode → parse → segment → classify + metadata → assemble.

``extract`` is a pure function of its input and options; ``extract_trace`` returns the same document
plus every block with its features and decision; ``extract_many`` runs a batch and yields one result
per input, in order, never raising for one bad item.
"""

from __future__ import annotations

import _signal
import dataclasses
import signal
import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from thresher.assemble.document import assemble
from thresher.classify import classify_html, classify_text
from thresher.classify.html_model import load_model as load_html_model
from thresher.classify.text_model import load_model as load_text_model
from thresher.deadline import Deadline
from thresher.errors import DeadlineExceeded, ThresherError
from thresher.metadata import language
from thresher.metadata.dates import load_model as load_date_model
from thresher.metadata.html import html_metadata
from thresher.metadata.text import text_metadata
from thresher.metadata.titles import load_model as load_title_model
from thresher.model import Document, Failure, Page, Provenance, Result, Trace
from thresher.options import DEFAULT_OPTIONS, Options
from thresher.parse.html import parse_html
from thresher.read.encoding import decode_page, repair_surrogates
from thresher.read.sniff import sniff
from thresher.segment.code import with_code_languages
from thresher.segment.html import segment_html
from thresher.segment.inline import wants_spans, with_spans
from thresher.segment.text import segment_text

PageLike = Page | str | bytes | Mapping[str, Any]
_PYTHON = Provenance(source="<python>")
"""The provenance of a page handed over in Python (frozen: one for all of them)."""


def extract(
    data: PageLike,
    url: str | None = None,
    options: Options | None = None,
    *,
    id: str | None = None,
) -> Document:
    """Extract the main content and metadata of one page (HTML or already-scraped text).

    Raises :class:`~thresher.errors.ThresherError` (with a ``reason`` code) for input that cannot be
    read: too large, undecodable, not HTML, or over the time limit.
    """
    return extract_trace(data, url, options, id=id).document


def extract_trace(
    data: PageLike,
    url: str | None = None,
    options: Options | None = None,
    *,
    id: str | None = None,
) -> Trace:
    """Like :func:`extract`, plus every block with its features, label and reason."""
    page = to_page(data, url=url, id=id)
    opts = options or DEFAULT_OPTIONS
    load_models(opts)
    with _Alarm(opts.time_limit):
        return _run(page, opts, Deadline(opts.time_limit))


def load_models(opts: Options = DEFAULT_OPTIONS) -> None:
    """Load what extraction needs once per process (the models, the language identifier), outside any
    document's time limit: a slow first load (seconds on a busy machine) is not the page's fault.
    Cached, so every later call is free."""
    load_html_model(opts.html_model)
    load_title_model(opts.title_model)
    load_date_model(opts.title_model)
    load_text_model()
    language.load()


def extract_many(items: Iterable[PageLike], options: Options | None = None) -> Iterator[Result]:
    """Yield one result per item, in input order: a Document, or a Failure with its reason."""
    for item in items:
        yield extract_result(item, options)


def extract_result(item: PageLike | Failure, options: Options | None = None) -> Result:
    """:func:`extract` that turns every error into a Failure record instead of raising."""
    if isinstance(item, Failure):
        return item
    try:
        page = to_page(item)
    except (TypeError, ValueError) as err:
        return Failure(reason="invalid_record", message=str(err))
    try:
        return extract(page, options=options)
    except ThresherError as err:
        return Failure(
            reason=err.reason, message=err.message, id=page.id, url=page.url, provenance=page.provenance
        )
    except RecursionError:
        return Failure(
            reason="too_large", message="markup nested too deeply to process", id=page.id,
            url=page.url, provenance=page.provenance,
        )
    except MemoryError:
        return Failure(
            reason="too_large", message="out of memory while processing the page", id=page.id,
            url=page.url, provenance=page.provenance,
        )
    except Exception as err:  # a bug must cost one document, not the batch
        return Failure(
            reason="internal_error", message=f"{type(err).__name__}: {err}", id=page.id,
            url=page.url, provenance=page.provenance,
        )


def to_page(data: PageLike, *, url: str | None = None, id: str | None = None) -> Page:
    """Accept a Page, raw HTML/text (str or bytes) or a mapping with ``html`` or ``text``."""
    for name, value in (("url", url), ("id", id)):
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{name} must be a string or None, not {_a(type(value).__name__)}")
    if isinstance(data, Page):
        return _without_surrogates(data)
    if isinstance(data, str | bytes | bytearray):
        payload = bytes(data) if isinstance(data, bytearray) else data
        return _without_surrogates(Page(data=payload, url=url, id=id, provenance=_PYTHON))
    if isinstance(data, Mapping):
        if isinstance(data.get("html"), str | bytes):
            payload, kind = data["html"], "html"
        elif isinstance(data.get("text"), str | bytes):
            payload, kind = data["text"], "text"
        else:
            raise ValueError("record has neither an 'html' nor a 'text' string field")
        rid = data.get("id", id)
        return _without_surrogates(Page(
            data=payload,
            url=data.get("url", url) if isinstance(data.get("url", url), str) else None,
            id=str(rid) if rid is not None else None,
            kind=kind,  # type: ignore[arg-type]
            provenance=_PYTHON,
        ))
    raise TypeError(f"cannot extract from {_a(type(data).__name__)}: pass str, bytes, Page or a mapping")


def _without_surrogates(page: Page) -> Page:
    """The page with its URL and ids free of surrogates (``json.loads`` of ``"caf\udce9"``, a file name
    read with ``surrogateescape``), which no record could be written with; the payload is repaired later,
    once its size is checked."""
    fields = (page.url, page.id, page.provenance.record_id, page.provenance.date)
    if all(value is None or value.isascii() for value in fields):
        return page
    url, rid, record_id, date = (None if v is None else repair_surrogates(v) for v in fields)
    provenance = dataclasses.replace(page.provenance, record_id=record_id, date=date)
    return dataclasses.replace(page, url=url, id=rid, provenance=provenance)


def _a(noun: str) -> str:
    """``noun`` with its indefinite article: "an int", "a list"."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _run(page: Page, opts: Options, deadline: Deadline) -> Trace:
    size = len(page.data)
    if size > opts.max_bytes:
        raise ThresherError("too_large", f"input is {size:,} bytes, over the cap of {opts.max_bytes:,}")
    kind = sniff(page.data, hint=page.kind, forced=opts.input_format)
    if isinstance(page.data, bytes):
        text, utf8 = decode_page(page.data, declared=page.charset)
    else:
        text, utf8 = repair_surrogates(page.data), None
    if not text.strip():
        raise ThresherError("empty", "the page has no text")
    deadline.check()
    if kind == "html":
        tree = parse_html(text, opts, utf8=utf8)
        deadline.check()
        blocks = segment_html(tree, opts, deadline)
        metadata = html_metadata(tree, page.url, opts)
        decisions = classify_html(blocks, metadata, opts, deadline)
        if wants_spans(opts):
            blocks = with_spans(tree, blocks, page.url, opts)
        if opts.with_markdown or opts.with_html:
            blocks = with_code_languages(tree, blocks)
    else:
        blocks = segment_text(text, opts, deadline)
        decisions = classify_text(blocks, opts, deadline)
        metadata = text_metadata(blocks, decisions, page.url, opts)
    deadline.check()
    document = assemble(blocks, decisions, metadata, page, kind, opts)
    return Trace(document=document, blocks=tuple(blocks), decisions=tuple(decisions), metadata=metadata)


class _Alarm:
    """A hard backstop behind the cooperative deadline: a real timer where signals can be used (a
    context manager).

    A slotted class rather than a generator context manager, and the signal module's C functions
    rather than its Python wrappers (``signal.signal`` turns each handler it returns into an enum,
    a failed enum look-up for a Python handler): a few microseconds a document instead of ~15."""

    __slots__ = ("_previous", "_seconds")

    def __init__(self, seconds: float | None) -> None:
        self._seconds = seconds
        self._previous: Any = _NOT_ARMED

    def __enter__(self) -> None:
        seconds = self._seconds
        if (seconds is None or not _TIMERS or threading.current_thread() is not threading.main_thread()
                or signal.getitimer(signal.ITIMER_REAL)[0] != 0.0):
            return
        self._previous = _raw_signal(signal.SIGALRM, self._raise)
        signal.setitimer(signal.ITIMER_REAL, seconds + 0.5)  # the cooperative check fires first

    def __exit__(self, *exc: object) -> None:
        previous = self._previous
        if previous is _NOT_ARMED:
            return
        self._previous = _NOT_ARMED
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            _raw_signal(signal.SIGALRM, previous)

    def _raise(self, signum: int, frame: object) -> None:
        raise DeadlineExceeded(self._seconds or 0.0)


_NOT_ARMED = object()
_TIMERS = hasattr(signal, "setitimer")
_raw_signal = getattr(_signal, "signal", signal.signal)
"""``signal.signal`` without its wrapper's enum conversions (the same handler installed, the previous
one returned as the plain int or callable the wrapper converts)."""
