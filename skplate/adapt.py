"""Adapting the character classifier to the plates it will read (the harvest mode).

:func:`harvest_characters` labels the segments of training plates with their known text,
where a filter variant cut exactly as many segments as the text has characters;
:func:`adapt_classifier` fine-tunes a copy of a fitted :class:`~skplate.cnn.CharCNN` on them.
:class:`~skplate.recognizer.PlateRecognizer` uses both when ``adapt_epochs > 0``. Figures
of this mode must come from grouped cross-validation: a plate's characters must never
train the classifier that reads that plate.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from numbers import Integral

import numpy as np
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import KFold, cross_val_predict
from sklearn.utils import check_random_state

from .metrics import visible_text
from .segment import Segments

__all__ = ["adapt_classifier", "harvest_characters", "harvest_cross_val_predict"]


def harvest_characters(
    segments: Segments, texts: Sequence[str], classes: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Label the segments of every variant that cut a plate into exactly its characters.

    Parameters
    ----------
    segments : Segments
        The segments of a batch of plates (:meth:`CharacterSegmenter.transform`).
    texts : sequence of str
        The true text of each plate of the batch; a ``-`` is a character nobody can read
        (a painted block of an anonymised plate): the visible characters label the
        variants cut into exactly as many segments.
    classes : sequence of str
        The classifier's classes; a plate with a character outside them gives nothing.

    Returns
    -------
    chars : ndarray of shape (n_chars, size, size, 1)
        The harvested, normalised characters.
    labels : ndarray of shape (n_chars,), str
        Their characters.
    """
    if len(texts) != segments.n_plates:
        raise ValueError(
            f"texts: {len(texts)} texts for a batch of {segments.n_plates} plates."
        )
    known = set(map(str, classes))
    picked: list[np.ndarray] = []
    labels: list[str] = []
    for plate_rows, text in zip(segments.rows(), texts, strict=True):
        text = visible_text(str(text))
        if not text or not set(text) <= known:
            continue
        for row in plate_rows:
            row = row[segments.span[row] == 1]  # the pieces, not the runs of them
            if len(row) == len(text):
                picked.append(row)
                labels.extend(text)
    if not picked:
        return segments.chars[:0], np.zeros(0, dtype=str)
    return segments.chars[np.concatenate(picked)], np.asarray(labels)


def adapt_classifier(
    classifier: object,
    chars: np.ndarray,
    labels: np.ndarray,
    *,
    epochs: int,
    random_state: int | None = None,
) -> object:
    """Fine-tune a copy of a fitted scikeras classifier on harvested characters.

    Parameters
    ----------
    classifier : fitted KerasClassifier, or a FrozenEstimator of one
        Left unchanged; a copy is trained.
    chars, labels : ndarray
        From :func:`harvest_characters`; every label must be one of ``classes_``.
    epochs : int
        Passes over the harvested characters (one ``partial_fit`` each), without a
        validation split.
    random_state : int, default=None
        Seed of the order in which the characters are shown; None takes the network's
        own integer ``random_state`` (0 when it has none). The network's training
        randomness keeps the seed it was trained with.

    Returns
    -------
    adapted : KerasClassifier
        The fine-tuned copy (not frozen).
    """
    inner = classifier.estimator if isinstance(classifier, FrozenEstimator) else classifier
    if not hasattr(inner, "partial_fit"):
        raise TypeError(
            f"classifier: adapting needs a classifier with partial_fit (a CharCNN); got "
            f"{type(inner).__name__} (a model loaded from a .skplate file runs its network "
            "with NumPy: load it with load_model(path, backend='keras') to fine-tune it)."
        )
    unknown = sorted(set(map(str, labels)) - set(map(str, inner.classes_)))
    if unknown:
        raise ValueError(f"labels: characters {unknown} are not classes of the classifier.")
    adapted = copy.deepcopy(inner)
    if not len(chars) or epochs < 1:
        return adapted
    if random_state is None:
        seed = inner.get_params().get("random_state")
        random_state = seed if isinstance(seed, Integral) else 0
    rng = check_random_state(random_state)
    adapted.set_params(validation_split=0.0)
    optimizer = getattr(getattr(adapted, "model_", None), "optimizer", None)
    if getattr(optimizer, "use_ema", False):
        # A moving average over the few fine-tuning steps would mostly keep the weights
        # being adapted: fine-tune the weights themselves.
        optimizer.use_ema = False
    # scikeras builds the fit callbacks once, at the first fit: rebuild them without the
    # validation split, or early stopping and learning-rate reduction watch a missing
    # validation loss.
    adapted._initialize_callbacks()
    for _ in range(epochs):
        order = rng.permutation(len(chars))
        adapted.partial_fit(chars[order], labels[order])
    return adapted


def harvest_cross_val_predict(
    recognizer: object,
    X: Sequence,
    y: Sequence[str],
    *,
    epochs: int = 3,
    n_splits: int = 5,
    random_state: int | None = 0,
) -> np.ndarray:
    """Read every plate with a recognizer fitted in the harvest mode on the *other* plates.

    Each plate is one group: ``KFold`` over plates keeps every plate's characters out of
    the classifier that reads it. This is how figures of the harvest mode are reported.

    Parameters
    ----------
    recognizer : PlateRecognizer
        Cloned for each fold and fitted with ``adapt_epochs=epochs`` on the other folds
        (which also learns the variant weights when ``learn_weights``).
    X, y : sequence
        The labelled plates.
    epochs : int, default=3
        Fine-tuning epochs of each fold's classifier.
    n_splits : int, default=5
        Number of folds.
    random_state : int, default=0
        Seed of the shuffled fold assignment.

    Returns
    -------
    predicted : ndarray of shape (n_plates,), dtype object
        Each plate's reading.
    """
    folds = KFold(n_splits, shuffle=True, random_state=random_state)
    model = clone(recognizer).set_params(adapt_epochs=epochs)
    return cross_val_predict(model, list(X), np.asarray(y).astype(str), cv=folds)
