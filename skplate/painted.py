"""Painted blocks: flat, character-sized patches that hide a character of a plate.

Datasets anonymise plates by painting some characters over with a uniform grey box
(UC3M-LP paints two of every plate); a reader should skip them, not read them. In the
binarised filter variants such a box is ink or background depending on its grey, and as
ink it joins the characters beside it into one component, which loses them too. A painted
box is exactly flat (every pixel the same grey, up to compression noise), which few parts
of a photographed plate are over a character's size (a smooth shadow between characters
is one): :func:`painted_block_mask` finds such patches, and :func:`paint_over_blocks`
paints them in the plate's background beside them, as the cropper paints the EU band
(:func:`~skplate.crop.eu_band_mask`).
"""

from __future__ import annotations

import cv2
import numpy as np

__all__ = ["paint_over_blocks", "painted_block_mask"]

# Width in pixels of the ring around a block whose light end is the plate's background.
_RING = 4


def painted_block_mask(
    gray: np.ndarray,
    *,
    tolerance: int = 4,
    min_height: float = 0.25,
    min_aspect: float = 0.35,
    max_aspect: float = 1.2,
    min_fill: float = 0.45,
    max_level: float = 0.9,
) -> np.ndarray:
    """Mask of the painted blocks of a gray plate crop.

    A block is a 4-connected patch of flat pixels (the grey levels of each pixel's 3x3
    neighbourhood span at most ``tolerance``) whose bounding box is character-sized (at
    least ``min_height`` of the crop tall and ``min_aspect`` to ``max_aspect`` times as
    wide as tall), which fills at least ``min_fill`` of that box, and whose grey is darker
    than the plate's background (``max_level``). Patches at the ends of the grey scale
    (under 6 or over 249: clipped shadows and highlights) are never blocks. The mask is
    each block's convex hull with its rim (two pixels around it).

    Parameters
    ----------
    gray : ndarray of shape (H, W), uint8
        The plate crop at the photo's own resolution (a resize blurs the block's rim but
        keeps its inside flat).
    tolerance : int, default=4
        Largest spread of grey levels in a 3x3 neighbourhood that still counts as flat.
    min_height : float, default=0.25
        Least height of a block, as a fraction of the crop's height.
    min_aspect, max_aspect : float, default=0.35, 1.2
        Width / height of a block's bounding box.
    min_fill : float, default=0.45
        Least share of its bounding box a block's flat pixels cover.
    max_level : float, default=0.9
        Highest grey of a block, as a fraction of the way from the crop's 10th to its 90th
        percentile level: a flat patch of the plate's background (between characters, on a
        smooth or overexposed plate) lies near 1, UC3M-LP's painted blocks at 0.2-0.85.

    Returns
    -------
    mask : ndarray of shape (H, W), bool
        True on the blocks.
    """
    if gray.ndim != 2 or gray.dtype != np.uint8:
        raise ValueError(f"gray must be a 2-D uint8 image, got {gray.dtype} of shape {gray.shape}.")
    height = gray.shape[0]
    mask = np.zeros(gray.shape, dtype=np.uint8)
    if min(gray.shape) < 3:
        return mask.astype(bool)
    square = np.ones((3, 3), np.uint8)
    flat = (cv2.dilate(gray, square) - cv2.erode(gray, square) <= tolerance).astype(np.uint8)
    flat[(gray < 6) | (gray > 249)] = 0
    _, labels, stats, _ = cv2.connectedComponentsWithStats(flat, connectivity=4)
    widths = stats[1:, cv2.CC_STAT_WIDTH]
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    blocks = 1 + np.flatnonzero(
        (heights >= min_height * height)
        & (widths >= min_aspect * heights)
        & (widths <= max_aspect * heights)
        & (stats[1:, cv2.CC_STAT_AREA] >= min_fill * widths * heights)
    )
    if blocks.size == 0:
        return mask.astype(bool)
    dark, light = np.percentile(gray, (10, 90))
    highest = dark + max_level * max(light - dark, 1.0)
    for label in blocks:
        patch = labels == label
        if np.median(gray[patch]) > highest:
            continue
        # the convex hull: JPEG noise leaves holes in the flat patch, and a hole left
        # unpainted is a grey fragment the segmenter could take for a stroke
        points = cv2.findNonZero(patch.astype(np.uint8))
        cv2.fillConvexPoly(mask, cv2.convexHull(points), 1)
    return cv2.dilate(mask, np.ones((5, 5), np.uint8)).astype(bool)


def paint_over_blocks(gray: np.ndarray, **kwargs) -> np.ndarray:
    """Paint the painted blocks of a plate crop (:func:`painted_block_mask`) in its background.

    Parameters
    ----------
    gray : ndarray of shape (H, W), uint8
        The plate crop at the photo's own resolution.
    **kwargs
        Passed to :func:`painted_block_mask`.

    Returns
    -------
    painted : ndarray of shape (H, W), uint8
        ``gray`` itself when it has no block, otherwise a copy with each block in the
        plate's background level beside it (the 75th percentile of the levels in a ring
        of ``4`` pixels around the block).
    """
    blocks = painted_block_mask(gray, **kwargs).astype(np.uint8)
    if not blocks.any():
        return gray
    painted = gray.copy()
    n_blocks, labels = cv2.connectedComponents(blocks)
    ring_kernel = np.ones((2 * _RING + 1, 2 * _RING + 1), np.uint8)
    for label in range(1, n_blocks):
        block = (labels == label).astype(np.uint8)
        # the plate's own background beside the block: the light end of the ring around it
        # (the ring takes in the neighbouring characters' ink too)
        ring = (cv2.dilate(block, ring_kernel) > 0) & (blocks == 0)
        around = gray[ring]
        painted[block > 0] = np.percentile(around, 75) if around.size else 255
    return painted
