"""Layer-wise learning-rate decay for fine-tuning a pretrained encoder (Howard and Ruder 2018; Clark et al. 2020).

The top of a pretrained encoder must change most for a new task, its embeddings least. With decay d (0 < d ≤ 1)
and an encoder of L blocks, each variable's step uses the learning rate times

    1                 for the head (and anything not in the encoder)
    d ** (L - l)      for block l (0-based), named ``.../layer_<l>/...`` (``emotion_tf.sentiment.bert``)
    d ** (L + 1)      for the embeddings, named ``.../embedding/...``

d = 1 is plain AdamW. Weight decay is scaled the same way, as an optimizer per layer group would do it.
"""

from __future__ import annotations

import contextlib
import re

import tensorflow as tf

_BLOCK = re.compile(r"(?:^|/)layer_(\d+)/")
_EMBEDDING = re.compile(r"(?:^|/)embedding/")


def layer_factor(name: str, num_layers: int, decay: float) -> float:
    """The learning-rate factor of the variable called ``name`` (see the module's docstring)."""
    block = _BLOCK.search(name)
    if block:
        return decay ** (num_layers - int(block.group(1)))
    if _EMBEDDING.search(name):
        return decay ** (num_layers + 1)
    return 1.0


class LayerDecayAdamW(tf.keras.optimizers.AdamW):
    """AdamW whose step for a variable is ``learning_rate * layer_factor(variable.name, num_layers, decay)``.

    Keras's AdamW reads ``self.learning_rate`` once per variable, in ``update_step`` and (for weight decay)
    right after ``_use_weight_decay``; both set the factor of the variable at hand first, so the one update
    code of AdamW serves every layer. The factor is a Python number fixed when the step is traced.
    """

    def __init__(self, num_layers: int, decay: float, **kwargs):
        if not 0 < decay <= 1:
            raise ValueError(f"layer decay must be in (0, 1], got {decay}")
        super().__init__(**kwargs)
        self.num_layers, self.decay = int(num_layers), float(decay)
        self._factor = 1.0

    @property
    def learning_rate(self):
        return super().learning_rate * self._factor

    @learning_rate.setter
    def learning_rate(self, value):
        tf.keras.optimizers.AdamW.learning_rate.fset(self, value)

    @contextlib.contextmanager
    def _scaled_for(self, variable):
        self._factor = layer_factor(variable.name, self.num_layers, self.decay)
        try:
            yield
        finally:
            self._factor = 1.0

    def update_step(self, gradient, variable):
        with self._scaled_for(variable):
            super().update_step(gradient, variable)

    def _use_weight_decay(self, variable):
        # the weight decay reads learning_rate right after this, for this variable; the factor stays set
        # until the next variable's, and update_step resets it to 1 after each update
        self._factor = layer_factor(variable.name, self.num_layers, self.decay)
        return super()._use_weight_decay(variable)

    def get_config(self):
        return {**super().get_config(), "num_layers": self.num_layers, "decay": self.decay}
