from thresher.dedup.groups import UnionFind, group_duplicates, survivor


def test_union_find_is_transitive():
    sets = UnionFind(6)
    assert sets.union(0, 1)
    assert sets.union(1, 2)
    assert not sets.union(0, 2)
    sets.union(4, 5)
    assert sets.find(0) == sets.find(2)
    assert sets.find(3) != sets.find(0)
    assert sets.components() == [[0, 1, 2], [4, 5]]


def test_survivor_is_longest_then_earliest():
    lengths = [10, 30, 30, 5]
    assert survivor([0, 1, 2, 3], lengths) == 1
    assert survivor([3, 2], lengths) == 2
    assert survivor([0, 3], [7, 7, 7, 7]) == 0


def test_groups_are_components_with_survivor_first():
    lengths = [5, 9, 9, 1, 4, 4]
    grouping = group_duplicates(6, [(3, 0), (0, 2), (4, 5), (1, 1)], lengths)
    assert grouping.groups == ((2, 0, 3), (4, 5))
    assert grouping.duplicate_of == {0: 2, 3: 2, 5: 4}


def test_grouping_does_not_depend_on_pair_order():
    pairs = [(0, 1), (2, 3), (1, 2), (5, 6)]
    lengths = [3, 1, 3, 2, 0, 1, 1]
    first = group_duplicates(7, pairs, lengths)
    second = group_duplicates(7, [(b, a) for a, b in reversed(pairs)], lengths)
    assert first == second
    assert first.groups == ((0, 1, 2, 3), (5, 6))
