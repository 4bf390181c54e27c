import json
from importlib import resources

import numpy as np
import pytest

from thresher.metadata import titles
from thresher.metadata.html import html_metadata
from thresher.metadata.titles import FEATURES, TitleModel, candidates, fold, load_model
from thresher.options import Options
from thresher.parse.html import parse_html


def never_site(part):
    return False


def column(x, name):
    return x[:, FEATURES.index(name)]


def test_values_that_read_the_same_are_one_candidate():
    stated = [("og", "River Otters Return | Valley Gazette"), ("title", "River otters return - Valley Gazette")]
    cands, x = candidates(stated, ["River Otters Return"], None, "River Otters Return", never_site,
                          "Valley Gazette", "article", "Home\nRiver Otters Return\nBy Jane")
    keys = [c.key for c in cands]
    assert len(keys) == len(set(keys))
    i = keys.index("river otters return")
    assert x.shape == (len(cands), len(FEATURES))
    for name in ("og_first", "title_first", "h1_whole", "is_rule", "in_text", "type_article"):
        assert column(x, name)[i] == 1.0, name
    assert column(x, "n_sources")[i] == 3.0
    site = keys.index("valley gazette")
    assert column(x, "og_later")[site] == 1.0 and column(x, "has_site_words")[site] == 1.0
    assert column(x, "is_rule")[site] == 0.0


def test_separators_left_at_the_edges_are_not_part_of_a_value():
    cands, _ = candidates([("title", "| Nuts & Volts Magazine")], [], None, None, never_site, None, None)
    assert [c.text for c in cands] == ["Nuts & Volts Magazine"]


def test_no_candidates_no_rows():
    cands, x = candidates([], [], None, None, never_site, None, None)
    assert cands == [] and x.shape == (0, len(FEATURES))


class FixedTrees:
    def __init__(self, probs):
        self.probs = np.array(probs)

    def predict(self, x):
        return self.probs


def model_with(probs, margin=0.0):
    model = TitleModel.__new__(TitleModel)
    model.trees = [FixedTrees(probs)]  # type: ignore[list-item]
    model.margin = margin
    return model


def test_the_ranker_overrules_the_rule_only_by_its_margin():
    stated = [("og", "Otters: a guide"), ("title", "Otters")]
    cands, x = candidates(stated, ["Otters"], None, "Otters", never_site, None, None)
    rule = [c.key for c in cands].index("otters")
    other = 1 - rule
    probs = [0.0, 0.0]
    probs[rule], probs[other] = 0.4, 0.6
    assert model_with(probs).choose(cands, x) is cands[other]
    assert model_with(probs, margin=0.3).choose(cands, x) is None
    probs[rule], probs[other] = 0.7, 0.6
    assert model_with(probs).choose(cands, x) is None


def test_the_packaged_model_matches_the_features():
    model = load_model()
    assert model is not None
    _, x = candidates([("og", "Otters | Site")], ["Otters"], None, "Otters", never_site, "Site", None, "Otters")
    probs = model.scores(x)
    assert probs.shape == (len(x),) and ((probs >= 0) & (probs <= 1)).all()
    assert len(model.trees) > 1  # an ensemble of seeds, averaged


def test_a_model_for_other_features_is_refused():
    with pytest.raises(ValueError):
        TitleModel({"features": ["words"], "model": "", "margin": 0.0})


def test_fast_mode_keeps_the_rules_title(monkeypatch):
    html = ("<html><head><title>Otters in the valley | Gazette</title></head>"
            "<body><h1>Otters</h1><p>Text about otters.</p></body></html>")
    def no_model(path=None):
        pytest.fail("the ranker needs the page text, which fast mode does not read")

    monkeypatch.setattr(titles, "load_model", no_model)
    fast = html_metadata(parse_html(html, Options(fast=True)), None, Options(fast=True))
    assert fast.title == "Otters" and fast.sources["title"] == "h1"


def test_fold_reads_words_as_the_scorer_does():
    assert fold("Otters — Return, Again!") == "otters return again"


def test_options_choose_the_title_model(tmp_path):
    html = ("<html><head><title>Otters in the valley | Gazette</title><meta property='og:title' content="
            "'Otters in the valley'></head><body><h1>Otters</h1><p>Text about otters in the valley.</p></body></html>")
    assert load_model("none") is None
    assert load_model(str(tmp_path / "missing.json")) is None
    rules = html_metadata(parse_html(html, Options()), None, Options(title_model="none"))
    assert rules.sources["title"] != "ranker"
    payload = json.loads((resources.files("thresher") / "data" / "title_model.json").read_text("utf-8"))
    copy = tmp_path / "title.json"
    copy.write_text(json.dumps(payload), encoding="utf-8")
    assert load_model(str(copy)) is not load_model() and load_model(str(copy)) is not None


def test_mojibake_is_read_again_as_utf8():
    assert titles.repair("itertools \u00e2\u0080\u0094 Functions") == "itertools \u2014 Functions"
    assert titles.repair("A DIY Investor\u00e2\u20ac\u2122s Guide") == "A DIY Investor\u2019s Guide"
    for fine in ("Café Über naïve", "Ärger – Größe", "Crème brûlée", "Ã"):
        assert titles.repair(fine) == fine
    cands, _ = candidates([("title", "itertools \u00e2\u0080\u0094 Functions")], [], None, None, never_site, None,
                          None)
    assert cands[0].text == "itertools \u2014 Functions"


def test_the_models_of_an_ensemble_are_averaged():
    stated = [("og", "Otters: a guide"), ("title", "Otters")]
    _, x = candidates(stated, ["Otters"], None, "Otters", never_site, None, None)
    model = model_with([0.2, 0.6])
    model.trees.append(FixedTrees([0.4, 0.0]))  # type: ignore[arg-type]
    assert model.scores(x) == pytest.approx([0.3, 0.3])


def test_a_date_written_beside_a_candidate_marks_a_headline():
    text = "Menu\nOtters return to the valley\nBy Jane, 4 May 2024\n" + "words " * 200 + "\nOur mission\nMore"
    stated = [("title", "Our mission | Gazette")]
    cands, x = candidates(stated, ["Otters return to the valley"], None, None, never_site, None, None, text,
                          "https://gazette.example/news/otters", lambda s: "2024" in s)
    keys = [c.key for c in cands]
    headline, slogan, unseen = keys.index("otters return to the valley"), keys.index("our mission"), keys.index("gazette")
    assert column(x, "h1_date")[headline] == 1.0 and column(x, "h1_date")[slogan] == 1.0  # a page feature
    assert column(x, "cand_date")[headline] == 1.0
    assert column(x, "cand_date")[slogan] == 0.0
    assert column(x, "cand_date")[unseen] == -1.0  # not shown on the page
    assert column(x, "url_depth")[headline] == 2.0 and column(x, "url_root")[headline] == 0.0


def test_the_home_page_is_the_root_of_its_site():
    for url, depth, root in (("https://gazette.example/", 0.0, 1.0), ("https://gazette.example", 0.0, 1.0),
                             ("https://gazette.example/a/b/c/d/e/f", 5.0, 0.0), (None, 1.0, 0.0)):
        _, x = candidates([("title", "Gazette")], [], None, None, never_site, None, None, "", url)
        assert (column(x, "url_depth")[0], column(x, "url_root")[0]) == (depth, root), url
