#!/usr/bin/env python
"""Draw the results report (docs/report/report.md and its figures) from results files.

    python scripts/make_report.py                                  # the files in docs/results/, and README's table
    python scripts/make_report.py my-run/results.json --out my-report

Every figure and table is computed from the records in the files (docs/protocols.md format); the files and the
commands that made them are listed in docs/results/README.md.  By default the quick preset's records are
left out: they are a smoke run on small embedded data (the same dataset keys on smaller worlds), not
results.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from emotion_tf.report import (
    COMPARISON_BEGIN,
    COMPARISON_END,
    glance_table,
    ranking_comparison_table,
    replace_block,
    replace_glance,
    write_report,
)
from emotion_tf.training.results import read_records, write_text_atomically

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", nargs="*", help="results files (default: docs/results/*.json)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "report"), help="folder of report.md and the figures")
    args = parser.parse_args(argv)
    files = [Path(f) for f in args.results] or sorted(
        f for f in (ROOT / "docs" / "results").glob("*.json") if not f.name.startswith("quick-preset")
    )
    if not files:
        raise SystemExit("error: no results files given and none in docs/results/")
    try:
        records = [record for path in files for record in read_records(path)]
    except (ValueError, FileNotFoundError) as error:
        raise SystemExit(f"error: {error}") from None
    path = write_report(
        records, args.out, sources=[str(f.relative_to(ROOT)) if f.is_relative_to(ROOT) else str(f) for f in files]
    )
    print(f"wrote {path} from {len(records)} records in {len(files)} files")
    if not args.results:  # the committed results: README's glance table is redrawn from them too
        readme = ROOT / "README.md"
        try:
            updated = replace_glance(readme.read_text(encoding="utf-8"), glance_table(records))
            updated = replace_block(updated, ranking_comparison_table(records), COMPARISON_BEGIN, COMPARISON_END)
            write_text_atomically(updated.rstrip("\n"), readme)  # it ends the file with one newline
        except ValueError as error:
            raise SystemExit(f"error: {readme}: {error}") from None
        print(f"updated the results and comparison tables of {readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
