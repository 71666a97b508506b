"""Text to tensors: vectorizers that live inside the models, so exported models read raw strings."""

from emotion_tf.text.vectorize import make_vectorizer

__all__ = ["make_vectorizer"]
