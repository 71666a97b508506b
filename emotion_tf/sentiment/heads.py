"""Output heads of the sentiment models, and how intensity is derived from them.

A head says how many outputs a model has, how they are activated and scored,
and how its class probabilities become an **intensity** in [-1, 1] (the
second article's 情感强度): every class carries a valence v_c in [-1, 1], and

    intensity = Σ_c p̂_c v_c,   p̂ = p / max(1, Σ_c p_c)

the expected valence under the predicted distribution.  For polarity heads
this is P(positive) - P(negative): a confident positive text scores near +1,
a confident negative one near -1, an uncertain or neutral one near 0.  For
multi-label heads the sigmoid outputs are normalised first when they sum to
more than 1, so the score stays in [-1, 1].  Valences of the emotion labels
follow the sentiment grouping of the GoEmotions paper (Demszky et al. 2020:
positive, negative, ambiguous = 0, neutral = 0).

A polarity head's intensity behaves like confidence: a mild and a furious review both score near -1
when the model is sure of the sign.  Where the data has star ratings, a **star head** (``text.valence.STAR_LABELS``,
one class per star, valence (k - 3) / 2 for k stars) gives an intensity that measures strength:

    intensity = Σ_k p̂_k (k - 3) / 2 = (E[stars] - 3) / 2

the expected rating, rescaled to [-1, 1]; a three-star review scores near 0 and a one-star one near -1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emotion_tf.text.valence import valence_of

KINDS = ("binary", "three_way", "multiclass", "multilabel")


def three_way_of_stars(probabilities) -> np.ndarray:
    """[n, 5] star probabilities -> [n, 3] P(negative: 1-2 stars), P(neutral: 3), P(positive: 4-5)."""
    p = np.asarray(probabilities, dtype=np.float64)
    return np.column_stack([p[:, 0] + p[:, 1], p[:, 2], p[:, 3] + p[:, 4]])


@dataclass(frozen=True)
class Head:
    """What a sentiment model predicts.

    Attributes:
      kind: ``binary`` (negative/positive), ``three_way`` (negative/neutral/
        positive), ``multiclass`` (one of n emotions) or ``multilabel`` (any
        subset of n emotions).
      labels: class names, index = class id.
    """

    kind: str
    labels: tuple[str, ...]

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"head kind must be one of {KINDS}, got {self.kind!r}")
        expected = {"binary": 2, "three_way": 3}.get(self.kind)
        if expected is not None and len(self.labels) != expected:
            raise ValueError(f"a {self.kind} head needs {expected} labels, got {self.labels}")
        if len(self.labels) < 2:
            raise ValueError(f"a head needs at least 2 labels, got {self.labels}")

    @property
    def multi_label(self) -> bool:
        return self.kind == "multilabel"

    @property
    def n_outputs(self) -> int:
        return len(self.labels)

    @property
    def activation(self) -> str:
        return "sigmoid" if self.multi_label else "softmax"

    @property
    def loss(self) -> str:
        return "binary_crossentropy" if self.multi_label else "sparse_categorical_crossentropy"

    @property
    def valence(self) -> np.ndarray:
        return np.array([valence_of(label) for label in self.labels])

    def intensity(self, probabilities) -> np.ndarray:
        """[n] intensities in [-1, 1] from [n, n_outputs] probabilities (see the module docstring)."""
        probabilities = np.asarray(probabilities, dtype=np.float64)
        scale = np.maximum(1.0, probabilities.sum(axis=1, keepdims=True))
        return np.clip((probabilities / scale) @ self.valence, -1.0, 1.0)

    def to_json(self) -> dict:
        return {"kind": self.kind, "labels": list(self.labels)}

    @classmethod
    def from_json(cls, data: dict) -> Head:
        return cls(kind=data["kind"], labels=tuple(data["labels"]))
