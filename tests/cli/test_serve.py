"""`thresher serve` arguments (the server itself is tested under tests/web)."""

import pytest

from thresher.cli.serve import build_serve_parser


def test_defaults():
    args = build_serve_parser().parse_args([])
    assert args.host == "127.0.0.1" and args.time_limit == 10.0 and args.concurrency is None


@pytest.mark.parametrize("bad", [["--time-limit", "-1"], ["--time-limit", "inf"], ["--concurrency", "-2"]])
def test_negative_limits_are_usage_errors(bad, capsys):
    """`thresher serve --time-limit -1` started a server on which every request timed out."""
    with pytest.raises(SystemExit) as exit_:
        build_serve_parser().parse_args(bad)
    assert exit_.value.code == 2
    assert "must be" in capsys.readouterr().err


def test_without_the_web_extra_serve_says_so_on_stderr(monkeypatch, capsys):
    import sys

    from thresher.cli.serve import serve_command

    monkeypatch.setitem(sys.modules, "thresher.web.server", None)  # importing it raises ImportError
    assert serve_command([]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "web extra" in err


def test_the_missing_extra_is_said_once(monkeypatch, capsys):
    """The server's own ImportError already names the extra: it is not repeated in brackets."""
    import builtins
    import sys

    from thresher.cli.serve import serve_command

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "thresher.web.server":
            raise ImportError("thresher serve needs the web extra: pip install 'thresher[web]'")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "thresher.web.server", raising=False)
    monkeypatch.setattr(builtins, "__import__", fake_import)
    assert serve_command([]) == 2
    assert capsys.readouterr().err.count("pip install") == 1


@pytest.mark.parametrize("bad", [["--port", "99999"], ["--port", "-1"], ["--port", "http"]])
def test_a_port_out_of_range_is_a_usage_error_not_a_traceback(bad, capsys):
    with pytest.raises(SystemExit) as exit_:
        build_serve_parser().parse_args(bad)
    assert exit_.value.code == 2
    assert "port" in capsys.readouterr().err


def test_the_request_cap_takes_sizes_like_max_bytes_and_every_option_is_explained(capsys):
    assert build_serve_parser().parse_args(["--max-request-bytes", "2M"]).max_request_bytes == 2 * 1024**2
    with pytest.raises(SystemExit):
        build_serve_parser().parse_args(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--port PORT TCP port" in help_text and "--max-request-bytes N largest request body" in help_text
