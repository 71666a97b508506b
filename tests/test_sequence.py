"""The next-item sequence model: windows by hand, no future item in an input, a planted order is learned."""

import numpy as np
import pandas as pd

from emotion_tf import data
from emotion_tf.behavior.sequence import (
    SequenceSettings,
    evaluate_next_item,
    left_padded,
    train_next_item,
    training_windows,
    user_sequences,
)


def cyclic_walks(n_users=60, n_items=12, length=8, seed=0):
    """Every user walks items i, i+1, i+2, ... (mod n_items) from a random start: the next item is planted."""
    rng = np.random.default_rng(seed)
    rows = []
    for user in range(n_users):
        start = int(rng.integers(n_items))
        for step in range(length):
            rows.append((user, (start + step) % n_items, 1000 * user + step))
    return pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"])


def test_windows_and_padding_by_hand():
    inputs, targets = training_windows([np.array([4, 7, 2, 9])], max_length=2)
    # prefixes [4], [4, 7], [7, 2] (cut to 2) -> next 7, 2, 9; ids are index + 1, left-padded with 0
    np.testing.assert_array_equal(inputs, [[0, 5], [5, 8], [8, 3]])
    np.testing.assert_array_equal(targets, [7, 2, 9])
    np.testing.assert_array_equal(left_padded([np.array([], dtype=int), np.array([0, 1, 2])], 2), [[0, 0], [2, 3]])


def test_sequences_are_in_time_order_and_inputs_stop_before_the_held_out_item():
    splits = data.temporal_split(cyclic_walks())
    train = user_sequences(splits, "train")
    with_validation = user_sequences(splits, "train", "validation")
    for user in range(splits.n_users):
        validation_item = splits.validation.loc[splits.validation["user_index"] == user, "item_index"].item()
        test_item = splits.test.loc[splits.test["user_index"] == user, "item_index"].item()
        assert validation_item not in train[user] and test_item not in with_validation[user]
        assert with_validation[user][-1] == validation_item  # the validation item is the latest input at test
        steps = np.diff(train[user]) % splits.n_items
        assert (steps == 1).all()  # time order kept (every step of the walk is +1)


def test_gru_learns_the_planted_next_item():
    splits = data.temporal_split(cyclic_walks())
    settings = SequenceSettings(
        dim=16, max_length=6, learning_rate=0.02, batch_size=32, epochs=12, patience=12, dropout=0.0
    )
    result = train_next_item(splits, settings, seed=0)
    assert result.history["loss"][-1] < 0.5 * result.history["loss"][0]
    scores = evaluate_next_item(result.model, splits, "test", settings.max_length, ks=(1,))
    assert scores["hit_rate@1"] > 0.8  # chance among the 6 unseen items is 1/6
