"""Plate-level metrics and scorers for model selection."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import make_scorer

__all__ = ["char_accuracy", "char_scorer", "edit_distance", "plate_accuracy", "plate_scorer"]


def _as_texts(values: Sequence[str] | np.ndarray, name: str) -> list[str]:
    texts = ["" if v is None else str(v) for v in np.asarray(values, dtype=object).ravel()]
    if np.ndim(values) != 1:
        raise ValueError(f"{name} must be a 1-D sequence of plate strings.")
    return texts


def _check_pair(y_true, y_pred) -> tuple[list[str], list[str]]:
    true, pred = _as_texts(y_true, "y_true"), _as_texts(y_pred, "y_pred")
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

    Examples
    --------
    >>> plate_accuracy(["1277DPZ", "1377LLV"], ["1277DPZ", "1377LLY"])
    0.5
    """
    true, pred = _check_pair(y_true, y_pred)
    return float(np.mean([t == p for t, p in zip(true, pred, strict=True)]))


def char_accuracy(y_true: Sequence[str], y_pred: Sequence[str]) -> float:
    """Mean over plates of ``1 - edit_distance / max(len(true), len(pred))``.

    An empty prediction of a non-empty plate scores 0.

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
