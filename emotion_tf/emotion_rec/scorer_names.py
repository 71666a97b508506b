"""The names of the review scorers (``emotion_tf.emotion_rec.review_scores``) and of the emotion-rec task's
datasets, without TensorFlow: a command-line tool lists and checks them before TensorFlow loads."""

# the lexicon, and an architecture with a three-way or a star head; bert fine-tunes the English checkpoint
SCORER_CHOICES = ("lexicon", "lstm", "lstm-stars", "bert", "bert-stars")
# article 2's lexicon and article 1's LSTM: the scorers whose emotion state E the emotion-rec task uses by default
DEFAULT_SCORERS = ("lexicon", "lstm")
# the data the emotion-rec task runs on: the simulated world (both presets) and the Amazon reviews (full preset)
DATASETS = ("synthetic", "amazon-musical-instruments")
