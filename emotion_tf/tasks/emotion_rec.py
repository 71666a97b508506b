"""The emotion-driven recommendation task (second article, steps 1-5): ``emotion-rec``.

For each dataset (quick: a small simulated world; full: a larger simulated world and Amazon Musical
Instruments reviews):

1. review scores from a lexicon and an LSTM, both fitted on the reviews of training pairs only;
2. features I, E, F of every interaction at its own time (``emotion_rec.features``);
3. M(E, I, F) trained in three variants (no emotion / the user's / the user's and the item's), full ranking
   and ratings on the temporal split's validation and test interactions, beside Pop; on the simulated world
   also the same model with the hidden true mood in E's place (``oracle-true-mood``: a ceiling, not a model);
4. user profiles of the full model, written as JSON beside its TensorBoard run;
5. the feedback loop: LinUCB with and without emotion features against a fixed model and a random
   policy, on the simulated world (interactive) and on Amazon (replay), with the reward/regret plot.

The simulated world here lets the writer's mood colour reviews more strongly (``review_mood`` 1.5 instead of
the default 0.5): with 0.5 the decayed review intensity correlates only 0.32 with the true mood (1.5: 0.57),
so there is little emotion for any model to read.  Reviews are in English so one lexicon and one LSTM serve.
"""

from __future__ import annotations

import time

import numpy as np

from emotion_tf import data
from emotion_tf.baselines.popularity import item_counts
from emotion_tf.data.pretrained import DEFAULT_ENGLISH, resolve_checkpoint
from emotion_tf.emotion_rec.environments import offline_reviews, replay_rounds, replay_warmup, simulated_rounds
from emotion_tf.emotion_rec.features import from_amazon, from_simulated_world, query_features, with_true_mood
from emotion_tf.emotion_rec.feedback import feedback_figure, feedback_loop
from emotion_tf.emotion_rec.model import VARIANTS, Blocks
from emotion_tf.emotion_rec.model_training import (
    EmotionRecSettings,
    evaluate_emotion_model,
    rank_metrics,
    train_emotion_model,
)
from emotion_tf.emotion_rec.profile_file import save_profiles
from emotion_tf.emotion_rec.profiles import build_profiles
from emotion_tf.emotion_rec.review_scores import ClassifierScorer, LexiconScorer, intensity_columns
from emotion_tf.emotion_rec.scorer_names import DATASETS, DEFAULT_SCORERS, SCORER_CHOICES
from emotion_tf.metrics.regression import pearson, spearman
from emotion_tf.tasks.presets import (
    BANDIT_WORLD,
    EMOTION_WORLD,
    FULL_EMOTION_REC,
    QUICK_EMOTION_REC,
    QUICK_EMOTION_WORLD,
)
from emotion_tf.training.records import split_records
from emotion_tf.training.registry import RunContext, register_task
from emotion_tf.training.results import ResultRecord
from emotion_tf.training.tensorboard import run_folder, write_figure

TASK = "emotion-rec"


def _datasets(context: RunContext):
    simulated, amazon = DATASETS
    if context.wants(simulated):
        world = data.load(simulated, **(QUICK_EMOTION_WORLD if context.preset == "quick" else EMOTION_WORLD))
        yield from_simulated_world(world.ground_truth)
    if context.preset == "full" and context.wants(amazon):
        yield from_amazon(data.load(amazon, context.data_dir)["interactions"])


def make_scorer(name: str, language: str, lstm_epochs: int, data_dir=None):
    """A review scorer by name: ``lexicon``, or an architecture with a three-way (``lstm``, ``bert``) or a star
    head (``lstm-stars``, ``bert-stars``); bert fine-tunes the English pretrained checkpoint."""
    if name not in SCORER_CHOICES:
        raise ValueError(f"unknown review scorer {name!r}; choose from {', '.join(SCORER_CHOICES)}")
    if name == "lexicon":
        return LexiconScorer(language)
    architecture, _, stars = name.partition("-")
    checkpoint = resolve_checkpoint(DEFAULT_ENGLISH, data_dir) if architecture == "bert" else None
    epochs = 2 if architecture == "bert" else lstm_epochs  # a pretrained encoder needs few epochs
    return ClassifierScorer(
        architecture, language, max_epochs=epochs, target="stars" if stars else "label", checkpoint=checkpoint
    )


def score_reviews(reviewed, lstm_epochs: int, seed: int, log=print, scorers=DEFAULT_SCORERS, data_dir=None):
    """Step 1: fit each scorer on training-pair reviews (10% held out for early stopping).

    Returns (scores [n_reviews, 4 per scorer], scorer names, intensity metrics): the metrics give, per
    split, the Spearman correlation of each scorer's intensity with the star ratings of the reviews of
    that split's pairs, which no scorer was fitted on.
    """
    train = reviewed.training_reviews()
    held_out = np.random.default_rng(seed).random(len(train)) < 0.1
    fit, check = train[~held_out], train[held_out]
    blocks, names = [], []
    for name in scorers:
        scorer = make_scorer(name, reviewed.language, lstm_epochs, data_dir)
        column = getattr(scorer, "target_column", "label")
        scorer.fit(fit["text"], fit[column], check["text"], check[column], seed=seed)
        accuracy = float((scorer.scores(check["text"])[:, :3].argmax(1) == check["label"].to_numpy()).mean())
        log(f"{reviewed.name}: review scorer {scorer.name}: held-out training-review accuracy {accuracy:.3f}")
        blocks.append(scorer.scores(reviewed.reviews["text"]))
        names.append(scorer.name)
    scores = np.concatenate(blocks, axis=1)
    codes = reviewed.pair_codes(reviewed.reviews["user_index"], reviewed.reviews["item_index"])
    intensity_metrics = {}
    for split in ("validation", "test"):
        pairs = reviewed.splits[split]
        rows = np.isin(codes, reviewed.pair_codes(pairs["user_index"], pairs["item_index"]))
        stars = reviewed.reviews["rating"].to_numpy()[rows]
        intensity_metrics[split] = {
            f"spearman_{name}_intensity_stars": spearman(intensity, stars)
            for name, intensity in zip(names, intensity_columns(scores[rows], len(names)).T)
        }
    log(
        f"{reviewed.name}: review intensity vs stars (test reviews, Spearman): "
        + ", ".join(f"{name} {value:.3f}" for name, value in intensity_metrics["test"].items())
    )
    return scores, tuple(names), intensity_metrics


def ablation(context: RunContext, reviewed, scores, names, settings: EmotionRecSettings):
    """Steps 2-4: the three variants of M(E, I, F); returns (records, the full model)."""
    features = {split: query_features(reviewed, scores, split) for split in ("train", "validation", "test")}
    popularity = item_counts(reviewed.splits.train["item_index"], reviewed.n_items).astype(np.float32)
    runs = [(variant, features, Blocks.of(variant)) for variant in VARIANTS]
    if "world" in reviewed.extras:  # the ceiling: the hidden true mood in E's place (not a model)
        runs.append(
            (
                "oracle-true-mood",
                {s: with_true_mood(reviewed, f) for s, f in features.items()},
                Blocks.of("user-emotion"),
            )
        )
    records, full_model = [], None
    if "world" in reviewed.extras:
        records += emotion_state_records(context, reviewed, features, names)
    records += split_records(
        TASK,
        "pop",
        reviewed.name,
        context.seed,
        {  # the floor every variant should clear
            split: rank_metrics(np.tile(popularity, (len(features[split]), 1)), reviewed, features[split], split)
            for split in ("validation", "test")
        },
        run_folder(context.logdir, TASK, reviewed.name, "pop"),
    )
    for variant, inputs, blocks in runs:
        folder = run_folder(context.logdir, TASK, reviewed.name, variant)
        model, scorers, history, seconds = train_emotion_model(
            reviewed, scores, inputs, blocks, settings, seed=context.seed, folder=folder
        )
        epochs = len(history["loss"])
        config = {
            **settings.hparams(),
            "variant": variant,
            "scorers": list(names),
            "epochs_run": epochs,
            "half_life_days": list(reviewed.half_life_days),
            "history": {k: [float(x) for x in v] for k, v in history.items()},
        }
        records += split_records(
            TASK,
            variant,
            reviewed.name,
            context.seed,
            {split: evaluate_emotion_model(model, scorers[split], split) for split in ("validation", "test")},
            folder,
            seconds=seconds,
            examples=len(inputs["train"]) * epochs,
            config=config,
            hparams={"variant": variant, **settings.hparams()},
        )
        test = records[-1].metrics
        context.log(
            f"{reviewed.name}/{variant}: test recall@20 {test['recall@20']:.4f}, "
            f"RMSE {test.get('rmse', float('nan')):.4f}, {epochs} epochs, {seconds:.0f}s"
        )
        if variant == "user+item-emotion":
            full_model = (model, blocks, folder)
    model, blocks, folder = full_model
    path = save_profiles(build_profiles(model, reviewed, scores, blocks, names), folder / "profiles.json")
    context.log(f"{reviewed.name}: user profiles written to {path}")
    return records


def emotion_state_records(context: RunContext, reviewed, features, names) -> list[ResultRecord]:
    """SIMULATED ground truth: how well each scorer's emotion state (its decayed intensity) tracks the true
    mood at the validation and test interactions (Pearson r) -- how much mood there is for E to carry."""
    scores = {}
    for split in ("validation", "test"):
        mood = with_true_mood(reviewed, features[split]).user_emotion[:, 0]
        scores[split] = {
            f"pearson_{name}_intensity_true_mood": pearson(state, mood)
            for name, state in zip(names, intensity_columns(features[split].user_emotion, len(names)).T)
        }
    context.log(
        f"{reviewed.name}: emotion state vs true mood (test): "
        + ", ".join(f"{k} {v:.3f}" for k, v in scores["test"].items())
    )
    return split_records(
        TASK,
        "emotion-state",
        reviewed.name,
        context.seed,
        scores,
        run_folder(context.logdir, TASK, reviewed.name, "emotion-state"),
        config={
            "half_life_days": reviewed.half_life_days[0],
            "review_mood": reviewed.extras["world"].config.review_mood,
        },
    )


# what the bandits' emotion features read, in their records' config; records without it were made while the
# lexicon also saw reviews written during the rounds it scored (report.run_model keeps them apart)
BANDIT_LEXICON = "fitted on the reviews written before the rounds"


def bandit_records(context: RunContext, dataset: str, curves: dict, config: dict) -> list[ResultRecord]:
    folder = run_folder(context.logdir, TASK, dataset, "feedback-loop")
    records = []
    for name, out in curves.items():
        quarter = max(1, len(out["regret"]) // 4)
        metrics = {
            "mean_reward": float(out["reward"].mean()),
            "cumulative_regret": float(out["regret"].sum()),
            "regret_first_quarter": float(out["regret"][:quarter].mean()),
            "regret_last_quarter": float(out["regret"][-quarter:].mean()),
            "rounds": len(out["reward"]),
        }
        points = np.unique(np.linspace(0, len(out["regret"]) - 1, 60).astype(int))  # the curves, thinned
        curve = {
            "round": (points + 1).tolist(),
            "cumulative_reward": np.cumsum(out["reward"])[points].tolist(),
            "cumulative_regret": np.cumsum(out["regret"])[points].tolist(),
        }
        records += split_records(
            TASK,
            f"bandit-{name}",
            dataset,
            context.seed,
            {"online": metrics},
            folder / name,
            config={**config, "curve": curve},
            hparams={"policy": name, "alpha": 0.5},
        )
    write_figure(folder, "online/reward_and_regret", feedback_figure(curves, dataset))
    context.log(
        f"{dataset}: feedback loop mean reward "
        + ", ".join(f"{name} {out['reward'].mean():.3f}" for name, out in curves.items())
    )
    return records


@register_task(TASK, "emotion-driven recommender M(E, I, F): ablation with/without emotion, profiles, LinUCB loop")
def emotion_rec(context: RunContext, scorers=DEFAULT_SCORERS) -> list[ResultRecord]:
    """``scorers``: the review scorers whose emotion state E feeds M(E, I, F) (``SCORER_CHOICES``)."""
    preset = QUICK_EMOTION_REC if context.preset == "quick" else FULL_EMOTION_REC
    records = []
    for reviewed in _datasets(context):
        started = time.time()
        scores, names, intensity = score_reviews(
            reviewed, preset["lstm_epochs"], context.seed, context.log, scorers, context.data_dir
        )
        context.log(f"{reviewed.name}: {len(reviewed.reviews):,} reviews scored in {time.time() - started:.0f}s")
        records += split_records(
            TASK,
            "review-intensity",
            reviewed.name,
            context.seed,
            intensity,
            run_folder(context.logdir, TASK, reviewed.name, "review-intensity"),
            config={"scorers": list(names)},
        )
        records += ablation(context, reviewed, scores, names, preset["settings"])
        # the bandits' features read a lexicon's intensity, fitted on reviews written before their rounds only
        if reviewed.name == "synthetic":
            world = data.load("synthetic", **BANDIT_WORLD).ground_truth
            offline = world.reviews[offline_reviews(world)]  # fitted on reviews written before the loop only
            bandit_scores = LexiconScorer("en").fit(offline["text"], offline["label"])
            rounds = {
                name: simulated_rounds(
                    world,
                    bandit_scores.scores(world.reviews["text"])[:, 3],
                    preset["simulated_rounds"],
                    use_emotion=(name == "emotion"),
                    seed=context.seed,
                )
                for name in ("emotion", "no-emotion")
            }
            curves = feedback_loop(rounds, warmup=preset["simulated_rounds"] // 10, seed=context.seed)
            config = {"world": BANDIT_WORLD, "alpha": 0.5, "review_lexicon": BANDIT_LEXICON}
            records += bandit_records(context, "synthetic-bandit", curves, config)
        else:
            warmup = reviewed.reviews[replay_warmup(reviewed.reviews)]
            replay_scores = LexiconScorer(reviewed.language).fit(warmup["text"], warmup["label"])
            rounds = {
                name: replay_rounds(
                    reviewed.reviews,
                    replay_scores.scores(reviewed.reviews["text"])[:, 3],
                    preset["replay_candidates"],
                    use_emotion=(name == "emotion"),
                    seed=context.seed,
                )
                for name in ("emotion", "no-emotion")
            }
            curves = feedback_loop(rounds, warmup=len(rounds["emotion"]) // 10, seed=context.seed)
            config = {"candidates": preset["replay_candidates"], "alpha": 0.5, "review_lexicon": BANDIT_LEXICON}
            records += bandit_records(context, f"{reviewed.name}-replay", curves, config)
    return records
