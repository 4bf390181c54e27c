"""Request options: every Options field can be set, caps only go down; the OpenAPI schema holds."""

from __future__ import annotations

import pytest

pytest.importorskip("pydantic")
from pydantic import ValidationError

from thresher.options import Options
from thresher.web.schema import ExtractOptions, merge_options, options_fields


def test_request_options_cover_every_library_option() -> None:
    assert set(ExtractOptions.model_fields) == options_fields()


def test_unset_request_options_keep_the_servers() -> None:
    base = Options(focus="precision", time_limit=5.0)
    assert merge_options(base, None) is base
    assert merge_options(base, ExtractOptions()) == base


def test_request_options_override_and_caps_only_go_down() -> None:
    base = Options(time_limit=5.0, max_bytes=1000)
    got = merge_options(base, ExtractOptions(focus="recall", time_limit=60, max_bytes=10, with_markdown=True))
    assert got.focus == "recall"
    assert got.with_markdown is True
    assert got.time_limit == 5.0
    assert got.max_bytes == 10
    assert merge_options(Options(time_limit=None), ExtractOptions(time_limit=2)).time_limit == 2


@pytest.mark.parametrize("bad", [{"focus": "all"}, {"time_limit": 0}, {"min_text_length": -1}, {"nope": True},
                                 {"target_language": "English"}, {"target_language": "eng"}])
def test_bad_request_options_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ExtractOptions.model_validate(bad)


def test_target_language_is_read_as_options_reads_it() -> None:
    # "EN" and "en-US" were refused (and refused the whole batch); Options reads them as "en"
    for spelled in ("EN", "en-US", "en"):
        got = merge_options(Options(), ExtractOptions.model_validate({"target_language": spelled}))
        assert got.target_language == "en"
