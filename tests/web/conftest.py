"""Shared fixtures for the web front: the app through TestClient, and a real uvicorn server on loopback."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# No framework import at module level: without the web extra, each test module skips itself.

REPO = Path(__file__).resolve().parents[2]


def founding_example() -> Path | None:
    """The founding example: in the repo's samples/, or in shared/ beside the repo."""
    for candidate in (
        REPO / "samples" / "founding-example.txt",
        REPO.parent / "shared" / "samples" / "000_86b9fa81df510c64.txt",
    ):
        if candidate.is_file():
            return candidate
    return None


ARTICLE = (
    "<!doctype html><html><head><title>Grain and chaff</title>"
    '<meta name="author" content="Ada Writer"></head><body>'
    '<nav class="menu"><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>'
    "<article><h1>Grain and chaff</h1>"
    + "".join(
        f"<p>Paragraph {i}: the harvest was threshed on the farm this week, and the farmers said the grain "
        "was good, dry and plentiful after a long summer of careful work in the fields.</p>"
        for i in range(6)
    )
    + '</article><footer class="footer">© 2026 Example Corp. All rights reserved.</footer></body></html>'
)
"""A small article page written for Thresher (Apache-2.0): navigation, article body, footer."""


@pytest.fixture
def make_client() -> Iterator[Callable[..., Any]]:
    from fastapi.testclient import TestClient

    from thresher.web.server import create_app

    clients: list[TestClient] = []

    def make(*, raise_server_exceptions: bool = True, **kwargs: Any) -> TestClient:
        kwargs.setdefault("workers", "thread")  # no worker start-up per test; LiveServer runs processes
        client = TestClient(create_app(**kwargs), raise_server_exceptions=raise_server_exceptions)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)
        client.app.state.runner.shutdown()  # type: ignore[attr-defined]
        client.app.state.store.close()  # type: ignore[attr-defined]


@pytest.fixture
def client(make_client: Callable[..., Any]) -> Any:
    return make_client()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """The real app under uvicorn in a background thread, on a free loopback port."""

    def __init__(self, **kwargs: Any) -> None:
        import uvicorn

        from thresher.web.server import create_app

        self.port = free_port()
        self.app = create_app(allowed_hosts=("127.0.0.1", "localhost"), **kwargs)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        runner = self.app.state.runner
        runner.start()
        if not runner.ready(timeout=600):  # loading the models takes a while on a busy machine
            raise RuntimeError("the extraction workers did not warm up")
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.app.state.runner.shutdown()
        self.app.state.store.close()
