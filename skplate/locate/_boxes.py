"""Box geometry and the detection metrics: IoU, greedy matching and average precision.

Pure numpy; boxes are ``(x1, y1, x2, y2)`` rows in pixels (``x2``/``y2`` exclusive, so a
box's width is ``x2 - x1``).
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

__all__ = ["average_precision", "box_iou", "match_detections", "non_max_suppression"]


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection over union of every box of ``a`` with every box of ``b``.

    Parameters
    ----------
    a : array-like of shape (n, 4)
    b : array-like of shape (m, 4)

    Returns
    -------
    iou : ndarray of shape (n, m)
    """
    a = np.asarray(a, dtype=float).reshape(-1, 4)
    b = np.asarray(b, dtype=float).reshape(-1, 4)
    width = np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0])
    height = np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1])
    inter = np.clip(width, 0, None) * np.clip(height, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def _match_one(pred: np.ndarray, true: np.ndarray, iou_threshold: float) -> np.ndarray:
    """For each predicted box (rows sorted by falling score): the index of the true box it
    matches, or -1. Greedy in score order; a true box is matched at most once, by the
    best-overlapping still-free true box at or above ``iou_threshold`` (PASCAL VOC)."""
    matched = np.full(len(pred), -1)
    if len(pred) == 0 or len(true) == 0:
        return matched
    iou = box_iou(pred, true)
    free = np.ones(len(true), dtype=bool)
    for row in range(len(pred)):
        candidates = np.where(free, iou[row], -1.0)
        best = int(np.argmax(candidates))
        if candidates[best] >= iou_threshold:
            matched[row] = best
            free[best] = False
    return matched


def match_detections(
    detections: Sequence[np.ndarray],
    true_boxes: Sequence[np.ndarray],
    *,
    iou_threshold: float = 0.5,
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Match each photo's detections to its true boxes.

    Parameters
    ----------
    detections : sequence of array-like of shape (n_i, 5)
        Per photo, boxes ``(x1, y1, x2, y2, score)``.
    true_boxes : sequence of array-like of shape (m_i, 4)
        Per photo, the true boxes.
    iou_threshold : float, default=0.5
        Least IoU of a match.

    Returns
    -------
    scores : ndarray of shape (n_detections,)
        Every detection's score, photos concatenated.
    is_true_positive : ndarray of bool, shape (n_detections,)
        Whether the detection matched a true box.
    found : list of ndarray of bool
        Per photo, whether each true box was matched.
    """
    if len(detections) != len(true_boxes):
        raise ValueError(
            f"detections and true_boxes must have one entry per photo, got "
            f"{len(detections)} and {len(true_boxes)}."
        )
    all_scores, all_hits, found = [], [], []
    for det, true in zip(detections, true_boxes, strict=True):
        det = np.asarray(det, dtype=float).reshape(-1, 5)
        true = np.asarray(true, dtype=float).reshape(-1, 4)
        det = det[np.argsort(-det[:, 4], kind="stable")]
        matched = _match_one(det[:, :4], true, iou_threshold)
        hit = np.zeros(len(true), dtype=bool)
        hit[matched[matched >= 0]] = True
        all_scores.append(det[:, 4])
        all_hits.append(matched >= 0)
        found.append(hit)
    return np.concatenate(all_scores), np.concatenate(all_hits), found


def average_precision(
    detections: Sequence[np.ndarray],
    true_boxes: Sequence[np.ndarray],
    *,
    iou_threshold: float = 0.5,
) -> float:
    """Average precision of scored boxes against the true boxes (PASCAL VOC matching).

    Detections are matched greedily per photo in falling score order (see
    :func:`match_detections`), then ranked by score over all photos. The average precision
    is the mean, over every true box, of the precision at the rank where it was found (0
    for a true box never found): ``sum(precision@k * tp_k) / n_true``, the area under the
    precision-recall step curve, with no interpolation (as
    :func:`sklearn.metrics.average_precision_score`, which however ignores positives that
    were never ranked).

    Parameters
    ----------
    detections : sequence of array-like of shape (n_i, 5)
        Per photo, boxes ``(x1, y1, x2, y2, score)``.
    true_boxes : sequence of array-like of shape (m_i, 4)
        Per photo, the true boxes (any number, none included).
    iou_threshold : float, default=0.5
        Least IoU of a match.

    Returns
    -------
    ap : float
        In [0, 1]. 1.0 when there is no true box and no detection; 0.0 when there is no
        true box but some detection.
    """
    scores, hits, found = match_detections(detections, true_boxes, iou_threshold=iou_threshold)
    n_true = sum(len(f) for f in found)
    if n_true == 0:
        return 1.0 if len(scores) == 0 else 0.0
    order = np.argsort(-scores, kind="stable")
    hits = hits[order]
    precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float(np.sum(precision[hits]) / n_true)


def non_max_suppression(
    detections: np.ndarray,
    *,
    iou_threshold: float,
    max_boxes: int | None = None,
    vote_iou: float | None = None,
) -> np.ndarray:
    """Keep the best of overlapping boxes (``cv2.dnn.NMSBoxes``), best score first.

    Parameters
    ----------
    detections : ndarray of shape (n, 5)
        Rows ``(x1, y1, x2, y2, score)``.
    iou_threshold : float
        A box overlapping a better-scored kept box by more than this IoU is dropped.
    max_boxes : int or None
        Most boxes kept.
    vote_iou : float or None
        Box voting: each kept box becomes the score-weighted mean of every candidate
        overlapping it by at least this IoU (itself included); its score stays. None keeps
        the boxes as they are.

    Returns
    -------
    kept : ndarray of shape (k, 5)
    """
    detections = np.asarray(detections, dtype=float).reshape(-1, 5)
    if len(detections) == 0:
        return detections
    xywh = np.column_stack([detections[:, :2], detections[:, 2:4] - detections[:, :2]])
    keep = cv2.dnn.NMSBoxes(xywh.tolist(), detections[:, 4].tolist(), 0.0, float(iou_threshold))
    keep = np.asarray(keep, dtype=int).reshape(-1)
    keep = keep[np.argsort(-detections[keep, 4], kind="stable")][:max_boxes]
    kept = detections[keep].copy()
    if vote_iou is not None:
        weights = (box_iou(kept[:, :4], detections[:, :4]) >= vote_iou) * detections[:, 4]
        kept[:, :4] = weights @ detections[:, :4] / weights.sum(axis=1, keepdims=True)
    return kept
