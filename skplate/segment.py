"""Character segmentation: cut every filter variant of every plate into character crops.

The pixel logic lives in pure functions (:func:`find_character_boxes`); the
:class:`CharacterSegmenter` estimator holds the parameters, runs them over all variants of
all plates and returns one flat batch of normalised characters with index arrays, so the
classifier is called once for everything.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from numbers import Integral, Real

import cv2
import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._components import component_stats
from .normalize import CharNormalizer

__all__ = [
    "CharacterSegmenter",
    "Segments",
    "character_crops",
    "find_character_boxes",
    "span_candidates",
    "text_mask",
]

#: A box narrower than this share of its height is a stroke (``1``, ``I``, a frame side),
#: for ``side_gap`` (:func:`find_character_boxes`).
SIDE_SLIVER_ASPECT = 0.45


@dataclass
class Segments:
    """All character crops of a batch of plates, flat, with where each came from.

    Attributes
    ----------
    chars : ndarray of shape (n_chars, size, size, channels), float32
        Normalised characters, ready for the classifier.
    plate, variant, position : ndarray of shape (n_chars,), int
        The plate, the filter variant and the left-to-right position of each character.
    boxes : ndarray of shape (n_chars, 4), int
        ``(x1, y1, x2, y2)`` of each character in its plate image.
    n_plates, n_variants : int
        The shape of the batch the characters came from.
    span : ndarray of shape (n_chars,), int, default=None
        How many of the row's pieces each character joins, from ``position`` on: 1 for
        a piece (every character when the segmenter's ``max_span`` is 1), more for a run
        of consecutive pieces that may together be one character (recognition-driven
        segmentation, :func:`span_candidates`). None: all 1.
    """

    chars: np.ndarray
    plate: np.ndarray
    variant: np.ndarray
    position: np.ndarray
    boxes: np.ndarray
    n_plates: int
    n_variants: int
    span: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.span is None:
            self.span = np.ones(len(self.position), dtype=int)

    def __len__(self) -> int:
        return len(self.chars)

    @classmethod
    def concatenate(cls, parts: Sequence[Segments]) -> Segments:
        """Join the segments of consecutive batches of plates into one batch."""
        if not parts:
            raise ValueError("concatenate needs at least one batch of segments.")
        offsets = np.cumsum([0, *(part.n_plates for part in parts[:-1])])
        return cls(
            chars=np.concatenate([part.chars for part in parts]),
            plate=np.concatenate([part.plate + o for part, o in zip(parts, offsets, strict=True)]),
            variant=np.concatenate([part.variant for part in parts]),
            position=np.concatenate([part.position for part in parts]),
            boxes=np.concatenate([part.boxes for part in parts]),
            n_plates=int(sum(part.n_plates for part in parts)),
            n_variants=parts[0].n_variants,
            span=np.concatenate([part.span for part in parts]),
        )

    def rows(self) -> list[list[np.ndarray]]:
        """Index arrays of the characters of each (plate, variant), left to right (the
        pieces by ``position``, then by ``span``)."""
        order = np.lexsort((self.span, self.position, self.variant, self.plate))
        grouped: list[list[np.ndarray]] = [
            [np.zeros(0, dtype=int) for _ in range(self.n_variants)] for _ in range(self.n_plates)
        ]
        keys = self.plate[order] * self.n_variants + self.variant[order]
        if len(keys) == 0:
            return grouped
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        for start, stop in zip(starts, [*starts[1:], len(keys)], strict=True):
            key = keys[start]
            grouped[key // self.n_variants][key % self.n_variants] = order[start:stop]
        return grouped


def text_band(
    ink: np.ndarray, min_fraction: float = 0.35, min_height: float = 0.2, tries: int = 3
) -> tuple[int, int]:
    """Rows ``(top, bottom)`` of the text line: the longest run of rows that cross many strokes.

    A row through the characters crosses ink often; rows through the plate frame, the
    bumper or blank plate cross it rarely. The run of rows whose (smoothed) number of
    ink/background transitions is at least ``min_fraction`` of the maximum is the band.
    A run lower than ``min_height`` of the crop holds no character: a line of small print
    (a dealer's name under the plate, a dotted edge) that crosses more strokes than the
    characters do. Its rows are then set aside and the band looked for again, up to
    ``tries`` times; when no run is high enough, the first one found is the band.
    """
    height = ink.shape[0]
    transitions = np.count_nonzero(np.diff(ink > 0, axis=1), axis=1).astype(np.float32)
    smooth = cv2.blur(transitions.reshape(-1, 1), (1, 3)).ravel()
    pad = max(1, height // 40)
    first = None
    for _ in range(tries):
        if smooth.max() <= 0:
            break
        strong = np.r_[False, smooth >= min_fraction * smooth.max(), False].astype(np.int8)
        edges = np.flatnonzero(np.diff(strong))
        starts, stops = edges[::2], edges[1::2]
        longest = int(np.argmax(stops - starts))
        band = max(0, int(starts[longest]) - pad), min(height, int(stops[longest]) + pad)
        first = band if first is None else first
        if band[1] - band[0] >= min_height * height:
            return band
        smooth[band[0] : band[1]] = 0
    return (0, height) if first is None else first


def _character_like(ink: np.ndarray) -> int:
    """Box area of the components of an ink mask that could be characters (polarity evidence).

    A character is a component of 30-95% of the plate height, at most as wide as tall,
    not touching the crop's border and not filling its box solid. With the wrong polarity
    the candidates are the holes of characters, whose boxes are smaller.
    """
    _, _, stats = component_stats(ink)
    height, width = ink.shape
    left, top = stats[1:, cv2.CC_STAT_LEFT], stats[1:, cv2.CC_STAT_TOP]
    w, h = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
    fill = stats[1:, cv2.CC_STAT_AREA] / np.maximum(w * h, 1)
    candidate = (
        (h >= 0.3 * height)
        & (h <= 0.95 * height)
        & (w <= h)
        & (left > 0)
        & (top > 0)
        & (left + w < width)
        & (top + h < height)
        & (fill < 0.9)
    )
    return int(np.sum(w * h, where=candidate))


def _free_pieces(held: np.ndarray, top: float, bottom: float) -> np.ndarray:
    """The pieces of ``held`` (a mask of components to be dropped) that come free of
    what holds them once bridges thinner than a stroke are opened.

    A character can be joined to a bolt, an emblem or the frame by a line or a corner a
    pixel or two wide; the component is then taller or wider than a character and is
    dropped with the character in it. A morphological opening of 3x3 pixels on the
    default 80-pixel crop (scaled with the crop's height) breaks those bridges; strokes
    three pixels wide or more stay (their corners rounded). The pieces that then lie
    within the rows ``top..bottom`` and clear of the crop's left and right edges are
    returned (as a uint8 mask, 255 on them).
    """
    height, width = held.shape
    freed = np.zeros((height, width), np.uint8)
    x, y, w, h = cv2.boundingRect(held.astype(np.uint8))
    if not w:
        return freed
    size = 1 + 2 * max(1, round(height / 80))
    # The opening and the labelling only where ``held`` is, with a margin that leaves
    # them as on the whole crop.
    x1, y1 = max(0, x - size), max(0, y - size)
    x2, y2 = min(width, x + w + size), min(height, y + h + size)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    opened = cv2.morphologyEx(held[y1:y2, x1:x2].astype(np.uint8), cv2.MORPH_OPEN, kernel)
    _, labels, stats = component_stats(opened)
    left, upper = stats[:, cv2.CC_STAT_LEFT] + x1, stats[:, cv2.CC_STAT_TOP] + y1
    free = (
        (upper >= top)
        & (upper + stats[:, cv2.CC_STAT_HEIGHT] <= bottom)
        & (left > 0)
        & (left + stats[:, cv2.CC_STAT_WIDTH] < width)
    )
    free[0] = False
    freed[y1:y2, x1:x2] = np.where(free[labels], np.uint8(255), np.uint8(0))
    return freed


def text_mask(gray: np.ndarray, line_fraction: float = 0.3, min_height: float = 0.2) -> np.ndarray:
    """Ink mask of a plate variant (dark text on light), cut to the text band.

    Otsu binarisation (the level taken from the centre of the crop, the polarity from
    which side has more character-like components); long horizontal runs
    (over ``line_fraction`` of the width: borders, underlines, never characters) are
    removed; components reaching far above or below the text band (:func:`text_band`:
    frame sides, bumper edges, stickers; a band lower than ``min_height`` of the crop
    holds no character) are removed; then everything outside the band is cleared, so
    characters touching the plate frame come free.
    """
    return _text_line(gray, line_fraction, min_height)[0]


def _text_line(
    gray: np.ndarray, line_fraction: float = 0.3, min_height: float = 0.2
) -> tuple[np.ndarray, np.ndarray, tuple[int, int], float]:
    """:func:`text_mask`, with what it dropped: the ink cut to the band, the mask of the
    components removed for reaching out of it, the band's rows ``(top, bottom)`` and
    how far (in rows) a component may reach past them."""
    height, width = gray.shape
    # Otsu's level from the centre of the crop, where the plate is: bright or dark
    # surroundings cut in by the box would otherwise set the level.
    centre = gray[height // 5 : height - height // 5, width // 10 : width - width // 10]
    level, _ = cv2.threshold(centre, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    _, ink = cv2.threshold(gray, level, 255, cv2.THRESH_BINARY_INV)
    if _character_like(cv2.bitwise_not(ink)) > _character_like(ink):  # light text
        ink = cv2.bitwise_not(ink)
    length = max(3, int(line_fraction * gray.shape[1]))
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1))
    ink = cv2.subtract(ink, cv2.morphologyEx(ink, cv2.MORPH_OPEN, kernel))
    top, bottom = text_band(ink, min_height=min_height)
    tolerance = 0.25 * (bottom - top)
    _, labels, stats = component_stats(ink)
    above = stats[:, cv2.CC_STAT_TOP] < top - tolerance
    below = stats[:, cv2.CC_STAT_TOP] + stats[:, cv2.CC_STAT_HEIGHT] > bottom + tolerance
    outside = above | below
    outside[0] = False
    held = outside[labels]
    ink[held] = 0
    ink[:top] = 0
    ink[bottom:] = 0
    return ink, held, (top, bottom), tolerance


def _attached_characters_mask(gray: np.ndarray, min_height: float = 0.2) -> np.ndarray:
    """:func:`text_mask`, with the characters held to a bolt, an emblem or the frame by a
    thin line given back (:func:`_free_pieces`): those of the components that reach out
    of the text band, then those of the components touching the crop's sides
    (:func:`_detach_from_sides`)."""
    ink, held, (top, bottom), tolerance = _text_line(gray, min_height=min_height)
    if held.any():
        freed = _free_pieces(held, top - tolerance, bottom + tolerance)
        freed[:top] = 0
        freed[bottom:] = 0
        ink |= freed
    return _detach_from_sides(ink)


def _detach_from_sides(ink: np.ndarray) -> np.ndarray:
    """Replace the components touching the crop's left or right edge by their free pieces.

    Such a component is the frame, the bumper or an emblem cut by the box, never a whole
    character (the boxes it gives are dropped), but a character can hang on it by a thin
    line: :func:`_free_pieces` takes it off.
    """
    height, width = ink.shape
    # The components touching a side, flood-filled from their pixels on it (8-connected,
    # as the components are): cheaper than labelling the whole crop.
    filled = np.zeros((height + 2, width + 2), np.uint8)
    flags = 8 | cv2.FLOODFILL_MASK_ONLY | (1 << 8)
    for column in (0, width - 1):
        for row in np.flatnonzero(ink[:, column]):
            if not filled[row + 1, column + 1]:
                cv2.floodFill(ink, filled, (int(column), int(row)), 0, 0, 0, flags)
    held = filled[1:-1, 1:-1] > 0
    if not held.any():
        return ink
    ink = ink.copy()
    ink[held] = 0
    return ink | _free_pieces(held, 0, height)


def _median(values: np.ndarray) -> float:
    """``np.median`` of a short 1-D array (the same value), without NumPy's per-call cost:
    a plate's few boxes are measured several times per filter variant."""
    ordered = sorted(values.tolist())
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2.0


def _component_boxes(ink: np.ndarray, min_height: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """Connected components as boxes, with pieces of one character (same columns) merged."""
    _, labels, stats = component_stats(ink)
    boxes = np.column_stack(
        [
            stats[1:, cv2.CC_STAT_LEFT],
            stats[1:, cv2.CC_STAT_TOP],
            stats[1:, cv2.CC_STAT_LEFT] + stats[1:, cv2.CC_STAT_WIDTH],
            stats[1:, cv2.CC_STAT_TOP] + stats[1:, cv2.CC_STAT_HEIGHT],
        ]
    ).astype(int)
    keep = (stats[1:, cv2.CC_STAT_AREA] >= 4) & (
        boxes[:, 3] - boxes[:, 1] >= max(2, min_height // 4)
    )
    boxes = boxes[keep]
    ids = [[i] for i in np.flatnonzero(keep) + 1]
    merged = True
    while merged and len(boxes) > 1:
        merged = False
        order = np.argsort(boxes[:, 0])
        boxes, ids = boxes[order], [ids[i] for i in order]
        for a in range(len(boxes) - 1):
            b = a + 1
            overlap = min(boxes[a, 2], boxes[b, 2]) - max(boxes[a, 0], boxes[b, 0])
            narrower = min(boxes[a, 2] - boxes[a, 0], boxes[b, 2] - boxes[b, 0])
            if overlap >= 0.6 * narrower:
                boxes[a] = [
                    *np.minimum(boxes[a, :2], boxes[b, :2]),
                    *np.maximum(boxes[a, 2:], boxes[b, 2:]),
                ]
                ids[a] = ids[a] + ids[b]
                boxes, ids = np.delete(boxes, b, axis=0), ids[:b] + ids[b + 1 :]
                merged = True
                break
    char_masks = [
        labels[y1:y2, x1:x2] == group[0]
        if len(group) == 1
        else np.isin(labels[y1:y2, x1:x2], group)
        for (x1, y1, x2, y2), group in zip(boxes, ids, strict=True)
    ]
    return boxes, char_masks


def _projection_boxes(ink: np.ndarray, min_height: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """Column-projection segmentation (the reference method): runs of inked columns."""
    height = ink.shape[0]
    rows = np.count_nonzero(ink, axis=1) > 0
    band = np.flatnonzero(rows)
    if band.size == 0:
        return np.zeros((0, 4), dtype=int), []
    columns = np.count_nonzero(ink[band[0] : band[-1] + 1], axis=0) > max(1, height // 40)
    edges = np.flatnonzero(np.diff(np.r_[0, columns.astype(np.int8), 0]))
    boxes, masks = [], []
    for x1, x2 in zip(edges[::2], edges[1::2], strict=True):
        inked = np.flatnonzero(np.count_nonzero(ink[:, x1:x2], axis=1))
        if inked.size == 0:
            continue
        y1, y2 = int(inked[0]), int(inked[-1]) + 1
        boxes.append([int(x1), y1, int(x2), y2])
        masks.append(ink[y1:y2, x1:x2] > 0)
    return np.asarray(boxes, dtype=int).reshape(-1, 4), masks


def _split_wide(box: np.ndarray, mask: np.ndarray, char_width: float, split_ratio: float):
    """Split a box wider than ``split_ratio`` characters into pieces at the column-ink minima."""
    x1, y1, x2, y2 = box
    width = x2 - x1
    if width <= split_ratio * char_width:
        return [(box, mask)]
    pieces = max(2, round(width / char_width))
    profile = np.count_nonzero(mask, axis=0).astype(float)
    cuts = [0]
    for k in range(1, pieces):
        centre = k * width // pieces
        reach = width // (3 * pieces)
        lo, hi = max(cuts[-1] + 1, centre - reach), min(width - 1, centre + reach)
        cuts.append(lo + int(np.argmin(profile[lo : hi + 1])) if hi > lo else centre)
    cuts.append(width)
    return [
        (np.array([x1 + a, y1, x1 + b, y2]), mask[:, a:b])
        for a, b in itertools.pairwise(cuts)
        if b - a >= 2
    ]


def find_character_boxes(
    gray: np.ndarray,
    *,
    method: str = "components",
    min_height: float = 0.2,
    max_height: float = 0.95,
    min_aspect: float = 0.08,
    max_aspect: float = 1.0,
    char_aspect: float = 0.55,
    split_ratio: float = 1.6,
    height_tolerance: float = 0.3,
    max_chars: int = 12,
    end_gap: float = 3.0,
    overshoot: float | None = 0.05,
    free_attached: bool = True,
    side_gap: float | None = 0.02,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Find the character boxes of one plate image (dark text on light).

    Parameters
    ----------
    gray : ndarray of shape (H, W), uint8
        One filter variant of a plate.
    method : {"components", "projection"}, default="components"
        Connected components (pieces in the same columns merged) or column projection.
    min_height, max_height : float
        Allowed character height as a fraction of the plate height; a text band lower
        than ``min_height`` is set aside (:func:`text_band`).
    min_aspect : float
        Narrowest allowed width / height.
    max_aspect : float
        Boxes up to this width / height count as single characters when measuring the
        typical character width.
    char_aspect : float, default=0.55
        Typical width / height of one character, used when too few single characters are
        found to measure the typical width.
    split_ratio : float, default=1.6
        Boxes wider than this many typical characters are split at the ink minima.
    height_tolerance : float, default=0.3
        Boxes whose height differs from the median by more than this fraction are dropped,
        and so are boxes whose vertical centre is off by more than half the median height.
    max_chars : int, default=12
        At most this many boxes (the largest) are kept.
    end_gap : float, default=3.0
        A narrow box (under 0.6 of the median width) at either end, separated from its
        neighbour by more than ``end_gap`` median gaps, is dropped: a frame side or a piece
        of the EU band, not a character. 0 keeps every box.
    overshoot : float or None, default=0.05
        A stroke (a box under 0.4 of its height wide) that reaches both above the boxes'
        median top and below their median bottom by more than ``overshoot`` median heights
        is dropped: a frame side or a bumper edge crossing the text line, not an ``I`` or
        a ``1`` (which stand on the line like the other characters; a ``J`` that descends
        reaches out one way only). None keeps every box.
    free_attached : bool, default=True
        A character joined to a bolt, an emblem or the frame by a line a pixel or two
        wide makes one component with it, which is dropped for reaching out of the text
        band or touching the crop's side, the character with it. With ``free_attached``
        those components are opened (3x3 pixels on the default 80-pixel crop) and the
        pieces that then lie within the band, clear of the sides, are kept. False cuts
        as :func:`text_mask` alone does.
    side_gap : float or None, default=0.02
        A stroke (a box under :data:`SIDE_SLIVER_ASPECT` of its height wide) at either
        end, no farther from the crop's side than this fraction of the crop's width, is
        dropped: the plate's edge or what is left of its frame or band, which a
        flattened crop shows as a dark bar of the characters' height (read ``I``, ``1``
        or ``J`` before or after the plate's text). None keeps it.

    Returns
    -------
    boxes : ndarray of shape (n, 4), int
        ``(x1, y1, x2, y2)``, left to right.
    masks : list of ndarray of bool
        The ink of each box (only the character's own pixels for ``"components"``).
    """
    plate_height = gray.shape[0]
    ink = (
        _attached_characters_mask(gray, min_height)
        if free_attached
        else text_mask(gray, min_height=min_height)
    )
    low, high = min_height * plate_height, max_height * plate_height
    finder = _component_boxes if method == "components" else _projection_boxes
    boxes, masks = finder(ink, int(low))
    plate_width = gray.shape[1]
    sized = [
        (box, mask)
        for box, mask in zip(boxes, masks, strict=True)
        # the right height, and not cut by the crop's left/right edge (frame, bumper)
        if low <= box[3] - box[1] <= high and box[0] > 0 and box[2] < plate_width
    ]
    if not sized:
        return np.zeros((0, 4), dtype=int), []
    # A typical character's width: the median of the boxes narrow enough to hold one
    # character; merged characters are split into pieces of about that width.
    widths = np.array([b[2] - b[0] for b, _ in sized], dtype=float)
    heights = np.array([b[3] - b[1] for b, _ in sized], dtype=float)
    single = widths <= max_aspect * heights
    typical_height = _median(heights)
    char_width = (
        _median(widths[single]) if single.sum() >= 3 else char_aspect * typical_height
    )
    char_width = max(char_width, char_aspect * typical_height * 0.5)
    candidates = []
    for box, mask in sized:
        height = box[3] - box[1]
        for piece, piece_mask in _split_wide(box, mask, char_width, split_ratio):
            width = piece[2] - piece[0]
            solid = np.count_nonzero(piece_mask) > 0.9 * piece_mask.size  # a band, a sticker
            solid_block = solid and width > 0.3 * height
            if width >= min_aspect * height and piece_mask.any() and not solid_block:
                candidates.append((piece, piece_mask))
    if not candidates:
        return np.zeros((0, 4), dtype=int), []
    heights = np.array([b[3] - b[1] for b, _ in candidates], dtype=float)
    centres = np.array([(b[1] + b[3]) / 2 for b, _ in candidates], dtype=float)
    median_height, median_centre = _median(heights), _median(centres)
    keep = (np.abs(heights - median_height) <= height_tolerance * median_height) & (
        np.abs(centres - median_centre) <= 0.5 * median_height
    )
    candidates = [c for c, k in zip(candidates, keep, strict=True) if k]
    candidates = _drop_line_crossing(candidates, overshoot)
    if len(candidates) > max_chars:
        areas = [np.count_nonzero(m) for _, m in candidates]
        largest = sorted(np.argsort(areas)[-max_chars:])
        candidates = [candidates[i] for i in largest]
    candidates.sort(key=lambda c: c[0][0])
    candidates = _drop_detached_ends(candidates, end_gap)
    candidates = _drop_side_slivers(candidates, plate_width, side_gap)
    boxes = np.array([c[0] for c in candidates], dtype=int).reshape(-1, 4)
    return boxes, [c[1] for c in candidates]


def _drop_line_crossing(candidates: list, overshoot: float | None) -> list:
    """Drop the strokes that cross the text line: out above and below the other boxes.

    On generated plates, the characters under 0.4 of their height wide that the segmenter
    cut (``I``, ``J``, squeezed letters) overshoot the median top and bottom by at most
    0.04 median heights both ways (360 of them, 150 plates, all filter variants).
    """
    if overshoot is None or len(candidates) < 3:
        return candidates
    boxes = np.array([c[0] for c in candidates], dtype=float)
    widths, heights = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    reach = overshoot * _median(heights)
    crossing = (
        (widths < 0.4 * heights)
        & (boxes[:, 1] < _median(boxes[:, 1]) - reach)
        & (boxes[:, 3] > _median(boxes[:, 3]) + reach)
    )
    return [c for c, cross in zip(candidates, crossing, strict=True) if not cross]


def _drop_detached_ends(candidates: list, gap_ratio: float) -> list:
    """Drop a narrow box at either end that stands far from the others (frame side, band).

    An end box is dropped when its gap to its neighbour exceeds ``gap_ratio`` times the
    median gap between boxes and it is narrower than 0.6 of the median box width.
    """
    if gap_ratio <= 0 or len(candidates) < 4:
        return candidates
    boxes = np.array([c[0] for c in candidates])
    widths = boxes[:, 2] - boxes[:, 0]
    gaps = boxes[1:, 0] - boxes[:-1, 2]
    typical_gap = max(_median(gaps), 1.0)
    typical_width = _median(widths)
    narrow_limit = 0.6
    keep = np.ones(len(candidates), dtype=bool)
    if gaps[0] > gap_ratio * typical_gap and widths[0] < narrow_limit * typical_width:
        keep[0] = False
    if gaps[-1] > gap_ratio * typical_gap and widths[-1] < narrow_limit * typical_width:
        keep[-1] = False
    return [c for c, k in zip(candidates, keep, strict=True) if k]


def _drop_side_slivers(candidates: list, plate_width: int, side_gap: float | None) -> list:
    """Drop a stroke at either end that stands against the crop's side (see
    :func:`find_character_boxes`' ``side_gap``)."""
    if side_gap is None or len(candidates) < 2:
        return candidates
    reach = side_gap * plate_width

    def sliver(box: np.ndarray) -> bool:
        return box[2] - box[0] < SIDE_SLIVER_ASPECT * (box[3] - box[1])

    first, last = candidates[0][0], candidates[-1][0]
    start = 1 if first[0] <= reach and sliver(first) else 0
    stop = len(candidates) - 1 if plate_width - last[2] <= reach and sliver(last) else None
    return candidates[start:stop]


def span_candidates(
    boxes: np.ndarray, masks: Sequence[np.ndarray], max_span: int, max_aspect: float
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """The runs of 2 to ``max_span`` consecutive pieces that could together be one character.

    A character broken in two by the threshold (a thin stroke lost, an ``M`` or ``W``
    cut at its middle, a character split at a false ink minimum) gives two pieces; the
    run of both, read as one character, lets the classifier and the format decide the cut
    (:func:`~skplate.decode.decode_segments` with ``spans``). A run is kept while its box
    is at most ``max_aspect`` times as wide as it is tall.

    Parameters
    ----------
    boxes : ndarray of shape (n, 4), int
        The pieces' boxes, left to right (:func:`find_character_boxes`).
    masks : sequence of ndarray of bool
        Each piece's ink.
    max_span : int
        The most pieces one run joins.
    max_aspect : float
        The widest run kept, as width / height.

    Returns
    -------
    spans : ndarray of shape (m, 2), int
        ``(first piece, number of pieces)`` of each run.
    run_boxes : ndarray of shape (m, 4), int
        Each run's box, around its pieces.
    run_masks : list of ndarray of bool
        Each run's ink: its pieces' own pixels.
    """
    spans, run_boxes, run_masks = [], [], []
    for first in range(len(boxes)):
        for stop in range(first + 2, min(first + max_span, len(boxes)) + 1):
            group = boxes[first:stop]
            x1, y1 = group[:, :2].min(axis=0)
            x2, y2 = group[:, 2:].max(axis=0)
            if x2 - x1 > max_aspect * (y2 - y1):
                break
            mask = np.zeros((y2 - y1, x2 - x1), dtype=bool)
            for (a1, b1, a2, b2), piece in zip(group, masks[first:stop], strict=True):
                mask[b1 - y1 : b2 - y1, a1 - x1 : a2 - x1] |= piece
            spans.append((first, stop - first))
            run_boxes.append((x1, y1, x2, y2))
            run_masks.append(mask)
    return (
        np.asarray(spans, dtype=int).reshape(-1, 2),
        np.asarray(run_boxes, dtype=int).reshape(-1, 4),
        run_masks,
    )


@contextmanager
def _single_threaded_opencv() -> Iterator[None]:
    """Run OpenCV on one thread: on images this small its thread pool costs more than it
    saves (measured: connected components 1.6x faster), and joblib parallelises plates."""
    threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    try:
        yield
    finally:
        cv2.setNumThreads(threads)


def _mask_to_image(mask: np.ndarray, pad: int = 2) -> np.ndarray:
    """A binary ink mask as a dark-on-white uint8 image with a white margin."""
    image = np.where(mask, 0, 255).astype(np.uint8)
    return cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)


def character_crops(
    boxes: np.ndarray, masks: Sequence[np.ndarray], plain: np.ndarray | None, pad: int = 2
) -> list[np.ndarray]:
    """The character images a normaliser takes: each mask dark on white, with a margin.

    Parameters
    ----------
    boxes : ndarray of shape (n, 4), int
        The characters' boxes ``(x1, y1, x2, y2)`` in the variant
        (:func:`find_character_boxes`, :func:`span_candidates`).
    masks : sequence of ndarray of bool
        Each box's ink.
    plain : ndarray of shape (H, W), uint8, or None
        When given, each image is an ``(h, w, 2)`` pair: the character, then ``plain``
        under its box (what a normaliser reading grey levels takes).
    pad : int, default=2
        White margin around each character, in pixels (``plain``'s edge repeated).

    Returns
    -------
    images : list of ndarray of uint8
    """
    images = [_mask_to_image(mask, pad) for mask in masks]
    if plain is None:
        return images
    pairs = []
    for (x1, y1, x2, y2), image in zip(boxes, images, strict=True):
        levels = cv2.copyMakeBorder(plain[y1:y2, x1:x2], pad, pad, pad, pad, cv2.BORDER_REPLICATE)
        pairs.append(np.dstack([image, levels]))
    return pairs


class CharacterSegmenter(TransformerMixin, BaseEstimator, auto_wrap_output_keys=None):
    """Cut the characters out of every filter variant of every plate.

    Parameters
    ----------
    method : {"components", "projection"}, default="components"
        ``"components"``: connected components with size, aspect and alignment filters;
        ``"projection"``: the reference method, runs of inked columns.
    normalizer : CharNormalizer, default=None
        Turns each character crop into the classifier's input; a default
        ``CharNormalizer()`` when None. Use the one the classifier was trained with. When
        it reads grey levels (``CharNormalizer(gray_levels=True)``), each character's ink
        mask goes to it paired with the variant's own pixels under the same box: a
        thresholded variant's levels are its ink, a sharpened or contrast-stretched one
        shows where the ink is lighter (closed gaps, thin strokes).
    min_height, max_height : float, default=0.2, 0.95
        Allowed character height as a fraction of the plate height; a text band lower
        than ``min_height`` is set aside (:func:`text_band`).
    min_aspect, max_aspect : float, default=0.08, 1.0
        Allowed character width / height; wider boxes are split.
    char_aspect : float, default=0.55
        Typical character width / height, used to split merged characters when too few
        single characters are found to measure it.
    split_ratio : float, default=1.6
        Boxes wider than this many typical characters are split at the ink minima.
    height_tolerance : float, default=0.3
        Allowed relative deviation from the median character height of the plate.
    max_chars : int, default=12
        At most this many characters per variant.
    end_gap : float, default=3.0
        Narrow boxes at the ends standing more than this many median gaps away from the
        others are dropped (frame sides, EU band); 0 keeps them.
    overshoot : float or None, default=0.05
        Strokes reaching more than this many median character heights both above and
        below the other boxes are dropped (frame sides, bumper edges crossing the text
        line); None keeps them. See :func:`find_character_boxes`.
    free_attached : bool, default=True
        Give back the characters joined to a bolt, an emblem or the frame by a thin line
        (see :func:`find_character_boxes`). False cuts as the segmenter did before (and
        as :func:`~skplate.training.make_plate_chars` cuts its training characters).
    side_gap : float or None, default=0.02
        Strokes at either end no farther from the crop's side than this fraction of its
        width are dropped (the plate's edge, a flattened crop's frame or band residue);
        None keeps them, as segmenters saved before it do. See
        :func:`find_character_boxes`. Chosen on UC3M-LP's choose set (every third crop of
        folds 1-4, 537 one-row plates, seeds 0, 1): 401, 399 read instead of 397, 395;
        with the tight-crop setting 432, 426 instead of 420, 416 (0.01: 423, 420;
        0.03: 434, 424; strokes up to 0.6 of their height wide: 430, 425).
    max_span : int, default=1
        Recognition-driven segmentation: besides each piece, also hand the classifier the
        runs of up to ``max_span`` consecutive pieces no wider than ``max_aspect``
        (:func:`span_candidates`), and let the decoder choose the path through them
        (``Segments.span``). 1 gives the pieces alone.
    """

    _parameter_constraints: dict = {
        "method": [StrOptions({"components", "projection"})],
        "normalizer": [HasMethods(["transform"]), None],
        "min_height": [Interval(Real, 0, 1, closed="neither")],
        "max_height": [Interval(Real, 0, 1, closed="right")],
        "min_aspect": [Interval(Real, 0, None, closed="left")],
        "max_aspect": [Interval(Real, 0, None, closed="neither")],
        "char_aspect": [Interval(Real, 0, None, closed="neither")],
        "split_ratio": [Interval(Real, 1, None, closed="left")],
        "height_tolerance": [Interval(Real, 0, None, closed="neither")],
        "max_chars": [Interval(Integral, 1, None, closed="left")],
        "end_gap": [Interval(Real, 0, None, closed="left")],
        "overshoot": [Interval(Real, 0, None, closed="left"), None],
        "free_attached": ["boolean"],
        "side_gap": [Interval(Real, 0, 1, closed="both"), None],
        "max_span": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        method: str = "components",
        normalizer: CharNormalizer | None = None,
        min_height: float = 0.2,
        max_height: float = 0.95,
        min_aspect: float = 0.08,
        max_aspect: float = 1.0,
        char_aspect: float = 0.55,
        split_ratio: float = 1.6,
        height_tolerance: float = 0.3,
        max_chars: int = 12,
        end_gap: float = 3.0,
        overshoot: float | None = 0.05,
        free_attached: bool = True,
        side_gap: float | None = 0.02,
        max_span: int = 1,
    ) -> None:
        self.method = method
        self.normalizer = normalizer
        self.min_height = min_height
        self.max_height = max_height
        self.min_aspect = min_aspect
        self.max_aspect = max_aspect
        self.char_aspect = char_aspect
        self.split_ratio = split_ratio
        self.height_tolerance = height_tolerance
        self.max_chars = max_chars
        self.end_gap = end_gap
        self.overshoot = overshoot
        self.free_attached = free_attached
        self.side_gap = side_gap
        self.max_span = max_span

    def fit(self, X: object = None, y: object = None) -> CharacterSegmenter:
        """Check the parameters and prepare the normaliser; nothing is learned from data.

        Returns
        -------
        self : CharacterSegmenter
        """
        self._validate_params()
        if self.min_height >= self.max_height:
            raise ValueError(
                f"min_height={self.min_height} must be below max_height={self.max_height}."
            )
        normalizer = CharNormalizer() if self.normalizer is None else clone(self.normalizer)
        self.normalizer_ = normalizer.fit([])
        return self

    def segment_variant(self, gray: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """Boxes and ink masks of the characters of one variant image."""
        return find_character_boxes(gray, **self._box_params())

    def _box_params(self) -> dict:
        """The parameters of :func:`find_character_boxes`: all but the normaliser."""
        params = self.get_params(deep=False)
        del params["normalizer"], params["max_span"]
        return params

    def character_images(
        self, gray: np.ndarray, plain: np.ndarray | None = None
    ) -> list[np.ndarray]:
        """The characters of one variant as dark-on-white uint8 crops, left to right.

        With ``plain`` (an image of the same shape as ``gray``), each crop is an
        ``(H, W, 2)`` pair: the character, then ``plain`` under its box. With
        ``plain=gray`` these are what :meth:`transform` hands to a normaliser that reads
        grey levels (the character alone otherwise), so they can also serve as training
        characters.
        """
        if plain is not None and np.shape(plain) != np.shape(gray):
            raise ValueError(
                f"plain: expected the shape of the variant, {np.shape(gray)}, "
                f"got {np.shape(plain)}."
            )
        boxes, masks = self.segment_variant(gray)
        return character_crops(boxes, masks, plain)

    def transform(self, X: np.ndarray | Sequence) -> Segments:
        """Segment every variant of every plate and normalise all characters at once.

        Parameters
        ----------
        X : ndarray of shape (n_plates, n_variants, H, W) or (n_plates, H, W), uint8
            Filter-bank output (or plain plates, read as one variant each).

        Returns
        -------
        segments : Segments
        """
        check_is_fitted(self, "normalizer_")
        variants = np.asarray(X)
        if variants.ndim == 3:
            variants = variants[:, None]
        if variants.dtype != np.uint8:
            raise TypeError(
                f"X: CharacterSegmenter expects uint8 plate variants (the output of FilterBank), "
                f"got dtype {variants.dtype}."
            )
        if variants.ndim != 4:
            raise ValueError(
                "X: CharacterSegmenter expects plates of shape (n_plates, n_variants, H, W) "
                f"or (n_plates, H, W); got shape {variants.shape}."
            )
        n_plates, n_variants = variants.shape[:2]
        paired = bool(getattr(self.normalizer_, "gray_levels", False))
        crops, plate_idx, variant_idx, position, span, all_boxes = [], [], [], [], [], []
        params = self._box_params()  # once, not per variant (get_params inspects __init__)
        with _single_threaded_opencv():
            for p in range(n_plates):
                for v in range(n_variants):
                    boxes, masks = find_character_boxes(variants[p, v], **params)
                    runs = np.zeros((0, 2), dtype=int)
                    if self.max_span > 1:
                        runs, run_boxes, run_masks = span_candidates(
                            boxes, masks, self.max_span, self.max_aspect
                        )
                        boxes, masks = np.concatenate([boxes, run_boxes]), masks + run_masks
                    crops += character_crops(boxes, masks, variants[p, v] if paired else None)
                    plate_idx += [p] * len(boxes)
                    variant_idx += [v] * len(boxes)
                    n_pieces = len(boxes) - len(runs)
                    position += [*range(n_pieces), *runs[:, 0]]
                    span += [1] * n_pieces + [*runs[:, 1]]
                    all_boxes.append(boxes)
            size = self.normalizer_.get_params().get("size", 32)
            chars = (
                self.normalizer_.transform(crops)
                if crops
                else np.zeros((0, size, size, 2 if paired else 1), dtype=np.float32)
            )
        return Segments(
            chars=chars,
            plate=np.asarray(plate_idx, dtype=int),
            variant=np.asarray(variant_idx, dtype=int),
            position=np.asarray(position, dtype=int),
            boxes=np.concatenate(all_boxes).astype(int) if all_boxes else np.zeros((0, 4), int),
            n_plates=n_plates,
            n_variants=n_variants,
            span=np.asarray(span, dtype=int),
        )

    def __setstate__(self, state: dict) -> None:
        # Segmenters saved before free_attached cut as text_mask alone does; before
        # max_span, they gave the pieces alone; before side_gap, they kept the strokes
        # against the crop's sides.
        super().__setstate__({"free_attached": False, "max_span": 1, "side_gap": None, **state})

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = True
        tags.input_tags.two_d_array = False
        return tags
