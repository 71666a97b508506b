"""Scores -> results records, written to TensorBoard on the way: the one place every task turns its
evaluation into records."""

from __future__ import annotations

from emotion_tf.training.results import ResultRecord
from emotion_tf.training.tensorboard import trial_name, write_hparams, write_metrics

HEADLINE = ("recall@20", "ndcg@20", "accuracy", "macro_f1", "hit_rate@10", "rmse", "mean_reward")


def split_records(
    task: str,
    model: str,
    dataset: str,
    seed: int,
    scores: dict,
    folder,
    *,
    seconds=None,
    examples=None,
    config=None,
    params=None,
    hparams=None,
) -> list[ResultRecord]:
    """One ``ResultRecord`` per split of ``scores`` ({split: {metric: value}}).

    Each split's metrics become TensorBoard scalars ``<split>/<metric>`` under ``folder``, and the run gets one
    HParams entry: ``hparams`` (default: the scalar entries of ``config``) with the model, dataset and seed,
    against the headline metrics of its test (or only) split, so every run compares in the HParams view.
    """
    config = dict(config or {})
    records = []
    for split, metrics in scores.items():
        write_metrics(folder, split, metrics)
        records.append(
            ResultRecord(
                task=task,
                model=model,
                dataset=dataset,
                split=split,
                seed=seed,
                metrics=metrics,
                train_seconds=seconds,
                params=params,
                config=config,
                logdir=str(folder),
                examples_per_second=None if not seconds or examples is None else examples / seconds,
            )
        )
    final = scores.get("test") or next(iter(scores.values()), {})
    headline = {f"{split_name(scores)}_{m}": final[m] for m in HEADLINE if isinstance(final.get(m), (int, float))}
    if headline:
        entries = (
            hparams
            if hparams is not None
            else {k: v for k, v in config.items() if isinstance(v, (bool, int, float, str))}
        )
        write_hparams(
            folder,
            {"task": task, "model": model, "dataset": dataset, "seed": seed, **entries},
            headline,
            trial_id=trial_name(task, model, dataset, seed),
        )
    return records


def split_name(scores: dict) -> str:
    return "test" if "test" in scores else next(iter(scores), "test")
