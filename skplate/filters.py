"""Named image filters that turn one gray plate into several variants for the segmenter.

Every filter is a small pure function ``gray uint8 (H, W) -> uint8 (H, W)`` built on OpenCV,
registered by name in :data:`FILTERS`. All of them keep the polarity of the input (dark text
on a light plate stays dark on light), so the segmenter treats every variant alike.
:func:`apply_filters` runs a list of them on one plate and :class:`FilterBank` wraps it as a
scikit-learn transformer with flat, grid-searchable parameters.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from numbers import Integral, Real

import cv2
import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

__all__ = [
    "DEFAULT_FILTERS",
    "DEFAULT_PARAMS",
    "FILTERS",
    "FilterBank",
    "apply_filters",
    "bilateral_sharpen",
    "brightness_otsu",
    "brightness_tozero",
    "clahe_tozero",
    "identity",
    "open_filter",
    "otsu",
    "otsu_truncate",
    "sharpen",
    "stable_threshold",
    "stable_tozero",
    "stable_truncate",
    "unsharp_mask",
    "variant_names",
]


def _otsu_level(gray: np.ndarray) -> float:
    level, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return level


def identity(gray: np.ndarray) -> np.ndarray:
    """Return the plain crop (the ``"gray"`` filter)."""
    return gray


def otsu(gray: np.ndarray) -> np.ndarray:
    """Binarise at the Otsu level: ink 0, background 255."""
    _, out = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return out


def open_filter(gray: np.ndarray, *, blur_kernel: int = 5, open_kernel: int = 3) -> np.ndarray:
    """Blur, binarise and remove specks: Gaussian blur, inverse Otsu, opening, inverted back.

    The opening (of the inverted image, where ink is white) removes ink specks smaller than
    ``open_kernel``; the result is binary with ink 0 on a 255 background.

    Parameters
    ----------
    gray : ndarray of shape (H, W), dtype uint8
        The plate.
    blur_kernel : int, default=5
        Odd size of the Gaussian blur kernel (1 disables the blur).
    open_kernel : int, default=3
        Size of the square structuring element of the opening (1 disables it).
    """
    if blur_kernel < 1 or blur_kernel % 2 == 0:
        raise ValueError(
            f"blur_kernel must be a positive odd integer (Gaussian kernel size), "
            f"got {blur_kernel!r}."
        )
    blurred = cv2.GaussianBlur(gray, (blur_kernel, blur_kernel), 0) if blur_kernel > 1 else gray
    _, ink = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    if open_kernel > 1:
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (open_kernel, open_kernel))
        ink = cv2.morphologyEx(ink, cv2.MORPH_OPEN, kernel)
    return cv2.bitwise_not(ink)


def clahe_tozero(
    gray: np.ndarray, *, clahe_clip_limit: float = 2.0, clahe_tile_grid: int = 8
) -> np.ndarray:
    """Equalise contrast locally (CLAHE), then set pixels at or below the Otsu level to 0.

    Parameters
    ----------
    gray : ndarray of shape (H, W), dtype uint8
        The plate.
    clahe_clip_limit : float, default=2.0
        CLAHE contrast limit.
    clahe_tile_grid : int, default=8
        Number of CLAHE tiles along each axis.
    """
    clahe = cv2.createCLAHE(
        clipLimit=float(clahe_clip_limit), tileGridSize=(clahe_tile_grid, clahe_tile_grid)
    )
    equalised = clahe.apply(gray)
    _, out = cv2.threshold(equalised, _otsu_level(equalised), 255, cv2.THRESH_TOZERO)
    return out


def otsu_truncate(gray: np.ndarray) -> np.ndarray:
    """Cap pixels brighter than the Otsu level at that level (flattens the background)."""
    _, out = cv2.threshold(gray, 0, 255, cv2.THRESH_TRUNC | cv2.THRESH_OTSU)
    return out


def stable_threshold(gray: np.ndarray, *, stable_step: int = 8) -> int:
    """Return the threshold that changes the binary image least when moved by a step.

    Moving a threshold ``t`` to ``t - step`` or ``t + step`` flips the pixels with values
    in ``(t - step, t + step]``; among the multiples of ``stable_step`` the candidate with
    the fewest such pixels (counted from the histogram) wins. Candidates lie strictly
    between the mean ink and mean background levels (the means of the two Otsu classes):
    outside them a threshold sits in a sparse tail of the histogram, which is stable but
    separates nothing. Ties (a flat valley between ink and background) are broken by taking
    the middle of the longest run of tied candidates.

    Parameters
    ----------
    gray : ndarray of shape (H, W), dtype uint8
        The plate.
    stable_step : int, default=8
        Grid step and neighbour distance, in gray levels.

    Returns
    -------
    threshold : int
        The stable threshold (the Otsu level when no candidate lies between the means).
    """
    otsu_level = _otsu_level(gray)
    hist = cv2.calcHist([gray], [0], None, [256], [0, 256]).ravel()
    levels = np.arange(256)
    split = int(otsu_level) + 1  # THRESH_BINARY puts values <= level in the ink class
    n_low, n_high = hist[:split].sum(), hist[split:].sum()
    if n_low == 0 or n_high == 0:
        return round(otsu_level)
    mean_low = float(hist[:split] @ levels[:split]) / n_low
    mean_high = float(hist[split:] @ levels[split:]) / n_high
    step = int(stable_step)
    candidates = np.arange(step * (int(mean_low) // step + 1), int(np.ceil(mean_high)), step)
    if len(candidates) == 0:
        return round(otsu_level)
    cumulative = np.concatenate([[0.0], np.cumsum(hist)])  # cumulative[v] = #pixels < v
    # pixels with value in (t - step, t + step] = #(< t + step + 1) - #(< t - step + 1)
    upper = np.minimum(candidates + step + 1, 256)
    lower = np.maximum(candidates - step + 1, 0)
    flips = cumulative[upper] - cumulative[lower]
    tied = np.concatenate([[False], flips == flips.min(), [False]])
    edges = np.flatnonzero(np.diff(tied.astype(np.int8)))
    starts, stops = edges[::2], edges[1::2]
    longest = int(np.argmax(stops - starts))
    return int(candidates[(starts[longest] + stops[longest] - 1) // 2])


def stable_truncate(gray: np.ndarray, *, stable_step: int = 8) -> np.ndarray:
    """Cap pixels brighter than the :func:`stable_threshold` at that threshold."""
    _, out = cv2.threshold(
        gray, stable_threshold(gray, stable_step=stable_step), 255, cv2.THRESH_TRUNC
    )
    return out


def stable_tozero(gray: np.ndarray, *, stable_step: int = 8) -> np.ndarray:
    """Set pixels at or below the :func:`stable_threshold` to 0, keep the others."""
    _, out = cv2.threshold(
        gray, stable_threshold(gray, stable_step=stable_step), 255, cv2.THRESH_TOZERO
    )
    return out


def _brightness_level(gray: np.ndarray, brightness_factor: float) -> float:
    return min(255.0, brightness_factor * float(cv2.mean(gray)[0]))


def brightness_tozero(gray: np.ndarray, *, brightness_factor: float = 1.0) -> np.ndarray:
    """Set pixels at or below ``brightness_factor`` times the mean brightness to 0."""
    _, out = cv2.threshold(gray, _brightness_level(gray, brightness_factor), 255, cv2.THRESH_TOZERO)
    return out


def brightness_otsu(gray: np.ndarray, *, brightness_factor: float = 1.0) -> np.ndarray:
    """:func:`brightness_tozero`, then binarise at the Otsu level of the result."""
    return otsu(brightness_tozero(gray, brightness_factor=brightness_factor))


def _sharpen_kernel(center: float) -> np.ndarray:
    kernel = np.array([[0, -1, 0], [-1, center, -1], [0, -1, 0]], dtype=np.float32)
    return kernel / np.float32(center - 4)


def sharpen(gray: np.ndarray, *, center: float = 5) -> np.ndarray:
    """Sharpen with ``[[0,-1,0],[-1,c,-1],[0,-1,0]] / (c - 4)`` (a smaller ``c`` is stronger).

    Parameters
    ----------
    gray : ndarray of shape (H, W), dtype uint8
        The plate.
    center : float, default=5
        Centre weight ``c`` of the kernel; must be greater than 4.
    """
    return cv2.filter2D(gray, -1, _sharpen_kernel(center), borderType=cv2.BORDER_REPLICATE)


def bilateral_sharpen(
    gray: np.ndarray,
    *,
    bilateral_diameter: int = 9,
    bilateral_sigma_color: float = 75,
    bilateral_sigma_space: float = 75,
    center: float = 5,
) -> np.ndarray:
    """Smooth with an edge-preserving bilateral filter, then :func:`sharpen`.

    Parameters
    ----------
    gray : ndarray of shape (H, W), dtype uint8
        The plate.
    bilateral_diameter : int, default=9
        Pixel neighbourhood diameter of :func:`cv2.bilateralFilter`.
    bilateral_sigma_color, bilateral_sigma_space : float, default=75
        Range and spatial sigmas of :func:`cv2.bilateralFilter`.
    center : float, default=5
        Centre weight of the sharpening kernel (see :func:`sharpen`).
    """
    smooth = _bilateral(
        gray,
        bilateral_diameter=bilateral_diameter,
        bilateral_sigma_color=bilateral_sigma_color,
        bilateral_sigma_space=bilateral_sigma_space,
    )
    return sharpen(smooth, center=center)


def unsharp_mask(
    gray: np.ndarray, *, unsharp_sigma: float = 5.0, unsharp_amount: float = 2.0
) -> np.ndarray:
    """Restore edges a blur has softened: ``gray + amount * (gray - gaussian(gray, sigma))``.

    The 3x3 kernels of :func:`sharpen` act on a pixel's immediate neighbours; in a
    240x80 crop, a plate photographed slightly out of focus is blurred over several
    pixels, and the gaps between characters and inside them fill with gray. Subtracting
    a Gaussian blur at that scale lifts them back (values saturate at 0 and 255).

    Parameters
    ----------
    gray : ndarray of shape (H, W), dtype uint8
        The plate.
    unsharp_sigma : float, default=5.0
        Standard deviation, in pixels, of the Gaussian whose detail is amplified.
    unsharp_amount : float, default=2.0
        Gain on the detail; 0 returns the plate unchanged.
    """
    blurred = cv2.GaussianBlur(gray, (0, 0), float(unsharp_sigma))
    amount = float(unsharp_amount)
    return cv2.addWeighted(gray, 1.0 + amount, blurred, -amount, 0.0)


def _bilateral(
    gray: np.ndarray,
    *,
    bilateral_diameter: int,
    bilateral_sigma_color: float,
    bilateral_sigma_space: float,
) -> np.ndarray:
    return cv2.bilateralFilter(
        gray, int(bilateral_diameter), float(bilateral_sigma_color), float(bilateral_sigma_space)
    )


#: Filter name -> pure function ``gray uint8 (H, W) -> uint8 (H, W)``; keyword parameters
#: are named as the :class:`FilterBank` parameters they come from (``center`` excepted).
FILTERS: dict[str, Callable[..., np.ndarray]] = {
    "gray": identity,
    "otsu": otsu,
    "open": open_filter,
    "clahe_tozero": clahe_tozero,
    "otsu_truncate": otsu_truncate,
    "stable_truncate": stable_truncate,
    "stable_tozero": stable_tozero,
    "brightness_tozero": brightness_tozero,
    "brightness_otsu": brightness_otsu,
    "sharpen": sharpen,
    "bilateral_sharpen": bilateral_sharpen,
    "unsharp": unsharp_mask,
}

#: The order ``FilterBank(filters=None)`` uses: the plain crop first, then binarisations,
#: threshold-based contrast changes and the sharpened variants, the unsharp mask last.
DEFAULT_FILTERS: tuple[str, ...] = tuple(FILTERS)

#: The default value of every filter parameter, by :class:`FilterBank` parameter name.
DEFAULT_PARAMS: dict[str, object] = {
    "blur_kernel": 5,
    "open_kernel": 3,
    "clahe_clip_limit": 2.0,
    "clahe_tile_grid": 8,
    "stable_step": 8,
    "brightness_factor": 1.0,
    "sharpen_centers": (5, 6, 7),
    "bilateral_diameter": 9,
    "bilateral_sigma_color": 75,
    "bilateral_sigma_space": 75,
    "bilateral_centers": (5, 7, 9),
    "unsharp_sigma": 5.0,
    "unsharp_amount": 2.0,
}

# The default filters of skplate 0.2.0, before ``"unsharp"``: models saved then keep them.
_FILTERS_BEFORE_UNSHARP = DEFAULT_FILTERS[:-1]


def _keywords(func: Callable) -> tuple[str, ...]:
    return tuple(
        name
        for name, p in inspect.signature(func).parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY and name != "center"
    )


_FILTER_KEYWORDS = {name: _keywords(func) for name, func in FILTERS.items()}


def _check_names(names: Sequence[str] | None) -> tuple[str, ...]:
    if names is None:
        return DEFAULT_FILTERS
    if isinstance(names, str) or not isinstance(names, Sequence):
        raise ValueError(
            f"filters must be None or a list of filter names, got {names!r}; "
            f"known filters: {', '.join(FILTERS)}."
        )
    unknown = [name for name in names if not isinstance(name, str) or name not in FILTERS]
    if unknown:
        raise ValueError(
            f"filters: unknown filter name(s) {', '.join(map(repr, unknown))}; "
            f"known filters: {', '.join(FILTERS)}."
        )
    if len(set(names)) != len(names):
        raise ValueError(f"filters: each filter may appear once, got {list(names)!r}.")
    if not names:
        raise ValueError("filters must name at least one filter (or be None for all).")
    return tuple(names)


def _format_center(center: float) -> str:
    return f"{float(center):g}"


def _check_centers(centers: object, param: str) -> tuple[float, ...]:
    try:
        values = tuple(float(c) for c in centers)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise ValueError(f"{param} must be a sequence of numbers, got {centers!r}.") from None
    if not values or not all(np.isfinite(c) and c > 4 for c in values):
        raise ValueError(
            f"{param} must hold at least one finite number greater than 4 (the kernel is "
            f"normalised by centre - 4), got {centers!r}."
        )
    if len({_format_center(c) for c in values}) != len(values):
        raise ValueError(f"{param} must not repeat a centre, got {centers!r}.")
    return values


# One output variant: its name, an optional shared first step (computed once per plate for
# all the variants holding the same object) and the filter applied to that step's output.
_Variant = tuple[str, Callable[[np.ndarray], np.ndarray] | None, Callable[[np.ndarray], np.ndarray]]


def _variants(names: Sequence[str] | None, params: Mapping[str, object] | None) -> list[_Variant]:
    """Expand filter names into variants, checking names and centres."""
    names = _check_names(names)
    merged = {**DEFAULT_PARAMS, **(params or {})}
    variants: list[_Variant] = []
    for name in names:
        kwargs = {key: merged[key] for key in _FILTER_KEYWORDS[name]}
        if name == "sharpen":
            for center in _check_centers(merged["sharpen_centers"], "sharpen_centers"):
                variants.append(
                    (f"sharpen_{_format_center(center)}", None, partial(sharpen, center=center))
                )
        elif name == "bilateral_sharpen":
            # The bilateral smoothing is the costly step and does not depend on the centre.
            smooth = partial(_bilateral, **kwargs)
            for center in _check_centers(merged["bilateral_centers"], "bilateral_centers"):
                variants.append(
                    (
                        f"bilateral_sharpen_{_format_center(center)}",
                        smooth,
                        partial(sharpen, center=center),
                    )
                )
        else:
            func = FILTERS[name]
            variants.append((name, None, partial(func, **kwargs) if kwargs else func))
    return variants


def variant_names(
    names: Sequence[str] | None = None, params: Mapping[str, object] | None = None
) -> list[str]:
    """Return the names of the variants :func:`apply_filters` makes, in order.

    ``"sharpen"`` and ``"bilateral_sharpen"`` yield one variant per centre, named
    ``"sharpen_5"``, ``"bilateral_sharpen_7"``, ...
    """
    return [name for name, _, _ in _variants(names, params)]


def apply_filters(
    gray: np.ndarray,
    names: Sequence[str] | None = None,
    params: Mapping[str, object] | None = None,
    *,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Run the named filters on one gray plate.

    Parameters
    ----------
    gray : ndarray of shape (H, W), dtype uint8
        The plate (dark text on a light background).
    names : sequence of str, default=None
        Filters from :data:`FILTERS`, in output order; ``None`` means
        :data:`DEFAULT_FILTERS`.
    params : mapping, default=None
        Filter parameters by :class:`FilterBank` parameter name; missing ones take their
        defaults (:data:`DEFAULT_PARAMS`).
    out : ndarray of shape (V, H, W), dtype uint8, default=None
        Where to write the variants.

    Returns
    -------
    variants : ndarray of shape (V, H, W), dtype uint8
        One image per variant, in the order of :func:`variant_names`.
    """
    gray = _check_plate(gray, "gray")
    return _apply(gray, _variants(names, params), out)


def _apply(gray: np.ndarray, variants: list[_Variant], out: np.ndarray | None) -> np.ndarray:
    if out is None:
        out = np.empty((len(variants), *gray.shape), dtype=np.uint8)
    shared: dict[int, np.ndarray] = {}
    for v, (_, first, func) in enumerate(variants):
        if first is None:
            out[v] = func(gray)
        else:
            if id(first) not in shared:
                shared[id(first)] = first(gray)
            out[v] = func(shared[id(first)])
    return out


def _check_plate(plate: object, name: str) -> np.ndarray:
    if not isinstance(plate, np.ndarray) or plate.dtype != np.uint8 or plate.ndim != 2:
        described = (
            f"{plate.dtype} array of shape {plate.shape}"
            if isinstance(plate, np.ndarray)
            else type(plate).__name__
        )
        raise ValueError(f"{name}: expected a 2-D uint8 gray plate, got {described}.")
    if plate.shape[0] == 0 or plate.shape[1] == 0:
        raise ValueError(f"{name}: the plate is empty (shape {plate.shape}).")
    return np.ascontiguousarray(plate)


def _check_plates(plates: object) -> np.ndarray:
    """Return ``plates`` as a C-contiguous (n, H, W) uint8 array, or raise a clear error."""
    if isinstance(plates, np.ndarray):
        if plates.dtype != np.uint8:
            raise TypeError(
                f"plates: expected uint8 pixels (the output of PlateCropper), got {plates.dtype}."
            )
        if plates.ndim != 3:
            raise ValueError(
                f"plates: expected a uint8 array of shape (n_plates, height, width) (the "
                f"output of PlateCropper), got a {plates.dtype} array of shape {plates.shape}."
            )
        if plates.shape[1] == 0 or plates.shape[2] == 0:
            raise ValueError(f"plates: the plates are empty (shape {plates.shape}).")
        return np.ascontiguousarray(plates)
    if isinstance(plates, str) or not isinstance(plates, Sequence):
        raise ValueError(
            f"plates: expected an (n_plates, height, width) uint8 array or a list of 2-D "
            f"uint8 plates, got {type(plates).__name__}."
        )
    if len(plates) == 0:
        raise ValueError("plates: got an empty list; expected at least one plate.")
    checked = [_check_plate(plate, f"plates[{i}]") for i, plate in enumerate(plates)]
    shapes = {plate.shape for plate in checked}
    if len(shapes) > 1:
        raise ValueError(
            f"plates: all plates must have the same shape, got {sorted(shapes)}; "
            f"crop them with PlateCropper first."
        )
    return np.stack(checked)


class FilterBank(TransformerMixin, BaseEstimator, auto_wrap_output_keys=None):
    """Turn each gray plate into a stack of filtered variants.

    Parameters
    ----------
    filters : list of str, default=None
        Names from :data:`FILTERS` selecting and ordering the filters; ``None`` means all,
        in the order of :data:`DEFAULT_FILTERS`: ``gray, otsu, open, clahe_tozero,
        otsu_truncate, stable_truncate, stable_tozero, brightness_tozero,
        brightness_otsu, sharpen, bilateral_sharpen, unsharp``.
    blur_kernel : int, default=5
        Odd Gaussian kernel size of ``"open"``.
    open_kernel : int, default=3
        Structuring element size of the opening in ``"open"``.
    clahe_clip_limit : float, default=2.0
        CLAHE contrast limit of ``"clahe_tozero"``.
    clahe_tile_grid : int, default=8
        CLAHE tiles per axis of ``"clahe_tozero"``.
    stable_step : int, default=8
        Grid step of the stable threshold (``"stable_truncate"``, ``"stable_tozero"``).
    brightness_factor : float, default=1.0
        Threshold of ``"brightness_tozero"`` and ``"brightness_otsu"`` as a multiple of the
        plate's mean brightness.
    sharpen_centers : tuple of float, default=(5, 6, 7)
        Kernel centres of ``"sharpen"``, one variant each (``"sharpen_5"``, ...).
    bilateral_diameter : int, default=9
        Neighbourhood diameter of the bilateral filter of ``"bilateral_sharpen"``.
    bilateral_sigma_color, bilateral_sigma_space : float, default=75
        Sigmas of the bilateral filter.
    bilateral_centers : tuple of float, default=(5, 7, 9)
        Kernel centres of ``"bilateral_sharpen"``, one variant each.
    unsharp_sigma : float, default=5.0
        Scale, in pixels, of the detail ``"unsharp"`` amplifies (:func:`unsharp_mask`).
    unsharp_amount : float, default=2.0
        Gain of ``"unsharp"`` on that detail.

    Attributes
    ----------
    variant_names_ : list of str
        Name of each output variant, in order.
    n_variants_ : int
        Number of variants ``V``.

    See Also
    --------
    apply_filters : the pure function this estimator wraps.

    Examples
    --------
    >>> import numpy as np
    >>> from skplate.filters import FilterBank
    >>> plates = np.full((2, 80, 240), 200, np.uint8)
    >>> bank = FilterBank(filters=["gray", "otsu", "sharpen"]).fit(plates)
    >>> bank.variant_names_
    ['gray', 'otsu', 'sharpen_5', 'sharpen_6', 'sharpen_7']
    >>> bank.transform(plates).shape
    (2, 5, 80, 240)
    """

    _parameter_constraints: dict = {
        "filters": [None, list, tuple],
        "blur_kernel": [Interval(Integral, 1, None, closed="left")],
        "open_kernel": [Interval(Integral, 1, None, closed="left")],
        "clahe_clip_limit": [Interval(Real, 0, None, closed="neither")],
        "clahe_tile_grid": [Interval(Integral, 1, None, closed="left")],
        "stable_step": [Interval(Integral, 1, 127, closed="both")],
        "brightness_factor": [Interval(Real, 0, None, closed="neither")],
        "sharpen_centers": [list, tuple, np.ndarray],
        "bilateral_diameter": [Interval(Integral, 1, None, closed="left")],
        "bilateral_sigma_color": [Interval(Real, 0, None, closed="neither")],
        "bilateral_sigma_space": [Interval(Real, 0, None, closed="neither")],
        "bilateral_centers": [list, tuple, np.ndarray],
        "unsharp_sigma": [Interval(Real, 0, None, closed="neither")],
        "unsharp_amount": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        filters: Sequence[str] | None = None,
        *,
        blur_kernel: int = 5,
        open_kernel: int = 3,
        clahe_clip_limit: float = 2.0,
        clahe_tile_grid: int = 8,
        stable_step: int = 8,
        brightness_factor: float = 1.0,
        sharpen_centers: Sequence[float] = (5, 6, 7),
        bilateral_diameter: int = 9,
        bilateral_sigma_color: float = 75,
        bilateral_sigma_space: float = 75,
        bilateral_centers: Sequence[float] = (5, 7, 9),
        unsharp_sigma: float = 5.0,
        unsharp_amount: float = 2.0,
    ) -> None:
        self.filters = filters
        self.blur_kernel = blur_kernel
        self.open_kernel = open_kernel
        self.clahe_clip_limit = clahe_clip_limit
        self.clahe_tile_grid = clahe_tile_grid
        self.stable_step = stable_step
        self.brightness_factor = brightness_factor
        self.sharpen_centers = sharpen_centers
        self.bilateral_diameter = bilateral_diameter
        self.bilateral_sigma_color = bilateral_sigma_color
        self.bilateral_sigma_space = bilateral_sigma_space
        self.bilateral_centers = bilateral_centers
        self.unsharp_sigma = unsharp_sigma
        self.unsharp_amount = unsharp_amount

    def __setstate__(self, state: dict) -> None:
        # Banks pickled by skplate 0.2.0 predate "unsharp": their ``filters=None`` meant
        # the 15 variants their recognizer was fitted and weighted with, so keep those.
        if "unsharp_sigma" not in state:
            state = {
                **state,
                "unsharp_sigma": DEFAULT_PARAMS["unsharp_sigma"],
                "unsharp_amount": DEFAULT_PARAMS["unsharp_amount"],
            }
            if state.get("filters") is None:
                state["filters"] = list(_FILTERS_BEFORE_UNSHARP)
        super().__setstate__(state)

    def _filter_params(self) -> dict[str, object]:
        return {key: getattr(self, key) for key in DEFAULT_PARAMS}

    def _check_variants(self) -> list[_Variant]:
        self._validate_params()
        if self.blur_kernel % 2 == 0:
            raise ValueError(
                f"blur_kernel must be an odd integer (Gaussian kernel size), "
                f"got {self.blur_kernel!r}."
            )
        _check_centers(self.sharpen_centers, "sharpen_centers")
        _check_centers(self.bilateral_centers, "bilateral_centers")
        return _variants(self.filters, self._filter_params())

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: object, y: object = None) -> FilterBank:
        """Check the parameters and record the variant names; nothing is learned.

        Parameters
        ----------
        X : ndarray of shape (n_plates, H, W), dtype uint8, or list of 2-D uint8 arrays
            The plates (checked but not used).
        y : ignored
            Present for pipeline compatibility.

        Returns
        -------
        self : FilterBank
            The fitted bank.
        """
        variants = self._check_variants()
        _check_plates(X)
        self.variant_names_ = [name for name, _, _ in variants]
        self.n_variants_ = len(variants)
        return self

    def transform(self, X: object) -> np.ndarray:
        """Apply every filter to every plate.

        Parameters
        ----------
        X : ndarray of shape (n_plates, H, W), dtype uint8, or list of 2-D uint8 arrays
            Gray plates of one size (the output of :class:`~skplate.crop.PlateCropper`).

        Returns
        -------
        variants : ndarray of shape (n_plates, n_variants, H, W), dtype uint8
            ``variants[i, v]`` is plate ``i`` through filter ``variant_names_[v]``.
        """
        check_is_fitted(self)
        variants = self._check_variants()
        if [name for name, _, _ in variants] != self.variant_names_:
            raise ValueError(
                "The filters changed since fit (variant_names_ no longer matches the "
                "parameters); call fit again."
            )
        plates = _check_plates(X)
        out = np.empty((plates.shape[0], len(variants), *plates.shape[1:]), dtype=np.uint8)
        for i, plate in enumerate(plates):
            _apply(plate, variants, out[i])
        return out

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """Return the variant names (the second axis of :meth:`transform`'s output).

        Parameters
        ----------
        input_features : ignored
            Present for API compatibility.

        Returns
        -------
        names : ndarray of str objects
            ``variant_names_`` as an array, as scikit-learn does for feature names.
        """
        check_is_fitted(self)
        return np.asarray(self.variant_names_, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        return tags
