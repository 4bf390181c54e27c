from thresher.cli.run import _chunked, extract_chunk, run, worker_count
from thresher.model import Document, Failure, Page, Provenance
from thresher.options import Options

TEXT = ("The {0} orchard report describes how the harvest went this year in the valley. Farmers picked "
        "apples and pears through the autumn, and the cooperative sold the fruit at the regional market.")


def _pages(n):
    return [Page(data=TEXT.format(f"m{i}"), kind="text", provenance=Provenance(source=f"p{i}")) for i in range(n)]


def test_failures_pass_through_in_place():
    fail = Failure(reason="read_error", message="gone", provenance=Provenance(source="x"))
    results = list(run([*_pages(1), fail, *_pages(1)], Options()))
    assert results[1] is fail
    assert all(isinstance(r, Document) for r in (results[0], results[2]))


def test_chunks_and_worker_count():
    assert [len(c) for c in _chunked(iter(range(19)), 8)] == [8, 8, 3]
    assert [len(c) for c in _chunked(range(30), 8, ramp=2)] == [1, 1, 2, 2, 4, 4, 8, 8]
    assert [x for c in _chunked(range(30), 8, ramp=3) for x in c] == list(range(30))
    assert worker_count(3) == 3 and worker_count(0) >= 1
    assert extract_chunk([], Options()) == []
