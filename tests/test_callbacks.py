"""The per-epoch progress line every fit prints."""

import io

import numpy as np
import tensorflow as tf

from emotion_tf.training.callbacks import EpochProgress, run_name


def test_one_progress_line_per_epoch_with_the_watched_metric_and_its_best(monkeypatch):
    monkeypatch.delenv("EMOTION_TF_QUIET", raising=False)
    x = np.linspace(-1, 1, 64, dtype=np.float32)[:, None]
    model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
    model.compile(optimizer=tf.keras.optimizers.SGD(0.5), loss="mse")
    stream = io.StringIO()
    model.fit(
        x,
        3 * x,
        validation_data=(x, 3 * x),
        epochs=3,
        verbose=0,
        callbacks=[EpochProgress("toy/run", "val_loss", "min", stream=stream)],
    )
    lines = stream.getvalue().splitlines()
    assert len(lines) == 3 and lines[0].startswith("  [toy/run] epoch 1/3: loss ")
    best = [float(line.split("(best ")[1].split(")")[0]) for line in lines]
    assert best == sorted(best, reverse=True)  # the best validation loss so far only falls
    monkeypatch.setenv("EMOTION_TF_QUIET", "1")
    quiet = io.StringIO()
    model.fit(x, 3 * x, epochs=2, verbose=0, callbacks=[EpochProgress("toy/run", stream=quiet)])
    assert quiet.getvalue() == ""
    assert run_name("logs/run/recommend/synthetic/softmax-cf") == "recommend/synthetic/softmax-cf"
