"""Plates of many countries' shapes, drawn and pasted into the locator's training crops.

UC3M-LP's photos hold Spanish plates only: long, white, one row of black characters. A
locator that learns from them alone scores square, two-row, yellow or dark plates low.
:func:`draw_plate` draws a gray plate of a random shape (aspect ratio 1 to 5, one or two
rows of characters, light or dark, with or without a border, a band, a smaller line of
text); :func:`paste_plate` warps one into a training crop, where it is a plate to find.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..datasets._fonts import BUILTIN_FONTS, render_text_line
from ._boxes import box_iou

__all__ = ["draw_plate", "draw_plates", "paste_plate"]

_CHARACTERS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: Height, in pixels, plates are drawn at before they are warped into a crop.
_DRAW_HEIGHT = 64


def _text_ink(rng: np.random.RandomState, height: int, max_width: int, n_chars: int) -> np.ndarray:
    """A random line of ``n_chars`` characters as an ink mask ``height`` pixels tall (or
    less, when it must shrink to fit ``max_width``)."""
    text = "".join(rng.choice(list(_CHARACTERS), n_chars))
    if n_chars > 4 and rng.uniform() < 0.4:  # a gap, as between a plate's groups
        cut = rng.randint(2, n_chars - 1)
        text = text[:cut] + " " + text[cut:]
    font = BUILTIN_FONTS[rng.randint(len(BUILTIN_FONTS))]
    ink = render_text_line(text, font, cap_height=48, spacing=rng.uniform(0.1, 0.3))
    scale = height / ink.shape[0]
    width = ink.shape[1] * scale * np.exp(rng.uniform(-0.2, 0.2))
    if width > max_width:
        scale *= max_width / width
        width = max_width
    size = (max(1, round(width)), max(1, round(ink.shape[0] * scale)))
    return cv2.resize(ink, size, interpolation=cv2.INTER_AREA)


def _put(plate: np.ndarray, ink: np.ndarray, x: int, y: int, level: float) -> None:
    """Paint ``ink`` (a 0-255 mask) into ``plate`` at ``(x, y)`` in gray ``level``."""
    h = min(ink.shape[0], plate.shape[0] - y)
    w = min(ink.shape[1], plate.shape[1] - x)
    if h <= 0 or w <= 0:
        return
    alpha = ink[:h, :w].astype(np.float32) / 255.0
    region = plate[y : y + h, x : x + w]
    region[:] = region * (1.0 - alpha) + level * alpha


def draw_plate(rng: np.random.RandomState) -> np.ndarray:
    """A random gray plate, ``64`` pixels tall, of a random shape.

    The aspect ratio is log-uniform between 1 and 5; plates under 2.2 wide carry two rows
    of characters two times in three. Light plates (seven in ten) have dark characters,
    dark ones light characters. A border, a band on the left and a small line of text
    above or below come at random.

    Returns
    -------
    plate : ndarray of float32, shape (64, width)
        Gray levels in [0, 255].
    """
    height = _DRAW_HEIGHT
    aspect = float(np.exp(rng.uniform(0.0, np.log(5.0))))
    width = max(height, round(aspect * height))
    light = rng.uniform() < 0.7
    paper = rng.uniform(150, 255) if light else rng.uniform(0, 90)
    ink_level = rng.uniform(0, max(0.0, paper - 110)) if light else rng.uniform(paper + 100, 255)
    plate = np.full((height, width), paper, np.float32)
    plate += np.linspace(-1, 1, width, dtype=np.float32)[None] * rng.uniform(-15, 15)

    band = round(rng.uniform(0.25, 0.4) * height) if aspect > 3 and rng.uniform() < 0.3 else 0
    if band:
        plate[:, :band] = rng.uniform(20, 110)
    left = band + round(rng.uniform(0.03, 0.08) * width)
    room = width - left - round(rng.uniform(0.03, 0.08) * width)
    top, bottom = round(rng.uniform(0.08, 0.16) * height), height
    if rng.uniform() < 0.35:  # a small line of text (a region's name, a slogan)
        small = _text_ink(rng, round(0.13 * height), room, rng.randint(4, 11))
        if rng.uniform() < 0.5:
            _put(plate, small, left + (room - small.shape[1]) // 2, top // 2, ink_level)
            top += small.shape[0] + top // 2
        else:
            bottom -= small.shape[0] + 4
            _put(plate, small, left + (room - small.shape[1]) // 2, bottom, ink_level)
    rows = 2 if aspect < 2.2 and rng.uniform() < 2 / 3 else 1
    space = bottom - top - round(0.08 * height)
    row_height = space // rows - (3 if rows == 2 else 0)
    y = top
    for _ in range(rows):
        n_chars = int(np.clip(round(room / (0.75 * row_height)), 2, 8)) - rng.randint(0, 2)
        ink = _text_ink(rng, max(4, row_height), room, max(2, n_chars))
        _put(
            plate,
            ink,
            left + (room - ink.shape[1]) // 2,
            y + (row_height - ink.shape[0]) // 2,
            ink_level,
        )
        y += row_height + 6
    if rng.uniform() < 0.5:
        cv2.rectangle(plate, (0, 0), (width - 1, height - 1), float(ink_level), rng.randint(1, 4))
    return plate


def draw_plates(n: int, rng: np.random.RandomState) -> list[np.ndarray]:
    """``n`` plates of :func:`draw_plate`."""
    return [draw_plate(rng) for _ in range(n)]


def paste_plate(
    crop: np.ndarray,
    boxes: np.ndarray,
    plates: list[np.ndarray],
    rng: np.random.RandomState,
    *,
    width_range: tuple[float, float] = (12.0, 100.0),
) -> tuple[np.ndarray, np.ndarray | None]:
    """Paste one of ``plates``, tilted and scaled, where it overlaps none of ``boxes``.

    The plate is scaled to a log-uniform width in ``width_range`` (pixels of the crop),
    blurred half of the time, rotated up to 6 degrees and sheared a little, and darkened
    at random. When no free place is found in a few tries the crop is left as it is.

    Returns
    -------
    crop : ndarray of uint8
    box : ndarray of shape (4,) or None
        The pasted plate's box (the bounding box of its corners); None when none was
        pasted.
    """
    size_y, size_x = crop.shape[:2]
    boxes = np.asarray(boxes, dtype=float).reshape(-1, 4)
    plate = plates[rng.randint(len(plates))]
    width = float(np.exp(rng.uniform(*np.log(width_range))))
    scale = min(width / plate.shape[1], 0.8 * size_y / plate.shape[0])
    size = (max(2, round(plate.shape[1] * scale)), max(2, round(plate.shape[0] * scale)))
    plate = cv2.resize(plate, size, interpolation=cv2.INTER_AREA)
    if rng.uniform() < 0.5:  # out of focus or moving, as small plates mostly are
        plate = cv2.GaussianBlur(plate, (0, 0), rng.uniform(0.3, 1.2))
    angle = np.deg2rad(rng.uniform(-6, 6))
    shear = rng.uniform(-0.15, 0.15)
    linear = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]) @ (
        np.array([[1.0, shear], [0.0, 1.0]])
    )
    h, w = plate.shape
    corners = np.array([[0, 0], [w, 0], [0, h], [w, h]], float) @ linear.T
    low, high = corners.min(axis=0), corners.max(axis=0)
    extent = high - low
    if extent[0] >= size_x - 2 or extent[1] >= size_y - 2:
        return crop, None
    for _ in range(5):
        x1 = rng.uniform(0, size_x - extent[0])
        y1 = rng.uniform(0, size_y - extent[1])
        box = np.array([x1, y1, x1 + extent[0], y1 + extent[1]])
        if not (box_iou(box, boxes) > 0).any():
            break
    else:
        return crop, None
    matrix = np.column_stack([linear, box[:2] - low])
    shade = rng.uniform(0.4, 1.1)
    warped = cv2.warpAffine(plate * shade, matrix, (size_x, size_y), flags=cv2.INTER_LINEAR)
    mask = cv2.warpAffine(np.ones_like(plate), matrix, (size_x, size_y), flags=cv2.INTER_LINEAR)
    blended = crop.astype(np.float32) * (1 - mask) + warped * mask
    crop = np.clip(np.round(blended), 0, 255).astype(np.uint8)
    return crop, box
