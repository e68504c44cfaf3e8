"""The ``skplate`` command: train, evaluate, predict and benchmark from the shell.

Argument parsing and printing only: every command is a short composition of the public
Python API (:mod:`skplate.training`, :func:`~skplate.recognizer.make_plate_recognizer`,
:mod:`skplate.persistence`, :func:`~skplate.datasets.load_plates`, :mod:`skplate.metrics`).
Heavy modules (TensorFlow) are imported inside the commands, so ``--help`` and
``--version`` answer at once.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import glob
import io
import json
import math
import os
import sys
import time
import traceback
import warnings
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from ._version import __version__
from .persistence import ModelFileError, atomic_open, atomic_write

__all__ = ["main"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

DEFAULT_MODEL = "skplate_model.joblib"
# training.CHAR_SOURCES, spelled out so that importing the CLI does not import TensorFlow.
DEFAULT_SOURCES = ("goodimg", "fnt", "synthetic", "plates", "junk")
BATCH_SIZE = 32
# 'benchmark': folds and fine-tuning epochs of the harvest-mode cross-validation.
HARVEST_FOLDS = 5
HARVEST_EPOCHS = 3
# What a folder given to 'predict' is searched for (case-insensitive).
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")
OUTPUT_FORMATS = ("tsv", "csv", "jsonl")
# 'predict --output FILE' without --output-format: the format from FILE's suffix, else tsv.
_OUTPUT_SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
CSV_HEADER = ("image", "text", "confidence", "error")

# Published figures the benchmark is compared with: (measure, reference CNN,
# Tesseract + filters, target). The reference CNN is the from-scratch Chars74K network read
# without format constraints; Tesseract figures are "measured (reported)".
_REFERENCE_ROWS = {
    "spanish": ("21 Spanish plates (--format spanish)", "11-14", "15 (17 reported)", ">=20"),
    "any": ("117 plates (--format any)", "-", "60 (70 reported)", ">=90"),
    "spanish_harvest": ("21 Spanish plates, harvest mode (CV)", "-", "-", "-"),
    "any_harvest": ("117 plates, harvest mode (CV)", "-", "-", "-"),
    "held_out": ("GoodImg held-out accuracy", "-", "-", ">=92%"),
    "seconds": ("seconds per plate", "-", "-", "-"),
    "training": ("training time", "-", "-", "-"),
}

_MAIN_EPILOG = """\
Run 'skplate COMMAND --help' for the options and examples of a command.

data:
  The reference files (EnglishImg.tgz, EnglishFnt.tgz, test6Training.zip) are looked for
  in --data-home, else in $SKPLATE_DATA, else in ~/skplate_data.

exit status:
  0  success
  1  some inputs failed (an unreadable image, a plate skipped for a bad label); the
     others were processed
  2  usage error, bad argument, or a missing or unreadable file (model, data)
  130  interrupted (Ctrl-C); 141  the output pipe was closed early ('| head')

examples:
  SKPLATE_DATA=../shared/data skplate benchmark
  skplate train --out model.joblib
  skplate evaluate --model model.joblib --format spanish
  skplate predict --model model.joblib photo.jpg --box 120,200,260,240
  skplate predict --model model.joblib photos/ --output readings.csv --jobs 2
"""

_TRAIN_EPILOG = """\
The Chars74K archives are read from --chars, else from --data-home / $SKPLATE_DATA.
A --chars path whose name holds 'Fnt' is the EnglishFnt archive or folder, one whose name
holds 'Img' the EnglishImg (GoodImg) one. A report of the training is written next to
the model, as MODEL.json.

examples:
  skplate train --out model.joblib
  skplate train --sources goodimg,synthetic --epochs 10 --out model.joblib
  skplate train --chars ~/data/EnglishImg.tgz ~/data/EnglishFnt.tgz --format spanish
  skplate train --sources synthetic --synthetic-per-class 30 --epochs 3 --out tiny.joblib
  skplate train --format spanish --plates ../shared/data/test6Training.zip
"""

_EVALUATE_EPILOG = """\
With --format, only the plates whose text fits that format are read (all of them with
--format any or --all-plates); without it, the model's own format is used. A format other
than the model's re-fits the recognizer's stage configuration, with every filter variant
weighing the same: variant weights the model learned with 'train --plates' are dropped.

examples:
  skplate evaluate --model model.joblib --format spanish
  skplate evaluate --model model.joblib --format any --json any.json
  skplate evaluate --model model.joblib --plates test6Training.zip --results LicenseResults.txt
  skplate evaluate --model model.joblib --format NNNNAAA --voting hard
  skplate evaluate --model model.joblib --format any --lookalikes 0O,1I
  skplate evaluate --model model.joblib --format any --jobs 2
"""

_PREDICT_EPILOG = """\
Each IMAGE is a photo file, a folder (every .jpg, .jpeg, .png, .bmp, .tif, .tiff and .webp
file in it and in its subfolders, in sorted order) or a glob pattern in quotes, expanded
by skplate ('**' reaches into subfolders). A folder or pattern holding no image is a
usage error. Each file is read once, in the order given.

The plate box comes from --box (pixels) or --label (a YOLO label file, class 0 = plate);
both apply to every image. Without them, labels/<stem>.txt next to the image's images/
folder is used.

Images are read --batch-size at a time, and each batch's rows are written (and flushed)
before the next batch is read: memory holds one batch, however many images there are.

output (--output-format; with --output FILE, the default comes from FILE's suffix:
.csv csv, .jsonl or .ndjson jsonl, any other tsv; .json is refused, as the file holds
JSON lines, not one JSON document):
  tsv    IMAGE<TAB>TEXT<TAB>CONFIDENCE per image (the default on stdout); an image that
         cannot be read prints IMAGE<TAB>ERROR<TAB>REASON to stderr instead
  csv    a header line image,text,confidence,error, then one row per image
  jsonl  one JSON object per image with the keys image, text, confidence and error
         (with -v also variants: each filter variant's name, text and score)
The text is empty when no reading fits the format; the confidence has three decimals
and is empty (null) on an error row. --output FILE is written to a temporary file beside
it and renamed onto FILE at the end: a run that fails or is interrupted leaves an
existing FILE as it was.

An image that cannot be read (a missing or corrupt file, a missing or bad label, a box
outside the image) gets an error row with the reason, the other images are read, and
the exit status is 1.

examples:
  skplate predict --model model.joblib photo.jpg --box 120,200,260,240
  skplate predict --model model.joblib photo.jpg --label photo.txt --format spanish
  skplate predict --model model.joblib test6Training/images/*.jpg
  skplate predict --model model.joblib test6Training/ --output readings.csv --jobs 2
  skplate predict --model model.joblib 'photos/**/*.jpg' --output readings.jsonl -q
"""

_BENCHMARK_EPILOG = """\
Trains a model (or reuses --model when that file exists; a new one is saved there),
reads the 21 Spanish plates with --format spanish and all 117 plates with --format any,
and prints a table next to the reference figures. No plate image trains the network for
the headline rows. The harvest-mode rows are separate: each plate is read by a copy of
the network fine-tuned on the characters of the other plates (K-fold cross-validation
over plates, --harvest-folds; 0 skips them).

examples:
  SKPLATE_DATA=../shared/data skplate benchmark
  skplate benchmark --data-home ../shared/data --model model.joblib --json bench.json
  skplate benchmark --epochs 5 --random-state 1 --harvest-folds 0
  skplate benchmark --model model.joblib --jobs 2
"""


# -- output helpers ----------------------------------------------------------------------
class _Log:
    """Progress and diagnostics on stderr: silenced by -q, detailed by -v."""

    def __init__(self, quiet: bool, verbose: int) -> None:
        self.quiet = quiet
        self.verbose = 0 if quiet else verbose

    def info(self, message: str) -> None:
        if not self.quiet:
            print(message, file=sys.stderr, flush=True)

    def debug(self, message: str) -> None:
        if self.verbose:
            print(message, file=sys.stderr, flush=True)

    def warn(self, message: str) -> None:
        print(f"skplate: warning: {message}", file=sys.stderr, flush=True)

    @property
    def progress(self) -> bool:
        """Whether to draw progress bars (only on a terminal)."""
        return not self.quiet and sys.stderr.isatty()

    def bar(self, total: int, unit: str):
        """A progress bar on stderr counting ``unit``s, drawn only when :attr:`progress`."""
        from tqdm import tqdm

        return tqdm(
            total=total,
            unit=unit,
            desc="reading",
            file=sys.stderr,
            disable=not self.progress,
            leave=False,
        )


def _glyphs() -> tuple[str, str]:
    """Hit / miss marks, in plain ASCII where stdout cannot encode the ticks."""
    try:
        "✓✗".encode(getattr(sys.stdout, "encoding", None) or "ascii")
    except (UnicodeEncodeError, LookupError):
        return "ok", "x"
    return "✓", "✗"


def _percent(value: float | None) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{100 * value:.1f}%"


def _json_number(value: float) -> float | None:
    return None if isinstance(value, float) and math.isnan(value) else value


def _format_label(spec: object) -> str:
    """How a plate_format is named in tables and JSON."""
    if isinstance(spec, str):
        return spec
    from .formats import get_formats

    return ",".join(fmt.name for fmt in get_formats(spec))


def _write_json(path: str | os.PathLike, payload: dict) -> Path:
    text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _result_line(true: str, predicted: str) -> str:
    """One line of a results file: ``TRUE,PREDICTED``."""
    return f"{true},{predicted}\n"


def _write_results(path: str | os.PathLike, true: Sequence[str], predicted: Sequence[str]) -> Path:
    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
            for t, p in zip(true, predicted, strict=True):
                handle.write(_result_line(t, p))

    return atomic_write(path, write)


def _report_path(model_path: str | os.PathLike) -> Path:
    """The training report saved beside a model: ``<model>.json``."""
    return Path(f"{model_path}.json")


# -- argument types ----------------------------------------------------------------------
def _int_at_least(minimum: int, wanted: str):
    """An argparse type: an integer of at least ``minimum``, else ``expected <wanted>``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum:
            raise argparse.ArgumentTypeError(f"expected {wanted}, got {text!r}")
        return value

    return parse


_positive_int = _int_at_least(1, "a positive integer")
_non_negative_int = _int_at_least(0, "an integer >= 0")


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value == 0:
        raise argparse.ArgumentTypeError(
            f"expected a number of jobs (1, 2, ...; -1 for all cores), got {text!r}"
        )
    return value


def _sources(text: str) -> tuple[str, ...]:
    sources = tuple(part.strip().lower() for part in text.split(",") if part.strip())
    if not sources:
        raise argparse.ArgumentTypeError("expected a comma-separated list such as goodimg,fnt")
    return sources


def _lookalike_groups(text: str) -> tuple[str, ...]:
    """``--lookalikes``: comma-separated groups such as ``0O,1I``; ``none`` pools nothing."""
    from .recognizer import _check_lookalikes

    if text.strip().lower() == "none":
        return ()
    groups = tuple(part.strip().upper() for part in text.split(","))
    try:
        _check_lookalikes(groups)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error).removeprefix("lookalikes: ")) from None
    return groups


def _margin(text: str) -> tuple[float, float] | None:
    """``--extra-margin``: two fractions ``MX,MY`` of the box width and height; None for 'none'."""
    from .crop import _check_margin

    if text.strip().lower() == "none":
        return None
    try:
        return _check_margin(tuple(float(part) for part in text.split(",")))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected two fractions of the box width and height MX,MY (such as 0.02,0), "
            f"each above -0.5; got {text!r}"
        ) from None


_UNSET = object()  # an option left out (its value may be None)


def _agreement(text: str) -> float | None:
    """``--extra-below-agreement``: a share in (0, 1], or 'none'."""
    if text.strip().lower() == "none":
        return None
    try:
        share = float(text)
    except ValueError:
        share = float("nan")
    if not 0 < share <= 1:
        raise argparse.ArgumentTypeError(
            f"expected a share of the variants in (0, 1] (such as 0.5) or 'none'; got {text!r}"
        )
    return share


def _prior_correction(text: str) -> float:
    """``--prior-correction``: a number >= 0."""
    try:
        strength = float(text)
    except ValueError:
        strength = float("nan")
    if not 0 <= strength < float("inf"):
        raise argparse.ArgumentTypeError(
            f"expected a number >= 0 (1 divides the training class mix out, 0 keeps it); "
            f"got {text!r}"
        )
    return strength


def _box(text: str) -> tuple[float, float, float, float]:
    parts = text.split(",")
    try:
        values = tuple(float(part) for part in parts)
    except ValueError:
        values = ()
    if len(values) != 4:
        raise argparse.ArgumentTypeError(
            f"expected four pixel coordinates x1,y1,x2,y2, got {text!r}"
        )
    return values  # type: ignore[return-value]


# -- parser ------------------------------------------------------------------------------
def _add_verbosity(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """-q / -v; on a sub-command they default to SUPPRESS so as not to undo the global ones."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="print results only: no progress, no per-plate table",
    )
    group.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=argparse.SUPPRESS if suppress else 0,
        help="more detail (per-variant readings, epoch lines, tracebacks)",
    )


# The training defaults the help quotes. They are written out here because importing
# skplate.training would load TensorFlow for '--help'; tests/test_cli.py checks them
# against load_training_chars' signature and RECIPE_CNN_PARAMS.
_TRAINING_DEFAULTS = {
    "epochs": 18,
    "fnt_per_class": 150,
    "synthetic_per_class": 120,
    "n_plates": 600,
    "n_junk": 800,
}


def _training_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("training data and network")
    group.add_argument(
        "--chars",
        nargs="+",
        action="extend",
        metavar="PATH",
        help="EnglishImg / EnglishFnt archives or folders (default: in the data home)",
    )
    group.add_argument(
        "--sources",
        type=_sources,
        default=DEFAULT_SOURCES,
        metavar="LIST",
        help=(
            "character sources, comma-separated, from goodimg,fnt,synthetic,plates,junk "
            "(default: all)"
        ),
    )
    group.add_argument(
        "--data-home",
        metavar="DIR",
        help="folder holding the reference data (default: $SKPLATE_DATA or ~/skplate_data)",
    )
    group.add_argument(
        "--epochs",
        type=_positive_int,
        metavar="N",
        help=(
            f"most training epochs (default: the recipe's, {_TRAINING_DEFAULTS['epochs']}; "
            "early stopping may end sooner)"
        ),
    )
    group.add_argument(
        "--random-state",
        type=int,
        default=0,
        metavar="SEED",
        help="seed of the data subsampling, the split and the network (default: 0)",
    )
    group.add_argument(
        "--fnt-per-class",
        type=_positive_int,
        metavar="N",
        help=f"EnglishFnt images drawn per class (default: {_TRAINING_DEFAULTS['fnt_per_class']})",
    )
    group.add_argument(
        "--synthetic-per-class",
        type=_positive_int,
        metavar="N",
        help=(
            "rendered characters per class "
            f"(default: {_TRAINING_DEFAULTS['synthetic_per_class']})"
        ),
    )
    group.add_argument(
        "--generated-plates",
        dest="n_plates",
        type=_positive_int,
        metavar="N",
        help=(
            "generated plates whose segmented characters are the 'plates' source "
            f"(default: {_TRAINING_DEFAULTS['n_plates']})"
        ),
    )
    group.add_argument(
        "--junk",
        dest="n_junk",
        type=_non_negative_int,
        metavar="N",
        help=(
            "drawn 'not a character' shapes, the 'junk' source "
            f"(default: {_TRAINING_DEFAULTS['n_junk']})"
        ),
    )
    group.add_argument(
        "--gray-levels",
        action="store_true",
        help=(
            "train and read characters with the ink's grey levels as a second channel "
            "(not the recipe: it reads slightly more of the 117 plates, but GoodImg and "
            "blurred or recompressed photos worse; docs/benchmarks.md)"
        ),
    )
    return parent


def _model_options(*, required: bool) -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--model",
        required=required,
        metavar="PATH",
        help="model file written by 'skplate train'",
    )
    parent.add_argument(
        "--format",
        dest="plate_format",
        metavar="FORMAT",
        help="plate format: spanish, any, or a pattern of N (digit), A (letter), "
        "X (either) such as NNNNAAA (default: the model's)",
    )
    parent.add_argument(
        "--voting",
        choices=("soft", "hard"),
        help="how the filter variants' readings are combined (default: the model's)",
    )
    parent.add_argument(
        "--lookalikes",
        type=_lookalike_groups,
        metavar="GROUPS",
        help="comma-separated groups of characters the decoder pools, such as 0O,1I, so "
        "that the format and the neighbours decide between them; 'none' pools nothing "
        "(default: the model's)",
    )
    parent.add_argument(
        "--prior-correction",
        dest="prior_correction",
        type=_prior_correction,
        metavar="STRENGTH",
        help="divide this power of the network's training class shares out of its "
        "character probabilities: 1 reads every character as equally likely a priori, "
        "0 reads the network as it is (default: the model's)",
    )
    parent.add_argument(
        "--extra-margin",
        dest="extra_margins",
        type=_margin,
        action="append",
        metavar="MX,MY",
        help="also read the plates the first crop does not settle cropped with this margin "
        "(fractions of the box width and height; 0.02,0 drops the vertical margin), all "
        "crops voting together: test-time augmentation; repeatable; 'none' reads one crop "
        "(default: the model's)",
    )
    parent.add_argument(
        "--extra-below-agreement",
        dest="extra_below_agreement",
        type=_agreement,
        default=_UNSET,
        metavar="SHARE",
        help="read the extra crops of the plates whose first crop's most common reading "
        "holds less than this share of the variants (0.5: no majority); 'none' reads "
        "them for every plate (default: the model's)",
    )
    return parent


def _add_jobs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--jobs",
        type=_jobs,
        metavar="N",
        help="parallel jobs for the image stages (crop, filters, segmentation) while "
        "reading plates; -1 uses every core (default: the model's own n_jobs, normally 1)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The ``skplate`` argument parser."""
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="skplate",
        description="Licence-plate OCR from scratch, as scikit-learn estimators.",
        epilog=_MAIN_EPILOG,
        formatter_class=formatter,
    )
    parser.add_argument("--version", action="version", version=f"skplate {__version__}")
    _add_verbosity(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    verbosity = argparse.ArgumentParser(add_help=False)
    _add_verbosity(verbosity, suppress=True)

    train = commands.add_parser(
        "train",
        parents=[_training_options(), verbosity],
        help="train the character CNN and save a plate recognizer",
        description="Train the character CNN, build a plate recognizer and save it.",
        epilog=_TRAIN_EPILOG,
        formatter_class=formatter,
    )
    train.add_argument(
        "--out",
        default=DEFAULT_MODEL,
        metavar="PATH",
        help=f"where to save the model (default: {DEFAULT_MODEL})",
    )
    train.add_argument(
        "--format",
        dest="plate_format",
        default="any",
        metavar="FORMAT",
        help="plate format the recognizer reads: spanish, any, or a pattern such as "
        "NNNNAAA (default: any)",
    )
    train.add_argument(
        "--voting",
        choices=("soft", "hard"),
        default="soft",
        help="how the filter variants' readings are combined (default: soft)",
    )
    train.add_argument(
        "--plates",
        metavar="PATH",
        help="labelled plates (test6Training.zip or folder) to learn the filter variants' "
        "weights from; only the plates fitting --format are used (default: none, every "
        "variant weighs the same)",
    )
    train.set_defaults(func=_cmd_train)

    evaluate = commands.add_parser(
        "evaluate",
        parents=[_model_options(required=True), verbosity],
        help="score a saved model on labelled plates",
        description="Read labelled plates with a saved model and score the readings.",
        epilog=_EVALUATE_EPILOG,
        formatter_class=formatter,
    )
    evaluate.add_argument(
        "--plates",
        metavar="PATH",
        help="test6Training.zip, its folder, or a folder holding it (default: the data home)",
    )
    evaluate.add_argument("--data-home", metavar="DIR", help="folder holding the reference data")
    evaluate.add_argument(
        "--all-plates",
        action="store_true",
        help="read every plate, not only those whose text fits the format",
    )
    evaluate.add_argument(
        "--results", metavar="FILE", help="write TRUE,PREDICTED per plate to FILE"
    )
    evaluate.add_argument("--json", metavar="FILE", help="write the scores as JSON to FILE")
    evaluate.add_argument(
        "--report",
        metavar="FILE",
        help="write a visual HTML report (crops, filter variants, characters, votes) to FILE",
    )
    evaluate.add_argument(
        "--batch-size",
        type=_positive_int,
        default=BATCH_SIZE,
        metavar="N",
        help=f"plates read per call (default: {BATCH_SIZE})",
    )
    _add_jobs(evaluate)
    evaluate.set_defaults(func=_cmd_evaluate)

    predict = commands.add_parser(
        "predict",
        parents=[_model_options(required=True), verbosity],
        help="read the plate of photos",
        description="Read the plate of one or more photos.",
        epilog=_PREDICT_EPILOG,
        formatter_class=formatter,
    )
    predict.add_argument(
        "images",
        nargs="+",
        metavar="IMAGE",
        help="photo files, folders of photos, or quoted glob patterns such as 'cars/**/*.jpg'",
    )
    where = predict.add_mutually_exclusive_group()
    where.add_argument(
        "--box", type=_box, metavar="X1,Y1,X2,Y2", help="plate box in pixels (x2, y2 exclusive)"
    )
    where.add_argument(
        "--label", metavar="FILE", help="YOLO label file ('class xc yc w h', class 0 = plate)"
    )
    predict.add_argument(
        "--output",
        metavar="FILE",
        help="write the rows to FILE, replacing it only when the run ends (default: stdout)",
    )
    predict.add_argument(
        "--output-format",
        choices=OUTPUT_FORMATS,
        help="row format (default: from the --output suffix, else tsv)",
    )
    predict.add_argument(
        "--batch-size",
        type=_positive_int,
        default=BATCH_SIZE,
        metavar="N",
        help=f"images read, held in memory and written per step (default: {BATCH_SIZE})",
    )
    _add_jobs(predict)
    predict.set_defaults(func=_cmd_predict)

    benchmark = commands.add_parser(
        "benchmark",
        parents=[_training_options(), verbosity],
        help="train or reuse a model and compare it with the reference figures",
        description="Train (or reuse) a model, read the reference plates and compare.",
        epilog=_BENCHMARK_EPILOG,
        formatter_class=formatter,
    )
    benchmark.add_argument(
        "--model",
        metavar="PATH",
        help="reuse this model file if it exists, else train one and save it there "
        "(default: train without saving)",
    )
    benchmark.add_argument("--json", metavar="FILE", help="write the figures as JSON to FILE")
    benchmark.add_argument(
        "--batch-size",
        type=_positive_int,
        default=BATCH_SIZE,
        metavar="N",
        help=f"plates read per call (default: {BATCH_SIZE})",
    )
    benchmark.add_argument(
        "--harvest-folds",
        type=_non_negative_int,
        default=HARVEST_FOLDS,
        metavar="K",
        help="also score the harvest mode (the CNN fine-tuned on the characters of the "
        "other plates) by K-fold cross-validation over plates; 0 skips it "
        f"(default: {HARVEST_FOLDS})",
    )
    _add_jobs(benchmark)
    benchmark.set_defaults(func=_cmd_benchmark)
    return parser


# -- shared steps --------------------------------------------------------------------------
def _char_paths(paths: Sequence[str] | None) -> dict[str, str]:
    """Map ``--chars`` paths to ``goodimg_path`` / ``fnt_path`` by their names."""
    found: dict[str, str] = {}
    for raw in paths or ():
        path = Path(raw).expanduser()
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such file or folder (--chars).")
        kind = None
        for part in reversed(path.parts):
            lowered = part.lower()
            if "fnt" in lowered:
                kind = "fnt_path"
                break
            if "img" in lowered:
                kind = "goodimg_path"
                break
        if kind is None:
            raise ValueError(
                f"{path}: cannot tell whether this is EnglishImg or EnglishFnt (--chars); "
                "its name should hold 'Img' or 'Fnt'."
            )
        if kind in found:
            raise ValueError(f"--chars: two {kind.split('_')[0]} paths: {found[kind]} and {path}.")
        found[kind] = str(path)
    return found


def _load_plates(
    path: str | None,
    data_home: str | None,
    plate_format: object,
    log: _Log,
    *,
    all_plates: bool = False,
):
    """Load the labelled plates fitting ``plate_format``; return them and the skip count.

    ``"any"`` (or ``all_plates``) keeps every plate, including texts no format fits.
    """
    from .datasets import get_data_home, load_plates

    if path is None and data_home is not None:
        path = str(get_data_home(data_home))
    everything = all_plates or (isinstance(plate_format, str) and plate_format.lower() == "any")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        data = load_plates(path, plate_format=None if everything else plate_format, errors="skip")
    skipped = [w for w in caught if issubclass(w.category, UserWarning)]
    for warning in skipped:
        log.warn(str(warning.message))
    if not len(data.samples) and skipped:
        raise ValueError(
            f"{path or 'the data home'}: every plate was skipped ({len(skipped)} unreadable "
            "images or labels); see the warnings above."
        )
    if not len(data.samples):
        raise ValueError(
            f"{path or 'the data home'}: no plate text fits the format "
            f"{_format_label(plate_format)!r}; use --format any to read every plate."
        )
    return data, len(skipped)


def _load_recognizer(path: str) -> object:
    from .persistence import load_model

    model = load_model(path)
    if not hasattr(model, "predict_readings"):
        raise ModelFileError(
            f"{path}: holds a {type(model).__name__}, not a skplate plate recognizer; "
            "train one with 'skplate train'."
        )
    try:
        model.get_params(deep=True)
    except AttributeError as error:  # pickled before a parameter was added to a stage
        raise ModelFileError(
            f"{path}: saved by an incompatible development version of skplate ({error}); "
            "retrain it with 'skplate train'."
        ) from error
    return model


def _refit(model: object, log: _Log, **params: object) -> bool:
    """Set recognizer parameters and re-fit its stages; True if learned weights were lost."""
    weights = getattr(model, "variant_weights_", None)
    learned = weights is not None and any(float(w) != 1.0 for w in weights)
    model.set_params(**params).fit([])
    log.debug(f"re-fitted the recognizer with {params}.")
    return learned


def _use_format(model: object, plate_format: str | None, voting: str | None, log: _Log) -> object:
    """Set the model's format (re-fitting its stages when it changes) and voting."""
    from .formats import get_formats

    current = model.get_params(deep=False)["plate_format"]
    if plate_format is not None and get_formats(plate_format) != get_formats(current):
        if _refit(model, log, plate_format=plate_format):
            log.warn(
                f"the model was fitted for the format {_format_label(current)!r}; reading "
                f"with {plate_format!r} re-fits it and drops its learned variant weights "
                "(every variant now weighs the same)."
            )
        current = plate_format
    if voting is not None:
        model.set_params(voting=voting)
    return current


def _use_lookalikes(model: object, groups: tuple[str, ...] | None) -> None:
    """``--lookalikes``: the look-alike groups the recognizer pools while reading."""
    if groups is not None:
        model.set_params(lookalikes=groups)


def _use_prior_correction(model: object, strength: float | None) -> None:
    """``--prior-correction``: how much of the training class mix is divided out."""
    if strength is not None:
        model.set_params(prior_correction=strength)


def _use_extra_crops(
    model: object,
    margins: list[tuple[float, float] | None] | None,
    below_agreement: float | object | None,
    log: _Log,
) -> None:
    """``--extra-margin`` (re-fits the stages) and ``--extra-below-agreement``."""
    if margins is not None:
        margins = [margin for margin in margins if margin is not None]  # 'none': one crop
        if _refit(model, log, extra_margins=margins):
            log.warn(
                "reading with --extra-margin re-fits the model and drops its learned variant "
                "weights (every variant now weighs the same)."
            )
    if below_agreement is not _UNSET:
        model.set_params(extra_below_agreement=below_agreement)


def _use_jobs(model: object, jobs: int | None, log: _Log) -> None:
    """``--jobs``: the recognizer's ``n_jobs`` for reading (not saved with the model)."""
    if jobs is not None:
        model.set_params(n_jobs=jobs)
        log.debug(f"reading with n_jobs={jobs}.")


def _read(model: object, samples: Sequence, batch_size: int, log: _Log) -> tuple[list, float]:
    """Read all plates, ``batch_size`` per call; return the readings and the seconds."""
    readings: list = []
    start = time.perf_counter()
    with log.bar(len(samples), "plate") as bar:
        for first in range(0, len(samples), batch_size):
            batch = samples[first : first + batch_size]
            readings.extend(model.predict_readings(batch))
            bar.update(len(batch))
    return readings, time.perf_counter() - start


def _score(model, data, plate_format, batch_size: int, log: _Log) -> tuple[dict, list]:
    """Read ``data.samples`` and score them against ``data.target``."""
    from .metrics import char_accuracy, plate_accuracy

    readings, seconds = _read(model, data.samples, batch_size, log)
    true = [str(t) for t in data.target]
    predicted = [r.text for r in readings]
    scores = {
        "hits": sum(t == p for t, p in zip(true, predicted, strict=True)),
        "total": len(true),
        "plate_accuracy": plate_accuracy(true, predicted),
        "char_accuracy": char_accuracy(true, predicted),
        "seconds_per_plate": seconds / len(true),
        "format": _format_label(plate_format),
        "voting": model.get_params(deep=False)["voting"],
        "lookalikes": list(model.get_params(deep=False)["lookalikes"] or ()),
        "prior_correction": model.get_params(deep=False)["prior_correction"],
        "extra_margins": [list(m) for m in model.get_params(deep=False)["extra_margins"] or ()],
        "extra_below_agreement": model.get_params(deep=False)["extra_below_agreement"],
        "extra_crops_read": sum(
            len(r.variant_names) > len(model.filter_bank_.variant_names_) for r in readings
        ),
    }
    return scores, readings


def _print_readings(true: Sequence[str], readings: Sequence, log: _Log) -> None:
    hit, miss = _glyphs()
    width = max([len("true"), *(len(t) for t in true)])
    pred_width = max([len("predicted"), *(len(r.text) for r in readings)])
    print(f"{'true':<{width}}  {'predicted':<{pred_width}}  confidence  hit")
    for t, reading in zip(true, readings, strict=True):
        mark = hit if t == reading.text else miss
        print(f"{t:<{width}}  {reading.text:<{pred_width}}  {reading.confidence:>10.3f}  {mark}")
        if log.verbose:
            for name, text, score in zip(
                reading.variant_names, reading.variant_texts, reading.variant_scores, strict=True
            ):
                print(f"    {name:<22} {text or '-':<10} {score:9.2f}")


def _print_scores(scores: dict) -> None:
    print(f"hits {scores['hits']}/{scores['total']} ({_percent(scores['plate_accuracy'])})")
    print(f"char accuracy {_percent(scores['char_accuracy'])}")
    print(f"seconds per plate {scores['seconds_per_plate']:.3f}")


def _train(args: argparse.Namespace, plate_format: str, voting: str, log: _Log, plates=None):
    """Load characters, train the CNN, build and fit the recognizer."""
    from .normalize import CharNormalizer
    from .recognizer import make_plate_recognizer
    from .training import load_training_chars, train_char_classifier

    counts = {
        key: value
        for key, value in (
            ("fnt_per_class", args.fnt_per_class),
            ("synthetic_per_class", args.synthetic_per_class),
            ("n_plates", args.n_plates),
            ("n_junk", args.n_junk),
        )
        if value is not None
    }
    paths = _char_paths(args.chars)
    log.info(f"[1/4] loading characters ({', '.join(args.sources)}) ...")
    chars = load_training_chars(
        args.sources,
        data_home=args.data_home,
        random_state=args.random_state,
        **paths,
        **counts,
    )
    log.info(f"      {len(chars.images)} character images")
    epochs = {} if args.epochs is None else {"epochs": args.epochs}
    log.info("[2/4] normalising and training the character CNN ...")
    classifier, report = train_char_classifier(
        chars,
        random_state=args.random_state,
        normalizer=CharNormalizer(gray_levels=args.gray_levels),
        verbose=2 if log.verbose else 0,
        **epochs,
    )
    log.info(
        f"      {report.epochs} epochs in {report.seconds:.1f} s, held-out GoodImg accuracy "
        f"{_percent(report.held_out_accuracy)}"
    )
    log.info(f"[3/4] building the plate recognizer (format {plate_format}) ...")
    model = make_plate_recognizer(classifier, plate_format=plate_format, voting=voting)
    if plates is None:
        model.fit([])
    else:
        model.fit(plates.samples, plates.target)
        log.info(f"      variant weights learned from {len(plates.samples)} plates")
        for name, weight in zip(model.variant_names_, model.variant_weights_, strict=True):
            log.debug(f"      {name:<22} {weight:.3f}")
    return model, report


def _save(model, report, path: str, extra: dict, log: _Log) -> Path:
    from .persistence import save_model

    log.info(f"[4/4] saving {path} ...")
    saved = save_model(model, path)
    report_dict = {key: _json_number(value) for key, value in asdict(report).items()}
    _write_json(
        _report_path(saved),
        {"skplate_version": __version__, "training_report": report_dict, **extra},
    )
    return saved


def _read_report(model_path: str) -> dict | None:
    path = _report_path(model_path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))["training_report"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


# -- commands ----------------------------------------------------------------------------
def _cmd_train(args: argparse.Namespace, log: _Log) -> int:
    from .formats import get_formats

    get_formats(args.plate_format)  # a bad format fails before any training
    plates, skipped = None, 0
    if args.plates is not None:
        plates, skipped = _load_plates(args.plates, None, args.plate_format, log)
    model, report = _train(args, args.plate_format, args.voting, log, plates)
    saved = _save(
        model,
        report,
        args.out,
        {
            "plate_format": _format_label(args.plate_format),
            "voting": args.voting,
            "sources": list(args.sources),
            "random_state": args.random_state,
            "weights_from_plates": args.plates,
        },
        log,
    )
    by_source = ", ".join(f"{name} {count}" for name, count in report.sources.items())
    print(f"images            {report.n_images} used for training ({by_source})")
    print(f"classes           {report.n_classes}")
    if report.n_held_out:
        held_out = f"{_percent(report.held_out_accuracy)} on {report.n_held_out} GoodImg images"
    else:
        held_out = "n/a (no GoodImg images held out)"
    print(f"held-out accuracy {held_out}")
    print(f"epochs            {report.epochs}")
    print(f"seconds           {report.seconds:.1f}")
    print(f"model             {saved}")
    print(f"report            {_report_path(saved)}")
    return EXIT_FAILED if skipped else EXIT_OK


def _cmd_evaluate(args: argparse.Namespace, log: _Log) -> int:
    if args.plate_format is not None:
        from .formats import get_formats

        get_formats(args.plate_format)
    model = _load_recognizer(args.model)
    plate_format = _use_format(model, args.plate_format, args.voting, log)
    _use_lookalikes(model, args.lookalikes)
    _use_prior_correction(model, args.prior_correction)
    _use_extra_crops(model, args.extra_margins, args.extra_below_agreement, log)
    _use_jobs(model, args.jobs, log)
    data, skipped = _load_plates(
        args.plates, args.data_home, plate_format, log, all_plates=args.all_plates
    )
    log.info(f"reading {len(data.samples)} plates (format {_format_label(plate_format)}) ...")
    scores, readings = _score(model, data, plate_format, args.batch_size, log)
    true = [str(t) for t in data.target]
    if not log.quiet:
        _print_readings(true, readings, log)
    _print_scores(scores)
    if args.results:
        _write_results(args.results, true, [r.text for r in readings])
        log.info(f"wrote {args.results}")
    if args.json:
        _write_json(args.json, {**scores, "skipped": skipped})
        log.info(f"wrote {args.json}")
    if args.report:
        from .report import build_report

        build_report(model, data.samples, true, path=args.report)
        log.info(f"wrote {args.report}")
    return EXIT_FAILED if skipped else EXIT_OK


def _plate_box(image_path: Path, shape: tuple[int, ...], args: argparse.Namespace):
    from .datasets._plates import parse_yolo_plate_box

    if args.box is not None:
        return args.box
    label = Path(args.label) if args.label else None
    if label is None and image_path.parent.name == "images":
        candidate = image_path.parent.parent / "labels" / f"{image_path.stem}.txt"
        label = candidate if candidate.is_file() else None
    if label is None:
        raise ValueError(
            f"{image_path}: no plate box: give --box X1,Y1,X2,Y2 or --label FILE (no "
            f"labels/{image_path.stem}.txt beside the images/ folder)."
        )
    try:
        text = label.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{label}: not a text file.") from None
    return parse_yolo_plate_box(text, shape, name=str(label))


def _image_files(folder: Path) -> list[str]:
    """Every image file under ``folder`` (recursively, by suffix), sorted."""
    return [
        str(path)
        for path in sorted(folder.rglob("*"))
        if path.suffix.lower() in IMAGE_SUFFIXES and path.is_file()
    ]


def _expand_images(names: Sequence[str]) -> list[str]:
    """The image files named by predict's IMAGE arguments, each once, in the order given.

    An existing folder is walked; a name holding ``*``, ``?`` or ``[`` that is not an
    existing path is a glob pattern; anything else is taken as a file (a missing one then
    gets an error row when it is read). A folder or pattern with no image raises.
    """
    files: dict[str, None] = {}  # ordered set, keyed by the normalised path
    shown: list[str] = []
    for name in names:
        if os.path.isdir(name):
            found = _image_files(Path(name))
            if not found:
                raise ValueError(
                    f"{name}: no image file ({' '.join(IMAGE_SUFFIXES)}) in this folder or "
                    "its subfolders."
                )
        elif not os.path.exists(name) and any(char in name for char in "*?["):
            found = []
            for match in sorted(glob.glob(name, recursive=True)):
                if os.path.isdir(match):
                    found.extend(_image_files(Path(match)))
                elif Path(match).suffix.lower() in IMAGE_SUFFIXES:
                    found.append(match)
            if not found:
                raise ValueError(f"{name}: no image file matches this pattern.")
        else:
            found = [name]
        for path in found:
            key = os.path.normpath(path)
            if key not in files:
                files[key] = None
                shown.append(path)
    return shown


def _output_format(args: argparse.Namespace) -> str:
    """``--output-format``, else the one ``--output``'s suffix names, else tsv."""
    if args.output_format is not None:
        return args.output_format
    if args.output is None:
        return "tsv"
    suffix = Path(args.output).suffix.lower()
    if suffix == ".json":
        raise ValueError(
            f"{args.output}: predict writes JSON lines (one object per image), not a JSON "
            "document; name the file .jsonl or give --output-format jsonl."
        )
    return _OUTPUT_SUFFIXES.get(suffix, "tsv")


def _error_message(error: BaseException) -> str:
    """An error as one line, naming the file of an OSError that does not."""
    message = str(error) or type(error).__name__
    filename = getattr(error, "filename", None)
    if isinstance(error, OSError) and filename and str(filename) not in message:
        message = f"{filename}: {message}"
    return message


def _load_sample(name: str, args: argparse.Namespace):
    """One photo and its plate box, as a PlateSample (the box is validated when read)."""
    from ._validation import read_image
    from .samples import PlateSample

    image = read_image(name)
    return PlateSample(image, _plate_box(Path(name), image.shape, args), name)


def _read_stream(model: object, names: Sequence[str], args: argparse.Namespace):
    """Read the images ``args.batch_size`` at a time; yield each batch's (name, reading) rows.

    Only one batch of images is held: the next one is read when the caller asks for it.
    An image that cannot be read or boxed gets an empty reading whose ``error`` says why;
    one whose box does not fit it is recorded by ``predict_readings(errors="record")``.
    """
    from .recognizer import PlateReading

    for first in range(0, len(names), args.batch_size):
        rows: list = []
        samples: list = []  # rebound before the next batch is read: its images are freed
        for name in names[first : first + args.batch_size]:
            try:
                samples.append(_load_sample(name, args))
            except (OSError, ValueError, TypeError) as error:
                rows.append((name, PlateReading("", 0.0, error=_error_message(error))))
            else:
                rows.append((name, None))
        readings = iter(model.predict_readings(samples, errors="record") if samples else ())
        yield [(name, next(readings) if reading is None else reading) for name, reading in rows]


def _variants(reading) -> list[tuple[str, str, float]]:
    return list(
        zip(reading.variant_names, reading.variant_texts, reading.variant_scores, strict=True)
    )


def _format_rows(rows: Sequence, output_format: str, verbose: bool) -> tuple[str, str]:
    """A batch of (name, reading) rows as text for the output and for stderr."""
    out, err = io.StringIO(), io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for name, reading in rows:
        confidence = None if reading.error else round(reading.confidence, 3)
        if output_format == "jsonl":
            record = {
                "image": name,
                "text": reading.text,
                "confidence": confidence,
                "error": reading.error or None,
            }
            if verbose:
                record["variants"] = [
                    {"name": variant, "text": text, "score": _finite(round(score, 3))}
                    for variant, text, score in _variants(reading)
                ]
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            continue
        if output_format == "csv":
            writer.writerow(
                (
                    name,
                    reading.text,
                    "" if confidence is None else f"{confidence:.3f}",
                    reading.error,
                )
            )
        elif reading.error:  # tsv: error lines go to stderr, as they always have
            err.write(f"{name}\tERROR\t{reading.error}\n")
        else:
            out.write(f"{name}\t{reading.text}\t{confidence:.3f}\n")
        if verbose and not reading.error:
            err.write(f"{name}\n")
            for variant, text, score in _variants(reading):
                err.write(f"  {variant:<22} {text or '-':<10} {score:9.2f}\n")
    return out.getvalue(), err.getvalue()


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _cmd_predict(args: argparse.Namespace, log: _Log) -> int:
    from tqdm import tqdm

    if args.plate_format is not None:
        from .formats import get_formats

        get_formats(args.plate_format)
    if args.label is not None and not Path(args.label).is_file():
        raise FileNotFoundError(f"{args.label}: no such label file (--label).")
    output_format = _output_format(args)
    names = _expand_images(args.images)  # usage errors before the model is loaded
    model = _load_recognizer(args.model)
    _use_format(model, args.plate_format, args.voting, log)
    _use_lookalikes(model, args.lookalikes)
    _use_prior_correction(model, args.prior_correction)
    _use_extra_crops(model, args.extra_margins, args.extra_below_agreement, log)
    _use_jobs(model, args.jobs, log)
    verbose = bool(log.verbose)
    failed = 0
    with contextlib.ExitStack() as stack:
        if args.output is None:
            out = sys.stdout
        else:  # renamed onto args.output only when every row is written
            out = stack.enter_context(atomic_open(args.output, encoding="utf-8", newline=""))
        bar = stack.enter_context(log.bar(len(names), "image"))
        if output_format == "csv":
            out.write(",".join(CSV_HEADER) + "\n")
            out.flush()
        for rows in _read_stream(model, names, args):
            failed += sum(bool(reading.error) for _, reading in rows)
            text, errors = _format_rows(rows, output_format, verbose)
            with tqdm.external_write_mode(file=sys.stderr):
                out.write(text)
                out.flush()
                if errors:
                    sys.stderr.write(errors)
                    sys.stderr.flush()
            bar.update(len(rows))
    if failed and output_format != "tsv":
        log.warn(
            f"{failed} of {len(names)} images could not be read; their rows give the reason "
            "in 'error'."
        )
    if args.output is not None:
        log.info(f"wrote {args.output} ({len(names)} images, {failed} failed)")
    return EXIT_FAILED if failed else EXIT_OK


def _cmd_benchmark(args: argparse.Namespace, log: _Log) -> int:
    # The plates first: a missing data file fails before minutes of training.
    plates = {
        plate_format: _load_plates(None, args.data_home, plate_format, log)[0]
        for plate_format in ("spanish", "any")
    }
    if args.model and Path(args.model).is_file():
        log.info(f"reusing the model {args.model}")
        model = _load_recognizer(args.model)
        report = _read_report(args.model)
        if report is None:
            log.warn(
                f"no training report ({_report_path(args.model)}) beside the model: the "
                "held-out accuracy and training time are not available."
            )
        reused = True
    else:
        trained, training_report = _train(args, "any", "soft", log)
        report = {k: _json_number(v) for k, v in asdict(training_report).items()}
        model = trained
        if args.model:
            _save(
                model,
                training_report,
                args.model,
                {
                    "plate_format": "any",
                    "voting": "soft",
                    "sources": list(args.sources),
                    "random_state": args.random_state,
                    "weights_from_plates": None,
                },
                log,
            )
        reused = False

    _use_jobs(model, args.jobs, log)  # reading only: the saved model keeps its n_jobs
    runs = {}
    for plate_format in ("spanish", "any"):
        _use_format(model, plate_format, None, log)
        data = plates[plate_format]
        log.info(f"reading {len(data.samples)} plates with --format {plate_format} ...")
        scores, readings = _score(model, data, plate_format, args.batch_size, log)
        if log.verbose:
            _print_readings([str(t) for t in data.target], readings, log)
        log.info(f"      hits {scores['hits']}/{scores['total']}")
        runs[plate_format] = scores
    harvest = {}
    if args.harvest_folds:
        from .adapt import harvest_cross_val_predict

        for plate_format in ("spanish", "any"):
            _use_format(model, plate_format, None, log)
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
            hits = sum(str(t) == p for t, p in zip(data.target, predicted, strict=True))
            harvest[plate_format] = {
                "hits": int(hits),
                "total": len(data.target),
                "folds": args.harvest_folds,
                "epochs": HARVEST_EPOCHS,
            }
            log.info(f"      hits {hits}/{len(data.target)}")

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
        "held_out": unavailable if held_out is None else _percent(held_out),
        "seconds": f"{seconds_per_plate:.3f}",
        "training": (
            unavailable
            if training_seconds is None
            else f"{training_seconds:.0f} s" + (" (reused model)" if reused else "")
        ),
    }
    header = ("measure", "skplate", "reference CNN", "Tesseract+filters", "target")
    rows = [header] + [
        (_REFERENCE_ROWS[key][0], measured[key], *_REFERENCE_ROWS[key][1:]) for key in measured
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for index, row in enumerate(rows):
        print(" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            print("-+-".join("-" * width for width in widths))
    if args.json:
        _write_json(
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


# -- entry point -------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``skplate`` command; return its exit status (see ``skplate --help``)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version and usage errors
        code = exit_.code
        return code if isinstance(code, int) else (EXIT_OK if code is None else EXIT_USAGE)
    if args.command is None:
        parser.print_usage(sys.stderr)
        print(
            "skplate: error: a command is required (train, evaluate, predict, benchmark)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    log = _Log(getattr(args, "quiet", False), getattr(args, "verbose", 0) or 0)
    try:
        return args.func(args, log)
    except KeyboardInterrupt:
        print("skplate: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away ('skplate predict ... | head'): stop quietly, as Unix tools
        # do. Python would otherwise fail again flushing stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except (OSError, ValueError) as error:  # FileNotFoundError, ModelFileError, validation
        if log.verbose:
            traceback.print_exc()
        print(f"skplate: error: {_error_message(error)}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
