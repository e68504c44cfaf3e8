"""Format-constrained decoding of one row of character segments (pure numpy, no images).

For segments ``s_1..s_m`` (left to right) with log-probabilities over the classes, and a
format with slots ``1..k``, the decoder picks an increasing assignment of ``k`` segments to
the ``k`` slots that maximises

    sum over slots j of  log P(c_j | s_assigned(j)),  c_j allowed in slot j
    + skip_penalty * (number of segments left unassigned)
    + switch_penalty * (number of neighbouring slots whose c_j change between digit and letter)

so spurious segments (the EU band, border noise) may be skipped at a fixed cost (or at a
cost per segment, e.g. from a classifier's "not a character" class). The
constant cost makes the scores of formats of different lengths comparable: every segment
is either read or skipped. The switch cost is a prior that plates are runs of digits and
runs of letters (``GN64OTP``, ``1277DPZ``): it settles look-alikes (``0``/``O``,
``1``/``I``) the classifier cannot. A dynamic programme over (segment, slot, type of the
last character) solves it in O(m k).

Recognition-driven segmentation generalises the segments to the runs of a row's pieces
(``spans``: a piece alone, or neighbouring pieces that may together be one character,
classified in the same call): the decoder then chooses a path through the pieces, each
slot reading one run and every piece outside the runs read being skipped, with
``merge_penalty`` per joined piece; O(runs k).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from .formats import DIGITS, PlateFormat

__all__ = [
    "EMPTY_DECODING",
    "UNREAD",
    "Decoding",
    "balance_classes",
    "decode_segments",
    "pool_lookalikes",
]


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


#: The reading of a row that no format fits: empty text, score ``-inf``.
EMPTY_DECODING = Decoding("", float("-inf"), -1)

#: A variant of an extra crop that was not read (the plate's first crop asked for other
#: crops, or none): it holds a place in the plate's list of variants and never votes. Told
#: from :data:`EMPTY_DECODING` by identity (``decoding is UNREAD``).
UNREAD = Decoding("", float("-inf"), -1)


@lru_cache(maxsize=32)
def _programmes(
    key: tuple[tuple[tuple[int, ...], bytes], ...], classes: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The dynamic programmes that read a list of formats, worked out once per list.

    ``key`` holds each format's allowed mask (shape and bytes). A format whose slots are
    the first slots of a longer one shares its programme (a slot's scores depend only on
    the slots before it): the "any" formats are one programme, read at each length.
    Returns ``allowed`` of shape ``(n_programmes, n_types, n_slots, n_classes)``
    (``allowed[g, t, j, c]``: slot ``j`` of programme ``g`` may read class ``c``, which is
    of type ``t``, digit or letter; no class in the slots past the format's length), each
    format's length and the programme that reads it. The arrays are read-only: the cache
    hands the same ones to every call.
    """
    masks = [np.frombuffer(data, dtype=bool).reshape(shape) for shape, data in key]
    lengths = np.array([len(mask) for mask in masks])
    owners = []
    for mask in masks:  # the first of the longest formats that start with the same slots
        extending = [
            g
            for g, other in enumerate(masks)
            if len(other) >= len(mask) and np.array_equal(other[: len(mask)], mask)
        ]
        longest = max(lengths[g] for g in extending)
        owners.append(next(g for g in extending if lengths[g] == longest))
    tables = sorted(set(owners))
    is_digit = np.array([c in DIGITS for c in classes])
    type_masks = np.stack([is_digit, ~is_digit])  # (T, C): digits, letters
    allowed = np.zeros((len(tables), 2, lengths[tables].max(), len(classes)), dtype=bool)
    for row, g in enumerate(tables):
        allowed[row, :, : lengths[g]] = masks[g][None, :, :] & type_masks[:, None, :]
    rows = np.array([tables.index(g) for g in owners])
    for array in (allowed, lengths, rows):
        array.flags.writeable = False
    return allowed, lengths, rows


def _best_paths(
    type_scores: np.ndarray,
    piece_skip: np.ndarray,
    switch_penalty: float,
    starts: np.ndarray,
    stops: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dynamic programme over (piece, slot, type of the last character read), for several
    formats' slots at once.

    The row is cut into ``n_pieces`` pieces; candidate ``r`` spans the pieces
    ``starts[r]`` to ``stops[r] - 1`` (one piece, or a run of pieces that may together
    be one character). ``type_scores[g, t, r, j]`` is the score of reading candidate
    ``r`` in slot ``j`` of format ``g`` as a character of type ``t`` (digit or letter;
    ``-inf`` where the slot allows none, and in the slots past the format's length). A
    slot's scores depend only on the slots before it, so the tables of a format also hold
    those of every format that its first slots make up (:func:`_programmes`).
    ``piece_skip[i]`` is the score of leaving piece ``i`` unread. Consecutive slots read
    as different types cost ``switch_penalty``.

    Returns ``best``, ``took`` and ``came_from``, each of shape
    ``(n_formats, n_pieces + 1, n_slots + 1, n_types)``: ``best[g, i, j, t]`` is the best
    score with the first ``i`` pieces spent, the first ``j`` slots filled and the last
    filled slot read as type ``t`` (``j = 0``: no slot yet, ``t`` is arbitrary; ``-inf``
    where that cannot be); ``took`` is one more than the candidate read in slot ``j``
    that ends at piece ``i - 1`` (0: piece ``i - 1`` was skipped), ``came_from`` the type
    of the slot before it.
    """
    n_formats, n_types, _, n_slots = type_scores.shape
    n_pieces = len(piece_skip)
    switch = switch_penalty * (1.0 - np.eye(n_types))  # (previous type, type)
    shape = (n_formats, n_pieces + 1, n_slots + 1, n_types)
    best = np.full(shape, -np.inf)
    took = np.zeros(shape, dtype=int)
    came_from = np.zeros(shape, dtype=int)
    best[:, :, 0, :] = np.concatenate([[0.0], np.cumsum(piece_skip)])[None, :, None]
    reads = type_scores.transpose(0, 2, 3, 1)  # (G, r, j, T)
    ending: list[list[int]] = [[] for _ in range(n_pieces + 1)]  # the candidates ending at i
    for r, stop in enumerate(stops):
        ending[stop].append(r)
    for i in range(1, n_pieces + 1):
        skip = best[:, i - 1, 1:] + piece_skip[i - 1]  # skip piece i - 1: (G, k, T)
        for number, r in enumerate(ending[i]):  # piece i - 1 alone is always one of them
            before = best[:, starts[r]]
            previous = before[:, :-1, :, None] + switch  # (G, k, T_prev, T)
            previous[:, 0] = before[:, 0, :, None]  # the first slot follows nothing
            read = previous.max(axis=2) + reads[:, r]
            if number == 0:  # came_from matters only where a candidate is read
                better, came_from[:, i, 1:] = read > skip, previous.argmax(axis=2)
                took[:, i, 1:] = np.where(better, r + 1, 0)
                best[:, i, 1:] = np.maximum(skip, read)
                continue
            better = read > best[:, i, 1:]
            best[:, i, 1:] = np.where(better, read, best[:, i, 1:])
            took[:, i, 1:] = np.where(better, r + 1, took[:, i, 1:])
            came_from[:, i, 1:] = np.where(better, previous.argmax(axis=2), came_from[:, i, 1:])
    return best, took, came_from


def _backtrack(
    took: np.ndarray, came_from: np.ndarray, starts: np.ndarray, n_slots: int, last_type: int
) -> tuple[np.ndarray, np.ndarray]:
    """The candidate read in each of the first ``n_slots`` slots and each one's type, from
    one programme's ``took`` and ``came_from`` (:func:`_best_paths`)."""
    assigned = np.empty(n_slots, dtype=int)
    types = np.empty(n_slots, dtype=int)
    i, j, t = took.shape[0] - 1, n_slots, last_type
    while j > 0:
        read = took[i, j, t] - 1
        if read >= 0:
            assigned[j - 1], types[j - 1] = read, t
            t = came_from[i, j, t]
            j -= 1
            i = starts[read]
        else:
            i -= 1
    return assigned, types


def _check_spans(spans: np.ndarray | None, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """``(starts, stops)`` of each row's pieces; every row its own piece when None."""
    if spans is None:
        return np.arange(n_rows), np.arange(1, n_rows + 1)
    spans = np.asarray(spans)
    if spans.shape != (n_rows, 2) or not np.issubdtype(spans.dtype, np.integer):
        raise ValueError(
            f"spans must be integers of shape ({n_rows}, 2), (first piece, number of pieces) "
            f"per segment; got shape {spans.shape}."
        )
    starts, lengths = spans[:, 0], spans[:, 1]
    single = np.sort(starts[lengths == 1])
    if np.any(lengths < 1) or not np.array_equal(single, np.arange(len(single))):
        raise ValueError(
            "spans: each piece 0..n-1 must be one segment of one piece, and every segment "
            "at least one piece long."
        )
    if np.any(starts + lengths > len(single)) or np.any(starts < 0):
        raise ValueError(f"spans: a segment reaches past the last of {len(single)} pieces.")
    return starts, starts + lengths


def decode_segments(
    log_proba: np.ndarray,
    classes: Sequence[str],
    formats: Sequence[PlateFormat],
    *,
    skip_penalty: float | np.ndarray = -2.5,
    switch_penalty: float = 0.0,
    masks: Sequence[np.ndarray] | None = None,
    spans: np.ndarray | None = None,
    merge_penalty: float = 0.0,
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
    skip_penalty : float or ndarray of shape (n_segments,), default=-2.5
        Log-score of leaving a segment unread (a pseudo-class "not a character" with
        probability ``exp(skip_penalty)``), one for all segments or one per segment; must
        be <= 0.
    switch_penalty : float, default=0.0
        Log-score of each change between a digit and a letter in the reading (a prior
        that plates are runs of digits and runs of letters); must be <= 0. It decides
        look-alikes such as ``0``/``O`` and ``1``/``I`` by their neighbours; 0 adds no
        prior.
    masks : sequence of ndarray, default=None
        Precomputed ``fmt.allowed_mask(classes)`` for each format, to save work in loops.
    spans : ndarray of shape (n_segments, 2), int, default=None
        Recognition-driven segmentation: the row is cut into pieces, and each segment is
        ``(first piece, number of pieces)``: a piece alone, or a run of consecutive
        pieces that may together be one character (a letter broken in two). Every piece
        must be a segment of its own. The decoder then chooses a path through the
        pieces: each slot reads one segment, the pieces it leaves out are skipped (the
        ``skip_penalty`` of their one-piece segments). None: each segment is its own
        piece, in order.
    merge_penalty : float, default=0.0
        Log-score of each piece beyond the first that a segment read joins (<= 0): a
        prior against reading two characters as one.

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
    skip_scores = np.asarray(skip_penalty, dtype=np.float64)
    if skip_scores.ndim and skip_scores.shape != log_proba.shape[:1]:
        raise ValueError(
            f"skip_penalty must be a number or have shape ({len(log_proba)},), one score per "
            f"segment; got shape {skip_scores.shape}."
        )
    skip_scores = np.broadcast_to(skip_scores, log_proba.shape[:1])
    if np.any(skip_scores > 0) or np.isnan(skip_scores).any():
        raise ValueError(f"skip_penalty must be <= 0, got {skip_penalty}.")
    if switch_penalty > 0:
        raise ValueError(f"switch_penalty must be <= 0, got {switch_penalty}.")
    if not merge_penalty <= 0:
        raise ValueError(f"merge_penalty must be <= 0, got {merge_penalty}.")
    starts, stops = _check_spans(spans, len(log_proba))
    if masks is None:
        masks = [fmt.allowed_mask(classes) for fmt in formats]
    masks = [np.asarray(mask, dtype=bool) for mask in masks]
    if not masks:
        return EMPTY_DECODING
    allowed, lengths, rows = _programmes(
        tuple((mask.shape, mask.tobytes()) for mask in masks), tuple(str(c) for c in classes)
    )
    single = stops - starts == 1
    n_pieces = int(single.sum())
    if n_pieces < lengths.min():
        return EMPTY_DECODING
    piece_skip = np.empty(n_pieces)
    piece_skip[starts[single]] = skip_scores[single]
    restricted = np.where(allowed[:, :, None], log_proba[None, None, :, None, :], -np.inf)
    type_scores = restricted.max(axis=4)
    if not single.all():
        type_scores = type_scores + (merge_penalty * (stops - starts - 1))[:, None]
    best, took, came_from = _best_paths(type_scores, piece_skip, switch_penalty, starts, stops)
    finals = best[rows, n_pieces, lengths]  # (F, T)
    scores = finals.max(axis=1)
    index = int(np.argmax(scores))  # the first of the best formats
    if not np.isfinite(scores[index]):
        return EMPTY_DECODING
    length, row = int(lengths[index]), rows[index]
    assigned, types = _backtrack(
        took[row], came_from[row], starts, length, int(finals[index].argmax())
    )
    slots = np.arange(length)
    chars = restricted[row, types, assigned, slots].argmax(axis=1)
    text = "".join(classes[c] for c in chars)
    return Decoding(text, float(scores[index]), index, assigned, log_proba[assigned])


def pool_lookalikes(
    log_proba: np.ndarray,
    classes: Sequence[str],
    groups: Sequence[str],
    weight: float,
) -> np.ndarray:
    """Pool the evidence of characters that plate fonts draw alike (``0``/``O``).

    Within each group, every member's log-probability becomes

        log(sum of the group's probabilities) + weight * (log P(c) - log(that sum))

    so the group as a whole keeps its probability against the other characters, and only
    ``weight`` of the classifier's preference between the members is kept. With
    ``weight=0`` the members are equally likely and the format's allowed characters and
    the digit/letter ``switch_penalty`` of :func:`decode_segments` decide between them;
    ``weight=1`` returns ``log_proba`` unchanged.

    Parameters
    ----------
    log_proba : ndarray of shape (n_segments, n_classes)
        Log-probabilities of the segments.
    classes : sequence of str
        The character of each column.
    groups : sequence of str
        Groups of look-alike characters, e.g. ``["0O"]``; characters of a group that are
        not among ``classes`` are ignored.
    weight : float in [0, 1]
        The share of the within-group preference kept.

    Returns
    -------
    pooled : ndarray of shape (n_segments, n_classes)
    """
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"weight must be in [0, 1], got {weight}.")
    pooled = np.array(log_proba, dtype=np.float64, copy=True)
    columns = {str(c): i for i, c in enumerate(classes)}
    for group in groups:
        members = [columns[c] for c in dict.fromkeys(group) if c in columns]
        if len(members) < 2:
            continue
        total = np.logaddexp.reduce(pooled[:, members], axis=1, keepdims=True)
        pooled[:, members] = total + weight * (pooled[:, members] - total)
    return pooled


def balance_classes(
    log_proba: np.ndarray,
    class_prior: np.ndarray,
    strength: float = 1.0,
    *,
    keep: np.ndarray | None = None,
) -> np.ndarray:
    """Divide a classifier's training class frequencies out of its probabilities.

    A classifier's probabilities are posteriors under the class mix it was trained on:
    a class that filled more of the training data (Chars74K's natural scenes hold more
    than ten times as many ``E`` as ``8``) wins the segments it shares with a rarer one.
    Each row becomes

        log P(c) - strength * log prior(c), renormalised,

    the logit adjustment that reads as if every class were equally common
    (``strength=1``); ``strength=0`` returns ``log_proba`` unchanged. Columns in
    ``keep`` (such as "not a character", whose share of the training data is a choice
    of how much junk was drawn) keep their probability; the others share the rest.

    Parameters
    ----------
    log_proba : ndarray of shape (n_segments, n_classes)
        Log-probabilities of the segments.
    class_prior : ndarray of shape (n_classes,)
        Each class's share of the training labels (positive).
    strength : float, default=1.0
        The power of the prior divided out, at least 0.
    keep : ndarray of bool of shape (n_classes,), default=None
        Columns left as they are.

    Returns
    -------
    balanced : ndarray of shape (n_segments, n_classes)
    """
    log_proba = np.asarray(log_proba, dtype=np.float64)
    prior = np.asarray(class_prior, dtype=np.float64)
    if prior.shape != log_proba.shape[1:]:
        raise ValueError(
            f"class_prior: expected one share per class ({log_proba.shape[1]}), "
            f"got shape {prior.shape}."
        )
    if not np.all(np.isfinite(prior)) or np.any(prior <= 0):
        raise ValueError("class_prior: every share must be a positive finite number.")
    if strength < 0:
        raise ValueError(f"strength must be at least 0, got {strength}.")
    keep = np.zeros(prior.shape, dtype=bool) if keep is None else np.asarray(keep, dtype=bool)
    balanced = log_proba.copy()
    moved = ~keep
    if not strength or not moved.any() or not len(balanced):
        return balanced
    mass = np.logaddexp.reduce(balanced[:, moved], axis=1, keepdims=True)
    adjusted = balanced[:, moved] - strength * np.log(prior[moved])
    adjusted -= np.logaddexp.reduce(adjusted, axis=1, keepdims=True)
    balanced[:, moved] = mass + adjusted
    return balanced
