"""Character normalisation: any character image becomes a fixed-size ink map in [0, 1].

The same :class:`CharNormalizer` prepares the Chars74K training characters and the characters
cut out of plates, so the network sees identical inputs in training and inference. With
``gray_levels=True`` a second channel holds the grey levels of the ink: a character that a
harsh threshold turned into a solid blob (a small ``W`` whose gaps closed) still shows its
lighter gaps there.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real

import cv2
import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions

from ._components import component_stats
from ._validation import to_gray

__all__ = ["CharNormalizer", "ink_levels", "ink_mask", "normalize_char"]


def ink_mask(gray: np.ndarray, polarity: str = "auto") -> np.ndarray:
    """Binarise a gray character image with Otsu's threshold; ink pixels are 255.

    Parameters
    ----------
    gray : ndarray of shape (H, W), uint8
        The character image.
    polarity : {"auto", "dark", "light"}, default="auto"
        The colour of the ink. ``"auto"`` takes as background the binary class that covers
        most of the image border.

    Returns
    -------
    mask : ndarray of shape (H, W), uint8
        255 where the ink is, 0 elsewhere.
    """
    _, dark = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    if polarity == "dark":
        return dark
    if polarity == "light":
        return cv2.bitwise_not(dark)
    border = np.concatenate([dark[0], dark[-1], dark[:, 0], dark[:, -1]])
    return dark if np.count_nonzero(border) * 2 <= border.size else cv2.bitwise_not(dark)


def _ink_box(mask: np.ndarray, min_component_ratio: float) -> tuple[int, int, int, int] | None:
    """Bounding box of the components whose area is at least a ratio of the largest one."""
    n_labels, _, stats = component_stats(mask)
    if n_labels <= 1:
        return None
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = stats[1:][areas >= min_component_ratio * areas.max()]
    x1 = keep[:, cv2.CC_STAT_LEFT].min()
    y1 = keep[:, cv2.CC_STAT_TOP].min()
    x2 = (keep[:, cv2.CC_STAT_LEFT] + keep[:, cv2.CC_STAT_WIDTH]).max()
    y2 = (keep[:, cv2.CC_STAT_TOP] + keep[:, cv2.CC_STAT_HEIGHT]).max()
    return int(x1), int(y1), int(x2), int(y2)


def ink_levels(gray: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The grey levels of the ink, scaled so the ink reads 255 and the background 0.

    Parameters
    ----------
    gray : ndarray of shape (H, W), uint8
        The plain (unthresholded) image the ink was found in.
    mask : ndarray of shape (H, W)
        Non-zero on the ink.

    Returns
    -------
    levels : ndarray of shape (H, W), uint8
        0 off the ink; on the ink, the pixel's distance from the background's median level
        towards the ink's median level, clipped to [0, 255]. Where the ink and the
        background have the same median level, the mask itself.
    """
    ink = mask > 0
    levels = gray.astype(np.float32)
    if not ink.any():
        return np.zeros(gray.shape, np.uint8)
    ink_level = float(np.median(levels[ink]))
    background = levels[~ink]
    background_level = float(np.median(background)) if background.size else 255.0 - ink_level
    if abs(ink_level - background_level) < 1.0:
        scaled = np.ones(gray.shape, np.float32)
    else:
        scaled = np.clip((levels - background_level) / (ink_level - background_level), 0.0, 1.0)
    return np.round(255.0 * scaled * ink).astype(np.uint8)


def _split_pair(image: object, name: str, *, with_plain: bool) -> tuple[np.ndarray, np.ndarray]:
    """``(character, plain)`` gray images of a character image or an ``(H, W, 2)`` pair.

    Without ``with_plain`` a pair's second channel is not converted (nor read): ``plain``
    is then the character.
    """
    if isinstance(image, np.ndarray) and image.ndim == 3 and image.shape[2] == 2:
        character = to_gray(np.ascontiguousarray(image[:, :, 0]), name=f"{name}[..., 0]")
        if not with_plain:
            return character, character
        plain = to_gray(np.ascontiguousarray(image[:, :, 1]), name=f"{name}[..., 1]")
        return character, plain
    gray = to_gray(image, name=name)
    return gray, gray


def normalize_char(
    image: np.ndarray,
    *,
    size: int = 32,
    keep_aspect: bool = False,
    margin: int = 2,
    polarity: str = "auto",
    min_component_ratio: float = 0.1,
    gray_levels: bool = False,
    name: str = "image",
) -> np.ndarray:
    """Turn one character image into a ``(size, size)`` float32 ink map in [0, 1].

    Gray conversion, Otsu binarisation with the ink as foreground, crop to the ink (small
    specks below ``min_component_ratio`` of the largest component are ignored for the crop),
    optional aspect-preserving padding, and resize. An image without ink gives zeros.

    ``image`` may also be an ``(H, W, 2)`` pair: channel 0 the character (its ink is found
    as above), channel 1 the plain image it was cut from. With ``gray_levels=True`` the
    result is ``(size, size, 2)``: the ink map, then :func:`ink_levels` of the plain image
    (of the image itself when it is not a pair), cropped and resized alike.
    """
    gray, plain = _split_pair(image, name, with_plain=gray_levels)
    mask = ink_mask(gray, polarity)
    box = _ink_box(mask, min_component_ratio)
    inner = size - 2 * margin
    out = np.zeros((size, size, 2) if gray_levels else (size, size), dtype=np.float32)
    if box is None:
        return out
    x1, y1, x2, y2 = box
    ink = mask[y1:y2, x1:x2]
    if gray_levels:
        ink = np.dstack([ink, ink_levels(plain, mask)[y1:y2, x1:x2]])
    height, width = ink.shape[:2]
    if keep_aspect:
        scale = inner / max(height, width)
        new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
    else:
        new_w = new_h = inner
    interpolation = cv2.INTER_AREA if max(height, width) > inner else cv2.INTER_LINEAR
    resized = cv2.resize(ink, (new_w, new_h), interpolation=interpolation)
    top, left = (size - new_h) // 2, (size - new_w) // 2
    out[top : top + new_h, left : left + new_w] = resized.astype(np.float32) / 255.0
    return out


class CharNormalizer(TransformerMixin, BaseEstimator):
    """Normalise character images to ``(n, size, size, channels)`` float32 ink maps.

    Any image (uint8/uint16, gray, BGR or BGRA, any size) is converted to gray, binarised
    with Otsu's threshold so the ink is 1 and the background 0, cropped to the ink, padded
    to a square (``keep_aspect=True``) and resized. With ``gray_levels=True`` a second
    channel holds the ink's grey levels (:func:`ink_levels`): where a threshold closed the
    gaps of a character, they are still lighter there. An ``(H, W, 2)`` image is a pair:
    the character (channel 0; :class:`~skplate.segment.CharacterSegmenter` gives the
    segment's ink mask) and the plain image the levels are read from (channel 1).

    Parameters
    ----------
    size : int, default=32
        Side of the output square.
    keep_aspect : bool, default=False
        Pad to a square before resizing so narrow characters stay narrow. The default
        stretches the ink box to the square, as the reference pipeline did: the public
        Chars74K copies were already resized without keeping the aspect ratio, so only
        stretching makes training characters and plate characters look alike.
    margin : int, default=2
        Empty pixels kept around the ink in the output.
    polarity : {"auto", "dark", "light"}, default="auto"
        Ink colour; ``"auto"`` takes the border's majority class as background.
    min_component_ratio : float, default=0.1
        Ink components smaller than this fraction of the largest one do not widen the crop.
    gray_levels : bool, default=False
        Add the ink's grey levels as a second channel. The classifier must be trained on
        the same channels (``train_char_classifier(data, normalizer=CharNormalizer(
        gray_levels=True))``, ``skplate train --gray-levels``). Not the default: it read
        slightly more of the labelled plates but fewer held-out GoodImg characters and
        fewer blurred or recompressed plates (docs/benchmarks.md, "Thirteenth round").

    Attributes
    ----------
    output_shape_ : tuple of int
        ``(size, size, 2)`` with ``gray_levels``, ``(size, size, 1)`` without.

    Examples
    --------
    >>> import numpy as np, cv2
    >>> img = np.full((60, 40), 255, np.uint8)
    >>> _ = cv2.putText(img, "7", (5, 50), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 0, 4)
    >>> CharNormalizer().fit_transform([img]).shape
    (1, 32, 32, 1)
    """

    _parameter_constraints: dict = {
        "size": [Interval(Integral, 8, None, closed="left")],
        "keep_aspect": ["boolean"],
        "margin": [Interval(Integral, 0, None, closed="left")],
        "polarity": [StrOptions({"auto", "dark", "light"})],
        "min_component_ratio": [Interval(Real, 0, 1, closed="both")],
        "gray_levels": ["boolean"],
    }

    def __init__(
        self,
        size: int = 32,
        keep_aspect: bool = False,
        margin: int = 2,
        polarity: str = "auto",
        min_component_ratio: float = 0.1,
        gray_levels: bool = False,
    ) -> None:
        self.size = size
        self.keep_aspect = keep_aspect
        self.margin = margin
        self.polarity = polarity
        self.min_component_ratio = min_component_ratio
        self.gray_levels = gray_levels

    def __setstate__(self, state: dict) -> None:
        # Normalisers pickled by skplate 0.2.0 predate the grey-level channel.
        super().__setstate__({"gray_levels": False, **state})

    def fit(self, X: Sequence[np.ndarray] | np.ndarray, y: object = None) -> CharNormalizer:
        """Check the parameters; the normaliser learns nothing from data.

        Returns
        -------
        self : CharNormalizer
        """
        self._check_params()
        self.output_shape_ = (self.size, self.size, 2 if self.gray_levels else 1)
        return self

    def _check_params(self) -> None:
        self._validate_params()
        if 2 * self.margin >= self.size:
            raise ValueError(
                f"margin={self.margin} leaves no room for ink in size={self.size}; "
                "use margin < size / 2."
            )

    def transform(self, X: Sequence[np.ndarray] | np.ndarray) -> np.ndarray:
        """Normalise every image of ``X``.

        Parameters
        ----------
        X : sequence of ndarray
            Character images, each of any size; a 3-D uint array is read as a stack of gray
            images, and a 4-D one as a stack of colour images (or of pairs, when its last
            axis is 2).

        Returns
        -------
        chars : ndarray of shape (n_images, size, size, channels), float32
            ``channels`` is 2 with ``gray_levels`` (ink, grey levels), 1 without.
        """
        self._check_params()
        images = list(X)
        channels = 2 if self.gray_levels else 1
        out = np.empty((len(images), self.size, self.size, channels), dtype=np.float32)
        for index, image in enumerate(images):
            out[index] = np.reshape(
                normalize_char(
                    image,
                    size=self.size,
                    keep_aspect=self.keep_aspect,
                    margin=self.margin,
                    polarity=self.polarity,
                    min_component_ratio=self.min_component_ratio,
                    gray_levels=self.gray_levels,
                    name=f"X[{index}]",
                ),
                (self.size, self.size, channels),
            )
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.two_d_array = False
        return tags
