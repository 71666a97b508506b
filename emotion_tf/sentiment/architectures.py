"""The names of the sentiment classifiers, without TensorFlow: a command-line tool lists them in ``--help``
before TensorFlow loads.

* ``ARCHITECTURES``: the token classifiers of ``emotion_tf.sentiment.classifier`` (article 1's LSTM, a
  max-pooled BiLSTM, a Transformer encoder), trained from scratch.
* ``MODELS``: every model ``train_sentiment.py`` trains: those, the TF-IDF baseline and a fine-tuned
  pretrained encoder (``bert``).
"""

ARCHITECTURES = ("lstm", "bilstm", "transformer")
MODELS = (*ARCHITECTURES, "tfidf", "bert")
