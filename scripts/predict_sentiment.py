#!/usr/bin/env python
"""Classify raw texts with a saved sentiment model: label, probabilities and intensity per text.

    python scripts/predict_sentiment.py MODEL_DIR "质量很好，物流也快" "太差了"
    echo "i feel wonderful today" | python scripts/predict_sentiment.py MODEL_DIR

Texts come from the arguments, or one per line from standard input (UTF-8).
Every input gives one output row, in order: an empty text's row says so.
Intensity is in [-1, 1]: the expected valence of the predicted classes (see
emotion_tf/sentiment/heads.py).  A text longer than the model reads gets a
last column saying how much of it was read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# TensorFlow loads only after the inputs passed their checks: --help and a wrong input answer at once.


def read_stdin_lines() -> list[str]:
    raw = sys.stdin.buffer.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ValueError(f"standard input is not UTF-8 (line {line}, byte {error.start})") from None
    lines = text.split("\n")
    if lines and lines[-1] == "":  # the newline that ends the last line opens no new one
        lines.pop()
    return [line.rstrip("\r") for line in lines]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model_dir", help="a folder written by train_sentiment.py (or SentimentClassifier.save)")
    parser.add_argument("texts", nargs="*", help="texts to classify (default: lines of standard input)")
    args = parser.parse_args(argv)
    try:
        if not Path(args.model_dir).is_dir():
            raise FileNotFoundError(f"no saved sentiment classifier in {args.model_dir} (no such folder)")
        texts = args.texts or read_stdin_lines()
        if not texts:
            raise ValueError("no texts given (pass them as arguments or one per line on standard input)")
    except (FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    from emotion_tf.sentiment.classifier import SentimentClassifier

    try:
        classifier = SentimentClassifier.load(args.model_dir)
        present = [i for i, text in enumerate(texts) if text.strip()]
        probabilities = classifier.predict_proba([texts[i] for i in present]) if present else None
        counts = classifier.token_counts([texts[i] for i in present]) if present else None
    except (FileNotFoundError, ValueError, TypeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    head = classifier.head
    rows = {i: (probabilities[k], counts[k]) for k, i in enumerate(present)}
    for i, text in enumerate(texts):
        if i not in rows:
            print(f"(empty text)\t\t\t{text}")
            continue
        row, count = rows[i]
        if head.multi_label:
            label = ",".join(name for name, p in zip(head.labels, row) if p >= 0.5) or "(none)"
        else:
            label = head.labels[int(row.argmax())]
        intensity = head.intensity(row[None])[0]
        shown = " ".join(f"{name}={p:.3f}" for name, p in sorted(zip(head.labels, row), key=lambda x: -x[1])[:6])
        cut = f"\t(long: the model read {classifier.reads} of its {count} tokens)" if count > classifier.reads else ""
        print(f"{label}\tintensity={intensity:+.3f}\t{shown}\t{text}{cut}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
