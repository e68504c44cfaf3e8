"""Real plates from another source: UC3M-LP's tight crops, read with partial truth.

Usage::

    SKPLATE_DATA=../shared/data python benchmarks/uc3m.py --model seed0.joblib \
        [--model seed1.joblib ...] [--plates UC3M-LP-train.zip] [--format any] [--json out.json]

Reads every crop of the UC3M-LP training split (2,056 tight plate crops, two characters of
each painted over) with each model and prints, as one Markdown table, the plates read
right (a reading is right when it equals the visible characters in order: ``38-3-PV`` is
read right as ``383PV``) for the one-row white plates (type A) by day, at night and
together, and for all types; the character accuracy; and where the misses are: too few
characters, too many, or the right number with a wrong character. With several models,
one column per model and the min / median over them. ``--format`` is the decoder's plate
format for every model (the format the model was saved with when not given): a preset, a
pattern, or several separated by commas (``XXXXX,XXXXXX``: 5 or 6 characters, the visible
counts of this split); ``spanish-visible`` is ``NNNNAAA`` less two characters, with the
Spanish letters (``NNNNA``, ``NNNAA``, ``NNAAA``), which uses what a reader of other plates
cannot know: that two characters are painted. ``--json`` also writes every reading;
``--runs a.json b.json ...`` prints the table of runs written so, without reading again
(one model per run keeps each run short on a busy machine)::

    python benchmarks/uc3m.py --runs seed0.json seed1.json seed2.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np


def figures(
    truths: Sequence[str],
    readings: Sequence[str],
    plate_types: Sequence[str],
    light: Sequence[str],
) -> dict[str, dict[str, float]]:
    """Hits and totals per group, the character accuracy, and the misses by kind.

    Parameters
    ----------
    truths : sequence of str
        The crops' texts, ``-`` for a painted character.
    readings : sequence of str
        What the model read.
    plate_types, light : sequence of str
        Each crop's type (``"A"``-``"E"``) and light (``"day"``/``"night"``).

    Returns
    -------
    dict
        ``{group: {"hits", "total", "accuracy"}}`` for the groups ``"A day"``,
        ``"A night"``, ``"A"`` and ``"all"``; ``"char_accuracy"``; and ``"misses"``:
        ``{"too_few", "empty", "too_many", "wrong_chars", "block_read", "total"}`` over
        all crops (``empty``, nothing read, is counted in ``too_few`` too; ``block_read``:
        the misses that are right but for painted blocks read as characters,
        :func:`_block_read`, counted in the others too).
    """
    from skplate.metrics import char_accuracy, is_read_right, visible_text

    truths = [str(t) for t in truths]
    readings = ["" if r is None else str(r) for r in readings]
    types, light = np.asarray(plate_types), np.asarray(light)
    hits = np.array([is_read_right(t, r) for t, r in zip(truths, readings, strict=True)])
    groups = {
        "A day": (types == "A") & (light == "day"),
        "A night": (types == "A") & (light == "night"),
        "A": types == "A",
        "all": np.ones(len(truths), dtype=bool),
    }
    result: dict = {}
    for name, mask in groups.items():
        total = int(mask.sum())
        count = int(hits[mask].sum())
        result[name] = {"hits": count, "total": total, "accuracy": count / total if total else None}
    result["char_accuracy"] = char_accuracy(truths, readings)
    wanted = np.array([len(visible_text(t)) for t in truths])
    got = np.array([len(r) for r in readings])
    result["misses"] = {
        "total": int((~hits).sum()),
        "too_few": int(((got < wanted) & ~hits).sum()),
        "empty": int(((got == 0) & ~hits).sum()),
        "too_many": int(((got > wanted) & ~hits).sum()),
        "wrong_chars": int(((got == wanted) & ~hits).sum()),
        "block_read": int(sum(_block_read(t, r) for t, r in zip(truths, readings, strict=True))),
    }
    return result


def _block_read(truth: str, reading: str) -> bool:
    """Whether a miss is right but for painted blocks read as characters: ``reading``
    equals ``truth`` once each ``-`` (a block painted over a character by the dataset's
    anonymisation) may stand for one character of any kind.

    Real plates carry no such blocks: these misses tell how much of the figures is the
    dataset's painting rather than the cameras'.
    """
    import re

    from skplate.metrics import is_read_right

    if is_read_right(truth, reading) or "-" not in truth:
        return False
    pattern = "".join(".?" if c == "-" else re.escape(c) for c in truth)
    return re.fullmatch(pattern, reading) is not None


def plate_format(spec: str) -> object:
    """The ``plate_format`` a ``--format`` value names (see the module's docstring)."""
    from skplate.formats import with_hidden_characters

    if spec == "spanish-visible":  # exactly two hidden: NNNNA, NNNAA, NNAAA
        return [fmt for fmt in with_hidden_characters("spanish", 2) if len(fmt) == 5]
    parts = [part.strip() for part in spec.split(",")]
    return parts[0] if len(parts) == 1 else parts


def _accuracy(group: str) -> Callable[[dict], float | None]:
    def read(run: dict) -> float | None:
        accuracy = run[group]["accuracy"]
        return None if accuracy is None else 100 * accuracy

    return read


def _rows(run: dict) -> list[tuple[str, Callable[[dict], float | None], Callable[[float], str]]]:
    percent = "{:.1f} %".format
    count = "{:g}".format
    rows = []
    for group, label in [
        ("A day", "type A, day"),
        ("A night", "type A, night"),
        ("A", "type A"),
        ("all", "all types"),
    ]:
        rows.append((f"{label} ({run[group]['total']} plates)", _accuracy(group), percent))
    rows.append(("char accuracy, all", lambda r: 100 * r["char_accuracy"], percent))
    for key, label in [
        ("total", "misses, all types"),
        ("too_few", "  too few characters"),
        ("empty", "    of which nothing read"),
        ("too_many", "  too many characters"),
        ("wrong_chars", "  right number, a wrong character"),
    ]:
        rows.append((label, lambda r, key=key: r["misses"][key], count))
    rows.append(("seconds per plate", lambda r: r["seconds_per_plate"], "{:.3f}".format))
    return rows


def summary_table(runs: list[dict], names: list[str]) -> list[list[str]]:
    """The table's rows (header first): one column per model, then min / median."""
    table = [["measure", *names, "min / median"]]
    for label, read, show in _rows(runs[0]):
        values = [read(run) for run in runs]
        known = [v for v in values if v is not None]
        spread = f"{show(min(known))} / {show(statistics.median(known))}" if known else "-"
        table.append([label, *("-" if v is None else show(v) for v in values), spread])
    return table


def _print(runs: list[dict], names: list[str]) -> None:
    formats = sorted({run["plate_format"] for run in runs})
    print(f"UC3M-LP crops ({runs[0]['all']['total']} plates), plate format {', '.join(formats)}")
    for index, row in enumerate(summary_table(runs, names)):
        print("| " + " | ".join(row) + " |")
        if index == 0:
            print("|" + "---|" * len(row))


def refuse_models_that_saw_uc3m(paths: list[str], parser: argparse.ArgumentParser) -> None:
    """Stop (``parser.error``) when a model's training record names the ``uc3m`` source:
    trained on every UC3M-LP photo (the recipe's default), it has seen every crop read
    here, so its figures would not be held out."""
    from skplate.model_info import learned_sources

    for path in paths:
        if "uc3m" in learned_sources(path):
            parser.error(
                f"{path} learned UC3M-LP's characters (training source 'uc3m'), so no crop "
                "here is held out from it: train the compared networks with --sources "
                "goodimg,fnt,synthetic,plates,junk (uc3m_cv.py trains its own per fold)."
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", help="a saved model; repeat")
    parser.add_argument("--plates", default=None, help="UC3M-LP-train.zip or its folder")
    parser.add_argument("--format", default=None, help="plate format; the model's when absent")
    parser.add_argument("--json", type=Path, default=None, help="write figures and readings")
    parser.add_argument("--runs", nargs="+", type=Path, help="summarise earlier --json files")
    args = parser.parse_args(argv)
    if args.runs:
        runs = [run for path in args.runs for run in json.loads(path.read_text())["runs"]]
        _print(runs, [Path(run["model"]).stem for run in runs])
        return 0
    if not args.model:
        parser.error("give --model (one or more) or --runs")
    refuse_models_that_saw_uc3m(args.model, parser)

    from skplate.datasets import load_uc3m_crops
    from skplate.persistence import load_model

    data = load_uc3m_crops(args.plates)
    runs, names = [], []
    for path in args.model:
        model = load_model(path)
        if args.format is not None:
            model.set_params(plate_format=plate_format(args.format)).fit([])
        start = time.perf_counter()
        readings = [str(r) for r in model.predict(data.samples)]
        seconds = time.perf_counter() - start
        run = figures(data.target, readings, data.plate_types, data.light)
        run["seconds_per_plate"] = seconds / len(readings)
        run["model"] = str(path)
        run["plate_format"] = args.format or str(model.get_params()["plate_format"])
        run["readings"] = readings
        runs.append(run)
        names.append(Path(path).stem)
    _print(runs, names)
    if args.json is not None:
        payload = {
            "filenames": data.filenames.tolist(),
            "truths": data.target.tolist(),
            "plate_types": data.plate_types.tolist(),
            "light": data.light.tolist(),
            "runs": runs,
        }
        args.json.write_text(json.dumps(payload, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
