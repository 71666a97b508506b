"""Paired significance test for comparing two models over seeds (docs/protocols.md: at least 5 seeds).

Paired t-test: with d_s = a_s - b_s the per-seed differences (same split, same seed), n seeds,

    t = mean(d) / (std(d, ddof=1) / sqrt(n)),    df = n - 1,
    p (two-sided) = I_{df / (df + t²)}(df / 2, 1 / 2)

where I is the regularised incomplete beta function (``tf.math.betainc``), the closed form of the
Student t tail.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf


def paired_t_test(a, b) -> dict:
    """Two-sided paired t-test of ``a`` against ``b`` (float [n], n >= 2).

    Returns {"mean_difference", "t", "df", "p_value"}; identical pairs give t = 0 and p = 1, a constant
    non-zero difference gives t = ±inf and p = 0.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1 or len(a) < 2:
        raise ValueError(f"need two paired 1-d samples of the same length >= 2, got shapes {a.shape} and {b.shape}")
    difference = a - b
    n, mean, std = len(difference), difference.mean(), difference.std(ddof=1)
    if std == 0:
        t = 0.0 if mean == 0 else np.copysign(np.inf, mean)
    else:
        t = mean / (std / np.sqrt(n))
    df = n - 1
    if np.isinf(t):
        p = 0.0
    else:
        p = float(
            tf.math.betainc(
                tf.constant(df / 2, tf.float64),
                tf.constant(0.5, tf.float64),
                tf.constant(df / (df + t * t), tf.float64),
            )
        )
    return {"mean_difference": float(mean), "t": float(t), "df": df, "p_value": p}
