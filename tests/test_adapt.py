"""The harvest mode: labelling training-plate segments and fine-tuning a copy of the CNN."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import KFold, cross_val_predict

from skplate.adapt import adapt_classifier, harvest_characters
from skplate.datasets import make_synthetic_plates
from skplate.formats import ALPHABET
from skplate.recognizer import make_plate_recognizer
from skplate.segment import Segments


def segments_of(rows: list[list[int]]) -> Segments:
    """Segments of plates whose variants cut the given numbers of characters.

    ``rows[p][v]`` characters in variant ``v`` of plate ``p``; each character's pixels hold
    a unique value (its running index) so that tests can tell them apart.
    """
    plate, variant, position = [], [], []
    for p, counts in enumerate(rows):
        for v, count in enumerate(counts):
            plate += [p] * count
            variant += [v] * count
            position += list(range(count))
    n = len(plate)
    chars = np.arange(n, dtype=np.float32)[:, None, None, None] * np.ones((1, 4, 4, 1), np.float32)
    return Segments(
        chars=chars,
        plate=np.asarray(plate),
        variant=np.asarray(variant),
        position=np.asarray(position),
        boxes=np.zeros((n, 4), dtype=int),
        n_plates=len(rows),
        n_variants=len(rows[0]),
    )


def test_harvest_keeps_the_variants_that_cut_exactly_the_text():
    # Plate 0 "AB1": variants cut 3, 2 and 3 characters; plate 1 "77": 1, 2 and 0.
    segments = segments_of([[3, 2, 3], [1, 2, 0]])
    chars, labels = harvest_characters(segments, ["AB1", "77"], ALPHABET)
    assert list(labels) == list("AB1") + list("AB1") + list("77")
    # Plate 0's variants 0 (chars 0-2) and 2 (chars 5-7); plate 1's variant 1 (chars 9-10).
    assert [int(c[0, 0, 0]) for c in chars] == [0, 1, 2, 5, 6, 7, 9, 10]


def test_harvest_skips_texts_outside_the_classes_and_checks_lengths():
    segments = segments_of([[3, 3]])
    chars, labels = harvest_characters(segments, ["A?1"], ALPHABET)
    assert len(chars) == len(labels) == 0
    assert chars.shape[1:] == (4, 4, 1)
    with pytest.raises(ValueError, match="texts"):
        harvest_characters(segments, ["AB1", "CD2"], ALPHABET)


def test_harvest_labels_the_visible_characters_of_a_partial_truth():
    # "A-1": the painted character is no segment; a variant cut into the two visible
    # characters is labelled with them, one cut into three is not.
    segments = segments_of([[3, 2]])
    chars, labels = harvest_characters(segments, ["A-1"], ALPHABET)
    assert list(labels) == ["A", "1"]
    assert [int(c[0, 0, 0]) for c in chars] == [3, 4]


def test_adapt_classifier_trains_a_copy(tiny_char_model):
    from skplate.datasets import make_synthetic_chars
    from skplate.normalize import CharNormalizer

    images, target = make_synthetic_chars(6, random_state=5, return_X_y=True)
    chars = CharNormalizer().fit_transform(images)
    before = [w.copy() for w in tiny_char_model.model_.get_weights()]
    log_loss_before = -np.mean(
        np.log(tiny_char_model.predict_proba(chars)[np.arange(len(target)), _index(target)])
    )
    adapted = adapt_classifier(tiny_char_model, chars, np.asarray(target), epochs=5, random_state=0)
    assert adapted is not tiny_char_model
    for old, new in zip(before, tiny_char_model.model_.get_weights(), strict=True):
        np.testing.assert_array_equal(old, new)  # the original is untouched
    proba = adapted.predict_proba(chars)[np.arange(len(target)), _index(target)]
    assert -np.mean(np.log(proba)) < log_loss_before  # it learned the new characters
    again = adapt_classifier(tiny_char_model, chars, np.asarray(target), epochs=5, random_state=0)
    np.testing.assert_allclose(again.predict_proba(chars), adapted.predict_proba(chars), atol=1e-6)
    with pytest.raises(ValueError, match="labels"):
        adapt_classifier(tiny_char_model, chars[:1], np.array(["?"]), epochs=1)


def _index(target) -> np.ndarray:
    return np.array([ALPHABET.index(t) for t in target])


def test_recognizer_harvest_mode_leaves_the_given_classifier_alone(tiny_char_model):
    texts = ["1277DPZ", "4516CSH", "9636HXB", "5524LPX", "3008GWK", "8723GPZ"]
    plates = make_synthetic_plates(texts, random_state=3)
    base = make_plate_recognizer(tiny_char_model, plate_format="spanish")
    before = [w.copy() for w in tiny_char_model.model_.get_weights()]
    adapted = clone(base).set_params(adapt_epochs=2).fit(plates.samples, plates.target)
    assert adapted.classifier_ is not base.classifier
    for old, new in zip(before, tiny_char_model.model_.get_weights(), strict=True):
        np.testing.assert_array_equal(old, new)
    # Without labels there is nothing to harvest: the classifier is used as given.
    assert clone(base).set_params(adapt_epochs=2).fit(plates.samples).classifier_ is base.classifier
    # Grouped cross-validation: every plate is read by a classifier adapted on the others,
    # exactly as a fit on the other folds' plates alone reads it.
    harvest = clone(base).set_params(adapt_epochs=2)
    predicted = cross_val_predict(harvest, plates.samples, plates.target, cv=KFold(3))
    expected = np.empty(len(texts), dtype=object)
    for train, test in KFold(3).split(plates.samples):
        fold = clone(harvest).fit([plates.samples[i] for i in train], plates.target[train])
        tuned = fold.classifier_.model_.get_weights()
        assert any(np.abs(a - b).max() > 0 for a, b in zip(tuned, before, strict=True))
        expected[test] = fold.predict([plates.samples[i] for i in test])
    assert predicted.tolist() == expected.tolist()
    assert all(p == "" or len(p) == 7 for p in predicted)


def _tiny_network_with_early_stopping(**params):
    """A one-epoch CharCNN trained with a validation split and early stopping, its data."""
    from skplate.cnn import CharCNN
    from skplate.datasets import make_synthetic_chars
    from skplate.normalize import CharNormalizer

    images, target = make_synthetic_chars(4, random_state=0, return_X_y=True)
    chars = CharNormalizer().fit_transform(images)
    network = CharCNN(
        conv_filters=(4,), dense_units=(8,), epochs=1, validation_split=0.25, patience=2,
        augment=False, random_state=0, **params,
    ).fit(chars, target)
    return network, chars, target


def test_adapting_a_network_trained_with_early_stopping_watches_no_missing_metric():
    import warnings

    network, chars, target = _tiny_network_with_early_stopping(lr_patience=1)
    with warnings.catch_warnings():
        # Keras warns (UserWarning) when a callback watches a metric that is missing.
        warnings.simplefilter("error", UserWarning)
        adapt_classifier(network, chars, np.asarray(target), epochs=2, random_state=0)


def test_adapting_a_network_trained_with_a_weight_average_fine_tunes_its_weights():
    network, chars, target = _tiny_network_with_early_stopping(ema_momentum=0.99)
    before = [w.copy() for w in network.model_.get_weights()]
    adapted = adapt_classifier(network, chars, np.asarray(target), epochs=1, random_state=0)
    # The copy trains its weights (a 0.99 average over one epoch's few steps would keep
    # them almost as they were); the original keeps its averaging.
    assert not adapted.model_.optimizer.use_ema
    assert network.model_.optimizer.use_ema
    moved = [np.abs(a - b).max() for a, b in zip(adapted.model_.get_weights(), before, strict=True)]
    assert max(moved) > 1e-3
    for old, new in zip(before, network.model_.get_weights(), strict=True):
        np.testing.assert_array_equal(old, new)


def test_harvest_mode_mixes_in_not_a_character_shapes(monkeypatch):
    """The harvest holds characters only: ``adapt_junk`` drawn "not a character" shapes
    join the fine-tuning when the classifier has that class, none with 0."""
    from skplate import recognizer as recognizer_module
    from skplate.cnn import CharCNN
    from skplate.datasets import make_synthetic_chars, make_synthetic_junk
    from skplate.formats import NOT_A_CHARACTER
    from skplate.normalize import CharNormalizer

    images, target = make_synthetic_chars(2, random_state=0, return_X_y=True)
    junk = make_synthetic_junk(20, random_state=0)
    chars = CharNormalizer().fit_transform(list(images) + list(junk.images))
    labels = np.concatenate([np.asarray(target), junk.target.astype(str)])
    network = CharCNN(
        conv_filters=(4,), dense_units=(8,), epochs=1, validation_split=0.0, patience=0,
        augment=False, random_state=0,
    ).fit(chars, labels)
    seen = {}

    def capture(classifier, chars, labels, **kwargs):
        seen["labels"] = labels
        seen["chars"] = chars
        return classifier

    monkeypatch.setattr(recognizer_module, "adapt_classifier", capture)
    plates = make_synthetic_plates(["1277DPZ", "4516CSH"], random_state=3)
    base = make_plate_recognizer(network, plate_format="any", adapt_epochs=1)
    base.set_params(adapt_junk=30).fit(plates.samples, plates.target)
    assert np.count_nonzero(seen["labels"] == NOT_A_CHARACTER) == 30
    assert seen["chars"].shape[1:] == chars.shape[1:]
    harvested = np.count_nonzero(seen["labels"] != NOT_A_CHARACTER)
    base.set_params(adapt_junk=0).fit(plates.samples, plates.target)
    assert np.count_nonzero(seen["labels"] == NOT_A_CHARACTER) == 0
    assert len(seen["labels"]) == harvested
    # Recognizers saved before adapt_junk fine-tuned on the harvest alone.
    state = base.__getstate__()
    del state["adapt_junk"]
    old = type(base).__new__(type(base))
    old.__setstate__(state)
    assert old.adapt_junk == 0
