import pytest

from thresher.classify.html_rules import classify_html
from thresher.deadline import NO_DEADLINE
from thresher.metadata.html import html_metadata
from thresher.options import Options
from thresher.parse.html import parse_html
from thresher.segment.html import segment_html

from .conftest import classify_fixture


def run(name, opts=None):
    return classify_fixture(classify_html, name, opts)


def test_article_keeps_only_the_article_paragraphs():
    blocks, decisions = run("article-with-nav-footer-related.html")
    kept = [b.text for b, d in zip(blocks, decisions, strict=True) if d.kept]
    assert len(kept) == 3
    assert kept[0].startswith("For the first time in forty years")
    assert kept[2].startswith("“It shows what patient work can do")
    labels = {b.text: d.label for b, d in zip(blocks, decisions, strict=True)}
    assert labels["River Otters Return to the Valley"] == "title"
    assert labels["Home"] == "navigation"
    assert labels["By Jane Miller"] == "byline"


def test_forum_thread_keeps_every_post():
    blocks, decisions = run("forum-thread-three-posts.html")
    kept = " ".join(b.text for b, d in zip(blocks, decisions, strict=True) if d.kept)
    assert "flea market" in kept
    assert "steel wool" in kept
    assert "flaxseed" in kept
    assert "Sourdough" not in kept and "Privacy" not in kept


def test_comments_on_an_article_are_labelled_comment():
    para = "<p>" + "The article says something long and useful, with detail. " * 8 + "</p>"
    para2 = "<p>" + "A second paragraph adds more to it, and it goes on. " * 8 + "</p>"
    html = (f"<html><body><article>{para}{para2}</article><div id='comments'><div class='comment'>"
            "<p>Nice post, thanks for writing it.</p></div></div></body></html>")
    opts = Options()
    tree = parse_html(html, opts)
    blocks = segment_html(tree, opts, NO_DEADLINE)
    decisions = classify_html(blocks, html_metadata(tree, None, opts), opts, NO_DEADLINE)
    assert [d.label for d in decisions] == ["main", "main", "comment"]


def test_link_list_inside_content_is_dropped():
    para = "<p>" + "Plain running text of the story goes on here, sentence after sentence. " * 6 + "</p>"
    para2 = para.replace("Plain", "More")
    html = (f"<html><body><div class='story'>{para}<ul><li><a href='/1'>Link one</a></li>"
            f"<li><a href='/2'>Link two</a></li></ul>{para2}</div></body></html>")
    opts = Options()
    tree = parse_html(html, opts)
    blocks = segment_html(tree, opts, NO_DEADLINE)
    decisions = classify_html(blocks, html_metadata(tree, None, opts), opts, NO_DEADLINE)
    assert [d.kept for d in decisions] == [True, False, False, True]
    assert decisions[1].reason.startswith("link_density")


def test_empty_input_gives_no_decisions():
    assert classify_html([], html_metadata(parse_html("<html></html>", Options()), None, Options()),
                         Options(), NO_DEADLINE) == []


def test_repeated_block_is_kept_once():
    para = "<p>" + "Handmade stoneware mug with a matte glaze, made by hand. " * 3 + "</p>"
    html = f"<html><body><div class='product'><h2>Mug</h2>{para}<div class='mobile'>{para}</div></div></body></html>"
    opts = Options()
    tree = parse_html(html, opts)
    blocks = segment_html(tree, opts, NO_DEADLINE)
    decisions = classify_html(blocks, html_metadata(tree, None, opts), opts, NO_DEADLINE)
    assert [d.kept for d in decisions] == [True, True, False]
    assert decisions[2].reason == "repeated_block"


def test_prefixes_of_all_paths_match_one_by_one():
    from thresher.classify.html_rules import _all_prefixes, _prefixes

    paths = ["body/div[1]/p[1]", "body/div[1]/p[2]", "body/div[1]", "body", "", "body/div[1]/p[1]",
             "a//b", "body/ul[1]/li[3]/ul[1]/li[1]"]
    assert _all_prefixes(paths) == [_prefixes(p) for p in paths]
    assert _prefixes("body/div[1]/p[1]") == ["body", "body/div[1]", "body/div[1]/p[1]"]


def _blocks(*specs):
    from thresher.model import Block

    return [Block(i, text, hints=tuple(hints)) for i, (text, hints) in enumerate(specs)]


def test_sure_boilerplate_names_footer_footnotes_consent_urls_and_code_runs():
    from thresher.classify.html_rules import sure_boilerplate

    blocks = _blocks(
        ("The product is made of wool and ships in a box.", ["description"]),
        ("1. Testing conducted in January on preproduction units.", ["footnote", "globalfooter"]),
        ("We use cookies to improve your experience.", ["onetrust", "consent"]),
        ("https://cdn.example.com/images/160x160/5001.jpg", []),
        ("S19aea247 2e76 4905 9b83 15a5a5664cfa G661bd3c3", []),
        ("A footnote in the article body, not in a footer.", ["footnote"]),
        ("Model A2159 fits the 13-inch laptop from 2019.", []),
    )
    got = [d.reason if d else None for d in sure_boilerplate(blocks)]
    assert got == [None, "footer_footnote", "consent_dialog", "bare_url", "code_tokens", None, None]


def test_sure_boilerplate_ignores_a_hint_that_wraps_most_of_the_page():
    from thresher.classify.html_rules import sure_boilerplate

    blocks = _blocks(*[(f"Paragraph {i} of the page body, some text.", ["has-consent-banner"]) for i in range(3)],
                     ("Accept all cookies?", ["consent"]))
    assert sure_boilerplate(blocks) == [None] * 4


def test_the_model_never_keeps_a_sure_boilerplate_block():
    from thresher.classify.html import classify_html as classify_with_model

    blocks, decisions = classify_fixture(classify_with_model, "product-footer-footnotes-consent.html")
    by_text = {b.text: d for b, d in zip(blocks, decisions, strict=True)}
    # the consent text reads like content (the model alone keeps it): the rule has the last word
    consent = next(d for t, d in by_text.items() if t.startswith("We and our partners use cookies"))
    assert not consent.kept and consent.reason.startswith("consent_dialog")
    assert not any(d.kept for t, d in by_text.items() if t.startswith("Testing conducted by the maker"))
    assert any(d.kept for t, d in by_text.items() if t.startswith("The Trail Pack 30 is a light"))


def test_numbered_paths_and_siblings_match_the_path_strings():
    import random

    import numpy as np

    from thresher.classify.html_rules import (
        _Columns,
        _Paths,
        _prefixes,
        _region_link_density,
        _siblings,
        _siblings_by_path,
    )
    from thresher.model import Block

    rng = random.Random(7)
    steps = ["body", "div[1]", "div[2]", "p[1]", "ul[1]", "li[2]", ""]
    for _ in range(200):
        # paths as the walk writes them (a path starting with "/" is numbered as the old code did: see
        # _Paths); an empty step ("a//b") and the empty path can occur
        paths = ["/".join(["body", *(rng.choice(steps) for _ in range(rng.randint(0, 4)))]) if rng.random() > 0.05
                 else "" for _ in range(rng.randint(1, 30))]
        index = _Paths(paths)
        assert index.chains == [[index.ids[p] for p in _prefixes(path)] for path in paths]
        assert index.flat.tolist() == [k for chain in index.chains for k in chain]
        assert index.owner.tolist() == [i for i, chain in enumerate(index.chains) for _ in chain]
        matrix = index.ancestors()
        assert [[k for k in row if k >= 0] for row in matrix.tolist()] == index.chains
        blocks = [Block(i, "x" * rng.randint(1, 400), path=path,
                        features={"n_chars": float(rng.randint(1, 400)), "link_density": rng.random()})
                  for i, path in enumerate(paths)]
        cols = _Columns(blocks)
        raw = [rng.random() * 900 for _ in paths]
        hints = [rng.choice([{}, {"navigation": rng.randint(1, 4)}, {"tag_footer": 3, "meta": 5}]) for _ in paths]
        for region in {*index.names, ""}:
            depth = region.count("/") + 1 if region else 0
            inside = [region == "" or p == region or p.startswith(region + "/") for p in paths]
            chars = sum(b.features["n_chars"] for b, k in zip(blocks, inside, strict=True) if k)
            links = 0.0
            total = 0.0
            for b, k in zip(blocks, inside, strict=True):
                if k:
                    total += b.features["n_chars"]
                    links += b.features["n_chars"] * b.features["link_density"]
            assert _region_link_density(index, cols, region) == (links / total if chars else 0.0)
            for focus in ("balanced", "recall"):
                got = _siblings(index, blocks, cols, raw, hints, region, depth, focus)
                assert got == _siblings_by_path(blocks, cols, raw, hints, region, depth, focus)
        assert np.array_equal(index.lengths, [len(_prefixes(p)) for p in paths])


def test_path_numbering_in_c_is_the_python_loop():
    import os
    import random

    import numpy as np

    from thresher.classify import html_rules

    number = html_rules._compiled_chains()
    if number is None:
        if os.environ.get("CI") == "true":
            raise AssertionError("the C extension is not built")
        pytest.skip("C extension not built")
    rng = random.Random(3)
    steps = ["body", "div[1]", "p[2]", "", "é[1]", "\U0001f600"]
    cases = [[], [""], ["/x", "", "/y", "//z", "a", "a/b/c", "a/b", "", "x/"], ["", "/x/y"], ["/a", "", "/b"],
             ["body/div[1]/p[1]", "body/div[1]/p[2]", "body/div[1]", "body", "body/div[1]/p[1]"]]
    cases += [["/".join(rng.choice(steps) for _ in range(rng.randint(0, 5))) for _ in range(rng.randint(0, 20))]
              for _ in range(300)]
    for paths in cases:
        ids, parent, steps_b, leaf = number(list(paths))
        want = html_rules._path_chains(paths)
        assert list(ids.items()) == list(want[0].items()), paths
        assert np.frombuffer(parent, dtype=np.int64).tolist() == want[1], paths
        assert np.frombuffer(steps_b, dtype=np.int64).tolist() == want[2], paths
        assert np.frombuffer(leaf, dtype=np.int64).tolist() == want[3], paths
    with pytest.raises(TypeError):
        number(["body", 3])
