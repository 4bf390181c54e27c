from thresher.classify.html import classify_html
from thresher.classify.html_rules import classify_html as classify_html_rules
from thresher.deadline import NO_DEADLINE
from thresher.metadata.html import html_metadata
from thresher.model import Decision
from thresher.options import Options
from thresher.parse.html import parse_html
from thresher.segment.html import segment_html

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


def test_decisions_are_the_same_without_the_compiled_helpers(monkeypatch):
    """The extension's round_floats and new_slotted only save time: the decisions (labels, reasons,
    scores to the bit, the rules' own decision objects where comments are kept) are those of
    ``round`` and ``Decision``."""
    import thresher.classify.html as html_classifier
    from thresher.compiled import function

    from .conftest import FIXTURES

    assert function("round_floats") is not None or html_classifier._round_floats is None
    pages = [(FIXTURES / name).read_text(encoding="utf-8") for name in sorted(p.name for p in FIXTURES.glob("*.html"))]
    pages.append(_WITH_COMMENTS)
    kept_comments = 0
    for opts in (Options(), Options(include_comments=True), Options(focus="precision")):
        for html in pages:
            tree = parse_html(html, opts)
            blocks = segment_html(tree, opts, NO_DEADLINE)
            meta = html_metadata(tree, None, opts)
            rules = classify_html_rules(blocks, meta, opts, NO_DEADLINE)
            fast = classify_html(blocks, meta, opts, NO_DEADLINE)
            with monkeypatch.context() as m:
                m.setattr(html_classifier, "_round_floats", None)
                m.setattr(html_classifier, "_new_decisions", None)
                slow = classify_html(blocks, meta, opts, NO_DEADLINE)
            assert [(d.label, d.reason, repr(d.score)) for d in fast] == [
                (d.label, d.reason, repr(d.score)) for d in slow]
            assert all(type(d) is Decision for d in fast)
            assert all(type(d.score) is float for d in fast if d.score is not None)
            # a comment kept as the rules said is the rules' decision (no model score)
            kept_comments += sum(d.label == "comment" and d.score is None and d == r
                                 for d, r in zip(fast, rules, strict=True))
    assert kept_comments >= 4


_WITH_COMMENTS = (
    "<html><body><article><h1>A title here</h1>"
    + "".join(f"<p>Paragraph {i} of the story, with enough words to read as text that a reader wants to see.</p>"
              for i in range(6))
    + '</article><section id="comments" class="comments">'
    + "".join(f'<div class="comment"><p class="comment-body">Reader {i} says: I liked this story a lot, thanks '
              "for writing it down here.</p></div>" for i in range(4))
    + "</section></body></html>"
)
