#!/usr/bin/env python
"""Top-K recommendations from an exported recommender.

    python scripts/recommend.py MODEL_DIR --user 42 -k 10
    python scripts/recommend.py MODEL_DIR --items 1,50,181 -k 10     # a new user, from recently seen items

Prints rank, item id, title and score. An unknown user gets the most popular items, and the output says so.
Exit status 2 on bad input (missing model folder, k out of range, malformed ids).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

# TensorFlow loads only after the arguments passed their checks: --help and a wrong input answer at once.


def _ids(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ValueError(f"--items takes comma-separated integer item ids, got {text!r}") from None
    if not values:
        raise ValueError("--items is empty")
    return values


def _reason(error: Exception) -> str:
    """The serving module's own assertion message out of a TensorFlow error (not 'Graph execution error')."""
    text = getattr(error, "message", "") or str(error)
    for line in text.splitlines():
        if "assertion failed" in line:
            # "[message] [Condition x <= y did not hold element-wise:] [x (k:0) = ] [40] [y (...) = ] [29]"
            parts = re.findall(r"\[(.*?)\]", line)
            if len(parts) >= 6 and parts[1].startswith("Condition x <= y"):
                return f"{parts[0]} (asked for {parts[3]}, at most {parts[5]})"
            return parts[0] if parts else line.strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else type(error).__name__


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model_dir")
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--user", type=int, help="a user id")
    who.add_argument("--items", help="comma-separated item ids the (new) user has seen")
    parser.add_argument("-k", type=int, default=10)
    args = parser.parse_args(argv)
    try:
        seen = None if args.items is None else _ids(args.items)
        if args.k < 1:
            raise ValueError(f"k must be at least 1, got {args.k}")
        if not Path(args.model_dir).is_dir():
            raise FileNotFoundError(f"no exported recommender in {args.model_dir} (no such folder)")
    except (FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    import numpy as np
    import tensorflow as tf  # after emotion_tf (imported by export), which sets Keras 2 and quiets start-up

    from emotion_tf.recommend.export import load

    try:
        module, items = load(args.model_dir)
    except (FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    seen = None if seen is None else np.asarray(seen, dtype=np.int64)
    if not 1 <= args.k <= len(items):
        print(f"error: k must be between 1 and the number of items ({len(items)}), got {args.k}", file=sys.stderr)
        return 2
    titles = dict(zip(items["item_id"], items["title"] if "title" in items else items["item_id"]))
    try:
        if args.user is not None:
            answer = module.for_user(np.int64(args.user), np.int32(args.k))
            if bool(answer["fallback"]):
                print(
                    f"user {args.user} is unknown to this model: showing the most popular items instead "
                    f"(a popularity fallback, not personalised)"
                )
            else:
                print(f"top {args.k} for user {args.user} (items the user has seen are excluded)")
        else:
            unknown = [int(i) for i in seen if i not in titles]
            if unknown:
                print(f"note: item ids {unknown} are unknown to this model and were ignored")
            if len(unknown) == len(seen):
                print("no known item given: showing the most popular items (a popularity fallback)")
            answer = module.for_items(seen, np.int32(args.k))
            print(f"top {args.k} for a new user who has seen {', '.join(str(i) for i in seen)}")
    except tf.errors.InvalidArgumentError as error:  # e.g. k larger than the items the user has not seen
        print(f"error: -k {args.k}: {_reason(error)}", file=sys.stderr)
        return 2
    for rank, (item, score) in enumerate(zip(answer["item_ids"].numpy(), answer["scores"].numpy()), start=1):
        print(f"{rank:3d}. {item:>8d}  {titles.get(item, '?')}  ({score:.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
