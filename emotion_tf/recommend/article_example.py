"""The first article's recommendation example: 10 users, 5 items.

The article names the setting (ten users, five items, interactions y_ij) but prints no matrix, so one is
fixed here by hand: star ratings 1-5, 0 where a user did not rate the item. ``implicit()`` is its 0/1 form.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

RATINGS = np.array(
    [
        [5, 3, 0, 1, 0],
        [4, 0, 0, 1, 0],
        [1, 1, 0, 5, 0],
        [1, 0, 0, 4, 0],
        [0, 1, 5, 4, 0],
        [0, 0, 4, 0, 3],
        [2, 0, 0, 0, 5],
        [0, 4, 0, 0, 4],
        [3, 0, 2, 0, 0],
        [0, 0, 0, 2, 1],
    ],
    dtype=np.float32,
)
N_USERS, N_ITEMS = RATINGS.shape


def implicit() -> np.ndarray:
    """y_ij = 1 where user i rated item j."""
    return (RATINGS > 0).astype(np.float32)


def as_table() -> pd.DataFrame:
    """The example as an interaction table (``user_index``, ``item_index``, ``rating``)."""
    users, items = np.nonzero(RATINGS)
    return pd.DataFrame({"user_index": users, "item_index": items, "rating": RATINGS[users, items]})
