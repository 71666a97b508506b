"""The quick preset end to end, on smaller worlds (one run shared by every test here), for the behaviour,
recommendation and emotion-driven tasks: every task writes results records and TensorBoard event files whose
scalar tags hold its metrics, and each task's models learn.

The text tasks (``text-baselines``, ``sentiment``, ``sentiment-pretrained``) and ``behavior-sequence`` are left
out of this run: they are most of the quick preset's time, and their records, TensorBoard logs and learning
are tested on their own (``test_train_all.py::test_text_baselines_task_on_tiny_data``,
``test_sentiment_task.py``, ``test_pretraining.py``, ``test_sequence.py``). The whole quick preset stays a
command: ``python scripts/train_all.py``."""

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from test_train_all import train_all

from emotion_tf.emotion_rec.model import VARIANTS
from emotion_tf.emotion_rec.profile_file import load_profiles
from emotion_tf.recommend.export import load
from emotion_tf.tasks import TASKS
from emotion_tf.tasks import emotion_rec as emotion_rec_task
from emotion_tf.tasks.presets import QUICK_EMOTION_REC, QUICK_RECOMMEND
from emotion_tf.training.tensorboard import (
    TRIAL_COLUMNS,
    read_experiment,
    read_hparams,
    read_scalars,
    read_tags,
    read_texts,
)

# the sequence model's task is left out too: its learning is tested on its own (test_sequence.py)
LEFT_OUT = ("text-baselines", "sentiment", "sentiment-pretrained", "behavior-sequence")
RUN_TASKS = tuple(task for task in TASKS if task not in LEFT_OUT)


# Smaller simulated worlds than the quick preset's, so that the suite stays fast; the preset itself (its own
# worlds) runs as the command `python scripts/train_all.py`.
SMALL_WORLD = dict(n_users=300, n_items=200, sessions_per_user=12, seed=0)
SMALL_EMOTION_WORLD = dict(
    n_users=250, n_items=100, sessions_per_user=10, review_language="en", review_mood=1.5, seed=0
)
SMALL_VARIANTS = {name: VARIANTS[name] for name in ("behavior-only", "user+item-emotion")}
SMALL_BANDIT_WORLD = dict(n_users=150, n_items=50, sessions_per_user=10, review_language="en", review_mood=1.5, seed=0)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("quick")
    with pytest.MonkeyPatch.context() as patch:
        for task in ("baselines", "behavior", "recommend"):
            patch.setattr(f"emotion_tf.tasks.{task}.QUICK_WORLD", SMALL_WORLD)
        patch.setattr("emotion_tf.tasks.emotion_rec.QUICK_EMOTION_WORLD", SMALL_EMOTION_WORLD)
        patch.setattr("emotion_tf.tasks.emotion_rec.BANDIT_WORLD", SMALL_BANDIT_WORLD)
        # M(E, I, F) without and with emotion (and the true-mood ceiling): every variant learns in test_emotion_rec.py
        patch.setattr("emotion_tf.tasks.emotion_rec.VARIANTS", SMALL_VARIANTS)
        patch.setitem(QUICK_EMOTION_REC, "simulated_rounds", 500)
        patch.setitem(QUICK_RECOMMEND, "softmax_cf", dataclasses.replace(QUICK_RECOMMEND["softmax_cf"], patience=4))
        patch.setitem(QUICK_RECOMMEND, "retrieval_epochs", 8)
        # the lexicon alone scores the reviews: the LSTM scorer is tested on its own (test_review_scores.py)
        patch.setattr(emotion_rec_task.emotion_rec, "__defaults__", (("lexicon",),))
        status = train_all.main(
            ["--logdir", str(folder), "--results", str(folder / "results.json"), "--only", ",".join(RUN_TASKS)]
        )
    assert status == 0
    return folder, json.loads((folder / "results.json").read_text())


def test_every_task_writes_records(quick_run):
    _, records = quick_run
    assert set(RUN_TASKS) == {
        "ranking-baselines",
        "behavior-gcn",
        "behavior-graph-filters",
        "behavior-typed",
        "recommend",
        "emotion-rec",
    }
    assert {r["task"] for r in records} == set(RUN_TASKS)
    for record in records:
        assert (
            record["metrics"]
            and record["hardware"]
            and record["split"] in ("validation", "test", "online", "checklist")
        )


def test_every_record_has_its_scalars_in_tensorboard(quick_run):
    folder, records = quick_run
    for record in records:
        logdir = folder / record["logdir"]  # relative to the run folder, so results files name no machine path
        assert not Path(record["logdir"]).is_absolute() and logdir.is_dir(), record
        scalars = read_tags(logdir)["scalars"]
        metric = next(m for m, v in record["metrics"].items() if isinstance(v, float))
        # the Text tab's table holds the same number, for final metrics that Scalars draws as one point
        table = read_texts(logdir).get(f"{record['split']}/metrics", "")
        assert f"| {metric} | {record['metrics'][metric]:.4f} |" in table, (record["task"], record["model"], metric)
        assert any(tag.endswith(f"{record['split']}/{metric}") for tag in scalars), (
            record["task"],
            record["model"],
            metric,
            sorted(scalars)[:5],
        )


def test_hparams_trials_are_named_and_hold_their_records_numbers(quick_run):
    folder, records = quick_run
    trials = read_hparams(folder)
    assert trials, "no HParams trial was written"
    by_run = {r["logdir"]: r for r in records if r["split"] == "test"}
    checked = 0
    for run, trial in trials.items():
        record = by_run.get(run)
        if record is None:  # e.g. the bandit's online runs: checked through their own records below
            continue
        assert trial["trial"] == f"{record['task']}/{record['model']}/{record['dataset']}/seed{record['seed']}"
        assert {trial["hparams"][k] for k in ("task", "model", "dataset")} == {
            record["task"],
            record["model"],
            record["dataset"],
        }
        for name, value in trial["metrics"].items():
            assert name.startswith("test_") and value == pytest.approx(record["metrics"][name[5:]], rel=1e-6)
            checked += 1
    assert checked >= 10


def test_runs_compare_in_the_hparams_view(quick_run):
    folder, _ = quick_run
    hparams_runs = {
        path.parent for path in folder.rglob("events.out.tfevents.*") if "hparams" in read_tags(path.parent)
    }
    tasks_with_hparams = {path.relative_to(folder).parts[0] for path in hparams_runs if path != folder}
    assert {"behavior-gcn", "recommend", "emotion-rec"} <= tasks_with_hparams
    # one experiment per task, whose metric columns are those its trials wrote
    trials = read_hparams(folder)
    for task in RUN_TASKS:
        experiment = read_experiment(folder / task)
        written = {name for run, trial in trials.items() if run.startswith(f"{task}/") for name in trial["metrics"]}
        assert experiment is not None and set(experiment["metrics"]) == written, task
        assert set(TRIAL_COLUMNS) <= set(experiment["hparams"])
    assert read_experiment(folder) is None  # none over the run: TensorBoard would show one arbitrary experiment


def test_the_quick_preset_writes_projector_data_tensorboard_lists(quick_run):
    folder, _ = quick_run
    for run in ("behavior-gcn/synthetic/gcn/projector", "recommend/synthetic/softmax-cf/projector"):
        projector = folder / run
        assert (projector / "projector_config.pbtxt").is_file(), run
        assert list(projector.glob("events.out.tfevents.*")), f"{run}: no event file, so TensorBoard hides it"
        items = (projector / "items_metadata.tsv").read_text(encoding="utf-8").splitlines()
        assert items[0].startswith("item_id\t") and len(items) > 100  # a header and one row per item


def _test_records(records, task):
    return {r["model"]: r for r in records if r["task"] == task and r["split"] == "test"}


def test_behavior_tasks_learn_and_log_their_curves(quick_run):
    folder, records = quick_run
    gcn_task, filters, typed = (
        _test_records(records, t) for t in ("behavior-gcn", "behavior-graph-filters", "behavior-typed")
    )
    assert set(gcn_task) == {"pop", "ease", "gcn", "gcn-article", "lightgcn", "mf-bpr"}
    assert set(filters) == {"gf-cf", "gf-ease", "softmax-cf-gf-ease"}
    assert set(typed) == {"pop", "gcn-purchases-only", "gcn-typed-events"}
    gcn = gcn_task["gcn"]["metrics"]["recall@20"]
    # tastes drive the simulated choices: the normalized GCN learns them, the article's literal A D H barely
    assert gcn > gcn_task["pop"]["metrics"]["recall@20"] + 0.1
    assert gcn > gcn_task["gcn-article"]["metrics"]["recall@20"] + 0.1
    # the normalized adjacency alone (GF-CF, no training) already ranks far above popularity, and so does the
    # filter least squares fits on it (GF-EASE), on the same split
    for name in ("gf-cf", "gf-ease", "softmax-cf-gf-ease"):
        assert filters[name]["metrics"]["recall@20"] > gcn_task["pop"]["metrics"]["recall@20"] + 0.1
    # softmax CF fed GF-EASE's scores: the weight is the best of its validation values (w = 0: softmax CF alone)
    blend = filters["softmax-cf-gf-ease"]["config"]
    assert blend["validation_by_weight"][f"{blend['gf_ease_weight']:g}"] == max(blend["validation_by_weight"].values())
    selected = [r for m, r in {**gcn_task, **filters}.items() if m != "pop"]
    assert all(r["config"]["selected_on"] == "validation ndcg@20" for r in selected)
    # MF-BPR learns within the quick budget too (with the full preset's rate it stayed below popularity)
    assert gcn_task["mf-bpr"]["metrics"]["recall@20"] > gcn_task["pop"]["metrics"]["recall@20"]
    assert typed["gcn-typed-events"]["metrics"]["recall@20"] > typed["pop"]["metrics"]["recall@20"] + 0.1
    run = folder / "behavior-gcn" / "synthetic" / "gcn"
    curves = read_scalars(run)
    epochs = gcn_task["gcn"]["config"]["epochs_run"]
    # the TensorBoard callback: train/epoch/loss, validation/epoch/recall@20 (from ValidationRanking)
    assert (
        len(read_scalars(run / "validation")["epoch/recall@20"])
        == epochs
        == len(read_scalars(run / "train")["epoch/loss"])
    )
    assert curves["test/recall@20"][0][1] == pytest.approx(gcn, rel=1e-6)
    assert {"embeddings/users", "embeddings/items"} <= read_tags(folder / "behavior-gcn")["histograms"]


def test_recommend_task_learns_exports_and_times_serving(quick_run):
    folder, records = quick_run
    test = _test_records(records, "recommend")
    assert set(test) == {"pop", "ease", "softmax-cf", "tfrs-retrieval", "softmax-cf-serving"}
    assert test["softmax-cf"]["metrics"]["recall@20"] > test["pop"]["metrics"]["recall@20"] + 0.1
    assert test["tfrs-retrieval"]["metrics"]["recall@20"] > test["pop"]["metrics"]["recall@20"]
    speed = test["softmax-cf-serving"]["metrics"]
    # the speed record holds the served and the numpy timings, each summarised the same way (tested in test_metrics)
    assert set(speed) >= {f"{who}{m}" for who in ("", "numpy_") for m in ("latency_p50_ms", "latency_p95_ms")}
    export = test["softmax-cf-serving"]["config"]["export"]  # relative to the run folder, as every logdir
    assert not Path(export).is_absolute()
    served, _ = load(folder / export)
    answer = served.for_user(np.int64(0), np.int32(5))
    assert len(set(answer["item_ids"].numpy())) == 5 and not bool(answer["fallback"])
    # val_* logs go under validation/ as epoch/*: one point per epoch run
    curves = read_scalars(folder / "recommend" / "synthetic" / "softmax-cf" / "validation")
    assert len(curves["epoch/recall@20"]) == test["softmax-cf"]["config"]["epochs_run"]
    assert "hparams/test_recall@20" in read_scalars(folder / "recommend" / "synthetic" / "softmax-cf")


def test_emotion_rec_task_writes_its_variants_profiles_and_bandit(quick_run):
    folder, records = quick_run
    test = _test_records(records, "emotion-rec")
    assert {"pop", *SMALL_VARIANTS, "oracle-true-mood"} <= set(test) and "user-emotion" not in test
    assert {"recall@20", "ndcg@20", "precision@10", "f1@10", "rmse"} <= set(test["user+item-emotion"]["metrics"])
    assert test["behavior-only"]["metrics"]["recall@20"] > test["pop"]["metrics"]["recall@20"] + 0.1
    # the simulated reviews are coloured by the writer's mood: the state read from them must track it
    assert test["emotion-state"]["metrics"]["pearson_lexicon_intensity_true_mood"] > 0.3
    online = {r["model"] for r in records if r["task"] == "emotion-rec" and r["split"] == "online"}
    assert online == {"bandit-linucb", "bandit-linucb-no-emotion", "bandit-fixed", "bandit-random"}
    profiles = load_profiles(folder / "emotion-rec" / "synthetic" / "user+item-emotion" / "profiles.json")
    assert len(profiles["users"]) == SMALL_EMOTION_WORLD["n_users"]
    bandit = folder / "emotion-rec" / "synthetic-bandit" / "feedback-loop"
    assert (bandit / "reward_and_regret.png").is_file()
    assert "online/reward_and_regret" in read_tags(bandit)["images"]
