"""Blocks → decisions (label + reason). The one place that chooses which classifier runs.

Swapping the rules for a learned model touches this module only.
"""

from thresher.classify.html import classify_html
from thresher.classify.text_rules import classify_text

__all__ = ["classify_html", "classify_text"]
