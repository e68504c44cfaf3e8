"""The locator's verifier: patches, training examples, re-scoring, old pickles."""

from __future__ import annotations

import pickle

import joblib
import numpy as np
import pytest

from skplate.locate import PlateLocator, match_detections
from skplate.locate._verifier import (
    PATCH_SHAPE,
    box_features,
    box_patches,
    verifier_examples,
)


def test_patch_shows_the_box_with_its_context():
    photo = np.zeros((120, 200), np.uint8)
    photo[40:60, 50:110] = 255  # the box, 60 x 20 pixels
    patch = box_patches(photo, np.array([[50.0, 40.0, 110.0, 60.0]]))
    assert patch.shape == (1, *PATCH_SHAPE, 1) and patch.dtype == np.uint8
    # A quarter of the width each side, half the height above and below: the box is the
    # middle two thirds across and the middle half down.
    inside = patch[0, 10:22, 18:78, 0]
    assert inside.min() == 255
    assert patch[0, :6, :, 0].max() == 0 and patch[0, -6:, :, 0].max() == 0
    assert patch[0, :, :14, 0].max() == 0 and patch[0, :, -14:, 0].max() == 0


def test_patch_beyond_the_photo_repeats_its_border():
    photo = np.full((50, 80), 200, np.uint8)
    patch = box_patches(photo, np.array([[0.0, 0.0, 30.0, 10.0, 0.9]]))
    assert patch.min() == 200


def test_box_features_hand_worked():
    numbers = box_features(np.array([[10.0, 5.0, 50.0, 15.0], [0.0, 0.0, 20.0, 20.0]]))
    np.testing.assert_allclose(numbers, [[np.log(40), np.log(4)], [np.log(20), 0.0]], rtol=1e-6)
    assert numbers.dtype == np.float32


def test_training_examples_label_by_overlap_and_add_jittered_truths():
    photo = np.zeros((100, 200), np.uint8)
    truth = np.array([[50.0, 40.0, 110.0, 60.0]])
    candidates = np.array(
        [
            [52.0, 41.0, 110.0, 60.0, 0.9],  # the plate (IoU 0.92)
            [80.0, 40.0, 140.0, 60.0, 0.5],  # half on it (IoU 0.33): left out
            [150.0, 10.0, 190.0, 30.0, 0.3],  # not a plate
        ]
    )
    patches, numbers, labels = verifier_examples(
        [photo], [candidates], [truth], np.random.RandomState(0)
    )
    # the plate, the background box, then two jittered copies of the truth
    np.testing.assert_array_equal(labels, [1, 0, 1, 1])
    assert patches.shape == (4, *PATCH_SHAPE, 1) and numbers.shape == (4, 2)
    np.testing.assert_allclose(numbers[0], box_features(candidates[:1])[0])
    # the jittered copies are about the truth's width (60 px)
    assert np.all(np.abs(np.exp(numbers[2:, 0]) - 60) < 20)
    # a photo without plates gives its candidates as negatives only
    _, _, labels = verifier_examples(
        [photo], [candidates], [np.zeros((0, 4))], np.random.RandomState(0)
    )
    np.testing.assert_array_equal(labels, [0, 0, 0])


@pytest.fixture(scope="module")
def verified(synthetic_photos):
    """The conftest tiny locator's parameters with the verifier, fitted on 40 photos.
    The network's candidates in the synthetic photos are nearly all on the plates: the
    verifier learns little from them (its worth is measured on UC3M-LP in test_locate)."""
    from conftest import TINY_LOCATOR_PARAMS

    images, boxes = synthetic_photos
    params = {**TINY_LOCATOR_PARAMS, "verify": True}
    return PlateLocator(**params).fit(images[:40], boxes[:40])


def test_verified_locator_finds_the_plates(verified, synthetic_photos):
    """The plates are found, each photo's best box on its plate (measured: 8 of 8)."""
    images, boxes = synthetic_photos
    assert verified.verifier_ is not None
    detections = verified.predict(images[40:])
    _, _, found = match_detections(detections, boxes[40:])
    assert np.concatenate(found).mean() >= 0.85
    best = [found_boxes[:1] for found_boxes in detections]
    assert match_detections(best, boxes[40:])[1].mean() >= 0.85
    for found_boxes in detections:
        assert np.all(np.diff(found_boxes[:, 4]) <= 0)
        assert np.all(found_boxes[:, 4] >= verified.score_threshold)
    assert verified.predict([np.full((90, 120), 128, np.uint8)])[0].shape == (0, 5)


def test_verifier_scores_combine_with_the_networks(verified, synthetic_photos):
    images, _ = synthetic_photos
    located = pickle.loads(pickle.dumps(verified))
    located.set_params(score_threshold=0.0, candidate_threshold=0.3, max_plates=50)
    network = located.set_params(verify_weight=0.0).predict(images[40:44])
    verifier = located.set_params(verify_weight=1.0).predict(images[40:44])
    half = located.set_params(verify_weight=0.5).predict(images[40:44])
    alone = located.set_params(verify=False, score_threshold=0.3).predict(images[40:44])
    differ = False
    for n, v, h, a in zip(network, verifier, half, alone, strict=True):
        # weight 0 gives the network's boxes and scores: the locator without the verifier
        np.testing.assert_array_equal(n, a)
        by_network = {tuple(row[:4]): row[4] for row in n}
        by_verifier = {tuple(row[:4]): row[4] for row in v}
        assert by_network.keys() == by_verifier.keys() == {tuple(row[:4]) for row in h}
        for row in h:
            box = tuple(row[:4])
            assert row[4] == pytest.approx(np.sqrt(by_network[box] * by_verifier[box]))
            differ |= abs(by_network[box] - by_verifier[box]) > 1e-3
    assert differ  # the verifier has its own say


def test_old_locators_locate_with_the_network_alone(verified, synthetic_photos):
    images, _ = synthetic_photos
    state = dict(verified.__getstate__())
    for key in ("verify", "candidate_threshold", "verify_weight", "verifier_"):
        state.pop(key)
    old = PlateLocator.__new__(PlateLocator)
    old.__setstate__(state)
    assert old.verify is False and old.verifier_ is None
    assert old.get_params()["candidate_threshold"] == 0.4  # the defaults, for clone
    expected = pickle.loads(pickle.dumps(verified)).set_params(verify=False)
    for a, b in zip(old.predict(images[40:]), expected.predict(images[40:]), strict=True):
        np.testing.assert_array_equal(a, b)


def test_verify_needs_a_fitted_verifier(synthetic_photos):
    from conftest import TINY_LOCATOR_PARAMS

    images, boxes = synthetic_photos
    locator = PlateLocator(**{**TINY_LOCATOR_PARAMS, "epochs": 1}).fit(images[:4], boxes[:4])
    assert not locator.verify and locator.verifier_ is None  # the default
    with pytest.raises(ValueError, match=r"verify=True.*fitted without a verifier"):
        locator.set_params(verify=True).predict(images[:1])


def test_verifier_is_deterministic_for_a_random_state(synthetic_photos):
    from conftest import TINY_LOCATOR_PARAMS

    images, boxes = synthetic_photos
    params = {**TINY_LOCATOR_PARAMS, "epochs": 2, "verify": True}
    first = PlateLocator(**params).fit(images[:12], boxes[:12])
    second = PlateLocator(**params).fit(images[:12], boxes[:12])
    for a, b in zip(first.verifier_.get_weights(), second.verifier_.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_verify_needs_plates_to_learn_from(synthetic_photos):
    from conftest import TINY_LOCATOR_PARAMS

    images, _ = synthetic_photos
    with pytest.raises(ValueError, match=r"verify=True.*no training photo has one"):
        PlateLocator(**{**TINY_LOCATOR_PARAMS, "verify": True}).fit(
            images[:2], [[], np.zeros((0, 4))]
        )
    # without the verifier, photos without plates teach the network the background
    PlateLocator(**{**TINY_LOCATOR_PARAMS, "epochs": 1, "verify": False}).fit(images[:2], [[], []])


def test_verified_locator_round_trips(verified, synthetic_photos, tmp_path):
    images, _ = synthetic_photos
    joblib.dump(verified, tmp_path / "locator.joblib")
    loaded = joblib.load(tmp_path / "locator.joblib")
    assert loaded.verify and loaded.verifier_ is not None
    for a, b in zip(verified.predict(images[40:]), loaded.predict(images[40:]), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-4)


def test_training_examples_with_drawn_plates_pasted():
    from skplate.locate._paste import draw_plates

    rng = np.random.RandomState(0)
    photo = np.full((120, 200), 90, np.uint8)
    truth = np.array([[20.0, 20.0, 60.0, 32.0]])
    drawn = draw_plates(4, rng)
    patches, _, labels = verifier_examples(
        [photo], [np.zeros((0, 5))], [truth], rng, drawn_plates=drawn, paste_probability=1.0
    )
    # the truth's two jittered copies, then the pasted plate's two, drawn on a copy
    np.testing.assert_array_equal(labels, [1, 1, 1, 1])
    assert photo.min() == photo.max() == 90  # the photo itself is left as it was
    assert patches[2:].std() > patches[:2].std()  # a plate's characters, not flat gray
    # without drawn plates (or with probability 0) the same draws as before
    first = verifier_examples([photo], [np.zeros((0, 5))], [truth], np.random.RandomState(1))
    second = verifier_examples(
        [photo], [np.zeros((0, 5))], [truth], np.random.RandomState(1), drawn_plates=drawn
    )
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
