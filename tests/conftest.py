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
def tiny_char_classifier():
    """A small character network trained on synthetic characters only (30 per class, 3
    epochs: about 10 s, no reference data). Shared: never change it."""
    from skplate.training import load_training_chars, train_char_classifier

    chars = load_training_chars(("synthetic",), synthetic_per_class=30, random_state=0)
    classifier, _ = train_char_classifier(chars, epochs=3, random_state=0)
    return classifier


@pytest.fixture(scope="session")
def tiny_model_file(tiny_char_classifier, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small saved plate recognizer (format "any") reading with ``tiny_char_classifier``.

    Its readings are poor, so use it for plumbing (CLI, persistence, examples), not for
    accuracy.
    """
    from skplate.persistence import save_model
    from skplate.recognizer import make_plate_recognizer

    model = make_plate_recognizer(tiny_char_classifier, plate_format="any").fit([])
    return save_model(model, tmp_path_factory.mktemp("model") / "tiny.joblib")


def _tiny_char_cnn(normalizer):
    """A tiny CharCNN trained on 15 synthetic crops per class, normalised by ``normalizer``."""
    from skplate.cnn import CharCNN
    from skplate.datasets import make_synthetic_chars

    images, target = make_synthetic_chars(15, random_state=0, return_X_y=True)
    chars = normalizer.fit_transform(images)
    classifier = CharCNN(
        conv_filters=(8, 8),
        dense_units=(32,),
        epochs=3,
        learning_rate=3e-3,
        batch_size=16,
        validation_split=0.0,
        augment=False,
        random_state=0,
    )
    return classifier.fit(chars, target)


@pytest.fixture(scope="session")
def tiny_char_model():
    """A tiny fitted :class:`~skplate.cnn.CharCNN` on all 36 plate characters (synthetic only).

    540 synthetic crops (15 per class), conv (8, 8), dense (32,), 3 epochs: about 5 s. It
    reads :func:`~skplate.datasets.make_synthetic_plates` plates (same fonts) well and real
    plates poorly; use it for plumbing and synthetic-plate behaviour, not for accuracy.
    """
    from skplate.normalize import CharNormalizer

    return _tiny_char_cnn(CharNormalizer())


@pytest.fixture(scope="session")
def tiny_gray_char_model():
    """``tiny_char_model`` trained on two-channel characters (ink and grey levels)."""
    from skplate.normalize import CharNormalizer

    return _tiny_char_cnn(CharNormalizer(gray_levels=True))


# What the real-data fixture network trains on: the recipe's sources but UC3M-LP's
# characters (Chars74K GoodImg and Fnt, rendered characters, characters cut out of
# generated plates, "not a character" shapes; without `uc3m` the UC3M tests read crops it
# never saw, and it trains faster) at about 60 % of those images, and the recipe's network
# for 6 epochs instead of at most 18. Measured (tests/test_real_plates.py): 21/21 Spanish
# plates and 88/117 plates and 102 of 202 UC3M-LP type A crops; 14,786 training images,
# 2 min 20 s to 4 min 20 s of loading and training on a shared, busy 2-core machine.
REAL_FIXTURE_SOURCES = ("goodimg", "fnt", "synthetic", "plates", "junk")
REAL_FIXTURE_DATA = {"fnt_per_class": 100, "synthetic_per_class": 60, "n_plates": 300,
                     "n_junk": 400}
REAL_FIXTURE_EPOCHS = 6


@pytest.fixture(scope="session")
def real_char_model(data_home):
    """A character network trained once per session on the recipe's sources (smaller).

    Returns ``(classifier, report)`` from :func:`~skplate.training.train_char_classifier`.
    Deterministic for its seed; tests build their own recognizers around it
    (``make_plate_recognizer(classifier, ...)`` wraps it frozen) and never change it.
    """
    from skplate.training import load_training_chars, train_char_classifier

    chars = load_training_chars(
        REAL_FIXTURE_SOURCES, data_home=str(data_home), random_state=0, **REAL_FIXTURE_DATA
    )
    return train_char_classifier(chars, epochs=REAL_FIXTURE_EPOCHS, random_state=0)


# -- plate locating -----------------------------------------------------------------------------
@pytest.fixture(scope="session")
def synthetic_photos():
    """48 synthetic photos (160x160) with one plate each, and their boxes ((1, 4) each)."""
    from skplate.datasets import make_synthetic_plates

    data = make_synthetic_plates(
        ["1234BCD", "5678FGH", "9012JKL", "3456MNP"] * 12,
        random_state=0,
        image_size=(160, 160),
        font="skplate-din",
    )
    return data.images, [box[None].astype(float) for box in data.boxes]


TINY_LOCATOR_PARAMS = dict(
    image_size=160,
    width=8,
    epochs=15,
    batch_size=8,
    crop_size=96,
    scale_range=(0.8, 1.25),
    pyramid=(1.0,),
    paste_plates=0.0,  # the synthetic photos' own plates only (drawn plates: test_locate_paste)
    learning_rate=5e-3,
    score_threshold=0.5,
    random_state=0,
)


@pytest.fixture(scope="session")
def tiny_locator(synthetic_photos):
    """A small :class:`~skplate.locate.PlateLocator` fitted on the first 40 synthetic photos
    (15 passes: about 10 s). Measured: it finds the 8 others' plates, no false box. Shared:
    never change it (copy it, e.g. through joblib, to set parameters)."""
    from skplate.locate import PlateLocator

    images, boxes = synthetic_photos
    return PlateLocator(**TINY_LOCATOR_PARAMS).fit(images[:40], boxes[:40])


@pytest.fixture(scope="session")
def tiny_located_model_file(tiny_model_file, tiny_locator, tmp_path_factory) -> Path:
    """``tiny_model_file``'s recognizer holding ``tiny_locator``, saved as ``.skplate``.

    The locator reads photos at ``image_size=320``: 320x320 photos tiled from 160x160
    synthetic ones (see tests/test_cli_locate.py) show their plates at the scale it
    learned.
    """
    import joblib

    from skplate.persistence import load_model, save_model
    from skplate.recognizer import make_plate_recognizer

    folder = tmp_path_factory.mktemp("located")
    joblib.dump(tiny_locator, folder / "locator.joblib")
    locator = joblib.load(folder / "locator.joblib").set_params(image_size=320)
    model = load_model(tiny_model_file)
    located = make_plate_recognizer(
        model.classifier, plate_format="any", locator=locator
    ).fit([])
    return save_model(located, folder / "located.skplate")
