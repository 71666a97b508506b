"""Environments for the feedback loop: the simulated world (interactive) and Amazon reviews (replay).

Both present rounds: a user arrives, ``n_candidates`` items are on offer, each with a feature vector;
the policy picks one and is told the reward.  Every policy facing an environment built with the same seed
sees the same users, candidates and reward noise (common random numbers), so their curves compare.

``SimulatedWorldEnvironment`` (SIMULATED): a visit is a (user, session) of the world's later sessions;
the user's true session mood is hidden, and the policy sees the emotion state ê of the user's reviews
written before the session (``state.emotion_states`` of their intensities) and their category shares p_u
from the earlier sessions.  Candidate item i has features

    x_i = [ onehot(i) , ê · onehot(i) , p_u[category(i)] ]       (without emotion: no middle block)

so a linear model can learn each item's appeal and how the user's emotion shifts it.  The reward is a
click drawn with the world's own probability sigmoid(utility(u, i, true mood) + click_bias); regret is
the best candidate's click probability minus the chosen one's.

``ReplayEnvironment`` (Amazon): the reviews in time order after a warm-up; the candidates are the item the
user actually reviewed and ``n_candidates - 1`` items drawn from those reviewed before; the reward is 1
when the policy picks the reviewed item.  Features of item a for user u at t::

    x_a = [ 1, log(1 + reviews of a before t), ē_a, ê_u, ê_u ē_a, ê_u log(1 + reviews of a before t) ]

with ê_u the user's and ē_a the item's decayed review intensity before t.  This is replay with sampled
candidates: the logged choices were not made at random, so it scores how well a policy finds what users
did pick, not an unbiased estimate of online reward.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emotion_tf.emotion_rec.features import counts_before
from emotion_tf.emotion_rec.state import emotion_states


@dataclass
class Rounds:
    """A precomputed stream of rounds.

    features: [T, n_candidates, d]; expected: [T, n_candidates] expected reward of each candidate
    (replay: the realised one); noise: [T] uniform draws, a reward is ``noise < expected``.
    """

    features: np.ndarray
    expected: np.ndarray
    noise: np.ndarray

    def __len__(self) -> int:
        return len(self.features)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def first_loop_session(world) -> int:
    """The session index where the loop's visits start: the later half of each user's sessions."""
    return world.config.sessions_per_user // 2


def offline_reviews(world) -> np.ndarray:
    """bool [len(world.reviews)]: the reviews each user wrote before their first visit of the loop.

    A review scorer for the loop is fitted on these only, as steps 1-4 fit theirs on training reviews: a
    review written during the loop must not shape the scorer whose readings the policies then act on.
    """
    reviews = world.reviews
    starts = world.session_time[reviews["user_id"].to_numpy(), first_loop_session(world)]
    return reviews["timestamp"].to_numpy() < starts


def simulated_rounds(
    world,
    review_intensity,
    n_rounds: int,
    n_candidates: int = 20,
    use_emotion: bool = True,
    half_life_days: float = 2.0,
    seed: int = 0,
) -> Rounds:
    """Rounds on the simulated world (see the module docstring).

    Args:
      world: a ``SyntheticWorld``.
      review_intensity: float [len(world.reviews)] the intensity a scorer read from each review.
    """
    rng = np.random.default_rng(seed)
    config = world.config
    U, I, K = config.n_users, config.n_items, config.sessions_per_user
    first = first_loop_session(world)  # visits come from the later sessions; category shares from the earlier ones
    users = rng.integers(U, size=n_rounds)
    sessions = rng.integers(first, K, size=n_rounds)
    times = world.session_time[users, sessions]
    reviews = world.reviews
    mood_estimate = emotion_states(
        users, times, reviews["user_id"], reviews["timestamp"], np.asarray(review_intensity)[:, None], half_life_days
    )[:, 0]
    events = world.events[(world.events["event"] != "view") & (world.events["session"] < first)]
    category = world.items["category"].to_numpy()
    shares = np.zeros((U, config.n_categories))
    np.add.at(shares, (events["user_id"].to_numpy(), category[events["item_id"].to_numpy()]), 1.0)
    shares /= np.maximum(shares.sum(1, keepdims=True), 1.0)
    candidates = np.stack([rng.choice(I, n_candidates, replace=False) for _ in range(n_rounds)])
    one_hot = np.eye(I, dtype=np.float32)[candidates]  # [T, n, I]
    blocks = [one_hot] + ([one_hot * mood_estimate[:, None, None]] if use_emotion else [])
    blocks.append(np.take_along_axis(shares[users], category[candidates], axis=1)[..., None])
    mood = world.session_mood[users, sessions]
    expected = _sigmoid(world.utility(users[:, None], candidates, mood[:, None]) + config.click_bias)
    return Rounds(np.concatenate(blocks, axis=2).astype(np.float32), expected, rng.random(n_rounds))


# the share of logged reviews, oldest first, that the replay only reads (states, the scorer's fit) and never plays
REPLAY_WARMUP_FRACTION = 0.2


def replay_warmup(reviews, warmup_fraction: float = REPLAY_WARMUP_FRACTION) -> np.ndarray:
    """bool [len(reviews)]: the reviews written before the replay's first round (the first ``warmup_fraction``
    of them in time order), the only ones a review scorer for the replay may be fitted on, as
    ``offline_reviews`` for the simulated loop."""
    order = np.argsort(reviews["timestamp"].to_numpy(), kind="stable")
    warmup = np.zeros(len(order), dtype=bool)
    warmup[order[: int(warmup_fraction * len(order))]] = True
    return warmup


def replay_rounds(
    reviews,
    review_intensity,
    n_candidates: int = 10,
    warmup_fraction: float = REPLAY_WARMUP_FRACTION,
    use_emotion: bool = True,
    half_life_days: float = 365.0,
    seed: int = 0,
) -> Rounds:
    """Replay rounds on logged reviews (user_index, item_index, timestamp), in time order after a warm-up
    (``replay_warmup``: its reviews feed the states only, and are the only ones a scorer may be fitted on)."""
    rng = np.random.default_rng(seed)
    order = np.argsort(reviews["timestamp"].to_numpy(), kind="stable")
    users = reviews["user_index"].to_numpy()[order]
    items = reviews["item_index"].to_numpy()[order]
    times = reviews["timestamp"].to_numpy()[order]
    intensity = np.asarray(review_intensity, dtype=np.float64)[order]
    start = int(replay_warmup(reviews, warmup_fraction).sum())  # the rounds replay the reviews after the warm-up
    first_seen = np.full(items.max() + 1, np.iinfo(np.int64).max)
    np.minimum.at(first_seen, items, times)
    rows, chosen = [], []
    for r in range(start, len(order)):
        pool = np.flatnonzero((first_seen < times[r]) & (np.arange(len(first_seen)) != items[r]))
        if len(pool) < n_candidates - 1:
            continue
        rows.append(r)
        chosen.append(np.r_[items[r], rng.choice(pool, n_candidates - 1, replace=False)])
    rows, candidates = np.array(rows), np.array(chosen)
    rng.permuted(candidates, axis=1, out=candidates)  # the logged item's position carries no information
    flat_items, flat_times = candidates.reshape(-1), np.repeat(times[rows], n_candidates)
    counts, _, _ = counts_before(flat_items, flat_times, items, times)
    item_state = emotion_states(flat_items, flat_times, items, times, intensity[:, None], half_life_days)[:, 0]
    user_state = emotion_states(users[rows], times[rows], users, times, intensity[:, None], half_life_days)[:, 0]
    user_state = np.repeat(user_state, n_candidates)
    popularity = np.log1p(counts)
    columns = [np.ones_like(popularity), popularity, item_state]
    if use_emotion:
        columns += [user_state, user_state * item_state, user_state * popularity]
    features = np.column_stack(columns).reshape(len(rows), n_candidates, -1).astype(np.float32)
    expected = (candidates == items[rows, None]).astype(np.float64)
    return Rounds(features, expected, np.zeros(len(rows)))


def run_policy(policy, rounds: Rounds, start: int = 0) -> dict:
    """Play ``rounds[start:]``; returns per-round ``reward`` and ``regret`` (float arrays)."""
    rewards, regrets = [], []
    for t in range(start, len(rounds)):
        choice = policy.choose(rounds.features[t])
        reward = float(rounds.noise[t] < rounds.expected[t, choice])
        policy.update(rounds.features[t, choice], reward)
        rewards.append(reward)
        regrets.append(float(rounds.expected[t].max() - rounds.expected[t, choice]))
    return {"reward": np.array(rewards), "regret": np.array(regrets)}


def logged_history(rounds: Rounds, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(x [n, d], reward [n]) of a uniformly random policy over the first ``n`` rounds: an offline log."""
    rng = np.random.default_rng(seed)
    picks = rng.integers(rounds.features.shape[1], size=n)
    x = rounds.features[np.arange(n), picks]
    rewards = (rounds.noise[:n] < rounds.expected[np.arange(n), picks]).astype(np.float64)
    return x, rewards
