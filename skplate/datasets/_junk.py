"""Synthetic "not a character" crops: the stickers, emblems and logos a segmenter cuts out.

Real plates carry things between and beside their characters that survive the segmenter's
size and alignment filters: inspection stickers (a box with small digits in it), city and
country emblems, dealer or emirate logos (small text, sometimes in two rows), screws,
dashes and dots. Read as characters they add a letter to the plate (``AWS167`` read
``AWSE767``). A class of such shapes lets the classifier say "this is not a character" and
the decoder skip it (:class:`~skplate.recognizer.PlateRecognizer` uses its probability as
the segment's skip score).

Thin vertical bars (frame sides) are deliberately absent: once stretched to the network's
square input they are indistinguishable from ``1`` and ``I``.
"""

from __future__ import annotations

import itertools
from numbers import Integral

import cv2
import numpy as np
from sklearn.utils import Bunch, check_random_state

from ..formats import NOT_A_CHARACTER

__all__ = ["JUNK_KINDS", "make_synthetic_junk"]

_SMALL_TEXT = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_COUNTRY_LETTERS = "ABCDEFGHIKLMNPRSU"
_HERSHEY = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_PLAIN)


def _small_text(
    rng: np.random.RandomState, canvas: np.ndarray, box: tuple, color: int, lengths=(1, 5)
) -> None:
    """Write tiny characters (``lengths``: their number, low inclusive, high exclusive)
    centred in ``box`` (x1, y1, x2, y2)."""
    x1, y1, x2, y2 = box
    text = "".join(rng.choice(list(_SMALL_TEXT), rng.randint(*lengths)))
    face = _HERSHEY[rng.randint(len(_HERSHEY))]
    thickness = int(rng.randint(1, 3))
    (w, h), _ = cv2.getTextSize(text, face, 1.0, thickness)
    scale = 0.8 * min((x2 - x1) / max(w, 1), (y2 - y1) / max(h, 1))
    if scale <= 0.05:
        return
    (w, h), _ = cv2.getTextSize(text, face, scale, thickness)
    origin = ((x1 + x2 - w) // 2, (y1 + y2 + h) // 2)
    cv2.putText(canvas, text, origin, face, scale, color, thickness, cv2.LINE_8)


def _ring_of_dots(
    canvas: np.ndarray, centre: tuple, radius: float, dot: int, color: int
) -> None:
    """Twelve dots on a circle: the EU stars."""
    for angle in np.linspace(0, 2 * np.pi, 12, endpoint=False):
        x = int(centre[0] + radius * np.cos(angle))
        y = int(centre[1] + radius * np.sin(angle))
        cv2.circle(canvas, (x, y), dot, color, -1)


def _sticker(rng: np.random.RandomState, h: int) -> np.ndarray:
    """A round-cornered box, filled or outlined, with small text inside."""
    w = int(h * rng.uniform(0.55, 1.2))
    canvas = np.zeros((h, w), np.uint8)
    radius = int(min(h, w) * rng.uniform(0.05, 0.3))
    filled = rng.uniform() < 0.4
    thickness = -1 if filled else max(2, int(h * rng.uniform(0.06, 0.14)))
    _rounded_box(canvas, (0, 0, w - 1, h - 1), radius, 255, thickness)
    margin = max(2, int(0.18 * min(h, w)))
    _small_text(rng, canvas, (margin, margin, w - margin, h - margin), 0 if filled else 255)
    return canvas


def _rounded_box(canvas: np.ndarray, box: tuple, radius: int, color: int, thickness: int) -> None:
    x1, y1, x2, y2 = box
    radius = max(0, min(radius, (x2 - x1) // 2, (y2 - y1) // 2))
    if radius == 0:
        cv2.rectangle(canvas, (x1, y1), (x2, y2), color, thickness)
        return
    mask = np.zeros_like(canvas)
    cv2.rectangle(mask, (x1 + radius, y1), (x2 - radius, y2), 255, -1)
    cv2.rectangle(mask, (x1, y1 + radius), (x2, y2 - radius), 255, -1)
    for cx, cy in ((x1 + radius, y1 + radius), (x2 - radius, y1 + radius),
                   (x1 + radius, y2 - radius), (x2 - radius, y2 - radius)):
        cv2.circle(mask, (cx, cy), radius, 255, -1)
    if thickness < 0:
        canvas[mask > 0] = color
        return
    kernel = np.ones((2 * thickness + 1,) * 2, np.uint8)
    inner = cv2.erode(mask, kernel, borderType=cv2.BORDER_CONSTANT, borderValue=0)
    canvas[(mask > 0) & (inner == 0)] = color


def _emblem(rng: np.random.RandomState, h: int) -> np.ndarray:
    """Two or three stacked badges (discs or shields), some with a mark inside."""
    w = int(h * rng.uniform(0.35, 0.7))
    canvas = np.zeros((h, w), np.uint8)
    n_parts = int(rng.randint(2, 4))
    cut = np.sort(rng.uniform(0.25, 0.75, n_parts - 1)) * h
    edges = np.concatenate([[0], cut, [h]]).astype(int)
    for top, bottom in itertools.pairwise(edges):
        gap = max(1, int(0.08 * (bottom - top)))
        top, bottom = top + gap, bottom - gap
        if bottom - top < 4:
            continue
        cy, ry = (top + bottom) // 2, (bottom - top) // 2
        rx = int(w * rng.uniform(0.3, 0.5))
        if rng.uniform() < 0.5:
            cv2.ellipse(canvas, (w // 2, cy), (rx, ry), 0, 0, 360, 255, -1)
        else:  # a shield: square top, pointed bottom
            points = np.array(
                [[w // 2 - rx, top], [w // 2 + rx, top], [w // 2 + rx, cy],
                 [w // 2, bottom], [w // 2 - rx, cy]], np.int32
            )
            cv2.fillPoly(canvas, [points], 255)
        if rng.uniform() < 0.6:
            _small_text(rng, canvas, (w // 2 - rx // 2, top + ry // 3, w // 2 + rx // 2,
                                      bottom - ry // 3), 0)
    return canvas


def _logo(rng: np.random.RandomState, h: int) -> np.ndarray:
    """One to three rows of small text or script-like squiggles (a dealer or city name)."""
    w = int(h * rng.uniform(1.0, 2.5))
    canvas = np.zeros((h, w), np.uint8)
    n_rows = int(rng.randint(1, 4))
    row_h = h // n_rows
    for row in range(n_rows):
        top = row * row_h
        if rng.uniform() < 0.3:  # script: a fast wavy stroke with dots (slower waves are W, M)
            xs = np.linspace(2, w - 3, 48)
            ys = top + row_h / 2 + 0.3 * row_h * np.sin(xs / w * 2 * np.pi * rng.uniform(4, 8))
            points = np.stack([xs, ys], axis=1).astype(np.int32)
            cv2.polylines(canvas, [points], False, 255, max(1, int(0.12 * row_h)))
            for _ in range(rng.randint(1, 5)):
                centre = (int(rng.uniform(2, w - 2)), int(top + rng.uniform(0.1, 0.9) * row_h))
                cv2.circle(canvas, centre, max(1, int(0.08 * row_h)), 255, -1)
        else:
            # Never one or two characters alone: cropped to its ink, that is a character.
            _small_text(rng, canvas, (1, top + 1, w - 1, top + row_h - 1), 255, (3, 8))
    return canvas


def _blob(rng: np.random.RandomState, h: int) -> np.ndarray:
    """A filled irregular shape: a smudge, a bolt head, a dash or a dot."""
    w = int(h * rng.uniform(0.3, 1.3))
    canvas = np.zeros((h, w), np.uint8)
    points = np.stack([rng.uniform(0, w, 7), rng.uniform(0, h, 7)], axis=1).astype(np.int32)
    cv2.fillPoly(canvas, [cv2.convexHull(points)], 255)
    if rng.uniform() < 0.4:  # a screw: a slot or a cross through the head
        cv2.line(canvas, (0, h // 2), (w, h // 2), 0, max(1, h // 10))
        if rng.uniform() < 0.5:
            cv2.line(canvas, (w // 2, 0), (w // 2, h), 0, max(1, w // 10))
    return canvas


def _star_ring(rng: np.random.RandomState, h: int) -> np.ndarray:
    """A ring of dots (the EU stars) with or without a country letter under it."""
    w = int(h * rng.uniform(0.5, 0.9))
    canvas = np.zeros((h, w), np.uint8)
    ring_h = int(h * (0.55 if rng.uniform() < 0.6 else 0.95))
    radius = 0.38 * min(ring_h, w)
    dot = max(1, int(radius * rng.uniform(0.12, 0.22)))
    _ring_of_dots(canvas, (w / 2, ring_h / 2), radius, dot, 255)
    if ring_h < h:
        _small_text(rng, canvas, (1, ring_h, w - 1, h - 1), 255)
    return canvas


def _symbol(rng: np.random.RandomState, h: int) -> np.ndarray:
    """A filled pictogram: a heart, a star, a cross or an arrow."""
    w = int(h * rng.uniform(0.6, 1.2))
    canvas = np.zeros((h, w), np.uint8)
    shape = rng.randint(4)
    if shape == 0:  # heart: two lobes and a point
        r = max(2, int(0.27 * w))
        cv2.circle(canvas, (r, r), r, 255, -1)
        cv2.circle(canvas, (w - 1 - r, r), r, 255, -1)
        points = np.array([[0, int(1.2 * r)], [w - 1, int(1.2 * r)], [w // 2, h - 1]], np.int32)
        cv2.fillPoly(canvas, [points], 255)
    elif shape == 1:  # star with five points
        angles = np.linspace(-np.pi / 2, 1.5 * np.pi, 11)[:-1]
        radii = np.where(np.arange(10) % 2 == 0, 0.5, rng.uniform(0.2, 0.3))
        xs = w / 2 + radii * w * np.cos(angles)
        ys = h / 2 + radii * h * np.sin(angles)
        cv2.fillPoly(canvas, [np.stack([xs, ys], axis=1).astype(np.int32)], 255)
    elif shape == 2:  # cross
        arm_w = max(2, int(w * rng.uniform(0.2, 0.35)))
        arm_h = max(2, int(h * rng.uniform(0.2, 0.35)))
        cv2.rectangle(canvas, ((w - arm_w) // 2, 0), ((w + arm_w) // 2, h - 1), 255, -1)
        cv2.rectangle(canvas, (0, (h - arm_h) // 2), (w - 1, (h + arm_h) // 2), 255, -1)
    else:  # arrow pointing left or right
        shaft = max(2, int(h * rng.uniform(0.15, 0.3)))
        head = int(w * rng.uniform(0.35, 0.6))
        cv2.rectangle(canvas, (0, (h - shaft) // 2), (w - head, (h + shaft) // 2), 255, -1)
        points = np.array([[w - head, 0], [w - 1, h // 2], [w - head, h - 1]], np.int32)
        cv2.fillPoly(canvas, [points], 255)
        if rng.uniform() < 0.5:
            canvas = canvas[:, ::-1].copy()
    return canvas


def _dashes(rng: np.random.RandomState, h: int) -> np.ndarray:
    """Two or three short bars or dots stacked with gaps: a hyphen with debris, an equals."""
    w = int(h * rng.uniform(0.4, 1.0))
    canvas = np.zeros((h, w), np.uint8)
    n_bars = int(rng.randint(2, 4))
    centres = np.sort(rng.uniform(0.1, 0.9, n_bars)) * h
    for centre in centres:
        half = max(1, int(h * rng.uniform(0.04, 0.1)))
        x1 = int(rng.uniform(0, 0.3) * w)
        x2 = w - 1 - int(rng.uniform(0, 0.3) * w)
        y = int(centre)
        if rng.uniform() < 0.7:
            cv2.rectangle(canvas, (x1, y - half), (x2, y + half), 255, -1)
        else:
            cv2.ellipse(canvas, ((x1 + x2) // 2, y), (max(1, (x2 - x1) // 2), half), 0, 0, 360,
                        255, -1)
    return canvas


def _band(rng: np.random.RandomState, h: int) -> np.ndarray:
    """An EU country band left in the crop: a dark strip, a ring of stars, a country code.

    The cropper paints the band out of colour photos; in gray ones, or when it is missed,
    it reaches the segmenter as a dark block with light marks.
    """
    w = int(h * rng.uniform(0.3, 0.6))
    canvas = np.full((h, w), 255, np.uint8)
    ring_h = int(0.55 * h)
    radius = 0.32 * min(ring_h, w)
    _ring_of_dots(canvas, (w / 2, ring_h / 2), radius, max(1, int(radius * 0.2)), 0)
    code = "".join(rng.choice(list(_COUNTRY_LETTERS), rng.randint(1, 3)))
    face = _HERSHEY[rng.randint(len(_HERSHEY))]
    (tw, th), _ = cv2.getTextSize(code, face, 1.0, 2)
    scale = 0.75 * min(w / max(tw, 1), (h - ring_h) / max(th, 1))
    if scale > 0.05:
        (tw, th), _ = cv2.getTextSize(code, face, scale, 2)
        origin = ((w - tw) // 2, ring_h + (h - ring_h + th) // 2)
        cv2.putText(canvas, code, origin, face, scale, 0, 2, cv2.LINE_8)
    return canvas


_KINDS = {
    "sticker": _sticker,
    "emblem": _emblem,
    "logo": _logo,
    "blob": _blob,
    "stars": _star_ring,
    "symbol": _symbol,
    "dashes": _dashes,
    "band": _band,
}
#: The kinds of non-character shapes drawn, in the order they are cycled through.
JUNK_KINDS = tuple(_KINDS)


def _damage(rng: np.random.RandomState, mask: np.ndarray) -> np.ndarray:
    """Rotation, stroke weight, blur and re-binarisation, as filters leave a segment."""
    pad = max(2, mask.shape[0] // 8)
    mask = cv2.copyMakeBorder(mask, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    angle = rng.uniform(-8, 8)
    rotation = cv2.getRotationMatrix2D((mask.shape[1] / 2, mask.shape[0] / 2), angle, 1.0)
    mask = cv2.warpAffine(mask, rotation, mask.shape[::-1], flags=cv2.INTER_LINEAR)
    mask = cv2.GaussianBlur(mask, (0, 0), rng.uniform(0.5, 2.0))
    level = rng.uniform(60, 150)  # thicken or thin the strokes (not so thin that frames vanish)
    return np.where(mask > level, 0, 255).astype(np.uint8)


def make_synthetic_junk(n_samples: int = 600, *, random_state: int | None = None) -> Bunch:
    """Binary crops of things on plates that are not characters.

    Stickers with small digits, stacked emblems, small logo text and script, blobs and
    screws, rings of EU stars, pictograms (hearts, stars, crosses, arrows), stacked
    dashes and EU country bands (a dark strip with light stars and country code), drawn
    as dark ink on white, 24-72 px high, rotated by up to 8 degrees, blurred and
    re-binarised at a random level so strokes thin or thicken the way the filter bank
    leaves them. Every crop is labelled
    :data:`~skplate.formats.NOT_A_CHARACTER`.

    Parameters
    ----------
    n_samples : int, default=600
        Crops to draw, cycling through :data:`JUNK_KINDS`.
    random_state : int, RandomState instance or None, default=None
        Seed of the drawing.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``images`` (list of uint8 arrays, dark on white), ``target`` (all
        ``NOT_A_CHARACTER``) and ``kind`` (the kind of each crop).

    Examples
    --------
    >>> from skplate.datasets import make_synthetic_junk
    >>> junk = make_synthetic_junk(5, random_state=0)
    >>> len(junk.images), set(junk.target)
    (5, {'_'})
    """
    if not isinstance(n_samples, Integral) or isinstance(n_samples, bool) or n_samples < 0:
        raise ValueError(f"n_samples must be an integer >= 0, got {n_samples!r}.")
    rng = check_random_state(random_state)
    images, kinds = [], []
    for index in range(n_samples):
        kind = JUNK_KINDS[index % len(JUNK_KINDS)]
        height = int(rng.randint(24, 73))
        images.append(_damage(rng, _KINDS[kind](rng, height)))
        kinds.append(kind)
    return Bunch(
        images=images,
        target=np.full(n_samples, NOT_A_CHARACTER),
        kind=np.asarray(kinds, dtype=str),
    )
