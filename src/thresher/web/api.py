"""The HTTP extraction API under ``/v1``, plus ``/healthz``.

``GET /v1/extract?url=...`` fetches the page (only with ``--allow-fetch``) and answers as ``POST`` does.
``POST /v1/extract`` takes a raw body (``text/html`` or ``text/plain``; ``?url=`` and ``?id=`` may
accompany it), a form (``file`` upload or ``html``/``text`` field, with ``url``, ``id``) or JSON
``{html | text | url, id?, options?}`` and answers the CLI's record:
``Document.to_dict()`` (200) or ``Failure.to_dict()`` with the status of its reason (413 too large,
504 timeout, 422 unreadable input, 400 refused fetch, 502 failed fetch). ``POST /v1/extract/batch``
takes a JSON list of such objects and answers a list of records (200; each item carries its own error).
``POST /v1/extract`` also answers as Markdown, text or clean HTML (what the CLI's ``--output-format``
writes) when asked: ``?format=markdown|text|html|json`` or, without it, the ``Accept`` header
(``text/markdown``, ``text/plain``, ``text/html``, ``application/json``); ``?with_metadata=true`` puts the
CLI's metadata header on top. JSON stays the default, and errors are always JSON.
A body sent with ``Content-Encoding: gzip`` (or a raw ``page.html.gz`` posted as is) is decompressed (off the
event loop), up to the page cap (``Options.max_bytes``) for a raw page and the request cap for a JSON, form or batch
body; a compressed multipart body is refused (415: gzip the uploaded file instead). A single extraction's answer says where its time went in a ``Server-Timing`` header (queue, extract, total).
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json
from email.message import Message
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import TypeAdapter, ValidationError
from starlette.datastructures import UploadFile

from thresher import __version__
from thresher.errors import ThresherError
from thresher.model import Failure, Provenance
from thresher.options import Options
from thresher.read.payload import GZIP_MAGIC, gunzip_stream
from thresher.web.schema import ErrorBody, ExtractRequest, Health, Record, merge_options, summarize_validation
from thresher.web.service import (
    ANSWER_MEDIA,
    AnswerFormat,
    PageRequest,
    Runner,
    json_body,
    options_for_answer,
)

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": what}
    for status, what in (
        (400, "Bad request, or a URL fetch refused/disabled"),
        (401, "Missing or wrong API key"),
        (413, "Request body or page too large"),
        (422, "Invalid JSON, options or unreadable page"),
        (500, "Internal error"),
        (502, "The URL could not be fetched"),
        (504, "Extraction took longer than the time limit"),
    )
}

_EXTRACT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ExtractRequest"}},
            "text/html": {"schema": {"type": "string", "minLength": 1}},
            "text/plain": {"schema": {"type": "string", "minLength": 1}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "The page, uploaded."},
                        "html": {"type": "string", "description": "The page as HTML."},
                        "text": {"type": "string", "description": "The page as plain text."},
                        "url": {"type": "string", "description": "The page's URL (alone: fetched)."},
                        "id": {"type": "string"},
                    },
                }
            },
        },
    }
}
_FORMAT_DOC = (
    "The answer's format: json (the record, the default), markdown, text or html: what the CLI's "
    "--output-format markdown, txt or html writes. Without it, the Accept header chooses (text/markdown, "
    "text/plain, text/html, application/json). Errors are always JSON."
)
_EXTRACT_BODY["parameters"] = [
    {"name": "format", "in": "query", "required": False, "description": _FORMAT_DOC,
     "schema": {"type": "string", "enum": list(ANSWER_MEDIA)}},
    {"name": "with_metadata", "in": "query", "required": False,
     "description": "With format markdown, text or html: the CLI's --with-metadata header (YAML front matter "
                    "for markdown and text, <meta> tags for html).",
     "schema": {"type": "boolean", "default": False}},
]
_EXTRACT_ANSWERS: dict[int | str, dict[str, Any]] = {
    **_ERRORS,
    200: {
        "description": "The record (JSON), or the document as Markdown, text or HTML when asked "
                       "(empty, with an X-Thresher-Rejected header, when the document was rejected)",
        "content": {media: {"schema": {"type": "string"}} for fmt, media in ANSWER_MEDIA.items() if fmt != "json"},
    },
}
_BATCH_BODY: dict[str, Any] = {
    "parameters": [
        {"name": "format", "in": "query", "required": False, "schema": {"type": "string", "enum": ["json"]},
         "description": "A batch answers JSON only; ask POST /v1/extract?format=... page by page for the others."},
    ],
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "array", "items": {"$ref": "#/components/schemas/ExtractRequest"}}
            }
        },
    }
}

_requests = TypeAdapter(list[ExtractRequest])


def require_key(request: Request) -> None:
    """401 unless the request carries the server's API key (``X-API-Key`` or ``Authorization: Bearer``)."""
    settings = request.app.state.settings
    if settings.api_key is None:
        return
    key = request.headers.get("x-api-key")
    if key is None:
        auth = request.headers.get("authorization", "")
        scheme, _, value = auth.partition(" ")
        key = value.strip() if scheme.lower() == "bearer" else None
    if not settings.key_ok(key):
        raise HTTPException(401, "a valid API key is required (X-API-Key header or Authorization: Bearer)",
                            headers={"WWW-Authenticate": "Bearer"})


router = APIRouter()
v1 = APIRouter(prefix="/v1", dependencies=[Depends(require_key)], tags=["extract"])


@router.get("/healthz", response_model=Health, tags=["health"])
async def healthz() -> dict[str, str]:
    """Liveness: answers while the server runs (no key needed)."""
    return {"status": "ok", "version": __version__}


def _media(request: Request) -> tuple[str, str | None]:
    return _media_of(request.headers.get("content-type"))


def _media_of(header: str | None) -> tuple[str, str | None]:
    if not header:
        return "", None
    msg = Message()
    msg["Content-Type"] = header
    charset = msg.get_param("charset")
    return msg.get_content_type(), charset if isinstance(charset, str) else None


def _page_request(item: ExtractRequest) -> PageRequest:
    given = [name for name in ("html", "text") if getattr(item, name) is not None]
    if len(given) > 1:
        raise ValueError("send only one of html and text")
    if not given and item.url is None:
        raise ValueError("send one of html, text or url")
    if item.html is not None:
        return PageRequest(data=item.html, kind="html", url=item.url, id=item.id)
    if item.text is not None:
        return PageRequest(data=item.text, kind="text", url=item.url, id=item.id)
    return PageRequest(data=None, url=item.url, id=item.id)


FORM_FIELDS = frozenset({"html", "text", "file", "url", "id"})
"""Fields of a form body (``curl -F file=@page.html -F url=...``, ``curl -d html=...``)."""


def _url_form(body: bytes) -> dict[str, str] | None:
    """A urlencoded body's fields, or ``None`` when it is not such a form: ``curl -d @page.html``
    labels a raw page ``application/x-www-form-urlencoded``, and that page is the page."""
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError):
        return None
    if not pairs or any(key not in FORM_FIELDS for key, _ in pairs):
        return None
    return dict(pairs)


async def _form_request(request: Request, media: str, body: bytes) -> PageRequest | str | None:
    """The page of a form body: the ``html``/``text`` field or the uploaded ``file`` (or ``html``/``text``
    file), with ``url`` and ``id``; a message when the form holds no page; ``None`` when the body is no
    form after all (a raw page sent with a form's media type)."""
    fields: dict[str, Any]
    if media == "multipart/form-data":
        fields = {}
        try:
            async with request.form() as form:  # closes the uploads' temporary files
                for key, value in form.multi_items():
                    if key in FORM_FIELDS and key not in fields:
                        fields[key] = (await value.read(), value.content_type) if isinstance(
                            value, UploadFile) else value
        except Exception as err:  # starlette's MultiPartException and the parser's errors
            return f"the multipart body could not be read: {err}"
    else:
        parsed = _url_form(body)
        if parsed is None:
            return None
        fields = parsed
    url, rid = fields.get("url"), fields.get("id")
    url = url if isinstance(url, str) and url else None
    rid = rid if isinstance(rid, str) and rid else None
    given = [name for name in ("html", "text", "file") if fields.get(name) not in (None, "")]
    if len(given) > 1:
        return "send only one of the fields html, text and file"
    if not given:
        if url is not None:
            return PageRequest(data=None, url=url, id=rid)
        return "the form holds no page: send a field html, text or file (or url to fetch)"
    value = fields[given[0]]
    kind = "auto" if given[0] == "file" else given[0]
    if isinstance(value, tuple):  # an uploaded file: its bytes and declared media type
        data, declared = value
        media_type, charset = _media_of(declared)
        if kind == "auto":
            kind = "html" if media_type in ("text/html", "application/xhtml+xml") else "auto"
        return PageRequest(data=data, kind=kind, url=url, id=rid, charset=charset, content_type=media_type or None)
    return PageRequest(data=str(value), kind=kind, url=url, id=rid)


_ACCEPT_MEDIA: dict[str, AnswerFormat] = {
    **{media: fmt for fmt, media in ANSWER_MEDIA.items()},
    "text/x-markdown": "markdown",
    "text/*": "text",
    "application/*": "json",
    "*/*": "json",
}
_FORMAT_NAMES: dict[str, AnswerFormat] = {
    "json": "json", "markdown": "markdown", "md": "markdown", "text": "text", "txt": "text", "html": "html",
}
_FLAGS = {"true": True, "1": True, "false": False, "0": False}


def _accepted(header: str | None) -> AnswerFormat:
    """The format the ``Accept`` header prefers (highest q, then first listed); JSON when none fits."""
    best: tuple[float, int, AnswerFormat] | None = None
    for index, part in enumerate((header or "").split(",")):
        media, *params = (piece.strip() for piece in part.split(";"))
        fmt = _ACCEPT_MEDIA.get(media.lower())
        if fmt is None:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0 and (best is None or q > best[0]):
            best = (q, index, fmt)
    return best[2] if best is not None else "json"


def _answer_format(request: Request) -> tuple[AnswerFormat, bool] | str:
    """(format, with_metadata) of the answer: ``?format=`` wins over ``Accept``; a message when invalid."""
    name = request.query_params.get("format")
    if name is None:
        fmt = _accepted(request.headers.get("accept"))
    elif (found := _FORMAT_NAMES.get(name.lower())) is not None:
        fmt = found
    else:
        return f"format must be one of json, markdown, text, html (not {name[:40]!r})"
    flag = request.query_params.get("with_metadata")
    if flag is None:
        return fmt, False
    if (value := _FLAGS.get(flag.lower())) is None:
        return f"with_metadata must be true or false (not {flag[:40]!r})"
    return fmt, value


def _inflated(request: Request, body: bytes, cap: int, *, raw_page: bool) -> bytes | JSONResponse:
    """The body, gunzipped when it says ``Content-Encoding: gzip`` (or, a raw page, when it is a gzip
    file posted as is: ``curl --data-binary @page.html.gz``), at most ``cap`` bytes once decompressed;
    an error answer for another encoding, a broken or an oversized stream."""
    encoding = request.headers.get("content-encoding", "").strip().lower()
    if encoding not in ("", "identity", "gzip", "x-gzip"):
        return JSONResponse({"error": "unsupported_media_type",
                             "message": f"Content-Encoding {encoding[:40]!r} is not supported (gzip is)"},
                            status_code=415)
    if not (encoding in ("gzip", "x-gzip") or (raw_page and body.startswith(GZIP_MAGIC))):
        return body
    try:
        return gunzip_stream(io.BytesIO(body), max_bytes=cap)
    except ThresherError as err:
        status = 413 if err.reason == "too_large" else 422
        return JSONResponse({"error": err.reason, "message": f"the gzipped body: {err.message}"}, status_code=status)


def _invalid(message: str) -> JSONResponse:
    return JSONResponse({"error": "invalid_request", "message": message}, status_code=422)


def _validation_message(err: ValidationError) -> str:
    return summarize_validation(err.errors(include_input=False))


async def _answer(runner: Runner, req: PageRequest, opts: Options, fmt: AnswerFormat, *,
                  with_metadata: bool) -> Response:
    """One page's answer, rendered in the worker (the answer's bytes come back, not the Document: see
    service.Answer), with its Server-Timing and, for a rejected document, X-Thresher-Rejected."""
    reply, timing = await runner.answer_timed(req, options_for_answer(opts, fmt), fmt, with_metadata=with_metadata)
    headers = {"Server-Timing": timing.header(), "Vary": "Accept"}
    if reply.rejected is not None:
        headers["X-Thresher-Rejected"] = reply.rejected
    return Response(reply.body, status_code=reply.status, media_type=reply.media_type, headers=headers)


@v1.post(
    "/extract",
    response_model=Record,
    responses=_EXTRACT_ANSWERS,
    openapi_extra=_EXTRACT_BODY,
    summary="Extract one page",
)
async def extract(request: Request) -> Response:
    """Extract one page sent as a raw HTML/text body, a form (a ``file`` upload or an ``html``/``text``
    field, with ``url`` and ``id``) or JSON; answers the CLI's JSON record, or with ``?format=`` (or an
    ``Accept`` header) the document as Markdown, text or HTML."""
    settings = request.app.state.settings
    runner: Runner = request.app.state.runner
    answer = _answer_format(request)
    if isinstance(answer, str):
        return _invalid(answer)
    fmt, with_metadata = answer
    media, charset = _media(request)
    opts = settings.options
    raw_page = not (media == "application/json" or media.endswith("+json") or media.startswith("multipart/")
                    or media == "application/x-www-form-urlencoded")
    if media.startswith("multipart/") and request.headers.get("content-encoding", "").strip().lower() not in (
        "", "identity"
    ):  # the form parser reads the body as sent, so a compressed multipart body cannot be read
        return JSONResponse({"error": "unsupported_media_type",
                             "message": "a multipart body cannot be compressed; gzip the uploaded file instead"},
                            status_code=415)
    # a page is capped as a page; a JSON or form body, which escapes and wraps its page, as a request
    cap = opts.max_bytes if raw_page else settings.max_request_bytes
    body = await asyncio.to_thread(_inflated, request, await request.body(), cap, raw_page=raw_page)
    if isinstance(body, JSONResponse):
        return body
    if media == "application/json" or media.endswith("+json"):
        try:  # json.loads, as for a batch: it reads "\udce9" escapes that pydantic's parser refuses
            raw = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            return _invalid(f"body: Invalid JSON: {err}")
        try:
            item = ExtractRequest.model_validate(raw)
            req = _page_request(item)
            opts = merge_options(opts, item.options)
        except ValidationError as err:
            return _invalid(_validation_message(err))
        except ValueError as err:
            return _invalid(str(err))
    elif media in ("multipart/form-data", "application/x-www-form-urlencoded") and (
        (form := await _form_request(request, media, body)) is not None
    ):
        if isinstance(form, str):
            return _invalid(form)
        req = form
        if isinstance(req.data, bytes) and req.data.startswith(GZIP_MAGIC):  # curl -F file=@page.html.gz
            try:
                data = await asyncio.to_thread(gunzip_stream, io.BytesIO(req.data), max_bytes=opts.max_bytes)
            except ThresherError as err:
                return JSONResponse({"error": err.reason, "message": f"the gzipped upload: {err.message}"},
                                    status_code=413 if err.reason == "too_large" else 422)
            req = dataclasses.replace(req, data=data)
    else:
        kind = "html" if media in ("text/html", "application/xhtml+xml") else "text" if media == "text/plain" else "auto"
        if not body:
            return _invalid("the request body is empty: send a page (text/html or text/plain) or JSON")
        url = request.query_params.get("url")
        req = PageRequest(data=body, kind=kind, url=url, id=request.query_params.get("id"), charset=charset,
                          content_type=media or None)
    return await _answer(runner, req, opts, fmt, with_metadata=with_metadata)


_FETCH_PARAMETERS: dict[str, Any] = {
    "parameters": [
        {"name": "url", "in": "query", "required": True, "description": "The page to fetch (http or https; "
         "the server must run with --allow-fetch, and refuses private, loopback and metadata addresses).",
         "schema": {"type": "string", "minLength": 1}},
        {"name": "id", "in": "query", "required": False, "schema": {"type": "string"}},
        *_EXTRACT_BODY["parameters"],
    ]
}


@v1.get(
    "/extract",
    response_model=Record,
    responses=_EXTRACT_ANSWERS,
    openapi_extra=_FETCH_PARAMETERS,
    summary="Fetch one URL and extract it",
)
async def extract_url(request: Request) -> Response:
    """``GET /v1/extract?url=...``: fetch the page (only with ``--allow-fetch``) and answer as ``POST``
    does, ``?format=`` and ``Accept`` included: ``curl 'localhost:8000/v1/extract?url=...&format=markdown'``."""
    runner: Runner = request.app.state.runner
    answer = _answer_format(request)
    if isinstance(answer, str):
        return _invalid(answer)
    fmt, with_metadata = answer
    url = request.query_params.get("url")
    if not url:
        return _invalid("send the page's address: GET /v1/extract?url=https://... (or POST the page itself)")
    req = PageRequest(data=None, url=url, id=request.query_params.get("id") or None)
    opts = request.app.state.settings.options
    return await _answer(runner, req, opts, fmt, with_metadata=with_metadata)


@v1.post(
    "/extract/batch",
    response_model=list[Record],
    responses=_ERRORS,
    openapi_extra=_BATCH_BODY,
    summary="Extract a batch of pages",
)
async def extract_batch(request: Request) -> Response:
    """Extract up to ``max_batch`` pages (a JSON list); answers one record per item, in order."""
    settings = request.app.state.settings
    runner: Runner = request.app.state.runner
    name = request.query_params.get("format")
    if name is not None and name.lower() != "json":
        return _invalid(f"a batch answers JSON only (not format={name[:40]!r}); "
                        "ask POST /v1/extract?format=... page by page for Markdown, text or HTML")
    body = await asyncio.to_thread(_inflated, request, await request.body(), settings.max_request_bytes,
                                   raw_page=False)
    if isinstance(body, JSONResponse):
        return body
    try:
        raw = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        return _invalid(f"the body is not valid JSON: {err}")
    if not isinstance(raw, list):
        return _invalid("the body must be a JSON list of {html|text|url, options} objects")
    if len(raw) > settings.max_batch:
        return JSONResponse(
            {"error": "too_large", "message": f"a batch holds at most {settings.max_batch} items, not {len(raw)}"},
            status_code=413,
        )
    try:
        items = _requests.validate_python(raw)
    except ValidationError as err:
        return _invalid(_validation_message(err))

    async def one(item: ExtractRequest) -> bytes:
        """The item's record as JSON (rendered in the worker)."""
        try:
            req = _page_request(item)
        except ValueError as err:
            return json_body(Failure(reason="invalid_record", message=str(err), id=item.id, url=item.url,
                                     provenance=Provenance(source="<http>")).to_dict())
        answer, _ = await runner.answer_timed(req, merge_options(settings.options, item.options), "json")
        return answer.body

    records = await asyncio.gather(*(one(item) for item in items))
    # what JSONResponse(list of records) would send, byte for byte
    return Response(b"[" + b",".join(records) + b"]", status_code=200, media_type="application/json")


router.include_router(v1)
