"""The app as a whole: schemathesis against its OpenAPI schema, and the real server under uvicorn."""

from __future__ import annotations

import http.client
import inspect
import json

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
pytest.importorskip("uvicorn")
from hypothesis import HealthCheck, settings

from thresher.options import Options
from thresher.web import server
from thresher.web.server import create_app
from thresher.web.service import warm_up

from .conftest import ARTICLE, LiveServer

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance  # noqa: E402

# The models are loaded here, in the main thread, before the app starts its own warm-up thread: loading
# them there (numpy's header reader, inspect's signature parser) calls ast.parse while schemathesis's
# collection parses its sources with ast in this thread, and CPython 3.11's AST converter keeps its
# recursion count per interpreter, not per thread ("AST constructor recursion depth mismatch",
# python/cpython#106905). Loading first also keeps a busy machine's first request within its timeout.
warm_up()
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(options=Options(time_limit=2.0), workers="thread"))


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_holds_its_schema(case) -> None:  # type: ignore[no-untyped-def]
    """No 5xx, answers conform to the schema, whatever the generated request.

    Schema-valid pages may still be unreadable (blank, binary: 422 by design), so the check that every
    schema-valid request succeeds is left out. A raw text/html or text/plain body is any string of
    bytes, so "schema-violating" ones do not exist there (schemathesis serialises an object as "{}").
    """
    response = case.call()
    assert response.status_code < 500, response.text
    assert "Traceback" not in response.text
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body.get("error"), str) and isinstance(body.get("message"), str)
    excluded = [positive_data_acceptance]
    if (case.media_type or "").startswith("text/"):
        excluded.append(negative_data_rejection)
    case.validate_response(response, excluded_checks=excluded)


def test_serve_signature_is_the_one_the_cli_calls() -> None:
    params = inspect.signature(server.serve).parameters
    assert params["host"].default == "127.0.0.1"
    assert params["port"].default == 8000
    for name in ("api_key", "allow_fetch", "store", "options", "max_request_bytes", "concurrency"):
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY
    assert params["allow_fetch"].default is False
    assert params["api_key"].default is None


def _post(port: int, path: str, body: bytes, ctype: str, host: str = "127.0.0.1") -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", path, body=body, headers={"Content-Type": ctype, "Host": f"{host}:{port}"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def test_real_server_extracts_and_caps() -> None:
    with LiveServer(max_request_bytes=50_000, concurrency=1) as live:  # one worker process
        status, body = _post(live.port, "/v1/extract", ARTICLE.encode(), "text/html")
        assert status == 200
        assert json.loads(body)["title"] == "Grain and chaff"
        status, body = _post(live.port, "/v1/extract", b"x" * 60_000, "text/plain")
        assert status == 413
        status, body = _post(live.port, "/v1/extract", ARTICLE.encode(), "text/html", host="evil.example")
        assert status == 400
        assert json.loads(body)["error"] == "bad_host"
