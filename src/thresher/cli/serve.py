"""``thresher serve``: the inspector web app and the HTTP extraction service (the ``[web]`` extra)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from thresher.cli.args import PROG, seconds_arg, size_arg, worker_count_arg
from thresher.options import Options


def build_serve_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=f"{PROG} serve",
        description="Start the inspector and the /v1 extraction API (bound to 127.0.0.1 by default).",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=_port, default=8000, help="TCP port (default 8000; 0: any free port)")
    p.add_argument("--api-key", help="require this key (X-API-Key or Authorization: Bearer)")
    p.add_argument("--allow-fetch", action="store_true",
                   help="allow extracting from URLs (public http(s) addresses only)")
    p.add_argument("--store", help="SQLite file for the corpus view (default: in memory)")
    p.add_argument("--corpus", help="an output folder of `thresher run` or a JSONL file to open at start")
    p.add_argument("--time-limit", type=seconds_arg, default=10.0, help="seconds per document (0: none)")
    p.add_argument("--max-request-bytes", type=size_arg, default=25_000_000, metavar="N",
                   help="largest request body (suffixes k, M, G; default 25000000); larger ones get 413")
    p.add_argument("--concurrency", type=worker_count_arg, default=None,
                   help="extractions at once (default: one per core, at most 4)")
    p.add_argument("--workers", choices=("process", "thread"), default="process",
                   help="run extractions in worker processes (default) or in threads of the server")
    return p


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0 to 65535, not {value}")
    return value


def serve_command(argv: Sequence[str]) -> int:
    args = build_serve_parser().parse_args(argv)
    try:
        from thresher.web.server import DEFAULT_CONCURRENCY, serve
    except ImportError as err:
        message = "serve needs the web extra: pip install 'thresher[web]'"
        if "thresher[web]" not in str(err):  # the server module's own message already says it
            message += f" ({err})"
        print(f"{PROG}: {message}", file=sys.stderr)
        return 2
    serve(
        args.host,
        args.port,
        api_key=args.api_key,
        allow_fetch=args.allow_fetch,
        store=args.store,
        corpus=args.corpus,
        options=Options(time_limit=args.time_limit or None),
        max_request_bytes=args.max_request_bytes,
        concurrency=args.concurrency or DEFAULT_CONCURRENCY,
        workers=args.workers,
    )
    return 0
