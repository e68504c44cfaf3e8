"""Tune a filter-bank parameter with GridSearchCV and the plate-accuracy scorer.

The character CNN is trained once (or loaded) and frozen; the grid search then only
re-fits the cheap image stages of the recognizer for each candidate. The best recognizer
is saved with joblib, reloaded, and checked to read the plates exactly as before.

Run from the repository root, with the reference data in SKPLATE_DATA::

    SKPLATE_DATA=../shared/data python examples/grid_search_filters.py [MODEL.joblib]

MODEL.joblib (or the SKPLATE_MODEL environment variable) is a model saved by
``skplate train``; without one, a small CNN is trained on synthetic characters in a few
seconds (its readings are poor: this example shows the mechanics, not the accuracy).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import joblib
import numpy as np
from sklearn.model_selection import GridSearchCV

from skplate import make_plate_recognizer, plate_scorer
from skplate.datasets import load_plates
from skplate.persistence import load_model
from skplate.training import load_training_chars, train_char_classifier


def character_classifier(model_path: str | None):
    """The classifier of a saved recognizer, or a small CNN trained on synthetic characters."""
    if model_path:
        print(f"loading the character classifier of {model_path}")
        return load_model(model_path).classifier
    print("training a small character CNN on synthetic characters ...")
    chars = load_training_chars(("synthetic",), synthetic_per_class=30, random_state=0)
    classifier, report = train_char_classifier(chars, epochs=3, random_state=0)
    print(f"  {report.n_images} images, {report.epochs} epochs, {report.seconds:.1f} s")
    return classifier


def main() -> None:
    start = time.perf_counter()
    model_path = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SKPLATE_MODEL")
    classifier = character_classifier(model_path)

    # The 21 Spanish plates (NNNNAAA); the data home is SKPLATE_DATA.
    X, y = load_plates(plate_format="spanish", return_X_y=True)
    print(f"{len(X)} Spanish plates")

    recognizer = make_plate_recognizer(classifier, plate_format="spanish")
    search = GridSearchCV(
        recognizer,
        {"filter_bank__clahe_clip_limit": [1.0, 3.0]},
        scoring=plate_scorer,
        cv=3,
    )
    search.fit(X, y)
    print(f"best parameters: {search.best_params_}")
    print(f"best cross-validated plate accuracy: {search.best_score_:.3f}")

    best = search.best_estimator_
    predicted = best.predict(X)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "recognizer.joblib"
        joblib.dump(best, path)
        reloaded = joblib.load(path)
    same = np.array_equal(reloaded.predict(X), predicted)
    print(f"reloaded recognizer reads the same: {same}")
    if not same:
        raise SystemExit("the reloaded recognizer reads differently")
    print(f"done in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
