"""``skplate evaluate``: read labelled plates with a saved model and score the readings."""

from __future__ import annotations

import argparse

from ._common import check_format, load_plates, load_recognizer, score
from ._locator import locating_scores, print_locating, require_locator
from ._log import EXIT_FAILED, EXIT_OK, Log
from ._options import add_batch_size, add_command, add_jobs, model_options
from ._output import format_label, print_readings, print_scores, write_json, write_results
from ._reading import configure_reading

EPILOG = """\
With --format, only the plates whose text fits that format are read (all of them with
--format any or --all-plates); without it, the model's own format is used. A format other
than the model's re-fits the recognizer's stage configuration, with every filter variant
weighing the same: variant weights the model learned with 'train --plates' are dropped.

--plates also takes UC3M-LP (UC3M-LP-train.zip or a folder in its layout): its tight plate
crops, whose texts mark each character painted over for anonymisation with '-'. A reading
is right when it equals the visible characters in order (38-3-PV is read right as 383PV);
read them with --format any, as a fixed-length format such as spanish (7 characters)
cannot give the 5 visible ones.

--locate reads each photo where the model's plate locator finds its plates, as 'predict'
does for a photo without a box: of the boxes found, the one read with the most
confidence is the photo's reading (none found: an empty reading), the labelled box is not
used for reading. The scores then say how well locating and reading do together, and the
locating figures follow: how many labelled boxes a found box overlaps at IoU >= 0.5, on
how many photos the box read does, the boxes found matching no labelled box (a plate left
unlabelled counts too), the photos where none was found, and the average precision;
--json writes them under "locating", and --report draws the boxes found and the labelled
one on each photo. It needs whole photos (test6Training), not UC3M-LP's plate crops, and a
model holding a plate locator ('skplate train --locator FILE' or '--train-locator').

examples:
  skplate evaluate --model model.joblib --format spanish
  skplate evaluate --model model.joblib --format any --json any.json
  skplate evaluate --model model.joblib --plates test6Training.zip --results LicenseResults.txt
  skplate evaluate --model model.joblib --format NNNNAAA --voting hard
  skplate evaluate --model model.joblib --format any --lookalikes 0O,1I
  skplate evaluate --model model.joblib --format any --jobs 2
  skplate evaluate --model model.joblib --format any --plates UC3M-LP-train.zip --json uc3m.json
  skplate evaluate --model located.skplate --format any --locate --report located.html
"""


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``evaluate`` to the sub-commands."""
    parser = add_command(
        commands,
        "evaluate",
        run,
        parents=[model_options(required=True)],
        help="score a saved model on labelled plates",
        description="Read labelled plates with a saved model and score the readings.",
        epilog=EPILOG,
    )
    parser.add_argument(
        "--plates",
        metavar="PATH",
        help="test6Training.zip, its folder, or a folder holding it (default: the data "
        "home); or UC3M-LP-train.zip or its folder",
    )
    parser.add_argument("--data-home", metavar="DIR", help="folder holding the reference data")
    parser.add_argument(
        "--all-plates",
        action="store_true",
        help="read every plate, not only those whose text fits the format",
    )
    parser.add_argument(
        "--results",
        metavar="FILE",
        help="write TRUE,PREDICTED per plate to FILE (TRUE as labelled, '-' for a painted "
        "character)",
    )
    parser.add_argument("--json", metavar="FILE", help="write the scores as JSON to FILE")
    parser.add_argument(
        "--report",
        metavar="FILE",
        help="write a visual HTML report (crops, filter variants, characters, votes) to FILE",
    )
    parser.add_argument(
        "--locate",
        action="store_true",
        help="read each photo at the plate its locator finds (the most confident reading), "
        "not at the "
        "labelled box; print the locating figures too",
    )
    add_batch_size(parser)
    add_jobs(parser)


def run(args: argparse.Namespace, log: Log) -> int:
    """Read the plates, print the table and the scores, write the files asked for."""
    from ..datasets import is_uc3m
    from ..samples import PlateSample

    check_format(args.plate_format)
    if args.locate and args.plates is not None and is_uc3m(args.plates):
        raise ValueError(
            f"{args.plates}: --locate finds plates in whole photos, and UC3M-LP's plates "
            "are read as crops; evaluate --locate on test6Training (or score the locator "
            "on UC3M-LP's photos with benchmarks/locate.py)."
        )
    model = load_recognizer(args.model, args.backend)
    if args.locate:
        require_locator(model, args.model)
    plate_format = configure_reading(model, args, log)
    data, skipped = load_plates(
        args.plates, args.data_home, plate_format, log, all_plates=args.all_plates
    )
    true = [str(t) for t in data.target]
    _warn_unreadable_partial_truths(model, true, plate_format, log)
    _suggest_removing_painted_blocks(model, true, log)
    if args.plates is not None and is_uc3m(args.plates):
        _warn_trained_on_these_plates(args.model, log)
    samples = data.samples
    if args.locate:  # the photos without their box: the locator finds the plates
        data.samples = [PlateSample(s.image, None, s.name) for s in samples]
    log.info(f"reading {len(data.samples)} plates (format {format_label(plate_format)}) ...")
    plates: list | None = [] if args.locate else None
    scores, readings = score(model, data, plate_format, args.batch_size, log, plates)
    if plates is not None:
        scores["locating"] = locating_scores(plates, [s.box for s in samples])
    if not log.quiet:
        print_readings(true, readings, log)
    print_scores(scores)
    if args.locate:
        print_locating(scores["locating"])
    if args.results:
        write_results(args.results, true, [r.text for r in readings])
        log.info(f"wrote {args.results}")
    if args.json:
        write_json(args.json, {**scores, "skipped": skipped})
        log.info(f"wrote {args.json}")
    if args.report:
        from ..report import build_report

        boxes = [s.box for s in samples] if args.locate else None
        build_report(model, data.samples, true, path=args.report, true_boxes=boxes)
        log.info(f"wrote {args.report}")
    return EXIT_FAILED if skipped else EXIT_OK


def _suggest_removing_painted_blocks(model, true: list[str], log: Log) -> None:
    """Point at --flatten-lighting and --remove-painted-blocks when truths have painted
    characters that the model's cropper would read as ink."""
    from ..metrics import PAINTED

    cropper = model.cropper_
    painted = sum(PAINTED in t for t in true)
    handled = getattr(cropper, "remove_painted_blocks", False) or getattr(
        cropper, "flatten_lighting", 0.0
    )
    if painted and not handled:
        log.info(
            f"{painted} of {len(true)} plates have painted characters ('-'): "
            "--flatten-lighting 0.2 lifts their blocks into the background with the "
            "lighting, --remove-painted-blocks paints them over, so that the reading skips "
            "them instead of reading them (docs/benchmarks.md)."
        )


def _warn_trained_on_these_plates(model_path: str, log: Log) -> None:
    """Warn when the model learned UC3M-LP's characters, which it is now scored on."""
    from ..model_info import learned_sources

    if "uc3m" in learned_sources(model_path):
        log.warn(
            f"{model_path} learned the characters of these plates (the training source "
            "'uc3m', in the recipe when UC3M-LP is in the data home): the scores are not "
            "held out. Train with --sources goodimg,fnt,synthetic,plates,junk for a model "
            "that never saw them, or see benchmarks/uc3m_cv.py (cross-validation by photo)."
        )


def _warn_unreadable_partial_truths(model, true: list[str], plate_format, log: Log) -> None:
    """Warn when truths with painted characters have a length no format of the model reads."""
    from ..metrics import PAINTED, visible_text

    lengths = {len(fmt) for fmt in model.formats_}
    partial = [t for t in true if PAINTED in t]
    unreadable = sum(len(visible_text(t)) not in lengths for t in partial)
    if unreadable:
        log.warn(
            f"{unreadable} of {len(true)} plates have painted characters ('-') and a number "
            f"of visible characters that the format {format_label(plate_format)!r} does not "
            "allow, so they cannot be read right; --hidden N reads plates with up to N "
            "characters hidden, --format any 2 to 8 characters."
        )
