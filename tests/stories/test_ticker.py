"""The founding example's ticker (labelled): the lexical backend may miss stories but never mixes two."""

from collections import defaultdict

from thresher.stories import LexicalBackend, cluster_stories


def test_lexical_backend_never_merges_two_ticker_stories(ticker):
    items, gold = ticker
    result = cluster_stories(items, backend=LexicalBackend())
    stories_in_cluster: dict[str, set[str]] = defaultdict(set)
    for item_id, story in result.assignments.items():
        stories_in_cluster[story].add(gold[item_id])
    mixed = [s for s in stories_in_cluster.values() if len(s) > 1]
    assert mixed == []
    found = {next(iter(s)) for s in stories_in_cluster.values()
             if sum(1 for sid in result.assignments.values() if stories_in_cluster[sid] == s) > 1}
    assert len(found) >= 3  # it does find some of the six multi-member stories
