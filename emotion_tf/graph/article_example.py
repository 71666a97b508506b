"""The first article's worked example: 10 users, 5 items, 3 event types (浏览 view, 加购 cart, 购买 purchase).

The article describes the setting but prints no table, so this one is fixed by hand: every user viewed
some items, some put one in the cart, a few bought. It is small enough to compute a GCN step on paper
(``notebooks/02_behavior_prediction.ipynb`` does it with numpy, ``tests/test_gcn.py`` checks the layer).
"""

from __future__ import annotations

import pandas as pd

EVENT_TYPES = ("view", "cart", "purchase")

# (user, item, event, timestamp): users 0-9, items 0-4
_ROWS = [
    (0, 0, "view", 1),
    (0, 1, "view", 2),
    (0, 1, "cart", 3),
    (0, 1, "purchase", 4),
    (1, 0, "view", 1),
    (1, 2, "view", 2),
    (2, 2, "view", 1),
    (2, 2, "cart", 2),
    (2, 2, "purchase", 3),
    (3, 3, "view", 1),
    (3, 4, "view", 2),
    (3, 4, "cart", 3),
    (4, 0, "view", 1),
    (4, 1, "view", 2),
    (4, 3, "view", 3),
    (5, 4, "view", 1),
    (5, 4, "purchase", 2),
    (6, 1, "view", 1),
    (6, 2, "view", 2),
    (6, 1, "cart", 3),
    (7, 3, "view", 1),
    (8, 0, "view", 1),
    (8, 0, "cart", 2),
    (8, 0, "purchase", 3),
    (8, 4, "view", 4),
    (9, 2, "view", 1),
    (9, 3, "view", 2),
    (9, 3, "cart", 3),
    (9, 3, "purchase", 4),
]
N_USERS, N_ITEMS = 10, 5


def article_example() -> pd.DataFrame:
    """The example as an interaction table (``user_index``, ``item_index``, ``event``, ``timestamp``)."""
    return pd.DataFrame(_ROWS, columns=["user_index", "item_index", "event", "timestamp"])
