"""Running extractions for the web front: bounded concurrency, a time limit, records and HTTP statuses.

Extraction is CPU-bound and blocking, so it runs in a thread pool of ``concurrency`` workers; an
asyncio semaphore keeps at most that many jobs admitted, and it is released only when the worker
thread has really finished, so a job that overruns its deadline still holds its slot. Time limits:
the library's cooperative ``Deadline`` works in any thread (its SIGALRM backstop arms only in the
main thread, never here), and the request also stops waiting ``time_limit`` + a grace period later.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from thresher.errors import ThresherError
from thresher.extract import extract_result, extract_trace
from thresher.model import Failure, Page, Provenance, Result, Trace
from thresher.options import Options
from thresher.web.fetch_guard import FetchGuard

T = TypeVar("T")

STATUS_FOR_REASON: dict[str, int] = {
    "too_large": 413,
    "timeout": 504,
    "fetch_refused": 400,
    "fetch_disabled": 400,
    "fetch_error": 502,
    "undecodable": 422,
    "not_html": 422,
    "empty": 422,
    "truncated": 422,
    "invalid_record": 422,
    "read_error": 422,
    "internal_error": 500,
}
"""HTTP status of an error record, by its reason code (anything else: 422)."""

GRACE_SECONDS = 2.0
"""How long past the document's time limit a request waits for a worker before answering 504."""


def status_for(result: Result) -> int:
    if isinstance(result, Failure):
        return STATUS_FOR_REASON.get(result.reason, 422)
    return 200


def record_of(result: Result) -> dict[str, Any]:
    """The JSON record the CLI writes for this result."""
    return result.to_dict()


@dataclass(frozen=True, slots=True)
class PageRequest:
    """What a client sent for one page: a payload (HTML or text), or a URL to fetch."""

    data: str | bytes | None
    kind: str = "auto"
    url: str | None = None
    id: str | None = None
    content_type: str | None = None
    charset: str | None = None
    source: str = "<http>"


class Runner:
    """Admits at most ``concurrency`` extractions at a time and runs them in worker threads."""

    def __init__(self, *, concurrency: int, allow_fetch: bool, guard: FetchGuard) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.concurrency = concurrency
        self.allow_fetch = allow_fetch
        self.guard = guard
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="thresher")
        self._sem: asyncio.Semaphore | None = None

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def run(self, fn: Callable[[], T], time_limit: float | None) -> T | None:
        """Run ``fn`` in a worker; None when it did not finish within the time limit (plus grace)."""
        if self._sem is None:  # created lazily, inside the server's event loop
            self._sem = asyncio.Semaphore(self.concurrency)
        sem = self._sem
        await sem.acquire()
        loop = asyncio.get_running_loop()
        try:
            fut = loop.run_in_executor(self._pool, fn)
        except BaseException:
            sem.release()
            raise
        fut.add_done_callback(lambda _f: sem.release())
        if time_limit is None:
            return await fut
        try:
            return await asyncio.wait_for(asyncio.shield(fut), time_limit + GRACE_SECONDS)
        except TimeoutError:
            return None

    # -- the jobs --------------------------------------------------------------------------------
    def to_page(self, req: PageRequest, opts: Options) -> Page:
        """The Page to extract: the payload as sent, or the guarded fetch of ``req.url``."""
        if req.data is not None:
            return Page(
                data=req.data, url=req.url, id=req.id, kind=req.kind,  # type: ignore[arg-type]
                content_type=req.content_type, charset=req.charset, provenance=Provenance(source=req.source),
            )
        if not req.url:
            raise ThresherError("invalid_record", "send one of html, text or url")
        if not self.allow_fetch:
            raise ThresherError(
                "fetch_disabled", "this server does not fetch URLs (start it with --allow-fetch); send html or text"
            )
        guard = self.guard
        if opts.max_bytes < guard.max_bytes:
            guard = FetchGuard(
                max_bytes=opts.max_bytes, time_limit=guard.time_limit, max_redirects=guard.max_redirects,
                user_agent=guard.user_agent, resolver=guard.resolver, permit=guard.permit,
            )
        fetched = guard.fetch(req.url)
        return Page(
            data=fetched.data, url=fetched.url, id=req.id, content_type=fetched.content_type,
            charset=fetched.charset, provenance=Provenance(source=req.url),
        )

    def extract_job(self, req: PageRequest, opts: Options) -> Result:
        """One request → a Document or a Failure (never raises)."""
        try:
            page = self.to_page(req, opts)
        except ThresherError as err:
            return Failure(reason=err.reason, message=err.message, id=req.id, url=req.url,
                           provenance=Provenance(source=req.source))
        return extract_result(page, opts)

    def trace_job(self, req: PageRequest, opts: Options) -> Trace | Failure:
        """Like :meth:`extract_job` but with the whole trace, for the inspector."""
        try:
            page = self.to_page(req, opts)
            return extract_trace(page, options=opts)
        except ThresherError as err:
            return Failure(reason=err.reason, message=err.message, id=req.id, url=req.url)
        except RecursionError:
            return Failure(reason="too_large", message="markup nested too deeply to process", id=req.id)
        except Exception as err:  # a bug must cost one page, not the server
            return Failure(reason="internal_error", message=f"{type(err).__name__}: {err}", id=req.id)

    def wait_limit(self, req: PageRequest, opts: Options) -> float | None:
        """How long a request waits for its job: the document's limit, plus the fetch's when fetching."""
        if opts.time_limit is None:
            return None
        return opts.time_limit + (self.guard.time_limit if req.data is None else 0.0)

    async def extract(self, req: PageRequest, opts: Options) -> Result:
        result = await self.run(lambda: self.extract_job(req, opts), self.wait_limit(req, opts))
        return result if result is not None else timeout_failure(req, opts)

    async def trace(self, req: PageRequest, opts: Options) -> Trace | Failure:
        result = await self.run(lambda: self.trace_job(req, opts), self.wait_limit(req, opts))
        return result if result is not None else timeout_failure(req, opts)


def timeout_failure(req: PageRequest, opts: Options) -> Failure:
    return Failure(
        reason="timeout", message=f"extraction took longer than the limit of {opts.time_limit or 0:g} s",
        id=req.id, url=req.url, provenance=Provenance(source=req.source),
    )
