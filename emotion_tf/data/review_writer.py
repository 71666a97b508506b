"""Review texts for the simulated world, written from a small hand-made sentiment lexicon.

Every phrase has a polarity and an intensity band; a review of true intensity
``x`` in [-1, 1] is built from clauses whose phrases come from the band of
``x`` (jittered a little per clause, as people are not consistent), so both
the polarity and the strength of the feeling are readable from the words.
The word lists were written for this project; nothing is copied from a
dataset.
"""

from __future__ import annotations

import numpy as np

# Band edges on |intensity|: below NEUTRAL is neutral, then weak, medium, strong.
NEUTRAL, WEAK, MEDIUM = 0.12, 0.35, 0.7
BANDS = (
    "strong_negative",
    "medium_negative",
    "weak_negative",
    "neutral",
    "weak_positive",
    "medium_positive",
    "strong_positive",
)

PHRASES = {
    "zh": {
        "strong_positive": ("非常好", "特别棒", "超级满意", "完美", "好得没话说"),
        "medium_positive": ("很好", "不错", "挺满意", "很喜欢"),
        "weak_positive": ("还可以", "还算不错", "基本满意", "过得去"),
        "neutral": ("一般", "中规中矩", "普普通通", "说不上好坏"),
        "weak_negative": ("有点差", "不太满意", "略微失望", "稍微有点问题"),
        "medium_negative": ("很差", "不满意", "挺失望", "不好"),
        "strong_negative": ("非常差", "太糟糕了", "极其失望", "差到极点"),
    },
    "en": {
        "strong_positive": ("is absolutely amazing", "is perfect", "is outstanding", "exceeded all my expectations"),
        "medium_positive": ("is great", "is really good", "is very nice"),
        "weak_positive": ("is fine", "is decent", "is pretty good"),
        "neutral": ("is average", "is nothing special", "is so-so"),
        "weak_negative": ("is a bit disappointing", "is not great", "could be better"),
        "medium_negative": ("is bad", "is poor", "is disappointing"),
        "strong_negative": ("is terrible", "is awful", "is absolutely horrible"),
    },
}
ASPECTS = {
    "zh": ("质量", "做工", "物流", "包装", "价格", "客服", "外观", "手感"),
    "en": (
        "the quality",
        "the build",
        "delivery",
        "the packaging",
        "the price",
        "customer service",
        "the look",
        "the feel",
    ),
}
OPENINGS = {
    "zh": ("这个{c}", "买的{c}", "收到{c}了", "这次的{c}"),
    "en": ("Bought these {c}.", "The {c} arrived.", "My new {c}:", "About the {c}:"),
}
CLOSINGS = {
    "zh": {
        "strong_positive": ("强烈推荐！", "还会再买！"),
        "positive": ("推荐购买。", "值得。"),
        "neutral": ("凑合用吧。", "就这样吧。"),
        "negative": ("不推荐。", "不会再买了。"),
        "strong_negative": ("千万别买！", "要退货！"),
    },
    "en": {
        "strong_positive": ("Highly recommend!", "Would buy again!"),
        "positive": ("Recommended.", "Worth it."),
        "neutral": ("It does the job.", "It is what it is."),
        "negative": ("Would not recommend.", "Not buying again."),
        "strong_negative": ("Total waste of money!", "Returning it!"),
    },
}


def band_of(intensity: float) -> str:
    """The lexicon band of an intensity in [-1, 1]."""
    magnitude = abs(intensity)
    if magnitude < NEUTRAL:
        return "neutral"
    sign = "positive" if intensity > 0 else "negative"
    strength = "weak" if magnitude < WEAK else "medium" if magnitude < MEDIUM else "strong"
    return f"{strength}_{sign}"


def _closing_kind(intensity: float) -> str:
    band = band_of(intensity)
    if band == "neutral":
        return "neutral"
    if band.startswith("strong"):
        return band
    return band.split("_")[1]


def write_review(intensity: float, language: str, category_name: str, rng: np.random.Generator) -> str:
    """A one-to-three clause review whose wording carries ``intensity``."""
    if language not in PHRASES:
        raise ValueError(f"language must be one of {sorted(PHRASES)}, got {language!r}")
    n_clauses = int(rng.integers(1, 4))
    aspects = rng.choice(len(ASPECTS[language]), size=n_clauses, replace=False)
    clauses = []
    for aspect in aspects:
        jittered = float(np.clip(intensity + rng.normal(0.0, 0.08), -1.0, 1.0))
        phrases = PHRASES[language][band_of(jittered)]
        phrase = phrases[int(rng.integers(len(phrases)))]
        clauses.append((ASPECTS[language][aspect], phrase))
    opening = OPENINGS[language][int(rng.integers(len(OPENINGS[language])))].format(c=category_name)
    closings = CLOSINGS[language][_closing_kind(intensity)]
    closing = closings[int(rng.integers(len(closings)))]
    if language == "zh":
        body = "，".join(a + p for a, p in clauses)
        return f"{opening}，{body}。{closing}"
    body = ", ".join(f"{a} {p}" for a, p in clauses)
    return f"{opening} {body[0].upper()}{body[1:]}. {closing}"
