#!/usr/bin/env python
"""Top-K recommendations from an exported recommender.

    python scripts/recommend.py MODEL_DIR --user 42 -k 10
    python scripts/recommend.py MODEL_DIR --items 1,50,181 -k 10     # a new user, from recently seen items

Prints rank, item id, title and score. An unknown user gets the most popular items, and the output says so.
Exit status 2 on bad input (missing model folder, k out of range, malformed ids).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from emotion_tf.recommend.export import load  # noqa: E402


def _ids(text: str) -> np.ndarray:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise SystemExit(f"error: --items takes comma-separated integer item ids, got {text!r}") from None
    if not values:
        raise SystemExit("error: --items is empty")
    return np.asarray(values, dtype=np.int64)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model_dir")
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--user", type=int, help="a user id")
    who.add_argument("--items", help="comma-separated item ids the (new) user has seen")
    parser.add_argument("-k", type=int, default=10)
    args = parser.parse_args(argv)
    try:
        module, items = load(args.model_dir)
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not 1 <= args.k <= len(items):
        print(f"error: k must be between 1 and the number of items ({len(items)}), got {args.k}", file=sys.stderr)
        return 2
    titles = dict(zip(items["item_id"], items["title"] if "title" in items else items["item_id"]))
    try:
        if args.user is not None:
            answer = module.for_user(np.int64(args.user), np.int32(args.k))
            if bool(answer["fallback"]):
                print(f"user {args.user} is unknown to this model: showing the most popular items instead "
                      f"(a popularity fallback, not personalised)")
            else:
                print(f"top {args.k} for user {args.user} (items the user has seen are excluded)")
        else:
            seen = _ids(args.items)
            unknown = [int(i) for i in seen if i not in titles]
            if unknown:
                print(f"note: item ids {unknown} are unknown to this model and were ignored")
            if len(unknown) == len(seen):
                print("no known item given: showing the most popular items (a popularity fallback)")
            answer = module.for_items(seen, np.int32(args.k))
            print(f"top {args.k} for a new user who has seen {', '.join(str(i) for i in seen)}")
    except Exception as error:  # a TF assertion, e.g. k larger than the items left after exclusion
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        print(f"error: {message}", file=sys.stderr)
        return 2
    for rank, (item, score) in enumerate(zip(answer["item_ids"].numpy(), answer["scores"].numpy()), start=1):
        print(f"{rank:3d}. {item:>8d}  {titles.get(item, '?')}  ({score:.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
