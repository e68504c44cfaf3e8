"""The fonts the generators draw with, and glyphs rendered from them as ink masks.

skplate ships the TrueType faces its generated training characters are drawn from
(:data:`BUNDLED_FONTS`, DejaVu 2.37 in ``skplate/datasets/fonts``), so that the same
command and seed give the same training data on every machine. The plate-like fonts of
the machine itself (:func:`find_plate_fonts`) are used only on request
(``default_fonts(system=True)``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import lru_cache
from importlib import resources
from pathlib import Path

import cv2
import numpy as np

from ._stroke_font import STROKE_FONT, STROKE_FONTS, draw_stroke_glyph

__all__ = [
    "BUILTIN_FONTS",
    "BUNDLED_FONTS",
    "HERSHEY_FONTS",
    "STROKE_FONT",
    "STROKE_FONTS",
    "default_fonts",
    "find_plate_fonts",
    "render_glyph",
    "render_text_line",
]

#: The TrueType faces shipped with skplate, closest to plate lettering first (file names
#: in ``skplate/datasets/fonts``; DejaVu 2.37, Bitstream Vera licence, see its LICENSE).
BUNDLED_FONT_FILES = (
    "DejaVuSansCondensed-Bold.ttf",
    "DejaVuSansCondensed.ttf",
    "DejaVuSans-Bold.ttf",
    "DejaVuSansMono-Bold.ttf",
    "DejaVuSans.ttf",
)


def _bundled_fonts() -> tuple[str, ...]:
    folder = resources.files(__package__).joinpath("fonts")
    return tuple(str(folder.joinpath(name)) for name in BUNDLED_FONT_FILES)


#: Paths of the shipped TrueType faces (:data:`BUNDLED_FONT_FILES`), the generators' fonts
#: by default.
BUNDLED_FONTS = _bundled_fonts()

#: Condensed or bold sans-serif fonts a machine may have, closest to plate lettering first.
CANDIDATE_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf",
    "/usr/share/fonts/TTF/DejaVuSansCondensed-Bold.ttf",
    "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSansNarrow-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSansNarrow-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationMono-Bold.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSansNarrow-Bold.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf",
    "/usr/share/fonts/liberation/LiberationSans-Bold.ttf",
    "/System/Library/Fonts/Supplemental/DIN Condensed Bold.ttf",
    "/System/Library/Fonts/Supplemental/Arial Narrow Bold.ttf",
    "/System/Library/Fonts/Supplemental/Arial Bold.ttf",
    "C:/Windows/Fonts/arialnb.ttf",
    "C:/Windows/Fonts/arialbd.ttf",
)

#: OpenCV's built-in sans-serif stroke fonts, used when no TrueType font is found.
HERSHEY_FONTS = ("hershey-simplex", "hershey-duplex")
_HERSHEY_FACES = {
    "hershey-simplex": cv2.FONT_HERSHEY_SIMPLEX,
    "hershey-duplex": cv2.FONT_HERSHEY_DUPLEX,
}
_HERSHEY_FONTS_SET = frozenset(HERSHEY_FONTS)

#: Fonts drawn without a font file: OpenCV's Hershey fonts and skplate's stroke font.
BUILTIN_FONTS = (*HERSHEY_FONTS, *STROKE_FONTS)
_BUILTIN_FONTS_SET = frozenset(BUILTIN_FONTS)
_STROKE_FONTS_SET = frozenset(STROKE_FONTS)

_PLATE_LIKE = re.compile(r"sans|arial|helvet|din|roboto|liberation|gothic|ubuntu", re.I)
_NOT_PLATE_LIKE = re.compile(
    r"serif|italic|oblique|light|thin|math|emoji|symbol|cjk|mono(?!-?bold)|black|extra",
    re.I,
)
_MAX_SYSTEM_FONTS = 8


def _fc_list() -> list[str]:
    """Font files reported by fontconfig, or none when it is not installed."""
    executable = shutil.which("fc-list")
    if executable is None:
        return []
    try:
        result = subprocess.run(
            [executable, "--format", "%{file}\\n"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({line.strip() for line in result.stdout.splitlines() if line.strip()})


def _renders_latin(path: str) -> bool:
    """Whether a font can be opened and draws distinct glyphs for ``0``, ``A`` and ``8``."""
    try:
        masks = [_render_truetype(path, char, 48) for char in "0A8"]
    except (ImportError, OSError, ValueError):  # no Pillow, or an unusable font file
        return False
    if any(mask.size == 0 or mask.max() == 0 for mask in masks):
        return False
    shapes = {mask.shape for mask in masks}
    return len(shapes) > 1 or not all(np.array_equal(masks[0], m) for m in masks[1:])


@lru_cache(maxsize=1)
def find_plate_fonts() -> tuple[str, ...]:
    """Return the plate-like TrueType fonts of this machine, best first.

    The known condensed/bold sans-serif fonts (DejaVu, Liberation, Arial, DIN) come
    first, then up to a few bold or condensed sans-serif fonts reported by ``fc-list``.
    Fonts that cannot draw digits and Latin capitals are left out. When nothing is found
    the tuple is empty and callers fall back to :data:`HERSHEY_FONTS`.
    """
    found: list[str] = [path for path in CANDIDATE_FONTS if Path(path).is_file()]
    extra = [
        path
        for path in _fc_list()
        if Path(path).suffix.lower() in (".ttf", ".otf")
        and _PLATE_LIKE.search(Path(path).name)
        and not _NOT_PLATE_LIKE.search(Path(path).name)
    ]
    seen = {Path(path).resolve() for path in found}
    for path in extra[: 4 * _MAX_SYSTEM_FONTS]:
        if Path(path).resolve() not in seen and len(found) < len(seen) + _MAX_SYSTEM_FONTS:
            seen.add(Path(path).resolve())
            found.append(path)
    return tuple(path for path in found if _renders_latin(path))


def default_fonts(*, system: bool = False) -> tuple[str, ...]:
    """Return the fonts the generators draw with when none are given.

    Parameters
    ----------
    system : bool, default=False
        False: the TrueType faces shipped with skplate (:data:`BUNDLED_FONTS`), the same
        on every machine, so a seed gives the same training data everywhere. True: the
        plate-like fonts of this machine instead (:func:`find_plate_fonts`, or OpenCV's
        :data:`HERSHEY_FONTS` when there are none), which differ between machines.

    Returns
    -------
    fonts : tuple of str
        The TrueType fonts, then the regular face of skplate's own condensed plate font,
        :data:`STROKE_FONT`. Its bold and narrow faces (:data:`STROKE_FONTS`) can be named
        explicitly; as defaults they lowered the GoodImg accuracy of the trained network
        (docs/changelog.md, "Seventh round").
    """
    truetype = (find_plate_fonts() or HERSHEY_FONTS) if system else BUNDLED_FONTS
    return (*truetype, STROKE_FONT)


def _crop_to_ink(mask: np.ndarray) -> np.ndarray:
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return mask[:0, :0]
    return mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


@lru_cache(maxsize=64)
def _truetype(path: str, size: int):
    from PIL import ImageFont

    return ImageFont.truetype(path, size)


def _render_truetype(path: str, char: str, size: int) -> np.ndarray:
    from PIL import Image, ImageDraw

    font = _truetype(path, size)
    left, top, right, bottom = font.getbbox(char)
    pad = size // 4
    canvas = Image.new("L", (right - left + 2 * pad, bottom - top + 2 * pad), 0)
    ImageDraw.Draw(canvas).text((pad - left, pad - top), char, fill=255, font=font)
    return _crop_to_ink(np.asarray(canvas))


def _render_hershey(font: str, char: str, size: int, thickness: int | None = None) -> np.ndarray:
    face = _HERSHEY_FACES[font]
    scale = cv2.getFontScaleFromHeight(face, size)
    thickness = thickness or max(2, size // 9)
    (width, height), baseline = cv2.getTextSize(char, face, scale, thickness)
    pad = thickness + size // 4
    canvas = np.zeros((height + baseline + 2 * pad, width + 2 * pad), np.uint8)
    cv2.putText(canvas, char, (pad, pad + height), face, scale, 255, thickness, cv2.LINE_AA)
    return _crop_to_ink(canvas)


def _render_builtin(font: str, char: str, cap_height: int) -> np.ndarray:
    """A glyph of one of :data:`BUILTIN_FONTS`, cropped to the ink."""
    if font in _STROKE_FONTS_SET:
        return _crop_to_ink(draw_stroke_glyph(char, cap_height, font))
    return _render_hershey(font, char, cap_height)


@lru_cache(maxsize=4096)
def render_glyph(font: str, char: str, size: int = 96) -> np.ndarray:
    """Render one character as a tight uint8 ink mask (255 = ink, 0 = paper).

    Parameters
    ----------
    font : str
        A TrueType/OpenType file, or one of :data:`BUILTIN_FONTS`.
    char : str
        The character.
    size : int, default=96
        Font size in pixels (capitals come out about 0.7 of it high).

    Returns
    -------
    mask : ndarray of uint8
        Read-only (it is cached); copy before drawing on it.
    """
    if font in _BUILTIN_FONTS_SET:
        mask = _render_builtin(font, char, int(size * 0.73))
    else:
        mask = _render_truetype(font, char, size)
    if mask.size == 0:
        raise ValueError(f"The font {font} draws nothing for the character {char!r}.")
    mask = np.ascontiguousarray(mask)
    mask.flags.writeable = False
    return mask


def render_text_line(
    text: str, font: str, *, cap_height: int = 100, spacing: float = 0.2
) -> np.ndarray:
    """Render ``text`` on one line as a uint8 ink mask cropped to the ink.

    Characters sit on a common baseline and are separated by at least ``spacing`` times
    the capital height, so each one is a separate blob.

    Parameters
    ----------
    text : str
        The characters; spaces leave a gap of half the capital height.
    font : str
        A TrueType/OpenType file, or one of :data:`BUILTIN_FONTS`.
    cap_height : int, default=100
        Height of the capital letters in pixels.
    spacing : float, default=0.2
        Blank between the ink of neighbouring characters, relative to ``cap_height``.
    """
    builtin = font in _BUILTIN_FONTS_SET
    if not builtin:
        size = _font_size_for_cap_height(font, cap_height)
        truetype = _truetype(font, size)
    placed: list[tuple[np.ndarray | None, int]] = []  # (ink mask, ink top - baseline)
    for char in text:
        if char.isspace():
            placed.append((None, 0))
        elif builtin:  # stroke glyphs: stand them on the baseline
            mask = _render_builtin(font, char, cap_height)
            placed.append((mask, -mask.shape[0]))
        else:
            mask = _render_truetype(font, char, size)
            placed.append((mask, truetype.getbbox(char, anchor="ls")[1]))
    inked = [(mask, top) for mask, top in placed if mask is not None]
    if not inked:
        raise ValueError(f"text must hold at least one visible character, got {text!r}.")
    line_top = min(top for _, top in inked)
    line_bottom = max(top + mask.shape[0] for mask, top in inked)
    gap, space = max(1, round(spacing * cap_height)), cap_height // 2
    width = sum(space if mask is None else mask.shape[1] for mask, _ in placed)
    line = np.zeros((line_bottom - line_top, width + gap * (len(placed) - 1)), np.uint8)
    x = 0
    for mask, top in placed:
        if mask is None:
            x += space + gap
            continue
        y = top - line_top
        region = line[y : y + mask.shape[0], x : x + mask.shape[1]]
        np.maximum(region, mask, out=region)
        x += mask.shape[1] + gap
    return _crop_to_ink(line)


@lru_cache(maxsize=64)
def _font_size_for_cap_height(font: str, cap_height: int) -> int:
    _, top, _, bottom = _truetype(font, 100).getbbox("H", anchor="ls")
    return max(4, round(100 * cap_height / max(1, bottom - top)))
