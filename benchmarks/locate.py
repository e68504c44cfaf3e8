"""Plate locating: UC3M photos by cross-validation, the 117 reference photos cross-dataset.

Usage::

    SKPLATE_DATA=../shared/data python benchmarks/locate.py [--folds 5] [--run-folds K] \
        [--seed 0] [--set epochs=40 ...] [--json locate.json] [--save locator.joblib] \
        [--close-ups] [--load locator.joblib]

For each of the first ``--run-folds`` (default: all) of ``--folds`` folds over the 1,580
UC3M-LP photos (split by photo, shuffled with ``--seed``), a :class:`PlateLocator` is
trained on the other folds and located on the held-out photos; every plate box counts
(IoU >= 0.5, PASCAL VOC matching). Reported per fold and pooled over the folds run:

- recall of the plates at least 20 px wide, recall of all plates, precision of all boxes,
  average precision (the locator's ``score``);
- the same fold's locator on the 117 reference photos (``test6Training``, never trained
  on): recall and precision of their plate boxes;
- training time, and locating time per 416x416 reference photo (all 117 in one
  ``predict`` call, after a warm-up call);
- with ``--close-ups``, the same fold's locator on close-ups of its held-out photos (see
  :func:`close_ups`): UC3M-LP's plates at the size of the 117's, as a closer camera
  shows them; the rates are those of the held-out photos.

``--load FILE`` locates with a locator saved by ``--save`` (fold 0 of the same ``--seed``
held out) instead of training one: ``--set`` then changes how it locates (``pyramid``,
``score_threshold`` ...), e.g. to compare pyramids on the same network.

The target figures are in the issue (recall >= 0.97 on plates >= 20 px, precision >= 0.95,
117 recall >= 0.95, <= 60 ms per photo, training <= 10 min on 2 cores).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import statistics
import time

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _params(pairs: list[str]) -> dict:
    params = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        try:
            params[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            params[key] = value
    return params


def _rates(detections, truths) -> dict[str, float]:
    from skplate.locate import average_precision, match_detections

    _, hits, found = match_detections(detections, truths)
    found = np.concatenate(found)
    widths = np.concatenate(
        [np.reshape(t, (-1, 4))[:, 2] - np.reshape(t, (-1, 4))[:, 0] for t in truths]
    )
    return {
        "recall_20px": float(found[widths >= 20].mean()),
        "recall": float(found.mean()),
        "precision": float(hits.mean()) if len(hits) else 1.0,
        "ap": average_precision(detections, truths),
        "n_plates": len(found),
        "n_plates_20px": int((widths >= 20).sum()),
        "n_boxes": len(hits),
    }


def close_ups(photos, boxes, seed: int, window=(160, 120), zoom: float = 2.6):
    """Close-ups of photos: a window around one plate of each, enlarged ``zoom`` times.

    For each photo with a plate, a ``window`` (width, height) is cut around one of its
    plates (drawn at random, the window's centre moved by up to a quarter of its size)
    and enlarged with ``INTER_CUBIC``; the plates at least 70 % inside it are its truths,
    clipped to it. On UC3M-LP's 320x240 photos (plates 29 px wide at the median) a 160x120
    window enlarged 2.6 times gives 416x312 photos with plates about 75 px wide, as the
    117 reference photos show them (median 77 px).
    """
    import cv2

    rng = np.random.RandomState(seed)
    width, height = window
    images, truths = [], []
    for photo, plates in zip(photos, boxes, strict=True):
        plates = np.reshape(np.asarray(plates, dtype=float), (-1, 4))
        if not len(plates) or photo.shape[0] < height or photo.shape[1] < width:
            continue
        x1, y1, x2, y2 = plates[rng.randint(len(plates))]
        shift = rng.uniform(-0.25, 0.25, 2) * (width, height)
        left = int(np.clip((x1 + x2 - width) / 2 + shift[0], 0, photo.shape[1] - width))
        top = int(np.clip((y1 + y2 - height) / 2 + shift[1], 0, photo.shape[0] - height))
        window_box = np.array([left, top, left + width, top + height], dtype=float)
        clipped = np.column_stack(
            [np.maximum(plates[:, :2], window_box[:2]), np.minimum(plates[:, 2:], window_box[2:])]
        )
        inside = np.prod(np.clip(clipped[:, 2:] - clipped[:, :2], 0, None), axis=1)
        whole = np.prod(plates[:, 2:] - plates[:, :2], axis=1)
        kept = clipped[inside >= 0.7 * whole]
        crop = photo[top : top + height, left : left + width]
        images.append(cv2.resize(crop, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_CUBIC))
        truths.append((kept - np.tile(window_box[:2], 2)) * zoom)
    return images, truths


def clone_with_threshold(locator, threshold: float):
    """A copy of the fitted ``locator`` (its network shared) returning boxes from
    ``threshold``."""
    import copy

    copied = copy.copy(locator)
    copied.score_threshold = threshold
    return copied


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--run-folds", type=int, default=None, help="run only the first K folds")
    parser.add_argument("--seed", type=int, default=0, help="fold split and locator seed")
    parser.add_argument("--set", nargs="*", default=[], metavar="PARAM=VALUE")
    parser.add_argument(
        "--thresholds",
        type=float,
        nargs="+",
        default=[0.3, 0.4, 0.5, 0.6, 0.7],
        help="score thresholds reported (the locator's own score_threshold is set to the least)",
    )
    parser.add_argument("--json", default=None, help="write the figures to this file")
    parser.add_argument(
        "--close-ups", action="store_true", help="also locate close-ups of the held-out photos"
    )
    parser.add_argument(
        "--load",
        default=None,
        help="locate fold 0 with this saved locator (--save, same --seed) instead of training",
    )
    parser.add_argument(
        "--save",
        default=None,
        help="save the first fold's fitted locator here (joblib), with its own threshold",
    )
    args = parser.parse_args(argv)

    import joblib
    from sklearn.model_selection import KFold

    from skplate.datasets import load_plates, load_uc3m_photos
    from skplate.locate import PlateLocator

    photos, boxes = load_uc3m_photos(return_X_y=True)
    reference = load_plates()
    ref_images = reference.images
    ref_truths = [box[None] for box in reference.boxes]
    params = {"random_state": args.seed, **_params(args.set)}
    print(f"PlateLocator({', '.join(f'{k}={v!r}' for k, v in params.items())})")
    print(
        f"{len(photos)} UC3M photos, {sum(len(b) for b in boxes)} plates; "
        f"{len(ref_images)} reference photos"
    )

    # Located at the least threshold reported; the saved locator keeps its own.
    saved_threshold = params.get("score_threshold", PlateLocator().score_threshold)
    params["score_threshold"] = min(args.thresholds)
    folds = list(KFold(args.folds, shuffle=True, random_state=args.seed).split(photos))
    folds = folds[: 1 if args.load else args.run_folds or args.folds]

    def above(detections, threshold):
        return [d[d[:, 4] >= threshold] for d in detections]

    rows, pooled_det, pooled_true, pooled_close_det, pooled_close_true = [], [], [], [], []
    print(
        f"{'fold':>4} {'thresh':>6} {'rec>=20':>8} {'recall':>7} {'prec':>6} {'AP':>6} "
        f"{'117 rec':>8} {'117 prec':>8} {'117 AP':>7}"
    )
    for number, (train, test) in enumerate(folds):
        start, cpu = time.perf_counter(), time.process_time()
        if args.load:
            locator = joblib.load(args.load).set_params(**params)
        else:
            locator = PlateLocator(**params)
            locator.fit([photos[i] for i in train], [boxes[i] for i in train])
        train_s, train_cpu = time.perf_counter() - start, time.process_time() - cpu
        if args.save and number == 0 and not args.load:
            joblib.dump(clone_with_threshold(locator, saved_threshold), args.save)
        detections = locator.predict([photos[i] for i in test])
        truths = [boxes[i] for i in test]
        if args.close_ups:
            close_images, close_truths = close_ups(
                [photos[i] for i in test], truths, seed=args.seed + number
            )
            close_det = locator.predict(close_images)
            pooled_close_det += close_det
            pooled_close_true += close_truths
        pooled_det += detections
        pooled_true += truths
        locator.predict(ref_images[:8])  # warm-up
        start = time.perf_counter()
        ref_det = locator.predict(ref_images)
        ms = (time.perf_counter() - start) / len(ref_images) * 1000
        row = {
            "fold": number,
            "train_s": train_s,
            "train_cpu_s": train_cpu,
            "ms_per_416_photo": ms,
            "uc3m": {},
            "reference": {},
            "close_ups": {},
        }
        for threshold in args.thresholds:
            fold = row["uc3m"][threshold] = _rates(above(detections, threshold), truths)
            ref = row["reference"][threshold] = _rates(above(ref_det, threshold), ref_truths)
            print(
                f"{number:>4} {threshold:>6.2f} {fold['recall_20px']:>8.3f} "
                f"{fold['recall']:>7.3f} {fold['precision']:>6.3f} {fold['ap']:>6.3f} "
                f"{ref['recall']:>8.3f} {ref['precision']:>8.3f} {ref['ap']:>7.3f}",
                flush=True,
            )
            if args.close_ups:
                close = row["close_ups"][threshold] = _rates(
                    above(close_det, threshold), close_truths
                )
                print(
                    f"{'':>4} {'close':>6} {close['recall_20px']:>8.3f} {close['recall']:>7.3f} "
                    f"{close['precision']:>6.3f} {close['ap']:>6.3f}",
                    flush=True,
                )
        trained = f"loaded {args.load}" if args.load else f"training {train_s:.0f} s wall"
        print(
            f"fold {number}: {trained}, {train_cpu:.0f} s CPU; locating "
            f"{ms:.1f} ms per 416x416 photo (117 in one call)",
            flush=True,
        )
        rows.append(row)
    pooled, pooled_close = {}, {}
    for threshold in args.thresholds:
        rates = pooled[threshold] = _rates(above(pooled_det, threshold), pooled_true)
        ref_recalls = [row["reference"][threshold]["recall"] for row in rows]
        print(
            f"threshold {threshold:.2f}, pooled over {len(rows)} of {args.folds} folds "
            f"({rates['n_plates']} plates, {rates['n_plates_20px']} >= 20 px): recall >= 20 px "
            f"{rates['recall_20px']:.3f}, recall {rates['recall']:.3f}, precision "
            f"{rates['precision']:.3f}, AP {rates['ap']:.3f}; 117 photos recall min "
            f"{min(ref_recalls):.3f} median {statistics.median(ref_recalls):.3f}"
        )
        if args.close_ups:
            close = pooled_close[threshold] = _rates(
                above(pooled_close_det, threshold), pooled_close_true
            )
            print(
                f"  close-ups ({close['n_plates']} plates): recall >= 20 px "
                f"{close['recall_20px']:.3f}, recall {close['recall']:.3f}, precision "
                f"{close['precision']:.3f}, AP {close['ap']:.3f}"
            )
    print(
        f"training median {statistics.median(r['train_s'] for r in rows):.0f} s wall "
        f"({statistics.median(r['train_cpu_s'] for r in rows):.0f} s CPU); locating median "
        f"{statistics.median(r['ms_per_416_photo'] for r in rows):.1f} ms per 416x416 photo"
    )
    if args.json:
        with open(args.json, "w") as file:
            json.dump(
                {"params": params, "folds": rows, "pooled": pooled, "close_ups": pooled_close},
                file,
                indent=2,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
