from thresher.dedup.exact import exact_duplicates, exact_groups, exact_key
from thresher.dedup.normalise import normalise


def test_texts_equal_after_normalisation_share_a_key():
    assert exact_key("Hello,   World!") == exact_key("hello world") == exact_key(normalise("HELLO — world…"))
    assert exact_key("hello world") != exact_key("hello  worlds")
    assert exact_key("ab") != exact_key("a b")
    assert exact_key("") == exact_key(" ... ")


def test_key_is_a_stable_64_bit_integer():
    key = exact_key("hello world")
    assert 0 <= key < 2**64
    assert key == 876746675990036082  # pinned: a change invalidates stored keys


def test_groups_keep_input_order():
    texts = ["alpha beta", "gamma", "Alpha, BETA!", "delta", "gamma", "alpha beta"]
    assert exact_duplicates(texts) == [[0, 2, 5], [1, 4]]
    assert exact_groups(["x", "y"]) == []
