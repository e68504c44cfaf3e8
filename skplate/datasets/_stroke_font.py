"""A built-in condensed plate font drawn from strokes (DIN 1451- and UK-plate-like).

The fonts of a typical machine (DejaVu, Liberation) are book faces: their ``2`` has a
curved spine, their ``W`` is wide and their ``1`` has a foot. Plate lettering is
condensed and geometric: a ``2`` whose spine is a straight diagonal over a flat base,
a narrow ``W``, a ``1`` with a flag and no foot, stadium-shaped ``0`` and ``O``. This
module draws such a face from centre-line strokes (lines and elliptic arcs) with
OpenCV, so it needs no font file and renders the same everywhere.

Each glyph is a list of strokes in a unit box: ``y`` from 0 (cap line) to 1 (baseline),
``x`` from 0 to the glyph's width (in cap heights). The strokes are centre lines; the
ink extends half a stroke width beyond them.
"""

from __future__ import annotations

import cv2
import numpy as np

__all__ = ["STROKE_FONT", "STROKE_FONTS", "draw_stroke_glyph"]

_STROKE = 0.14  # the regular stroke width, in cap heights (the glyphs are laid out for it)
_H = _STROKE / 2  # centre lines stay half a stroke inside the box

#: Name of the built-in stroke font's regular face, usable wherever a font file is accepted.
STROKE_FONT = "skplate-din"

# Face -> (stroke width in cap heights, horizontal scale of the glyphs).
_FACES = {
    STROKE_FONT: (_STROKE, 1.0),
    "skplate-din-bold": (0.18, 1.0),
    "skplate-din-narrow": (0.13, 0.78),
}
#: The faces of the stroke font: regular, bold and narrow.
STROKE_FONTS = tuple(_FACES)

_TOP, _BOTTOM, _MIDDLE = _H, 1 - _H, 0.5


def _arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float) -> np.ndarray:
    """Points of an elliptic arc from ``start`` to ``end`` degrees (0 = +x, 90 = down)."""
    angles = np.radians(np.linspace(start, end, max(8, int(abs(end - start) / 6) + 1)))
    return np.column_stack([cx + rx * np.cos(angles), cy + ry * np.sin(angles)])


def _line(*points: tuple[float, float]) -> np.ndarray:
    return np.asarray(points, dtype=np.float64)


def _join(*parts: np.ndarray) -> np.ndarray:
    """One polyline through ``parts`` in order."""
    return np.concatenate(parts, axis=0)


def _glyphs() -> dict[str, tuple[float, list[np.ndarray]]]:
    """The font: character -> (width in cap heights, centre-line strokes)."""
    g: dict[str, tuple[float, list[np.ndarray]]] = {}
    w = 0.56  # the usual glyph width
    left, right = _H, w - _H
    cx = w / 2
    r = (right - left) / 2  # corner radius of the round glyphs
    top_c, bottom_c = _TOP + r, _BOTTOM - r  # centres of the top and bottom arcs

    # Digits.
    g["0"] = (w, [_join(_arc(cx, top_c, r, r, 180, 360), _arc(cx, bottom_c, r, r, 0, 180),
                        _line((left, top_c)))])
    g["1"] = (0.36, [_line((0.36 - _H, _TOP), (0.36 - _H, _BOTTOM)),
                     _line((_H, _TOP + 0.2), (0.36 - _H, _TOP))])
    g["2"] = (w, [_join(_arc(cx, _TOP + 0.22, r, 0.22, 190, 385),
                        _line((left, _BOTTOM), (right, _BOTTOM)))])
    ry3 = 0.21
    g["3"] = (w, [_join(_arc(cx, _TOP + ry3, r, ry3, 195, 450),
                        _arc(cx, _BOTTOM - 0.235, r, 0.235, 270, 525))])
    x4 = right - 0.06
    g["4"] = (w, [_line((x4, _BOTTOM), (x4, _TOP), (left, 0.68), (right, 0.68))])
    ry5 = 0.245
    g["5"] = (w, [_join(_line((right, _TOP), (left + 0.02, _TOP), (left, 0.47)),
                        _arc(cx, _BOTTOM - ry5, r, ry5, 225, 515))])
    ry6 = 0.245
    g["6"] = (w, [_arc(cx, _BOTTOM - ry6, r, ry6, 0, 360),
                  _join(_arc(cx, top_c, r, r, 320, 180), _line((left, _BOTTOM - ry6)))])
    g["7"] = (w, [_line((left, _TOP), (right, _TOP), (left + 0.1, _BOTTOM))])
    g["8"] = (w, [_arc(cx, _TOP + 0.205, r * 0.88, 0.205, 0, 360),
                  _arc(cx, _BOTTOM - 0.235, r, 0.235, 0, 360)])
    g["9"] = (w, [_arc(cx, _TOP + ry6, r, ry6, 0, 360),
                  _join(_line((right, _TOP + ry6)), _arc(cx, bottom_c, r, r, 0, 140))])

    # Letters.
    g["A"] = (0.6, [_line((_H, _BOTTOM), (0.3, _TOP), (0.6 - _H, _BOTTOM)),
                    _line((0.15, 0.68), (0.45, 0.68))])
    rb1, rb2 = (_MIDDLE - _TOP) / 2, (_BOTTOM - _MIDDLE) / 2
    xb1, xb2 = right - rb1 * 0.9, right - rb2 * 0.9
    g["B"] = (w, [_join(_line((xb1, _MIDDLE), (left, _MIDDLE), (left, _TOP), (xb1, _TOP)),
                        _arc(xb1, _TOP + rb1, right - 0.03 - xb1, rb1, 270, 450)),
                  _join(_line((left, _MIDDLE), (left, _BOTTOM), (xb2, _BOTTOM)),
                        _arc(xb2, _BOTTOM - rb2, right - xb2, rb2, 90, -90),
                        _line((xb2, _MIDDLE)))])
    g["C"] = (w, [_join(_arc(cx, top_c, r, r, 335, 180), _arc(cx, bottom_c, r, r, 180, 25))])
    g["D"] = (w, [_join(_line((right - r, _BOTTOM), (left, _BOTTOM), (left, _TOP),
                              (right - r, _TOP)),
                        _arc(right - r, top_c, r, r, 270, 360),
                        _arc(right - r, bottom_c, r, r, 0, 90))])
    g["E"] = (0.5, [_line((0.5 - _H, _TOP), (_H, _TOP), (_H, _BOTTOM), (0.5 - _H, _BOTTOM)),
                    _line((_H, _MIDDLE), (0.45 - _H, _MIDDLE))])
    g["F"] = (0.5, [_line((0.5 - _H, _TOP), (_H, _TOP), (_H, _BOTTOM)),
                    _line((_H, _MIDDLE), (0.45 - _H, _MIDDLE))])
    g["G"] = (w, [_join(_arc(cx, top_c, r, r, 335, 180), _arc(cx, bottom_c, r, r, 180, 0),
                        _line((right, 0.55), (cx, 0.55)))])
    g["H"] = (w, [_line((left, _TOP), (left, _BOTTOM)), _line((right, _TOP), (right, _BOTTOM)),
                  _line((left, _MIDDLE), (right, _MIDDLE))])
    g["I"] = (_STROKE, [_line((_H, _TOP), (_H, _BOTTOM))])
    g["J"] = (0.5, [_join(_line((0.5 - _H, _TOP)),
                          _arc(0.25, _BOTTOM - 0.18, 0.25 - _H, 0.18, 0, 165))])
    g["K"] = (w, [_line((left, _TOP), (left, _BOTTOM)), _line((right, _TOP), (left, 0.62)),
                  _line((left + 0.14, 0.5), (right, _BOTTOM))])
    g["L"] = (0.5, [_line((_H, _TOP), (_H, _BOTTOM), (0.5 - _H, _BOTTOM))])
    wm = 0.66
    g["M"] = (wm, [_line((_H, _BOTTOM), (_H, _TOP), (wm / 2, 0.7), (wm - _H, _TOP),
                         (wm - _H, _BOTTOM))])
    g["N"] = (w, [_line((left, _BOTTOM), (left, _TOP), (right, _BOTTOM), (right, _TOP))])
    wo = 0.62
    ro = wo / 2 - _H
    g["O"] = (wo, [_join(_arc(wo / 2, _TOP + ro, ro, ro, 180, 360),
                         _arc(wo / 2, _BOTTOM - ro, ro, ro, 0, 180), _line((_H, _TOP + ro)))])
    rp = 0.28 - _H / 2
    xp = right - rp * 0.9
    g["P"] = (w, [_join(_line((left, _BOTTOM), (left, _TOP), (xp, _TOP)),
                        _arc(xp, _TOP + rp, right - xp, rp, 270, 450),
                        _line((left, _TOP + 2 * rp)))])
    g["Q"] = (wo, [*g["O"][1], _line((wo / 2 + 0.04, _BOTTOM - 0.2), (wo - _H + 0.02, 1.02))])
    g["R"] = (w, [*g["P"][1], _line((cx - 0.02, _TOP + 2 * rp), (right, _BOTTOM))])
    rs1, rs2 = 0.215, 0.235
    g["S"] = (w, [_join(_arc(cx, _TOP + rs1, r, rs1, 335, 90),
                        _arc(cx, _BOTTOM - rs2, r, rs2, 270, 510))])
    g["T"] = (w, [_line((_H, _TOP), (w - _H, _TOP)), _line((cx, _TOP), (cx, _BOTTOM))])
    g["U"] = (w, [_join(_line((left, _TOP)), _arc(cx, bottom_c, r, r, 180, 0),
                        _line((right, _TOP)))])
    g["V"] = (0.6, [_line((_H, _TOP), (0.3, _BOTTOM), (0.6 - _H, _TOP))])
    ww = 0.7
    g["W"] = (ww, [_line((_H, _TOP), (0.2, _BOTTOM), (ww / 2, 0.3), (ww - 0.2, _BOTTOM),
                         (ww - _H, _TOP))])
    g["X"] = (w, [_line((left, _TOP), (right, _BOTTOM)), _line((right, _TOP), (left, _BOTTOM))])
    g["Y"] = (0.6, [_line((_H, _TOP), (0.3, 0.52), (0.6 - _H, _TOP)),
                    _line((0.3, 0.52), (0.3, _BOTTOM))])
    g["Z"] = (w, [_line((left, _TOP), (right, _TOP), (left, _BOTTOM), (right, _BOTTOM))])
    return g


_GLYPHS = _glyphs()


def draw_stroke_glyph(char: str, cap_height: int = 70, font: str = STROKE_FONT) -> np.ndarray:
    """Draw one character of the stroke font as a uint8 ink mask (255 = ink) with a blank margin.

    :func:`skplate.datasets._fonts.render_glyph` crops it to the ink, as it does the other
    fonts' glyphs.

    Parameters
    ----------
    char : str
        A digit or a Latin capital.
    cap_height : int, default=70
        Height of the glyph in pixels.
    font : str, default="skplate-din"
        The face, one of :data:`STROKE_FONTS`.
    """
    if font not in _FACES:
        raise ValueError(f"font must be one of {list(STROKE_FONTS)}, got {font!r}.")
    if char not in _GLYPHS:
        raise ValueError(f"The font {font} draws nothing for the character {char!r}.")
    stroke, scale = _FACES[font]
    width, strokes = _GLYPHS[char]
    thickness = max(1, round(stroke * cap_height))
    pad = thickness + 2
    size = (cap_height + 2 * pad, round(width * scale * cap_height) + 2 * pad + 2)
    canvas = np.zeros(size, np.uint8)
    for points in strokes:
        points = (points * (scale, 1.0)) * cap_height + pad
        pixels = np.round(points * 8).astype(np.int32)  # 3 subpixel bits
        cv2.polylines(canvas, [pixels], False, 255, thickness, cv2.LINE_AA, shift=3)
    return canvas
