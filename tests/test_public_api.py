"""The public surface is explicit and pinned: a change to it is a decision, not an accident."""

import thresher


def test_all_is_sorted_and_pinned():
    assert thresher.__all__ == sorted(thresher.__all__)
    assert set(thresher.__all__) == {
        "Block", "Decision", "Document", "Failure", "Metadata", "Options", "Page", "Provenance",
        "Rejected", "ThresherError", "Trace", "__version__", "extract", "extract_many",
        "extract_result", "extract_trace",
    }
    for name in thresher.__all__:
        assert hasattr(thresher, name), name


def test_version_is_semver():
    parts = thresher.__version__.split(".")
    assert len(parts) == 3 and all(p.isdigit() for p in parts)
