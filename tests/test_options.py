def test_unknown_focus_or_input_format_is_refused():
    import pytest

    from thresher.options import Options

    with pytest.raises(ValueError, match="focus"):
        Options(focus="bogus")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="input_format"):
        Options(input_format="pdf")  # type: ignore[arg-type]
    assert Options(focus="recall", input_format="text").focus == "recall"


def test_target_language_is_read_as_an_iso_639_1_code_whatever_its_case_or_region():
    import pytest

    from thresher.options import Options

    # "EN" or "en-US" used to reject every English page as filter:language_en
    for spelled in ("en", "EN", " en-US ", "en_GB"):
        assert Options(target_language=spelled).target_language == "en"
    assert Options(target_language="").target_language is None
    for wrong in ("eng", "english", "e"):
        with pytest.raises(ValueError, match="ISO 639-1"):
            Options(target_language=wrong)
