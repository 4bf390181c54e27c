from thresher.stories.batching import padded_batches


def test_batches_sort_by_length_pad_and_cover_every_text_once():
    ids = [[1, 2, 3], [4], [5, 6], [7, 8, 9, 10], [11]]
    batches = list(padded_batches(ids, batch_tokens=6))
    rows = [k for got, _, _ in batches for k in got]
    assert sorted(rows) == list(range(len(ids)))  # each text once
    assert [len(ids[k]) for k in rows] == sorted(len(t) for t in ids)  # shortest first
    for got, batch, mask in batches:
        assert batch.shape == mask.shape == (len(got), max(len(ids[k]) for k in got))
        assert batch.size <= 6 or len(got) == 1  # within the token budget, or one text alone
        for r, k in enumerate(got):
            assert batch[r, : len(ids[k])].tolist() == ids[k] and mask[r].sum() == len(ids[k])
            assert batch[r, len(ids[k]):].sum() == 0


def test_no_texts_no_batches_and_a_long_text_is_a_batch_of_its_own():
    assert list(padded_batches([], batch_tokens=8)) == []
    [(rows, batch, _)] = list(padded_batches([list(range(20))], batch_tokens=8))
    assert rows == [0] and batch.shape == (1, 20)
