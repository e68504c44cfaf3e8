"""skplate: licence-plate OCR from scratch, as scikit-learn estimators.

The stages compose in one direction: :class:`PlateCropper` -> :class:`FilterBank` ->
:class:`CharacterSegmenter` -> a character classifier (:class:`CharCNN`) -> format-constrained
decoding and voting in :class:`PlateRecognizer`.
"""

from ._version import __version__
from .formats import PlateFormat, get_formats
from .metrics import char_accuracy, char_scorer, plate_accuracy, plate_scorer
from .normalize import CharNormalizer
from .samples import PlateSample

__all__ = [
    "CharCNN",
    "CharNormalizer",
    "CharacterSegmenter",
    "FilterBank",
    "PlateCropper",
    "PlateFormat",
    "PlateLocator",
    "PlateReading",
    "PlateRecognizer",
    "PlateSample",
    "__version__",
    "char_accuracy",
    "char_scorer",
    "get_formats",
    "make_char_pipeline",
    "make_plate_recognizer",
    "plate_accuracy",
    "plate_scorer",
]

_LAZY = {
    "CharCNN": "cnn",
    "make_char_pipeline": "cnn",
    "PlateCropper": "crop",
    "FilterBank": "filters",
    "CharacterSegmenter": "segment",
    "PlateRecognizer": "recognizer",
    "make_plate_recognizer": "recognizer",
    "PlateReading": "reading",
    "PlateLocator": "locate",
}


def __getattr__(name: str):
    # TensorFlow is heavy: import the network-related modules only when they are used.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
