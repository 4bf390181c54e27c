import io

from thresher.cli.report import Progress, Tally
from thresher.model import Document, Failure, Rejected


def test_summary_counts_by_outcome_and_reason():
    tally = Tally()
    for result in [
        Document(text="a"), Document(text="b"),
        Document(text="", rejected=Rejected(stage="assemble", reason="too_short")),
        Document(text="", rejected=Rejected(stage="assemble", reason="too_short")),
        Failure(reason="truncated", message=""), Failure(reason="empty", message=""),
        Failure(reason="empty", message=""),
    ]:
        tally.add(result)
    tally.skipped.update({"request": 2, "metadata": 1})
    line = tally.summary("jsonl")
    assert line.startswith(
        "thresher: 7 read, 2 extracted, 2 rejected (too_short 2), 3 failed (empty 2, truncated 1), "
        "3 skipped records (request 2, metadata 1), "
    )
    assert line.endswith(" pages/s")
    assert tally.n_failed == 3


def test_summary_mentions_rejected_documents_txt_could_not_show():
    tally = Tally()
    tally.add(Document(text="", rejected=Rejected(stage="filter", reason="language_de")))
    tally.not_written = 1
    assert "1 rejected not written to txt output" in tally.summary("txt")


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_draws_only_when_enabled_and_clears_its_line():
    quiet = io.StringIO()
    Progress(quiet, enabled=False).update(Tally(read=3))
    assert quiet.getvalue() == ""
    tty = _Tty()
    progress = Progress(tty, enabled=True)
    progress.update(Tally(read=3, extracted=2))
    assert tty.getvalue().startswith("\rthresher: 3 done, 2 extracted")
    progress.clear()
    assert tty.getvalue().endswith("\r\x1b[K")
