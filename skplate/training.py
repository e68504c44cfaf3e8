"""Training recipes: gather character data, train the CNN, build a ready recognizer.

These functions are what ``skplate train`` and ``skplate benchmark`` call; they are plain
compositions of the public estimators and loaders.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.utils import Bunch, check_random_state

from .cnn import CharCNN
from .datasets import load_chars74k, make_synthetic_chars
from .normalize import CharNormalizer

__all__ = [
    "CHAR_SOURCES",
    "TrainingReport",
    "load_training_chars",
    "train_char_classifier",
]

CHAR_SOURCES = ("goodimg", "fnt", "synthetic")
"""Character sources: Chars74K GoodImg (natural scenes), Chars74K Fnt (computer fonts) and
characters rendered by :func:`skplate.datasets.make_synthetic_chars` (plate-like fonts)."""


def load_training_chars(
    sources: Sequence[str] = CHAR_SOURCES,
    *,
    data_home: str | None = None,
    goodimg_path: str | None = None,
    fnt_path: str | None = None,
    fnt_per_class: int = 180,
    synthetic_per_class: int = 150,
    random_state: int | None = 0,
) -> Bunch:
    """Gather raw character images from the chosen sources.

    Parameters
    ----------
    sources : sequence of {"goodimg", "fnt", "synthetic"}
        Which sources to use.
    data_home : str, default=None
        Where the Chars74K archives are (see :func:`skplate.datasets.get_data_home`).
    goodimg_path, fnt_path : str, default=None
        Explicit archive or folder paths; override ``data_home``.
    fnt_per_class : int, default=180
        Fnt images drawn at random per class (the full set has 1,016 per class).
    synthetic_per_class : int, default=150
        Rendered characters per class.
    random_state : int, default=0
        Seed for the Fnt subsample and the rendering.

    Returns
    -------
    data : Bunch
        ``images`` (list of arrays), ``target`` (characters) and ``source`` (the source of
        each image).
    """
    unknown = sorted(set(sources) - set(CHAR_SOURCES))
    if unknown or not sources:
        raise ValueError(
            f"sources: unknown character sources {unknown or list(sources)}; "
            f"choose from {list(CHAR_SOURCES)}."
        )
    rng = check_random_state(random_state)
    images: list[np.ndarray] = []
    targets: list[np.ndarray] = []
    origin: list[str] = []

    def add(new_images: list[np.ndarray], new_target: np.ndarray, name: str) -> None:
        images.extend(new_images)
        targets.append(np.asarray(new_target).astype(str))
        origin.extend([name] * len(new_images))

    if "goodimg" in sources:
        good = load_chars74k(goodimg_path or _in_home(data_home, "EnglishImg.tgz"))
        add(good.images, good.target, "goodimg")
    if "fnt" in sources:
        fnt = load_chars74k(fnt_path or _in_home(data_home, "EnglishFnt.tgz"), subset="Fnt")
        chosen = np.concatenate(
            [
                rng.choice(members, min(fnt_per_class, len(members)), replace=False)
                for members in (np.flatnonzero(fnt.target == c) for c in np.unique(fnt.target))
            ]
        )
        add([fnt.images[i] for i in chosen], fnt.target[chosen], "fnt")
    if "synthetic" in sources:
        synthetic = make_synthetic_chars(synthetic_per_class, random_state=rng.randint(2**31))
        add(synthetic.images, synthetic.target, "synthetic")
    return Bunch(images=images, target=np.concatenate(targets), source=np.asarray(origin))


def _in_home(data_home: str | None, filename: str) -> str | None:
    if data_home is None:
        return None
    from .datasets import get_data_home

    return str(get_data_home(data_home) / filename)


@dataclass
class TrainingReport:
    """What :func:`train_char_classifier` did.

    Attributes
    ----------
    n_images, n_classes : int
        Training images and classes.
    held_out_accuracy : float
        Accuracy on the held-out GoodImg images (NaN when none were held out).
    n_held_out : int
        Number of held-out images.
    epochs : int
        Epochs actually run (early stopping may end training sooner).
    seconds : float
        Wall-clock time of normalisation and training.
    sources : dict
        Images per source.
    """

    n_images: int
    n_classes: int
    held_out_accuracy: float
    n_held_out: int
    epochs: int
    seconds: float
    sources: dict = field(default_factory=dict)


def train_char_classifier(
    data: Bunch,
    *,
    test_size: float = 0.2,
    normalizer: CharNormalizer | None = None,
    random_state: int | None = 0,
    **cnn_params: object,
) -> tuple[CharCNN, TrainingReport]:
    """Normalise the characters and train a :class:`CharCNN`.

    A stratified ``test_size`` of the natural-scene (GoodImg) images is held out and
    scored; everything else trains the network.

    Parameters
    ----------
    data : Bunch
        As returned by :func:`load_training_chars` (``images``, ``target``, ``source``).
    test_size : float, default=0.2
        Fraction of the GoodImg images held out (0 to train on all).
    normalizer : CharNormalizer, default=None
        The normaliser; ``CharNormalizer()`` when None. Plates must be read with the same.
    random_state : int, default=0
        Seed for the split and the network.
    **cnn_params
        Parameters of :class:`CharCNN` (``epochs=...``, ``dense_units=...``).

    Returns
    -------
    classifier : CharCNN
        Fitted on normalised characters.
    report : TrainingReport
    """
    start = time.perf_counter()
    normalizer = CharNormalizer() if normalizer is None else normalizer
    chars = normalizer.fit_transform(data.images)
    target = np.asarray(data.target).astype(str)
    source = np.asarray(data.get("source", np.full(len(target), "goodimg")))
    train = np.ones(len(target), dtype=bool)
    natural = np.flatnonzero(source == "goodimg")
    held_out = np.zeros(0, dtype=int)
    if test_size and len(natural):
        _, held_out = train_test_split(
            natural, test_size=test_size, stratify=target[natural], random_state=random_state
        )
        train[held_out] = False
    classifier = CharCNN(random_state=random_state, **cnn_params)
    classifier.fit(chars[train], target[train])
    accuracy = (
        float(np.mean(classifier.predict(chars[held_out]) == target[held_out]))
        if len(held_out)
        else float("nan")
    )
    names, counts = np.unique(source, return_counts=True)
    report = TrainingReport(
        n_images=int(train.sum()),
        n_classes=len(classifier.classes_),
        held_out_accuracy=accuracy,
        n_held_out=len(held_out),
        epochs=len(classifier.history_.get("loss", [])),
        seconds=time.perf_counter() - start,
        sources={str(n): int(c) for n, c in zip(names, counts, strict=True)},
    )
    return classifier, report
