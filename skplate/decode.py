"""Format-constrained decoding of one row of character segments (pure numpy, no images).

For segments ``s_1..s_m`` (left to right) with log-probabilities over the classes, and a
format with slots ``1..k``, the decoder picks an increasing assignment of ``k`` segments to
the ``k`` slots that maximises

    sum over slots j of  max_{c allowed in j} log P(c | s_assigned(j))
    + skip_penalty * (number of segments left unassigned)

so spurious segments (the EU band, border noise) may be skipped at a fixed cost. The
constant cost makes the scores of formats of different lengths comparable: every segment
is either read or skipped. A dynamic programme over (segment, slot) solves it in O(m k).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .formats import PlateFormat

__all__ = ["EMPTY_DECODING", "Decoding", "decode_segments"]


@dataclass(frozen=True)
class Decoding:
    """The best reading of one row of segments under a set of formats.

    Attributes
    ----------
    text : str
        The reading; ``""`` when no format fits (fewer segments than slots).
    score : float
        Total log-likelihood of the reading, skip penalties included; ``-inf`` when empty.
    format_index : int
        Index of the winning format in the list given; -1 when empty.
    segments : ndarray of shape (k,), int
        The segment read in each slot.
    slot_log_proba : ndarray of shape (k, n_classes)
        Log-probabilities of the segment read in each slot (for soft voting).
    """

    text: str
    score: float
    format_index: int
    segments: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    slot_log_proba: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))


EMPTY_DECODING = Decoding("", float("-inf"), -1)


def _best_assignment(
    slot_scores: np.ndarray, skip_penalty: float
) -> tuple[float, np.ndarray] | None:
    """Dynamic programme over (segment, slot) for one format.

    ``slot_scores[i, j]`` is the score of reading segment ``i`` in slot ``j``.
    Returns the best total score and the segment assigned to each slot, or None.
    """
    n_segments, n_slots = slot_scores.shape
    if n_segments < n_slots:
        return None
    # best[i, j]: best score with the first i segments spent and the first j slots filled.
    best = np.full((n_segments + 1, n_slots + 1), -np.inf)
    took = np.zeros((n_segments + 1, n_slots + 1), dtype=bool)
    best[:, 0] = skip_penalty * np.arange(n_segments + 1)
    for i in range(1, n_segments + 1):
        skip = best[i - 1, 1:] + skip_penalty
        read = best[i - 1, :-1] + slot_scores[i - 1]
        took[i, 1:] = read > skip
        best[i, 1:] = np.maximum(skip, read)
    score = best[n_segments, n_slots]
    if not np.isfinite(score):
        return None
    assigned = np.empty(n_slots, dtype=int)
    i, j = n_segments, n_slots
    while j > 0:
        if took[i, j]:
            assigned[j - 1] = i - 1
            j -= 1
        i -= 1
    return float(score), assigned


def decode_segments(
    log_proba: np.ndarray,
    classes: Sequence[str],
    formats: Sequence[PlateFormat],
    *,
    skip_penalty: float = -2.5,
    masks: Sequence[np.ndarray] | None = None,
) -> Decoding:
    """Read one row of segments under the best-fitting format.

    Parameters
    ----------
    log_proba : ndarray of shape (n_segments, n_classes)
        Log-probabilities of each segment, left to right.
    classes : sequence of str
        The character of each column of ``log_proba``.
    formats : sequence of PlateFormat
        The allowed formats; the one with the highest score wins (ties: the first).
    skip_penalty : float, default=-2.5
        Log-score of leaving a segment unread (a pseudo-class "not a character" with
        probability ``exp(skip_penalty)``); must be <= 0.
    masks : sequence of ndarray, default=None
        Precomputed ``fmt.allowed_mask(classes)`` for each format, to save work in loops.

    Returns
    -------
    decoding : Decoding
    """
    log_proba = np.asarray(log_proba, dtype=np.float64)
    if log_proba.ndim != 2 or log_proba.shape[1] != len(classes):
        raise ValueError(
            f"log_proba must have shape (n_segments, {len(classes)}) to match the classes, "
            f"got {log_proba.shape}."
        )
    if skip_penalty > 0:
        raise ValueError(f"skip_penalty must be <= 0, got {skip_penalty}.")
    if masks is None:
        masks = [fmt.allowed_mask(classes) for fmt in formats]
    best = EMPTY_DECODING
    for index, (fmt, mask) in enumerate(zip(formats, masks, strict=True)):
        restricted = np.where(mask[None, :, :], log_proba[:, None, :], -np.inf)  # (m, k, C)
        slot_scores = restricted.max(axis=2)
        result = _best_assignment(slot_scores, skip_penalty)
        if result is None or result[0] <= best.score:
            continue
        score, assigned = result
        chars = restricted[assigned, np.arange(len(fmt))].argmax(axis=1)
        text = "".join(classes[c] for c in chars)
        best = Decoding(text, score, index, assigned, log_proba[assigned])
    return best
