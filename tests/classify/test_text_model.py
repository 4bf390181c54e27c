"""The learned text-mode classifier: its features, how it is stacked on the rules, the shipped model."""

from pathlib import Path

import numpy as np
import pytest

from thresher.classify.text_model import TextModel, feature_matrix, feature_names, load_model
from thresher.classify.text_rules import classify_text, rule_decisions
from thresher.deadline import Deadline
from thresher.model import Decision
from thresher.options import Options
from thresher.segment.text import segment_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "text"
OPTS = Options()


def _blocks(text):
    return segment_text(text, OPTS, Deadline(None))


def test_feature_matrix_has_one_named_column_per_feature_and_marks_missing_neighbours():
    blocks = _blocks("Short line\n\nA sentence that is long enough to count as prose in the text.\n\nLast line")
    rules = rule_decisions(blocks, OPTS, Deadline(None))
    reasons = ["body", "model"]
    names = feature_names(reasons)
    x = feature_matrix(blocks, rules, reasons)
    assert x.shape == (len(blocks), len(names))
    assert len(set(names)) == len(names)
    col = names.index("p1_n_words")
    assert x[0, col] == -1.0  # the first block has no previous neighbour
    assert x[1, col] == blocks[0].features["n_words"]
    assert x[-1, names.index("n1_rule_kept")] == -1.0


class _FixedModel(TextModel):
    """The stacking logic with scores chosen by the test."""

    def __init__(self, scores):
        self.scores = np.asarray(scores, dtype=np.float64)
        self.thresholds = {"balanced": 0.5, "precision": 0.65, "recall": 0.3}

    def predict(self, blocks, rules):
        return self.scores


def test_stacking_keeps_rule_labels_of_dropped_blocks_and_titles_and_bylines():
    blocks = _blocks("a\n\nb\n\nc\n\nd\n\ne")
    rules = [Decision("title", "title_line"), Decision("byline", "byline"), Decision("promo", "promo_phrase"),
             Decision("main", "body"), Decision("main", "body")]
    out = _FixedModel([0.9, 0.9, 0.1, 0.2, 0.8]).decide(blocks, rules, OPTS)
    assert [(d.label, d.reason) for d in out] == [
        ("title", "title_line"), ("byline", "byline"), ("promo", "promo_phrase"),
        ("boilerplate", "model"), ("main", "body")]
    rescued = _FixedModel([0.1, 0.1, 0.7, 0.9, 0.9]).decide(blocks, rules, OPTS)
    assert (rescued[2].label, rescued[2].reason) == ("promo", "promo_phrase")  # evidence in the line: stays out
    placed = [*rules[:2], Decision("boilerplate", "outside_body"), *rules[3:]]
    rescued = _FixedModel([0.1, 0.1, 0.7, 0.9, 0.9]).decide(blocks, placed, OPTS)
    assert (rescued[2].label, rescued[2].reason) == ("main", "model")  # dropped for its place: can come back
    assert all(d.score is not None for d in out)


def test_focus_moves_the_threshold():
    blocks = _blocks("a\n\nb")
    rules = [Decision("main", "body"), Decision("main", "body")]
    model = _FixedModel([0.4, 0.6])
    kept = {f: [d.kept for d in model.decide(blocks, rules, OPTS.with_(focus=f))] for f in ("precision", "recall")}
    assert kept == {"precision": [False, False], "recall": [True, True]}


shipped = pytest.mark.skipif(load_model() is None, reason="no text model shipped")


@shipped
def test_shipped_model_loads_once_and_predicts_deterministically():
    assert load_model() is load_model()
    text = (FIXTURES / "en_cookie_share_related.txt").read_text(encoding="utf-8")
    blocks = _blocks(text)
    rules = rule_decisions(blocks, OPTS, Deadline(None))
    a = load_model().predict(blocks, rules)
    b = load_model().predict(blocks, rules)
    assert a.shape == (len(blocks),) and np.array_equal(a, b)
    assert ((a >= 0) & (a <= 1)).all()


@shipped
@pytest.mark.parametrize("name", ["wcxb_clean_0251.txt", "wcxb_clean_4449.txt", "en_clean_with_list.txt"])
def test_shipped_model_keeps_clean_text_whole(name):
    text = (FIXTURES / name).read_text(encoding="utf-8")
    blocks = _blocks(text)
    decisions = classify_text(blocks, OPTS, Deadline(None))
    kept = sum(len(b.text) for b, d in zip(blocks, decisions, strict=True) if d.kept)
    assert kept >= 0.98 * sum(len(b.text) for b in blocks)


@shipped
def test_shipped_model_drops_a_planted_ticker_and_section_list():
    article = (FIXTURES / "wcxb_clean_4449.txt").read_text(encoding="utf-8")
    ticker = "\n".join(f"{h}:{m:02d} Stocks close higher as oil prices rally in late trading" for h, m in
                       ((14, 5), (13, 40), (12, 15), (11, 2)))
    section = "Altre notizie\nIl sindaco presenta il nuovo piano per i trasporti\nNeve sulle Alpi, strade chiuse\n" \
              "La squadra vince la finale dopo i rigori\nPrezzi delle case in calo nel nord"
    blocks = _blocks(f"{article}\n\n{ticker}\n\n{section}")
    decisions = classify_text(blocks, OPTS, Deadline(None))
    dropped = {b.text for b, d in zip(blocks, decisions, strict=True) if not d.kept}
    assert all(line in dropped for line in ticker.splitlines())
    assert sum(line in dropped for line in section.splitlines()) >= 4
