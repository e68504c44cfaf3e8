"""``skplate train``: train the character CNN and save a plate recognizer."""

from __future__ import annotations

import argparse

from ._common import load_plates, save, train, training_record
from ._log import EXIT_FAILED, EXIT_OK, Log
from ._options import DEFAULT_MODEL, add_command, training_options
from ._output import percent, report_path

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

examples:
  skplate train --out model.skplate
  skplate train --out model.joblib
  skplate train --sources goodimg,synthetic --epochs 10 --out model.joblib
  skplate train --chars ~/data/EnglishImg.tgz ~/data/EnglishFnt.tgz --format spanish
  skplate train --sources synthetic --synthetic-per-class 30 --epochs 3 --out tiny.joblib
  skplate train --format spanish --plates ../shared/data/test6Training.zip
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


def run(args: argparse.Namespace, log: Log) -> int:
    """Train, save the model and its report, print the training figures."""
    from ..formats import get_formats

    get_formats(args.plate_format)  # a bad format fails before any training
    plates, skipped = None, 0
    if args.plates is not None:
        plates, skipped = load_plates(args.plates, None, args.plate_format, log)
    model, report = train(args, args.plate_format, args.voting, log, plates)
    record = training_record(args, args.plate_format, args.voting)
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
    print(f"model             {saved}")
    print(f"report            {report_path(saved)}")
    return EXIT_FAILED if skipped else EXIT_OK
