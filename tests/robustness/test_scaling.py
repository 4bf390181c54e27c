"""No super-linear blowups: doubling a pathological input at most roughly doubles the time.

Each input is timed at size n and 2n (median of 3 runs, after a warm-up); the ratio, never an
absolute time, is checked. A linear stage gives about 2, a quadratic one 4. Sizes are chosen so one
run takes a few tenths of a second: large enough to dwarf fixed costs, small enough for CI.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import pytest

from thresher import Options, extract_result

OPTS = Options(time_limit=None)
MAX_RATIO = 3.5
EN = "The river rose slowly through the night, and by morning the lower streets were under water."


def _time(data: str | bytes) -> float:
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        extract_result(data, options=OPTS)
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def _ratio(make: Callable[[int], str | bytes], n: int) -> float:
    extract_result(make(n // 4), options=OPTS)  # warm-up: imports, caches, vocabularies
    small, large = _time(make(n)), _time(make(2 * n))
    if large < small * MAX_RATIO:
        return large / small
    # one retry: a busy machine can stall one measurement
    return min(large / small, _time(make(2 * n)) / _time(make(n)))


CASES: dict[str, tuple[Callable[[int], str | bytes], int]] = {
    # n is kept under parse.html.MAX_DEPTH for the nesting cases (deeper markup is cut, not parsed)
    "deep_nesting": (lambda n: "<html><body>" + "<div>" * n + EN + "</div>" * n, 1000),
    "deep_unclosed_inline": (lambda n: "<html><body>" + "<span><b>" * (n // 2) + EN, 1000),
    "many_siblings": (lambda n: "<html><body>" + "<p>x</p>" * n, 1000),
    "long_single_line_text": (lambda n: ("word " * n).encode(), 30_000),
    "many_short_lines_text": (lambda n: "".join(f"line {i % 97}\n" for i in range(n)).encode(), 1500),
    "many_paragraphs_text": (lambda n: ((EN + "\n\n") * n).encode(), 500),
    "long_text_node": (lambda n: "<html><body><p>" + "lorem ipsum " * n, 20_000),
    "table_cells": (lambda n: "<table>" + ("<tr>" + "<td>c</td>" * 20 + "</tr>") * n + "</table>", 100),
    "many_links": (lambda n: "<html><body><ul>" + "<li><a href=/x>link text</a></li>" * n, 600),
    "nested_lists": (lambda n: "<ul><li>" * n + EN, 1000),
    "entities": (lambda n: "<p>" + "&amp;&#x1F600;&bogus;" * n, 6000),
}

KNOWN_QUADRATIC: dict[str, tuple[Callable[[int], str | bytes], int, str]] = {
    "many_attributes": (
        lambda n: "<html><body><div " + " ".join(f"a{i}=v" for i in range(n)) + ">" + EN, 3000,
        "parse/html.py: Lexbor compares each attribute with the element's earlier ones (quadratic, in C); "
        "parse_html cuts start tags at MAX_ATTRIBUTES before parsing",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_doubling_the_input_at_most_roughly_doubles_the_time(name: str) -> None:
    make, n = CASES[name]
    ratio = _ratio(make, n)
    assert ratio < MAX_RATIO, f"{name}: time(2n)/time(n) = {ratio:.2f}"


@pytest.mark.parametrize(
    "name",
    list(KNOWN_QUADRATIC),
)
def test_known_quadratic_inputs(name: str) -> None:
    make, n, _reason = KNOWN_QUADRATIC[name]
    ratio = _ratio(make, n)
    assert ratio < MAX_RATIO, f"{name}: time(2n)/time(n) = {ratio:.2f}"
