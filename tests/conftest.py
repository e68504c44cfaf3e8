"""Shared fixtures: where the reference data lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_FILES = ("EnglishImg.tgz", "EnglishFnt.tgz", "test6Training.zip")


@pytest.fixture(scope="session")
def data_home() -> Path:
    """The reference data folder: ``$SKPLATE_DATA``, else ``<repo>/../shared/data``.

    Tests that use it are skipped, naming what is missing, when the archives are absent.
    """
    home = Path(os.environ.get("SKPLATE_DATA", REPO_ROOT.parent / "shared" / "data"))
    missing = [name for name in DATA_FILES if not (home / name).is_file()]
    if missing:
        pytest.skip(
            f"reference data not found: {', '.join(missing)} missing from {home}; set "
            "SKPLATE_DATA to the folder holding EnglishImg.tgz, EnglishFnt.tgz and "
            "test6Training.zip."
        )
    return home


@pytest.fixture(scope="session")
def tiny_model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small saved plate recognizer (format "any"), trained on synthetic characters only.

    It needs no reference data and trains in about 10 s; its readings are poor, so use it
    for plumbing (CLI, persistence, examples), not for accuracy.
    """
    from skplate.persistence import save_model
    from skplate.recognizer import make_plate_recognizer
    from skplate.training import load_training_chars, train_char_classifier

    chars = load_training_chars(("synthetic",), synthetic_per_class=30, random_state=0)
    classifier, _ = train_char_classifier(chars, epochs=3, random_state=0)
    model = make_plate_recognizer(classifier, plate_format="any").fit([])
    return save_model(model, tmp_path_factory.mktemp("model") / "tiny.joblib")
