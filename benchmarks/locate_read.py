"""Plates read end to end from located boxes: saved recognizers x saved locators.

Usage::

    SKPLATE_DATA=../shared/data python benchmarks/locate_read.py \
        --models model_0.joblib model_1.joblib model_2.joblib \
        --locators locator_0.joblib locator_1.joblib locator_2.joblib \
        [--located-margin 0.05,0] [--plates DIR] [--json locate_read.json]

Each recognizer (``skplate train``/``benchmark --model``) reads the photos of ``--plates``
(default: the 117 reference photos, ``test6Training``) from their true boxes, then, with
each locator in its place (``benchmarks/locate.py --save``: trained on four fifths of
UC3M-LP; or a model file holding one), from the boxes found: a photo's reading is its most
confidently read plate, as ``skplate predict`` and ``skplate evaluate --locate`` read it.
Printed per pair: plates read right, true boxes found (IoU >= 0.5), photos whose reading
came from the true plate's box, boxes returned; then the min / median over the pairs.
Models are read with ``--format any`` and their own ``located_margin`` unless
``--located-margin`` is given (models saved before it existed read the bare box).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", required=True, metavar="MODEL")
    parser.add_argument("--locators", nargs="+", required=True, metavar="LOCATOR")
    parser.add_argument("--plates", default=None, help="photos in the test6Training layout")
    parser.add_argument("--located-margin", default=None, metavar="MX,MY")
    parser.add_argument("--json", default=None, help="write the figures to this file")
    args = parser.parse_args(argv)

    from skplate.cli._locator import load_locator, locating_scores
    from skplate.cli._log import Log
    from skplate.cli._reading import use_format
    from skplate.cli._types import margin
    from skplate.datasets import load_plates
    from skplate.metrics import is_read_right
    from skplate.persistence import load_model
    from skplate.samples import PlateSample

    located_margin = None if args.located_margin is None else margin(args.located_margin)
    data = load_plates(args.plates)
    truth = [str(t) for t in data.target]
    photos = [PlateSample(s.image, None, s.name) for s in data.samples]
    true_boxes = [s.box for s in data.samples]
    locators = [(path, load_locator(path)) for path in args.locators]
    log = Log(quiet=True, verbose=0)
    rows = []
    print(f"{len(photos)} photos; {len(args.models)} models x {len(locators)} locators")
    for model_path in args.models:
        model = load_model(model_path)
        use_format(model, "any", None, log)
        if args.located_margin is not None:
            model.set_params(located_margin=located_margin or (0.0, 0.0))
        from_true = sum(map(is_read_right, truth, model.predict(data.samples)))
        print(f"{model_path}: {from_true} read from the true boxes", flush=True)
        for locator_path, locator in locators:
            model.locator_ = locator
            plates = model.predict_plates(photos, errors="record")
            read = [readings[0].text if readings else "" for readings in plates]
            right = sum(map(is_read_right, truth, read))
            found = locating_scores(plates, true_boxes)
            rows.append(
                {
                    "model": model_path,
                    "locator": locator_path,
                    "read": right,
                    "read_from_true_boxes": from_true,
                    **found,
                }
            )
            print(
                f"  {locator_path}: read {right}/{len(photos)}, true boxes found "
                f"{found['found']}, read at the true plate {found['read_box_right']}, "
                f"boxes {found['boxes']}",
                flush=True,
            )
    reads = [row["read"] for row in rows]
    print(
        f"read end to end, {len(rows)} pairs: min {min(reads)} median "
        f"{statistics.median(reads):g} (from the true boxes: "
        f"{', '.join(str(r['read_from_true_boxes']) for r in rows[:: len(locators)])})"
    )
    if args.json:
        with open(args.json, "w") as file:
            json.dump({"photos": len(photos), "pairs": rows}, file, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
