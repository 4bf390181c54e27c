"""The HTML classifier: the rules label every block, then the learned model decides main or not.

The rules give each block a label and a reason (navigation, share, comment ...). The model, trained
on WCXB dev (see training/train_html_model.py), reads the block's features plus the rules' view and
gives the probability that the block is main content; its threshold depends on ``opts.focus``.
Removed blocks keep the rules' label when the rules had one, so the reason stays readable.
"""

from __future__ import annotations

from collections.abc import Sequence

from thresher.classify.html_model import load_model, smooth
from thresher.classify.html_rules import classify_html as classify_html_rules
from thresher.deadline import Deadline
from thresher.model import Block, Decision, Metadata
from thresher.options import Options


def classify_html(
    blocks: Sequence[Block], metadata: Metadata, opts: Options, deadline: Deadline
) -> list[Decision]:
    """One decision per block, in order."""
    rules = classify_html_rules(blocks, metadata, opts, deadline)
    model = load_model(opts.html_model)
    if model is None or not blocks:
        return rules
    deadline.check()
    probs = model.predict(blocks, metadata, rules)
    threshold = model.thresholds.get(opts.focus, 0.5)
    keep = [bool(p >= threshold) for p in probs]
    if model.smooth:
        keep = smooth([b.path for b in blocks], keep)
    out: list[Decision] = []
    for rule, p, kept in zip(rules, probs, keep, strict=True):
        score = round(float(p), 3)
        if rule.label == "comment" and opts.include_comments:
            out.append(rule)
        elif kept:
            why = "model" if p >= threshold else "model, smoothed"
            why = why if rule.kept else f"{why} over rules ({rule.reason})"
            out.append(Decision("caption" if rule.label == "caption" else "main", why, score))
        elif rule.kept:
            out.append(Decision("boilerplate", f"model over rules ({rule.reason})", score))
        else:
            out.append(Decision(rule.label, f"{rule.reason}; model", score))
    return out
