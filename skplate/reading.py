"""PlateReading: what the recognizer read on one plate, with the evidence."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["PlateReading", "photo_reading_order"]


@dataclass
class PlateReading:
    """What the recognizer read on one plate, with the evidence.

    Attributes
    ----------
    text : str
        The voted reading; ``""`` when no variant fits any format.
    confidence : float
        In [0, 1]: the winning reading's weighted vote share (hard voting) or the geometric
        mean of the per-slot posterior of the chosen characters (soft voting).
    variant_texts : list of str
        Each filter variant's own constrained reading (``""`` where none fits): the first
        crop's variants, then those of the extra crops if the plate read them.
    variant_scores : list of float
        Each variant's decoding log-score.
    variant_names : list of str
        The filter variants read, in order.
    error : str
        Why the plate could not be read (only with ``errors="record"``); ``""`` otherwise.
    box : tuple of int or None
        The plate's box ``(x1, y1, x2, y2)`` as read: the one given, or the one the
        ``locator`` found; None when no plate was read (nothing located, or an error).
    box_score : float or None
        The locator's score of a located box; None for a box that was given.
    """

    text: str
    confidence: float
    variant_texts: list[str] = field(default_factory=list)
    variant_scores: list[float] = field(default_factory=list)
    variant_names: list[str] = field(default_factory=list)
    error: str = ""
    box: tuple[int, int, int, int] | None = None
    box_score: float | None = None


def photo_reading_order(reading: PlateReading) -> tuple[bool, float, float]:
    """Sort key of the plates located in one photo: the readings that fit a format first,
    most confident first; then the others, best ``box_score`` first.

    The first plate so sorted is the photo's reading: a false box that outscores the
    plate but reads nothing, or reads with less confidence, does not stand for it.
    """
    score = -1.0 if reading.box_score is None else reading.box_score
    if reading.text:
        return (False, -reading.confidence, -score)
    return (True, 0.0, -score)
