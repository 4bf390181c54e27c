def test_unknown_focus_or_input_format_is_refused():
    import pytest

    from thresher.options import Options

    with pytest.raises(ValueError, match="focus"):
        Options(focus="bogus")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="input_format"):
        Options(input_format="pdf")  # type: ignore[arg-type]
    assert Options(focus="recall", input_format="text").focus == "recall"
