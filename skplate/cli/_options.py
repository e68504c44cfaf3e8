"""The options the ``skplate`` commands share: argument types, option groups, defaults.

A command module declares its sub-parser with :func:`add_command` and takes its option
groups from here (:func:`training_options`, :func:`model_options`, :func:`add_jobs`,
:func:`add_batch_size`), so that an option reads the same in every command.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

DEFAULT_MODEL = "skplate_model.skplate"
# training.CHAR_SOURCES, spelled out so that importing the CLI does not import TensorFlow.
DEFAULT_SOURCES = ("goodimg", "fnt", "synthetic", "plates", "junk")
BATCH_SIZE = 32
UNSET = object()  # an option left out (its value may be None)

# The training defaults the help quotes. They are written out here because importing
# skplate.training would load TensorFlow for '--help'; tests/test_cli.py checks them
# against load_training_chars' signature and RECIPE_CNN_PARAMS.
TRAINING_DEFAULTS = {
    "epochs": 18,
    "fnt_per_class": 150,
    "synthetic_per_class": 120,
    "n_plates": 600,
    "n_junk": 800,
    "n_pairs": 800,
}


# -- argument types ----------------------------------------------------------------------
def int_at_least(minimum: int, wanted: str) -> Callable[[str], int]:
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


positive_int = int_at_least(1, "a positive integer")
non_negative_int = int_at_least(0, "an integer >= 0")


def jobs(text: str) -> int:
    """``--jobs``: a number of jobs other than 0 (-1 for every core)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value == 0:
        raise argparse.ArgumentTypeError(
            f"expected a number of jobs (1, 2, ...; -1 for all cores), got {text!r}"
        )
    return value


def sources(text: str) -> tuple[str, ...]:
    """``--sources``: comma-separated character sources."""
    names = tuple(part.strip().lower() for part in text.split(",") if part.strip())
    if not names:
        raise argparse.ArgumentTypeError("expected a comma-separated list such as goodimg,fnt")
    return names


def lookalike_groups(text: str) -> tuple[str, ...]:
    """``--lookalikes``: comma-separated groups such as ``0O,1I``; ``none`` pools nothing."""
    from ..recognizer import _check_lookalikes

    if text.strip().lower() == "none":
        return ()
    groups = tuple(part.strip().upper() for part in text.split(","))
    try:
        _check_lookalikes(groups)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error).removeprefix("lookalikes: ")) from None
    return groups


def margin(text: str) -> tuple[float, float] | None:
    """``--extra-margin``: two fractions ``MX,MY`` of the box width and height; None for 'none'."""
    from ..crop import _check_margin

    if text.strip().lower() == "none":
        return None
    try:
        return _check_margin(tuple(float(part) for part in text.split(",")))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected two fractions of the box width and height MX,MY (such as 0.02,0), "
            f"each above -0.5; got {text!r}"
        ) from None


def cut_runs(text: str) -> tuple[float, ...]:
    """``--skew-cut-runs``: comma-separated fractions of the plate width, or 'none'."""
    from ..crop import _check_cut_runs

    if text.strip().lower() == "none":
        return ()
    try:
        return _check_cut_runs([float(part) for part in text.split(",")], "--skew-cut-runs")
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected fractions of the plate width in (0, 1) such as 0.03,0.06,0.1, or "
            f"'none'; got {text!r}"
        ) from None


def agreement(text: str) -> float | None:
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


def prior_correction(text: str) -> float:
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


def box(text: str) -> tuple[float, float, float, float]:
    """``--box``: four pixel coordinates ``x1,y1,x2,y2``."""
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


# -- option groups -----------------------------------------------------------------------
def add_verbosity(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
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


def add_command(
    commands: argparse._SubParsersAction,
    name: str,
    run: Callable[[argparse.Namespace, object], int],
    *,
    parents: Sequence[argparse.ArgumentParser] = (),
    help: str,
    description: str,
    epilog: str,
) -> argparse.ArgumentParser:
    """Add the sub-command ``name`` (with -q/-v after ``parents``) that calls ``run(args, log)``."""
    verbosity = argparse.ArgumentParser(add_help=False)
    add_verbosity(verbosity, suppress=True)
    parser = commands.add_parser(
        name,
        parents=[*parents, verbosity],
        help=help,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(func=run)
    return parser


def training_options() -> argparse.ArgumentParser:
    """The 'training data and network' options of train and benchmark, as a parent parser."""
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
        type=sources,
        default=DEFAULT_SOURCES,
        metavar="LIST",
        help=(
            "character sources, comma-separated, from goodimg,fnt,synthetic,plates,junk "
            "and the opt-in uc3m (UC3M-LP's real plate characters, from the data home) and "
            "pairs (two generated-plate characters cut as one, 'not a character') "
            "(default: goodimg,fnt,synthetic,plates,junk)"
        ),
    )
    group.add_argument(
        "--data-home",
        metavar="DIR",
        help="folder holding the reference data (default: $SKPLATE_DATA or ~/skplate_data)",
    )
    group.add_argument(
        "--epochs",
        type=positive_int,
        metavar="N",
        help=(
            f"most training epochs (default: the recipe's, {TRAINING_DEFAULTS['epochs']}; "
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
    # How many images each source draws: (option, dest, type, what it counts).
    counts = (
        ("--fnt-per-class", "fnt_per_class", positive_int, "EnglishFnt images drawn per class"),
        ("--synthetic-per-class", "synthetic_per_class", positive_int,
         "rendered characters per class"),
        ("--generated-plates", "n_plates", positive_int,
         "generated plates whose segmented characters are the 'plates' source"),
        ("--junk", "n_junk", non_negative_int,
         "drawn 'not a character' shapes, the 'junk' source"),
        ("--pairs", "n_pairs", non_negative_int,
         "most runs of two generated-plate characters, the 'pairs' source"),
    )
    for option, dest, kind, what in counts:
        group.add_argument(
            option,
            dest=dest,
            type=kind,
            metavar="N",
            help=f"{what} (default: {TRAINING_DEFAULTS[dest]})",
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
    group.add_argument(
        "--system-fonts",
        action="store_true",
        help=(
            "draw the generated characters with this machine's plate-like fonts instead of "
            "the fonts shipped with skplate (the training data then differ between machines)"
        ),
    )
    return parent


def model_options(*, required: bool) -> argparse.ArgumentParser:
    """The saved model and how it reads (evaluate, predict), as a parent parser."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--model",
        required=required,
        metavar="PATH",
        help="model file written by 'skplate train': .skplate (safe format, read without "
        "TensorFlow) or .joblib (a pickle: only from a source you trust)",
    )
    parent.add_argument(
        "--backend",
        choices=("numpy", "keras"),
        help="run the character network with NumPy (no TensorFlow start-up) or Keras "
        "(default: numpy for .skplate models, keras for .joblib ones)",
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
        type=lookalike_groups,
        metavar="GROUPS",
        help="comma-separated groups of characters the decoder pools, such as 0O,1I, so "
        "that the format and the neighbours decide between them; 'none' pools nothing "
        "(default: the model's)",
    )
    parent.add_argument(
        "--prior-correction",
        dest="prior_correction",
        type=prior_correction,
        metavar="STRENGTH",
        help="divide this power of the network's training class shares out of its "
        "character probabilities: 1 reads every character as equally likely a priori, "
        "0 reads the network as it is (default: the model's)",
    )
    parent.add_argument(
        "--extra-margin",
        dest="extra_margins",
        type=margin,
        action="append",
        metavar="MX,MY",
        help="also read the plates the first crop does not settle cropped with this margin "
        "(fractions of the box width and height; 0.02,0 drops the vertical margin), all "
        "crops voting together: test-time augmentation; repeatable; 'none' reads one crop "
        "(default: the model's)",
    )
    parent.add_argument(
        "--skew-cut-runs",
        dest="skew_cut_runs",
        type=cut_runs,
        metavar="FRACTIONS",
        help="also measure each plate's skew with its horizontal runs longer than these "
        "fractions of the width cut out, and take the median angle: for tight crops (a "
        "detector's or a dataset's plate boxes), whose frame edge joins the characters; "
        "0.03,0.06,0.1 is the measured setting; 'none' measures on the ink as it is "
        "(default: the model's)",
    )
    parent.add_argument(
        "--max-span",
        dest="max_span",
        type=positive_int,
        metavar="N",
        help="also classify each run of up to N neighbouring pieces as one character and "
        "let the decoder choose the cuts (recognition-driven segmentation; it pays with "
        "a network trained with the 'pairs' source) (default: the model's, 1)",
    )
    parent.add_argument(
        "--extra-below-agreement",
        dest="extra_below_agreement",
        type=agreement,
        default=UNSET,
        metavar="SHARE",
        help="read the extra crops of the plates whose first crop's most common reading "
        "holds less than this share of the variants (0.5: no majority); 'none' reads "
        "them for every plate (default: the model's)",
    )
    return parent


def add_jobs(parser: argparse.ArgumentParser) -> None:
    """``--jobs N``: the recognizer's parallel jobs while reading."""
    parser.add_argument(
        "--jobs",
        type=jobs,
        metavar="N",
        help="parallel jobs for the image stages (crop, filters, segmentation) while "
        "reading plates; -1 uses every core (default: the model's own n_jobs, normally 1)",
    )


def add_batch_size(parser: argparse.ArgumentParser, what: str = "plates read per call") -> None:
    """``--batch-size N`` (default :data:`BATCH_SIZE`); ``what`` says what N counts."""
    parser.add_argument(
        "--batch-size",
        type=positive_int,
        default=BATCH_SIZE,
        metavar="N",
        help=f"{what} (default: {BATCH_SIZE})",
    )
