"""The pretrained-encoder path: WordPiece in the graph, checkpoint import, the encoder, fine-tuning, export.

References nobody here wrote: Hugging Face's ``tokenizers`` for token ids, KerasHub's ``BertBackbone``
(in a subprocess, Keras 3) for hidden states, and the known answer of the sentence-transformers
documentation for all-MiniLM-L6-v2.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow as tf
from tiny_bert import random_tensors, tiny_config, vocabulary, write_checkpoint

from emotion_tf.data import DataError
from emotion_tf.data.pretrained import resolve_checkpoint
from emotion_tf.sentiment.bert import BertEncoder, BertPooling
from emotion_tf.sentiment.checkpoint import CheckpointError, load_checkpoint
from emotion_tf.sentiment.explain import attention_maps, integrated_gradients
from emotion_tf.sentiment.finetune import PretrainedClassifier, length_bucketed_batches
from emotion_tf.sentiment.heads import Head
from emotion_tf.text.wordpiece import WordPieceTokenizer

TEXTS = [
    "The weather is lovely today.",
    "It's so sunny outside!",
    "not good, NOT BAD... very good?",
    "Café déjà vu — naïve résumé",
    "i didnt feel happy",
    "Don't   you\tthink\nso?",
    "emoji 😀 and ☺ too",
    "房间干净，服务很好！",
    "菜是凉的",
    "不好吃。不难吃！",
    "我觉得这家酒店还不错，but the service was terrible",
    "ＦＵＬＬ　ｗｉｄｔｈ",
    "a\u200bb\u00a0c",
    "x" * 120,
    "good " * 80,
    "",
    "   ",
    "Straße ΣΊΣΥΦΟΣ İstanbul",
    "日本語のテキストと한국어",
]


def reference_ids(tokenizer, texts, max_length):
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length)
    return [encoding.ids for encoding in tokenizer.encode_batch(texts)]


def our_ids(ours: WordPieceTokenizer, texts) -> list[list[int]]:
    return [[int(i) for i in row] for row in ours.ragged_ids(tf.constant(texts)).to_list()]


@pytest.mark.parametrize("lower_case", [True, False])
def test_token_ids_equal_hugging_face_tokenizers_on_a_tiny_vocabulary(tmp_path, lower_case):
    tokenizers = pytest.importorskip("tokenizers")
    folder = write_checkpoint(tmp_path / "tiny", lower_case=lower_case)
    reference = tokenizers.BertWordPieceTokenizer(
        str(folder / "vocab.txt"), lowercase=lower_case, strip_accents=None, clean_text=True, handle_chinese_chars=True
    )
    ours = WordPieceTokenizer.from_checkpoint(folder, max_length=48)
    assert our_ids(ours, TEXTS) == reference_ids(reference, TEXTS, 48)


def test_token_ids_equal_the_checkpoints_own_tokenizer_json(minilm):
    tokenizers = pytest.importorskip("tokenizers")
    reference = tokenizers.Tokenizer.from_file(str(minilm / "tokenizer.json"))
    ours = WordPieceTokenizer.from_checkpoint(minilm, max_length=64)
    assert our_ids(ours, TEXTS) == reference_ids(reference, TEXTS, 64)
    # the layer pads to the longest text with [PAD] (id 0), never to tokenizer.json's fixed 128
    dense = ours(tf.constant(TEXTS[:3])).numpy()
    assert dense.shape == (3, max(len(r) for r in reference_ids(reference, TEXTS[:3], 64)))


def test_head_plus_tail_truncation_keeps_the_end_of_a_long_text(tmp_path):
    folder = write_checkpoint(tmp_path / "tiny")
    head_tail = WordPieceTokenizer.from_checkpoint(folder, max_length=10, truncation="head+tail")
    head = WordPieceTokenizer.from_checkpoint(folder, max_length=10)
    text = "good " * 20 + "terrible"
    pieces = head_tail.word_pieces(tf.constant([text])).to_list()[0]
    kept = head_tail.ragged_ids(tf.constant([text, "bad"])).to_list()
    # budget 8: the first 2 pieces (a quarter) and the last 6
    assert kept[0] == [head_tail.cls_id, *pieces[:2], *pieces[-6:], head_tail.sep_id]
    assert head.ragged_ids(tf.constant([text])).to_list()[0][1:-1] == pieces[:8]
    assert kept[1] == [head_tail.cls_id, head_tail.vocabulary.index("bad"), head_tail.sep_id]  # short: untouched
    assert head_tail.piece_counts(tf.constant([text])).numpy()[0] == 21


def test_minilm_reproduces_the_published_sentence_similarities(minilm):
    checkpoint = load_checkpoint(minilm)
    sentences = ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]
    ids = checkpoint.tokenizer(tf.constant(sentences))
    padded = tf.pad(ids, [[0, 0], [0, 128 - ids.shape[1]]])  # tokenizer.json's fixed padding: must change nothing
    for batch in (ids, padded):
        vectors = BertPooling("mean")(checkpoint.encoder(batch), batch).numpy()
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        similarity = vectors @ vectors.T
        np.testing.assert_allclose(
            [similarity[0, 1], similarity[0, 2], similarity[1, 2]], [0.6660, 0.1046, 0.1411], atol=5e-4
        )
    assert sorted(checkpoint.report.not_used) == ["embeddings.position_ids", "pooler.dense.bias", "pooler.dense.weight"]
    assert len(checkpoint.report.placed) == 5 + 16 * 6


KERAS_HUB_REFERENCE = textwrap.dedent("""
    import json, os, sys
    os.environ.pop("TF_USE_LEGACY_KERAS", None)
    os.environ["KERAS_BACKEND"] = "tensorflow"
    import numpy as np
    import keras_hub
    folder, ids_json = sys.argv[1], sys.argv[2]
    ids = np.array(json.loads(ids_json))
    backbone = keras_hub.models.BertBackbone.from_preset(folder)
    out = backbone({"token_ids": ids, "segment_ids": np.zeros_like(ids), "padding_mask": (ids != 0).astype("int32")})
    print(json.dumps(np.asarray(out["sequence_output"]).tolist()))
""")


def test_hidden_states_agree_with_keras_hub(tmp_path):
    if importlib.util.find_spec("keras_hub") is None:
        pytest.skip("keras-hub (the test-only reference implementation) is not installed")
    # KerasHub's BERT always uses the tanh form of GELU, so the checkpoint asks for it (gelu_new)
    folder = write_checkpoint(tmp_path / "tiny", hidden_act="gelu_new", seed=3)
    checkpoint = load_checkpoint(folder)
    ids = checkpoint.tokenizer(tf.constant(["the movie was not good", "好吃", "i feel very happy today!"])).numpy()
    environment = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
    result = subprocess.run(
        [sys.executable, "-c", KERAS_HUB_REFERENCE, str(folder), json.dumps(ids.tolist())],
        capture_output=True,
        text=True,
        timeout=240,
        env=environment,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    reference = np.array(json.loads(result.stdout.strip().splitlines()[-1]))
    ours = checkpoint.encoder(tf.constant(ids)).numpy()
    real = ids != 0  # padded positions are not compared: neither model defines them
    assert ours.shape == reference.shape
    np.testing.assert_allclose(ours[real], reference[real], atol=1e-4)


def test_import_names_every_tensor_it_cannot_place(tmp_path):
    config = tiny_config(len(vocabulary()))
    tensors = random_tensors(config)
    del tensors["encoder.layer.1.output.dense.bias"]
    tensors["encoder.layer.0.attention.self.query.weight"] = np.zeros((16, 8), np.float32)
    tensors["encoder.layer.7.surprise.weight"] = np.zeros(3, np.float32)
    folder = write_checkpoint(tmp_path / "broken", tensors=tensors)
    with pytest.raises(CheckpointError) as error:
        load_checkpoint(folder)
    message = str(error.value)
    assert "missing tensor 'encoder.layer.1.output.dense.bias'" in message
    assert "'encoder.layer.0.attention.self.query.weight' has shape (16, 8)" in message and "(16, 16)" in message
    assert "unexpected tensor 'encoder.layer.7.surprise.weight'" in message
    assert "model.safetensors" in message


def test_a_checkpoint_whose_shapes_do_not_match_its_config_is_refused(tmp_path):
    folder = write_checkpoint(tmp_path / "tiny")
    config = json.loads((folder / "config.json").read_text())
    config["intermediate_size"] = 48
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(CheckpointError, match=r"intermediate\.dense\.weight' has shape \(32, 16\).*\(48, 16\)"):
        load_checkpoint(folder)


def test_bad_checkpoint_folders_get_clear_errors(tmp_path):
    with pytest.raises(CheckpointError, match="does not exist"):
        load_checkpoint(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CheckpointError, match="has no config.json"):
        load_checkpoint(tmp_path / "empty")
    folder = write_checkpoint(tmp_path / "truncated")
    weights = folder / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:500])
    with pytest.raises(CheckpointError, match="model.safetensors cannot be read"):
        load_checkpoint(folder)
    folder = write_checkpoint(tmp_path / "roberta")
    (folder / "config.json").write_text(json.dumps({**tiny_config(10), "model_type": "gpt2"}))
    with pytest.raises(CheckpointError, match="model_type 'gpt2' is not supported"):
        load_checkpoint(folder)
    folder = write_checkpoint(tmp_path / "short-vocabulary")
    (folder / "vocab.txt").write_text("[PAD]\n[UNK]\n[CLS]\n[SEP]\n", encoding="utf-8")
    with pytest.raises(CheckpointError, match="vocabulary has 4 tokens"):
        load_checkpoint(folder)


def test_tokenizer_json_layout_and_prefixed_tensor_names_import(tmp_path):
    tokens = vocabulary()
    config = tiny_config(len(tokens))
    plain = write_checkpoint(tmp_path / "plain")
    prefixed = write_checkpoint(
        tmp_path / "prefixed", layout="tokenizer.json", tensors=random_tensors(config, prefix="bert.")
    )
    ids = tf.constant([[2, 40, 41, 3]], tf.int64)
    np.testing.assert_allclose(load_checkpoint(plain).encoder(ids), load_checkpoint(prefixed).encoder(ids), atol=1e-6)


def test_layers_reload_from_their_config(tmp_path):
    checkpoint = load_checkpoint(write_checkpoint(tmp_path / "tiny"))
    encoder = checkpoint.encoder
    clone = BertEncoder.from_config(encoder.get_config())
    ids = checkpoint.tokenizer(tf.constant(["good food", "菜是凉的"]))
    clone(ids)
    clone.set_weights(encoder.get_weights())
    np.testing.assert_allclose(clone(ids), encoder(ids), atol=1e-6)
    tokenizer = WordPieceTokenizer.from_config(checkpoint.tokenizer.get_config())
    np.testing.assert_array_equal(tokenizer(tf.constant(["good food", "菜是凉的"])), ids)
    pooling = BertPooling.from_config(BertPooling("max", name="p").get_config())
    assert pooling.how == "max"


def test_length_bucketed_batches_pad_only_to_their_own_longest_text():
    rows = [[2] + [5] * n + [3] for n in (1, 30, 2, 29, 3, 1)]
    ids = tf.ragged.constant(rows, dtype=tf.int64)
    batches = list(length_bucketed_batches(ids, np.arange(6), batch_size=2, pad_id=0, shuffle=True, seed=1))
    seen = sorted(int(y) for _, labels in batches for y in labels.numpy())
    assert seen == list(range(6))  # every text once
    for batch, labels in batches:
        lengths = [len(rows[int(y)]) for y in labels.numpy()]
        assert batch.shape[1] == max(lengths)  # no padding beyond the batch's longest text
        assert max(lengths) - min(lengths) < 10  # short and long texts are not mixed


def planted_corpus(n: int, seed: int):
    """'good'-texts are positive, 'bad'-texts negative, among shared filler words."""
    rng = np.random.default_rng(seed)
    filler = ["the", "movie", "food", "service", "was", "so", "it", "today", "房间", "菜"]
    texts, labels = [], []
    for _ in range(n):
        label = int(rng.integers(2))
        words = list(rng.choice(filler, size=int(rng.integers(2, 8))))
        words.insert(int(rng.integers(len(words) + 1)), "good" if label else "bad")
        texts.append(" ".join(words))
        labels.append(label)
    return texts, np.array(labels)


@pytest.fixture(scope="module")
def fine_tuned(tmp_path_factory):
    """A tiny checkpoint fine-tuned on the planted corpus: (classifier, test texts, test labels, first loss, last)."""
    folder = write_checkpoint(tmp_path_factory.mktemp("tiny"), config_overrides={"hidden_dropout_prob": 0.0})
    train_texts, train_labels = planted_corpus(256, seed=0)
    test_texts, test_labels = planted_corpus(64, seed=1)
    classifier = PretrainedClassifier(
        folder,
        Head("binary", ("negative", "positive")),
        max_length=16,
        learning_rate=3e-3,
        max_epochs=6,
        patience=6,
        batch_size=16,
        seed=0,
    )
    history = classifier.fit(train_texts, train_labels, test_texts[:32], test_labels[:32], verbose=0)
    return classifier, test_texts, test_labels, history.history["loss"]


def test_fine_tuning_learns_a_planted_signal(fine_tuned):
    classifier, test_texts, test_labels, losses = fine_tuned
    assert losses[-1] < 0.5 * losses[0]
    assert (classifier.predict(test_texts) == test_labels).mean() >= 0.9
    # the optimizer knows the checkpoint's depth, for layer-wise decay (1 here: every layer alike)
    optimizer = classifier.token_model.optimizer
    assert (optimizer.num_layers, optimizer.decay) == (2, 1.0)
    with pytest.raises(ValueError, match="text 1 is empty"):
        classifier.predict_proba(["good", "  "])
    with pytest.raises(ValueError, match="text 0 is not valid UTF-8"):
        classifier.predict_proba([b"\xff\xfe"])


def test_the_export_reads_raw_strings_in_a_fresh_process(fine_tuned, tmp_path):
    classifier, test_texts, _, _ = fine_tuned
    probabilities = classifier.predict_proba(test_texts[:8])
    classifier.save(tmp_path / "saved")
    probe = textwrap.dedent(f"""
        import json
        import tensorflow as tf
        import emotion_tf
        from emotion_tf.sentiment.classifier import SentimentClassifier
        classifier = SentimentClassifier.load({str(tmp_path / "saved")!r})
        serve = classifier.serve  # the SavedModel itself: raw strings in, probabilities out
        answer = serve(tf.constant({test_texts[:8]!r})).numpy().tolist()
        # without Keras, as TF Serving reads it: the raw-string signature
        signature = tf.saved_model.load({str(tmp_path / "saved" / "model")!r}).signatures["serving_default"]
        plain = signature(texts=tf.constant({test_texts[:8]!r}))["output_0"].numpy().tolist()
        print(json.dumps([answer, plain, classifier.head.to_json(), classifier.tokenizer.max_length]))
    """)
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-2000:]
    answer, plain, head, max_length = json.loads(result.stdout.strip().splitlines()[-1])
    np.testing.assert_allclose(answer, probabilities, atol=1e-5)
    np.testing.assert_allclose(plain, probabilities, atol=1e-5)
    # the reloaded classifier (loaded in that process only: a load costs seconds) knows its head and tokenizer
    assert Head.from_json(head) == classifier.head and max_length == 16


def test_integrated_gradients_over_word_pieces_find_the_cue(fine_tuned):
    classifier = fine_tuned[0]
    tokens, scores, info = integrated_gradients(classifier, "the food was good today", steps=64)
    assert tokens == ["[CLS]", "the", "food", "was", "good", "today", "[SEP]"]
    assert info["target"] == 1
    assert scores.sum() == pytest.approx(info["probability"] - info["baseline_probability"], abs=0.03)
    # [CLS] and [SEP] are in every text; of the text's own word pieces the cue weighs most
    words = scores[1:-1]
    assert tokens[1 + int(np.argmax(words))] == "good" and words.max() > 0
    names, maps = attention_maps(classifier, "the food was bad")
    assert names[0] == "[CLS]" and len(maps) == 2 and maps[0].shape == (2, 6, 6)
    np.testing.assert_allclose(maps[1].sum(-1), 1.0, atol=1e-5)


def test_checkpoints_resolve_like_datasets(tmp_path):
    data = tmp_path / "data"
    folder = write_checkpoint(data / "pretrained" / "tiny-bert")
    assert resolve_checkpoint(folder) == folder  # a folder as it is
    assert resolve_checkpoint("tiny-bert", data_dir=data) == folder  # by name under <data>/pretrained/
    with pytest.raises(DataError, match="tiny-bert"):
        resolve_checkpoint("tiny-bert", data_dir=tmp_path / "elsewhere")
    with pytest.raises(DataError, match="has no config.json"):
        resolve_checkpoint(tmp_path)
    # a known model's files are checked against their pins wherever they are found
    fake = write_checkpoint(data / "pretrained" / "all-MiniLM-L6-v2")
    for name in (
        "1_Pooling/config.json",
        "config_sentence_transformers.json",
        "modules.json",
        "sentence_bert_config.json",
        "special_tokens_map.json",
        "tokenizer.json",
    ):
        (fake / name).parent.mkdir(parents=True, exist_ok=True)
        (fake / name).write_text("{}")
    with pytest.raises(DataError, match="sha256"):
        resolve_checkpoint("all-MiniLM-L6-v2", data_dir=data, download=False)


def test_fine_tuning_runs_under_mixed_precision_and_xla(tmp_path):
    from emotion_tf.training import distribution

    # one block: what is tested here does not depend on depth, and each block costs tracing time
    folder = write_checkpoint(tmp_path / "tiny", config_overrides={"hidden_dropout_prob": 0.0, "num_hidden_layers": 1})
    texts, labels = planted_corpus(128, seed=2)
    try:
        distribution.set_mixed_precision(True)
        distribution.set_jit(True)
        classifier = PretrainedClassifier(
            folder,
            Head("binary", ("negative", "positive")),
            max_length=16,
            learning_rate=3e-3,
            max_epochs=3,
            patience=3,
            batch_size=16,
        )
        history = classifier.fit(texts[:96], labels[:96], texts[96:], labels[96:], verbose=0)
    finally:
        distribution.set_mixed_precision(False)
        distribution.set_jit(False)
    assert classifier.encoder.compute_dtype == "float16" and classifier.encoder.weights[0].dtype == tf.float32
    ids = classifier.tokenizer(tf.constant(texts[:4]))
    assert classifier.token_model(ids).dtype == tf.float32  # the head's probabilities stay float32
    assert history.history["loss"][-1] < history.history["loss"][0]


def planted_multilabel_corpus(n: int, seed: int):
    """Two independent labels: 'good' in a text marks label 0, 'fast' marks label 1."""
    rng = np.random.default_rng(seed)
    filler = ["the", "movie", "food", "service", "was", "so", "it", "today"]
    texts, labels = [], np.zeros((n, 2), dtype=np.float32)
    for row in range(n):
        words = list(rng.choice(filler, size=int(rng.integers(2, 6))))
        for label, cue in enumerate(("good", "fast")):
            if rng.random() < 0.4:
                words.insert(int(rng.integers(len(words) + 1)), cue)
                labels[row, label] = 1
        texts.append(" ".join(words))
    return texts, labels


def best_macro_f1_by_hand(truth, probabilities) -> float:
    """max over the threshold grid of the mean over labels of 2TP / (2TP + FP + FN)."""
    from emotion_tf.metrics.classification import THRESHOLD_GRID

    best = 0.0
    for threshold in THRESHOLD_GRID:
        predicted = probabilities >= threshold
        f1 = []
        for c in range(truth.shape[1]):
            tp = np.sum(predicted[:, c] & (truth[:, c] == 1))
            wrong = np.sum(predicted[:, c] != (truth[:, c] == 1))
            f1.append(2 * tp / (2 * tp + wrong) if tp + wrong else 0.0)
        best = max(best, float(np.mean(f1)))
    return best


def test_multi_label_fine_tuning_can_stop_on_validation_macro_f1(tmp_path):
    folder = write_checkpoint(tmp_path / "tiny", config_overrides={"hidden_dropout_prob": 0.0, "num_hidden_layers": 1})
    texts, labels = planted_multilabel_corpus(256, seed=3)
    head = Head("multilabel", ("good", "fast"))
    settings = dict(max_length=16, learning_rate=3e-3, max_epochs=6, patience=6, batch_size=16, seed=0)
    classifier = PretrainedClassifier(folder, head, monitor="val_macro_f1", **settings)
    history = classifier.fit(texts[:192], labels[:192], texts[192:], labels[192:], verbose=0).history
    assert len(history["val_macro_f1"]) == len(history["loss"]) == 6
    # the best epoch's weights are restored: recomputed by hand, validation macro F1 is the best logged one
    again = best_macro_f1_by_hand(labels[192:], classifier.predict_proba(texts[192:]))
    assert again == pytest.approx(max(history["val_macro_f1"]), abs=1e-6)
    assert again >= 0.9  # both planted cues learned

    with pytest.raises(ValueError, match="needs a multi-label head"):
        PretrainedClassifier(folder, Head("binary", ("negative", "positive")), monitor="val_macro_f1")
    with pytest.raises(ValueError, match="monitor must be one of"):
        PretrainedClassifier(folder, head, monitor="val_f1")


def test_a_known_checkpoint_downloads_verified_into_the_cache(tmp_path, monkeypatch):
    """The hub download, against a local server: every file pinned; a bad file leaves nothing behind."""
    import hashlib
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from emotion_tf.data import pretrained

    source = write_checkpoint(tmp_path / "source")
    files = {path.name: path.read_bytes() for path in source.iterdir()}

    class Hub(BaseHTTPRequestHandler):
        routes = {}

        def do_GET(self):
            body = self.routes.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    Hub.routes = {f"/org/tiny-known/resolve/main/{name}": body for name, body in files.items()}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Hub)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        monkeypatch.setattr(pretrained, "HUB", f"http://127.0.0.1:{httpd.server_address[1]}")
        pins = {name: hashlib.sha256(body).hexdigest() for name, body in files.items()}
        monkeypatch.setitem(pretrained.KNOWN_CHECKPOINTS, "tiny-known", ("org/tiny-known", pins))
        folder = resolve_checkpoint("tiny-known", data_dir=tmp_path / "empty-data", download=True)
        assert folder == tmp_path / "cache" / "pretrained" / "tiny-known"
        assert load_checkpoint(folder).config.hidden_size == 16
        # a file on the hub that no longer matches its pin: refused, and the cache keeps nothing of it
        monkeypatch.setitem(
            pretrained.KNOWN_CHECKPOINTS, "tiny-changed", ("org/tiny-known", {**pins, "vocab.txt": "0" * 64})
        )
        with pytest.raises(DataError, match="vocab.txt"):
            resolve_checkpoint("tiny-changed", data_dir=tmp_path / "empty-data", download=True)
        assert not (tmp_path / "cache" / "pretrained" / "tiny-changed").exists()
        assert [p.name for p in (tmp_path / "cache" / "pretrained").iterdir()] == ["tiny-known"]
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_killed_fine_tuning_resumes_from_its_last_finished_epoch(tmp_path):
    # one block: what is tested here does not depend on depth, and each block costs tracing time
    folder = write_checkpoint(tmp_path / "tiny", config_overrides={"hidden_dropout_prob": 0.0, "num_hidden_layers": 1})
    texts, labels = planted_corpus(96, seed=3)

    class Killed(Exception):
        pass

    class KillAfterFirstEpoch(tf.keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 0:
                raise Killed

    class Epochs(tf.keras.callbacks.Callback):
        seen = []

        def on_epoch_begin(self, epoch, logs=None):
            self.seen.append(epoch)

    def classifier():
        return PretrainedClassifier(
            folder,
            Head("binary", ("negative", "positive")),
            max_length=16,
            learning_rate=3e-3,
            max_epochs=3,
            patience=3,
            batch_size=16,
        )

    with pytest.raises(Killed):
        classifier().fit(
            texts[:64],
            labels[:64],
            texts[64:],
            labels[64:],
            callbacks=[KillAfterFirstEpoch()],
            verbose=0,
            backup_dir=tmp_path / "backup",
        )
    assert (tmp_path / "backup").is_dir()  # the finished epoch was saved
    resumed = classifier()
    history = resumed.fit(
        texts[:64],
        labels[:64],
        texts[64:],
        labels[64:],
        callbacks=[Epochs()],
        verbose=0,
        backup_dir=tmp_path / "backup",
    )
    assert Epochs.seen == [1, 2]  # epoch 0 was not trained again
    assert len(history.history["loss"]) == 2
    assert not (tmp_path / "backup").exists() or not any((tmp_path / "backup").iterdir())  # cleaned up when done


def test_layer_decay_scales_each_layers_first_adam_step():
    """Adam's first step moves every weight by the learning rate (m/sqrt(v) = sign(g)); with layer decay d over an
    encoder of 2 blocks the head moves by lr, block 1 by lr d, block 0 by lr d^2, the embeddings by lr d^3. With
    d = 1 it is Keras's AdamW to the last bit, weight decay included."""
    from emotion_tf.sentiment.layer_decay import LayerDecayAdamW, layer_factor

    names = ["probabilities/kernel", "bert_encoder/layer_1/attention/query", "bert_encoder/layer_0/output_dense/kernel"]
    names.append("bert_encoder/embedding/word_embeddings/embeddings")
    assert [layer_factor(n, 2, 0.5) for n in names] == [1.0, 0.5, 0.25, 0.125]

    def one_step(optimizer):
        variables = [tf.Variable(np.full(3, 2.0, np.float32), name=name) for name in names]
        gradients = [tf.constant([1.0, -2.0, 0.5]) for _ in names]
        optimizer.apply_gradients(zip(gradients, variables))
        return np.stack([2.0 - v.numpy() for v in variables])  # each weight's step

    steps = one_step(LayerDecayAdamW(num_layers=2, decay=0.5, learning_rate=1e-2, weight_decay=0.0))
    expected = 1e-2 * np.array([1.0, 0.5, 0.25, 0.125])[:, None] * np.sign([1.0, -2.0, 0.5])
    np.testing.assert_allclose(steps, expected, rtol=1e-4)
    plain = one_step(tf.keras.optimizers.AdamW(learning_rate=1e-2, weight_decay=0.01))
    same = one_step(LayerDecayAdamW(num_layers=2, decay=1.0, learning_rate=1e-2, weight_decay=0.01))
    np.testing.assert_array_equal(same, plain)
    # weight decay is scaled by the layer's factor too: lr * wd * w on top of the Adam step
    decayed = one_step(LayerDecayAdamW(num_layers=2, decay=0.5, learning_rate=1e-2, weight_decay=0.1))
    factors = np.array([1.0, 0.5, 0.25, 0.125])[:, None] * np.ones(3)
    np.testing.assert_allclose(decayed - steps, 1e-2 * 0.1 * 2.0 * factors, rtol=1e-3)
    with pytest.raises(ValueError, match="layer decay must be in"):
        LayerDecayAdamW(num_layers=2, decay=1.5, learning_rate=1e-2)


def test_the_full_preset_stops_multi_label_fine_tuning_on_macro_f1(tmp_path):
    from types import SimpleNamespace

    from emotion_tf.sentiment.experiment import make_classifier
    from emotion_tf.tasks.presets import bert_settings

    folder = write_checkpoint(tmp_path / "tiny")
    for kind, labels in (("multilabel", ("joy", "anger")), ("binary", ("negative", "positive"))):
        corpus = SimpleNamespace(head=Head(kind, labels), sequence_length=16)
        classifier = make_classifier(corpus, bert_settings(corpus.head.multi_label, folder))
        assert classifier.monitor == ("val_macro_f1" if kind == "multilabel" else "val_loss")
        assert classifier.checkpoint == folder
