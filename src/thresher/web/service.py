"""Running extractions for the web front: bounded concurrency, a time limit, records and HTTP statuses.

Extraction is CPU-bound, so by default it runs in a pool of ``concurrency`` worker *processes*
(``workers="process"``): each has its own GIL, so two requests on two cores really run side by side,
and the server's event loop never waits for the GIL behind a long page. Each worker loads the models
once, at start (a warm-up extraction), then freezes the loaded objects out of the garbage collector's
sight. ``workers="thread"`` runs extractions in threads of this process instead (tests, embedding).

An asyncio semaphore keeps at most ``concurrency`` jobs admitted, and it is released only when the
worker has really finished, so a job that overruns its deadline still holds its slot. Time limits:
the library's cooperative ``Deadline``, plus its SIGALRM backstop in a worker process (the job runs
in the worker's main thread); the request also stops waiting ``time_limit`` + a grace period later.
URL fetches are I/O and run in a thread pool of this process, before the page goes to a worker.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import gc
import json
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from thresher.allocator import return_big_blocks
from thresher.errors import ThresherError
from thresher.extract import extract_result, extract_trace
from thresher.model import Document, Failure, Page, Provenance, Result, Trace
from thresher.options import Options
from thresher.web.fetch_guard import FetchGuard
from thresher.write.formats import get_format

WorkerKind = Literal["process", "thread"]

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


AnswerFormat = Literal["json", "markdown", "text", "html"]

ANSWER_MEDIA: dict[AnswerFormat, str] = {
    "json": "application/json",
    "markdown": "text/markdown",
    "text": "text/plain",
    "html": "text/html",
}
"""The media type of each answer format of ``POST /v1/extract``."""

_WRITER: dict[AnswerFormat, str] = {"markdown": "markdown", "text": "txt", "html": "html"}
"""The CLI output format (``thresher.write``) that renders each non-JSON answer."""


def options_for_answer(opts: Options, fmt: AnswerFormat) -> Options:
    """What the extraction must produce for this answer, as the CLI's ``--output-format`` asks it:
    Markdown needs ``with_markdown``, HTML ``with_html``."""
    if fmt == "markdown" and not opts.with_markdown:
        return opts.with_(with_markdown=True)
    if fmt == "html" and not opts.with_html:
        return opts.with_(with_html=True)
    return opts


def render_answer(result: Result, fmt: AnswerFormat, *, with_metadata: bool = False) -> str | None:
    """A document as the CLI writes it in this format (``None`` for a rejected one, which has no text)."""
    return get_format(_WRITER[fmt]).render(result, with_metadata=with_metadata)


def json_body(value: Any) -> bytes:
    """``value`` as JSON, byte for byte what starlette's ``JSONResponse`` sends (compact, UTF-8)."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True, slots=True)
class Answer:
    """The HTTP answer to one extraction, rendered where the extraction ran.

    A worker process sends this back rather than the Document: a page's removed blocks make an object
    graph that costs more to pickle, unpickle and encode as JSON (the last two in the server's one
    event-loop process) than its few hundred KB of bytes cost to send.
    """

    status: int
    body: bytes
    media_type: str
    rejected: str | None = None
    """Why the document was rejected, when it was and the answer (Markdown, text or HTML) is empty."""


def answer_of(result: Result, fmt: AnswerFormat, *, with_metadata: bool = False) -> Answer:
    """The answer for ``result``: its JSON record (always, for an error), or the document in ``fmt``."""
    status = status_for(result)
    if fmt == "json" or status != 200:  # errors are JSON records whatever was asked
        return Answer(status, json_body(record_of(result)), ANSWER_MEDIA["json"])
    text = render_answer(result, fmt, with_metadata=with_metadata)
    rejected = None
    if text is None and isinstance(result, Document) and result.rejected is not None:
        rejected = str(result.rejected)
    return Answer(200, (text or "").encode("utf-8"), f"{ANSWER_MEDIA[fmt]}; charset=utf-8", rejected)


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


@dataclass(frozen=True, slots=True)
class Timing:
    """Where one request's time went, in seconds (sent back as a ``Server-Timing`` header)."""

    queued: float = 0.0
    """Waiting for a free extraction slot."""
    fetch: float = 0.0
    work: float = 0.0
    """The extraction itself, measured inside the worker."""
    total: float = 0.0
    """From admission request to answer, as this process saw it (includes hand-over to the worker)."""

    def header(self) -> str:
        parts = [("queue", self.queued), ("fetch", self.fetch), ("extract", self.work), ("total", self.total)]
        return ", ".join(f"{name};dur={secs * 1000:.1f}" for name, secs in parts if name != "fetch" or secs)


# -- what runs inside a worker (module level, so a process pool can pickle it) -------------------
_WARM_HTML = (
    "<!doctype html><html lang='en'><head><title>Warm-up</title><meta name='author' content='A. Writer'>"
    "<meta name='date' content='2026-01-02'></head><body><nav><a href='/'>Home</a> <a href='/a'>News</a></nav>"
    "<article><h1>Warm-up page</h1>"
    + "".join(
        f"<p>Paragraph {i}: the server reads this page once when a worker starts, so that the models, the "
        "vocabularies and the language identifier are loaded before the first request arrives.</p>"
        for i in range(8)
    )
    + "</article><footer>© 2026 Example. All rights reserved.</footer></body></html>"
)
_WARM_TEXT = "\n".join(
    ["Warm-up page", "By A. Writer", ""]
    + [f"Line {i}: the text engine and its model are loaded before the first request arrives, too." for i in range(8)]
)


def warm_up() -> None:
    """Load everything the first extraction would load (models, vocabularies, language identifier)."""
    opts = Options(with_markdown=True, time_limit=None)  # loading is slow on a busy machine: no limit here
    extract_trace(Page(data=_WARM_HTML, kind="html", url="https://example.org/a/warm-up"), options=opts)
    extract_trace(Page(data=_WARM_TEXT, kind="text"), options=opts)


def _watch_parent(parent: int) -> None:
    """End this worker once the server is gone, however it went (a killed server cannot say goodbye)."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(0)


def _init_worker() -> None:
    """Process-pool initializer: Ctrl-C is the server's business; load now; keep the GC off the models."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    return_big_blocks()
    threading.Thread(target=_watch_parent, args=(os.getppid(),), name="thresher-parent-watch", daemon=True).start()
    try:
        warm_up()
    except Exception:  # a failed warm-up must not break the pool; the requests report their errors
        logging.getLogger("thresher.web").exception("worker warm-up failed")
    gc.collect()
    gc.freeze()  # the loaded models and vocabularies are never garbage: full collections skip them


def _ready() -> bool:
    return True


def _timed(fn: Callable[..., T], *args: Any) -> tuple[T, float]:
    started = time.perf_counter()
    value = fn(*args)
    return value, time.perf_counter() - started


def extract_page(page: Page, opts: Options) -> tuple[Result, float]:
    """One page → (Document or Failure, seconds); never raises."""
    return _timed(extract_result, page, opts)


def answer_page(page: Page, opts: Options, fmt: AnswerFormat, with_metadata: bool) -> tuple[Answer, float]:
    """One page → (its answer, seconds of extraction: the rendering is not counted); never raises but
    for an answer that cannot be encoded."""
    result, seconds = extract_page(page, opts)
    return answer_of(result, fmt, with_metadata=with_metadata), seconds


def trace_page(page: Page, opts: Options) -> tuple[Trace | Failure, float]:
    """One page → (its whole trace, or a Failure, seconds); never raises."""
    return _timed(_trace_or_failure, page, opts)


def _trace_or_failure(page: Page, opts: Options) -> Trace | Failure:
    try:
        return extract_trace(page, options=opts)
    except ThresherError as err:
        return Failure(reason=err.reason, message=err.message, id=page.id, url=page.url)
    except RecursionError:
        return Failure(reason="too_large", message="markup nested too deeply to process", id=page.id)
    except Exception as err:  # a bug must cost one page, not the server
        return Failure(reason="internal_error", message=f"{type(err).__name__}: {err}", id=page.id)


class Runner:
    """Admits at most ``concurrency`` extractions at a time and runs them in worker processes (or threads)."""

    def __init__(
        self, *, concurrency: int, allow_fetch: bool, guard: FetchGuard, workers: WorkerKind = "process"
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if workers not in ("process", "thread"):
            raise ValueError(f"workers must be 'process' or 'thread', not {workers!r}")
        self.concurrency = concurrency
        self.allow_fetch = allow_fetch
        self.guard = guard
        self.workers = workers
        self._threads: concurrent.futures.ThreadPoolExecutor | None = None
        self._procs: concurrent.futures.ProcessPoolExecutor | None = None
        self._warming: list[concurrent.futures.Future[Any]] = []
        self._lock = threading.Lock()
        self._sem: asyncio.Semaphore | None = None

    def start(self) -> None:
        """Start the workers now (they load the models in the background) rather than on the first request.

        Either way, extractions wait for the warm-up before their time limit starts to run.
        """
        self._cpu_pool()

    def ready(self, timeout: float | None = None) -> bool:
        """Block until the started workers have loaded the models (False when ``timeout`` ran out first)."""
        with self._lock:
            warming = list(self._warming)
        return not concurrent.futures.wait(warming, timeout=timeout).not_done

    def shutdown(self, *, wait: bool = False) -> None:
        """Cancel queued jobs and stop the workers (``wait``: until the running jobs have finished).

        A later job starts fresh workers.
        """
        with self._lock:
            threads, self._threads = self._threads, None
            procs, self._procs = self._procs, None
            self._warming = []
        if threads is not None:
            threads.shutdown(wait=False, cancel_futures=True)
        if procs is not None:
            procs.shutdown(wait=wait, cancel_futures=True)

    def _thread_pool(self) -> concurrent.futures.ThreadPoolExecutor:
        with self._lock:
            if self._threads is None:
                self._threads = concurrent.futures.ThreadPoolExecutor(
                    max_workers=self.concurrency, thread_name_prefix="thresher"
                )
                if self.workers == "thread":
                    self._warming = [self._threads.submit(warm_up)]
            return self._threads

    def _process_pool(self) -> concurrent.futures.ProcessPoolExecutor:
        with self._lock:
            if self._procs is None:
                self._procs = concurrent.futures.ProcessPoolExecutor(
                    max_workers=self.concurrency, mp_context=multiprocessing.get_context("spawn"),
                    initializer=_init_worker,
                )
                # all at once: none is idle yet, so each submission starts a worker (and its warm-up)
                self._warming = [self._procs.submit(_ready) for _ in range(self.concurrency)]
            return self._procs

    def _discard_pool(self, broken: concurrent.futures.Executor) -> None:
        """A worker died (killed, out of memory, a crash in C): the next job starts a fresh pool."""
        with self._lock:
            if self._procs is broken:
                self._procs = None
                self._warming = []
        broken.shutdown(wait=False, cancel_futures=True)

    def _cpu_pool(self) -> concurrent.futures.Executor:
        return self._process_pool() if self.workers == "process" else self._thread_pool()

    async def _warmed(self) -> None:
        """Wait (without a time limit) until the workers have loaded the models."""
        with self._lock:
            pending = [asyncio.wrap_future(f) for f in self._warming if not f.done()]
        if pending:
            await asyncio.wait(pending)

    async def run(self, fn: Callable[[], T], time_limit: float | None) -> T | None:
        """Run ``fn`` in a worker thread; None when it did not finish within the time limit (plus grace)."""
        value = await self._admit(self._thread_pool(), fn, time_limit)
        return None if value is None else value[0]

    async def _admit(
        self, pool: concurrent.futures.Executor, fn: Callable[[], T], time_limit: float | None
    ) -> tuple[T, float] | None:
        """Wait for a slot, run ``fn`` in ``pool``: (its value, seconds queued), or None past the time limit."""
        if self._sem is None:  # created lazily, inside the server's event loop
            self._sem = asyncio.Semaphore(self.concurrency)
        sem = self._sem
        asked = time.perf_counter()
        await sem.acquire()
        queued = time.perf_counter() - asked
        loop = asyncio.get_running_loop()
        try:
            fut = loop.run_in_executor(pool, fn)
        except BaseException:
            sem.release()
            raise
        fut.add_done_callback(lambda _f: sem.release())
        if time_limit is None:
            return await fut, queued
        try:
            return await asyncio.wait_for(asyncio.shield(fut), time_limit + GRACE_SECONDS), queued
        except TimeoutError:
            return None

    async def _work(
        self, job: Callable[[Page, Options], tuple[T, float]], req: PageRequest, opts: Options
    ) -> tuple[T | Failure, Timing]:
        started = time.perf_counter()
        fetch = 0.0
        page_or_failure: Page | Failure
        if req.data is None:
            fetched = await self._admit(self._thread_pool(), functools.partial(self._page_or_failure, req, opts),
                                        self.guard.time_limit)
            fetch = time.perf_counter() - started
            if fetched is None:
                return timeout_failure(req, opts), Timing(fetch=fetch, total=fetch)
            page_or_failure = fetched[0]
        else:
            page_or_failure = self._page_or_failure(req, opts)
        if isinstance(page_or_failure, Failure):
            return page_or_failure, Timing(fetch=fetch, total=time.perf_counter() - started)
        pool = self._cpu_pool()
        await self._warmed()
        try:
            done = await self._admit(pool, functools.partial(job, page_or_failure, opts), opts.time_limit)
        except BrokenProcessPool:
            self._discard_pool(pool)
            failure = Failure(reason="internal_error", message="the extraction worker stopped; try again",
                              id=req.id, url=req.url, provenance=Provenance(source=req.source))
            return failure, Timing(fetch=fetch, total=time.perf_counter() - started)
        total = time.perf_counter() - started
        if done is None:
            return timeout_failure(req, opts), Timing(fetch=fetch, total=total)
        (value, work), queued = done
        return value, Timing(queued=queued, fetch=fetch, work=work, total=total)

    # -- the jobs --------------------------------------------------------------------------------
    def _page_or_failure(self, req: PageRequest, opts: Options) -> Page | Failure:
        try:
            return self.to_page(req, opts)
        except ThresherError as err:
            return Failure(reason=err.reason, message=err.message, id=req.id, url=req.url,
                           provenance=Provenance(source=req.source))

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

    async def answer_timed(
        self, req: PageRequest, opts: Options, fmt: AnswerFormat, *, with_metadata: bool = False
    ) -> tuple[Answer, Timing]:
        """One request → its HTTP answer (rendered in the worker), and where the time went."""
        value, timing = await self._work(functools.partial(answer_page, fmt=fmt, with_metadata=with_metadata),
                                         req, opts)
        if isinstance(value, Failure):  # made here: fetch refused, timeout, a worker that died
            return answer_of(value, fmt, with_metadata=with_metadata), timing
        return value, timing

    async def trace(self, req: PageRequest, opts: Options) -> Trace | Failure:
        """Like :meth:`answer_timed` but the whole trace, for the inspector."""
        return (await self._work(trace_page, req, opts))[0]


def timeout_failure(req: PageRequest, opts: Options) -> Failure:
    return Failure(
        reason="timeout", message=f"extraction took longer than the limit of {opts.time_limit or 0:g} s",
        id=req.id, url=req.url, provenance=Provenance(source=req.source),
    )
