"""The options the ``skplate`` commands share: option groups and defaults.

A command module declares its sub-parser with :func:`add_command` and takes its option
groups from here (:func:`training_options`, :func:`model_options`, :func:`add_jobs`,
:func:`add_batch_size`), so that an option reads the same in every command; the
argument types they parse with are in :mod:`._types`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

from ._types import (
    agreement,
    cut_runs,
    deblur_threshold,
    flatten_agreement,
    jobs,
    lighting,
    lookalike_groups,
    margin,
    non_negative_int,
    pad_fraction,
    positive_int,
    prior_correction,
    smoothing,
    sources,
)

DEFAULT_MODEL = "skplate_model.skplate"
# training.CHAR_SOURCES, spelled out so that importing the CLI does not import TensorFlow.
RECIPE_SOURCES = ("goodimg", "fnt", "synthetic", "plates", "junk", "uc3m")
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
        metavar="LIST",
        help=(
            "character sources, comma-separated, from goodimg,fnt,synthetic,plates,junk,"
            "uc3m (UC3M-LP's real plate characters, from the data home) and the opt-in "
            "pairs (two generated-plate characters cut as one, 'not a character') "
            "(default: the recipe, " + ",".join(RECIPE_SOURCES) + ", without uc3m when "
            "UC3M-LP-train.zip is not in the data home)"
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
        "--hidden",
        dest="max_hidden",
        type=non_negative_int,
        metavar="N",
        help="read plates of which up to N characters are hidden (painted over, as in "
        "anonymised datasets such as UC3M-LP, or covered): the format's visible "
        "characters in order (default: 0, whole plates)",
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
        "crops voting together: test-time augmentation; repeatable; 'none' reads no margin "
        "crop (--extra-flatten-lighting none drops the flattened one) (default: the model's)",
    )
    parent.add_argument(
        "--located-margin",
        dest="located_margin",
        type=margin,
        default=UNSET,
        metavar="MX,MY",
        help="read each located plate (photos without a box) from its box grown by these "
        "fractions of its width and height on each side; 'none' reads the bare box "
        "(default: the model's; 0.05,0 for models saved since it exists)",
    )
    parent.add_argument(
        "--skew-cut-runs",
        dest="skew_cut_runs",
        type=cut_runs,
        metavar="FRACTIONS",
        help="also measure each plate's skew with its horizontal runs longer than these "
        "fractions of the width cut out, and take the median angle: for tight crops (a "
        "detector's or a dataset's plate boxes), whose frame edge joins the characters; "
        "'none' measures on the ink as it is (default: the model's; 0.03,0.06,0.1 for "
        "models trained since it is the default)",
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
        "--remove-painted-blocks",
        dest="remove_painted_blocks",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="paint the flat grey blocks that anonymised plates (UC3M-LP's) hide "
        "characters under in the plate's background, so that the reading skips them "
        "instead of reading them or joining them to their neighbours; for such data only: "
        "on other plates it can paint a flat shadow between characters (default: the "
        "model's, which keeps them)",
    )
    parent.add_argument(
        "--flatten-lighting",
        dest="flatten_lighting",
        type=lighting,
        metavar="SIZE",
        help="divide each plate by its background light (a grey closing by a square SIZE "
        "of the plate's height wide), so that unevenly lit plates (night, headlights, a "
        "bright spot) threshold evenly; 'none' or 0 leaves the light as it is; see also "
        "--extra-flatten-lighting (default: the model's)",
    )
    parent.add_argument(
        "--flatten-text",
        dest="flatten_text",
        choices=("auto", "dark"),
        help="the characters' polarity the flattening (--flatten-lighting and the flattened "
        "extra crop) assumes: 'auto' tells each plate's, so that light characters on a dark "
        "plate are not taken for its background light; 'dark' flattens every plate as dark "
        "text (default: the model's; auto for models made since it exists)",
    )
    parent.add_argument(
        "--extra-flatten-lighting",
        dest="extra_flatten_lighting",
        type=lighting,
        metavar="SIZE",
        help="also read the plates the first crop does not settle (--extra-below-agreement) "
        "from a copy of it with the lighting flattened as --flatten-lighting SIZE does, "
        "every crop's variants voting together; 'none' or 0 adds no such crop (default: "
        "the model's; 0.2 for models trained since it exists)",
    )
    parent.add_argument(
        "--extra-pad-clipped",
        dest="extra_pad_clipped",
        type=pad_fraction,
        default=UNSET,
        metavar="FRACTION",
        help="pad the margin crop where the photo's edge cuts its margin off (a tight crop), "
        "edge pixels repeated, out to FRACTION of the box's width; 'none' pads nothing "
        "(default: the model's; 0.05 for models made since it exists)",
    )
    parent.add_argument(
        "--extra-deblur",
        dest="extra_deblur",
        type=deblur_threshold,
        default=UNSET,
        metavar="PIXELS",
        help="also read the plates the first crop does not settle (--extra-below-agreement) "
        "from a copy of it deconvolved by its estimated blur, where that blur exceeds PIXELS "
        "(0: every such plate), for blurred photos; 'none' adds no such crop (default: the "
        "model's; 0.8 for models made since it exists)",
    )
    parent.add_argument(
        "--extra-flatten-smoothing",
        dest="extra_flatten_smoothing",
        type=smoothing,
        metavar="PIXELS",
        help="blur that flattened crop by a Gaussian of PIXELS (of the 80-pixel-high plate) "
        "before flattening it, so that a dark plate's noise does not turn to grain; 'none' "
        "or 0 flattens it as it is (default: the model's; 1.0 for models made since it "
        "exists)",
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
    parent.add_argument(
        "--extra-flatten-below-agreement",
        dest="extra_flatten_below_agreement",
        type=flatten_agreement,
        default=UNSET,
        metavar="SHARE",
        help="also read the flattened crop (and the deblurred one, where the crop is blurred) "
        "but not the margin crop for the plates whose first crop's most "
        "common reading holds at least --extra-below-agreement but less than this share "
        "(a slim majority); 'none' or 0 reads it only with the other extra crops "
        "(default: the model's; 0.6 for models made since it exists)",
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
