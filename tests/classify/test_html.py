from thresher.classify.html import classify_html
from thresher.options import Options

from .conftest import classify_fixture


def run(name, opts=None):
    return classify_fixture(classify_html, name, opts)


def test_article_keeps_the_body_and_drops_nav_and_footer():
    blocks, decisions = run("article-with-nav-footer-related.html")
    kept = " ".join(b.text for b, d in zip(blocks, decisions, strict=True) if d.kept)
    assert "For the first time in forty years" in kept
    assert "It shows what patient work can do" in kept
    dropped = [b.text for b, d in zip(blocks, decisions, strict=True) if not d.kept]
    assert "Home" in dropped
    assert not any(b.path.split("/")[-1] == "nav" or "/nav/" in b.path or "/footer" in b.path
                   for b, d in zip(blocks, decisions, strict=True) if d.kept)


def test_every_decision_carries_the_model_score_and_says_so():
    _, decisions = run("article-with-nav-footer-related.html")
    assert all(d.score is not None and 0.0 <= d.score <= 1.0 for d in decisions)
    assert all("model" in d.reason for d in decisions)


def test_dropped_blocks_keep_the_rules_label():
    blocks, decisions = run("article-with-nav-footer-related.html")
    labels = {b.text: d.label for b, d in zip(blocks, decisions, strict=True)}
    assert labels["Home"] == "navigation"


def test_forum_thread_keeps_the_posts():
    blocks, decisions = run("forum-thread-three-posts.html")
    kept = " ".join(b.text for b, d in zip(blocks, decisions, strict=True) if d.kept)
    assert "flea market" in kept


def test_precision_focus_keeps_no_more_than_recall_focus():
    _, precise = run("article-with-nav-footer-related.html", Options(focus="precision"))
    _, broad = run("article-with-nav-footer-related.html", Options(focus="recall"))
    assert sum(d.kept for d in precise) <= sum(d.kept for d in broad)


def test_rules_only_decisions_have_no_model_in_their_reasons():
    _, decisions = run("article-with-nav-footer-related.html", Options(html_model="none"))
    assert not any("model" in d.reason for d in decisions)
