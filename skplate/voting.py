"""Voting across the filter variants of one plate (pure numpy on decodings)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from .decode import Decoding, decode_segments
from .formats import PlateFormat

__all__ = ["hard_vote", "soft_vote"]


def hard_vote(decodings: Sequence[Decoding], weights: np.ndarray) -> tuple[str, float]:
    """Most frequent reading, each variant counting its weight (the reference vote).

    Ties go to the reading with the higher summed score; an empty reading never wins.
    Returns the text and its share of the weighted votes (0 when nothing was read).
    """
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for decoding, weight in zip(decodings, weights, strict=True):
        if decoding.text and weight > 0:
            totals[decoding.text][0] += weight
            totals[decoding.text][1] += decoding.score
    if not totals:
        return "", 0.0
    text, (votes, _) = max(totals.items(), key=lambda item: (item[1][0], item[1][1]))
    return text, votes / sum(v for v, _ in totals.values())


def soft_vote(
    decodings: Sequence[Decoding],
    weights: np.ndarray,
    formats: Sequence[PlateFormat],
    classes: Sequence[str],
    *,
    switch_penalty: float = 0.0,
    format_by: str = "reading",
) -> tuple[str, float]:
    """Combine the slot log-probabilities of the variants that read the winning format.

    The winning format is, with ``format_by="reading"``, the one whose most common
    reading has the largest weight of variants; with ``format_by="variants"``, the one
    read by the largest weight of variants (ties: then the format's whole weight, then
    its summed score). The two differ when many variants read scattered, different texts
    of one length (a badly binarised crop: ``IIEJIMI``, ``IKIAIIII``, ``IIKVIMI``) and
    fewer read one text of another length (``037TD``): the texts, not their lengths,
    carry the evidence. The weighted mean of the winning format's variants' slot
    log-probabilities is then read under its allowed characters, with the same
    digit/letter ``switch_penalty`` as the variants were decoded with (see
    :func:`~skplate.decode.decode_segments`). The confidence is the geometric mean, over
    the slots, of the chosen character's share of the combined (renormalised)
    probability.
    """
    if format_by not in ("reading", "variants"):
        raise ValueError(f"format_by must be 'reading' or 'variants', got {format_by!r}.")
    by_format: dict[int, list[int]] = defaultdict(list)
    for index, (decoding, weight) in enumerate(zip(decodings, weights, strict=True)):
        if decoding.text and weight > 0:
            by_format[decoding.format_index].append(index)
    if not by_format:
        return "", 0.0

    def strength(item: tuple[int, list[int]]) -> tuple[float, float, float]:
        members = item[1]
        total = float(sum(weights[i] for i in members))
        by_text: dict[str, float] = defaultdict(float)
        for i in members:
            by_text[decodings[i].text] += weights[i]
        first = max(by_text.values()) if format_by == "reading" else total
        return first, total, float(sum(decodings[i].score for i in members))

    format_index, members = max(by_format.items(), key=strength)
    mask = formats[format_index].allowed_mask(classes)
    member_weights = np.asarray([weights[i] for i in members], dtype=np.float64)
    stacked = np.stack([decodings[i].slot_log_proba for i in members])  # (v, k, C)
    combined = np.tensordot(member_weights / member_weights.sum(), stacked, axes=1)
    # One segment per slot: the decoder can only read the combined rows in order.
    reading = decode_segments(
        combined,
        classes,
        [formats[format_index]],
        skip_penalty=0.0,
        switch_penalty=switch_penalty,
        masks=[mask],
    )
    chars = np.array([list(classes).index(c) for c in reading.text])
    combined = np.where(mask, combined, -np.inf)
    shifted = np.exp(combined - combined.max(axis=1, keepdims=True))
    share = shifted[np.arange(len(chars)), chars] / shifted.sum(axis=1)
    return reading.text, float(np.exp(np.mean(np.log(share))))
