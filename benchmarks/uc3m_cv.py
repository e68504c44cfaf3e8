"""In-domain figures on UC3M-LP: networks trained with real plate characters, read held out.

Usage::

    SKPLATE_DATA=../shared/data python benchmarks/uc3m_cv.py --seed 0 [--run-folds 1] \
        [--sources goodimg,fnt,synthetic,plates,junk,uc3m] [--baseline model_0.joblib] \
        [--settings '[{}, {"segmenter__max_span": 2}]'] [--harvest-epochs 2] \
        [--shrink 77] [--blur 1] [--json uc3m_cv_0.json]

The 2,056 crops of UC3M-LP's training split are split into ``--folds`` folds grouped by
photo (``GroupKFold`` on ``photo_ids``: two plates of one photo never straddle folds). For
each of the first ``--run-folds`` folds a recipe network is trained (seed ``--seed``) on
``--sources``, whose ``uc3m`` characters come from the other folds' photos only; the
recognizer (format ``any``) then reads the held-out crops, and the 117 reference plates
(``--format any``) and the 21 Spanish ones (``--format spanish``) as the cross-dataset
check. ``--settings`` reads them with each of these ``set_params`` settings of the trained
recognizer in turn (default: as built). ``--baseline MODEL`` also reads the same held-out
crops with a saved model (one trained without UC3M, for the comparison). Figures as in
``benchmarks/uc3m.py``: plates read right (the visible characters, in order) for type A by
day, at night and together, and for all types. ``--shrink W`` and ``--blur S`` read the
held-out crops shrunk to ``W`` pixels wide and blurred by a Gaussian of ``S`` pixels, as
``uc3m_reading.py`` does.

``--harvest-epochs K`` adds the harvest mode: the trained recognizer, with the first of
``--settings``, is fitted on every ``--harvest-step``-th crop of the other folds with their
texts (``adapt_epochs=K``: the segments of the variants cut into exactly the visible
characters, and the recipe's "not a character" shapes, fine-tune a copy of the network);
every setting then reads with the adapted network.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from uc3m import (  # benchmarks/ is not a package: its folder is on sys.path
    figures,
    refuse_models_that_saw_uc3m,
)

GROUPS = ("A day", "A night", "A", "all")


def _line(name: str, run: dict) -> str:
    cells = [f"{group} {100 * run[group]['accuracy']:.1f} %" for group in GROUPS]
    return f"{name:<22} " + ", ".join(cells)


def _reference(model: object) -> dict[str, int]:
    """Plates read right of the 117 (format any) and the 21 Spanish (format spanish)."""
    from skplate.datasets import load_plates
    from skplate.metrics import is_read_right

    hits = {}
    for plate_format in ("any", "spanish"):
        data = load_plates(plate_format=None if plate_format == "any" else plate_format)
        model.set_params(plate_format=plate_format).fit([])
        predicted = model.predict(data.samples)
        hits[plate_format] = int(sum(map(is_read_right, data.target, predicted)))
    return hits


def read_with(model: object, defaults: dict, settings: list[dict], setting: dict) -> None:
    """Re-fit ``model`` (format ``any``) with ``setting``, every parameter the other
    ``settings`` name back at its value in ``defaults`` (the model's ``get_params()``)."""
    reset = {key: defaults[key] for other in settings for key in other}
    model.set_params(**reset).set_params(plate_format="any", **setting).fit([])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="the network's seed")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--run-folds", type=int, default=None, help="run only the first K")
    parser.add_argument(
        "--sources",
        default="goodimg,fnt,synthetic,plates,junk,uc3m",
        help="training sources, comma-separated (default: the recipe's and uc3m)",
    )
    parser.add_argument("--baseline", default=None, help="also read the folds with this model")
    parser.add_argument(
        "--settings",
        type=json.loads,
        default=[{}],
        help="JSON list of set_params dicts the trained recognizer reads with, in turn",
    )
    parser.add_argument(
        "--harvest-epochs", type=int, default=0, help="adapt on the training folds' crops"
    )
    parser.add_argument(
        "--harvest-step", type=int, default=2, help="harvest every k-th training crop"
    )
    parser.add_argument("--shrink", type=int, default=None, help="held-out crops W px wide")
    parser.add_argument("--blur", type=float, default=None, help="then blurred by S px")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args(argv)
    refuse_models_that_saw_uc3m([args.baseline] if args.baseline else [], parser)

    from sklearn.model_selection import GroupKFold
    from uc3m_reading import _damaged  # imports this module: imported once it is loaded

    from skplate.datasets import load_uc3m_crops
    from skplate.persistence import load_model
    from skplate.recognizer import make_plate_recognizer
    from skplate.training import load_training_chars, train_char_classifier

    crops = load_uc3m_crops()
    sources = tuple(s.strip() for s in args.sources.split(","))
    splits = list(GroupKFold(args.folds).split(crops.samples, groups=crops.photo_ids))
    baseline = load_model(args.baseline) if args.baseline else None
    print(f"{len(crops.samples)} crops, {args.folds} folds by photo; sources {sources}")
    runs = []
    for number, (train, test) in enumerate(splits[: args.run_folds or args.folds]):
        photos = sorted(set(crops.photo_ids[train]))
        chars = load_training_chars(sources, random_state=args.seed, uc3m_photo_ids=photos)
        start = time.process_time()
        classifier, report = train_char_classifier(chars, random_state=args.seed)
        model = make_plate_recognizer(classifier, plate_format="any")
        if args.harvest_epochs:
            harvest = train[:: args.harvest_step]
            model.set_params(adapt_epochs=args.harvest_epochs, **args.settings[0])
            model.fit([crops.samples[i] for i in harvest], crops.target[harvest])
            model = make_plate_recognizer(model.classifier_, plate_format="any")
        defaults = model.get_params()
        held_out = [_damaged(crops.samples[i], args.shrink, args.blur) for i in test]
        run = {
            "fold": number,
            "n_chars": len(chars.images),
            "train_cpu_s": time.process_time() - start,
            "harvest_epochs": args.harvest_epochs,
            "goodimg": report.held_out_accuracy,
            "settings": [],
        }
        for setting in args.settings:
            read_with(model, defaults, args.settings, setting)
            read = {
                "setting": setting,
                "uc3m": figures(
                    crops.target[test], model.predict(held_out), crops.plate_types[test],
                    crops.light[test],
                ),
                "reference": _reference(model),
            }
            run["settings"].append(read)
            print(_line(f"fold {number}, trained", read["uc3m"]), json.dumps(setting))
            print(
                f"  117 plates {read['reference']['any']}, 21 Spanish "
                f"{read['reference']['spanish']}",
                flush=True,
            )
        # The first setting's figures, where earlier runs kept them.
        run["uc3m"], run["reference"] = run["settings"][0]["uc3m"], run["settings"][0]["reference"]
        if baseline is not None:
            run["baseline"] = figures(
                crops.target[test], baseline.predict(held_out), crops.plate_types[test],
                crops.light[test],
            )
            print(_line(f"fold {number}, baseline", run["baseline"]))
        print(
            f"fold {number}: {run['n_chars']} characters, {run['train_cpu_s']:.0f} s CPU, "
            f"GoodImg {100 * run['goodimg']:.1f} %, 117 plates {run['reference']['any']}, "
            f"21 Spanish {run['reference']['spanish']}",
            flush=True,
        )
        runs.append(run)
    if args.json is not None:
        payload = {"seed": args.seed, "sources": sources, "baseline": args.baseline, "runs": runs}
        args.json.write_text(json.dumps(payload, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
