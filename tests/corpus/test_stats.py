from thresher.corpus.stats import RunStats


def test_merge_round_trip_and_accounting():
    a = RunStats(shards=1, records=5, extracted=4)
    a.failed["empty"] += 1
    b = RunStats(output=3, duplicates=1)
    total = RunStats().merge(a).merge(b)
    assert total.records == 5 and total.output == 3 and total.check() is True
    assert RunStats.from_dict(total.to_dict()).to_dict() == total.to_dict()
    total.records += 1
    assert total.check() is False and total.to_dict()["accounted"] is False
    assert "1 failed (empty 1)" in total.summary()


def test_story_counts_round_trip_and_are_absent_without_stories():
    stats = RunStats(records=2, output=2)
    assert "stories" not in stats.to_dict()
    stats.stories.update({"items": 2, "stories": 1, "multi_member": 1, "in_multi_member": 2})
    again = RunStats.from_dict(stats.to_dict())
    assert again.stories == stats.stories and again.to_dict() == stats.to_dict()


def test_the_summary_names_the_records_passed_over():
    """A run over Common Crawl WARCs said "145 records" for archives of 260: the requests, redirects and
    non-HTML responses passed over were in stats.json only."""
    stats = RunStats(shards=1, records=2, output=2)
    assert "skipped" not in stats.summary()
    stats.skipped.update({"request": 114, "non_html_response": 3, "http_error": 1, "warcinfo": 1, "redirect": 1})
    assert "; 120 archive records skipped (request 114, non_html_response 3, http_error 1, ...)" in stats.summary()
