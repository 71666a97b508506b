"""The GraphTensor schema (TF-GNN's ``GraphSchema`` proto), so graphs can be written, read and checked."""

from __future__ import annotations

from pathlib import Path

import tensorflow_gnn as tfgnn


def graph_schema(graph: tfgnn.GraphTensor) -> tfgnn.GraphSchema:
    """The schema of ``graph``: node sets, edge sets and their features with dtypes and shapes."""
    return tfgnn.create_schema_pb_from_graph_spec(graph.spec)


def write_schema(graph: tfgnn.GraphTensor, path) -> Path:
    """Write the schema as text protobuf (``graph_schema.pbtxt``), readable by ``tfgnn.read_schema``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tfgnn.write_schema(graph_schema(graph), str(path))
    return path
