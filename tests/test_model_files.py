from thresher.model_files import read_model_file


def test_packaged_path_or_none(tmp_path):
    assert read_model_file("data/html_model.json").startswith("{")
    assert read_model_file("data/html_model.json", "none") is None
    assert read_model_file("data/no_such_model.json") is None
    copy = tmp_path / "m.json"
    copy.write_text('{"a": 1}', encoding="utf-8")
    assert read_model_file("data/html_model.json", str(copy)) == '{"a": 1}'
    assert read_model_file("data/html_model.json", str(tmp_path / "missing.json")) is None


def test_a_built_file_is_cached_once_and_a_broken_cache_only_costs_a_rebuild(tmp_path):
    from thresher.model_files import cached_file

    calls = []

    def build() -> bytes:
        calls.append(1)
        return b"graph bytes"

    assert cached_file(tmp_path / "c", "g.bin", build) == b"graph bytes"
    assert cached_file(tmp_path / "c", "g.bin", build) == b"graph bytes"
    assert len(calls) == 1 and (tmp_path / "c" / "g.bin").read_bytes() == b"graph bytes"
    assert not list((tmp_path / "c").glob("*.part"))  # written whole, no leftovers
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert cached_file(blocked / "c", "g.bin", build) == b"graph bytes"  # cannot write: built anyway
    assert cached_file(None, "g.bin", build) == b"graph bytes" and len(calls) == 3


def test_the_user_cache_follows_xdg(monkeypatch, tmp_path):
    from thresher.model_files import file_digest, user_cache_dir

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert user_cache_dir() == tmp_path / "thresher"
    f = tmp_path / "w.bin"
    f.write_bytes(b"weights")
    assert file_digest(f, "v1") == file_digest(f, "v1") != file_digest(f, "v2")


def test_no_usable_home_means_no_cache_folder(monkeypatch):
    from thresher.model_files import user_cache_dir

    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", "")
    assert user_cache_dir() is None  # not a folder relative to wherever the process runs
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    assert user_cache_dir() is None


def test_writing_a_new_version_removes_old_unused_siblings_only(tmp_path):
    import os
    import time

    from thresher.model_files import UNUSED_DAYS, cached_file

    cache = tmp_path / "c"
    cache.mkdir()
    long_ago = time.time() - (UNUSED_DAYS + 1) * 86_400
    for name in ("minilm-old.onnx", "minilm-used.onnx", "other-old.onnx", "minilm-x.onnx.part", "notes.txt"):
        (cache / name).write_bytes(b"x")
        os.utime(cache / name, (long_ago, long_ago))
    assert cached_file(cache, "minilm-used.onnx", lambda: b"new") == b"x"  # read: marked used, nothing written
    assert (cache / "minilm-used.onnx").stat().st_mtime > long_ago + 86_400
    assert cached_file(cache, "minilm-new.onnx", lambda: b"new") == b"new"
    left = sorted(p.name for p in cache.iterdir())
    # the other model's file and a foreign file stay; the old unused version and the stale partial write go
    assert left == ["minilm-new.onnx", "minilm-used.onnx", "notes.txt", "other-old.onnx"]
