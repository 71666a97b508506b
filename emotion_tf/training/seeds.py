"""One call that makes a run repeatable."""

import tensorflow as tf


def set_seed(seed: int) -> None:
    """Seed Python's ``random``, numpy's global generator and TensorFlow in one go.

    Project code draws from explicit ``numpy.random.Generator`` objects
    seeded from the same number; this covers what libraries draw globally.
    """
    tf.keras.utils.set_random_seed(int(seed))
