"""Training crops for the locator: random scale, position, flip and lighting of a photo."""

from __future__ import annotations

import cv2
import numpy as np

from ._paste import paste_plate

__all__ = ["random_crop"]

#: A plate cut by the crop's border stays a positive when this much of it is inside.
_MIN_VISIBLE = 0.6


def random_crop(
    image: np.ndarray,
    boxes: np.ndarray,
    rng: np.random.RandomState,
    *,
    size: int,
    scale_range: tuple[float, float],
    plate_focus: float = 0.8,
    drawn_plates: list[np.ndarray] | None = None,
    paste_probability: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One augmented ``size x size`` crop of a gray photo and its plate boxes.

    The photo is scaled by a log-uniform factor in ``scale_range`` (and its aspect ratio by
    up to 10 %), and a window is cut around a random plate (with probability
    ``plate_focus``, when there is one) or anywhere; then it is mirrored half of the time
    and its contrast, brightness and gamma are jittered, with a blur or noise now and then.
    With probability ``paste_probability`` one of ``drawn_plates`` (see
    :func:`~skplate.locate.draw_plate`) is pasted in first, a plate to find too.

    Returns
    -------
    crop : ndarray of uint8, shape (size, size)
    boxes : ndarray of shape (n, 4)
        Plates at least 60 % inside the crop, clipped to it.
    cut : ndarray of shape (k, 4)
        Plates less inside: their cells are ignored by the loss.
    """
    height, width = image.shape[:2]
    scale = float(np.exp(rng.uniform(*np.log(scale_range))))
    aspect = float(np.exp(rng.uniform(-0.1, 0.1)))
    sx, sy = scale * aspect, scale / aspect
    if len(boxes) and rng.uniform() < plate_focus:
        x1, y1, x2, y2 = boxes[rng.randint(len(boxes))]
        cx = (x1 + x2) / 2 * sx + rng.uniform(-0.4, 0.4) * size
        cy = (y1 + y2) / 2 * sy + rng.uniform(-0.4, 0.4) * size
    else:
        cx = rng.uniform(0, width * sx)
        cy = rng.uniform(0, height * sy)
    tx, ty = size / 2 - cx, size / 2 - cy
    matrix = np.array([[sx, 0, tx], [0, sy, ty]], dtype=np.float64)
    fill = int(rng.randint(0, 256))
    crop = cv2.warpAffine(
        image,
        matrix,
        (size, size),
        flags=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=fill,
    )
    boxes = np.asarray(boxes, dtype=float).reshape(-1, 4) * [sx, sy, sx, sy] + [tx, ty, tx, ty]
    if rng.uniform() < 0.5:
        crop = crop[:, ::-1]
        boxes = np.column_stack([size - boxes[:, 2], boxes[:, 1], size - boxes[:, 0], boxes[:, 3]])
    clipped = np.clip(boxes, 0, size)
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    visible = (clipped[:, 2] - clipped[:, 0]) * (clipped[:, 3] - clipped[:, 1])
    keep = visible >= _MIN_VISIBLE * area
    seen = visible > 0
    crop, kept, cut = np.ascontiguousarray(crop), clipped[keep], clipped[~keep & seen]
    if drawn_plates and paste_probability > 0 and rng.uniform() < paste_probability:
        crop, pasted = paste_plate(crop, np.vstack([kept, cut]), drawn_plates, rng)
        if pasted is not None:
            kept = np.vstack([kept, pasted[None]])
    crop = _jitter(crop, rng)
    return crop, kept, cut


def _jitter(crop: np.ndarray, rng: np.random.RandomState) -> np.ndarray:
    """Random contrast, brightness, gamma, and sometimes blur or noise."""
    values = crop.astype(np.float32) / 255.0
    values = values ** float(np.exp(rng.uniform(-0.5, 0.5)))
    values = (values - 0.5) * rng.uniform(0.6, 1.4) + 0.5 + rng.uniform(-0.2, 0.2)
    if rng.uniform() < 0.2:
        values = cv2.GaussianBlur(values, (0, 0), rng.uniform(0.5, 1.5))
    if rng.uniform() < 0.2:
        values = values + rng.normal(0, rng.uniform(0.01, 0.05), values.shape).astype(np.float32)
    return np.clip(np.round(values * 255.0), 0, 255).astype(np.uint8)
