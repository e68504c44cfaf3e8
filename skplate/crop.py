"""Cut the plate out of a photo as a fixed-size gray image, optionally deskewed and deslanted.

The pixel logic lives in pure functions (:func:`crop_plate`, :func:`estimate_skew`,
:func:`deskew`, :func:`estimate_slant`, :func:`deslant`); :class:`PlateCropper` only holds
their parameters.

Angles follow :func:`cv2.getRotationMatrix2D`: degrees, positive = counter-clockwise as the
image is displayed (y axis pointing down). :func:`estimate_skew` returns the angle by which the
text *is* rotated; deskewing rotates by the opposite angle.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real

import cv2
import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._components import component_stats
from ._validation import to_gray, to_uint8
from .deblur import deblur as deconvolve
from .deblur import estimate_blur
from .lighting import flatten_lighting
from .painted import paint_over_blocks
from .samples import check_samples, clip_box
from .segment import text_mask

__all__ = [
    "PlateCropper",
    "crop_plate",
    "deskew",
    "deslant",
    "estimate_skew",
    "estimate_slant",
    "eu_band_mask",
    "text_polarity",
]

# Height of the working copy the skew search runs on: plate text is then ~20-35 px tall,
# enough for 0.1 degree resolution, and one rotation costs a few microseconds.
_SKEW_WORK_HEIGHT = 48
#: Least share of a plate that light character-shaped components cover for
#: :func:`text_polarity` to call its text light.
MIN_LIGHT_TEXT_AREA = 0.07
#: Least height, as a share of the plate's, of a component :func:`text_polarity` counts
#: as a character (the loops of digits are shorter).
MIN_CHARACTER_HEIGHT = 0.3
# Coarse-to-fine search: (step, half-width of the window around the previous best).
_SKEW_REFINE = ((0.25, 1.0), (0.05, 0.25))
_SKEW_COARSE_STEP = 1.0
# The best angle must sharpen the row profile by this relative amount over 0 degrees,
# otherwise the plate is left as it is (flat or textless crops have no reliable skew).
_SKEW_MIN_GAIN = 0.01
# Slant search: shears (horizontal shift per row) on a grid of this step; the best one must
# sharpen the column profile by _SKEW_MIN_GAIN over the upright plate.
_SLANT_STEP = 0.02


def _check_margin(margin: object) -> tuple[float, float]:
    try:
        mx, my = (float(v) for v in margin)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise ValueError(
            f"margin must be two numbers (fraction of box width, height), got {margin!r}."
        ) from None
    if not (np.isfinite(mx) and np.isfinite(my) and mx > -0.5 and my > -0.5):
        raise ValueError(
            f"margin must be two finite fractions greater than -0.5 (a margin of -0.5 "
            f"removes the whole box), got {margin!r}."
        )
    return mx, my


def _check_output_size(output_size: object) -> tuple[int, int]:
    try:
        width, height = output_size  # type: ignore[misc]
    except (TypeError, ValueError):
        raise ValueError(
            f"output_size must be two positive integers (width, height), got {output_size!r}."
        ) from None
    if not all(
        isinstance(v, Integral) and not isinstance(v, bool) and v >= 1 for v in (width, height)
    ):
        raise ValueError(
            f"output_size must be two positive integers (width, height), got {output_size!r}."
        )
    return int(width), int(height)


def _expanded_box(
    box: Sequence[float], margin: tuple[float, float]
) -> tuple[float, float, float, float]:
    x1, y1, x2, y2 = (float(v) for v in box)
    dx, dy = margin[0] * (x2 - x1), margin[1] * (y2 - y1)
    return x1 - dx, y1 - dy, x2 + dx, y2 + dy


def _crop_window(
    shape: tuple[int, ...], box: tuple[int, ...], margin: tuple[float, float]
) -> tuple[int, int, int, int]:
    """The pixels :func:`crop_plate` cuts from an image of ``shape``: the box (already
    clipped to the image, :func:`~skplate.samples.clip_box`) grown by ``margin`` and
    clipped again, ``(x1, y1, x2, y2)``."""
    x1, y1, x2, y2 = _expanded_box(box, margin)
    height, width = shape[:2]
    cx1, cy1 = max(0, round(x1)), max(0, round(y1))
    cx2, cy2 = min(width, max(cx1 + 1, round(x2))), min(height, max(cy1 + 1, round(y2)))
    return cx1, cy1, cx2, cy2


def _resize(gray: np.ndarray, output_size: tuple[int, int]) -> np.ndarray:
    """Resize to ``(width, height)``: INTER_AREA when shrinking, INTER_CUBIC when enlarging."""
    height, width = gray.shape
    if (width, height) == output_size:
        return gray
    shrink = output_size[0] * output_size[1] < width * height
    return cv2.resize(
        gray, output_size, interpolation=cv2.INTER_AREA if shrink else cv2.INTER_CUBIC
    )


# A pixel is blue when its blue channel exceeds both others by this many levels: the EU
# band's blue, even dim or washed out, but not gray, white, black, yellow or red.
_BLUE_MARGIN = 25
# A band of any hue (``hue="any"``) starts within this fraction of the crop's width from its
# left edge and ends within this one: the band of a tight crop, not a coloured first character.
_ANY_HUE_LEFT = 0.03
_ANY_HUE_WIDTH = 0.12

_EU_BAND_HUES = ("any", "blue")


def _left_band(
    coloured: np.ndarray, min_height: float, max_width: float, max_left: float = 1.0
) -> np.ndarray:
    """Convex hulls of the ``coloured`` components that make a band at the crop's left end.

    A component counts when it is at least ``min_height`` of the crop tall, starts within
    ``max_left`` and ends within ``max_width`` of the crop's width from the left. Nothing
    counts when the middle of the crop is coloured too (coloured lettering, a coloured
    plate).
    """
    height, width = coloured.shape
    mask = np.zeros((height, width), dtype=np.uint8)
    middle = coloured[:, width // 4 : width - width // 4]
    if middle.size == 0 or middle.mean() >= 0.05:
        return mask.astype(bool)
    _, labels, stats = component_stats(coloured.astype(np.uint8))
    left = stats[1:, cv2.CC_STAT_LEFT]
    right_edge = left + stats[1:, cv2.CC_STAT_WIDTH]
    bands = 1 + np.flatnonzero(
        (stats[1:, cv2.CC_STAT_HEIGHT] >= min_height * height)
        & (right_edge <= max_width * width)
        & (left <= max_left * width)
    )
    for label in bands:
        points = cv2.findNonZero((labels == label).astype(np.uint8))
        cv2.fillConvexPoly(mask, cv2.convexHull(points), 1)
    return mask.astype(bool)


def eu_band_mask(
    bgr: np.ndarray, *, min_height: float = 0.4, max_width: float = 0.2, hue: str = "any"
) -> np.ndarray:
    """Mask of the EU country band at the left end of a colour plate crop.

    The band is a connected blue region at least ``min_height`` of the crop tall, lying
    within the leftmost ``max_width`` of the crop; its convex hull (which takes in the
    country letters and the stars printed on it) is the mask. A plate whose middle is
    blue too (blue lettering, a blue plate) has no band: the mask is empty then.

    Cameras do not always keep the band blue: white balance and colour casts turn it red,
    magenta or violet (about half of UC3M-LP's crops that show it), and an RGB image passed
    as BGR swaps its blue for red. With ``hue="any"`` a strongly coloured strip of any
    hue counts as well when it lies against the crop's left edge (starting within 3 % of
    its width and ending within 12 %), where a tight crop has its band; a coloured first
    character further in is left alone.

    Parameters
    ----------
    bgr : ndarray of shape (H, W, 3), uint8
        The colour crop of the plate.
    min_height : float, default=0.4
        Least height of the band, as a fraction of the crop's height.
    max_width : float, default=0.2
        The blue band lies within this fraction of the crop's width from the left.
    hue : {"any", "blue"}, default="any"
        ``"blue"``: the blue band only (skplate 0.2's test); ``"any"``: also a strip of
        any strong colour against the left edge.

    Returns
    -------
    mask : ndarray of shape (H, W), bool
        True on the band.
    """
    if hue not in _EU_BAND_HUES:
        raise ValueError(f"hue must be one of {_EU_BAND_HUES}, got {hue!r}.")
    pixels = bgr.astype(np.int16)
    blue = pixels[..., 0] - np.maximum(pixels[..., 1], pixels[..., 2]) >= _BLUE_MARGIN
    mask = _left_band(blue, min_height, max_width)
    if hue == "any":
        chroma = pixels.max(axis=2) - pixels.min(axis=2) >= _BLUE_MARGIN
        mask |= _left_band(chroma, min_height, _ANY_HUE_WIDTH, _ANY_HUE_LEFT)
    return mask


def _paint_eu_band(gray: np.ndarray, colour: np.ndarray, hue: str = "any") -> np.ndarray:
    """Paint the EU band of a plate crop (:func:`eu_band_mask`) with the plate's light level."""
    band = eu_band_mask(colour, hue=hue)
    if not band.any():
        return gray
    painted = gray.copy()
    # Dilated by a pixel: the band's blurred rim is neither blue nor plate.
    band = cv2.dilate(band.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    rest = gray[~band]
    painted[band] = np.percentile(rest, 90) if rest.size else 255
    return painted


def crop_plate(
    image: np.ndarray,
    box: Sequence[float],
    margin: Sequence[float] = (0.02, 0.05),
    output_size: Sequence[int] = (240, 80),
    *,
    remove_eu_band: bool = True,
    eu_band_hue: str = "any",
    remove_painted_blocks: bool = False,
    pad_clipped: float | None = None,
    deblur: float | None = None,
    name: str = "image",
) -> np.ndarray:
    """Cut the plate box (plus a margin) out of ``image`` as a gray image of ``output_size``.

    Parameters
    ----------
    image : ndarray
        uint8/uint16 gray, BGR or BGRA photo.
    box : sequence of 4 float
        Plate box ``(x1, y1, x2, y2)`` in pixels, ``x2``/``y2`` exclusive.
    margin : (float, float), default=(0.02, 0.05)
        Fraction of the box width, height added on each side (negative values shrink it).
        The expanded box is clipped to the image.
    output_size : (int, int), default=(240, 80)
        ``(width, height)`` of the returned plate.
    remove_eu_band : bool, default=True
        Paint the EU country band of a colour photo (with its letters and stars,
        :func:`eu_band_mask`) in the plate's light level, so that it is not read as
        characters. Gray photos are left as they are.
    eu_band_hue : {"any", "blue"}, default="any"
        The band's colour (``hue`` of :func:`eu_band_mask`): ``"any"`` finds it blue or,
        against the crop's left edge, of any strong colour; ``"blue"`` blue only.
    remove_painted_blocks : bool, default=False
        Paint the flat, character-sized blocks that hide characters of anonymised plates
        (:func:`~skplate.painted.painted_block_mask`) in the plate's background beside
        them, so that they are skipped instead of read or joined to their neighbours.
    pad_clipped : float or None, default=None
        A side whose margin the image's edge cuts off (a tight crop: the box reaches the
        edge) is padded, its edge pixels repeated, out to this fraction of the box's
        width (left, right) or height (top, bottom) beyond the edge, or to the margin if
        that is larger: the plate then has room around it, as a loosely boxed plate
        has. None pads nothing.
    name : str, default="image"
        How the image is named in error messages.

    Returns
    -------
    plate : ndarray of shape (output_size[1], output_size[0]), dtype uint8
        The gray plate, enlarged with ``INTER_CUBIC`` or shrunk with ``INTER_AREA``.

    Raises
    ------
    ValueError
        If the box is malformed or lies outside the image, or a parameter is malformed.
    """
    margin = _check_margin(margin)
    output_size = _check_output_size(output_size)
    if eu_band_hue not in _EU_BAND_HUES:
        raise ValueError(f"eu_band_hue must be one of {_EU_BAND_HUES}, got {eu_band_hue!r}.")
    gray, box, window = _gray_crop(
        image, box, margin, remove_eu_band, eu_band_hue, remove_painted_blocks, name
    )
    if deblur is not None:
        blur = estimate_blur(gray)
        if blur > deblur:
            gray = deconvolve(gray, blur)
    if pad_clipped is not None:
        gray = _pad_clipped(gray, box, margin, window, pad_clipped)
    return np.ascontiguousarray(_resize(gray, output_size))


def _gray_crop(
    image: np.ndarray,
    box: Sequence[float],
    margin: tuple[float, float],
    remove_eu_band: bool,
    eu_band_hue: str,
    remove_painted_blocks: bool,
    name: str,
) -> tuple[np.ndarray, tuple[int, ...], tuple[int, int, int, int]]:
    """The gray pixels :func:`crop_plate` cuts (band and blocks painted), at the photo's
    scale, with the clipped box and the window they were cut from."""
    image = to_uint8(image, name=name)
    box = clip_box(box, image.shape, name=name)
    window = _crop_window(image.shape, box, margin)
    cx1, cy1, cx2, cy2 = window
    crop = image[cy1:cy2, cx1:cx2]
    if crop.ndim == 2:
        gray = crop
    else:
        gray = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
        if remove_eu_band:
            gray = _paint_eu_band(gray, crop, eu_band_hue)
    if remove_painted_blocks:
        gray = paint_over_blocks(gray)
    return gray, box, window


def _pad_clipped(
    gray: np.ndarray,
    box: tuple[int, ...],
    margin: tuple[float, float],
    window: tuple[int, int, int, int],
    pad: float,
) -> np.ndarray:
    """``gray`` (the ``window`` cut around the clipped ``box``) padded, edge pixels
    repeated, on each side where the image's edge cut the margin off: out to ``pad`` of
    the box's width or height, or to the margin if larger (see :func:`crop_plate`)."""
    x1, y1, x2, y2 = box
    width, height = x2 - x1, y2 - y1
    dx, dy = max(pad, margin[0]) * width, max(pad, margin[1]) * height
    cx1, cy1, cx2, cy2 = window
    clipped = (
        x1 - margin[0] * width < cx1 - 0.5,
        y1 - margin[1] * height < cy1 - 0.5,
        x2 + margin[0] * width > cx2 + 0.5,
        y2 + margin[1] * height > cy2 + 0.5,
    )
    left, top, right, bottom = (
        max(0, round(reach - inside)) if cut else 0
        for cut, reach, inside in zip(
            clipped, (dx, dy, dx, dy), (x1 - cx1, y1 - cy1, cx2 - x2, cy2 - y2), strict=True
        )
    )
    if not (left or top or right or bottom):
        return gray
    return cv2.copyMakeBorder(gray, top, bottom, left, right, cv2.BORDER_REPLICATE)


def _text_like(
    mask: np.ndarray, min_height: float = 0.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(labels, stats, keep)`` of the components of a 0/1 mask that can be text: not
    touching its border, at least ``min_height`` and under 0.9 of its height tall, under
    half its width wide (``keep[0]``, the background, is False)."""
    _, labels, stats = component_stats(mask)
    height, width = mask.shape
    left, top = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    comp_w, comp_h = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    keep = (
        (left > 0)
        & (top > 0)
        & (left + comp_w < width)
        & (top + comp_h < height)
        & (comp_h >= min_height * height)
        & (comp_h < 0.9 * height)
        & (comp_w < 0.5 * width)
    )
    keep[0] = False
    return labels, stats, keep


def _text_components(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """Keep the components of a 0/1 mask that can be text; return the mask and its size.

    Dropped: components touching the border (the photo around the plate, edge strips) and
    components spanning most of the height or width (the plate body, a frame). Without
    this, dark surroundings cut by the axis-aligned crop would form horizontal edges along
    the crop frame and pull the estimate towards 0 degrees.
    """
    labels, stats, keep = _text_like(mask)
    return keep.astype(np.uint8)[labels], int(stats[keep, cv2.CC_STAT_AREA].sum())


def _cut_runs(mask: np.ndarray, run: float | None) -> np.ndarray:
    """``mask`` without its horizontal runs longer than ``run`` of its width (None: as is)."""
    if run is None:
        return mask
    length = max(3, int(run * mask.shape[1]))
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1))
    return cv2.subtract(mask, cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel))


def _working_dark(gray: np.ndarray) -> np.ndarray:
    """The plate shrunk (or enlarged) to a height of 48 px and split by Otsu: 1 on the
    dark class, 0 on the light one."""
    height, width = gray.shape
    scale = _SKEW_WORK_HEIGHT / height
    work_size = (max(8, round(width * scale)), _SKEW_WORK_HEIGHT)
    small = cv2.resize(
        gray, work_size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    )
    _, dark = cv2.threshold(small, 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return dark


def _ink_mask(dark: np.ndarray, run: float | None = None) -> np.ndarray:
    """0/1 mask of the plate's text, whatever its polarity, from its working-size split.

    ``dark`` is the plate shrunk to a height of 48 px and split by Otsu
    (:func:`_working_dark`); with ``run``, the horizontal runs of each class longer than
    that fraction of the width are cut out (:func:`_cut_runs`); each class is reduced to
    its text-like components (:func:`_text_components`) and the class with more text-like
    area is the ink (dark text on a light plate, or light text on a dark plate).
    """
    dark_text, dark_area = _text_components(_cut_runs(dark, run))
    light_text, light_area = _text_components(_cut_runs(1 - dark, run))
    return light_text if light_area > dark_area else dark_text


def _character_area(mask: np.ndarray) -> float:
    """Share of ``mask`` covered by components shaped like characters: text-like
    (:func:`_text_like`) and at least :data:`MIN_CHARACTER_HEIGHT` of its height tall."""
    _, stats, keep = _text_like(mask, MIN_CHARACTER_HEIGHT)
    return float(stats[keep, cv2.CC_STAT_AREA].sum()) / mask.size


def text_polarity(gray: np.ndarray) -> str:
    """Whether a plate's characters are darker or lighter than the plate.

    The plate is split by Otsu (at a height of 48 px) and, in each class, the
    components shaped like characters are kept (inside the crop, at least
    :data:`MIN_CHARACTER_HEIGHT` of its height tall, under half its width wide). The
    text is light when the light class has more such area than the dark class and
    covers at least :data:`MIN_LIGHT_TEXT_AREA` of the plate; otherwise it is dark. On
    a tight crop of a light plate the dark characters touch the crop's edges and drop
    out, while the plate seen through their loops and between them makes a little
    light "text"; the two limits leave it dark. On UC3M-LP's 412 held-out crops (fold 0)
    the rule calls one plate light, a grey plate with light characters (type D), against
    51 when the class with more text-like area wins.

    Parameters
    ----------
    gray : ndarray of shape (H, W), dtype uint8
        The plate; a colour image is converted.

    Returns
    -------
    polarity : {"dark", "light"}
        ``"light"`` for light characters on a dark plate.

    Examples
    --------
    >>> import numpy as np
    >>> from skplate.crop import text_polarity
    >>> plate = np.full((40, 120), 40, np.uint8)  # a dark plate
    >>> for x in range(15, 110, 16):  # seven light strokes
    ...     plate[10:30, x : x + 6] = 220
    >>> text_polarity(plate), text_polarity(255 - plate)
    ('light', 'dark')
    """
    dark = _working_dark(to_gray(gray, name="gray"))
    dark_area, light_area = _character_area(dark), _character_area(1 - dark)
    return "light" if light_area > max(dark_area, MIN_LIGHT_TEXT_AREA) else "dark"


def _splat_sharpness(positions: np.ndarray, n_bins: int) -> np.ndarray:
    """Sum of squared bin counts of each row of ``positions`` (pixels splatted linearly).

    ``positions`` has one row per candidate (angle, shear) and one column per ink pixel,
    in ``[0, n_bins - 1)``; each pixel is split between its two nearest 1-pixel bins. The
    total ink is the same for every candidate, so the score ranks them as the variance of
    their profiles would: the sharper the profile, the higher.
    """
    low = np.floor(positions)
    frac = positions - low
    index = low.astype(np.intp) + np.arange(len(positions))[:, None] * n_bins
    size = len(positions) * n_bins
    profile = np.bincount(index.ravel(), (1.0 - frac).ravel(), minlength=size + 1) + np.bincount(
        (index + 1).ravel(), frac.ravel(), minlength=size + 1
    )
    profile = profile[:size].reshape(len(positions), n_bins)
    return np.einsum("ij,ij->i", profile, profile)


def _profile_sharpness(ys: np.ndarray, xs: np.ndarray, angles: np.ndarray) -> np.ndarray:
    """Sharpness of the row profile of the ink pixels ``(ys, xs)`` rotated by ``-angle``.

    A discrete Radon transform: each ink pixel is projected onto the vertical axis of the
    plate rotated back by each angle (:func:`_splat_sharpness`). Vectorised over pixels
    and angles.
    """
    theta = np.deg2rad(np.asarray(angles, dtype=np.float64))[:, None]
    # Rotating the content by -angle (clockwise on screen for a positive angle) maps a pixel
    # at (x, y) (y down, centred) to the row  y*cos(angle) + x*sin(angle).
    rows = ys * np.cos(theta) + xs * np.sin(theta)
    n_bins = int(np.ceil(2 * np.sqrt(np.max(xs**2 + ys**2)))) + 3
    return _splat_sharpness(rows + n_bins / 2.0, n_bins)


def estimate_skew(
    gray: np.ndarray, max_angle: float = 15.0, *, cut_runs: Sequence[float] = ()
) -> float:
    """Estimate the rotation of the text lines of a gray plate, in degrees.

    A Radon-style search: the plate is shrunk to a working height of 48 px and binarised
    with Otsu, and the text-like components of the ink are kept (see :func:`_ink_mask`);
    for each candidate angle the ink pixels are projected onto the rows of the plate
    rotated back by that angle, and the sharpness of the row profile (sum of squared row
    counts, which ranks angles as its variance does) is measured: a text line gives the
    sharpest profile when it is horizontal.
    The grid is coarse to fine: 1 degree over ``[-max_angle, max_angle]``, then 0.25 and
    0.05 degrees around the best angle.

    Parameters
    ----------
    gray : ndarray of shape (H, W), dtype uint8
        The plate image (any size), e.g. the output of :func:`crop_plate`. The angle is
        measured in its pixel grid: after an anisotropic resize it differs from the angle
        in the photo.
    max_angle : float, default=15.0
        Largest skew searched, in degrees.
    cut_runs : sequence of float, default=()
        Also measure the angle once for each of these lengths, on the ink with its
        horizontal runs longer than that fraction of the plate's width cut out, and
        return the median of all the measures (the ink as it is, then each cut). On a
        tight crop the frame's edge (or the edge of a painted block) joins the
        characters into one component wider than text, which the search drops, leaving
        little but noise to measure; cutting the runs frees the characters. A single
        cut length is fragile (the characters' own bars go with it), the median of a
        few measures is not. Empty: one measure, on the ink as it is.

    Returns
    -------
    angle : float
        Skew of the text in degrees, counter-clockwise positive (the convention of
        :func:`cv2.getRotationMatrix2D`); ``0.0`` when no angle sharpens the profile
        by at least 1% over the unrotated plate (blank or textless crops).
    """
    gray = to_gray(gray, name="gray")
    if not (isinstance(max_angle, Real) and 0 <= max_angle <= 45):
        raise ValueError(f"max_angle must be a number of degrees in [0, 45], got {max_angle!r}.")
    if max_angle == 0 or min(gray.shape) < 2:
        return 0.0
    runs = (None, *_check_cut_runs(cut_runs, "cut_runs"))
    dark = _working_dark(gray)
    return float(np.median([_skew_of(_ink_mask(dark, run), max_angle) for run in runs]))


def _check_cut_runs(cut_runs: object, name: str) -> tuple[float, ...]:
    runs = tuple(cut_runs) if isinstance(cut_runs, (tuple, list, np.ndarray)) else None
    if runs is None or not all(isinstance(r, Real) and 0 < r < 1 for r in runs):
        raise ValueError(
            f"{name} must be a sequence of fractions of the plate width in (0, 1), "
            f"got {cut_runs!r}."
        )
    return tuple(float(r) for r in runs)


def _skew_of(mask: np.ndarray, max_angle: float) -> float:
    """The Radon search of :func:`estimate_skew` on one working-size ink mask."""
    ys, xs = np.nonzero(mask)
    if len(ys) == 0:
        return 0.0
    ys = ys - (mask.shape[0] - 1) / 2.0
    xs = xs - (mask.shape[1] - 1) / 2.0
    n_coarse = int(np.floor(max_angle / _SKEW_COARSE_STEP))
    angles = np.unique(
        np.concatenate(
            [np.arange(-n_coarse, n_coarse + 1) * _SKEW_COARSE_STEP, [-max_angle, max_angle]]
        )
    )
    scores = _profile_sharpness(ys, xs, angles)
    zero_score = scores[np.flatnonzero(angles == 0)[0]]
    best, best_score = float(angles[np.argmax(scores)]), float(scores.max())
    for step, half_width in _SKEW_REFINE:
        n = round(half_width / step)
        angles = np.clip(best + np.arange(-n, n + 1) * step, -max_angle, max_angle)
        scores = _profile_sharpness(ys, xs, angles)
        if scores.max() > best_score:
            best, best_score = float(angles[np.argmax(scores)]), float(scores.max())
    if best_score <= zero_score * (1.0 + _SKEW_MIN_GAIN):
        return 0.0
    return round(best, 2)


def deskew(
    gray: np.ndarray,
    max_angle: float = 15.0,
    *,
    mode: str = "rotate",
    cut_runs: Sequence[float] = (),
) -> np.ndarray:
    """Make the text of a gray plate horizontal, keeping its size.

    Parameters
    ----------
    gray : ndarray of shape (H, W), dtype uint8
        The plate image.
    max_angle : float, default=15.0
        Largest skew searched, in degrees (see :func:`estimate_skew`).
    mode : {"rotate", "shear"}, default="rotate"
        ``"rotate"`` undoes the skew by a rotation about the image centre (right for a
        camera roll). ``"shear"`` shifts each column vertically instead, which makes the
        text line horizontal while keeping vertical strokes vertical (right for the
        perspective of a plate seen from the side, where a rotation would make the
        characters lean).
    cut_runs : sequence of float, default=()
        See :func:`estimate_skew`.

    Returns
    -------
    plate : ndarray of shape (H, W), dtype uint8
        The deskewed plate (the input itself when no skew was found); pixels coming from
        outside the image replicate its border.
    """
    if mode not in ("rotate", "shear"):
        raise ValueError(f"mode must be 'rotate' or 'shear', got {mode!r}.")
    gray = to_gray(gray, name="gray")
    angle = estimate_skew(gray, max_angle, cut_runs=cut_runs)
    if angle == 0.0:
        return gray
    height, width = gray.shape
    centre = ((width - 1) / 2.0, (height - 1) / 2.0)
    if mode == "rotate":
        matrix = cv2.getRotationMatrix2D(centre, -angle, 1.0)
    else:
        slope = np.tan(np.deg2rad(angle))  # the text line rises by `slope` per column
        matrix = np.array([[1.0, 0.0, 0.0], [slope, 1.0, -slope * centre[0]]])
    return cv2.warpAffine(
        gray, matrix, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
    )


def _check_max_slant(max_slant: object) -> float:
    if not (isinstance(max_slant, Real) and 0 <= max_slant <= 1):
        raise ValueError(
            f"max_slant must be a shear in [0, 1] (horizontal pixels per row), got {max_slant!r}."
        )
    return float(max_slant)


def estimate_slant(gray: np.ndarray, max_slant: float = 0.4) -> float:
    """Estimate how far the characters of a (deskewed) gray plate lean, as a shear.

    Italic lettering, and a plate seen from the side and below once its text line is
    made horizontal, have strokes that lean: the top of a character sits ``slant`` pixels
    to the right per pixel of height. The ink of the text line (:func:`~skplate.segment.text_mask`:
    the frame, bumper and lines above and below it removed) is projected onto the columns
    of the plate sheared back by each candidate slant; upright strokes give the sharpest
    column profile. The grid has a step of 0.02. Upright plate lettering is found upright:
    most characters have vertical stems; a line made mostly of long parallel diagonals
    (``7777`` in a font whose ``7`` is a thin slanted bar) can look italic.

    Parameters
    ----------
    gray : ndarray of shape (H, W), dtype uint8
        The plate, text horizontal (e.g. the output of :func:`deskew`).
    max_slant : float, default=0.4
        Largest slant searched, either way (0.4: about 22 degrees).

    Returns
    -------
    slant : float
        Horizontal shift of the strokes per row, positive when the characters lean right
        (italic), negative when they lean left; ``0.0`` when no slant sharpens the column
        profile by at least 1% over the upright plate (upright, blank or textless crops).
    """
    gray = to_gray(gray, name="gray")
    max_slant = _check_max_slant(max_slant)
    n_steps = round(max_slant / _SLANT_STEP)
    if n_steps == 0 or min(gray.shape) < 2:
        return 0.0
    ys, xs = np.nonzero(text_mask(gray))
    if len(ys) == 0:
        return 0.0
    height, width = gray.shape
    ys = ys - (height - 1) / 2.0
    xs = xs - (width - 1) / 2.0
    slants = np.arange(-n_steps, n_steps + 1) * _SLANT_STEP
    # Shearing back by `slant` moves a pixel at (x, y) (y down, centred) to x + slant * y.
    n_bins = width + 2 * int(np.ceil(max_slant * height)) + 4
    scores = _splat_sharpness(xs + slants[:, None] * ys + n_bins / 2.0, n_bins)
    best = int(np.argmax(scores))
    if scores[best] <= scores[n_steps] * (1.0 + _SKEW_MIN_GAIN):
        return 0.0
    return round(float(slants[best]), 4)


def deslant(gray: np.ndarray, max_slant: float = 0.4) -> np.ndarray:
    """Make the strokes of a (deskewed) gray plate upright, keeping its size.

    Each row is shifted horizontally about the plate's middle row by the slant
    :func:`estimate_slant` finds, so leaning characters stand up and the text line stays
    where it is.

    Parameters
    ----------
    gray : ndarray of shape (H, W), dtype uint8
        The plate image, text horizontal.
    max_slant : float, default=0.4
        Largest slant searched (see :func:`estimate_slant`).

    Returns
    -------
    plate : ndarray of shape (H, W), dtype uint8
        The upright plate (the input itself when no slant was found); pixels coming from
        outside the image replicate its border.
    """
    gray = to_gray(gray, name="gray")
    slant = estimate_slant(gray, max_slant)
    if slant == 0.0:
        return gray
    height, width = gray.shape
    matrix = np.array([[1.0, slant, -slant * (height - 1) / 2.0], [0.0, 1.0, 0.0]])
    return cv2.warpAffine(
        gray, matrix, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
    )


class PlateCropper(TransformerMixin, BaseEstimator):
    """Cut each sample's plate box out of its photo as a fixed-size, deskewed, upright gray plate.

    Parameters
    ----------
    margin : (float, float), default=(0.02, 0.05)
        Fraction of the box width, height added on each side before cropping; negative
        values shrink the box. The expanded box is clipped to the photo.
    output_size : (int, int), default=(240, 80)
        ``(width, height)`` of the output plates.
    deskew : bool, default=True
        Rotate each resized plate so its text is horizontal (:func:`deskew`).
    max_skew : float, default=15.0
        Largest skew searched, in degrees (0 to 45).
    max_slant : float, default=0.4
        Largest slant of the characters undone after the deskew (:func:`deslant`), as a
        shear: horizontal pixels per pixel of height (0.4 is about 22 degrees). Italic
        lettering and plates seen from the side lean; 0 leaves the characters as they are.
    remove_eu_band : bool, default=True
        Paint the EU country band at the left end of colour plates in the plate's light
        level before anything else sees it (:func:`eu_band_mask`).
    eu_band_hue : {"any", "blue"}, default="any"
        The band's colour: ``"any"`` finds it blue or, against the crop's left edge, of
        any strong colour (colour casts turn it red, magenta or violet: on UC3M-LP's
        held-out crops 7-12 more of 403 one-row plates read, the 117 as many);
        ``"blue"`` finds a blue band only, as models saved before this parameter did.
    skew_cut_runs : sequence of float, default=(0.03, 0.06, 0.1)
        Also measure the skew on the ink with its horizontal runs longer than each of
        these fractions of the plate width cut out, and take the median of the angles
        measured with and without the cuts (:func:`estimate_skew`). On tight crops (a
        detector's or a dataset's plate box) the frame's edge joins the characters into
        one component, which the search drops; the cuts free them: on UC3M-LP's held-out
        one-row plates 14-17 more of 403 read, the 117 loosely boxed plates as many (one
        network two fewer, one one more; docs/benchmarks.md). Empty: measure on the ink
        as it is, as models saved before this default did.
    remove_painted_blocks : bool, default=False
        Paint the flat grey blocks that anonymised plates (UC3M-LP's) hide characters
        under in the plate's background (:func:`~skplate.painted.paint_over_blocks`), so
        that the reading skips them: a painted character is no character.
    flatten_lighting : float, default=0.0
        Divide each output plate by its background light
        (:func:`~skplate.lighting.flatten_lighting`, a grey closing by a square this
        fraction of the output height wide), so that a plate lit unevenly (headlights,
        street lamps, a bright spot) has an even background before the filter bank
        thresholds it; 0 leaves the light as it is.
    flatten_smoothing : float, default=0.0
        Blur the plate with a Gaussian of this many pixels (of the output plate) before
        flattening it (``smoothing`` of :func:`~skplate.lighting.flatten_lighting`), so
        that a dark plate's noise does not come out as grain; 0 flattens it as it is.
        The recognizer's flattened extra crop uses 1.0
        (``PlateRecognizer(extra_flatten_smoothing=1.0)``).
    flatten_text : {"auto", "dark"}, default="auto"
        The characters' polarity the flattening assumes (``text`` of
        :func:`~skplate.lighting.flatten_lighting`): ``"auto"`` tells each plate's from
        its text-like components (:func:`text_polarity`), so that light characters on a
        dark plate are flattened as such instead of being taken for the background
        light; ``"dark"`` flattens every plate as dark text on a light plate, as models
        saved before this parameter did.
    pad_clipped : float or None, default=None
        Pad a side whose margin the photo's edge cuts off (a tight crop, the box at the
        photo's edge), its edge pixels repeated, out to this fraction of the box's width
        or height, or to the margin if larger (see :func:`crop_plate`). None pads
        nothing. :class:`~skplate.recognizer.PlateRecognizer` pads its margin crop
        (``extra_pad_clipped``) and not its first crop.
    deblur : float or None, default=None
        Deconvolve a crop by its own estimated blur (:func:`~skplate.deblur.estimate_blur`,
        :func:`~skplate.deblur.deblur`), at the photo's scale before it is resized, when
        that blur exceeds this many pixels (:meth:`blurs` gives it); None leaves every
        crop as it is. :class:`~skplate.recognizer.PlateRecognizer` reads such a crop as
        an extra one (``extra_deblur``): deblurring every first crop reads fewer plates,
        since it sharpens the noise of crops that were not blurred.

    Attributes
    ----------
    output_shape_ : tuple of int
        ``(height, width)`` of each transformed plate.

    See Also
    --------
    crop_plate, eu_band_mask, estimate_skew, deskew, estimate_slant, deslant : the pure
        functions this estimator wraps.

    Examples
    --------
    >>> import numpy as np
    >>> from skplate.crop import PlateCropper
    >>> photo = np.full((120, 200, 3), 255, np.uint8)
    >>> PlateCropper().fit_transform([(photo, (50, 40, 150, 70))]).shape
    (1, 80, 240)
    """

    _parameter_constraints: dict = {
        "margin": [tuple, list, np.ndarray],
        "output_size": [tuple, list, np.ndarray],
        "deskew": ["boolean"],
        "max_skew": [Interval(Real, 0, 45, closed="both")],
        "max_slant": [Interval(Real, 0, 1, closed="both")],
        "remove_eu_band": ["boolean"],
        "eu_band_hue": [StrOptions(set(_EU_BAND_HUES))],
        "skew_cut_runs": [tuple, list],
        "remove_painted_blocks": ["boolean"],
        "flatten_lighting": [Interval(Real, 0, 1, closed="both")],
        "flatten_smoothing": [Interval(Real, 0, None, closed="left")],
        "flatten_text": [StrOptions({"auto", "dark"})],
        "pad_clipped": [Interval(Real, 0, 1, closed="both"), None],
        "deblur": [Interval(Real, 0, None, closed="left"), None],
    }

    def __init__(
        self,
        margin: tuple[float, float] = (0.02, 0.05),
        output_size: tuple[int, int] = (240, 80),
        deskew: bool = True,
        max_skew: float = 15.0,
        max_slant: float = 0.4,
        remove_eu_band: bool = True,
        eu_band_hue: str = "any",
        skew_cut_runs: Sequence[float] = (0.03, 0.06, 0.1),
        remove_painted_blocks: bool = False,
        flatten_lighting: float = 0.0,
        flatten_smoothing: float = 0.0,
        flatten_text: str = "auto",
        pad_clipped: float | None = None,
        deblur: float | None = None,
    ) -> None:
        self.margin = margin
        self.output_size = output_size
        self.deskew = deskew
        self.max_skew = max_skew
        self.max_slant = max_slant
        self.remove_eu_band = remove_eu_band
        self.eu_band_hue = eu_band_hue
        self.skew_cut_runs = skew_cut_runs
        self.remove_painted_blocks = remove_painted_blocks
        self.flatten_lighting = flatten_lighting
        self.flatten_smoothing = flatten_smoothing
        self.flatten_text = flatten_text
        self.pad_clipped = pad_clipped
        self.deblur = deblur

    def __setstate__(self, state: dict) -> None:
        # Croppers pickled by skplate 0.2.0 predate the deslant: keep their plates as they
        # were, so old models read as they did; those saved before skew_cut_runs measured
        # the skew on the ink as it is; the lighting was left as it is before
        # flatten_lighting, and every plate was flattened as dark text before flatten_text;
        # the band was found blue only before eu_band_hue.
        old = {"max_slant": 0.0, "skew_cut_runs": (), "remove_painted_blocks": False}
        old = {**old, "flatten_lighting": 0.0, "flatten_smoothing": 0.0, "eu_band_hue": "blue"}
        old = {**old, "flatten_text": "dark", "pad_clipped": None, "deblur": None}
        super().__setstate__({**old, **state})

    def _check_params(self) -> tuple[tuple[float, float], tuple[int, int], tuple[float, ...]]:
        self._validate_params()
        return (
            _check_margin(self.margin),
            _check_output_size(self.output_size),
            _check_cut_runs(self.skew_cut_runs, "skew_cut_runs"),
        )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Sequence, y: object = None) -> PlateCropper:
        """Check the parameters and the samples; the cropper learns nothing.

        Parameters
        ----------
        X : sequence of PlateSample or (image, box) tuples
            The samples.
        y : ignored
            Present for pipeline compatibility.

        Returns
        -------
        self : PlateCropper
            The fitted cropper.
        """
        _, (width, height), _ = self._check_params()
        check_samples(X)
        self.output_shape_ = (height, width)
        return self

    def windows(self, X: Sequence) -> list[tuple[int, int, int, int]]:
        """The pixels each sample's plate is cut from, ``(x1, y1, x2, y2)``: its box
        clipped to the photo, grown by ``margin`` and clipped again.

        Two croppers that differ only in ``margin`` cut the same plate from a sample when
        its windows are equal: a tight crop (the box is the whole photo) clips every
        margin away.

        Parameters
        ----------
        X : sequence of PlateSample or (image, box) tuples
            The samples.

        Returns
        -------
        windows : list of tuple of 4 int
        """
        margin, _, _ = self._check_params()
        return [
            _crop_window(np.shape(image), clip_box(box, np.shape(image), name=name), margin)
            for image, box, name in check_samples(X)
        ]

    def blurs(self, X: Sequence) -> np.ndarray:
        """The blur of each sample's crop, as ``deblur`` measures it.

        :func:`~skplate.deblur.estimate_blur` of the gray crop at the photo's scale,
        before any deblurring and resizing. A cropper with ``deblur`` leaves the crops
        whose blur is at most ``deblur`` as a cropper without it cuts them.

        Parameters
        ----------
        X : sequence of PlateSample or (image, box) tuples
            The samples.

        Returns
        -------
        blurs : ndarray of shape (n_samples,)
            Standard deviations of a Gaussian blur, in the photo's pixels.
        """
        margin, _, _ = self._check_params()
        return np.array(
            [
                estimate_blur(
                    _gray_crop(
                        image,
                        box,
                        margin,
                        self.remove_eu_band,
                        self.eu_band_hue,
                        self.remove_painted_blocks,
                        name,
                    )[0]
                )
                for image, box, name in check_samples(X)
            ],
            dtype=float,
        )

    def transform(self, X: Sequence) -> np.ndarray:
        """Crop, resize and (optionally) deskew, deslant and flatten the plate of every sample.

        Parameters
        ----------
        X : sequence of PlateSample or (image, box) tuples
            The samples; boxes are clipped to their photo.

        Returns
        -------
        plates : ndarray of shape (n_samples, height, width), dtype uint8
            The gray plates, with ``(width, height) = output_size``.
        """
        check_is_fitted(self)
        margin, (width, height), cut_runs = self._check_params()
        if (height, width) != self.output_shape_:
            raise ValueError(
                f"output_size changed to {self.output_size!r} since fit "
                f"(output_shape_={self.output_shape_}); call fit again."
            )
        samples = check_samples(X)
        plates = np.empty((len(samples), height, width), dtype=np.uint8)
        for i, (image, box, name) in enumerate(samples):
            plate = crop_plate(
                image,
                box,
                margin,
                (width, height),
                remove_eu_band=self.remove_eu_band,
                eu_band_hue=self.eu_band_hue,
                remove_painted_blocks=self.remove_painted_blocks,
                pad_clipped=self.pad_clipped,
                deblur=self.deblur,
                name=name,
            )
            if self.deskew:
                plate = deskew(plate, self.max_skew, cut_runs=cut_runs)
            plate = deslant(plate, self.max_slant)
            if self.flatten_lighting:
                text = "dark" if self.flatten_text == "dark" else text_polarity(plate)
                plate = flatten_lighting(
                    plate, self.flatten_lighting, self.flatten_smoothing, text=text
                )
            plates[i] = plate
        return plates

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.transformer_tags.preserves_dtype = []
        return tags
