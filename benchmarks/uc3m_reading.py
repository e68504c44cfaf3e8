"""Reading settings compared on UC3M-LP crops that the networks never saw.

Usage::

    SKPLATE_DATA=../shared/data python benchmarks/uc3m_reading.py \
        --models model_0.joblib model_1.joblib model_2.joblib \
        --settings '[{}, {"segmenter__max_span": 2}]' [--choose] [--reference] [--json F] \
        [--shrink 77] [--blur 1.0]

The 2,056 crops of UC3M-LP's training split are split into ``--folds`` folds grouped by
photo (``GroupKFold`` on ``photo_ids``, as ``benchmarks/uc3m_cv.py`` splits them). Each
saved model (trained without UC3M, so every crop is unseen) is re-fitted with each
setting (``set_params(**setting).fit([])``: every filter variant weighs the same, as in
``uc3m_cv.py``) and reads the held-out fold ``--fold``; with ``--choose`` it reads every
third crop of the other folds instead, the set on which settings are chosen before the
held-out fold is read. ``--reference`` also reads the 117 reference plates
(``--format any``) and the 21 Spanish ones (``--format spanish``), the cross-dataset
check. Per setting: plates read right (type A by day, at night, together; all types),
the misses by kind, seconds, and the min / median over the models. ``--shrink W`` reads
the crops shrunk to ``W`` pixels wide (the 117's plates are 77 wide at the median; the
crops 160) and ``--blur S`` blurred with a Gaussian of ``S`` pixels after that: a smaller,
softer camera's plates.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from uc3m import (  # benchmarks/ is not a package: its folder is on sys.path
    figures,
    refuse_models_that_saw_uc3m,
)
from uc3m_cv import GROUPS, _reference, read_with


def _crops_read(crops: object, folds: int, fold: int, choose: bool) -> np.ndarray:
    """Indices of the crops read: the held-out fold, or every third crop of the others."""
    from sklearn.model_selection import GroupKFold

    train, test = list(GroupKFold(folds).split(crops.samples, groups=crops.photo_ids))[fold]
    return train[::3] if choose else test


def _damaged(sample: object, shrink: int | None, blur: float | None) -> object:
    """``sample`` shrunk to ``shrink`` pixels wide (aspect kept), then blurred by ``blur``."""
    import cv2

    from skplate.samples import PlateSample

    image = sample.image
    if shrink is not None:
        height = max(8, round(image.shape[0] * shrink / image.shape[1]))
        image = cv2.resize(image, (shrink, height), interpolation=cv2.INTER_AREA)
    if blur is not None:
        image = cv2.GaussianBlur(image, (0, 0), blur)
    if image is sample.image:
        return sample
    return PlateSample(image, (0, 0, image.shape[1], image.shape[0]), sample.name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", required=True, help="saved models to compare")
    parser.add_argument(
        "--settings",
        type=json.loads,
        default=[{}, {"segmenter__max_span": 2}],
        help="JSON list of set_params dicts, one per setting (default: %(default)s)",
    )
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--fold", type=int, default=0, help="the held-out fold read")
    parser.add_argument(
        "--choose", action="store_true", help="read every third crop of the other folds"
    )
    parser.add_argument(
        "--reference", action="store_true", help="also read the 117 and the 21 Spanish plates"
    )
    parser.add_argument("--shrink", type=int, default=None, help="crop width to shrink to")
    parser.add_argument("--blur", type=float, default=None, help="Gaussian blur sigma (px)")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args(argv)
    if args.shrink is not None and args.shrink < 16:
        parser.error("--shrink must be at least 16 pixels")
    if args.blur is not None and not args.blur > 0:
        parser.error("--blur must be a positive sigma")
    if not isinstance(args.settings, list) or not all(isinstance(s, dict) for s in args.settings):
        parser.error("--settings must be a JSON list of objects")
    refuse_models_that_saw_uc3m(args.models, parser)

    from skplate.datasets import load_uc3m_crops
    from skplate.persistence import load_model

    crops = load_uc3m_crops()
    read = _crops_read(crops, args.folds, args.fold, args.choose)
    samples = [_damaged(crops.samples[i], args.shrink, args.blur) for i in read]
    which = "every third crop of the other folds" if args.choose else f"held-out fold {args.fold}"
    damage = "".join(
        f", {label} {value}"
        for label, value in (("shrunk to", args.shrink), ("blurred", args.blur))
        if value is not None
    )
    print(f"{len(samples)} crops ({which}{damage}); {len(args.models)} models", flush=True)
    results = []
    for path in args.models:
        model = load_model(path)
        defaults = model.get_params()
        for setting in args.settings:
            read_with(model, defaults, args.settings, setting)
            start = time.perf_counter()
            readings = model.predict(samples)
            seconds = time.perf_counter() - start
            run = {
                "model": path,
                "setting": setting,
                "seconds": seconds,
                "uc3m": figures(
                    crops.target[read], readings, crops.plate_types[read], crops.light[read]
                ),
            }
            if args.reference:
                run["reference"] = _reference(model)
            misses = run["uc3m"]["misses"]
            cells = ", ".join(f"{g} {run['uc3m'][g]['hits']}" for g in GROUPS)
            extra = (
                f", 117 {run['reference']['any']}, 21 {run['reference']['spanish']}"
                if args.reference
                else ""
            )
            print(
                f"{Path(path).name} {json.dumps(setting)}: {cells}; too few "
                f"{misses['too_few']}, too many {misses['too_many']} (a painted block read "
                f"{misses['block_read']}){extra}; {seconds:.0f} s",
                flush=True,
            )
            results.append(run)
    print("min / median over the models:")
    for setting in args.settings:
        runs = [r for r in results if r["setting"] == setting]
        cells = []
        for group in GROUPS:
            shares = [100 * r["uc3m"][group]["accuracy"] for r in runs]
            cells.append(f"{group} {min(shares):.1f} / {np.median(shares):.1f} %")
        if args.reference:
            for name, label in (("any", "117"), ("spanish", "21")):
                hits = [r["reference"][name] for r in runs]
                cells.append(f"{label} {min(hits)} / {np.median(hits):g}")
        print(f"  {json.dumps(setting)}: " + ", ".join(cells))
    if args.json is not None:
        payload = {
            "fold": args.fold,
            "choose": args.choose,
            "shrink": args.shrink,
            "blur": args.blur,
            "runs": results,
        }
        args.json.write_text(json.dumps(payload, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
