"""Why did the model say that?  Integrated gradients and attention, per token.

**Integrated gradients** (Sundararajan et al. 2017) attribute the predicted
probability of a class to the input tokens.  With E the text's token
embeddings [T, d], a baseline E' = 0 (no token information; positions and
padding are kept), and F the model from token embeddings to the class
probability:

    IG_t = Σ_j (E - E')_{t,j} · (1/m) Σ_{k=1..m} ∂F(E' + (k/m)(E - E')) / ∂E_{t,j}

(a Riemann sum over m steps).  The scores add up to F(E) - F(E')
("completeness"), which the tests check.

**Attention** weights of the Transformer's blocks show where each token
looked; ``attention_maps`` returns them per block and head for the real
(non-padding) tokens.  Attention is not an explanation by itself (Jain and
Wallace 2019): read it beside the attributions.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from emotion_tf.sentiment.classifier import SentimentClassifier
from emotion_tf.text.checks import check_texts


def token_ids(classifier: SentimentClassifier, text: str) -> tuple[tf.Tensor, list[str]]:
    """ids [1, T] of one text and its real (non-padding) tokens (WordPiece tokens for a pretrained encoder)."""
    if classifier.architecture == "bert":
        ids = classifier.tokenizer(tf.constant(check_texts([text])))
        return ids, classifier.tokenizer.tokens(ids.numpy()[0])
    ids = classifier.vectorizer(tf.constant(check_texts([text])))
    vocabulary = classifier.vectorizer.get_vocabulary()
    tokens = [str(vocabulary[i]) for i in ids.numpy()[0] if i != 0]
    return tf.cast(ids, tf.int64), tokens


def _embedding_layer(classifier):
    token_model = classifier.token_model
    if classifier.architecture == "bert":
        return classifier.encoder.embedding.word_embeddings
    if classifier.architecture in ("lstm", "bilstm"):
        return token_model.get_layer("embedding")
    return token_model.get_layer("transformer_encoder").get_layer("embedding").tokens


def _from_token_embeddings(classifier, ids, token_embeddings):
    """The token model's probabilities with the token-embedding lookup replaced by ``token_embeddings``."""
    token_model = classifier.token_model
    if classifier.architecture == "bert":  # word vectors -> + positions and type -> LayerNorm -> blocks
        embedding = classifier.encoder.embedding
        x = embedding.layer_norm(embedding.add_positions(token_embeddings))
        hidden = classifier.encoder.from_embeddings(x, ids, training=False)
        features = token_model.get_layer("pooling")(hidden, ids)
    elif classifier.architecture == "lstm":
        features = token_model.get_layer("lstm")(token_embeddings, mask=tf.not_equal(ids, 0))
    elif classifier.architecture == "bilstm":
        states = token_model.get_layer("bilstm")(token_embeddings, mask=tf.not_equal(ids, 0))
        features = token_model.get_layer("pooling")(states, ids)
    else:
        encoder = token_model.get_layer("transformer_encoder")
        embedding = encoder.get_layer("embedding")
        x = token_embeddings + embedding.positions(tf.range(tf.shape(ids)[-1]))[tf.newaxis]
        for layer in encoder.layers:
            if layer.name.startswith("encoder_block"):
                x = layer(x, ids, training=False)
        features = token_model.get_layer("pooling")(x, ids)
    return token_model.get_layer("probabilities")(features)


def integrated_gradients(
    classifier: SentimentClassifier, text: str, target: int | None = None, steps: int = 64
) -> tuple[list[str], np.ndarray, dict]:
    """Per-token attributions of one text's class probability.

    Args:
      classifier: a fitted or loaded ``SentimentClassifier``.
      text: the text.
      target: class id to explain (default: the predicted class).
      steps: m, the number of interpolation steps.

    Returns:
      (tokens, scores [len(tokens)], info) with info = {"target", "probability",
      "baseline_probability"}; Σ scores ≈ probability - baseline_probability.
    """
    ids, tokens = token_ids(classifier, text)
    embedded = _embedding_layer(classifier)(ids)  # [1, T, d]
    baseline = tf.zeros_like(embedded)
    probabilities = _from_token_embeddings(classifier, ids, embedded)[0].numpy()
    target = int(np.argmax(probabilities)) if target is None else int(target)
    alphas = tf.reshape(tf.linspace(1.0 / steps, 1.0, steps), (steps, 1, 1))
    path = baseline + alphas * (embedded - baseline)  # [m, T, d]
    repeated_ids = tf.repeat(ids, steps, axis=0)
    with tf.GradientTape() as tape:
        tape.watch(path)
        outputs = _from_token_embeddings(classifier, repeated_ids, path)[:, target]
    gradients = tape.gradient(outputs, path)  # [m, T, d]
    attributions = tf.reduce_sum((embedded - baseline)[0] * tf.reduce_mean(gradients, axis=0), axis=-1).numpy()
    baseline_probability = float(_from_token_embeddings(classifier, ids, baseline)[0, target])
    info = {"target": target, "probability": float(probabilities[target]), "baseline_probability": baseline_probability}
    return tokens, attributions[: len(tokens)], info


def attention_maps(classifier: SentimentClassifier, text: str) -> tuple[list[str], list[np.ndarray]]:
    """(tokens, one array [heads, n, n] per block) of a Transformer's attention over the real tokens.

    For a fine-tuned pretrained encoder these are its (pretrained, then fine-tuned) heads, over WordPiece
    tokens with [CLS] and [SEP].
    """
    if classifier.architecture not in ("transformer", "bert"):
        raise ValueError(f"attention maps need a Transformer, this classifier is {classifier.architecture!r}")
    ids, tokens = token_ids(classifier, text)
    if classifier.architecture == "bert":
        _, scores = classifier.encoder(ids, training=False, return_attention_scores=True)
        return tokens, [block.numpy()[0, :, : len(tokens), : len(tokens)] for block in scores]
    encoder = classifier.token_model.get_layer("transformer_encoder")
    x = encoder.get_layer("embedding")(ids)
    maps = []
    for layer in encoder.layers:
        if layer.name.startswith("encoder_block"):
            x, scores = layer(x, ids, training=False, return_attention_scores=True)
            maps.append(scores.numpy()[0, :, : len(tokens), : len(tokens)])
    return tokens, maps
