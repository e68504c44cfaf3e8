"""Training recipes: gather character data, train the CNN, build a ready recognizer.

These functions are what ``skplate train`` and ``skplate benchmark`` call; they are plain
compositions of the public estimators and loaders.
"""

from __future__ import annotations

import hashlib
import os
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from numbers import Integral, Real

import cv2
import numpy as np
from sklearn.base import clone
from sklearn.model_selection import train_test_split
from sklearn.utils import Bunch, check_random_state
from sklearn.utils._param_validation import Interval, validate_params

from .cnn import CharCNN
from .crop import PlateCropper
from .datasets import (
    load_chars74k,
    load_uc3m_chars,
    make_synthetic_chars,
    make_synthetic_junk,
    make_synthetic_plates,
)
from .datasets._fonts import default_fonts
from .filters import FilterBank
from .formats import ALPHABET, NOT_A_CHARACTER
from .normalize import CharNormalizer
from .samples import PlateSample
from .segment import CharacterSegmenter, character_crops, span_candidates

__all__ = [
    "CHAR_SOURCES",
    "OPTIONAL_CHAR_SOURCES",
    "RECIPE_CNN_PARAMS",
    "TrainingReport",
    "load_training_chars",
    "make_plate_chars",
    "train_char_classifier",
    "training_data_sha256",
]

CHAR_SOURCES = ("goodimg", "fnt", "synthetic", "plates", "junk", "uc3m")
"""The recipe's character sources: Chars74K GoodImg (natural scenes), Chars74K Fnt
(computer fonts), characters rendered by :func:`skplate.datasets.make_synthetic_chars`
(plate-like fonts), characters cut by the segmenter out of generated plates
(:func:`make_plate_chars`), "not a character" shapes (stickers, emblems, logos;
:func:`skplate.datasets.make_synthetic_junk`) labelled
:data:`~skplate.formats.NOT_A_CHARACTER`, and ``"uc3m"``, the visible characters of the
UC3M-LP plate crops cut out by their boxes (real Spanish plates, day and night;
:func:`skplate.datasets.load_uc3m_chars`).

``"uc3m"`` is the one source that needs more than the Chars74K archives: the recipe
(``load_training_chars(sources=None)``) leaves it out, with a warning, when UC3M-LP's
archive is not in the data home. Measured with ``benchmarks/uc3m_cv.py`` (seeds 0-2, the
held-out fifth of the crops, grouped by photo; min / median): with it the recipe reads
61.5 / 62.0 % of the one-row white plates (53.8 / 58.1 % without), 40.8 / 42.9 % of them
at night (32.7 / 38.8 %), and 90 / 92 of the 117 reference plates (90 / 91)."""

OPTIONAL_CHAR_SOURCES = ("pairs",)
"""Character sources that are never in the recipe, only used when named: ``"pairs"``,
two neighbouring characters of the generated plates cut as one (:func:`make_plate_chars`
with ``runs=True``) labelled :data:`~skplate.formats.NOT_A_CHARACTER`: what a recognizer
that joins pieces (``CharacterSegmenter(max_span=2)``) must learn to reject."""

RECIPE_CNN_PARAMS: dict = {
    "conv_filters": (16, 32, 64),
    "pool_size": 2,
    "dense_units": (256,),
    "epochs": 18,
    "batch_size": 256,
    "patience": 4,
    "lr_patience": 2,
}
"""The network of the training recipe: three 3x3 convolution blocks (16, 32, 64 filters,
2x2 pooling between them) and one dense layer of 256, trained in batches of 256 for at
most 18 epochs, the learning rate divided by 5 after 2 epochs without progress on the
validation loss and training stopped after 4. It is both more accurate and cheaper than
the reference network (``CharCNN()``'s defaults), whose 3,200 x 1,024 dense layer
dominates its cost."""


def _degrade(image: np.ndarray, box: tuple, rng: np.random.RandomState):
    """Camera-like damage: plate aspect change, blur, contrast, noise and JPEG compression."""
    x1, y1, x2, y2 = box
    stretch = rng.uniform(0.55, 1.3)  # the public photos were resized without keeping aspect
    image = cv2.resize(image, None, fx=stretch, fy=1.0, interpolation=cv2.INTER_AREA)
    box = (int(x1 * stretch), y1, int(x2 * stretch), y2)
    if rng.uniform() < 0.7:
        image = cv2.GaussianBlur(image, (0, 0), rng.uniform(0.3, 1.8))
    noisy = image.astype(np.float32) * rng.uniform(0.5, 1.1) + rng.uniform(-20, 30)
    noisy += rng.normal(0, rng.uniform(0, 8), image.shape)
    image = np.clip(noisy, 0, 255).astype(np.uint8)
    quality = int(rng.uniform(25, 90))
    _, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(encoded, cv2.IMREAD_UNCHANGED), box


def _loosen(box: tuple, shape: tuple, rng: np.random.RandomState) -> tuple:
    """Widen an exact plate box the way hand-drawn labels are loose.

    The labelled plates' boxes take in frame, bumper and surroundings: their characters
    stand 31-56 % of the crop's height (median 44 %), against 56-64 % in exact boxes of
    generated plates. Each side grows by up to 35 % of the box height (up to 6 % of its
    width), clipped to the photo.
    """
    x1, y1, x2, y2 = box
    grow_x = rng.uniform(0, 0.06, 2) * (x2 - x1)
    grow_y = rng.uniform(0, 0.35, 2) * (y2 - y1)
    height, width = shape[:2]
    return (
        max(0, int(x1 - grow_x[0])),
        max(0, int(y1 - grow_y[0])),
        min(width, int(np.ceil(x2 + grow_x[1]))),
        min(height, int(np.ceil(y2 + grow_y[1]))),
    )


def _junk_levels(image: np.ndarray, rng: np.random.RandomState) -> np.ndarray:
    """Grey levels for a drawn binary "not a character" shape, which has no photo.

    The segments of a thresholded filter variant have their ink as grey levels, those of
    the plain, sharpened or contrast-stretched variants blurred ones: the drawn junk gets
    either, half and half (blur, contrast and noise), so that neither kind of levels
    alone says "character".
    """
    if rng.uniform() >= 0.5:
        return image
    blurred = cv2.GaussianBlur(image, (0, 0), rng.uniform(0.6, 1.6)).astype(np.float32)
    dark, light = rng.uniform(0, 60), rng.uniform(170, 255)
    levels = dark + blurred / 255.0 * (light - dark)
    levels += rng.normal(0, rng.uniform(0, 6), image.shape)
    return np.clip(levels, 0, 255).astype(np.uint8)


def make_plate_chars(
    n_plates: int = 600,
    *,
    cropper: PlateCropper | None = None,
    filter_bank: FilterBank | None = None,
    segmenter: CharacterSegmenter | None = None,
    variants_per_plate: int = 3,
    fonts: Sequence[str] | None = None,
    runs: bool = False,
    random_state: int | None = 0,
) -> Bunch:
    """Characters cut out of generated plates by the same stages as inference.

    Random 5-8 character texts are drawn on plates in each font
    (:func:`skplate.datasets.make_synthetic_plates`), damaged like camera photos (aspect
    change, blur, contrast, noise, JPEG), cropped with a box loosened like hand-drawn
    labels (characters 38-52 % of the crop's height, as on the labelled plates), run
    through the filter bank and segmented. Each plate gives ``variants_per_plate``
    filter variants drawn at random; a variant whose segment count equals the text's
    length gives one labelled character per segment. The training characters so have
    exactly the look of the characters the recognizer reads, thick or broken strokes of
    the harsher filters included, with the variant's own grey levels under each.

    Parameters
    ----------
    n_plates : int, default=600
        Generated plates.
    cropper, filter_bank, segmenter : estimators, default=None
        The stages, as in :class:`~skplate.recognizer.PlateRecognizer`; their defaults
        when None, but for the cropper's ``skew_cut_runs=()`` (the generated plates are
        loosely boxed, and their skew is measured on the ink as it is, as before the
        cuts were the reading's default: the recipe's training data stay as measured)
        and the segmenter's ``free_attached=False`` and
        ``side_gap=None``: the recipe's training characters are cut as before the
        segmenter freed characters joined to a bolt or the frame (cut with it, the
        training data change a little and the ten recipe networks retrained on them
        read fewer plates, docs/benchmarks.md, "Fifteenth round") and before it dropped
        the strokes against the crop's sides.
    variants_per_plate : int, default=3
        Filter variants segmented per plate (all of them when at least their number).
    fonts : sequence of str, default=None
        Fonts of the plates, an equal share of the plates each: font files or built-in
        fonts. None uses :func:`skplate.datasets.default_fonts` (the faces shipped with
        skplate and ``"skplate-din"``, the same on every machine).
    runs : bool, default=False
        Also cut every run of two neighbouring characters of those variants as one crop
        (:func:`~skplate.segment.span_candidates`, as a segmenter with ``max_span=2``
        hands them to the classifier): ``run_images``, two characters that are not one.
        The other outputs do not change.
    random_state : int, default=0
        Seed of the texts, plates, damage and variant draws.

    Returns
    -------
    data : Bunch
        ``images`` (``(H, W, 2)`` uint8 pairs: the dark-on-white character crop, then the
        filter variant under its box; see :class:`~skplate.normalize.CharNormalizer`)
        and ``target`` (characters); with ``runs``, ``run_images`` (pairs as ``images``).
    """
    if not isinstance(variants_per_plate, Integral) or variants_per_plate < 1:
        raise ValueError(f"variants_per_plate must be an integer >= 1, got {variants_per_plate!r}.")
    rng = check_random_state(random_state)
    cropper = (PlateCropper(skew_cut_runs=()) if cropper is None else clone(cropper)).fit([])
    segmenter = (
        CharacterSegmenter(free_attached=False, side_gap=None)
        if segmenter is None
        else clone(segmenter)
    ).fit(None)
    filter_bank = FilterBank() if filter_bank is None else clone(filter_bank)
    fonts = default_fonts() if fonts is None else tuple(fonts)
    if not fonts:
        raise ValueError("fonts must name at least one font, or be None.")
    texts = ["".join(rng.choice(list(ALPHABET), rng.randint(5, 9))) for _ in range(n_plates)]
    images: list[np.ndarray] = []
    target: list[str] = []
    run_images: list[np.ndarray] = []
    per_font = -(-n_plates // len(fonts))
    for index, font in enumerate(fonts):
        batch = texts[index * per_font : (index + 1) * per_font]
        if not batch:
            break
        plates = make_synthetic_plates(
            batch, random_state=rng.randint(2**31), font=font, image_size=(240, 320)
        )
        for sample, text in zip(plates.samples, batch, strict=True):
            image, box = _degrade(sample.image, sample.box, rng)
            box = _loosen(box, image.shape, rng)
            plate = cropper.transform([PlateSample(image, box, "synthetic")])
            variants = filter_bank.fit_transform(plate)[0]
            drawn = rng.permutation(len(variants))[:variants_per_plate]
            for variant in sorted(drawn):
                gray = variants[variant]
                boxes, masks = segmenter.segment_variant(gray)
                if len(boxes) != len(text):
                    continue
                images.extend(character_crops(boxes, masks, gray))
                target.extend(text)
                if runs:
                    _, run_boxes, run_masks = span_candidates(
                        boxes, masks, 2, segmenter.max_aspect
                    )
                    run_images.extend(character_crops(run_boxes, run_masks, gray))
    if runs:
        return Bunch(images=images, target=np.asarray(target), run_images=run_images)
    return Bunch(images=images, target=np.asarray(target))


@validate_params(
    {
        "sources": "no_validation",  # checked below, naming the known sources
        "data_home": [str, os.PathLike, None],
        "goodimg_path": [str, os.PathLike, None],
        "fnt_path": [str, os.PathLike, None],
        "fnt_per_class": [Interval(Integral, 1, None, closed="left")],
        "synthetic_per_class": [Interval(Integral, 1, None, closed="left")],
        "synthetic_ink_spread": [Interval(Real, 0, 1, closed="both")],
        "n_plates": [Interval(Integral, 1, None, closed="left")],
        "n_junk": [Interval(Integral, 0, None, closed="left")],
        "n_pairs": [Interval(Integral, 0, None, closed="left")],
        "fonts": ["array-like", None],
        "uc3m_path": [str, os.PathLike, None],
        "uc3m_photo_ids": ["array-like", None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def load_training_chars(
    sources: Sequence[str] | None = None,
    *,
    data_home: str | None = None,
    goodimg_path: str | None = None,
    fnt_path: str | None = None,
    fnt_per_class: int = 150,
    synthetic_per_class: int = 120,
    synthetic_ink_spread: float = 0.0,
    n_plates: int = 600,
    n_junk: int = 800,
    n_pairs: int = 800,
    fonts: Sequence[str] | None = None,
    uc3m_path: str | None = None,
    uc3m_photo_ids: Sequence[str] | None = None,
    random_state: int | None = 0,
) -> Bunch:
    """Gather raw character images from the chosen sources.

    Parameters
    ----------
    sources : sequence of {"goodimg", "fnt", "synthetic", "plates", "junk", "uc3m", \
"pairs"}, default=None
        Which sources to use. None is the recipe, :data:`CHAR_SOURCES`, without
        ``"uc3m"`` (and a :class:`UserWarning` that says so) when UC3M-LP's archive is
        not found and ``uc3m_path`` is not given; a source named here must be found.
        ``"pairs"`` (:data:`OPTIONAL_CHAR_SOURCES`) is used only when named.
    data_home : str, default=None
        Where the Chars74K archives are (see :func:`skplate.datasets.get_data_home`).
    goodimg_path, fnt_path : str, default=None
        Explicit archive or folder paths; override ``data_home``.
    fnt_per_class : int, default=150
        Fnt images drawn at random per class (the full set has 1,016 per class).
    synthetic_per_class : int, default=120
        Rendered characters per class.
    synthetic_ink_spread : float, default=0.0
        The rendered characters' ``ink_spread`` (see
        :func:`skplate.datasets.make_synthetic_chars`); 0.3 gives the tenth benchmark
        round's training data.
    n_plates : int, default=600
        Generated plates to cut characters from (source ``"plates"``), three filter
        variants each (:func:`make_plate_chars`).
    n_junk : int, default=800
        "Not a character" shapes (source ``"junk"``).
    n_pairs : int, default=800
        Runs of two neighbouring characters of the generated plates, drawn at random
        from those of the ``n_plates`` plates (source ``"pairs"``; fewer if there are
        fewer), labelled "not a character".
    fonts : sequence of str, default=None
        Fonts of the rendered characters and the generated plates (sources
        ``"synthetic"`` and ``"plates"``). None uses the faces shipped with skplate
        (:func:`skplate.datasets.default_fonts`), so that a seed gives the same data on
        every machine; ``default_fonts(system=True)`` names this machine's fonts instead.
    uc3m_path : str, default=None
        ``UC3M-LP-train.zip`` or its folder (source ``"uc3m"``); overrides ``data_home``.
    uc3m_photo_ids : sequence of str, default=None
        Take the ``"uc3m"`` characters of these photos only (e.g. a cross-validation
        fold's training photos, so that no UC3M plate is both trained and tested on);
        None takes all 10,299.
    random_state : int, default=0
        Seed for the Fnt subsample and the rendering.

    Returns
    -------
    data : Bunch
        ``images`` (list of arrays), ``target`` (characters) and ``source`` (the source of
        each image). The generated plates' characters and the junk shapes are ``(H, W, 2)``
        pairs, the character and the grey levels under it (for half the drawn junk, blurred);
        a :class:`~skplate.normalize.CharNormalizer` without ``gray_levels`` reads only
        the character.
    """
    recipe = sources is None
    sources = CHAR_SOURCES if recipe else tuple(sources)
    unknown = sorted(set(sources) - set(CHAR_SOURCES) - set(OPTIONAL_CHAR_SOURCES))
    if unknown or not sources:
        raise ValueError(
            f"sources: unknown character sources {unknown or list(sources)}; "
            f"choose from {list(CHAR_SOURCES + OPTIONAL_CHAR_SOURCES)}."
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
        good = load_chars74k(goodimg_path or data_home)
        add(good.images, good.target, "goodimg")
    if "fnt" in sources:
        fnt = load_chars74k(fnt_path or data_home, subset="Fnt")
        chosen = np.concatenate(
            [
                rng.choice(members, min(fnt_per_class, len(members)), replace=False)
                for members in (np.flatnonzero(fnt.target == c) for c in np.unique(fnt.target))
            ]
        )
        add([fnt.images[i] for i in chosen], fnt.target[chosen], "fnt")
    if "synthetic" in sources:
        synthetic = make_synthetic_chars(
            synthetic_per_class,
            fonts=None if fonts is None else list(fonts),
            ink_spread=synthetic_ink_spread,
            random_state=rng.randint(2**31),
        )
        add(synthetic.images, synthetic.target, "synthetic")
    if "plates" in sources or "pairs" in sources:
        plate_chars = make_plate_chars(
            n_plates, fonts=fonts, runs="pairs" in sources, random_state=rng.randint(2**31)
        )
        if "plates" in sources:
            add(plate_chars.images, plate_chars.target, "plates")
    if "junk" in sources:
        junk = make_synthetic_junk(n_junk, random_state=rng.randint(2**31))
        levels_rng = check_random_state(rng.randint(2**31))
        pairs = [np.dstack([image, _junk_levels(image, levels_rng)]) for image in junk.images]
        add(pairs, junk.target, "junk")
    if "uc3m" in sources:
        try:
            real = load_uc3m_chars(uc3m_path or data_home, photo_ids=uc3m_photo_ids)
        except FileNotFoundError as error:
            if not recipe or uc3m_path is not None:
                raise
            warnings.warn(
                f"Training without the recipe's 'uc3m' characters (UC3M-LP's real plates): "
                f"{error}",
                UserWarning,
                stacklevel=2,
            )
        else:
            add(real.images, real.target, "uc3m")
    if "pairs" in sources:  # drawn last: the other sources stay as without it
        runs = plate_chars.run_images
        chosen = rng.choice(len(runs), min(n_pairs, len(runs)), replace=False)
        add([runs[i] for i in sorted(chosen)], [NOT_A_CHARACTER] * len(chosen), "pairs")
    return Bunch(images=images, target=np.concatenate(targets), source=np.asarray(origin))


def training_data_sha256(images: Sequence[np.ndarray], target: Sequence[str]) -> str:
    """SHA-256 of character images and their labels, in order.

    Each image contributes its dtype, shape and pixels, each label its text, so two data
    sets hash alike exactly when they hold the same images with the same labels in the
    same order. :func:`train_char_classifier` records it in its report: two trainings
    with the same hash and seed saw the same data.

    Parameters
    ----------
    images : sequence of ndarray
        The raw character images (as :func:`load_training_chars` returns them).
    target : sequence of str
        Their labels.

    Returns
    -------
    digest : str
        64 hexadecimal digits.
    """
    if len(images) != len(target):
        raise ValueError(
            f"images and target differ in length: {len(images)} images, {len(target)} labels."
        )
    digest = hashlib.sha256()
    for image, label in zip(images, target, strict=True):
        image = np.ascontiguousarray(image)
        digest.update(f"{image.dtype.str}{image.shape}{label!s}".encode())
        digest.update(image.tobytes())
    return digest.hexdigest()


@dataclass
class TrainingReport:
    """What :func:`train_char_classifier` did.

    Attributes
    ----------
    n_images, n_classes : int
        Training images and classes.
    held_out_accuracy : float
        Accuracy on the held-out GoodImg images (NaN when none were held out), over the
        character classes only: a "not a character" answer counts the best character.
    n_held_out : int
        Number of held-out images.
    epochs : int
        Epochs actually run (early stopping may end training sooner).
    seconds : float
        Wall-clock time of normalisation and training.
    sources : dict
        Images per source.
    data_sha256 : str
        :func:`training_data_sha256` of all the images and labels given to
        :func:`train_char_classifier` (held-out images included): the same on every machine
        for the same command and seed.
    """

    n_images: int
    n_classes: int
    held_out_accuracy: float
    n_held_out: int
    epochs: int
    seconds: float
    sources: dict = field(default_factory=dict)
    data_sha256: str = ""


def _predict_character(classifier: CharCNN, chars: np.ndarray) -> np.ndarray:
    """The most probable character class, never :data:`NOT_A_CHARACTER`."""
    classes = np.asarray(classifier.classes_).astype(str)
    proba = np.asarray(classifier.predict_proba(chars))
    proba[:, classes == NOT_A_CHARACTER] = -1.0
    return classes[proba.argmax(axis=1)]


def train_char_classifier(
    data: Bunch,
    *,
    test_size: float = 0.2,
    normalizer: CharNormalizer | None = None,
    random_state: int | None = 0,
    recipe: bool = True,
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
        The normaliser; ``CharNormalizer()`` (binary ink maps) when None.
        ``CharNormalizer(gray_levels=True)`` adds the ink's grey levels as a second
        channel. Plates must be read with the same: :class:`~skplate.recognizer.PlateRecognizer`
        picks it from the classifier's input when its segmenter has no normaliser of its
        own.
    random_state : int, default=0
        Seed for the split and the network.
    **cnn_params
        Parameters of :class:`CharCNN` (``epochs=...``, ``dense_units=...``); they update
        :data:`RECIPE_CNN_PARAMS`. Pass ``recipe=False`` to start from ``CharCNN``'s
        own defaults (the reference network) instead.

    Returns
    -------
    classifier : CharCNN
        Fitted on normalised characters.
    report : TrainingReport
    """
    start = time.perf_counter()
    normalizer = CharNormalizer() if normalizer is None else normalizer
    target = np.asarray(data.target).astype(str)
    data_sha256 = training_data_sha256(data.images, target)
    chars = normalizer.fit_transform(data.images)
    source = np.asarray(data.get("source", np.full(len(target), "goodimg")))
    train = np.ones(len(target), dtype=bool)
    natural = np.flatnonzero(source == "goodimg")
    held_out = np.zeros(0, dtype=int)
    if test_size and len(natural):
        _, held_out = train_test_split(
            natural, test_size=test_size, stratify=target[natural], random_state=random_state
        )
        train[held_out] = False
    params = {**RECIPE_CNN_PARAMS, **cnn_params} if recipe else cnn_params
    classifier = CharCNN(random_state=random_state, **params)
    classifier.fit(chars[train], target[train])
    accuracy = (
        float(np.mean(_predict_character(classifier, chars[held_out]) == target[held_out]))
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
        data_sha256=data_sha256,
    )
    return classifier, report
