"""Synthetic training data: augmented character crops and photos of plates with known text."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from numbers import Real

import cv2
import numpy as np
from sklearn.utils import Bunch, check_random_state

from ..samples import PlateSample
from ._fonts import BUILTIN_FONTS, default_fonts, render_glyph, render_text_line

__all__ = ["make_synthetic_chars", "make_synthetic_plates"]

_PLATE_CHARACTERS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

_CHARS_DESCR = """\
Synthetic plate characters
--------------------------

{n_images} gray character crops ({n_per_class} per class, classes {characters!r}) rendered
from {fonts}, ordered round-robin over the classes.

Each crop is dark ink on a lighter background, {min_h}-{max_h} px high, with random
margins and crop offset, rotation, shear and perspective, stroke weight
(erosion/dilation){spread}, fragments of neighbouring characters and plate borders at the
edges, Gaussian blur, noise, illumination gradient, gamma/contrast changes and JPEG
artefacts, the way a segmenter cuts characters out of real plate photos.
"""

_PLATES_DESCR = """\
Synthetic plate photos
----------------------

{n_images} {height}x{width} BGR photos, each showing one plate (dark text on a white
plate with a thin dark border, half of them with a blue EU band on the left) on a random
background; ``boxes`` holds the exact plate box ``(x1, y1, x2, y2)``, ``x2``/``y2``
exclusive.
"""

_MIN_HEIGHT, _MAX_HEIGHT = 24, 64


def _check_fonts(fonts: object) -> list[str]:
    """Return the fonts to draw with: paths to font files or built-in font names."""
    if fonts is None:
        return list(default_fonts())
    if isinstance(fonts, str | os.PathLike):
        fonts = [fonts]
    try:
        fonts = [os.fspath(font) for font in fonts]
    except TypeError:
        raise TypeError(
            f"fonts must be None, a font file, one of {list(BUILTIN_FONTS)}, or a list of "
            f"those; got {fonts!r}."
        ) from None
    if not fonts:
        raise ValueError("fonts must name at least one font, or be None.")
    for font in fonts:
        if font not in BUILTIN_FONTS and not os.path.isfile(font):
            raise ValueError(
                f"fonts: {font} is neither a font file nor one of {list(BUILTIN_FONTS)}."
            )
    return fonts


def _check_characters(characters: object) -> str:
    if not isinstance(characters, str) or not characters:
        raise ValueError(f"characters must be a non-empty string, got {characters!r}.")
    if len(set(characters)) != len(characters) or any(c.isspace() for c in characters):
        raise ValueError(
            f"characters must hold distinct, non-blank characters, got {characters!r}."
        )
    return characters


def _paste_max(canvas: np.ndarray, mask: np.ndarray, x: int, y: int) -> None:
    """Draw ``mask`` with its top-left corner at ``(x, y)``, clipped to the canvas."""
    height, width = canvas.shape
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + mask.shape[1], width), min(y + mask.shape[0], height)
    if x1 > x0 and y1 > y0:
        region = canvas[y0:y1, x0:x1]
        np.maximum(region, mask[y0 - y : y1 - y, x0 - x : x1 - x], out=region)


def _spread_ink(mask: np.ndarray, sigma: float, level: float) -> np.ndarray:
    """Blur an ink mask and threshold it again below half its ink.

    What a photo's blur and a binarisation do to bold letters: the ink spreads into
    narrow gaps, so notches and counters fill (the middle of an ``M``, the inner V of a
    ``W``, the top turn of a ``2``) while open shapes only thicken.

    Parameters
    ----------
    mask : ndarray of uint8
        Ink mask, 255 = ink.
    sigma : float
        Standard deviation of the Gaussian blur, in pixels.
    level : float
        Threshold as a fraction of full ink, in (0, 1); below 0.5 the ink grows.

    Returns
    -------
    spread : ndarray of uint8
        The new mask, 0 or 255, the shape of ``mask``.
    """
    blurred = cv2.GaussianBlur(mask, (0, 0), sigma)
    return cv2.threshold(blurred, level * 255, 255, cv2.THRESH_BINARY)[1]


def _char_mask(
    rng: np.random.RandomState, font: str, char: str, characters: str, ink_spread: float
) -> np.ndarray:
    """Ink mask (float32, 0..1) of one augmented character crop, before shading."""
    glyph = render_glyph(font, char)
    gh, gw = glyph.shape
    pad = gh
    canvas = np.zeros((gh + 2 * pad, gw + 2 * pad), np.uint8)
    _paste_max(canvas, glyph, pad, pad)

    # Neighbouring characters and plate borders, mostly outside the crop: thin fragments.
    for side in (-1, 1):
        if rng.uniform() < 0.3:
            other = render_glyph(font, characters[rng.randint(len(characters))])
            gap = round(rng.uniform(0.06, 0.3) * gh)
            x = pad - gap - other.shape[1] if side < 0 else pad + gw + gap
            _paste_max(canvas, other, x, pad + round(rng.uniform(-0.05, 0.05) * gh))
    for side in (-1, 1):
        if rng.uniform() < 0.15:
            thickness = rng.randint(2, max(3, gh // 12))
            offset = round(rng.uniform(0.06, 0.3) * gh)
            y = pad - offset - thickness if side < 0 else pad + gh + offset
            canvas[max(y, 0) : max(y + thickness, 0)] = 255
    if rng.uniform() < 0.08:
        x = (
            pad - round(rng.uniform(0.1, 0.4) * gh)
            if rng.uniform() < 0.5
            else (pad + gw + round(rng.uniform(0.1, 0.4) * gh))
        )
        canvas[:, max(x, 0) : max(x + rng.randint(2, 6), 0)] = 255

    # Stroke weight.
    weight = rng.choice([-2, -1, 0, 0, 0, 1, 2])
    if weight:
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * abs(weight) + 1,) * 2)
        operation = cv2.dilate if weight > 0 else cv2.erode
        canvas = operation(canvas, kernel)
    if weight >= 0 and ink_spread > 0 and rng.uniform() < ink_spread:
        canvas = _spread_ink(canvas, rng.uniform(0.03, 0.07) * gh, rng.uniform(0.15, 0.4))

    # Crop with random margins and offset, distorted by rotation, shear and perspective.
    margin_top, margin_bottom = rng.uniform(0.02, 0.16, 2) * gh
    margin_left, margin_right = rng.uniform(0.03, 0.22, 2) * gh
    offset_x, offset_y = np.clip(rng.normal(0, 0.03 * gh, 2), -0.08 * gh, 0.08 * gh)
    x0, x1 = pad - margin_left + offset_x, pad + gw + margin_right + offset_x
    y0, y1 = pad - margin_top + offset_y, pad + gh + margin_bottom + offset_y
    crop_w, crop_h = x1 - x0, y1 - y0
    corners = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float64)
    center = corners.mean(axis=0)
    angle = math.radians(rng.uniform(-8, 8))
    shear = rng.uniform(-0.15, 0.15)
    linear = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    linear = linear @ np.array([[1.0, shear], [0.0, 1.0]])
    source = (corners - center) @ linear.T + center
    source += rng.uniform(-0.04, 0.04, source.shape) * np.array([crop_w, crop_h])
    work_w, work_h = max(2, round(crop_w)), max(2, round(crop_h))
    target = np.array([[0, 0], [work_w, 0], [work_w, work_h], [0, work_h]], np.float64)
    matrix = cv2.getPerspectiveTransform(source.astype(np.float32), target.astype(np.float32))
    warped = cv2.warpPerspective(
        canvas, matrix, (work_w, work_h), flags=cv2.INTER_LINEAR, borderValue=0
    )

    out_h = rng.randint(_MIN_HEIGHT, _MAX_HEIGHT + 1)
    out_w = max(6, round(out_h * crop_w / crop_h * rng.uniform(0.85, 1.15)))
    small = cv2.resize(warped, (out_w, out_h), interpolation=cv2.INTER_AREA)
    return small.astype(np.float32) / 255.0


def _shade(rng: np.random.RandomState, ink: np.ndarray) -> np.ndarray:
    """Turn an ink mask into a gray photo-like crop: dark ink on lighter paper."""
    height, width = ink.shape
    paper = rng.uniform(110, 250)
    ink_level = rng.uniform(0, paper - 45)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    direction = rng.uniform(0, 2 * math.pi)
    ramp = (xx / width - 0.5) * math.cos(direction) + (yy / height - 0.5) * math.sin(direction)
    background = paper + rng.uniform(-30, 30) * ramp
    image = background * (1.0 - ink) + (ink_level + 0.5 * rng.uniform(-15, 15) * ramp) * ink
    if rng.uniform() < 0.7:
        image = cv2.GaussianBlur(image, (0, 0), rng.uniform(0.3, 1.1))
    image = image + rng.normal(0.0, rng.uniform(0, 9), image.shape)
    image = np.clip(image, 0, 255)
    if rng.uniform() < 0.3:
        image = 255.0 * (image / 255.0) ** rng.uniform(0.6, 1.6)
    image = np.clip(np.round(image), 0, 255).astype(np.uint8)
    if rng.uniform() < 0.25:
        quality = int(rng.randint(35, 91))
        encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])[1]
        image = cv2.imdecode(encoded, cv2.IMREAD_GRAYSCALE)
    return image


def make_synthetic_chars(
    n_per_class: int = 100,
    *,
    characters: str = _PLATE_CHARACTERS,
    fonts: str | os.PathLike | Sequence[str | os.PathLike] | None = None,
    ink_spread: float = 0.0,
    random_state: int | np.random.RandomState | None = None,
    return_X_y: bool = False,
) -> Bunch | tuple[list[np.ndarray], np.ndarray]:
    """Render augmented character crops that look like characters cut out of plates.

    Parameters
    ----------
    n_per_class : int, default=100
        Number of images per character.
    characters : str, default="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        The classes, one character each.
    fonts : path, list of paths or None, default=None
        Font files to draw with, or built-in fonts: ``"skplate-din"``,
        ``"skplate-din-bold"``, ``"skplate-din-narrow"`` (skplate's condensed plate face,
        drawn from strokes) and ``"hershey-simplex"``/``"hershey-duplex"`` (OpenCV's).
        None uses the condensed/bold sans-serif faces shipped with skplate (DejaVu;
        :func:`skplate.datasets.default_fonts`) and ``"skplate-din"``, the same on every
        machine; ``default_fonts(system=True)`` names this machine's plate-like fonts
        instead. The font list is part of what ``random_state`` reproduces.
    ink_spread : float, default=0.0
        Share of the glyphs not thinned by the stroke-weight step whose ink spreads the
        way a photo's blur and binarisation spread it (blurred by 3-7 % of the glyph
        height, thresholded again at 15-40 % of full ink): counters and notches of bold
        letters fill, as an ``M``'s middle notch does on plates. 0 (the default) draws
        none and no random numbers for it, so the images are those of skplate versions
        without the option; 0.3 gives the tenth benchmark round's training characters
        (docs/benchmarks.md: over ten trained networks it did not read more plates).
    random_state : int, RandomState instance or None, default=None
        Seed of the rendering and augmentation; an int gives the same images every call.
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        images : list of ndarray
            uint8 gray ``(H, W)`` crops, ``H`` from 24 to 64 px, ``W`` following the
            character's shape.
        target : ndarray of str, shape (n_per_class * len(characters),)
            The character of each image, round-robin over ``characters`` so every
            prefix or suffix of the data is balanced.
        DESCR : str
            Description of the data.
    (images, target) : tuple
        When ``return_X_y`` is True.

    Examples
    --------
    >>> from skplate.datasets import make_synthetic_chars
    >>> images, target = make_synthetic_chars(2, random_state=0, return_X_y=True)
    >>> len(images), target[:3].tolist()
    (72, ['0', '1', '2'])
    """
    if (
        isinstance(n_per_class, bool)
        or not isinstance(n_per_class, int | np.integer)
        or (n_per_class < 1)
    ):
        raise ValueError(f"n_per_class must be a positive integer, got {n_per_class!r}.")
    characters = _check_characters(characters)
    fonts = _check_fonts(fonts)
    if isinstance(ink_spread, bool) or not isinstance(ink_spread, Real) or not 0 <= ink_spread <= 1:
        raise ValueError(f"ink_spread must be a number in [0, 1], got {ink_spread!r}.")
    rng = check_random_state(random_state)
    for font in fonts:  # fail early, naming the font, if it cannot draw a character
        for char in characters:
            render_glyph(font, char)

    images, target = [], []
    for _ in range(int(n_per_class)):
        for char in characters:
            font = fonts[rng.randint(len(fonts))]
            images.append(_shade(rng, _char_mask(rng, font, char, characters, ink_spread)))
            target.append(char)
    target = np.array(target, dtype=str)
    if return_X_y:
        return images, target
    names = ", ".join(os.path.basename(font) for font in fonts)
    descr = _CHARS_DESCR.format(
        n_images=len(images),
        n_per_class=n_per_class,
        characters=characters,
        fonts=names,
        min_h=_MIN_HEIGHT,
        max_h=_MAX_HEIGHT,
        spread=(
            # the glyphs not thinned: 5 of the 7 stroke weights
            f", ink spread into notches and counters (blur and a low threshold, on about "
            f"{ink_spread * 5 / 7:.0%} of the glyphs)"
            if ink_spread
            else ""
        ),
    )
    return Bunch(images=images, target=target, DESCR=descr)


def _background(rng: np.random.RandomState, height: int, width: int) -> np.ndarray:
    """A photo-like BGR background: smooth colour blotches, shapes, gradient and noise."""
    coarse = rng.uniform(30, 200, (rng.randint(3, 9), rng.randint(3, 9), 3))
    image = cv2.resize(coarse.astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC)
    for _ in range(rng.randint(2, 7)):
        color = tuple(float(v) for v in rng.uniform(0, 220, 3))
        x, y = int(rng.randint(width)), int(rng.randint(height))
        w, h = int(rng.randint(width // 8, width // 2)), int(rng.randint(height // 8, height // 2))
        if rng.uniform() < 0.5:
            cv2.rectangle(image, (x - w // 2, y - h // 2), (x + w // 2, y + h // 2), color, -1)
        else:
            cv2.ellipse(image, (x, y), (w // 2, h // 2), rng.uniform(0, 180), 0, 360, color, -1)
    image = cv2.GaussianBlur(image, (0, 0), rng.uniform(1.0, 3.0))
    yy = np.linspace(-1.0, 1.0, height, dtype=np.float32)[:, None, None]
    image = image + rng.uniform(-30, 30) * yy + rng.normal(0, 4, image.shape).astype(np.float32)
    return np.clip(image, 0, 255)


def _plate(rng: np.random.RandomState, text: str, font: str) -> np.ndarray:
    """A frontal BGR plate at high resolution: text, margins, border and optional EU band."""
    ink = render_text_line(text, font, cap_height=100, spacing=rng.uniform(0.14, 0.24))
    text_h, text_w = ink.shape
    plate_h = round(text_h / rng.uniform(0.62, 0.7))
    band_w = round(0.38 * plate_h) if rng.uniform() < 0.5 else 0
    margin = round(rng.uniform(0.15, 0.3) * text_h)
    plate_w = band_w + text_w + 2 * margin
    paper = rng.uniform(225, 255) - rng.uniform(0, 12, 3)  # slightly tinted white
    plate = np.empty((plate_h, plate_w, 3), np.float32)
    plate[:] = paper
    x = band_w + margin
    y = (plate_h - text_h) // 2 + round(rng.uniform(-0.04, 0.04) * plate_h)
    alpha = ink.astype(np.float32)[:, :, None] / 255.0
    region = plate[y : y + text_h, x : x + text_w]
    ink_color = rng.uniform(0, 45)
    region[:] = region * (1.0 - alpha) + ink_color * alpha
    if band_w:
        plate[:, :band_w] = (153 + rng.uniform(-20, 20), 51 + rng.uniform(-15, 15), 10)
    border = max(3, round(0.035 * plate_h))
    cv2.rectangle(plate, (0, 0), (plate_w - 1, plate_h - 1), (ink_color,) * 3, border)
    return plate


def make_synthetic_plates(
    texts: str | Sequence[str],
    *,
    random_state: int | np.random.RandomState | None = None,
    image_size: tuple[int, int] = (416, 416),
    font: str | os.PathLike | None = None,
) -> Bunch:
    """Draw plates with known text on photo-like backgrounds, with their exact boxes.

    Each plate is frontal and axis-aligned: dark characters (about 62-70% of the plate
    height, well separated) on a white plate with a thin dark border, a blue EU band on
    the left half of the time, pasted at a random position with a width of 25-40% of the
    image width.

    Parameters
    ----------
    texts : str or sequence of str
        The plate texts, one photo each (a single string makes one photo).
    random_state : int, RandomState instance or None, default=None
        Seed of the backgrounds, plate sizes and positions.
    image_size : tuple of int, default=(416, 416)
        ``(height, width)`` of the photos.
    font : path or None, default=None
        Font file of the plate text, or a built-in font (``"skplate-din"``,
        ``"skplate-din-bold"``, ``"skplate-din-narrow"``: skplate's condensed plate face;
        ``"hershey-simplex"``, ``"hershey-duplex"``: OpenCV's); None takes the first
        of :func:`skplate.datasets.default_fonts`, a face shipped with skplate.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        samples : list of PlateSample
            ``PlateSample(image, box, name="synthetic-<i>-<text>")``.
        target : ndarray of str
            The texts.
        images : list of ndarray
            uint8 BGR photos of shape ``(height, width, 3)``.
        boxes : ndarray of int, shape (n_plates, 4)
            Plate boxes ``(x1, y1, x2, y2)``, ``x2``/``y2`` exclusive.
        DESCR : str
            Description of the data.
    """
    if isinstance(texts, str):
        texts = [texts]
    texts = list(texts)
    for index, text in enumerate(texts):
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"texts[{index}] must be a non-empty string, got {text!r}.")
    try:
        height, width = (int(v) for v in image_size)
    except (TypeError, ValueError):
        raise ValueError(f"image_size must be (height, width), got {image_size!r}.") from None
    if height < 64 or width < 64:
        raise ValueError(f"image_size must be at least (64, 64), got {image_size!r}.")
    font = _check_fonts(font)[0] if font is not None else _check_fonts(None)[0]
    rng = check_random_state(random_state)

    images, boxes, samples = [], [], []
    for index, text in enumerate(texts):
        image = _background(rng, height, width)
        plate = _plate(rng, text, font)
        plate_w = round(rng.uniform(0.25, 0.4) * width)
        scale = min(
            plate_w / plate.shape[1], 0.5 * height / plate.shape[0], (width - 2) / plate.shape[1]
        )
        plate_w = max(8, round(plate.shape[1] * scale))
        plate_h = max(4, round(plate.shape[0] * scale))
        plate = cv2.resize(plate, (plate_w, plate_h), interpolation=cv2.INTER_AREA)
        x1 = int(rng.randint(0, width - plate_w + 1))
        y1 = int(rng.randint(0, height - plate_h + 1))
        image[y1 : y1 + plate_h, x1 : x1 + plate_w] = plate
        image = image + rng.normal(0, rng.uniform(0.5, 3.0), image.shape).astype(np.float32)
        image = np.clip(np.round(image), 0, 255).astype(np.uint8)
        box = (x1, y1, x1 + plate_w, y1 + plate_h)
        images.append(image)
        boxes.append(box)
        samples.append(PlateSample(image, box, f"synthetic-{index}-{text}"))
    return Bunch(
        samples=samples,
        target=np.array(texts, dtype=str),
        images=images,
        boxes=np.array(boxes, dtype=np.int64).reshape(-1, 4),
        DESCR=_PLATES_DESCR.format(n_images=len(images), height=height, width=width),
    )
