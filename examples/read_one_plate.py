"""Read one plate and show the evidence: the voted reading and each filter variant's.

Run from the repository root, with the reference data in SKPLATE_DATA::

    SKPLATE_DATA=../shared/data python examples/read_one_plate.py [MODEL.joblib] [PLATE]

MODEL.joblib (or the SKPLATE_MODEL environment variable) is a model saved by
``skplate train``; without one, a small CNN is trained on synthetic characters in a few
seconds (poor readings, right mechanics). PLATE is a plate text among the 21 Spanish
plates, e.g. 1277DPZ (default: the first).
"""

from __future__ import annotations

import os
import sys

from skplate import make_plate_recognizer
from skplate.datasets import load_plates
from skplate.persistence import load_model
from skplate.training import load_training_chars, train_char_classifier


def main() -> None:
    args = sys.argv[1:]
    model_path = args.pop(0) if args and args[0].endswith(".joblib") else None
    model_path = model_path or os.environ.get("SKPLATE_MODEL")
    wanted = args[0] if args else None

    if model_path:
        classifier = load_model(model_path).classifier
    else:
        print("training a small character CNN on synthetic characters ...")
        chars = load_training_chars(("synthetic",), synthetic_per_class=30, random_state=0)
        classifier, _ = train_char_classifier(chars, epochs=3, random_state=0)

    # fit([]) resolves the format and configures the stages; every variant weighs the same.
    recognizer = make_plate_recognizer(classifier, plate_format="spanish").fit([])

    plates = load_plates(plate_format="spanish")
    texts = list(plates.target)
    index = texts.index(wanted) if wanted else 0
    sample, truth = plates.samples[index], texts[index]

    reading = recognizer.predict_readings([sample])[0]
    print(f"plate {sample.name}: true {truth}, read {reading.text or '-'} "
          f"(confidence {reading.confidence:.3f}) {'right' if reading.text == truth else 'wrong'}")
    print(f"{'variant':<22} {'reading':<10} {'log-score':>9}")
    for name, text, score in zip(
        reading.variant_names, reading.variant_texts, reading.variant_scores, strict=True
    ):
        print(f"{name:<22} {text or '-':<10} {score:9.2f}")


if __name__ == "__main__":
    main()
