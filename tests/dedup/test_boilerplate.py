import pytest

from thresher.dedup.boilerplate import find_boilerplate, line_keys, strip_boilerplate
from thresher.dedup.exact import exact_key

MENU = "Home | Football news | Transfers | Contact"
SHARED_PARAGRAPH = "The striker signed a four-year contract with the club on Monday evening."


def article(n):
    return f"Story number {n} about something else entirely.\nIts second paragraph, unique to story {n}."


def test_line_keys_are_exact_keys_of_lines():
    text = "First line.\n\n -- \nSecond, LINE"
    assert line_keys(text) == [exact_key("First line."), None, None, exact_key("second line")]
    assert line_keys("") == [None]


def test_syndicated_copies_do_not_make_boilerplate_but_menus_do():
    records = []
    # Five syndicated copies of one story (one duplicate group) on site A.
    for k in range(5):
        records.append((f"synd{k}", "a.example", f"{SHARED_PARAGRAPH}\nCopy {k} footer text here.", "story-1"))
    # A menu line on five different stories of site A.
    for k in range(5):
        records.append((f"art{k}", "a.example", f"{MENU}\n{article(k)}", None))
    found = find_boilerplate(records, min_documents=3)
    assert exact_key(MENU) in found["a.example"]
    assert exact_key(SHARED_PARAGRAPH) not in found["a.example"]
    page = f"{MENU}\n\n{article(9)}\n\n{SHARED_PARAGRAPH}"
    assert strip_boilerplate(page, found["a.example"]) == f"{article(9)}\n\n{SHARED_PARAGRAPH}"


def test_lines_shared_across_sites_are_no_sites_boilerplate():
    records = [(f"d{k}", f"site{k}.example", f"{MENU}\n{article(k)}", None) for k in range(6)]
    found = find_boilerplate(records, min_documents=3)
    assert all(keys == frozenset() for keys in found.values())
    assert set(found) == {f"site{k}.example" for k in range(6)}


def test_relative_threshold_grows_with_the_site():
    records = [(f"d{k}", "big.example", article(k) + ("\n" + MENU if k < 4 else ""), None) for k in range(100)]
    assert exact_key(MENU) in find_boilerplate(records)["big.example"]
    assert find_boilerplate(records, min_share=0.05)["big.example"] == frozenset()
    assert exact_key(MENU) in find_boilerplate(records, min_share=0.04)["big.example"]


def test_strip_keeps_text_without_boilerplate_and_collapses_blank_lines():
    keys = frozenset({exact_key(MENU)})
    assert strip_boilerplate("Nothing to remove.\n\nReally.", keys) == "Nothing to remove.\n\nReally."
    assert strip_boilerplate(f"Intro.\n\n{MENU}\n\nOutro.", keys) == "Intro.\n\nOutro."
    assert strip_boilerplate(f"{MENU.upper()}!!", keys) == ""
    assert strip_boilerplate("anything", frozenset()) == "anything"


def test_bad_thresholds():
    with pytest.raises(ValueError):
        find_boilerplate([], min_documents=0)
    with pytest.raises(ValueError):
        find_boilerplate([], min_share=2.0)
