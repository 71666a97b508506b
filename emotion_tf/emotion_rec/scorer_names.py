"""The names of the review scorers (``emotion_tf.emotion_rec.review_scores``), without TensorFlow: a
command-line tool lists them in ``--help`` before TensorFlow loads."""

# the lexicon, and an architecture with a three-way or a star head; bert fine-tunes the English checkpoint
SCORER_CHOICES = ("lexicon", "lstm", "lstm-stars", "bert", "bert-stars")
# article 2's lexicon and article 1's LSTM: the scorers whose emotion state E the emotion-rec task uses by default
DEFAULT_SCORERS = ("lexicon", "lstm")
