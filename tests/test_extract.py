"""The library's verbs: extract, extract_trace, extract_many — and the founding example."""

import json
import re
import signal
import time
from pathlib import Path

import pytest

import thresher
from thresher import Document, Failure, Options, Page, ThresherError

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
FOUNDING = SAMPLES / "founding-example.txt"

ARTICLE = """<!doctype html><html lang="en"><head><title>Rain returns to the valley | Valley Post</title>
<meta property="og:site_name" content="Valley Post"></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<article><h1>Rain returns to the valley</h1>
<p>After three dry months, the first autumn storm reached the valley on Tuesday night, filling the
reservoirs that farmers had been watching with growing concern since the start of the summer.</p>
<p>The regional water authority said the reservoirs rose by twelve percent in two days, and that the
restrictions on irrigation would be lifted at the end of the week if the forecast held.</p>
<p>Farmers welcomed the news but warned that one storm would not make up for a season of losses,
and asked the authority to plan for longer droughts in the coming years.</p>
</article>
<footer><p>© 2024 Valley Post. All rights reserved.</p><a href="/privacy">Privacy</a></footer>
</body></html>"""


def _words(text):
    return re.findall(r"\w+", text.lower())


def test_extract_html_keeps_article_drops_navigation():
    doc = thresher.extract(ARTICLE, url="https://valleypost.example/2024/10/rain")
    assert isinstance(doc, Document)
    assert "first autumn storm" in doc.text and "longer droughts" in doc.text
    assert "All rights reserved" not in doc.text
    assert "Sport" not in doc.text.split()
    assert doc.title == "Rain returns to the valley"
    assert doc.hostname == "valleypost.example"
    assert doc.language == "en"
    assert doc.mode == "html"
    assert any(r.label != "main" for r in doc.removed)


def test_extract_accepts_bytes_and_decodes_them():
    doc = thresher.extract(ARTICLE.encode("utf-8"))
    assert "reservoirs rose by twelve percent" in doc.text


def test_extract_trace_has_one_decision_per_block_and_same_document():
    trace = thresher.extract_trace(ARTICLE)
    assert len(trace.blocks) == len(trace.decisions) > 3
    assert trace.document == thresher.extract(ARTICLE)
    assert all(d.reason for d in trace.decisions)


def test_founding_example_exactly():
    raw = FOUNDING.read_text(encoding="utf-8")
    doc = thresher.extract(raw)
    assert doc.title == "Why Thousands of People Are Fleeing Russia Now"
    assert doc.author == "Charlie Campbell"
    body = raw.split("\n\n")
    start = next(i for i, p in enumerate(body) if p.startswith("Flights out of major Russian cities"))
    end = next(i for i, p in enumerate(body) if p.endswith("Western leaders have condemned the polls as a sham."))
    article = [p for p in body[start:end + 1] if not p.startswith("Read More:")]
    assert [p for p in doc.text.split("\n") if p.strip()] == article
    removed = {r.text for r in doc.removed}
    assert any(t.startswith("Read More:") for t in removed)
    assert any(t.startswith("Write to ") for t in removed) or doc.author
    tail = raw[raw.index("Write to"):]
    leaked = [line for line in tail.splitlines() if line.strip() and line.strip() in doc.text]
    assert leaked == []
    assert all(r.label and r.reason for r in doc.removed)


def test_extract_many_yields_one_result_per_item_in_order_never_raising():
    items = [ARTICLE, b"", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", {"text": "Plain text paragraph. " * 20},
             {"nothing": 1}, 42, Page(data=ARTICLE, id="p5")]
    results = list(thresher.extract_many(items))
    assert len(results) == len(items)
    assert isinstance(results[0], Document)
    assert isinstance(results[1], Failure) and results[1].reason == "empty"
    assert isinstance(results[2], Failure) and results[2].reason == "not_html"
    assert isinstance(results[3], Document) and results[3].mode == "text"
    assert isinstance(results[4], Failure) and results[4].reason == "invalid_record"
    assert isinstance(results[5], Failure) and results[5].reason == "invalid_record"
    assert isinstance(results[6], Document) and results[6].id == "p5"


def test_size_cap_is_an_error_with_reason():
    with pytest.raises(ThresherError) as err:
        thresher.extract(ARTICLE, options=Options(max_bytes=100))
    assert err.value.reason == "too_large"
    result = thresher.extract_result(ARTICLE, Options(max_bytes=100))
    assert isinstance(result, Failure) and "over the cap" in result.message


def test_time_limit_turns_a_slow_page_into_a_timeout_record():
    big = "<html><body>" + "<div><p>word " * 20000 + "</body></html>"
    start = time.monotonic()
    result = thresher.extract_result(big, Options(time_limit=0.01))
    assert isinstance(result, Failure) and result.reason == "timeout"
    assert time.monotonic() - start < 5
    ok = thresher.extract_result(ARTICLE, Options(time_limit=30))
    assert isinstance(ok, Document)


def test_input_format_forces_the_engine():
    html_as_text = thresher.extract(ARTICLE, options=Options(input_format="text"))
    assert html_as_text.mode == "text"
    assert thresher.extract(ARTICLE).mode == "html"


def test_to_dict_uses_trafilatura_field_names():
    rec = thresher.extract(ARTICLE, url="https://valleypost.example/a").to_dict()
    for key in ("id", "url", "hostname", "title", "author", "date", "sitename", "description", "language",
                "categories", "tags", "image", "fingerprint", "text", "removed"):
        assert key in rec
    assert isinstance(rec["text"], str) and rec["id"]


def test_a_slow_first_model_load_does_not_count_against_the_first_documents_time_limit(monkeypatch):
    """Loading is once per process, not per page: a page must not time out because it came first."""
    import time

    from py3langid.langid import LanguageIdentifier

    from thresher.metadata import language

    original = LanguageIdentifier.from_model_file

    def slow_load(*args, **kwargs):
        time.sleep(1.5)
        return original(*args, **kwargs)

    monkeypatch.setattr(LanguageIdentifier, "from_model_file", slow_load)
    language._identifier.cache_clear()
    language._scanner.cache_clear()
    try:
        html = "<html><body><article>" + "<p>A paragraph of the article, long enough to be read as text.</p>" * 5
        doc = thresher.extract(html + "</article></body></html>", options=thresher.Options(time_limit=1.0))
        assert doc.language == "en"
    finally:
        language._identifier.cache_clear()
        language._scanner.cache_clear()


def test_links_images_and_formatting_reach_markdown_and_html_only_when_asked():
    page = ARTICLE.replace("the first autumn storm", 'the <a href="/storms/1">first <b>autumn</b> storm</a>').replace(
        "<p>The regional", '<p><img src="/img/reservoir.jpg" alt="The reservoir"> The regional')
    url = "https://valleypost.example/2024/10/rain"
    plain = thresher.extract(page, url=url, options=Options(with_markdown=True, with_html=True))
    assert "](" not in (plain.markdown or "") and "<a " not in (plain.html or "")
    rich = thresher.extract(page, url=url, options=Options(
        with_markdown=True, with_html=True, include_links=True, include_images=True, include_formatting=True))
    assert rich.text == plain.text  # the text stays text
    assert "[first **autumn** storm](https://valleypost.example/storms/1)" in (rich.markdown or "")
    assert "![The reservoir](https://valleypost.example/img/reservoir.jpg) The regional" in (rich.markdown or "")
    assert '<a href="https://valleypost.example/storms/1">first <strong>autumn</strong> storm</a>' in (rich.html or "")
    assert "/privacy" not in (rich.markdown or "")  # the footer's link went with the footer
    links_only = thresher.extract(page, url=url, options=Options(with_markdown=True, include_links=True))
    assert "[first autumn storm](" in (links_only.markdown or "") and "![" not in (links_only.markdown or "")


@pytest.mark.parametrize("limit", [-1.0, 0.0, float("nan"), float("-inf"), 1e12])
def test_a_time_limit_that_is_no_number_of_seconds_is_refused_up_front(limit):
    with pytest.raises(ValueError, match="time_limit"):
        Options(time_limit=limit)


def test_an_infinite_time_limit_is_no_limit():
    assert Options(time_limit=float("inf")).time_limit is None
    assert thresher.extract(ARTICLE, options=Options(time_limit=float("inf"))).text


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"url": 123}, "url must be a string or None, not an int"),
    ({"id": ["a"]}, "id must be a string or None, not a list"),
])
def test_a_url_or_id_that_is_no_string_is_a_type_error_up_front(kwargs, message):
    with pytest.raises(TypeError, match=message):
        thresher.extract(ARTICLE, **kwargs)


def test_what_cannot_be_extracted_is_named_with_its_article():
    with pytest.raises(TypeError, match="cannot extract from an int"):
        thresher.extract(42)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("caf\udce9 au lait", "café au lait"),  # a cp1252 byte kept by surrogateescape
        ("caf\udcc3\udca9 au lait", "café au lait"),  # UTF-8 bytes kept by surrogateescape
        ("smile \ud83d\ude00 now", "smile \U0001f600 now"),  # a pair left split (JSON, surrogatepass)
        ("lone \ud83d here", "lone \ufffd here"),
    ],
)
def test_surrogates_in_a_str_are_repaired_or_marked_never_dropped(text, expected):
    doc = thresher.extract(f"{text}. " * 30, options=thresher.Options(input_format="text"))
    assert expected in doc.text
    html = f"<html><head><title>{text}</title></head><body><article><p>{(text + '. ') * 30}</p></article></body></html>"
    assert thresher.extract(html).title == expected


def test_surrogates_in_a_url_or_id_never_reach_the_record():
    # a JSONL record read with json.loads can hold "\udce9": `thresher run` died writing it as UTF-8
    page = Page(data="Some words of text here, enough of them.", url="https://x.org/caf\udce9", id="a\udce9",
                provenance=thresher.Provenance(source="in.jsonl", record_id="a\udce9"))
    for result in (thresher.extract(page), thresher.extract_result(page),
                   thresher.extract_result(Page(data="", url="https://x.org/caf\udce9", id="a\udce9"))):
        record = result.to_dict()
        assert record["url"] == "https://x.org/café" and record["id"] == "aé"
        json.dumps(record, ensure_ascii=False).encode("utf-8")
    assert thresher.extract("Some words of text here.", url="https://x.org/\ud83d").url == "https://x.org/\ufffd"


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="no interval timers on this platform")
def test_the_alarm_backstop_fires_then_leaves_the_previous_handler_and_no_timer():
    from thresher.errors import DeadlineExceeded
    from thresher.extract import _Alarm

    def handler(signum, frame):
        raise AssertionError("the caller's handler must not run while the alarm is armed")

    previous = signal.signal(signal.SIGALRM, handler)
    try:
        with pytest.raises(DeadlineExceeded), _Alarm(0.0):  # the timer fires 0.5 s after the limit
            end = time.monotonic() + 10
            while time.monotonic() < end:
                pass
        assert signal.getsignal(signal.SIGALRM) is handler
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        with _Alarm(30.0):
            assert signal.getitimer(signal.ITIMER_REAL)[0] > 29.0
            assert signal.getsignal(signal.SIGALRM) is not handler
        assert signal.getsignal(signal.SIGALRM) is handler
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        with _Alarm(None):  # no limit: no timer
            assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        signal.setitimer(signal.ITIMER_REAL, 100.0)  # a timer of the caller's own is left alone
        try:
            with _Alarm(1.0):
                assert signal.getsignal(signal.SIGALRM) is handler
            assert signal.getitimer(signal.ITIMER_REAL)[0] > 90.0
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        signal.signal(signal.SIGALRM, previous)
