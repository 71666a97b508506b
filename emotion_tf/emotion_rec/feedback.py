"""Step 5: feedback that improves the model, as a contextual bandit loop over an environment's rounds.

``feedback_loop`` runs four policies on the same rounds (common random numbers): LinUCB with and without
the emotion features, a fixed linear model fitted once on an offline log, and random choice; the curves
of cumulative reward and regret show what learning from feedback adds (``feedback_figure``).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from emotion_tf.emotion_rec.bandit import FixedLinearPolicy, LinUCB, RandomPolicy
from emotion_tf.emotion_rec.environments import logged_history, run_policy


def feedback_figure(curves: dict, title: str):
    """Cumulative reward and regret per round of each policy (the output of ``feedback_loop``)."""
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    for name, out in curves.items():
        left.plot(np.cumsum(out["reward"]), label=name)
        right.plot(np.cumsum(out["regret"]), label=name)
    left.set(title=f"{title}: cumulative reward", xlabel="round")
    right.set(title="cumulative regret", xlabel="round")
    left.legend(fontsize=8)
    figure.tight_layout()
    return figure


def feedback_loop(rounds_by_features: dict, warmup: int, seed: int) -> dict:
    """Step 5: {policy name: run_policy output} for LinUCB with/without emotion, fixed, random.

    Args:
      rounds_by_features: {"emotion": Rounds, "no-emotion": Rounds} over the same stream.
      warmup: the first rounds are an offline log (random choices) the fixed model is fitted on; every
        policy is then scored on the rounds after it.
    """
    rounds = rounds_by_features["emotion"]
    x, rewards = logged_history(rounds, warmup, seed)
    policies = {
        "linucb": (LinUCB(rounds.features.shape[2], alpha=0.5), rounds),
        "linucb-no-emotion": (
            LinUCB(rounds_by_features["no-emotion"].features.shape[2], alpha=0.5),
            rounds_by_features["no-emotion"],
        ),
        "fixed": (FixedLinearPolicy(x, rewards), rounds),
        "random": (RandomPolicy(seed), rounds),
    }
    return {name: run_policy(policy, stream, start=warmup) for name, (policy, stream) in policies.items()}
