"""``thresher serve``: the inspector web app and the HTTP extraction service in one ASGI app.

``create_app(...)`` builds the app (FastAPI); ``serve(...)`` runs it with uvicorn, bound to
127.0.0.1 unless told otherwise. Routes: the inspector (``/``, ``/corpus``), the API under ``/v1``,
``/healthz`` and ``/openapi.json``. Defaults are the safe ones: loopback only, no URL fetching, a
request size cap, a time limit per document and a bounded number of extractions at a time.
"""

from __future__ import annotations

import asyncio
import gc
import hmac
import ipaddress
import json
import logging
import os
import re
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

try:
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.openapi.utils import get_openapi
    from fastapi.responses import JSONResponse, Response
    from starlette.exceptions import HTTPException as StarletteHTTPException
    from starlette.types import ASGIApp, Message, Receive, Scope, Send
except ImportError as err:  # pragma: no cover - depends on the environment
    raise ImportError("thresher serve needs the web extra: pip install 'thresher[web]'") from err

from thresher import __version__
from thresher.allocator import return_big_blocks
from thresher.options import Options
from thresher.web.fetch_guard import FetchGuard
from thresher.web.schema import ErrorBody, ExtractRequest, Record, summarize_validation
from thresher.web.service import Runner, WorkerKind
from thresher.web.store import Store

log = logging.getLogger("thresher.web")

DEFAULT_MAX_REQUEST_BYTES = 25_000_000
"""Largest request body accepted (413 past it): a page at the library's 20 MB cap plus JSON overhead."""
DEFAULT_CONCURRENCY = max(1, min(4, os.cpu_count() or 1))
"""Extractions running at once (worker processes: one per core, at most 4); more requests wait for a slot.
More workers than cores add memory (each holds the models) and no throughput."""
DEFAULT_MAX_BATCH = 100
"""Most items in one ``POST /v1/extract/batch``."""

APP_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-src 'self';"
    " base-uri 'none'; frame-ancestors 'none'"
)
"""The inspector's own pages run no script at all; previews inherit this policy too."""

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]", "::1")


class Settings:
    """What the routes need to know about this server (kept on ``app.state.settings``)."""

    def __init__(
        self,
        *,
        api_key: str | None,
        allow_fetch: bool,
        options: Options,
        max_request_bytes: int,
        max_batch: int,
        allowed_hosts: tuple[str, ...] | None,
    ) -> None:
        self.api_key = api_key
        self.allow_fetch = allow_fetch
        self.options = options
        self.max_request_bytes = max_request_bytes
        self.max_batch = max_batch
        self.allowed_hosts = allowed_hosts

    def key_ok(self, candidate: str | None) -> bool:
        if self.api_key is None:
            return True
        return candidate is not None and hmac.compare_digest(candidate.encode(), self.api_key.encode())


def error_response(status: int, error: str, message: str) -> JSONResponse:
    return JSONResponse({"error": error, "message": message}, status_code=status)


async def _send_json(send: Send, status: int, error: str, message: str, headers: list[tuple[bytes, bytes]]) -> None:
    body = json.dumps({"error": error, "message": message}).encode()
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                    *headers],
    })
    await send({"type": "http.response.body", "body": body})


class GateMiddleware:
    """Checks every request before the app sees it, and adds the security headers to every answer.

    * ``Host`` must be one this server answers to (defeats DNS rebinding against a loopback server);
    * a browser ``Origin`` on a state-changing request must be this server's own (no CSRF);
    * the body is capped at ``max_request_bytes``: a larger ``Content-Length`` is refused before
      reading, a chunked body is counted as it arrives (and buffered, at most the cap).
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        sec = _security_headers()
        host = headers.get("host", "")
        allowed = self.settings.allowed_hosts
        if allowed is not None and _host_name(host) not in allowed:
            await _send_json(send, 400, "bad_host", f"this server does not answer to host {host!r}", sec)
            return
        method = scope.get("method", "GET")
        origin = headers.get("origin")
        unsafe = method not in ("GET", "HEAD", "OPTIONS")
        if unsafe and origin is not None and origin.split("://", 1)[-1].rstrip("/").lower() != host.lower():
            await _send_json(send, 403, "cross_origin", "cross-origin requests are refused", sec)
            return
        cap = self.settings.max_request_bytes
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                await _send_json(send, 400, "bad_request", "invalid Content-Length", sec)
                return
            if int(declared) > cap:
                await _send_json(send, 413, "too_large", f"the request body is over {cap:,} bytes", sec)
                return
        wrapped_receive = receive
        if method not in ("GET", "HEAD", "OPTIONS") and declared is None:
            chunks: list[bytes] = []
            total = 0
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                total += len(message.get("body", b""))
                if total > cap:
                    await _send_json(send, 413, "too_large", f"the request body is over {cap:,} bytes", sec)
                    return
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    break
            replay = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

            async def wrapped_receive() -> Message:
                if replay:
                    return replay.pop()
                return await receive()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                existing = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in sec if h[0] not in existing)]
            await send(message)

        await self.app(scope, wrapped_receive, send_with_headers)


def _security_headers() -> list[tuple[bytes, bytes]]:
    return [
        (b"content-security-policy", APP_CSP.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"x-frame-options", b"DENY"),
        (b"cache-control", b"no-store"),
    ]


def _host_name(host: str) -> str:
    """``host[:port]`` → host (IPv6 keeps its brackets)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _is_loopback(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def create_app(
    *,
    api_key: str | None = None,
    allow_fetch: bool = False,
    store: str | Path | Store | None = None,
    options: Options | None = None,
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES,
    concurrency: int = DEFAULT_CONCURRENCY,
    max_batch: int = DEFAULT_MAX_BATCH,
    corpus: str | Path | None = None,
    allowed_hosts: tuple[str, ...] | None = None,
    fetch_guard: FetchGuard | None = None,
    workers: WorkerKind = "process",
) -> FastAPI:
    """Build the ASGI app.

    ``store`` is the corpus database (a SQLite path, kept across runs, or a :class:`Store`); ``None``
    keeps it in memory. ``corpus`` is imported into it at start. ``allowed_hosts`` are the ``Host``
    names answered (``None``: any, as when behind a proxy). ``fetch_guard`` is for tests. ``workers``:
    extractions in worker processes (they start on first use, or at :meth:`Runner.start`), or in
    threads of this process (``"thread"``: no start-up cost, but one GIL for all of them).
    """
    from thresher.web import api, inspector

    opts = options or Options()
    settings = Settings(
        api_key=api_key or None, allow_fetch=allow_fetch, options=opts, max_request_bytes=max_request_bytes,
        max_batch=max_batch, allowed_hosts=allowed_hosts,
    )
    guard = fetch_guard or FetchGuard(max_bytes=opts.max_bytes)
    runner = Runner(concurrency=concurrency, allow_fetch=allow_fetch, guard=guard, workers=workers)
    db = store if isinstance(store, Store) else Store(store if store is not None else ":memory:")
    if corpus is not None:
        report = db.import_path(corpus)
        log.info("imported %d records from %d files of %s", report.records, report.files, corpus)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        runner.start()  # the workers load the models while the server starts answering
        yield
        # the workers end with the server: uvicorn re-raises SIGTERM/SIGINT once it has shut down,
        # which would end this process before a ``finally`` around ``uvicorn.run`` could stop them
        await asyncio.to_thread(runner.shutdown, wait=True)

    app = FastAPI(
        lifespan=lifespan,
        title="Thresher",
        version=__version__,
        description="Clean documents out of web pages: the extraction API and the inspector.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.runner = runner
    app.state.store = db
    app.include_router(api.router)
    app.include_router(inspector.router)
    inspector.mount_static(app)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                405: "method_not_allowed", 413: "too_large", 415: "unsupported_media_type"}.get(
            exc.status_code, "error")
        detail = exc.detail if isinstance(exc.detail, str) else code
        if 300 <= exc.status_code < 400 and exc.headers and "Location" in exc.headers:
            return Response(status_code=exc.status_code, headers=dict(exc.headers))
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # starlette's Allow names the methods of the first route of the path only
            headers["Allow"] = ", ".join(_allowed_methods(request, headers.get("Allow")))
        if _wants_html(request):
            page = inspector.error_page(request, exc.status_code, detail)
            page.headers.update(headers)
            return page
        return JSONResponse({"error": code, "message": detail}, status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        return error_response(422, "invalid_request", summarize_validation(exc.errors()))

    @app.exception_handler(Exception)
    async def _internal_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return error_response(500, "internal_error", "the server failed on this request; see its log")

    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    app.add_middleware(GateMiddleware, settings=settings)
    return app


def _allowed_methods(request: Request, given: str | None) -> list[str]:
    """The methods the API serves on the request's path, from its OpenAPI schema (``GET`` and ``POST
    /v1/extract`` are two routes, and starlette's ``Allow`` (``given``) names the first one's only), with
    ``HEAD`` beside ``GET``; the pages outside the schema keep ``given``."""
    methods = {m.strip().upper() for m in (given or "").split(",") if m.strip()}
    for template, operations in _openapi(request.app).get("paths", {}).items():
        pattern = "".join("[^/]+" if part.startswith("{") else re.escape(part)
                          for part in re.split(r"(\{[^}]*\})", template))
        if re.fullmatch(pattern, request.url.path):
            methods |= {m.upper() for m in operations if m.upper() in _HTTP_METHODS}
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


_HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _wants_html(request: Request) -> bool:
    path = request.url.path
    return not (path.startswith("/v1") or path in ("/healthz", "/openapi.json"))


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (ExtractRequest, ErrorBody, Record):
        js = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(js.pop("$defs", {}))
        components[model.__name__] = js
    app.openapi_schema = schema
    return schema


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    api_key: str | None = None,
    allow_fetch: bool = False,
    store: str | Path | None = None,
    options: Options | None = None,
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES,
    concurrency: int = DEFAULT_CONCURRENCY,
    max_batch: int = DEFAULT_MAX_BATCH,
    corpus: str | Path | None = None,
    log_level: str = "info",
    workers: WorkerKind = "process",
) -> None:
    """Run the server until interrupted (Ctrl-C). Binds to loopback unless ``host`` says otherwise."""
    import uvicorn

    return_big_blocks()  # the server itself (thread workers extract here; process workers set their own)
    if not _is_loopback(host) and api_key is None:
        print(f"thresher serve: listening on {host} without an API key: anyone who can reach it can use it",
              file=sys.stderr)
    allowed = LOOPBACK_NAMES if _is_loopback(host) else None
    app = create_app(
        api_key=api_key, allow_fetch=allow_fetch, store=store, options=options,
        max_request_bytes=max_request_bytes, concurrency=concurrency, max_batch=max_batch, corpus=corpus,
        allowed_hosts=allowed, workers=workers,
    )
    gc.collect()
    gc.freeze()  # what start-up loaded lives as long as the server: keep it out of the collector's way
    try:
        uvicorn.run(app, host=host, port=port, log_level=log_level, server_header=False,
                    limit_concurrency=max(64, concurrency * 16), timeout_keep_alive=5)
    finally:
        app.state.runner.shutdown(wait=True)  # the workers end before this process does
        app.state.store.close()
