"""The inspector in a real browser: Playwright driving the system's Chromium against the real server.

Runs when /usr/bin/chromium and the playwright package exist (CI: ``apt-get install -y chromium`` and
``pip install playwright``; never ``playwright install``, which downloads a browser).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

import thresher
from thresher.options import Options

from .conftest import ARTICLE, LiveServer, founding_example

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
"""Screenshots kept from every run (CI included), outside git: test-artifacts/ is ignored."""

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install chromium)"),
    pytest.mark.slow,
]
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    recs = [
        {"id": f"r{i}", "url": f"https://{host}/story/{i}", "hostname": host, "language": lang,
         "title": title, "text": text, "rejected": None}
        for i, (host, lang, title, text) in enumerate([
            ("farm.example", "en", "Barley prices rise", "Barley prices rose again this week at the market."),
            ("farm.example", "en", "Wheat harvest starts", "The wheat harvest started early in the north."),
            ("news.example", "de", "Roggenernte", "Die Roggenernte beginnt in diesem Jahr früh."),
        ])
    ]
    recs.append({"id": "r3", "url": "https://news.example/x", "hostname": "news.example", "text": "",
                 "rejected": "assemble:too_short", "title": "Short page"})
    (folder / "part-00000.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n")
    return folder


@pytest.fixture(scope="module")
def live(corpus: Path) -> Iterator[LiveServer]:
    with LiveServer(corpus=corpus, workers="thread") as server:  # test_server runs the worker processes
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield b
        finally:
            b.close()


def test_founding_example_in_the_browser(live: LiveServer, browser: object, tmp_path: Path) -> None:
    path = founding_example()
    if path is None:
        pytest.skip("founding example not available")
    page = browser.new_page(viewport={"width": 1280, "height": 1400})  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(live.url + "/")
    page.fill("#content", path.read_text(encoding="utf-8"))
    page.click("#extract")
    page.wait_for_selector("#result")

    removed = page.locator("li.block.removed[data-label=headline_list]")
    assert removed.count() > 10
    first = removed.first
    assert first.locator(".label").inner_text().lower() == "headline_list"
    assert first.locator(".reason").inner_text()
    # kept and removed blocks look different
    kept_bg = page.locator("li.block.kept").first.evaluate("e => getComputedStyle(e).backgroundColor")
    removed_bg = first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert kept_bg != removed_bg
    assert page.locator("#panel-markdown").is_hidden()

    shot = tmp_path / "inspector.png"
    first.evaluate("e => e.scrollIntoView({block: 'center'})")  # the end of the story, the ticker begins
    page.screenshot(path=str(shot))
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(tmp_path / "inspector-top.png"))

    page.click("label[for=tab-markdown]")
    assert page.locator("#panel-markdown").is_visible()
    assert page.locator("#panel-blocks").is_hidden()
    expected = thresher.extract(path.read_text(encoding="utf-8"), options=Options(with_markdown=True)).markdown
    first_line = next(line for line in (expected or "").splitlines() if len(line.strip()) > 20)
    assert first_line.strip()[:60] in page.locator("#panel-markdown").inner_text()  # the library's own Markdown
    page.click("label[for=tab-meta]")
    assert "title" in page.locator("#panel-meta").inner_text()
    assert not errors, errors  # no CSP violations or script errors
    _publish(shot)
    _publish(tmp_path / "inspector-top.png", "inspector-top.png")
    page.close()


def test_preview_is_sandboxed_and_inert(live: LiveServer, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    hostile = ARTICLE.replace("</article>", "</article><script>document.title='pwned'</script>"
                              "<img src='http://127.0.0.1:9/beacon.gif'>")
    requests: list[str] = []
    page.on("request", lambda req: requests.append(req.url))
    page.goto(live.url + "/")
    page.fill("#content", hostile)
    page.click("#extract")
    page.wait_for_selector("#result")
    page.click("label[for=tab-preview]")
    frame = page.frame_locator("iframe.preview")
    assert "Grain and chaff" in frame.locator("body").inner_text()
    assert page.title() != "pwned"
    assert not any(":9/" in url for url in requests), requests
    page.close()


def test_corpus_search_in_the_browser(live: LiveServer, browser: object, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page.goto(live.url + "/corpus")
    assert page.locator("table.docs tbody tr").count() == 4
    page.fill("input[name=q]", "barley")
    page.click("#search")
    page.wait_for_load_state()
    rows = page.locator("table.docs tbody tr")
    assert rows.count() == 1
    assert "Barley prices rise" in rows.first.inner_text()
    page.fill("input[name=q]", "")
    page.select_option("select[name=status]", "rejected")
    page.click("#search")
    assert "Short page" in page.locator("table.docs").inner_text()
    page.select_option("select[name=status]", "")
    page.click("#search")
    page.click("text=Wheat harvest starts")
    assert "The wheat harvest started early" in page.locator("main").inner_text()
    page.goto(live.url + "/corpus")
    page.screenshot(path=str(tmp_path / "corpus.png"))
    _publish(tmp_path / "corpus.png", "inspector-corpus.png")
    page.close()


def _publish(shot: Path, name: str = "inspector.png") -> None:
    """Keep a screenshot of the run in test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(shot, ARTIFACTS / name)
