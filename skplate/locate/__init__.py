"""Locate licence plates in photos: :class:`PlateLocator` and the detection metrics.

``PlateLocator().fit(images, boxes).predict(images)`` gives, per photo, an ``(n, 5)`` array
of ``(x1, y1, x2, y2, score)`` rows; :func:`average_precision` scores such detections
against the true boxes. TensorFlow is imported only when the locator or its network is
used.
"""

from ._boxes import average_precision, box_iou, match_detections, non_max_suppression
from ._paste import draw_plate
from ._samples import LocatedSamples, has_no_box, has_photos, locate_samples

__all__ = [
    "LocatedSamples",
    "PlateLocator",
    "average_precision",
    "box_iou",
    "build_locator_net",
    "check_photo_boxes",
    "draw_plate",
    "has_no_box",
    "has_photos",
    "locate_samples",
    "match_detections",
    "non_max_suppression",
]

_LAZY = {
    "PlateLocator": "_estimator",
    "check_photo_boxes": "_estimator",
    "build_locator_net": "_network",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
