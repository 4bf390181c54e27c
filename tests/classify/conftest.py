"""Shared by the HTML classifier tests: a fixture page through parse, segment, metadata, classify."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from thresher.deadline import NO_DEADLINE
from thresher.metadata.html import html_metadata
from thresher.model import Block, Decision
from thresher.options import Options
from thresher.parse.html import parse_html
from thresher.segment.html import segment_html

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "html"


def classify_fixture(
    classify: Callable[..., Sequence[Decision]], name: str, opts: Options | None = None
) -> tuple[list[Block], Sequence[Decision]]:
    """Blocks and decisions of ``tests/fixtures/html/<name>``, checking one reasoned decision per block."""
    opts = opts or Options()
    tree = parse_html((FIXTURES / name).read_text(encoding="utf-8"), opts)
    blocks = segment_html(tree, opts, NO_DEADLINE)
    meta = html_metadata(tree, "https://example.org/x", opts)
    decisions: Any = classify(blocks, meta, opts, NO_DEADLINE)
    assert len(decisions) == len(blocks)
    assert all(d.reason for d in decisions)
    return blocks, decisions
