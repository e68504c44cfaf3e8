"""End to end on the real data: a CNN trained only on Chars74K reads the Spanish plates.

A loose floor, not the benchmark target: the network here trains for a few epochs on a
subset so the test stays around a minute; ``skplate benchmark`` measures the real recipe.
"""

from __future__ import annotations

import numpy as np
import pytest

from skplate.datasets import load_plates
from skplate.formats import get_formats
from skplate.metrics import char_accuracy, plate_accuracy

pytestmark = [pytest.mark.data, pytest.mark.slow]


@pytest.fixture(scope="module")
def chars74k_reader(data_home):
    from skplate.recognizer import make_plate_recognizer
    from skplate.training import load_training_chars, train_char_classifier

    chars = load_training_chars(("goodimg", "fnt"), data_home=str(data_home), fnt_per_class=100)
    classifier, report = train_char_classifier(chars, epochs=6, random_state=0)
    assert report.held_out_accuracy > 0.8  # a network that learned characters at all
    return make_plate_recognizer(classifier, plate_format="spanish").fit([])


@pytest.fixture(scope="module")
def spanish_plates(data_home):
    return load_plates(data_home / "test6Training.zip", plate_format="spanish")


def test_chars74k_cnn_reads_most_spanish_plates(chars74k_reader, spanish_plates):
    predicted = chars74k_reader.predict(spanish_plates.samples)
    spanish = get_formats("spanish")[0]
    assert len(predicted) == 21
    assert all(text == "" or spanish.matches(text) for text in predicted)
    # This quick network read 21/21 when measured; it must still read most plates.
    assert plate_accuracy(spanish_plates.target, predicted) >= 12 / 21
    assert char_accuracy(spanish_plates.target, predicted) >= 0.85


def test_learned_weights_and_voting_modes(chars74k_reader, spanish_plates):
    X, y = spanish_plates.samples, spanish_plates.target
    weighted = chars74k_reader.set_params(voting="hard").fit(X, y)
    assert weighted.variant_weights_.shape == (len(weighted.variant_names_),)
    assert np.all((weighted.variant_accuracy_ >= 0) & (weighted.variant_accuracy_ <= 1))
    # Laplace-smoothed accuracies: the better a variant reads alone, the more it weighs.
    order = np.argsort(weighted.variant_accuracy_, kind="stable")
    assert np.all(np.diff(weighted.variant_weights_[order]) >= 0)
    best_single = weighted.variant_accuracy_.max()
    typical = np.median(weighted.variant_accuracy_)
    hard = weighted.score(X, y)
    soft = weighted.set_params(voting="soft").score(X, y)
    # The default soft vote reads at least as many plates as the best single variant; the
    # hard vote clearly more than the typical one (with this network one variant alone
    # reads all 21 plates and the hard vote 20).
    assert soft >= best_single - 1e-9
    assert hard >= typical + 2 / 21
