"""Figures over several seeds: one column per ``skplate benchmark --json`` file, min / median.

Usage::

    for S in 0 1 2; do
        SKPLATE_DATA=../shared/data skplate benchmark --random-state $S \
            --model model_$S.joblib --json bench_$S.json
    done
    python benchmarks/seeds.py bench_0.json bench_1.json bench_2.json

Prints one Markdown table (the form of docs/benchmarks.md): a row per figure, a column
per run (headed by its ``random_state``, else its file name), and the min and median
over the runs. A figure a run does not have (no harvest mode, a reused model without
its training report) reads "-" and is left out of the min / median.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

# (row label, how to read the figure from a run's JSON, how to print it)
_ROWS: list[tuple[str, Callable[[dict], float | None], Callable[[float], str]]] = [
    ("21 Spanish plates, `--format spanish`", lambda r: r["spanish"]["hits"], "{:g}".format),
    ("117 plates, `--format any`", lambda r: r["any"]["hits"], "{:g}".format),
    ("char accuracy, 117 plates", lambda r: 100 * r["any"]["char_accuracy"], "{:.1f} %".format),
    ("GoodImg held-out accuracy", lambda r: _percent(r["held_out_accuracy"]), "{:.1f} %".format),
    (
        "21 Spanish plates, harvest mode (CV)",
        lambda r: (r["harvest_mode"] or {}).get("spanish", {}).get("hits"),
        "{:g}".format,
    ),
    (
        "117 plates, harvest mode (CV)",
        lambda r: (r["harvest_mode"] or {}).get("any", {}).get("hits"),
        "{:g}".format,
    ),
    ("training time", lambda r: r["training_seconds"], "{:.0f} s".format),
    ("seconds per plate", lambda r: r["seconds_per_plate"], "{:.3f}".format),
]


def _percent(fraction: float | None) -> float | None:
    return None if fraction is None else 100 * fraction


def _load(path: Path) -> dict:
    try:
        run = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise SystemExit(f"seeds.py: {path}: not a readable benchmark JSON ({error}).") from None
    if not isinstance(run, dict) or not {"spanish", "any"} <= set(run):
        raise SystemExit(f"seeds.py: {path}: not the JSON of `skplate benchmark --json`.")
    return run


def summary_table(runs: list[dict], names: list[str]) -> list[list[str]]:
    """The table's rows (header first): one column per run, then min / median."""
    table = [["measure", *names, "min / median"]]
    for label, read, show in _ROWS:
        values = []
        for run in runs:
            try:
                values.append(read(run))
            except (KeyError, TypeError):
                values.append(None)
        known = [v for v in values if v is not None]
        spread = f"{show(min(known))} / {show(statistics.median(known))}" if known else "-"
        table.append([label, *("-" if v is None else show(v) for v in values), spread])
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("json", nargs="+", type=Path, help="`skplate benchmark --json` files")
    args = parser.parse_args(argv)
    runs = [_load(path) for path in args.json]
    names = [
        f"seed {run['random_state']}" if run.get("random_state") is not None else path.stem
        for run, path in zip(runs, args.json, strict=True)
    ]
    for index, row in enumerate(summary_table(runs, names)):
        print("| " + " | ".join(row) + " |")
        if index == 0:
            print("|" + "---|" * len(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
