"""The profiles file (用户画像 as JSON): written by ``profiles.build_profiles`` and ``save_profiles``, read and
shown by ``load_profiles``, ``profile_of`` and ``format_profile``.

Reading and showing a profile needs no TensorFlow (``scripts/user_profile.py`` starts in a second); building
one needs the trained model (``profiles.py``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from emotion_tf.training.results import write_text_atomically

# A recommendation is called emotion-driven when the user's emotion state moved its score by more than this many
# standard deviations of the user's scores over all items, up ("emotion raised it") or down ("emotion lowered it").
EMOTION_DRIVEN = 0.5
LEGEND = (
    f"driven_by: 'emotion raised it' / 'emotion lowered it' when the user's emotion state (against the "
    f"average state) moved the item's score up / down by more than {EMOTION_DRIVEN} standard deviations of "
    "this user's scores over all items (emotion_contribution_sd); 'taste' otherwise"
)


def driven_by(contribution_sd: float) -> str:
    """The label of a recommendation whose score the emotion state moved by ``contribution_sd`` user-score std."""
    if contribution_sd > EMOTION_DRIVEN:
        return "emotion raised it"
    if contribution_sd < -EMOTION_DRIVEN:
        return "emotion lowered it"
    return "taste"


def save_profiles(profiles: dict, path) -> Path:
    """Write the profiles as JSON, atomically."""
    return write_text_atomically(json.dumps(profiles, ensure_ascii=False, indent=1), path)


def load_profiles(path) -> dict:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no profiles file at {path}")
    try:
        profiles = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{path} is not a profiles JSON file: {error}") from None
    if not isinstance(profiles, dict) or not {"users", "cold_start"} <= set(profiles):
        raise ValueError(f"{path} is not a profiles file (expected the keys 'users' and 'cold_start')")
    return profiles


def profile_of(profiles: dict, user_id) -> dict:
    """One user's profile from ``build_profiles`` output; KeyError naming the user (and a few known ids)
    when unknown."""
    key, users = str(user_id), profiles["users"]
    if key not in users:
        known = ", ".join(list(users)[:5])
        raise KeyError(
            f"unknown user {key!r}: the profiles hold {len(users)} users (e.g. {known}); "
            "a new user with no history gets the cold-start profile"
        )
    return users[key]


def format_profile(profile: dict) -> str:
    """A few readable lines: behaviour, emotion, recommendations and what drove them."""
    lines = [f"user {profile['user_id']}"]
    if profile.get("history") == "empty":
        lines.append("  history: empty (no events): recommendations by popularity")
    else:
        lines.append(
            "  behavior: " + ", ".join(f"{k} {v if v is not None else '-'}" for k, v in profile["behavior"].items())
        )
        emotion = profile["emotion"]
        intensity = [v for k, v in emotion["state"].items() if k.endswith("intensity")]
        lines.append(
            f"  emotion: {emotion['label']} (intensity {np.mean(intensity):+.2f}, evidence {emotion['evidence']:.2f})"
        )
    lines.append(
        "  recommendations (emotion: how far the emotion state moved the score, in standard deviations of "
        f"the user's scores; beyond ±{EMOTION_DRIVEN} it is named):"
    )
    for rank, item in enumerate(profile["recommendations"], start=1):
        contribution = item.get("emotion_contribution_sd")
        extra = f", emotion {contribution:+.2f} sd" if contribution is not None else ""
        lines.append(f"    {rank:2d}. item {item['item_id']}  score {item['score']:.3f}{extra}  ({item['driven_by']})")
    return "\n".join(lines)
