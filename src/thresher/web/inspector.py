"""The inspector: server-rendered pages over ``extract_trace`` and the corpus store.

"Try it" (``/``) shows one page's blocks in reading order with label, reason and score, the metadata
with the source of each field, and the text, Markdown and JSON record. Everything is built from
:func:`thresher.extract_trace`, so the inspector cannot disagree with the library. "Corpus"
(``/corpus``) imports output records into SQLite and lists, searches and filters them.

The inspected page is never rendered as live HTML: templates autoescape everything, and the optional
preview is an ``<iframe sandbox>`` (no scripts, no same-origin) whose ``srcdoc`` starts with a CSP
that forbids every network load.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import APIRouter, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import UploadFile
from starlette.templating import Jinja2Templates

from thresher.model import Failure, Page, Trace
from thresher.options import Options
from thresher.parse.html import inert_html
from thresher.read.sources import WARC_EXTENSIONS
from thresher.read.warc import read_warc_record
from thresher.web.service import PageRequest, Runner
from thresher.web.store import FILTERS, Query, Store

PREVIEW_CSP = (
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\';'
    ' img-src data:; font-src data:">'
)
"""Prepended to a preview's srcdoc: no request leaves the sandboxed frame."""

KEY_COOKIE = "thresher_key"
MAX_SOURCE_BYTES = 20_000_000
"""Largest source file the corpus view reads back to show a document's trace."""
LINK_FILTERS = ("duplicate_of", "story")
"""Filters with too many values for a menu: set by the links of a document or a row."""

_PKG = resources.files("thresher.web")
templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_PKG / "templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
)

router = APIRouter(include_in_schema=False)


def mount_static(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=str(_PKG / "static")), name="static")


def error_page(request: Request, status: int, message: str) -> Response:
    return templates.TemplateResponse(
        request, "error.html", {"status": status, "message": message, "nav": ""}, status_code=status
    )


def session_token(api_key: str) -> str:
    """What the login cookie holds: derived from the key, so the key itself never sits in a cookie."""
    return hmac.new(api_key.encode(), b"thresher-inspector-session", hashlib.sha256).hexdigest()


def _require_login(request: Request) -> None:
    settings = request.app.state.settings
    if settings.api_key is None:
        return
    token = request.cookies.get(KEY_COOKIE, "")
    if not hmac.compare_digest(token.encode(), session_token(settings.api_key).encode()):
        raise _LoginRequired()


class _LoginRequired(HTTPException):
    def __init__(self) -> None:
        super().__init__(303, "log in first", headers={"Location": "/login"})


# -- the trace, as the templates show it ---------------------------------------------------------
@dataclass(frozen=True, slots=True)
class BlockView:
    index: int
    kind: str
    text: str
    label: str
    reason: str
    score: float | None
    kept: bool
    path: str
    hints: str
    features: str


@dataclass(frozen=True, slots=True)
class TraceView:
    blocks: tuple[BlockView, ...]
    metadata: tuple[tuple[str, str, str], ...]
    """(field, value, source) for each field that has a value."""
    text: str
    markdown: str
    record_json: str
    kept: int
    removed: int
    mode: str
    rejected: str | None


META_FIELDS = ("title", "author", "date", "sitename", "hostname", "language", "description", "image",
               "categories", "tags", "page_type")


def trace_view(trace: Trace) -> TraceView:
    blocks = []
    for block, decision in zip(trace.blocks, trace.decisions, strict=False):
        feats = ", ".join(f"{k}={v:.3g}" for k, v in sorted(block.features.items())[:12])
        blocks.append(BlockView(
            index=block.index, kind=block.kind, text=block.text, label=decision.label, reason=decision.reason,
            score=decision.score, kept=decision.kept, path=block.path, hints=" ".join(block.hints[:12]),
            features=feats,
        ))
    meta = []
    for name in META_FIELDS:
        value = getattr(trace.metadata, name)
        if value in (None, "", ()):
            continue
        shown = ", ".join(value) if isinstance(value, tuple) else str(value)
        meta.append((name, shown, trace.metadata.sources.get(name, "")))
    doc = trace.document
    return TraceView(
        blocks=tuple(blocks), metadata=tuple(meta), text=doc.text, markdown=doc.markdown or "",
        record_json=json.dumps(_displayable(doc.to_dict()), ensure_ascii=False, indent=2),
        kept=sum(1 for b in blocks if b.kept), removed=sum(1 for b in blocks if not b.kept), mode=doc.mode,
        rejected=str(doc.rejected) if doc.rejected else None,
    )


def preview_srcdoc(html: str) -> str:
    """The preview frame's document: the page behind a no-network CSP (escaped by the template)."""
    return PREVIEW_CSP + inert_html(html)


async def _trace(request: Request, req: PageRequest, opts: Options) -> Trace | Failure:
    runner: Runner = request.app.state.runner
    return await runner.trace(req, opts.with_(with_markdown=True))


@router.get("/docs", response_class=HTMLResponse)
async def api_docs(request: Request) -> Response:
    """The API reference, read from the OpenAPI schema: no script, so it works under the app's CSP and
    offline (no Swagger UI from a CDN)."""
    schema = request.app.openapi()
    operations = []
    for path, item in schema.get("paths", {}).items():
        for method, op in item.items():
            bodies = list(op.get("requestBody", {}).get("content", {}))
            responses = [(status, r.get("description", "")) for status, r in sorted(op.get("responses", {}).items())]
            operations.append({"method": method.upper(), "path": path, "summary": op.get("summary", ""),
                               "description": op.get("description", ""), "bodies": bodies,
                               "responses": responses})
    opts = schema.get("components", {}).get("schemas", {}).get("ExtractOptions", {}).get("properties", {})
    options = []
    for name, prop in opts.items():
        kinds = [k.get("enum") or k.get("type") or "" for k in prop.get("anyOf", [prop])]
        kind = " | ".join(", ".join(map(str, k)) if isinstance(k, list) else str(k) for k in kinds if k != "null")
        kind = kind.replace("True, False", "boolean")
        options.append((name, kind, prop.get("description", "")))
    return templates.TemplateResponse(request, "api_docs.html", {
        "nav": "", "operations": operations, "options": options, "description": schema["info"].get("description", ""),
        "keyed": request.app.state.settings.api_key is not None, "base": str(request.base_url).rstrip("/"),
    })


@router.get("/favicon.ico")
async def favicon() -> Response:
    return Response(status_code=204)


# -- login (only when the server has an API key) -------------------------------------------------
@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request) -> Response:
    return templates.TemplateResponse(request, "login.html", {"nav": "", "failed": False})


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, key: str = Form("")) -> Response:
    settings = request.app.state.settings
    if settings.api_key is None or not settings.key_ok(key):
        return templates.TemplateResponse(request, "login.html", {"nav": "", "failed": True}, status_code=401)
    resp = RedirectResponse("/", status_code=303)
    resp.set_cookie(KEY_COOKIE, session_token(settings.api_key), httponly=True, samesite="strict")
    return resp


# -- try it --------------------------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
async def try_form(request: Request) -> Response:
    _require_login(request)
    return _try_page(request, content="", fmt="auto", focus="balanced", url="")


def _try_page(request: Request, *, content: str, fmt: str, focus: str, url: str,
              result: Trace | Failure | None = None, preview: str | None = None, status: int = 200) -> Response:
    settings = request.app.state.settings
    ctx: dict[str, Any] = {
        "nav": "try", "content": content, "fmt": fmt, "focus": focus, "url": url,
        "allow_fetch": settings.allow_fetch, "view": None, "failure": None, "preview": preview,
    }
    if isinstance(result, Trace):
        ctx["view"] = trace_view(result)
    elif isinstance(result, Failure):
        ctx["failure"] = result
    return templates.TemplateResponse(request, "try.html", ctx, status_code=status)


@router.post("/", response_class=HTMLResponse)
async def try_submit(request: Request) -> Response:
    _require_login(request)
    settings = request.app.state.settings
    async with request.form(max_files=1, max_fields=20, max_part_size=settings.max_request_bytes) as form:
        content = form.get("content")
        content = content if isinstance(content, str) else ""
        upload = form.get("upload")
        fmt = str(form.get("input_format") or "auto")
        focus = str(form.get("focus") or "balanced")
        url = str(form.get("url") or "").strip()
        uploaded = await upload.read() if isinstance(upload, UploadFile) and upload.filename else b""
        upload_name = upload.filename if isinstance(upload, UploadFile) and upload.filename else ""
    if fmt not in ("auto", "html", "text") or focus not in ("balanced", "precision", "recall"):
        raise HTTPException(400, "unknown input format or focus")
    opts: Options = settings.options.with_(input_format=fmt, focus=focus)
    data: str | bytes | None = content if content.strip() else None
    source = "<pasted>"
    if uploaded:
        data, source = uploaded, upload_name
    if data is None and not url:
        return _try_page(request, content=content, fmt=fmt, focus=focus, url=url,
                         result=Failure(reason="empty", message="paste a page, upload a file or give a URL"),
                         status=422)
    req = PageRequest(data=data, kind=fmt, url=url or None, source=source)
    result = await _trace(request, req, opts)
    preview = None
    if isinstance(result, Trace) and result.document.mode == "html" and data is not None:
        html = data if isinstance(data, str) else data.decode("utf-8", errors="replace")
        preview = preview_srcdoc(html)
    shown = content if isinstance(data, str) or data is None else ""
    return _try_page(request, content=shown, fmt=fmt, focus=focus, url=url, result=result, preview=preview)


# -- corpus --------------------------------------------------------------------------------------
@router.get("/corpus", response_class=HTMLResponse)
async def corpus(
    request: Request, q: str = "", after: int | None = None, before: int | None = None,
    hostname: str = "", language: str = "", status: str = "", rejected: str = "", duplicate_of: str = "",
    story: str = "", message: str = "",
) -> Response:
    _require_login(request)
    store: Store = request.app.state.store
    filters = {"hostname": hostname, "language": language, "status": status, "rejected": rejected,
               "duplicate_of": duplicate_of, "story": story}
    listing = store.page(Query(search=q, filters=filters, after=after, before=before, limit=50))
    facets = {name: store.facets(name, limit=40) for name in FILTERS if name not in LINK_FILTERS}
    params = {"q": q, **{k: v for k, v in filters.items() if v}}
    return templates.TemplateResponse(request, "corpus.html", {
        "nav": "corpus", "listing": listing, "facets": facets, "q": q, "filters": filters, "params": params,
        "message": message, "total_all": store.count(),
    })


@router.post("/corpus/import", response_class=HTMLResponse)
async def corpus_import(request: Request, path: str = Form(...)) -> Response:
    _require_login(request)
    store: Store = request.app.state.store
    runner: Runner = request.app.state.runner
    target = Path(path.strip()).expanduser()
    if not target.exists():
        return RedirectResponse("/corpus?message=No+such+file+or+folder", status_code=303)
    report = await runner.run(lambda: store.import_path(target), None)
    assert report is not None
    msg = f"Imported {report.records:,} records from {report.files} files"
    if report.skipped_lines:
        msg += f" ({report.skipped_lines} unreadable lines skipped)"
    if report.errors:
        msg += f"; {len(report.errors)} files failed"
    return RedirectResponse("/corpus?" + urlencode({"message": msg}), status_code=303)


@router.get("/corpus/doc/{rowid}", response_class=HTMLResponse)
async def corpus_doc(request: Request, rowid: int) -> Response:
    _require_login(request)
    store: Store = request.app.state.store
    item = store.get(rowid)
    if item is None:
        raise HTTPException(404, f"no document {rowid} in the corpus")
    rec = item["record"]
    imported = Path(item["source_file"])  # OUT/data/part-*.jsonl; a run is often started beside OUT
    req, origin = source_of(rec, bases=list(imported.parents)[:3])
    result: Trace | Failure | None = None
    if req is not None:
        result = await _trace(request, req, request.app.state.settings.options)
    shown = _displayable(rec)  # the record as found opens its source; the page shows what UTF-8 holds
    return templates.TemplateResponse(request, "document.html", {
        "nav": "corpus", "item": _displayable(item), "rec": shown,
        "record_json": json.dumps(shown, ensure_ascii=False, indent=2),
        "view": trace_view(result) if isinstance(result, Trace) else None,
        "failure": result if isinstance(result, Failure) else None, "origin": _displayable(origin), "preview": None,
    })


def _displayable(value: Any) -> Any:
    """``value`` with every string one a page can carry: a lone surrogate (the source path of a file
    whose name is not UTF-8, ``caf\\udce9.html``) is shown as its escape."""
    if isinstance(value, str):
        return value if value.isascii() else value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {key: _displayable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_displayable(item) for item in value]
    return value


def source_of(rec: dict[str, Any], *, bases: Sequence[Path] = ()) -> tuple[PageRequest | None, str]:
    """The page behind a record, when it can be had: a raw field in the record, its source file, or
    its record in a WARC/WET archive (at the provenance's byte offset). A relative source path is
    looked up from here, then from each of ``bases`` (the folders a run's parts were imported from)."""
    url = rec.get("url") if isinstance(rec.get("url"), str) else None
    for name, kind in (("html", "html"), ("raw_html", "html"), ("source_html", "html"), ("raw_text", "text"),
                       ("source_text", "text")):
        value = rec.get(name)
        if isinstance(value, str) and value.strip():
            return PageRequest(data=value, kind=kind, url=url, id=rec.get("id")), f"the record's {name!r} field"
    source = rec.get("source")
    given = rec.get("provenance")
    prov: dict[str, Any] = given if isinstance(given, dict) else {}
    if not source:
        source = prov.get("source")
    if not isinstance(source, str) or not source or source.startswith("<"):
        return None, ""
    first = Path(source)
    candidates = [first] if first.is_absolute() else [first, *(base / first for base in bases)]
    for path in candidates:
        found = _source_file(path, rec, prov, url)
        if found is not None:
            return found
    return None, ""


def _source_file(
    path: Path, rec: dict[str, Any], prov: dict[str, Any], url: str | None
) -> tuple[PageRequest, str] | None:
    name = path.name.lower()
    plain = path.suffix.lower() in (".html", ".htm", ".xhtml", ".txt", ".text", ".md")
    try:
        if not path.is_file():
            return None
        if plain and path.stat().st_size <= MAX_SOURCE_BYTES:
            kind = "text" if path.suffix.lower() in (".txt", ".text", ".md") else "auto"
            return PageRequest(data=path.read_bytes(), kind=kind, url=url, id=rec.get("id"),
                               source=str(path)), f"the source file {path}"
    except OSError:
        return None
    offset, number = prov.get("offset"), prov.get("record")
    if name.removesuffix(".gz").endswith(WARC_EXTENSIONS) and isinstance(offset, int):
        page = read_warc_record(str(path), offset, record=number if isinstance(number, int) else None,
                                max_record_bytes=MAX_SOURCE_BYTES)
        if isinstance(page, Page):
            return (PageRequest(data=page.data, kind=page.kind, url=url or page.url, id=rec.get("id"),
                                content_type=page.content_type, charset=page.charset, source=str(path)),
                    f"record {number} of {path}")
    return None
