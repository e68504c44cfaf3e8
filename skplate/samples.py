"""The input type of the plate-reading estimators: one photo and the box of its plate."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from ._validation import check_image

__all__ = ["PlateSample", "check_sample", "check_samples", "clip_box"]


class PlateSample(NamedTuple):
    """One labelled photo: the image and the pixel box ``(x1, y1, x2, y2)`` of its plate.

    A plain ``(image, box)`` tuple is accepted wherever a ``PlateSample`` is, and a list of
    samples survives the indexing that :class:`~sklearn.model_selection.GridSearchCV` does.

    Attributes
    ----------
    image : ndarray
        uint8 or uint16 gray, BGR or BGRA photo.
    box : tuple of int
        ``(x1, y1, x2, y2)`` in pixels, ``x2``/``y2`` exclusive.
    name : str
        Where the sample came from (file name), used in error messages and reports.
    """

    image: np.ndarray
    box: tuple[int, int, int, int]
    name: str = ""


def clip_box(box: Sequence[float], shape: tuple[int, ...], *, name: str) -> tuple[int, ...]:
    """Clip ``box`` to an image of ``shape``; reject a box that is empty or wholly outside.

    Raises
    ------
    ValueError
        If the box does not have four numbers, or nothing of it lies inside the image.
    """
    try:
        x1, y1, x2, y2 = (float(v) for v in box)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"{name}: the plate box must be four numbers (x1, y1, x2, y2), got {box!r}."
        ) from error
    if not all(np.isfinite([x1, y1, x2, y2])):
        raise ValueError(f"{name}: the plate box {box!r} holds a non-finite number.")
    height, width = shape[:2]
    cx1, cy1 = max(0, round(x1)), max(0, round(y1))
    cx2, cy2 = min(width, round(x2)), min(height, round(y2))
    if cx2 - cx1 < 2 or cy2 - cy1 < 2:
        raise ValueError(
            f"{name}: the plate box {tuple(box)} is empty or lies outside the "
            f"{width}x{height} image."
        )
    return cx1, cy1, cx2, cy2


def check_samples(X: Sequence) -> list[PlateSample]:
    """Validate a sequence of plate samples and return them as :class:`PlateSample`.

    Each item may be a ``PlateSample`` or an ``(image, box[, name])`` tuple. Boxes are
    clipped to the image; an item that cannot be used raises an error naming its index.
    """
    if isinstance(X, PlateSample) or (
        isinstance(X, tuple) and len(X) in (2, 3) and isinstance(X[0], np.ndarray)
    ):
        raise TypeError(
            "X must be a sequence of plate samples, not a single sample; "
            "wrap it in a list: [sample]."
        )
    try:
        n_samples = len(X)
    except TypeError as error:
        raise TypeError(
            f"X must be a sequence of (image, box) samples, got {type(X).__name__}."
        ) from error
    return [check_sample(X[index], index) for index in range(n_samples)]


def check_sample(item: object, index: int) -> PlateSample:
    """Validate one sample, ``X[index]``; errors name the sample's name, else ``X[index]``."""
    if not isinstance(item, tuple | list) or len(item) not in (2, 3):
        raise TypeError(
            f"X[{index}]: expected a PlateSample or an (image, box) tuple, "
            f"got {type(item).__name__}."
        )
    image, box = item[0], item[1]
    name = str(item[2]) if len(item) == 3 and item[2] else f"X[{index}]"
    image = check_image(image, name=name)
    return PlateSample(image, clip_box(box, image.shape, name=name), name)
