"""``skplate predict``: read the plate of photos, streamed a batch at a time."""

from __future__ import annotations

import argparse
import contextlib
import glob
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..persistence import atomic_open
from ._common import check_format, load_recognizer
from ._locator import LOCATOR_HINT, model_locator, require_locator
from ._log import EXIT_FAILED, EXIT_OK, Log
from ._options import add_batch_size, add_command, add_jobs, model_options
from ._output import CSV_HEADER, OUTPUT_FORMATS, error_message, format_rows, output_format
from ._reading import configure_reading
from ._types import box

# What a folder given to 'predict' is searched for (case-insensitive).
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")

EPILOG = """\
Each IMAGE is a photo file, a folder (every .jpg, .jpeg, .png, .bmp, .tif, .tiff and .webp
file in it and in its subfolders, in sorted order) or a glob pattern in quotes, expanded
by skplate ('**' reaches into subfolders). A folder or pattern holding no image is a
usage error. Each file is read once, in the order given.

The plate box comes from --box (pixels) or --label (a YOLO label file, class 0 = plate);
both apply to every image. Without them, labels/<stem>.txt next to the image's images/
folder is used; an image with no such label is located: when the model holds a plate
locator ('skplate train --locator FILE' or '--train-locator'), every plate it finds in
the photo is read, one row per plate: the most confident reading first (the photo's
reading, as 'evaluate --locate' scores it), then the others, and those that fit no
format last, by the locator's score. --locate locates every image, even where a label
exists. A photo in which no plate is found gets one row with an empty text and no box:
that is no error.

Images are read --batch-size at a time, and each batch's rows are written (and flushed)
before the next batch is read: memory holds one batch, however many images there are.

output (--output-format; with --output FILE, the default comes from FILE's suffix:
.csv csv, .jsonl or .ndjson jsonl, any other tsv; .json is refused, as the file holds
JSON lines, not one JSON document):
  tsv    IMAGE<TAB>TEXT<TAB>CONFIDENCE per image (the default on stdout); a located plate
         adds a fourth column, its box X1,Y1,X2,Y2 (IMAGE<TAB><TAB><TAB> when none is
         found); an image that cannot be read prints IMAGE<TAB>ERROR<TAB>REASON to
         stderr instead
  csv    a header line image,text,confidence,box,box_score,error, then one row per
         plate (per image with a given box)
  jsonl  one JSON object per plate (per image with a given box) with the keys image,
         text, confidence, box, box_score and error (with -v also variants: each filter
         variant's name, text and score)
The text is empty when no reading fits the format; the confidence has three decimals
and is empty (null) on an error row and on a photo where no plate was found. The box is
the plate's pixels X1,Y1,X2,Y2 as read, whole numbers, X2 and Y2 exclusive: the box
found, or the one given (clipped to the image); empty (null) when no plate was read.
box_score is the locator's score of a found box (three decimals), empty (null) for a
given box. --output FILE is written to a temporary file beside it and renamed onto FILE
at the end: a run that fails or is interrupted leaves an existing FILE as it was.

An image that cannot be read (a missing or corrupt file, a missing or bad label, a box
outside the image) gets an error row with the reason, the other images are read, and
the exit status is 1.

examples:
  skplate predict --model model.joblib photo.jpg --box 120,200,260,240
  skplate predict --model model.joblib photo.jpg --label photo.txt --format spanish
  skplate predict --model model.joblib test6Training/images/*.jpg
  skplate predict --model model.joblib test6Training/ --output readings.csv --jobs 2
  skplate predict --model model.joblib 'photos/**/*.jpg' --output readings.jsonl -q
  skplate predict --model located.skplate street.jpg --output plates.jsonl
  skplate predict --model located.skplate test6Training/images/ --locate
"""


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``predict`` to the sub-commands."""
    parser = add_command(
        commands,
        "predict",
        run,
        parents=[model_options(required=True)],
        help="read the plate of photos",
        description="Read the plate of one or more photos.",
        epilog=EPILOG,
    )
    parser.add_argument(
        "images",
        nargs="+",
        metavar="IMAGE",
        help="photo files, folders of photos, or quoted glob patterns such as 'cars/**/*.jpg'",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--box", type=box, metavar="X1,Y1,X2,Y2", help="plate box in pixels (x2, y2 exclusive)"
    )
    where.add_argument(
        "--label", metavar="FILE", help="YOLO label file ('class xc yc w h', class 0 = plate)"
    )
    where.add_argument(
        "--locate",
        action="store_true",
        help="find the plates with the model's locator even where a label file exists, "
        "reading every plate found",
    )
    parser.add_argument(
        "--output",
        metavar="FILE",
        help="write the rows to FILE, replacing it only when the run ends (default: stdout)",
    )
    parser.add_argument(
        "--output-format",
        choices=OUTPUT_FORMATS,
        help="row format (default: from the --output suffix, else tsv)",
    )
    add_batch_size(parser, "images read, held in memory and written per step")
    add_jobs(parser)


# -- which images, which boxes ---------------------------------------------------------------
def _image_files(folder: Path) -> list[str]:
    """Every image file under ``folder`` (recursively, by suffix), sorted."""
    return [
        str(path)
        for path in sorted(folder.rglob("*"))
        if path.suffix.lower() in IMAGE_SUFFIXES and path.is_file()
    ]


def expand_images(names: Sequence[str]) -> list[str]:
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


def _plate_box(
    image_path: Path, shape: tuple[int, ...], args: argparse.Namespace, can_locate: bool
):
    """The plate box given for an image; None when its plates are to be located.

    Raises a ValueError naming the image when it has no box and the model cannot locate.
    """
    from ..datasets._plates import parse_yolo_plate_box

    if args.box is not None:
        return args.box
    if args.locate:
        return None
    label = Path(args.label) if args.label else None
    if label is None and image_path.parent.name == "images":
        candidate = image_path.parent.parent / "labels" / f"{image_path.stem}.txt"
        label = candidate if candidate.is_file() else None
    if label is None:
        if can_locate:
            return None
        raise ValueError(
            f"{image_path}: no plate box: give --box X1,Y1,X2,Y2 or --label FILE (no "
            f"labels/{image_path.stem}.txt beside the images/ folder), or read it with a model "
            f"that holds a plate locator: {LOCATOR_HINT}."
        )
    try:
        text = label.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{label}: not a text file.") from None
    return parse_yolo_plate_box(text, shape, name=str(label))


def _load_sample(name: str, args: argparse.Namespace, can_locate: bool):
    """One photo and its plate box (None: to be located), as a PlateSample (the box is
    validated when read)."""
    from .._validation import read_image
    from ..samples import PlateSample

    image = read_image(name)
    return PlateSample(image, _plate_box(Path(name), image.shape, args, can_locate), name)


# -- reading -----------------------------------------------------------------------------------
def read_stream(model: object, names: Sequence[str], args: argparse.Namespace) -> Iterator[list]:
    """Read the images ``args.batch_size`` at a time; yield each batch's (name, reading) rows.

    Only one batch of images is held: the next one is read when the caller asks for it.
    An image with a box gives one row; a photo whose plates were located one row per plate
    found, the photo's reading first, or one empty reading without a box when none was found. An
    image that cannot be read or boxed gets an empty reading whose ``error`` says why;
    one whose box does not fit it is recorded by ``predict_plates(errors="record")``.
    """
    from ..reading import PlateReading

    can_locate = model_locator(model) is not None
    for first in range(0, len(names), args.batch_size):
        rows: list = []
        samples: list = []  # rebound before the next batch is read: its images are freed
        for name in names[first : first + args.batch_size]:
            try:
                samples.append(_load_sample(name, args, can_locate))
            except (OSError, ValueError, TypeError) as error:
                rows.append((name, [PlateReading("", 0.0, error=error_message(error))]))
            else:
                rows.append((name, None))
        plates = iter(model.predict_plates(samples, errors="record") if samples else ())
        batch = []
        for name, readings in rows:
            readings = next(plates) if readings is None else readings
            # A photo where no plate was found: one row, no text, no box.
            batch += [(name, reading) for reading in readings or [PlateReading("", 0.0)]]
        yield batch


def run(args: argparse.Namespace, log: Log) -> int:
    """Read every image, writing each batch's rows before the next batch is read."""
    from tqdm import tqdm

    check_format(args.plate_format)
    if args.label is not None and not Path(args.label).is_file():
        raise FileNotFoundError(f"{args.label}: no such label file (--label).")
    rows_format = output_format(args)
    names = expand_images(args.images)  # usage errors before the model is loaded
    model = load_recognizer(args.model, args.backend)
    configure_reading(model, args, log)
    if args.locate:
        require_locator(model, args.model)
    verbose = bool(log.verbose)
    n_rows = 0
    failed_images: set[str] = set()
    with contextlib.ExitStack() as stack:
        if args.output is None:
            out = sys.stdout
        else:  # renamed onto args.output only when every row is written
            out = stack.enter_context(atomic_open(args.output, encoding="utf-8", newline=""))
        bar = stack.enter_context(log.bar(len(names), "image"))
        if rows_format == "csv":
            out.write(",".join(CSV_HEADER) + "\n")
            out.flush()
        for rows in read_stream(model, names, args):
            failed_images.update(name for name, reading in rows if reading.error)
            n_rows += len(rows)
            text, errors = format_rows(rows, rows_format, verbose)
            with tqdm.external_write_mode(file=sys.stderr):
                out.write(text)
                out.flush()
                if errors:
                    sys.stderr.write(errors)
                    sys.stderr.flush()
            bar.update(len({name for name, _ in rows}))
    failed = len(failed_images)
    if failed and rows_format != "tsv":
        log.warn(
            f"{failed} of {len(names)} images could not be read; their rows give the reason "
            "in 'error'."
        )
    if args.output is not None:
        log.info(f"wrote {args.output} ({len(names)} images, {n_rows} rows, {failed} failed)")
    return EXIT_FAILED if failed else EXIT_OK
