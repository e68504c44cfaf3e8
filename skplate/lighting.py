"""Uneven lighting taken out of a plate: the plate divided by its background light.

A plate lit by a headlight, a street lamp or the low sun is bright at one end and dark at
the other, or has a bright spot over some characters. One threshold for the whole plate
then takes the dark end's background as ink and the bright end's characters as
background (on UC3M-LP's night crops the filter bank's binarised variants are mostly
blobs). The background light is estimated where there are no characters: the plate's
grey-level closing (a dilation then an erosion, :func:`cv2.morphologyEx`) with a square
wider than a character's stroke removes the dark strokes and keeps the light around them;
dividing the plate by it leaves the characters dark on an even, white background.

A dark patch wider than the square is background too: UC3M-LP's painted blocks (two
characters of each plate hidden under a flat grey, :mod:`skplate.painted`) and shadows
come out white. A character's stroke wider than the square would also be taken for
background, which is why the square's side is a fraction of the plate's height.
"""

from __future__ import annotations

from numbers import Real

import cv2
import numpy as np

from ._validation import to_gray

__all__ = ["background_light", "flatten_lighting"]


def _kernel(height: int, size: float) -> np.ndarray:
    if isinstance(size, bool) or not isinstance(size, Real) or not 0 < size <= 1:
        raise ValueError(
            f"size must be a fraction of the plate's height in (0, 1], got {size!r}."
        )
    side = max(3, round(size * height) | 1)  # odd, so the square has a centre
    return cv2.getStructuringElement(cv2.MORPH_RECT, (side, side))


def background_light(gray: np.ndarray, size: float = 0.2) -> np.ndarray:
    """Estimate a plate's background light: its grey-level closing by a square.

    Parameters
    ----------
    gray : ndarray of shape (H, W), dtype uint8
        The plate (dark characters on a light background); a colour image is converted.
    size : float, default=0.2
        Side of the square, as a fraction of the plate's height (odd, at least 3
        pixels): dark details narrower than it (character strokes) are removed.

    Returns
    -------
    background : ndarray of shape (H, W), dtype uint8
        At least ``gray`` everywhere.
    """
    gray = to_gray(gray, name="gray")
    kernel = _kernel(gray.shape[0], size)
    return cv2.morphologyEx(gray, cv2.MORPH_CLOSE, kernel)


_TEXT_POLARITIES = ("dark", "light")


def flatten_lighting(
    gray: np.ndarray, size: float = 0.2, smoothing: float = 0.0, text: str = "dark"
) -> np.ndarray:
    """Divide a plate by its background light, so that the lighting is even.

    Parameters
    ----------
    gray : ndarray of shape (H, W), dtype uint8
        The plate (dark characters on a light background); a colour image is converted.
    size : float, default=0.2
        Side of the square of :func:`background_light`, as a fraction of the plate's
        height. Chosen on UC3M-LP's plate crops (docs/benchmarks.md): 0.2 and 0.25 read
        alike, 0.15 leaves stroke-wide shadows, 0.35 and more keep the painted blocks.
    smoothing : float, default=0.0
        Standard deviation, in pixels, of a Gaussian blur applied to the plate first. The
        division lifts a dark plate's sensor noise with its characters, into a grain that
        every threshold then cuts; a blur of about a pixel on an 80-pixel-high plate
        smooths the grain and keeps the strokes. 0 divides the plate as it is.
    text : {"dark", "light"}, default="dark"
        The characters' polarity. ``"light"`` (light characters on a dark plate) flattens
        the inverted plate and inverts the result back: the closing of the plate itself
        would take the light strokes for the background light and fill the plate with
        them.

    Returns
    -------
    flat : ndarray of shape (H, W), dtype uint8
        ``255 * gray / background``: the background near 255 wherever it is, the
        characters as dark as they are against the background beside them (with
        ``text="light"``, the same of the inverted plate, inverted: the background near
        0, the characters light).

    Examples
    --------
    >>> import numpy as np
    >>> from skplate.lighting import flatten_lighting
    >>> plate = np.tile(np.linspace(60, 240, 120).astype(np.uint8), (40, 1))  # dark to light
    >>> plate[10:30, 20:24] //= 2  # a stroke on the dark side
    >>> plate[10:30, 100:104] //= 2  # and one on the light side
    >>> flat = flatten_lighting(plate)
    >>> int(flat[5, 10]), int(flat[5, 110])  # the background, even
    (255, 255)
    >>> int(flat[20, 21]) < 140, int(flat[20, 101]) < 140  # both strokes dark
    (True, True)
    """
    gray = to_gray(gray, name="gray")
    if isinstance(smoothing, bool) or not isinstance(smoothing, Real) or not smoothing >= 0:
        raise ValueError(f"smoothing must be a number of pixels >= 0, got {smoothing!r}.")
    if text not in _TEXT_POLARITIES:
        raise ValueError(f"text must be one of {_TEXT_POLARITIES}, got {text!r}.")
    if smoothing > 0:
        gray = cv2.GaussianBlur(gray, (0, 0), smoothing)
    if text == "light":
        inverted = cv2.bitwise_not(gray)
        return cv2.bitwise_not(cv2.divide(inverted, background_light(inverted, size), scale=255))
    return cv2.divide(gray, background_light(gray, size), scale=255)
