"""Character normalisation: any character image becomes a fixed-size ink map in [0, 1].

The same :class:`CharNormalizer` prepares the Chars74K training characters and the characters
cut out of plates, so the network sees identical inputs in training and inference.
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

__all__ = ["CharNormalizer", "ink_mask", "normalize_char"]


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


def normalize_char(
    image: np.ndarray,
    *,
    size: int = 32,
    keep_aspect: bool = False,
    margin: int = 2,
    polarity: str = "auto",
    min_component_ratio: float = 0.1,
    name: str = "image",
) -> np.ndarray:
    """Turn one character image into a ``(size, size)`` float32 ink map in [0, 1].

    Gray conversion, Otsu binarisation with the ink as foreground, crop to the ink (small
    specks below ``min_component_ratio`` of the largest component are ignored for the crop),
    optional aspect-preserving padding, and resize. An image without ink gives zeros.
    """
    gray = to_gray(image, name=name)
    mask = ink_mask(gray, polarity)
    box = _ink_box(mask, min_component_ratio)
    inner = size - 2 * margin
    out = np.zeros((size, size), dtype=np.float32)
    if box is None:
        return out
    x1, y1, x2, y2 = box
    ink = mask[y1:y2, x1:x2]
    height, width = ink.shape
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
    """Normalise character images to ``(n, size, size, 1)`` float32 ink maps.

    Any image (uint8/uint16, gray, BGR or BGRA, any size) is converted to gray, binarised
    with Otsu's threshold so the ink is 1 and the background 0, cropped to the ink, padded
    to a square (``keep_aspect=True``) and resized.

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
    }

    def __init__(
        self,
        size: int = 32,
        keep_aspect: bool = False,
        margin: int = 2,
        polarity: str = "auto",
        min_component_ratio: float = 0.1,
    ) -> None:
        self.size = size
        self.keep_aspect = keep_aspect
        self.margin = margin
        self.polarity = polarity
        self.min_component_ratio = min_component_ratio

    def fit(self, X: Sequence[np.ndarray] | np.ndarray, y: object = None) -> CharNormalizer:
        """Check the parameters; the normaliser learns nothing from data.

        Returns
        -------
        self : CharNormalizer
        """
        self._check_params()
        self.output_shape_ = (self.size, self.size, 1)
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
            images, and a 4-D one as a stack of colour images.

        Returns
        -------
        chars : ndarray of shape (n_images, size, size, 1), float32
        """
        self._check_params()
        images = list(X)
        out = np.empty((len(images), self.size, self.size, 1), dtype=np.float32)
        for index, image in enumerate(images):
            out[index, :, :, 0] = normalize_char(
                image,
                size=self.size,
                keep_aspect=self.keep_aspect,
                margin=self.margin,
                polarity=self.polarity,
                min_component_ratio=self.min_component_ratio,
                name=f"X[{index}]",
            )
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.two_d_array = False
        return tags
