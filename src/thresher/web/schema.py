"""The HTTP API's request and response shapes (pydantic), and how request options become ``Options``.

Option fields default to ``None``, meaning "the server's setting": the one home of every default stays
:class:`thresher.Options`. The resource caps a request may set (``time_limit``, ``max_bytes``,
``max_elements``) can only lower the server's, never raise them.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from thresher.options import Options


class ExtractOptions(BaseModel):
    """Per-request overrides of :class:`thresher.Options`; unset fields keep the server's value."""

    model_config = ConfigDict(extra="forbid", strict=True)

    input_format: Literal["auto", "html", "text"] | None = Field(
        default=None, description="auto looks at the payload; html or text force an engine.")
    focus: Literal["balanced", "precision", "recall"] | None = Field(
        default=None, description="precision drops doubtful blocks, recall keeps them.")
    include_comments: bool | None = None
    include_tables: bool | None = None
    include_links: bool | None = None
    include_images: bool | None = None
    include_formatting: bool | None = None
    with_markdown: bool | None = Field(default=None, description="Add the Markdown to the record (markdown).")
    with_html: bool | None = Field(default=None, description="Add clean semantic HTML of the kept content (html).")
    fast: bool | None = None
    target_language: str | None = Field(
        default=None, min_length=2, max_length=16, pattern=r"^[A-Za-z]{2}(?:[-_][A-Za-z0-9]{1,8})?$",
        description="ISO 639-1 code; EN and en-US read as en, as in Options.")
    min_text_length: int | None = Field(default=None, ge=0, le=10_000_000)
    max_bytes: int | None = Field(default=None, gt=0, description="Can only lower the server's cap.")
    max_elements: int | None = Field(default=None, gt=0, description="Can only lower the server's cap.")
    time_limit: float | None = Field(
        default=None, gt=0, le=3600, description="Seconds per document; can only lower the server's limit."
    )

    @field_validator("target_language")
    @classmethod
    def _language_code(cls, value: str | None) -> str | None:
        return None if value is None else Options(target_language=value).target_language


CAPS = ("max_bytes", "max_elements", "time_limit")
SERVER_ONLY = frozenset({"html_model", "title_model"})
"""Options a request may not set: a model file path is the server's choice, never a client's."""


def merge_options(base: Options, req: ExtractOptions | None) -> Options:
    """The server's options with the request's overrides; caps are the smaller of the two."""
    if req is None:
        return base
    changes: dict[str, Any] = {}
    for name, value in req.model_dump(exclude_none=True).items():
        current = getattr(base, name)
        if name in CAPS and current is not None:
            value = min(value, current)
        changes[name] = value
    return base.with_(**changes) if changes else base


def options_fields() -> set[str]:
    """The names of :class:`thresher.Options`' fields (a test pins ExtractOptions to them)."""
    return {f.name for f in fields(Options)} - SERVER_ONLY


Page = str
"""An empty page is data, not a malformed request: it gets the ``empty`` error record (in a batch,
that item alone)."""


class ExtractRequest(BaseModel):
    """One page to extract: exactly one of ``html``, ``text`` or ``url``."""

    model_config = ConfigDict(extra="forbid", strict=True)

    html: Page | None = Field(default=None, description="The page as HTML.")
    text: Page | None = Field(default=None, description="The page as plain text.")
    url: Annotated[str, Field(max_length=8192)] | None = Field(
        default=None,
        description="With html/text: the page's URL (for metadata). Alone: fetched, if the server allows it.",
    )
    id: Annotated[str, Field(max_length=1024)] | None = None
    options: ExtractOptions | None = None


class ErrorBody(BaseModel):
    """Every error answer: a stable code and a human message (never a stack trace)."""

    model_config = ConfigDict(extra="allow")

    error: str
    message: str


class Record(BaseModel):
    """A document record (``Document.to_dict()``) or an error record (``Failure.to_dict()``)."""

    model_config = ConfigDict(extra="allow")

    id: str | None = None
    url: str | None = None
    text: str | None = None
    error: str | None = None
    message: str | None = None


class Health(BaseModel):
    status: Literal["ok"]
    version: str


def summarize_validation(errors: Any) -> str:
    """Pydantic errors → one readable line (no input echo, no internals)."""
    parts = []
    for e in list(errors)[:5]:
        loc = ".".join(str(x) for x in e.get("loc", ()) if x not in ("body",))
        parts.append(f"{loc or 'body'}: {e.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"
