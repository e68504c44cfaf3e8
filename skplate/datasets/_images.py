"""Decoding dataset members into the uint8 gray or BGR arrays every loader returns."""

from __future__ import annotations

import numpy as np

from .._validation import decode_image, to_uint8

__all__ = ["IMAGE_SUFFIXES", "decode_uint8"]

#: File suffixes the loaders treat as images (lower case).
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".ppm", ".pgm")


def decode_uint8(data: bytes | np.ndarray, *, name: str) -> np.ndarray:
    """Decode an encoded image into a uint8 gray ``(H, W)`` or BGR ``(H, W, 3)`` array.

    16-bit images are rescaled to 8 bits and transparent pixels of BGRA images are
    composed onto white, so every loader returns the same two kinds of array.

    Parameters
    ----------
    data : bytes or ndarray of uint8
        The encoded file (PNG, JPEG, BMP, ...).
    name : str
        How the image is named in error messages (archive and member).

    Raises
    ------
    ValueError
        If the bytes are empty or cannot be decoded; the message starts with ``name``.
    """
    return to_uint8(decode_image(data, name=name), name=name)
