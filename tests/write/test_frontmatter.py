import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thresher.model import Document
from thresher.write.frontmatter import front_matter, yaml_scalar


@pytest.mark.parametrize("value", ["Hello world", "Été à Paris", "日本語のタイトル", "A-b c.d"])
def test_simple_values_stay_plain(value):
    assert yaml_scalar(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "Breaking: news",  # ": " starts a mapping
        'He said "no"',  # would be fine plain, but starts with a letter: check the quote case below
        '"quoted" start',
        "line one\nline two",
        "- a list?",
        "# comment?",
        "tab\tinside",
        "yes",
        "Null",
        "2024-01-01",
        "12",
        " padded ",
        "ends with colon:",
        "text #hashtag",
        "[flow]",
        "{flow}",
        "&anchor",
        "*alias",
        "!tag",
        "%directive",
        "@at",
        "`tick",
        "'single'",
        "|block",
        ">folded",
        "",
    ],
)
def test_risky_values_are_double_quoted_and_read_back(value):
    out = yaml_scalar(value)
    if out != value:
        assert out.startswith('"') and json.loads(out) == value
    else:  # only plain-safe strings may stay unquoted
        assert value[0].isalpha() and ": " not in value and "\n" not in value


def test_yaml_parser_reads_back_exactly():
    yaml = pytest.importorskip("yaml")
    for value in ['Breaking: "news" #1', "no", "a\nb", "  x", "é: ü", "null", "3.14", "- x", "x:"]:
        assert yaml.safe_load(f"title: {yaml_scalar(value)}\n") == {"title": value}


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_any_string_round_trips_through_yaml(value):
    yaml = pytest.importorskip("yaml")
    assert yaml.safe_load(f"title: {yaml_scalar(value)}\n") == {"title": value}


def test_front_matter_lists_non_empty_fields_in_order():
    doc = Document(text="t", title="Q&A: the 'best' \"one\"", author="Ann", url="https://x.org/a",
                   tags=("a: b", "c"), id="d1")
    header = front_matter(doc)
    lines = header.splitlines()
    assert lines[0] == lines[-1] == "---"
    assert lines[1] == 'title: "Q&A: the \'best\' \\"one\\""'
    assert "author: Ann" in lines
    assert 'tags: ["a: b", "c"]' in lines
    assert not any(line.startswith("date:") for line in lines)


def test_front_matter_of_document_with_nothing_is_empty():
    assert front_matter(Document(text="x"), fields=("title", "author")) == ""
