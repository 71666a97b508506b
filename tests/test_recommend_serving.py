"""Serving top-K: equals numpy brute force with seen items masked; new users; fallback; bad input; fresh process."""

import contextlib
import io
import re
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
from conftest import REPOSITORY, load_script
from test_softmax_cf import planted_interactions

from emotion_tf import data
from emotion_tf.recommend import SoftmaxCFSettings, train_softmax_cf
from emotion_tf.recommend.export import export, load, softmax_cf_recommender
from emotion_tf.recommend.softmax_cf_training import history_rows


@pytest.fixture(scope="module")
def trained():
    splits = data.split_interactions(planted_interactions(), seed=0)
    result = train_softmax_cf(splits, SoftmaxCFSettings(dim=8, epochs=3, batch_size=16), seed=0)
    return splits, result.model, softmax_cf_recommender(result.model, splits)


def numpy_top_k(scores, exclude, k):
    scores = np.where(exclude, -np.inf, scores)
    return np.argsort(-scores, kind="stable")[:k]


def test_for_user_equals_masked_numpy_brute_force(trained):
    splits, model, module = trained
    rows = history_rows(splits, "train", "validation")
    logits = model({"history": rows}).numpy()
    for user in (0, 7, 31):
        answer = module.for_user(np.int64(splits.user_ids[user]), np.int32(5))
        expected = splits.item_ids[numpy_top_k(logits[user], rows[user] > 0, 5)]
        np.testing.assert_array_equal(answer["item_ids"].numpy(), expected)
        np.testing.assert_allclose(
            answer["scores"].numpy(), np.sort(logits[user][rows[user] == 0])[::-1][:5], rtol=1e-4, atol=1e-5
        )
        assert not set(answer["item_ids"].numpy()) & set(splits.item_ids[rows[user] > 0])
        assert not bool(answer["fallback"])
    batch = module.for_users(tf.constant(splits.user_ids[[0, 7]], tf.int64), np.int32(5))["item_ids"].numpy()
    np.testing.assert_array_equal(batch[1], module.for_user(np.int64(splits.user_ids[7]), np.int32(5))["item_ids"])


def test_new_user_from_items_and_unknown_user(trained):
    splits, model, module = trained
    seen = splits.item_ids[[0, 1, 2]]
    answer = module.for_items(tf.constant(list(seen) + [10_000], tf.int64), np.int32(4))["item_ids"].numpy()
    history = np.zeros((1, splits.n_items), np.float32)
    history[0, [0, 1, 2]] = 1
    expected = splits.item_ids[numpy_top_k(model({"history": history}).numpy()[0], history[0] > 0, 4)]
    np.testing.assert_array_equal(answer, expected)
    unknown = module.for_user(np.int64(10_000), np.int32(3))
    popularity = history_rows(splits, "train", "validation").sum(0)
    assert bool(unknown["fallback"])
    np.testing.assert_array_equal(unknown["scores"].numpy(), np.sort(popularity)[::-1][:3])


@pytest.mark.parametrize("k", [0, -1, 41])
def test_k_out_of_range_is_refused(trained, k):
    splits, _, module = trained
    with pytest.raises(tf.errors.InvalidArgumentError, match="k "):
        module.for_user(np.int64(splits.user_ids[0]), np.int32(k))


def run(*args):
    return subprocess.run(
        [sys.executable, str(REPOSITORY / "scripts" / "recommend.py"), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


RECOMMEND = load_script("recommend")


def run_here(*args):
    """The script's main in this process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = RECOMMEND.main(list(args))
    return status, out.getvalue(), err.getvalue()


def test_export_answers_in_a_fresh_process(trained, tmp_path):
    splits, _, module = trained
    folder = export(module, tmp_path / "rec")
    loaded, items = load(folder)
    assert list(items["item_id"]) == list(splits.item_ids)
    user = int(splits.user_ids[3])
    expected = module.for_user(np.int64(user), np.int32(3))["item_ids"].numpy()
    shown = run(str(folder), "--user", str(user), "-k", "3")
    assert shown.returncode == 0, shown.stderr
    listed = [int(line.split()[1]) for line in shown.stdout.splitlines() if line.strip()[:1].isdigit()]
    assert listed == list(expected)
    # every other case in this process: the same main, without a TensorFlow start-up per case
    status, out, _ = run_here(str(folder), "--user", "123456", "-k", "2")
    assert status == 0 and "popularity fallback" in out
    assert run_here(str(folder), "--user", str(user), "-k", "0")[0] == 2
    status, _, err = run_here(str(folder), "--items", "1,x")
    assert status == 2 and "comma-separated integer item ids" in err
    status, _, err = run_here(str(folder), "--user", str(user), "-k", str(len(splits.item_ids)))
    assert status == 2 and "Graph execution" not in err
    assert re.search(
        rf"-k {len(splits.item_ids)}: k exceeds the number of items left after excluding seen ones "
        rf"\(asked for {len(splits.item_ids)}, at most \d+\)",
        err,
    ), err
    lines = (folder / "items.tsv").read_text().splitlines()
    (folder / "items.tsv").write_text("\n".join(lines[:3] + ["seven"] + lines[4:]) + "\n")
    status, _, err = run_here(str(folder), "--user", str(user), "-k", "3")
    assert status == 2 and "items.tsv, line 4: item_id 'seven' is not an integer" in err
    (folder / "items.tsv").write_text("\n".join(lines[:3] + ["7\tan extra field"] + lines[4:]) + "\n")
    status, _, err = run_here(str(folder), "--user", str(user), "-k", "3")
    assert status == 2 and "items.tsv is not a tab-separated items table" in err and "line 4" in err
    status, _, err = run_here(str(tmp_path / "nothing"), "--user", "1")
    assert status == 2 and "no exported recommender" in err
    graph = folder / "saved_model" / "saved_model.pb"
    graph.write_bytes(graph.read_bytes()[:100])  # a truncated copy
    status, _, err = run_here(str(folder), "--user", str(user), "-k", "3")
    assert status == 2 and "saved_model.pb is corrupt" in err
