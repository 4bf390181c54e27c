import pytest

from thresher.dedup.options import DedupOptions


def test_defaults_and_band_layout():
    opts = DedupOptions()
    assert (opts.mode, opts.threshold, opts.num_perm, opts.ngram) == ("near", 0.8, 128, 5)
    bands, rows = opts.band_layout()
    assert bands * rows <= 128
    assert DedupOptions(bands=32, rows=4).band_layout() == (32, 4)
    assert DedupOptions(threshold=1.0).band_layout()[1] > rows


def test_frozen_and_with():
    opts = DedupOptions()
    with pytest.raises(AttributeError):
        opts.threshold = 0.5  # type: ignore[misc]
    assert opts.with_(threshold=0.5).threshold == 0.5


@pytest.mark.parametrize(
    "changes",
    [{"mode": "fuzzy"}, {"threshold": 0.0}, {"threshold": 1.5}, {"ngram": 0}, {"bands": 4},
     {"bands": 20, "rows": 7}, {"measure": "cosine"}],
)
def test_invalid_options(changes):
    with pytest.raises(ValueError):
        DedupOptions(**changes)
