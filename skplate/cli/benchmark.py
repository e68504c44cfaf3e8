"""``skplate benchmark``: train (or reuse) a model, read the reference plates, compare."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path

from .._version import __version__
from ._common import (
    load_plates,
    load_recognizer,
    read_report,
    save,
    score,
    train,
    training_record,
)
from ._log import EXIT_OK, Log
from ._options import add_batch_size, add_command, add_jobs, training_options
from ._output import json_number, percent, print_readings, print_table, report_path, write_json
from ._reading import use_format, use_jobs
from ._types import non_negative_int

# Folds and fine-tuning epochs of the harvest-mode cross-validation.
HARVEST_FOLDS = 5
HARVEST_EPOCHS = 3

# Published figures the benchmark is compared with: (measure, reference CNN,
# Tesseract + filters, target). The reference CNN is the from-scratch Chars74K network read
# without format constraints; Tesseract figures are "measured (reported)".
REFERENCE_ROWS = {
    "spanish": ("21 Spanish plates (--format spanish)", "11-14", "15 (17 reported)", ">=20"),
    "any": ("117 plates (--format any)", "-", "60 (70 reported)", ">=90"),
    "spanish_harvest": ("21 Spanish plates, harvest mode (CV)", "-", "-", "-"),
    "any_harvest": ("117 plates, harvest mode (CV)", "-", "-", "-"),
    "held_out": ("GoodImg held-out accuracy", "-", "-", ">=92%"),
    "seconds": ("seconds per plate", "-", "-", "-"),
    "training": ("training time", "-", "-", "-"),
}

EPILOG = """\
Trains a model (or reuses --model when that file exists; a new one is saved there),
reads the 21 Spanish plates with --format spanish and all 117 plates with --format any,
and prints a table next to the reference figures. None of these plates trains the
network for the headline rows (the recipe's real plate characters are UC3M-LP's, another
data set). The harvest-mode rows are separate: each plate is read by a copy of
the network fine-tuned on the characters of the other plates (K-fold cross-validation
over plates, --harvest-folds; 0 skips them).

examples:
  SKPLATE_DATA=../shared/data skplate benchmark
  skplate benchmark --data-home ../shared/data --model model.joblib --json bench.json
  skplate benchmark --epochs 5 --random-state 1 --harvest-folds 0
  skplate benchmark --model model.joblib --jobs 2
"""


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``benchmark`` to the sub-commands."""
    parser = add_command(
        commands,
        "benchmark",
        run,
        parents=[training_options()],
        help="train or reuse a model and compare it with the reference figures",
        description="Train (or reuse) a model, read the reference plates and compare.",
        epilog=EPILOG,
    )
    parser.add_argument(
        "--model",
        metavar="PATH",
        help="reuse this model file if it exists, else train one and save it there "
        "(default: train without saving)",
    )
    parser.add_argument("--json", metavar="FILE", help="write the figures as JSON to FILE")
    add_batch_size(parser)
    parser.add_argument(
        "--harvest-folds",
        type=non_negative_int,
        default=HARVEST_FOLDS,
        metavar="K",
        help="also score the harvest mode (the CNN fine-tuned on the characters of the "
        "other plates) by K-fold cross-validation over plates; 0 skips it "
        f"(default: {HARVEST_FOLDS})",
    )
    add_jobs(parser)


def _model(args: argparse.Namespace, log: Log) -> tuple[object, dict | None, bool]:
    """The model (reused from --model or trained), its training report, whether reused."""
    if args.model and Path(args.model).is_file():
        log.info(f"reusing the model {args.model}")
        # the harvest mode fine-tunes the network, which needs it in Keras
        model = load_recognizer(args.model, "keras" if args.harvest_folds else None)
        report = read_report(args.model)
        if report is None:
            log.warn(
                f"no training report ({report_path(args.model)}) beside the model: the "
                "held-out accuracy and training time are not available."
            )
        return model, report, True
    model, training_report = train(args, "any", "soft", log)
    if args.model:
        save(model, training_report, args.model, training_record(args, "any", "soft"), log)
    report = {k: json_number(v) for k, v in asdict(training_report).items()}
    return model, report, False


def _harvest(model: object, plates: dict, args: argparse.Namespace, log: Log) -> dict:
    """Harvest mode: each plate read by a copy of the CNN tuned on the other folds."""
    from ..adapt import harvest_cross_val_predict
    from ..metrics import is_read_right

    harvest = {}
    for plate_format in ("spanish", "any"):
        use_format(model, plate_format, None, log)
        data = plates[plate_format]
        log.info(
            f"harvest mode, {args.harvest_folds}-fold cross-validation over "
            f"{len(data.samples)} plates with --format {plate_format} ..."
        )
        predicted = harvest_cross_val_predict(
            model,
            data.samples,
            data.target,
            epochs=HARVEST_EPOCHS,
            n_splits=args.harvest_folds,
            random_state=args.random_state,
        )
        hits = sum(is_read_right(t, p) for t, p in zip(data.target, predicted, strict=True))
        harvest[plate_format] = {
            "hits": int(hits),
            "total": len(data.target),
            "folds": args.harvest_folds,
            "epochs": HARVEST_EPOCHS,
        }
        log.info(f"      hits {hits}/{len(data.target)}")
    return harvest


def run(args: argparse.Namespace, log: Log) -> int:
    """Score the model on both reference sets and print the comparison table."""
    # The plates first: a missing data file fails before minutes of training.
    plates = {
        plate_format: load_plates(None, args.data_home, plate_format, log)[0]
        for plate_format in ("spanish", "any")
    }
    model, report, reused = _model(args, log)

    use_jobs(model, args.jobs, log)  # reading only: the saved model keeps its n_jobs
    runs = {}
    for plate_format in ("spanish", "any"):
        use_format(model, plate_format, None, log)
        data = plates[plate_format]
        log.info(f"reading {len(data.samples)} plates with --format {plate_format} ...")
        scores, readings = score(model, data, plate_format, args.batch_size, log)
        if log.verbose:
            print_readings([str(t) for t in data.target], readings, log)
        log.info(f"      hits {scores['hits']}/{scores['total']}")
        runs[plate_format] = scores
    harvest = _harvest(model, plates, args, log) if args.harvest_folds else {}

    held_out = None if report is None else report.get("held_out_accuracy")
    training_seconds = None if report is None else report.get("seconds")
    total_plates = sum(run["total"] for run in runs.values())
    seconds_per_plate = (
        sum(run["seconds_per_plate"] * run["total"] for run in runs.values()) / total_plates
    )
    unavailable = "n/a (reused model, no report)" if report is None else "n/a"
    measured = {
        "spanish": f"{runs['spanish']['hits']}/{runs['spanish']['total']}",
        "any": f"{runs['any']['hits']}/{runs['any']['total']}",
        **{
            f"{name}_harvest": f"{run['hits']}/{run['total']} ({run['folds']}-fold)"
            for name, run in harvest.items()
        },
        "held_out": unavailable if held_out is None else percent(held_out),
        "seconds": f"{seconds_per_plate:.3f}",
        "training": (
            unavailable
            if training_seconds is None
            else f"{training_seconds:.0f} s" + (" (reused model)" if reused else "")
        ),
    }
    header = ("measure", "skplate", "reference CNN", "Tesseract+filters", "target")
    print_table(
        [header]
        + [(REFERENCE_ROWS[key][0], measured[key], *REFERENCE_ROWS[key][1:]) for key in measured]
    )
    if args.json:
        write_json(
            args.json,
            {
                "spanish": runs["spanish"],
                "any": runs["any"],
                "harvest_mode": harvest or None,
                "held_out_accuracy": held_out,
                "training_seconds": training_seconds,
                "seconds_per_plate": seconds_per_plate,
                "reused_model": reused,
                "random_state": args.random_state,
                "model": args.model,
                "skplate_version": __version__,
            },
        )
        log.info(f"wrote {args.json}")
    return EXIT_OK
