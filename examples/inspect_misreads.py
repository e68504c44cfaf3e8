"""Evaluate a model on the Spanish plates and write a visual report of the misreads.

Run from the repository root, with the reference data in SKPLATE_DATA::

    SKPLATE_DATA=../shared/data python examples/inspect_misreads.py MODEL.joblib [REPORT.html]

MODEL.joblib (or the SKPLATE_MODEL environment variable) is a model saved by
``skplate train``. The script prints each misread plate with the readings of its filter
variants, then writes an HTML report (misreads first) with the crop, the variants and
their segments, and the characters the classifier saw with their top-3 probabilities.
"""

from __future__ import annotations

import os
import sys
from collections import Counter

from skplate.datasets import load_plates
from skplate.metrics import char_accuracy, plate_accuracy
from skplate.persistence import load_model
from skplate.report import build_report


def main() -> None:
    args = sys.argv[1:]
    model_path = args[0] if args else os.environ.get("SKPLATE_MODEL")
    if not model_path:
        sys.exit("usage: inspect_misreads.py MODEL.joblib [REPORT.html]")
    report_path = args[1] if len(args) > 1 else "misreads.html"

    recognizer = load_model(model_path)
    if recognizer.get_params()["plate_format"] != "spanish":
        recognizer.set_params(plate_format="spanish").fit([])
    plates = load_plates(plate_format="spanish")
    readings = recognizer.predict_readings(plates.samples)
    predicted = [reading.text for reading in readings]
    print(
        f"plate accuracy {plate_accuracy(plates.target, predicted):.3f}, "
        f"char accuracy {char_accuracy(plates.target, predicted):.3f}"
    )
    for sample, truth, reading in zip(plates.samples, plates.target, readings, strict=True):
        if reading.text != truth:
            votes = Counter(text or "-" for text in reading.variant_texts).most_common(3)
            print(f"misread {sample.name}: true {truth}, read {reading.text or '-'}; "
                  f"variant readings {votes}")
    path = build_report(recognizer, plates.samples, plates.target, path=report_path)
    print(f"report written to {path}")


if __name__ == "__main__":
    main()
