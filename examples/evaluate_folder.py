"""Score a model on a folder (or zip) of labelled plates, one row per plate.

This is what ``skplate evaluate`` does, written out with the Python API. Run from the
repository root, with the reference data in SKPLATE_DATA::

    SKPLATE_DATA=../shared/data python examples/evaluate_folder.py [MODEL.joblib] [PLATES]

MODEL.joblib (or the SKPLATE_MODEL environment variable) is a model saved by
``skplate train``; without one, a small CNN is trained on synthetic characters in a few
seconds (poor readings, right mechanics). PLATES is a ``test6Training.zip``-style export:
the zip, or a folder with ``images/<TEXT>.jpg`` and YOLO ``labels/<TEXT>.txt`` (the file
name is the true plate text), or a folder holding either; default: the data home. Only the
plates whose text fits ``--format FORMAT`` are read: ``spanish`` (default), ``any`` or a
pattern such as ``NNNNAAA``.

A plate whose label is broken is left out with a warning; a plate that cannot be read gets
an error row and counts as a miss.
"""

from __future__ import annotations

import argparse
import os
import warnings

from skplate import make_plate_recognizer
from skplate.datasets import load_plates
from skplate.metrics import char_accuracy, plate_accuracy
from skplate.persistence import load_model
from skplate.training import load_training_chars, train_char_classifier


def load_recognizer(model_path: str | None, plate_format: str):
    """A saved recognizer set to ``plate_format``, or one around a small synthetic CNN."""
    if not model_path:
        print("training a small character CNN on synthetic characters ...")
        chars = load_training_chars(("synthetic",), synthetic_per_class=30, random_state=0)
        classifier, _ = train_char_classifier(chars, epochs=3, random_state=0)
        return make_plate_recognizer(classifier, plate_format=plate_format).fit([])
    print(f"model {model_path}")
    recognizer = load_model(model_path)
    if recognizer.get_params()["plate_format"] != plate_format:
        # Re-configures the image stages for the format (equal variant weights); the
        # network is not retrained.
        recognizer.set_params(plate_format=plate_format).fit([])
    return recognizer


def main() -> None:
    parser = argparse.ArgumentParser(description="Score a model on labelled plates.")
    parser.add_argument("paths", nargs="*", metavar="MODEL.joblib | PLATES")
    parser.add_argument("--format", dest="plate_format", default="spanish")
    args = parser.parse_args()
    models = [p for p in args.paths if p.endswith(".joblib")]
    folders = [p for p in args.paths if not p.endswith(".joblib")]
    if len(models) > 1 or len(folders) > 1:
        parser.error("give at most one MODEL.joblib and one PLATES folder or zip")
    model_path = models[0] if models else os.environ.get("SKPLATE_MODEL")
    plates_path = folders[0] if folders else None  # None: the data home

    recognizer = load_recognizer(model_path, args.plate_format)

    # errors="skip": a plate with a missing or malformed label is left out, with a warning.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        plates = load_plates(plates_path, plate_format=args.plate_format, errors="skip")
    for warning in caught:
        print(f"skipped: {warning.message}")
    if not len(plates.samples):
        raise SystemExit(f"no labelled plate fits the format {args.plate_format!r}")
    print(f"{len(plates.samples)} plates, format {args.plate_format}")

    # errors="record": an unreadable plate gets an empty reading and the reason, instead of
    # stopping the whole batch.
    readings = recognizer.predict_readings(plates.samples, errors="record")
    predicted = [reading.text for reading in readings]

    print(f"{'plate':<16} {'true':<9} {'read':<9} {'confidence':>10}  result")
    for sample, truth, reading in zip(plates.samples, plates.target, readings, strict=True):
        if reading.error:
            result = f"error: {reading.error}"
        else:
            result = "ok" if reading.text == truth else "miss"
        print(f"{sample.name:<16} {truth:<9} {reading.text or '-':<9} "
              f"{reading.confidence:10.3f}  {result}")

    hits = sum(text == truth for text, truth in zip(predicted, plates.target, strict=True))
    print(f"plate accuracy {plate_accuracy(plates.target, predicted):.3f} "
          f"({hits}/{len(predicted)}), char accuracy "
          f"{char_accuracy(plates.target, predicted):.3f}")


if __name__ == "__main__":
    main()
