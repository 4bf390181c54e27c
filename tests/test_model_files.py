from thresher.model_files import read_model_file


def test_packaged_path_or_none(tmp_path):
    assert read_model_file("data/html_model.json").startswith("{")
    assert read_model_file("data/html_model.json", "none") is None
    assert read_model_file("data/no_such_model.json") is None
    copy = tmp_path / "m.json"
    copy.write_text('{"a": 1}', encoding="utf-8")
    assert read_model_file("data/html_model.json", str(copy)) == '{"a": 1}'
    assert read_model_file("data/html_model.json", str(tmp_path / "missing.json")) is None
