"""The plate locator from the command line: reuse a saved one, train one, score one.

``skplate train --locator FILE`` and ``--train-locator`` put a fitted
:class:`~skplate.locate.PlateLocator` into the saved recognizer; ``skplate predict`` and
``skplate evaluate --locate`` then find the plates of photos without a box. Heavy modules
(TensorFlow) are imported inside the functions.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence

from ..model_info import locator_summary
from ..persistence import ModelFileError
from ._log import Log

# How 'skplate train' can give a model a locator, for the messages that ask for one.
LOCATOR_HINT = (
    "train one with 'skplate train --locator FILE' (a saved PlateLocator, or a model "
    "holding one) or 'skplate train --train-locator'"
)
# The least IoU at which a located box counts as the true one, in evaluate's figures.
IOU_THRESHOLD = 0.5
# The score threshold of a locator trained with its verifier (--locator-verify): the best
# F1 of plates found and precision on held-out UC3M-LP photos (PlateLocator's Notes).
VERIFIED_THRESHOLD = 0.65


def _inner(estimator: object) -> object:
    """The estimator a FrozenEstimator wraps, or the estimator itself."""
    from sklearn.frozen import FrozenEstimator

    return estimator.estimator if isinstance(estimator, FrozenEstimator) else estimator


def model_locator(model: object) -> object | None:
    """The fitted plate locator a loaded recognizer holds (unwrapped), or None."""
    locator = getattr(model, "locator_", None)
    return None if locator is None else _inner(locator)


def require_locator(model: object, path: str) -> None:
    """Refuse ``--locate`` with a model (loaded from ``path``) that holds no locator."""
    if model_locator(model) is None:
        raise ValueError(
            f"{path}: --locate needs a model that holds a plate locator; {LOCATOR_HINT}."
        )


def load_locator(path: str) -> object:
    """The fitted plate locator saved in ``path``: a PlateLocator, or a model holding one.

    Raises
    ------
    ModelFileError
        If the file is missing or broken, or holds neither a fitted locator nor a
        recognizer with one (the message names the file).
    """
    from sklearn.utils.validation import check_is_fitted

    from ..locate import PlateLocator
    from ..persistence import load_model

    loaded = load_model(path, backend="keras")
    if hasattr(loaded, "predict_plates"):  # a recognizer: take its locator
        locator = model_locator(loaded)
        if locator is None:
            raise ModelFileError(
                f"{path}: this model holds no plate locator (--locator); {LOCATOR_HINT}."
            )
        return locator
    locator = _inner(loaded)
    if not isinstance(locator, PlateLocator):
        raise ModelFileError(
            f"{path}: holds a {type(locator).__name__}, not a PlateLocator nor a skplate "
            "model holding one (--locator)."
        )
    try:
        check_is_fitted(locator, "model_")
    except Exception:  # NotFittedError
        raise ModelFileError(f"{path}: the PlateLocator in this file is not fitted.") from None
    return locator


def check_locator_args(args: argparse.Namespace) -> None:
    """Fail on a missing ``--locator`` file or UC3M-LP data before any training."""
    from pathlib import Path

    from ..datasets import get_data_home, is_uc3m

    if args.locator is not None and not Path(args.locator).is_file():
        raise FileNotFoundError(f"{args.locator}: no such locator file (--locator).")
    if args.train_locator is not None:
        source = args.train_locator or get_data_home(args.data_home) / "UC3M-LP-train.zip"
        if not is_uc3m(source):
            raise FileNotFoundError(
                f"{source}: not UC3M-LP (UC3M-LP-train.zip or its folder), whose photos and "
                "plate boxes --train-locator trains the plate locator on."
            )
        args.train_locator = str(source)


def get_locator(args: argparse.Namespace, log: Log) -> tuple[object | None, dict | None]:
    """The locator ``train`` saves with the recognizer (None without ``--locator`` or
    ``--train-locator``) and what the training report says of it."""
    if args.locator is not None:
        locator = load_locator(args.locator)
        log.info(f"plate locator from {args.locator}")
        return locator, {"source": args.locator, **locator_summary(locator)}
    if args.train_locator is None:
        return None, None
    from ..datasets import load_uc3m_photos
    from ..locate import PlateLocator

    images, boxes = load_uc3m_photos(args.train_locator, return_X_y=True)
    params = {} if args.locator_epochs is None else {"epochs": args.locator_epochs}
    if args.locator_verify:
        params.update(verify=True, score_threshold=VERIFIED_THRESHOLD)
    locator = PlateLocator(
        random_state=args.random_state, verbose=2 if log.verbose else 0, **params
    )
    log.info(
        f"training the plate locator on {len(images)} UC3M-LP photos "
        f"({locator.epochs} passes, seed {args.random_state}) ..."
    )
    locator.fit(images, boxes)
    final = float(locator.history_[-1])
    return locator, {
        "source": args.train_locator,
        **locator_summary(locator),
        "final_loss": final if math.isfinite(final) else None,
    }


# -- evaluate --locate: how well the plates were found ----------------------------------------
def locating_scores(located: Sequence, true_boxes: Sequence) -> dict:
    """Locating figures of ``evaluate --locate``, at :data:`IOU_THRESHOLD`.

    Parameters
    ----------
    located : sequence of list of PlateReading
        Per photo, the readings of the plates found, the one read first.
    true_boxes : sequence of box
        Per photo, its true plate box.
    """
    import numpy as np

    from ..locate import average_precision, box_iou, match_detections

    detections = [
        np.array([[*r.box, r.box_score] for r in plates if r.box is not None], float).reshape(-1, 5)
        for plates in located
    ]
    truths = [np.asarray(box, float).reshape(-1, 4) for box in true_boxes]
    _, hits, found = match_detections(detections, truths, iou_threshold=IOU_THRESHOLD)
    best = sum(
        len(d) > 0 and box_iou(d[:1, :4], t)[0].max(initial=0.0) >= IOU_THRESHOLD
        for d, t in zip(detections, truths, strict=True)
    )
    n_true = sum(len(t) for t in truths)
    return {
        "iou_threshold": IOU_THRESHOLD,
        "photos": len(truths),
        "true_boxes": n_true,
        "found": int(np.concatenate(found).sum()) if n_true else 0,
        "read_box_right": int(best),
        "boxes": len(hits),
        "unmatched_boxes": int(len(hits) - hits.sum()),
        "photos_without_box": sum(len(d) == 0 for d in detections),
        "average_precision": float(average_precision(detections, truths)),
    }


def print_locating(scores: dict) -> None:
    """The locating figures, after the reading scores."""
    from ._output import percent

    n, threshold = scores["true_boxes"], scores["iou_threshold"]
    found, best = scores["found"], scores["read_box_right"]
    print(
        f"located {found}/{n} true boxes at IoU >= {threshold} "
        f"({percent(found / n if n else float('nan'))}); the box read (the most "
        f"confident reading) is right on {best}/{scores['photos']} photos"
    )
    print(
        f"boxes found {scores['boxes']} ({scores['unmatched_boxes']} matching no true box), "
        f"photos without a box {scores['photos_without_box']}, average precision "
        f"{scores['average_precision']:.3f}"
    )


def locator_line(summary: dict) -> str:
    """A locator summary (:func:`locator_summary`) on one line, for train and info."""
    params = ", ".join(f"{key}={value}" for key, value in summary.get("params", {}).items())
    return (
        f"{summary.get('type', 'PlateLocator')}({params}), trained on "
        f"{summary.get('n_photos', '?')} photos"
    )
