"""Photos without a plate box become one plate sample per located plate."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from .._validation import check_image
from ..crop import _expanded_box
from ..samples import PlateSample

__all__ = ["LocatedSamples", "has_no_box", "has_photos", "locate_samples"]


def has_no_box(item: object) -> bool:
    """Whether ``item`` is an ``(image, None[, name])`` sample: a photo to locate plates in."""
    return isinstance(item, tuple | list) and len(item) in (2, 3) and item[1] is None


def has_photos(X: object) -> bool:
    """Whether the sequence ``X`` holds a sample without a box; False for anything that is
    not a sequence of samples (the estimators' own checks report those)."""
    if isinstance(X, str | PlateSample) or (
        isinstance(X, tuple) and len(X) in (2, 3) and isinstance(X[0], np.ndarray)
    ):
        return False
    try:
        return any(has_no_box(X[index]) for index in range(len(X)))
    except (TypeError, KeyError, IndexError):
        return False


class LocatedSamples(NamedTuple):
    """Samples with a box, each traced back to the input sample it came from.

    Attributes
    ----------
    samples : list
        The input's samples that had a box, as they were, and one
        ``PlateSample(image, box, name)`` per plate located in the others (its box the
        located one with ``margin`` around it, in the photo).
    located_boxes : ndarray of shape (n_samples, 4)
        The locator's box of each sample, as it found it (integer pixels); NaN for a box
        that was given.
    owners : ndarray of int
        For each of ``samples``, the index of the input sample it came from (sorted).
    box_scores : ndarray of float
        The locator's score of each located box; NaN for a box that was given.
    failures : dict of int to str
        Input samples that could not be located (an unusable image): index -> reason.
    """

    samples: list
    located_boxes: np.ndarray
    owners: np.ndarray
    box_scores: np.ndarray
    failures: dict[int, str]


def _name(item: Sequence, index: int) -> str:
    return str(item[2]) if len(item) == 3 and item[2] else f"X[{index}]"


def _with_margin(
    box: tuple[int, int, int, int], margin: tuple[float, float], shape: tuple[int, ...]
) -> tuple[int, int, int, int]:
    """``box`` grown by ``margin`` (fractions of its width and height) on each side, in
    whole pixels, clipped to an image of ``shape``."""
    x1, y1, x2, y2 = _expanded_box(box, margin)
    height, width = shape[:2]
    return (
        max(0, int(np.floor(x1))),
        max(0, int(np.floor(y1))),
        min(width, int(np.ceil(x2))),
        min(height, int(np.ceil(y2))),
    )


def locate_samples(
    locator: object,
    X: Sequence,
    *,
    errors: str = "raise",
    margin: tuple[float, float] = (0.0, 0.0),
) -> LocatedSamples:
    """Replace every sample without a box by one sample per plate ``locator`` finds in it.

    Parameters
    ----------
    locator : fitted estimator or None
        A fitted :class:`~skplate.locate.PlateLocator` (or anything whose ``predict`` maps
        photos to ``(n_i, 5)`` arrays of ``(x1, y1, x2, y2, score)``).
    X : sequence of PlateSample or tuple
        Samples; ``(image, None[, name])`` ones are located.
    errors : {"raise", "record"}, default="raise"
        A photo to locate that is not a usable image, or a missing locator: raise an
        error naming the sample, or record the reason in ``failures``.
    margin : (float, float), default=(0.0, 0.0)
        Added to each located box on every side, as fractions of its width and height,
        before it becomes a sample's box (the reading's crop).

    Returns
    -------
    located : LocatedSamples
    """
    to_locate, reasons = [], {}
    for index in range(len(X)):
        item = X[index]
        if not has_no_box(item):
            continue
        name = _name(item, index)
        try:
            if locator is None:
                raise ValueError(
                    f"{name}: no plate box, and the recognizer has no locator to find the "
                    f"plates (PlateRecognizer(locator=a fitted skplate.locate.PlateLocator))."
                )
            check_image(item[0], name=name)
        except (TypeError, ValueError) as error:
            if errors == "raise":
                raise
            reasons[index] = str(error)
            continue
        to_locate.append(index)
    detections = dict(
        zip(
            to_locate,
            locator.predict([X[i][0] for i in to_locate]) if to_locate else [],
            strict=True,
        )
    )
    samples, located_boxes, owners, scores = [], [], [], []
    for index in range(len(X)):
        item = X[index]
        if index in reasons:
            continue
        if index not in detections:
            samples.append(item)
            located_boxes.append((np.nan,) * 4)
            owners.append(index)
            scores.append(np.nan)
            continue
        name = _name(item, index)
        shape = np.shape(item[0])
        for number, (x1, y1, x2, y2, score) in enumerate(np.asarray(detections[index])):
            box = (int(np.floor(x1)), int(np.floor(y1)), int(np.ceil(x2)), int(np.ceil(y2)))
            samples.append(
                PlateSample(item[0], _with_margin(box, margin, shape), f"{name}#{number}")
            )
            located_boxes.append(box)
            owners.append(index)
            scores.append(float(score))
    return LocatedSamples(
        samples,
        np.asarray(located_boxes, dtype=float).reshape(-1, 4),
        np.asarray(owners, dtype=int),
        np.asarray(scores, dtype=float),
        reasons,
    )
