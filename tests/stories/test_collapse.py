from thresher.stories.collapse import collapse, jaccard, shingles
from thresher.stories.text import fold

from . import required


def test_one_letter_variants_collapse():
    keys = [
        fold("At least 16 killed in shooting in Maine, law enforcement officials say"),
        fold("At least 16 killed in shooting in Maine, law enforcement officials says"),
        fold("Giant pandas to leave the National Zoo earlier than expected"),
    ]
    roots = collapse(keys, 0.8)
    assert roots[0] == roots[1] == 0
    assert roots[2] == 2


def test_different_headlines_with_shared_words_stay_apart():
    keys = [fold("UAW reaches tentative deal with Ford"), fold("UAW strike widens to Ford plant in Kentucky")]
    assert collapse(keys, 0.8) == [0, 1]


def test_collapse_matches_brute_force_jaccard():
    texts = ["police say man arrested", "police says man arrested", "police say man arrested today",
             "a different story entirely", "a different story entirely!"]
    keys = [fold(t) for t in texts]
    roots = collapse(keys, 0.7)
    for i in range(len(keys)):
        for j in range(len(keys)):
            if jaccard(shingles(keys[i]), shingles(keys[j])) >= 0.7:
                assert roots[i] == roots[j]


def test_prefix_filtering_and_all_pairs_give_the_same_groups():
    import random

    from thresher.stories import collapse as module

    rng = random.Random(7)
    words = ["river", "bridge", "storm", "council", "budget", "vote", "strike", "deal", "court", "ruling", "fire", "rescue"]
    base = [" ".join(rng.choice(words) for _ in range(6)) for _ in range(30)]
    keys = [fold(t) for t in base] + [fold(t + rng.choice(["", "s", " now"])) for t in base]  # 60 > SMALL
    assert len(keys) > module.SMALL
    stamps = [float(rng.randrange(0, 5 * 86400)) for _ in keys]
    for times in (None, stamps):
        groups_a, groups_b = module.UnionFind(len(keys)), module.UnionFind(len(keys))
        sets = [shingles(k) for k in keys]
        module._all_pairs(sets, 0.8, groups_a, times, 86400.0)
        module._prefix_filter(sets, 0.8, groups_b, times, 86400.0)
        assert sorted(groups_a.components()) == sorted(groups_b.components())
        assert any(len(c) > 1 for c in groups_a.components())


def test_shingles_in_c_are_the_python_ones():
    import pytest

    from thresher.stories import collapse as collapse_module

    c_shingles = getattr(collapse_module._compiled, "stories_shingles", None)
    required.compiled(c_shingles, "stories_shingles")
    texts = ["", "a", "ab", "abc", "uaw reaches tentative deal with ford", "習近平訪問ロシア", "نتنياهو يلتقي ترامب",
             "naïve café 🎉 x", "aaaa aaaa"]
    for text in texts:
        padded = f" {text} "
        for size in (1, 2, 4, 9):
            assert c_shingles(padded, size) == collapse_module._shingles_python(padded, size), (text, size)
    assert type(c_shingles(" ab ", 4)) is frozenset
    with pytest.raises(ValueError):
        c_shingles(" ab ", 0)


def test_collapse_in_c_is_the_python_one():
    import random

    from thresher.stories import collapse as module

    required.compiled(module._collapse_c, "stories_collapse")
    rng = random.Random(11)
    alphabet = ["a", "b", "c", " ", "é", "習", "ロ", "\U0001f389"]
    handled = 0
    for trial in range(3000):
        n = rng.randint(1, module.SMALL)
        chars = alphabet[: rng.choice([3, 4, 6, 8])]
        base = ["".join(rng.choice(chars) for _ in range(rng.randint(0, 12))) for _ in range(4)]
        keys = [rng.choice(base) + rng.choice(["", "a", "bc"]) for _ in range(n)]
        times = None if trial % 3 == 0 else [None if rng.random() < 0.2 else rng.random() * 10 for _ in range(n)]
        threshold, window = rng.choice([0.5, 0.8, 0.9]), rng.choice([0.0, 3.0, 20.0])
        got = module._collapse_c(keys, module.SHINGLE, threshold, times, window)
        if got is None:  # a key too short or beyond U+FFFF: Python's
            assert any(len(k) < 2 or any(ord(c) > 0xFFFF for c in k) for k in keys)
            continue
        handled += 1
        groups = module.UnionFind(n)
        module._all_pairs([shingles(k) for k in keys], threshold, groups, times, window)
        assert got == [min(c for c in range(n) if groups.find(c) == groups.find(i)) for i in range(n)], trial
    assert handled > 500
