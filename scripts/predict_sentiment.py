#!/usr/bin/env python
"""Classify raw texts with a saved sentiment model: label, probabilities and intensity per text.

    python scripts/predict_sentiment.py MODEL_DIR "质量很好，物流也快" "太差了"
    echo "i feel wonderful today" | python scripts/predict_sentiment.py MODEL_DIR

Texts come from the arguments, or one per line from standard input (UTF-8).
Intensity is in [-1, 1]: the expected valence of the predicted classes (see
emotion_tf/sentiment/heads.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from emotion_tf.sentiment.classifier import SentimentClassifier  # noqa: E402


def read_stdin_lines() -> list[str]:
    raw = sys.stdin.buffer.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[:error.start].count(b"\n") + 1
        raise ValueError(f"standard input is not UTF-8 (line {line}, byte {error.start})") from None
    return [line for line in text.split("\n") if line.strip()]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model_dir", help="a folder written by train_sentiment.py (or SentimentClassifier.save)")
    parser.add_argument("texts", nargs="*", help="texts to classify (default: lines of standard input)")
    args = parser.parse_args(argv)
    try:
        classifier = SentimentClassifier.load(args.model_dir)
        texts = args.texts or read_stdin_lines()
        probabilities = classifier.predict_proba(texts)
    except (FileNotFoundError, ValueError, TypeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    head = classifier.head
    for text, row, intensity in zip(texts, probabilities, head.intensity(probabilities)):
        if head.multi_label:
            label = ",".join(name for name, p in zip(head.labels, row) if p >= 0.5) or "(none)"
        else:
            label = head.labels[int(row.argmax())]
        shown = " ".join(f"{name}={p:.3f}" for name, p in sorted(zip(head.labels, row), key=lambda x: -x[1])[:6])
        print(f"{label}\tintensity={intensity:+.3f}\t{shown}\t{text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
