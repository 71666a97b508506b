"""The warm-up + linear-decay learning rate, by hand."""

import pytest

from emotion_tf.training.schedules import WarmupLinearDecay


def test_warmup_then_linear_decay():
    schedule = WarmupLinearDecay(peak=1e-3, warmup_steps=10, total_steps=110)
    values = [float(schedule(step)) for step in (0, 5, 10, 60, 110, 200)]
    assert values == pytest.approx([0.0, 5e-4, 1e-3, 5e-4, 0.0, 0.0])
    assert WarmupLinearDecay.from_config(schedule.get_config()).total_steps == 110
    with pytest.raises(ValueError, match="warmup_steps < total_steps"):
        WarmupLinearDecay(1e-3, 10, 10)
