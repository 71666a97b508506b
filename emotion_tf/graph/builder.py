"""Interaction tables -> a heterogeneous ``tfgnn.GraphTensor`` (the article's users, items and events).

The graph has three node sets and one edge set per event type::

    users  (n_users nodes)     items  (n_items nodes)     events  (one node per event type; feature "name")
    <event type>: users -> items, one edge per interaction, features "timestamp" (int64) and "rating" (float32,
                  where the table has ratings)
    performed:    users -> events, one edge per (user, event type), feature "count" (float32)

Tables come from ``emotion_tf.data`` splits (columns ``user_index``, ``item_index`` and optionally ``event``,
``timestamp``, ``rating``); a table without an ``event`` column holds one event type, ``default_event``.
The same builder serves ml-100k, the Amazon reviews, the Tianchi sample and the simulated world.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import tensorflow as tf
import tensorflow_gnn as tfgnn

from emotion_tf.data.dataset import DataError

USERS, ITEMS, EVENTS = "users", "items", "events"
PERFORMED = "performed"


def _check(interactions: pd.DataFrame, n_users: int, n_items: int) -> None:
    for column in ("user_index", "item_index"):
        if column not in interactions.columns:
            raise DataError(
                f"interaction table needs a {column!r} column (from emotion_tf.data splits); "
                f"got {list(interactions.columns)}"
            )
    for column, bound in (("user_index", n_users), ("item_index", n_items)):
        values = interactions[column].to_numpy()
        if len(values) and (values.min() < 0 or values.max() >= bound):
            bad = values[(values < 0) | (values >= bound)][0]
            raise DataError(f"{column} {bad} is outside [0, {bound}) (row of the interaction table)")


def _node_set(size: int, features: dict | None) -> tfgnn.NodeSet:
    features = dict(features or {})
    for name, values in features.items():
        if len(values) != size:
            raise ValueError(f"node feature {name!r} has {len(values)} rows, expected {size}")
    return tfgnn.NodeSet.from_fields(sizes=[size], features={k: tf.constant(v) for k, v in features.items()})


def interaction_graph(
    interactions: pd.DataFrame,
    n_users: int,
    n_items: int,
    event_types=None,
    default_event: str = "interaction",
    user_features: dict | None = None,
    item_features: dict | None = None,
) -> tfgnn.GraphTensor:
    """Build the heterogeneous interaction graph.

    Args:
      interactions: table with ``user_index`` and ``item_index`` (and optionally ``event``, ``timestamp``,
        ``rating``).
      n_users, n_items: node set sizes (every user and item of the dataset, seen in this table or not).
      event_types: the event types, in order (default: those of the table, sorted); an edge set is made for
        each, empty if the table has none of it. An event outside this list is an error.
      default_event: the event type of a table without an ``event`` column.
      user_features, item_features: optional {name: array of n_users / n_items rows}.

    Returns:
      A scalar GraphTensor with one component.
    """
    _check(interactions, n_users, n_items)
    if len(interactions) == 0:
        raise DataError("the interaction table is empty: there is no graph to build")
    events = (
        interactions["event"].astype(str).to_numpy()
        if "event" in interactions.columns
        else np.full(len(interactions), default_event, dtype=object)
    )
    if event_types is None:
        event_types = sorted(set(events)) or [default_event]
    event_types = [str(e) for e in event_types]
    unknown = sorted(set(events) - set(event_types))
    if unknown:
        raise DataError(f"event types {unknown} are not among the graph's event types {event_types}")
    if PERFORMED in event_types or len(set(event_types)) != len(event_types):
        raise ValueError(f"event types must be distinct and not {PERFORMED!r}: {event_types}")

    users = interactions["user_index"].to_numpy(np.int64)
    items = interactions["item_index"].to_numpy(np.int64)
    timestamps = (
        interactions["timestamp"].to_numpy(np.int64)
        if "timestamp" in interactions.columns
        else np.zeros(len(interactions), np.int64)
    )
    ratings = interactions["rating"].to_numpy(np.float32) if "rating" in interactions.columns else None

    edge_sets = {}
    for event in event_types:
        rows = events == event
        features = {"timestamp": tf.constant(timestamps[rows])}
        if ratings is not None:
            features["rating"] = tf.constant(ratings[rows])
        edge_sets[event] = tfgnn.EdgeSet.from_fields(
            sizes=[int(rows.sum())],
            features=features,
            adjacency=tfgnn.Adjacency.from_indices(
                source=(USERS, tf.constant(users[rows])), target=(ITEMS, tf.constant(items[rows]))
            ),
        )
    # users -> event types, one edge per pair, weighted by how often the user performed it
    event_index = pd.Categorical(events, categories=event_types).codes.astype(np.int64)
    pairs, counts = np.unique(np.stack([users, event_index], axis=1), axis=0, return_counts=True)
    pairs = pairs.reshape(-1, 2)
    edge_sets[PERFORMED] = tfgnn.EdgeSet.from_fields(
        sizes=[len(pairs)],
        features={"count": tf.constant(counts.astype(np.float32))},
        adjacency=tfgnn.Adjacency.from_indices(
            source=(USERS, tf.constant(pairs[:, 0])), target=(EVENTS, tf.constant(pairs[:, 1]))
        ),
    )
    node_sets = {
        USERS: _node_set(n_users, user_features),
        ITEMS: _node_set(n_items, item_features),
        EVENTS: _node_set(len(event_types), {"name": np.asarray(event_types, dtype=object).astype(str)}),
    }
    return tfgnn.GraphTensor.from_pieces(node_sets=node_sets, edge_sets=edge_sets)


def event_types_of(graph: tfgnn.GraphTensor) -> list[str]:
    """The event types of a graph made by ``interaction_graph``, in order."""
    return [name.decode() for name in graph.node_sets[EVENTS]["name"].numpy()]
