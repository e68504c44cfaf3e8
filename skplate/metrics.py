"""Plate-level metrics and scorers for model selection.

A truth may be partial: :data:`PAINTED` (``-``) stands for a character nobody can read (a
block painted over for anonymisation, as in UC3M-LP). Such a block is no character: a
reading is right when it equals the truth's visible characters in order
(:func:`visible_text`), so ``"38-3-PV"`` is read right as ``"383PV"``. Every metric here
and every comparison with a truth in skplate (``score``, ``skplate evaluate``, the HTML
report) reads truths this way.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import make_scorer

__all__ = [
    "PAINTED",
    "char_accuracy",
    "char_scorer",
    "edit_distance",
    "is_read_right",
    "plate_accuracy",
    "plate_scorer",
    "visible_text",
]

#: The character a truth uses for a character nobody can read (painted over).
PAINTED = "-"


def visible_text(truth: str) -> str:
    """The characters of ``truth`` that can be read, in order: the truth without :data:`PAINTED`.

    Examples
    --------
    >>> visible_text("38-3-PV")
    '383PV'
    >>> visible_text("1277DPZ")
    '1277DPZ'
    """
    return str(truth).replace(PAINTED, "")


def is_read_right(truth: str, reading: str) -> bool:
    """Whether ``reading`` equals the visible characters of ``truth`` (see :func:`visible_text`).

    Examples
    --------
    >>> is_read_right("38-3-PV", "383PV"), is_read_right("38-3-PV", "3813PV")
    (True, False)
    """
    return visible_text(truth) == str(reading)


def _as_texts(values: Sequence[str] | np.ndarray, name: str) -> list[str]:
    texts = ["" if v is None else str(v) for v in np.asarray(values, dtype=object).ravel()]
    if np.ndim(values) != 1:
        raise ValueError(f"{name} must be a 1-D sequence of plate strings.")
    return texts


def _check_pair(y_true, y_pred) -> tuple[list[str], list[str]]:
    true = [visible_text(t) for t in _as_texts(y_true, "y_true")]
    pred = _as_texts(y_pred, "y_pred")
    if len(true) != len(pred):
        raise ValueError(f"y_true and y_pred have different lengths: {len(true)} and {len(pred)}.")
    if not true:
        raise ValueError("y_true is empty; there is nothing to score.")
    return true, pred


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance between two strings (insertions, deletions, substitutions)."""
    previous = np.arange(len(b) + 1)
    for i, ca in enumerate(a, start=1):
        current = np.empty_like(previous)
        current[0] = i
        for j, cb in enumerate(b, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
        previous = current
    return int(previous[-1])


def plate_accuracy(y_true: Sequence[str], y_pred: Sequence[str]) -> float:
    """Fraction of plates read exactly right.

    A truth's painted characters (``-``) are left out before comparing: a reading is right
    when it equals the visible characters in order (see :func:`visible_text`).

    Examples
    --------
    >>> plate_accuracy(["1277DPZ", "1377LLV"], ["1277DPZ", "1377LLY"])
    0.5
    >>> plate_accuracy(["38-3-PV", "074-C-V"], ["383PV", "0743CV"])
    0.5
    """
    true, pred = _check_pair(y_true, y_pred)
    return float(np.mean([t == p for t, p in zip(true, pred, strict=True)]))


def char_accuracy(y_true: Sequence[str], y_pred: Sequence[str]) -> float:
    """Mean over plates of ``1 - edit_distance / max(len(true), len(pred))``.

    An empty prediction of a non-empty plate scores 0. The truth's painted characters
    (``-``) are left out first, as in :func:`plate_accuracy`.

    Examples
    --------
    >>> round(char_accuracy(["1277DPZ"], ["1277DPX"]), 4)
    0.8571
    """
    true, pred = _check_pair(y_true, y_pred)
    scores = [
        1.0 - edit_distance(t, p) / max(len(t), len(p), 1) for t, p in zip(true, pred, strict=True)
    ]
    return float(np.mean(scores))


plate_scorer = make_scorer(plate_accuracy)
"""Scorer for ``scoring=`` in model selection: exact plate accuracy (greater is better)."""

char_scorer = make_scorer(char_accuracy)
"""Scorer for ``scoring=`` in model selection: character accuracy (greater is better)."""
