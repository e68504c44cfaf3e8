"""``skplate train``: train the character CNN and save a plate recognizer."""

from __future__ import annotations

import argparse

from ._common import load_plates, save, train, training_record
from ._locator import check_locator_args, get_locator, locator_line
from ._log import EXIT_FAILED, EXIT_OK, Log
from ._options import DEFAULT_MODEL, add_command, training_options
from ._output import percent, report_path
from ._types import positive_int

EPILOG = """\
The Chars74K archives are read from --chars, else from --data-home / $SKPLATE_DATA.
A --chars path whose name holds 'Fnt' is the EnglishFnt archive or folder, one whose name
holds 'Img' the EnglishImg (GoodImg) one. A report of the training is written next to
the model, as MODEL.json (and inside a .skplate model: 'skplate info MODEL').

The model's format follows --out's suffix: .skplate is the safe format (JSON and NumPy
arrays, loaded without running code from the file, read without TensorFlow); any other
suffix, such as .joblib, a joblib pickle (load it only from a source you trust).
The generated characters are drawn with the fonts shipped with skplate, so the same
command and seed give the same training data on every machine (the report's data_sha256).

A model that holds a plate locator finds the plates of photos given without a box
('skplate predict', 'skplate evaluate --locate'). --locator FILE takes a fitted
PlateLocator saved with skplate.persistence.save_model (.skplate or .joblib), or the
locator of a model saved by 'skplate train'. --train-locator trains a
PlateLocator(random_state=SEED) on the UC3M-LP photos and their plate boxes
(UC3M-LP-train.zip in the data home, or the PATH given): about 12 minutes on two CPU
cores for the default 60 passes; --locator-epochs shortens it. 'skplate info' shows
whether a model holds a locator.

examples:
  skplate train --out model.skplate
  skplate train --out model.joblib
  skplate train --sources goodimg,synthetic --epochs 10 --out model.joblib
  skplate train --chars ~/data/EnglishImg.tgz ~/data/EnglishFnt.tgz --format spanish
  skplate train --sources synthetic --synthetic-per-class 30 --epochs 3 --out tiny.joblib
  skplate train --format spanish --plates ../shared/data/test6Training.zip
  skplate train --train-locator --out located.skplate
  skplate train --locator located.skplate --format spanish --out spanish.skplate
"""


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``train`` to the sub-commands."""
    parser = add_command(
        commands,
        "train",
        run,
        parents=[training_options()],
        help="train the character CNN and save a plate recognizer",
        description="Train the character CNN, build a plate recognizer and save it.",
        epilog=EPILOG,
    )
    parser.add_argument(
        "--out",
        default=DEFAULT_MODEL,
        metavar="PATH",
        help=f"where to save the model (default: {DEFAULT_MODEL})",
    )
    parser.add_argument(
        "--format",
        dest="plate_format",
        default="any",
        metavar="FORMAT",
        help="plate format the recognizer reads: spanish, any, or a pattern such as "
        "NNNNAAA (default: any)",
    )
    parser.add_argument(
        "--voting",
        choices=("soft", "hard"),
        default="soft",
        help="how the filter variants' readings are combined (default: soft)",
    )
    parser.add_argument(
        "--plates",
        metavar="PATH",
        help="labelled plates (test6Training.zip or folder) to learn the filter variants' "
        "weights from; only the plates fitting --format are used (default: none, every "
        "variant weighs the same)",
    )
    locating = parser.add_argument_group("plate locator (finds the plates of whole photos)")
    source = locating.add_mutually_exclusive_group()
    source.add_argument(
        "--locator",
        metavar="FILE",
        help="save this fitted plate locator with the model: a PlateLocator saved as "
        ".skplate or .joblib, or a model file whose locator is taken",
    )
    source.add_argument(
        "--train-locator",
        nargs="?",
        const="",
        metavar="PATH",
        help="train a plate locator on UC3M-LP's photos and plate boxes (PATH: "
        "UC3M-LP-train.zip or its folder; default: in the data home) and save it with "
        "the model",
    )
    locating.add_argument(
        "--locator-epochs",
        type=positive_int,
        metavar="N",
        help="passes of the locator's training (default: PlateLocator's, 60)",
    )
    locating.add_argument(
        "--locator-verify",
        action="store_true",
        help="train the locator with its verifier (PlateLocator(verify=True, "
        "score_threshold=0.65)): fewer false boxes, a few more plates missed, about 3 "
        "more minutes",
    )


def run(args: argparse.Namespace, log: Log) -> int:
    """Train, save the model and its report, print the training figures."""
    from ..formats import get_formats

    get_formats(args.plate_format)  # a bad format fails before any training
    if args.locator_epochs is not None and args.train_locator is None:
        raise ValueError("--locator-epochs: give --train-locator too (it sets its passes).")
    if args.locator_verify and args.train_locator is None:
        raise ValueError("--locator-verify: give --train-locator too (it trains the verifier).")
    check_locator_args(args)
    plates, skipped = None, 0
    if args.plates is not None:
        plates, skipped = load_plates(args.plates, None, args.plate_format, log)
    locator, locator_record = get_locator(args, log)
    model, report = train(args, args.plate_format, args.voting, log, plates, locator)
    record = training_record(args, args.plate_format, args.voting)
    if locator_record is not None:
        record["locator"] = locator_record
    saved = save(model, report, args.out, record, log)
    by_source = ", ".join(f"{name} {count}" for name, count in report.sources.items())
    print(f"images            {report.n_images} used for training ({by_source})")
    print(f"classes           {report.n_classes}")
    if report.n_held_out:
        held_out = f"{percent(report.held_out_accuracy)} on {report.n_held_out} GoodImg images"
    else:
        held_out = "n/a (no GoodImg images held out)"
    print(f"held-out accuracy {held_out}")
    print(f"epochs            {report.epochs}")
    print(f"data sha256       {report.data_sha256}")
    print(f"seconds           {report.seconds:.1f}")
    if locator_record is not None:
        print(f"plate locator     {locator_line(locator_record)}")
    print(f"model             {saved}")
    print(f"report            {report_path(saved)}")
    return EXIT_FAILED if skipped else EXIT_OK
