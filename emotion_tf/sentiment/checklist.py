"""Behaviour checks in the manner of CheckList (Ribeiro et al. 2020), written by hand, English and Chinese.

Accuracy on a test split says little about *how* a model reads sentiment.  These checks ask about the
intensity s(text) in [-1, 1] (``emotion_tf.sentiment.heads``) on short texts whose answer a person
knows:

* sign checks (CheckList's minimum functionality tests): s(text) > 0 for ``positive``, < 0 for ``negative``;
* directional checks: s(text) > s(than) for ``above``, s(text) < s(than) for ``below``.

Capabilities: ``negation`` ("not good", "不好吃"; "not bad" must score above "bad", "不难吃" above
"难吃"), ``intensifier`` ("very good" above "good"), ``downtoner`` ("a bit slow" above "very slow"),
``contrast`` (the clause after "but" / "但是" decides), ``verdict`` (a plain statement of a fault,
"菜是凉的"), and ``long-verdict``: a damning (or glowing) last sentence after a long neutral opening,
which a model that cuts texts at its sequence length never reads.

A model passes a check or not; ``run_checks`` gives the pass rate per capability and overall.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

EXPECTATIONS = ("positive", "negative", "above", "below")


@dataclass(frozen=True)
class Check:
    capability: str
    language: str
    text: str
    expect: str
    than: str | None = None

    def __post_init__(self):
        if self.expect not in EXPECTATIONS:
            raise ValueError(f"expect must be one of {EXPECTATIONS}, got {self.expect!r}")
        if (self.than is None) != (self.expect in ("positive", "negative")):
            raise ValueError(f"{self.text!r}: 'above'/'below' checks need 'than', sign checks must not have it")

    def passes(self, score: float, other: float | None = None) -> bool:
        if self.expect == "positive":
            return score > 0
        if self.expect == "negative":
            return score < 0
        return score > other if self.expect == "above" else score < other


_EN_OPENING = (
    "I went to see this film on a rainy Sunday with two friends. The cinema was half full, the seats "
    "were fine and the tickets cost what they always cost. The story follows a family that moves to a "
    "small town by the sea, and the first hour shows their new house, their neighbours, the school and "
    "the harbour, one scene after another. "
)
_ZH_OPENING = (
    "我们一家三口周末入住这家酒店，从火车站打车过来大概二十分钟。"
    "前台办理入住的时候排了一会儿队，房间在十二楼，"
    "窗户对着马路，房间里有两张床、一张桌子和一个小冰箱。"
    "酒店旁边有几家饭店和一个超市，早餐在二楼的餐厅，"
    "我们第二天早上八点下去吃的，人不算多。退房的时候前台也没有多问什么。"
)

CHECKS = (
    # English
    Check("negation", "en", "not good", "negative"),
    Check("negation", "en", "this is not a good movie", "negative"),
    Check("negation", "en", "I don't like it at all", "negative"),
    Check("negation", "en", "not bad", "above", "bad"),
    Check("negation", "en", "the food was not terrible", "above", "the food was terrible"),
    Check("negation", "en", "not bad at all", "positive"),
    Check("intensifier", "en", "very good", "above", "good"),
    Check("intensifier", "en", "extremely bad", "below", "bad"),
    Check("intensifier", "en", "absolutely wonderful", "above", "nice"),
    Check("downtoner", "en", "a bit slow", "above", "very slow"),
    Check("downtoner", "en", "slightly disappointing", "above", "deeply disappointing"),
    Check("downtoner", "en", "fairly good", "below", "excellent"),
    Check("contrast", "en", "good food but terrible service", "negative"),
    Check("contrast", "en", "the start was slow but the ending was wonderful", "positive"),
    Check("contrast", "en", "great actors, but the story is boring and far too long", "negative"),
    Check("verdict", "en", "the soup was cold", "negative"),
    Check("verdict", "en", "it broke after two days", "negative"),
    Check(
        "long-verdict",
        "en",
        _EN_OPENING + "In the end it was awful, a waste of time, and I want my money back.",
        "negative",
    ),
    Check(
        "long-verdict", "en", _EN_OPENING + "In the end it was wonderful, moving and beautiful; I loved it.", "positive"
    ),
    # Chinese
    Check("negation", "zh", "不好吃", "negative"),
    Check("negation", "zh", "服务不好", "negative"),
    Check("negation", "zh", "不难吃", "above", "难吃"),
    Check("negation", "zh", "房间不差", "above", "房间很差"),
    Check("negation", "zh", "一点也不满意", "negative"),
    Check("intensifier", "zh", "非常好", "above", "好"),
    Check("intensifier", "zh", "非常差", "below", "差"),
    Check("downtoner", "zh", "有点慢", "above", "非常慢"),
    Check("downtoner", "zh", "稍微有点贵", "above", "太贵了，根本不值"),
    Check("contrast", "zh", "位置很好，但是房间太脏了", "negative"),
    Check("contrast", "zh", "价格有点贵，但是质量非常好", "positive"),
    Check("verdict", "zh", "菜是凉的", "negative"),
    Check("verdict", "zh", "房间有一股霉味", "negative"),
    Check("long-verdict", "zh", _ZH_OPENING + "总之非常失望，房间又脏又吵，再也不会来了。", "negative"),
    Check("long-verdict", "zh", _ZH_OPENING + "总之非常满意，干净安静，服务也好，下次还来。", "positive"),
)


def checks_for(language: str) -> tuple[Check, ...]:
    found = tuple(check for check in CHECKS if check.language == language)
    if not found:
        raise ValueError(f"no behaviour checks for language {language!r} (have: en, zh)")
    return found


def run_checks(intensity, language: str) -> dict:
    """Score every check of ``language`` with ``intensity`` (texts -> [n] scores in [-1, 1]).

    Returns {"pass_rate", "pass_rate_<capability>" ..., "results": [(capability, text, expect, than, score,
    other, passed), ...]}.
    """
    checks = checks_for(language)
    texts = list(dict.fromkeys([c.text for c in checks] + [c.than for c in checks if c.than]))
    scores = dict(zip(texts, np.asarray(intensity(texts), dtype=float)))
    by_capability = defaultdict(list)
    results = []
    for check in checks:
        score, other = scores[check.text], scores.get(check.than)
        passed = check.passes(score, other)
        by_capability[check.capability].append(passed)
        results.append(
            (
                check.capability,
                check.text,
                check.expect,
                check.than,
                float(score),
                None if other is None else float(other),
                bool(passed),
            )
        )
    summary = {"pass_rate": float(np.mean([r[-1] for r in results]))}
    summary.update({f"pass_rate_{name}": float(np.mean(passed)) for name, passed in by_capability.items()})
    summary["results"] = results
    return summary
