"""Figures for sentiment models: confusion matrices, token scores, attention heatmaps (matplotlib).

Every function returns a matplotlib Figure; ``emotion_tf.training.tensorboard.write_figure`` sends one
to a PNG file and to TensorBoard.
"""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import font_manager

# Chinese tokens need a CJK font (e.g. Debian's fonts-noto-cjk); without one they draw as boxes.
# Put the usual CJK fonts first in the sans-serif list, keeping the user's choices after them.
_CJK_FONTS = ["Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Zen Hei", "SimHei"]
plt.rcParams["font.sans-serif"] = _CJK_FONTS + [f for f in plt.rcParams["font.sans-serif"] if f not in _CJK_FONTS]
_HAS_CJK_FONT = bool({font.name for font in font_manager.fontManager.ttflist} & set(_CJK_FONTS))
_warned = False


def _check_cjk(texts) -> None:
    """Warn once, when a figure is about to draw Chinese text and no CJK font is installed.

    One plain warning at the first such figure, instead of matplotlib's one per missing glyph (and none at
    all for a user who never draws Chinese).
    """
    global _warned
    if _HAS_CJK_FONT or _warned or not any("\u3400" <= ch <= "\u9fff" for text in texts for ch in str(text)):
        return
    _warned = True
    warnings.warn(
        "no CJK font found: Chinese characters in this figure draw as boxes "
        "(install one, e.g. apt-get install fonts-noto-cjk)",
        stacklevel=3,
    )
    warnings.filterwarnings("ignore", message="Glyph .* missing from font")


def confusion_matrix_figure(matrix, labels, title: str = "confusion matrix") -> plt.Figure:
    """Counts and row-normalised shading; rows are true classes, columns predictions."""
    _check_cjk([*labels, title])
    matrix = np.asarray(matrix)
    shares = matrix / np.maximum(matrix.sum(1, keepdims=True), 1)
    figure, axis = plt.subplots(figsize=(max(4.5, 1.8 + 0.8 * len(labels)), max(4.0, 1.5 + 0.7 * len(labels))))
    axis.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    for (row, column), count in np.ndenumerate(matrix):
        axis.text(
            column,
            row,
            str(count),
            ha="center",
            va="center",
            color="white" if shares[row, column] > 0.5 else "black",
            fontsize=8,
        )
    axis.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    axis.set_yticks(range(len(labels)), labels)
    axis.set(xlabel="predicted", ylabel="true")
    axis.set_title(title, fontsize=10)
    figure.tight_layout()
    return figure


def token_scores_figure(tokens, scores, title: str = "token attributions") -> plt.Figure:
    """One coloured cell per token: red pushes towards the explained class, blue away from it."""
    _check_cjk([*tokens, title])
    scores = np.asarray(scores, dtype=float)
    limit = max(float(np.abs(scores).max()), 1e-9)
    figure, axis = plt.subplots(figsize=(max(3.0, 0.55 * len(tokens)), 1.3))
    axis.imshow(scores[np.newaxis], cmap="coolwarm", vmin=-limit, vmax=limit, aspect="auto")
    axis.set_xticks(range(len(tokens)), tokens)
    axis.set_yticks([])
    axis.set_title(title)
    figure.tight_layout()
    return figure


def attention_figure(tokens, weights, title: str = "attention") -> plt.Figure:
    """Heatmap [query token, key token] of one attention map (e.g. averaged over heads)."""
    _check_cjk([*tokens, title])
    figure, axis = plt.subplots(figsize=(1.0 + 0.45 * len(tokens), 1.0 + 0.45 * len(tokens)))
    axis.imshow(np.asarray(weights), cmap="viridis", vmin=0)
    axis.set_xticks(range(len(tokens)), tokens)
    axis.set_yticks(range(len(tokens)), tokens)
    axis.set(xlabel="attends to (key)", ylabel="token (query)", title=title)
    figure.tight_layout()
    return figure
