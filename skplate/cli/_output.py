"""What the ``skplate`` commands print and write: tables, scores, JSON, results and rows."""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from ..persistence import atomic_write
from ._log import Log

OUTPUT_FORMATS = ("tsv", "csv", "jsonl")
# 'predict --output FILE' without --output-format: the format from FILE's suffix, else tsv.
OUTPUT_SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
CSV_HEADER = ("image", "text", "confidence", "box", "box_score", "error")


# -- values ------------------------------------------------------------------------------
def glyphs() -> tuple[str, str]:
    """Hit / miss marks, in plain ASCII where stdout cannot encode the ticks."""
    try:
        "✓✗".encode(getattr(sys.stdout, "encoding", None) or "ascii")
    except (UnicodeEncodeError, LookupError):
        return "ok", "x"
    return "✓", "✗"


def percent(value: float | None) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{100 * value:.1f}%"


def json_number(value: float) -> float | None:
    return None if isinstance(value, float) and math.isnan(value) else value


def finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def format_label(spec: object) -> str:
    """How a plate_format is named in tables and JSON."""
    if isinstance(spec, str):
        return spec
    from ..formats import get_formats

    return ",".join(dict.fromkeys(fmt.name for fmt in get_formats(spec)))


def error_message(error: BaseException) -> str:
    """An error as one line, naming the file of an OSError that does not."""
    message = str(error) or type(error).__name__
    filename = getattr(error, "filename", None)
    if isinstance(error, OSError) and filename and str(filename) not in message:
        message = f"{filename}: {message}"
    return message


# -- files -------------------------------------------------------------------------------
def write_json(path: str | os.PathLike, payload: dict) -> Path:
    text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def result_line(true: str, predicted: str) -> str:
    """One line of a results file: ``TRUE,PREDICTED``."""
    return f"{true},{predicted}\n"


def write_results(path: str | os.PathLike, true: Sequence[str], predicted: Sequence[str]) -> Path:
    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
            for t, p in zip(true, predicted, strict=True):
                handle.write(result_line(t, p))

    return atomic_write(path, write)


def report_path(model_path: str | os.PathLike) -> Path:
    """The training report saved beside a model: ``<model>.json``."""
    return Path(f"{model_path}.json")


# -- evaluate and benchmark: readings and scores ------------------------------------------
def print_readings(true: Sequence[str], readings: Sequence, log: Log) -> None:
    from ..metrics import is_read_right

    hit, miss = glyphs()
    width = max([len("true"), *(len(t) for t in true)])
    pred_width = max([len("predicted"), *(len(r.text) for r in readings)])
    print(f"{'true':<{width}}  {'predicted':<{pred_width}}  confidence  hit")
    for t, reading in zip(true, readings, strict=True):
        mark = hit if is_read_right(t, reading.text) else miss
        print(f"{t:<{width}}  {reading.text:<{pred_width}}  {reading.confidence:>10.3f}  {mark}")
        if log.verbose:
            for name, text, score in variants(reading):
                print(f"    {name:<22} {text or '-':<10} {score:9.2f}")


def print_scores(scores: dict) -> None:
    print(f"hits {scores['hits']}/{scores['total']} ({percent(scores['plate_accuracy'])})")
    print(f"char accuracy {percent(scores['char_accuracy'])}")
    print(f"seconds per plate {scores['seconds_per_plate']:.3f}")


def print_table(rows: Sequence[Sequence[str]]) -> None:
    """Rows of cells in aligned columns, ``|`` between them; a rule under the first row."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        print(" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            print("-+-".join("-" * width for width in widths))


# -- predict: one row per image ------------------------------------------------------------
def output_format(args: argparse.Namespace) -> str:
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
    return OUTPUT_SUFFIXES.get(suffix, "tsv")


def variants(reading) -> list[tuple[str, str, float]]:
    """Each filter variant's (name, text, score) of a reading."""
    return list(
        zip(reading.variant_names, reading.variant_texts, reading.variant_scores, strict=True)
    )


def box_text(box: Sequence[int] | None) -> str:
    """A plate box as ``X1,Y1,X2,Y2`` (what ``--box`` takes); ``""`` for None."""
    return "" if box is None else ",".join(str(int(v)) for v in box)


def _plate_fields(reading) -> tuple[float | None, list[int] | None, float | None]:
    """A reading's rounded confidence (None on an error row or where no plate was found),
    box (None when no plate was read) and box score (None for a given box)."""
    box = None if reading.box is None else [int(v) for v in reading.box]
    confidence = None if reading.error or box is None else round(reading.confidence, 3)
    box_score = None if reading.box_score is None else round(reading.box_score, 3)
    return confidence, box, box_score


def format_rows(rows: Sequence, output_format: str, verbose: bool) -> tuple[str, str]:
    """A batch of (name, reading) rows as text for the output and for stderr.

    One row per reading: per image with a given box, per plate of a photo whose plates
    were located (a reading without a box and without error is a photo where no plate was
    found). tsv adds the box column to located plates only, so the rows of given boxes
    read as they always have.
    """
    out, err = io.StringIO(), io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for name, reading in rows:
        confidence, box, box_score = _plate_fields(reading)
        if output_format == "jsonl":
            record = {
                "image": name,
                "text": reading.text,
                "confidence": confidence,
                "box": box,
                "box_score": box_score,
                "error": reading.error or None,
            }
            if verbose:
                record["variants"] = [
                    {"name": variant, "text": text, "score": finite(round(score, 3))}
                    for variant, text, score in variants(reading)
                ]
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            continue
        shown = "" if confidence is None else f"{confidence:.3f}"
        if output_format == "csv":
            score = "" if box_score is None else f"{box_score:.3f}"
            writer.writerow((name, reading.text, shown, box_text(box), score, reading.error))
        elif reading.error:  # tsv: error lines go to stderr, as they always have
            err.write(f"{name}\tERROR\t{reading.error}\n")
        elif box is not None and box_score is None:  # a given box: the three columns
            out.write(f"{name}\t{reading.text}\t{shown}\n")
        else:  # located: the box too; no plate found: every column empty
            out.write(f"{name}\t{reading.text}\t{shown}\t{box_text(box)}\n")
        if verbose and not reading.error and box is not None:
            err.write(f"{name} {box_text(box)}\n" if box_score is not None else f"{name}\n")
            for variant, text, score in variants(reading):
                err.write(f"  {variant:<22} {text or '-':<10} {score:9.2f}\n")
    return out.getvalue(), err.getvalue()
