import pytest

from thresher.cli.args import build_parser, options_from_args
from thresher.cli.main import main
from thresher.options import Options


def _options(*argv, fmt="txt"):
    return options_from_args(build_parser("0").parse_args(list(argv)), fmt)


def test_no_flags_give_the_default_options():
    assert _options() == Options()


def test_flags_map_onto_options():
    opts = _options("--precision", "--with-comments", "--no-tables", "--links", "--images", "--formatting",
                    "--fast", "--target-language", "DE", "--input-format", "text", "--max-bytes", "2M",
                    "--time-limit", "0")
    assert opts == Options(focus="precision", include_comments=True, include_tables=False,
                           include_links=True, include_images=True, include_formatting=True, fast=True,
                           target_language="de", input_format="text", max_bytes=2 * 1024**2, time_limit=None)


def test_markdown_output_asks_for_markdown():
    assert _options(fmt="markdown").with_markdown
    assert not _options(fmt="jsonl").with_markdown


def test_shorthands_set_the_output_format():
    parser = build_parser("0")
    assert parser.parse_args(["--markdown"]).output_format == "markdown"
    assert parser.parse_args(["--jsonl"]).output_format == "jsonl"
    assert parser.parse_args([]).output_format is None


@pytest.mark.parametrize(
    "argv",
    [
        ["--max-bytes", "lots"],
        ["--time-limit", "-1"],
        ["--target-language", "english"],
        ["--target-language", "eng"],  # passed the parser, then crashed in Options with a traceback
        ["--precision", "--recall", "x.html"],
        ["--json", "--csv", "x.html"],
        ["--output-format", "docx", "x.html"],
        ["--parallel", "-1", "x.html"],
        ["--input-dir", "no-such-dir"],
        ["-i", "no-such-list.txt"],
        ["-o", "a.txt", "--output-dir", "b", "x.html"],
        ["-u", "example.org/page"],  # -u takes URLs: not read as a local file called example.org/page
        ["-u", "ftp://example.org/file"],
    ],
)
def test_bad_values_are_usage_errors(argv, capsys):
    assert main(argv) == 2
    assert "error:" in capsys.readouterr().err


def test_target_language_takes_a_region_or_capitals_as_options_does():
    parser = build_parser("0")
    assert parser.parse_args(["--target-language", "en-US"]).target_language == "en"
    assert parser.parse_args(["--target-language", "PT_br"]).target_language == "pt"


def test_version_in_process(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("thresher ")


def test_a_url_without_scheme_gets_a_hint(capsys):
    assert main(["-u", "example.org/page"]) == 2
    assert "https://example.org/page" in capsys.readouterr().err


def test_help_says_where_failures_go_for_every_format(capsys):
    """txt, markdown and html have no error records: their failures are on stderr, as --help says."""
    assert main(["--help"]) == 0
    epilog = " ".join(capsys.readouterr().out.split())
    assert "on stderr for txt, markdown and html" in epilog


def test_records_can_carry_markdown_and_html_too():
    """Issue 5: JSON/JSONL records carry both text and Markdown when asked, so nobody extracts twice."""
    assert _options("--with-markdown", fmt="jsonl").with_markdown
    assert _options("--with-html", fmt="json").with_html
    assert not _options(fmt="jsonl").with_html


def test_help_names_the_other_commands(capsys):
    """`thresher --help` showed only the extract flags: a newcomer could not learn that `thresher run`
    (a corpus), `thresher stories` and `thresher serve` exist."""
    assert main(["--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    for command in ("thresher run", "thresher stories", "thresher serve"):
        assert command in out


def test_url_flag_also_in_lower_case():
    # trafilatura spells it -u/--URL; --url is what people type
    args = build_parser("0").parse_args(["--url", "https://example.org/a", "--URL", "https://example.org/b"])
    assert args.urls == ["https://example.org/a", "https://example.org/b"]
