"""Robustness of plate reading: hits under small photo damage and box errors.

Usage::

    SKPLATE_DATA=../shared/data python benchmarks/robustness.py --model skplate_model.joblib \
        [--format spanish] [--seed 0] [--only "clean,blur sigma 1,darker x0.5"]

Each perturbation is applied to every photo (and its box) before reading; the table gives
the hits per perturbation next to the clean figure. ``--only`` reads the named
perturbations alone (comma-separated, as the table names them).
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import cv2
import numpy as np


def _rotate(image, box, degrees):
    height, width = image.shape[:2]
    x1, y1, x2, y2 = box
    centre = ((x1 + x2) / 2, (y1 + y2) / 2)
    matrix = cv2.getRotationMatrix2D(centre, degrees, 1.0)
    return cv2.warpAffine(image, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE), box


def _blur(image, box, sigma):
    return cv2.GaussianBlur(image, (0, 0), sigma), box


def _darker(image, box, gain):
    return cv2.convertScaleAbs(image, alpha=gain), box


def _jpeg(image, box, quality):
    _, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(encoded, cv2.IMREAD_UNCHANGED), box


def _shift_box(image, box, fraction, rng):
    x1, y1, x2, y2 = box
    dx = fraction * (x2 - x1) * rng.uniform(-1, 1, 2)
    dy = fraction * (y2 - y1) * rng.uniform(-1, 1, 2)
    return image, (x1 + dx[0], y1 + dy[0], x2 + dx[1], y2 + dy[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--plates", default=None)
    parser.add_argument("--format", default="spanish")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default=None, help="comma-separated perturbation names")
    args = parser.parse_args()

    from skplate.datasets import load_plates
    from skplate.persistence import load_model
    from skplate.samples import PlateSample

    model = load_model(args.model)
    if model.get_params()["plate_format"] != args.format:
        model.set_params(plate_format=args.format).fit([])
    data = load_plates(args.plates, plate_format=None if args.format == "any" else args.format)
    rng = np.random.RandomState(args.seed)
    perturbations = {
        "clean": lambda im, b: (im, b),
        "rotate +3 deg": lambda im, b: _rotate(im, b, 3),
        "rotate -3 deg": lambda im, b: _rotate(im, b, -3),
        "blur sigma 1": lambda im, b: _blur(im, b, 1.0),
        "blur sigma 2": lambda im, b: _blur(im, b, 2.0),
        "darker x0.5": lambda im, b: _darker(im, b, 0.5),
        "JPEG q=30": lambda im, b: _jpeg(im, b, 30),
        "JPEG q=10": lambda im, b: _jpeg(im, b, 10),
        "box error 5%": lambda im, b: _shift_box(im, b, 0.05, rng),
        "box error 10%": lambda im, b: _shift_box(im, b, 0.10, rng),
    }
    if args.only is not None:
        names = [name.strip() for name in args.only.split(",")]
        unknown = [name for name in names if name not in perturbations]
        if unknown:
            parser.error(f"--only: unknown perturbations {unknown}; known: {list(perturbations)}")
        perturbations = {name: perturbations[name] for name in names}
    print(f"{'perturbation':16s} hits / {len(data.target)}  ({args.format})")
    for name, perturb in perturbations.items():
        samples = []
        for sample in data.samples:
            image, box = perturb(sample.image, sample.box)
            samples.append(PlateSample(image, box, sample.name))
        hits = int(np.sum(model.predict(samples) == data.target))
        print(f"{name:16s} {hits:4d}")


if __name__ == "__main__":
    main()
