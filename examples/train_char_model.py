"""Train the character CNN, build a plate recognizer and save it.

This is what ``skplate train`` does, written out with the Python API. Run from the
repository root, with the Chars74K archives (and UC3M-LP's) in SKPLATE_DATA::

    SKPLATE_DATA=../shared/data python examples/train_char_model.py [OUT.joblib] [--quick]

``--quick`` trains on synthetic characters only, for 3 epochs (seconds, poor accuracy);
otherwise the recipe's sources (GoodImg, Fnt, rendered and generated-plate characters,
"not a character" shapes, UC3M-LP's real plate characters) train the full network
(minutes) and a fifth of the GoodImg images is held out to measure it.
"""

from __future__ import annotations

import sys

from skplate import make_plate_recognizer
from skplate.persistence import save_model
from skplate.training import load_training_chars, train_char_classifier


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--quick"]
    quick = "--quick" in sys.argv[1:]
    out = args[0] if args else "skplate_model.joblib"

    if quick:
        chars = load_training_chars(("synthetic",), synthetic_per_class=30, random_state=0)
        classifier, report = train_char_classifier(chars, epochs=3, random_state=0)
    else:
        chars = load_training_chars(random_state=0)  # the recipe: skplate.training.CHAR_SOURCES
        classifier, report = train_char_classifier(chars, random_state=0)
    print(f"trained on {report.n_images} images ({report.sources}), {report.n_classes} classes")
    print(f"held-out GoodImg accuracy: {report.held_out_accuracy:.3f} "
          f"({report.n_held_out} images); {report.epochs} epochs in {report.seconds:.0f} s")

    # The recognizer wraps the fitted CNN in a FrozenEstimator; fit([]) configures the
    # stages with equal variant weights (fit on labelled plates to learn them instead).
    recognizer = make_plate_recognizer(classifier, plate_format="any").fit([])
    print(f"saved {save_model(recognizer, out)}")


if __name__ == "__main__":
    main()
