"""Tests of skplate.recognizer and skplate.metrics, with a tiny CNN trained on synthetic chars."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import textwrap
from collections import Counter

import cv2
import joblib
import numpy as np
import pytest
from joblib import parallel_config
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GridSearchCV

from skplate.cnn import CharCNN
from skplate.crop import PlateCropper
from skplate.datasets import load_plates, make_synthetic_plates
from skplate.filters import FilterBank
from skplate.formats import ALPHABET, NOT_A_CHARACTER, PlateFormat, get_formats
from skplate.lighting import flatten_lighting
from skplate.metrics import (
    char_accuracy,
    char_scorer,
    edit_distance,
    plate_accuracy,
    plate_scorer,
)
from skplate.recognizer import PlateReading, PlateRecognizer, make_plate_recognizer
from skplate.segment import CharacterSegmenter

TEXTS = ["1277DPZ", "4516CSH", "9636HXB", "5524LPX"]
SPANISH = get_formats("spanish")[0]


def fits_spanish(text: str) -> bool:
    return text == "" or SPANISH.matches(text)


@pytest.fixture(scope="module")
def plates():
    return make_synthetic_plates(TEXTS, random_state=1)


@pytest.fixture(scope="module")
def recognizer(tiny_char_model, plates):
    """A spanish-format recognizer on the tiny CNN, fitted (weights) on the synthetic plates."""
    return make_plate_recognizer(tiny_char_model, plate_format="spanish").fit(
        plates.samples, plates.target
    )


@pytest.fixture(scope="module")
def readings(recognizer, plates) -> list[PlateReading]:
    return recognizer.predict_readings(plates.samples)


def weights_of(model: CharCNN) -> list[np.ndarray]:
    return [w.copy() for w in model.model_.get_weights()]


def assert_same_weights(before: list[np.ndarray], model: CharCNN) -> None:
    after = model.model_.get_weights()
    assert len(before) == len(after)
    for old, new in zip(before, after, strict=True):
        np.testing.assert_array_equal(old, new)


# -- fitting -------------------------------------------------------------------------------
def test_unfitted_classifier_is_an_error(plates):
    recognizer = make_plate_recognizer(CharCNN())
    assert not isinstance(recognizer.classifier, FrozenEstimator)  # nothing to freeze yet
    with pytest.raises(NotFittedError, match=r"already fitted.*FrozenEstimator"):
        recognizer.fit(plates.samples, plates.target)


def test_predict_before_fit(tiny_char_model, plates):
    recognizer = make_plate_recognizer(tiny_char_model)
    with pytest.raises(NotFittedError, match="PlateRecognizer"):
        recognizer.predict(plates.samples)
    with pytest.raises(NotFittedError):
        recognizer.predict_readings(plates.samples)


def test_make_plate_recognizer_freezes_and_exposes_stages(tiny_char_model):
    recognizer = make_plate_recognizer(tiny_char_model, plate_format="spanish", voting="hard")
    assert isinstance(recognizer.classifier, FrozenEstimator)
    assert recognizer.classifier.estimator is tiny_char_model
    assert isinstance(recognizer.cropper, PlateCropper)
    assert isinstance(recognizer.filter_bank, FilterBank)
    assert isinstance(recognizer.segmenter, CharacterSegmenter)
    assert recognizer.plate_format == "spanish" and recognizer.voting == "hard"
    # An already frozen classifier is not wrapped twice.
    again = make_plate_recognizer(recognizer.classifier)
    assert again.classifier is recognizer.classifier


def test_fit_sets_attributes(recognizer, tiny_char_model):
    n_variants = len(recognizer.variant_names_)
    names = recognizer.filter_bank_.variant_names_
    # The default extra crops, margin (0.02, 0), the first crop deblurred and the first
    # crop's lighting flattened: every filter variant of the four crops.
    assert len(names) > 1
    assert recognizer.variant_names_ == (
        names
        + [f"{name}@0.02,0" for name in names]
        + [f"{name}@deblur" for name in names]
        + [f"{name}@flat" for name in names]
    )
    margins = [c.margin for c in recognizer.extra_croppers_]
    assert margins == [(0.02, 0.0), (0.02, 0.05), (0.02, 0.05)]
    assert [c.deblur for c in recognizer.extra_croppers_] == [None, 0.8, None]
    assert [c.flatten_lighting for c in recognizer.extra_croppers_] == [0.0, 0.0, 0.2]
    assert recognizer.variant_weights_.shape == (n_variants,)
    assert recognizer.variant_accuracy_.shape == (n_variants,)
    assert recognizer.classes_.tolist() == tiny_char_model.classes_.tolist()
    assert [f.pattern for f in recognizer.formats_] == ["NNNNAAA"]
    # The stages are fitted copies, not the parameters themselves.
    assert recognizer.filter_bank_ is not recognizer.filter_bank
    assert recognizer.segmenter_ is not recognizer.segmenter


def test_the_flattened_crop_weighs_extra_flatten_weight_unless_weights_are_learned(
    recognizer, plates
):
    unlearned = clone(recognizer).fit([])
    flat = np.array([name.endswith("@flat") for name in unlearned.variant_names_])
    assert flat.sum() == len(unlearned.filter_bank_.variant_names_)
    np.testing.assert_array_equal(unlearned.variant_weights_, np.where(flat, 1.5, 1.0))
    heavier = clone(recognizer).set_params(extra_flatten_weight=3.0).fit([])
    np.testing.assert_array_equal(heavier.variant_weights_, np.where(flat, 3.0, 1.0))
    # Learned weights replace it (recognizer is fitted with the plates' texts).
    assert not np.any(recognizer.variant_weights_ == 1.5)
    with pytest.raises(ValueError, match="extra_flatten_weight"):
        clone(recognizer).set_params(extra_flatten_weight=0.0).fit([])
    # Saved before the parameter: the flattened crop weighs 1, as it did.
    state = dict(unlearned.__getstate__())
    del state["extra_flatten_weight"]
    old = PlateRecognizer.__new__(PlateRecognizer)
    old.__setstate__(state)
    assert old.get_params()["extra_flatten_weight"] == 1.0
    np.testing.assert_array_equal(old.fit([]).variant_weights_, 1.0)


def test_variant_weights_follow_variant_accuracy(recognizer, plates):
    y = np.asarray(plates.target)
    # fit reads every crop of every training plate, whatever extra_below_agreement says.
    every_crop = clone(recognizer).set_params(extra_below_agreement=None)
    readings = every_crop.fit(plates.samples).predict_readings(plates.samples)
    texts = np.array([r.variant_texts for r in readings])  # (n_plates, n_variants)
    assert texts.shape == (len(y), len(recognizer.variant_names_))
    np.testing.assert_allclose(recognizer.variant_accuracy_, (texts == y[:, None]).mean(axis=0))
    hits = recognizer.variant_accuracy_ * len(y)
    np.testing.assert_allclose(recognizer.variant_weights_, (hits + 1) / (len(y) + 2))
    assert np.all((recognizer.variant_weights_ > 0) & (recognizer.variant_weights_ < 1))


def test_fit_without_labels_or_learning(tiny_char_model, plates):
    unlabelled = make_plate_recognizer(tiny_char_model).fit(plates.samples)
    default = np.where([n.endswith("@flat") for n in unlabelled.variant_names_], 1.5, 1.0)
    np.testing.assert_array_equal(unlabelled.variant_weights_, default)
    assert np.all(np.isnan(unlabelled.variant_accuracy_))
    flat = make_plate_recognizer(tiny_char_model, learn_weights=False, plate_format="spanish")
    flat.fit(plates.samples, plates.target)
    np.testing.assert_array_equal(flat.variant_weights_, default)
    assert not np.any(np.isnan(flat.variant_accuracy_))
    # An empty training set is allowed (no weights to learn).
    assert make_plate_recognizer(tiny_char_model).fit([]).variant_weights_.shape[0] > 1


def test_fit_does_not_retrain_the_cnn(tiny_char_model, plates):
    before = weights_of(tiny_char_model)
    history = dict(tiny_char_model.history_)
    model = tiny_char_model.model_
    recognizer = make_plate_recognizer(tiny_char_model, plate_format="spanish")
    recognizer.fit(plates.samples, plates.target)
    assert recognizer.classifier_.estimator is tiny_char_model
    assert tiny_char_model.model_ is model
    assert tiny_char_model.history_ == history
    assert_same_weights(before, tiny_char_model)


def test_fit_label_count_mismatch(tiny_char_model, plates):
    with pytest.raises(ValueError, match="4 plates but y has 3"):
        make_plate_recognizer(tiny_char_model).fit(plates.samples, plates.target[:3])


class FixedProbaClassifier(BaseEstimator):
    """A fitted stand-in classifier: every character gets the same probabilities."""

    def __init__(self, proba: dict[str, float]):
        self.proba = proba

    @property
    def classes_(self) -> np.ndarray:
        return np.array(list(self.proba))

    def fit(self, X, y=None):
        return self

    def predict_proba(self, X):
        return np.tile(np.array(list(self.proba.values())), (len(X), 1))

    def __sklearn_is_fitted__(self):
        return True


class PriorClassifier(FixedProbaClassifier):
    """``FixedProbaClassifier`` that also says which class mix it was trained on."""

    def __init__(self, proba: dict[str, float], prior: dict[str, float]):
        super().__init__(proba)
        self.prior = prior

    @property
    def class_prior_(self) -> np.ndarray:
        return np.array([self.prior[c] for c in self.proba])


def test_prior_correction_divides_the_training_mix_out(plates):
    # Every segment leans to "E" (0.3) over "8" (0.25), but the classifier saw "E" three
    # times as often as "8": per training example, the segment looks more like an "8".
    proba = dict.fromkeys(ALPHABET, 0.45 / (len(ALPHABET) - 2)) | {"E": 0.3, "8": 0.25}
    prior = dict.fromkeys(ALPHABET, 1.0) | {"E": 3.0}
    fmt = PlateFormat("XXX")
    leans_to_e = PriorClassifier(proba, prior)
    raw = PlateRecognizer(leans_to_e, plate_format=fmt).fit(plates.samples)
    assert raw.prior_correction == 0.0
    assert set(raw.predict(plates.samples)) == {"EEE"}
    balanced = clone(raw).set_params(prior_correction=1.0).fit(plates.samples)
    assert set(balanced.predict(plates.samples)) == {"888"}
    # Without a class_prior_ the classifier is read as it is.
    plain = PlateRecognizer(FixedProbaClassifier(proba), plate_format=fmt, prior_correction=1.0)
    assert set(plain.fit(plates.samples).predict(plates.samples)) == {"EEE"}


def test_prior_correction_keeps_not_a_character(plates):
    # Junk is the likeliest class and the commonest in training: balancing the characters
    # among themselves must not make a character of it.
    proba = dict.fromkeys(ALPHABET, 0.25 / len(ALPHABET)) | {"7": 0.05, NOT_A_CHARACTER: 0.7}
    prior = dict.fromkeys(ALPHABET, 1.0) | {NOT_A_CHARACTER: 100.0}
    classifier = PriorClassifier(proba, prior)
    recognizer = PlateRecognizer(classifier, prior_correction=1.0).fit(plates.samples)
    # Every segment but the two the shortest format needs is skipped, as without the
    # correction (junk divided by its 100-fold share would leave every segment read as a "7").
    assert set(recognizer.predict(plates.samples)) == {"77"}
    raw = clone(recognizer).set_params(prior_correction=0.0).fit(plates.samples)
    assert list(raw.predict(plates.samples)) == list(recognizer.predict(plates.samples))


@pytest.mark.parametrize("prior", [[0.5, 0.5], [0.5, -0.1, 0.6], [0.0, 0.0, 0.0], ["a", "b", "c"]])
def test_bad_class_prior_is_named(plates, prior):
    bad = FixedProbaClassifier({"0": 0.2, "1": 0.3, "2": 0.5})
    bad.class_prior_ = np.array(prior)
    with pytest.raises(ValueError, match="class_prior_"):
        PlateRecognizer(bad).fit(plates.samples)


def test_classifier_with_non_plate_classes(plates):
    lowercase = FixedProbaClassifier({"a": 0.5, "b": 0.5})
    with pytest.raises(ValueError, match=r"classes .*'a'.*'b'.* not plate characters"):
        PlateRecognizer(lowercase).fit(plates.samples)


def test_default_lookalikes_let_the_neighbours_read_one_and_i(plates):
    # Every segment looks like a plain bar: "I" 0.6, "1" 0.05, the rest even.
    bar = dict.fromkeys(ALPHABET, 0.35 / (len(ALPHABET) - 2)) | {"I": 0.6, "1": 0.05}
    leans_to_i = FixedProbaClassifier(bar)
    # Digit, digit or letter, digit: the middle bar changes type twice if read "I".
    fmt = PlateFormat("NXN")
    pooled = PlateRecognizer(leans_to_i, plate_format=fmt).fit(plates.samples)
    assert tuple(pooled.lookalikes) == ("0O", "1I")
    assert set(pooled.predict(plates.samples)) == {"111"}
    # Without pooling, the classifier's 12-to-1 preference outweighs two type changes.
    unpooled = clone(pooled).set_params(lookalikes=("0O",)).fit(plates.samples)
    assert set(unpooled.predict(plates.samples)) == {"1I1"}


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"voting": "majority"}, "voting"),
        ({"format_by": "length"}, "format_by"),
        ({"skip_penalty": 1.0}, "skip_penalty"),
        ({"batch_size": 0}, "batch_size"),
        ({"plate_format": "klingon"}, "plate_format"),
        ({"lookalikes": ["0"]}, "lookalikes"),
        ({"lookalikes": ["0O", "o0"]}, "lookalikes"),
        ({"lookalikes": ["0O", "O0"]}, "more than one group"),
        ({"lookalikes": "0O"}, "lookalikes"),
        ({"lookalike_weight": 1.5}, "lookalike_weight"),
        ({"prior_correction": -0.5}, "prior_correction"),
        ({"extra_margins": [(0.02,)]}, r"extra_margins\[0\]: margin"),
        ({"extra_margins": [(0.02, 0.0), (0.02, -0.7)]}, r"extra_margins\[1\]: margin"),
        ({"extra_margins": (0.02, 0.0)}, r"extra_margins\[0\]"),
        ({"extra_below_agreement": 0.0}, "extra_below_agreement"),
        ({"extra_below_agreement": 1.5}, "extra_below_agreement"),
        ({"extra_flatten_below_agreement": -0.1}, "extra_flatten_below_agreement"),
        ({"extra_flatten_below_agreement": None}, "extra_flatten_below_agreement"),
        ({"extra_pad_clipped": 1.5}, "extra_pad_clipped"),
    ],
)
def test_bad_params(tiny_char_model, plates, params, name):
    with pytest.raises(ValueError, match=name):
        make_plate_recognizer(tiny_char_model, **params).fit(plates.samples)


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"voting": "majority"}, "voting"),
        ({"format_by": "length"}, "format_by"),
        ({"lookalike_weight": 1.5}, "lookalike_weight"),
        ({"lookalikes": ["0O", "O0"]}, "more than one group"),
        ({"extra_below_agreement": 1.5}, "extra_below_agreement"),
        ({"extra_flatten_below_agreement": 2.0}, "extra_flatten_below_agreement"),
        ({"switch_penalty": 0.5}, "switch_penalty"),
    ],
)
def test_reading_params_set_after_fit_are_checked_by_predict(recognizer, plates, params, name):
    """Parameters that act while reading name themselves when set wrong after ``fit``."""
    fitted = copy.deepcopy(recognizer).set_params(**params)
    with pytest.raises(ValueError, match=name):
        fitted.predict(plates.samples[:1])


# -- extra crops (test-time augmentation) ----------------------------------------------------
def one_crop_readings(recognizer, plates) -> list[PlateReading]:
    one = clone(recognizer).set_params(
        extra_margins=None, extra_flatten_lighting=0.0, extra_deblur=None
    )
    one.fit(plates.samples)
    return one.predict_readings(plates.samples)


def test_extra_crops_are_read_like_the_first_and_vote_with_it(recognizer, plates):
    readings = one_crop_readings(recognizer, plates)
    same = clone(recognizer).set_params(
        extra_margins=[recognizer.cropper_.margin],
        extra_below_agreement=None,
        extra_flatten_lighting=0.0,
        extra_deblur=None,
    )
    same.fit(plates.samples)
    names = recognizer.filter_bank_.variant_names_
    assert same.variant_names_ == names + [f"{name}@0.02,0.05" for name in names]
    assert len(same.variant_weights_) == 2 * len(names)
    for one, two in zip(readings, same.predict_readings(plates.samples), strict=True):
        # The same margin crops the same plate: each variant reads as before, twice.
        assert two.variant_texts == one.variant_texts * 2
        assert two.text == one.text

    tight = clone(recognizer).set_params(extra_below_agreement=None).fit(plates.samples)
    crops, variants = tight._plate_variants(list(plates.samples))
    n = len(names)
    np.testing.assert_array_equal(crops, recognizer.cropper_.transform(plates.samples))
    np.testing.assert_array_equal(variants[:, :n], recognizer.filter_bank_.transform(crops))
    tighter = PlateCropper(margin=(0.02, 0.0)).fit([]).transform(plates.samples)
    bank = recognizer.filter_bank_
    np.testing.assert_array_equal(variants[:, n : 2 * n], bank.transform(tighter))
    assert not np.array_equal(variants[:, n : 2 * n], variants[:, :n])
    # The third crop: the first one deconvolved by its estimated blur, where it exceeds 0.8.
    deblurred = PlateCropper(deblur=0.8).fit([]).transform(plates.samples)
    np.testing.assert_array_equal(variants[:, 2 * n : 3 * n], bank.transform(deblurred))
    # The fourth: the first one blurred by a pixel and its lighting flattened.
    flat = np.stack([flatten_lighting(crop, 0.2, smoothing=1.0) for crop in crops])
    np.testing.assert_array_equal(variants[:, 3 * n :], bank.transform(flat))
    unblurred = np.stack([flatten_lighting(crop, 0.2) for crop in crops])
    assert not np.array_equal(bank.transform(unblurred), bank.transform(flat))
    assert [len(r.variant_texts) for r in tight.predict_readings(plates.samples)] == [4 * n] * 4
    # A cropper that flattens at that size already gets no second flattened crop.
    flattening = clone(recognizer).set_params(cropper=PlateCropper(flatten_lighting=0.2))
    flattening.fit(plates.samples)
    assert [c.flatten_lighting for c in flattening.extra_croppers_] == [0.2, 0.2]
    assert len(flattening.variant_names_) == 3 * n


def test_extra_crops_read_only_the_plates_the_first_crop_leaves_unsettled(tiny_char_model, plates):
    # Unlearned weights (fit without y): a variant's vote weighs 1.
    every = make_plate_recognizer(
        tiny_char_model,
        plate_format="any",
        extra_below_agreement=None,
        extra_flatten_lighting=0,
        extra_deblur=None,
    ).fit(plates.samples)
    every_crop = every.predict_readings(plates.samples)
    first_crop = one_crop_readings(every, plates)
    n = len(every.filter_bank_.variant_names_)
    agreement = []
    for reading in every_crop:
        texts = [t for t in reading.variant_texts[:n] if t]
        agreement.append(max(texts.count(t) for t in texts) / n if texts else 0.0)
    # The tiny network on these plates: variants disagree on some plates, not on all.
    assert 0 < min(agreement) < 1 and max(agreement) > min(agreement)
    threshold = float(np.median(agreement))
    reader = clone(every).set_params(extra_below_agreement=threshold).fit(plates.samples)
    readings = reader.predict_readings(plates.samples)
    for share, one, both, reading in zip(agreement, first_crop, every_crop, readings, strict=True):
        expected = one if share >= threshold else both
        assert reading.variant_names == expected.variant_names
        assert reading.variant_texts == expected.variant_texts
        assert reading.text == expected.text
        assert reading.confidence == pytest.approx(expected.confidence)
    assert {len(r.variant_names) for r in readings} == {n, 2 * n}


def test_a_slim_majority_reads_the_flattened_crop_alone(tiny_char_model, plates):
    # Unlearned weights (fit without y): a variant's vote weighs 1 (the flattened crop's 1.5).
    every = make_plate_recognizer(
        tiny_char_model, plate_format="any", extra_below_agreement=None, extra_deblur=None
    ).fit(plates.samples)
    every_crop = every.predict_readings(plates.samples)
    first_crop = one_crop_readings(every, plates)
    with_flattened = clone(every).set_params(extra_margins=None).fit(plates.samples)
    first_and_flattened = with_flattened.predict_readings(plates.samples)
    n = len(every.filter_bank_.variant_names_)
    assert len(every.variant_names_) == 3 * n  # first, margin and flattened crops
    agreement = []
    for reading in every_crop:
        texts = [t for t in reading.variant_texts[:n] if t]
        agreement.append(max(texts.count(t) for t in texts) / n if texts else 0.0)
    low, high = np.quantile(agreement, [0.3, 0.7])
    assert low < high  # the tiny network's variants agree more on some plates than others
    reader = (
        clone(every)
        .set_params(extra_below_agreement=float(low), extra_flatten_below_agreement=float(high))
        .fit(plates.samples)
    )
    readings = reader.predict_readings(plates.samples)
    groups = set()
    for share, one, two, three, reading in zip(
        agreement, first_crop, first_and_flattened, every_crop, readings, strict=True
    ):
        expected = one if share >= high else two if share >= low else three
        groups.add(len(expected.variant_names) // n)
        assert reading.variant_names == expected.variant_names
        assert reading.variant_texts == expected.variant_texts
        assert reading.text == expected.text
        assert reading.confidence == pytest.approx(expected.confidence)
    assert groups == {1, 2, 3}
    # The report's vote is predict's: the margin crop's variants stand unread.
    voting = reader._voting_variants(reader._decode(plates.samples, every_crop=True)[0])
    assert len(voting) in (n, 3 * n)
    # 0 (the recognizers saved before it) reads the flattened crop with the others only.
    plain = clone(reader).set_params(extra_flatten_below_agreement=0.0).fit(plates.samples)
    assert {len(r.variant_names) // n for r in plain.predict_readings(plates.samples)} == {1, 3}
    # With a deblurred crop (here of every plate), a slim majority reads it too.
    deblurring = clone(reader).set_params(extra_deblur=0.0).fit(plates.samples)
    names = deblurring.variant_names_
    slim = 0
    for share, reading in zip(agreement, deblurring.predict_readings(plates.samples), strict=True):
        if low <= share < high:
            assert reading.variant_names == names[:n] + names[2 * n :]  # first, deblur, flat
            slim += 1
    assert slim


def test_a_margin_crop_the_photo_clips_to_the_first_is_not_read_again(tiny_char_model, plates):
    """A tight crop (the box is the whole photo) leaves no margin to add: the margin crop
    cuts the first crop's pixels, so its variants are the first crop's, not read again."""
    from skplate.samples import PlateSample

    tight = []
    for image, box, name in plates.samples:
        x1, y1, x2, y2 = (int(v) for v in box)
        crop = np.ascontiguousarray(image[y1:y2, x1:x2])
        tight.append(PlateSample(crop, (0, 0, crop.shape[1], crop.shape[0]), name))
    reader = make_plate_recognizer(
        tiny_char_model,
        plate_format="any",
        extra_below_agreement=1.0,
        extra_pad_clipped=None,
        extra_deblur=None,
    ).fit(plates.samples)  # every plate short of a unanimous first crop reads every crop
    margin_crop, flattened_crop = reader.extra_croppers_
    assert margin_crop.windows(tight) == reader.cropper_.windows(tight)
    assert margin_crop.windows(plates.samples) != reader.cropper_.windows(plates.samples)
    n = len(reader.filter_bank_.variant_names_)
    for samples, margin_read in ((tight, False), (plates.samples, True)):
        calls: list[list] = []

        def recording(batch, croppers, calls=calls):
            calls.append(list(croppers))
            return reader._decode_crops(batch, croppers)

        decodings = reader._read_batch(list(samples), recording)
        assert any(flattened_crop in croppers for croppers in calls)
        assert any(margin_crop in croppers for croppers in calls) is margin_read
        every = reader._decode(list(samples), every_crop=True)  # the margin crop read too
        for row, all_crops in zip(decodings, every, strict=True):
            if len(row) > n:  # the plates that read the extra crops
                assert [d.text for d in row] == [d.text for d in all_crops]
                assert reader._vote(row) == reader._vote(reader._voting_variants(all_crops))
        assert any(len(row) > n for row in decodings)
    # Padded out where the photo's edge clips it (the default), the margin crop shows the
    # plate with room around it: another crop, read.
    padded = clone(reader).set_params(extra_pad_clipped=0.05).fit(plates.samples)
    assert padded.extra_croppers_[0].pad_clipped == 0.05
    assert padded.extra_croppers_[1].pad_clipped is None  # the flattened crop: the first's
    assert padded.cropper_.pad_clipped is None
    first, margin = padded.cropper_.transform(tight), padded.extra_croppers_[0].transform(tight)
    assert all(not np.array_equal(a, b) for a, b in zip(first, margin, strict=True))
    calls = []
    padded._read_batch(list(tight), lambda b, c: calls.append(c) or padded._decode_crops(b, c))
    assert any(padded.extra_croppers_[0] in croppers for croppers in calls)


def test_a_deblurred_crop_is_read_where_the_plate_is_blurred(tiny_char_model, plates):
    """``extra_deblur``: the plates short of agreement also read their crop deconvolved
    by its estimated blur; a plate no more blurred than the threshold gives the first
    crop's variants in its place, as reading its (unchanged) crop would."""
    from skplate.samples import PlateSample

    blurred = [
        PlateSample(cv2.GaussianBlur(image, (0, 0), 2.0), box, name)
        for image, box, name in plates.samples
    ]
    reader = make_plate_recognizer(
        tiny_char_model, plate_format="any", extra_below_agreement=1.0, extra_deblur=0.0
    ).fit(plates.samples)
    margin_crop, deblur_crop, flattened_crop = reader.extra_croppers_
    assert (deblur_crop.deblur, margin_crop.deblur, flattened_crop.deblur) == (0.0, None, None)
    assert reader.cropper_.deblur is None
    n = len(reader.filter_bank_.variant_names_)
    assert reader.variant_names_[2 * n : 3 * n] == [
        f"{name}@deblur" for name in reader.filter_bank_.variant_names_
    ]
    assert np.all(deblur_crop.blurs(blurred) > deblur_crop.blurs(plates.samples))
    threshold = float(np.max(deblur_crop.blurs(plates.samples)))  # above every sharp plate
    reader.set_params(extra_deblur=threshold).fit(plates.samples)
    deblur_crop = reader.extra_croppers_[1]
    for samples, deblur_read in ((plates.samples, False), (blurred, True)):
        calls: list[list] = []

        def recording(batch, croppers, calls=calls):
            calls.append(list(croppers))
            return reader._decode_crops(batch, croppers)

        decodings = reader._read_batch(list(samples), recording)
        assert any(deblur_crop in croppers for croppers in calls) is deblur_read
        every = reader._decode(list(samples), every_crop=True)  # the deblurred crop read too
        for row, all_crops in zip(decodings, every, strict=True):
            if len(row) > n:
                assert [d.text for d in row] == [d.text for d in all_crops]
                assert reader._vote(row) == reader._vote(reader._voting_variants(all_crops))
        assert any(len(row) > n for row in decodings)
    # None adds no such crop; nor does the first crop's own deblur.
    assert len(clone(reader).set_params(extra_deblur=None).fit([]).extra_croppers_) == 2
    own = clone(reader).set_params(cropper=PlateCropper(deblur=threshold)).fit([])
    assert len(own.extra_croppers_) == 2


def test_a_blurred_plates_deblurred_variants_weigh_extra_deblur_weight(tiny_char_model, plates):
    """``extra_deblur_weight`` multiplies the deblurred crop's variant weights where that
    crop was read and reads otherwise than the first crop; elsewhere (a sharp plate, whose
    deblurred crop is the first crop) the weights are ``variant_weights_``. The report's
    vote (every crop read) weighs them as ``predict`` does."""
    from skplate.samples import PlateSample

    blurred = [
        PlateSample(cv2.GaussianBlur(image, (0, 0), 2.0), box, name)
        for image, box, name in plates.samples
    ]
    reader = make_plate_recognizer(
        tiny_char_model, plate_format="any", extra_below_agreement=1.0, extra_deblur=0.0
    ).fit([])
    threshold = float(np.max(reader.extra_croppers_[1].blurs(plates.samples)))
    reader.set_params(extra_deblur=threshold, extra_deblur_weight=3.0).fit([])
    assert PlateRecognizer(tiny_char_model).extra_deblur_weight == 1.5  # the default
    n = len(reader.filter_bank_.variant_names_)
    deblurred = slice(2 * n, 3 * n)
    assert all(name.endswith("@deblur") for name in reader.variant_names_[deblurred])
    for samples, heavier in ((plates.samples, False), (blurred, True)):
        rows = [row for row in reader._decode(list(samples)) if len(row) > n]
        assert rows
        every = reader._decode(list(samples), every_crop=True)
        differ = []
        for row in rows:
            expected = reader.variant_weights_.copy()
            differ.append(
                any(
                    a.text != b.text or a.score != b.score
                    for a, b in zip(row[deblurred], row[:n], strict=True)
                )
            )
            if differ[-1]:
                expected[deblurred] *= 3.0
            assert np.array_equal(reader._vote_weights(row), expected)
        assert any(differ) is heavier  # sharp plates: the deblurred crop is the first
        for row, all_crops in zip(reader._decode(list(samples)), every, strict=True):
            if len(row) > n:
                assert reader._vote(row) == reader._vote(reader._voting_variants(all_crops))
    # 1 weighs them as the others; 0 is refused; models saved before it weigh them 1.
    same = clone(reader).set_params(extra_deblur_weight=1.0).fit([])
    rows = [row for row in same._decode(list(blurred)) if len(row) > n]
    assert all(np.array_equal(same._vote_weights(row), same.variant_weights_) for row in rows)
    with pytest.raises(ValueError, match="extra_deblur_weight"):
        clone(reader).set_params(extra_deblur_weight=0.0).fit([])
    state = dict(reader.__getstate__())
    del state["extra_deblur_weight"]
    old = PlateRecognizer.__new__(PlateRecognizer)
    old.__setstate__(state)
    assert old.get_params()["extra_deblur_weight"] == 1.0


def test_recognizers_saved_before_the_slim_majority_rule_read_as_before(recognizer, plates):
    state = dict(recognizer.__getstate__())
    del state["extra_flatten_below_agreement"], state["extra_pad_clipped"]
    del state["extra_deblur"]
    old = PlateRecognizer.__new__(PlateRecognizer)
    old.__setstate__(state)
    assert old.get_params()["extra_flatten_below_agreement"] == 0.0
    assert old.get_params()["extra_pad_clipped"] is None
    assert old.get_params()["extra_deblur"] is None
    n = len(recognizer.filter_bank_.variant_names_)
    lengths = {len(r.variant_names) for r in old.predict_readings(plates.samples)}
    assert lengths <= {n, len(recognizer.variant_names_)}


def test_recognizers_saved_before_extra_crops_read_one_crop(recognizer, plates):
    state = dict(recognizer.__getstate__())  # as skplate 0.2.0 saved it
    del state["extra_margins"], state["extra_croppers_"], state["extra_below_agreement"]
    state["variant_names_"] = recognizer.filter_bank_.variant_names_
    n = len(state["variant_names_"])
    state["variant_weights_"] = recognizer.variant_weights_[:n]
    state["variant_accuracy_"] = recognizer.variant_accuracy_[:n]
    old = PlateRecognizer.__new__(PlateRecognizer)
    old.__setstate__(state)
    assert old.get_params()["extra_margins"] is None
    readings = old.predict_readings(plates.samples)
    assert [r.text for r in readings] == [r.text for r in one_crop_readings(recognizer, plates)]
    assert {len(r.variant_names) for r in readings} == {n}


def test_recognizers_saved_before_the_flattened_crop_read_as_before(recognizer, plates):
    state = dict(recognizer.__getstate__())
    del state["extra_flatten_lighting"], state["extra_deblur"]
    old = PlateRecognizer.__new__(PlateRecognizer)
    old.__setstate__(state)
    assert old.get_params()["extra_flatten_lighting"] == 0.0
    # Re-fitted (as the command line's reading options do), it still reads two crops.
    old.fit(plates.samples)
    assert len(old.variant_names_) == 2 * len(old.filter_bank_.variant_names_)


def test_recognizers_saved_before_the_prior_correction_read_as_before(recognizer, plates):
    state = dict(recognizer.__getstate__())  # as the thirteenth round's skplate saved it
    del state["prior_correction"]
    old = PlateRecognizer.__new__(PlateRecognizer)
    old.__setstate__(state)
    assert old.get_params()["prior_correction"] == 0.0
    assert list(old.predict(plates.samples)) == list(recognizer.predict(plates.samples))


def test_recognizers_saved_before_the_agreement_rule_read_every_crop(recognizer, plates):
    state = dict(recognizer.__getstate__())  # as the eighth round's skplate saved it
    del state["extra_below_agreement"]
    old = PlateRecognizer.__new__(PlateRecognizer)
    old.__setstate__(state)
    assert old.get_params()["extra_below_agreement"] is None
    n_variants = len(recognizer.variant_names_)
    assert all(len(r.variant_texts) == n_variants for r in old.predict_readings(plates.samples))


def test_recognizers_saved_before_runs_of_pieces_read_as_before(recognizer, plates):
    state = dict(recognizer.__getstate__())  # as skplate saved it before merge_penalty
    del state["merge_penalty"]
    old = PlateRecognizer.__new__(PlateRecognizer)
    old.__setstate__(state)
    assert old.get_params()["merge_penalty"] == -1.0
    assert list(old.predict(plates.samples)) == list(recognizer.predict(plates.samples))


def test_recognizers_saved_before_format_by_combine_the_format_most_variants_read(
    recognizer, plates
):
    state = dict(recognizer.__getstate__())  # as skplate saved it before format_by
    del state["format_by"]
    old = PlateRecognizer.__new__(PlateRecognizer)
    old.__setstate__(state)
    assert old.get_params()["format_by"] == "variants"
    counted = copy.deepcopy(recognizer).set_params(format_by="variants")
    assert list(old.predict(plates.samples)) == list(counted.predict(plates.samples))


def test_runs_of_pieces_are_read_in_the_same_classifier_call(recognizer, plates):
    """With max_span=2 the decoder may read a run of two pieces as one character; each
    variant's reading then spends every piece once (read alone, inside a run, or
    skipped), and a prohibitive merge_penalty reads as the pieces alone do."""
    joined = clone(recognizer).set_params(segmenter__max_span=2).fit(plates.samples)
    samples = recognizer._segment(list(plates.samples))
    segments = joined._segment(list(plates.samples))
    assert np.any(segments.span == 2) and len(segments) > len(samples)
    single = segments.span == 1
    np.testing.assert_array_equal(segments.boxes[single], samples.boxes)
    decodings = joined._decode_segments(segments)
    for plate_rows, plate_decodings in zip(segments.rows(), decodings, strict=True):
        for row, decoding in zip(plate_rows, plate_decodings, strict=True):
            read = row[decoding.segments]
            starts, counts = segments.position[read], segments.span[read]
            spent = [p for s, n in zip(starts, counts, strict=True) for p in range(s, s + n)]
            assert len(set(spent)) == len(spent)  # no piece read twice
            assert len(decoding.text) == len(read)
    apart = joined.set_params(merge_penalty=-1e9).fit(plates.samples)
    assert list(apart.predict(plates.samples)) == list(
        clone(recognizer).fit(plates.samples).predict(plates.samples)
    )


# -- reading -------------------------------------------------------------------------------
def test_predict_reads_synthetic_plates(recognizer, plates):
    predicted = recognizer.predict(plates.samples)
    assert isinstance(predicted, np.ndarray) and predicted.dtype == object
    assert predicted.shape == (len(TEXTS),)
    assert all(isinstance(text, str) for text in predicted)
    # The tiny network was trained on the fonts the synthetic plates use.
    assert plate_accuracy(plates.target, predicted) >= 0.5


def test_predict_readings_structure(recognizer, readings):
    n_first = len(recognizer.filter_bank_.variant_names_)
    assert len(readings) == len(TEXTS)
    for reading in readings:
        assert isinstance(reading, PlateReading)
        n_variants = len(reading.variant_names)
        assert len(reading.variant_texts) == len(reading.variant_scores) == n_variants
        # The first crop alone, with the flattened crop (a slim majority), or every crop.
        names = recognizer.variant_names_
        first, flattened = names[:n_first], names[-n_first:]
        assert reading.variant_names in (first, first + flattened, names)
        assert 0.0 <= reading.confidence <= 1.0
        assert fits_spanish(reading.text)
        assert all(fits_spanish(text) for text in reading.variant_texts)
        assert all(
            np.isfinite(score)
            for score, text in zip(reading.variant_scores, reading.variant_texts, strict=True)
            if text
        )
        assert (reading.confidence > 0) == bool(reading.text)


def test_predict_matches_readings(recognizer, readings, plates):
    assert recognizer.predict(plates.samples).tolist() == [r.text for r in readings]


def test_hard_voting_takes_the_most_frequent_reading(tiny_char_model, plates):
    recognizer = make_plate_recognizer(
        tiny_char_model, plate_format="spanish", voting="hard", learn_weights=False
    ).fit(plates.samples)
    for reading in recognizer.predict_readings(plates.samples):
        votes = Counter(text for text in reading.variant_texts if text)
        if not votes:
            assert reading.text == "" and reading.confidence == 0.0
            continue
        top = max(votes.values())
        assert votes[reading.text] == top
        assert reading.confidence == pytest.approx(top / sum(votes.values()))


def test_any_format_readings(tiny_char_model, plates):
    recognizer = make_plate_recognizer(tiny_char_model, plate_format="any").fit([])
    for text in recognizer.predict(plates.samples):
        assert text == "" or (4 <= len(text) <= 8 and text.isalnum() and text.isupper())


def test_blank_plate_reads_empty(recognizer, plates):
    blank = np.full((200, 300, 3), 255, np.uint8)
    predicted = recognizer.predict([plates.samples[0], (blank, (50, 50, 250, 120))])
    assert predicted[1] == ""
    reading = recognizer.predict_readings([plates.samples[0], (blank, (50, 50, 250, 120))])[1]
    assert reading.confidence == 0.0 and set(reading.variant_texts) == {""}


def test_batch_of_only_blank_plates_reads_empty(recognizer):
    """A batch in which no plate has any character (Segments.rows() on zero characters)."""
    blank = np.full((200, 300, 3), 255, np.uint8)
    assert recognizer.predict([(blank, (50, 50, 250, 120))]).tolist() == [""]


def test_batch_size_and_n_jobs_do_not_change_readings(recognizer, readings, plates):
    expected = [r.text for r in readings]
    one_by_one = clone(recognizer).set_params(batch_size=1).fit(plates.samples, plates.target)
    assert one_by_one.predict(plates.samples).tolist() == expected
    np.testing.assert_allclose(one_by_one.variant_weights_, recognizer.variant_weights_)
    with parallel_config(backend="threading"):  # threads: no worker processes to start
        parallel = clone(recognizer).set_params(n_jobs=2).fit(plates.samples, plates.target)
        assert parallel.predict(plates.samples).tolist() == expected
    np.testing.assert_allclose(parallel.variant_weights_, recognizer.variant_weights_)


def test_score_is_plate_accuracy(recognizer, plates):
    y = list(plates.target)
    y[0] = "0000BBB"  # a label nobody reads
    predicted = recognizer.predict(plates.samples)
    expected = plate_accuracy(y, predicted)
    assert recognizer.score(plates.samples, y) == expected
    assert expected <= 0.75
    assert plate_scorer(recognizer, plates.samples, y) == expected


@pytest.mark.parametrize(
    ("X", "error", "pattern"),
    [
        ([(np.zeros((0, 0), np.uint8), (0, 0, 1, 1))], ValueError, r"X\[0\].*empty"),
        ("two", TypeError, r"X\[0\]"),
        (None, TypeError, "sequence"),
    ],
)
def test_bad_samples_name_the_index(recognizer, X, error, pattern):
    with pytest.raises(error, match=pattern):
        recognizer.predict(X)


def test_bad_later_samples_name_the_index(recognizer, plates):
    good = plates.samples[0]
    image = plates.images[0]
    cases = [
        ([good, (image, (0, 0, 1, 1))], ValueError, r"X\[1\].*box"),
        ([good, good, (image, (1, 2, 3))], ValueError, r"X\[2\].*four numbers"),
        ([good, "photo.jpg"], TypeError, r"X\[1\].*str"),
        ([good, (image.astype(np.float64), (0, 0, 50, 20))], TypeError, r"X\[1\].*float64"),
        ([good, (image[:, :, :2], (0, 0, 50, 20))], ValueError, r"X\[1\].*shape"),
    ]
    for X, error, pattern in cases:
        with pytest.raises(error, match=pattern):
            recognizer.predict(X)
    with pytest.raises(TypeError, match="wrap it in a list"):
        recognizer.predict(good)


# -- scikit-learn API ----------------------------------------------------------------------
def test_clone_keeps_the_fitted_classifier(recognizer, tiny_char_model, plates):
    copy = clone(recognizer)
    assert copy.classifier is recognizer.classifier  # FrozenEstimator clones to itself
    assert not hasattr(copy, "variant_weights_")
    before = weights_of(tiny_char_model)
    copy.fit(plates.samples, plates.target)
    assert copy.predict(plates.samples).tolist() == recognizer.predict(plates.samples).tolist()
    assert_same_weights(before, tiny_char_model)


def test_clone_without_freezing_loses_the_classifier(tiny_char_model, plates):
    bare = PlateRecognizer(tiny_char_model).fit(plates.samples)
    assert bare.classifier_ is tiny_char_model
    with pytest.raises(NotFittedError, match="FrozenEstimator"):
        clone(bare).fit(plates.samples)


def test_nested_params(recognizer):
    params = recognizer.get_params(deep=True)
    for key in (
        "filter_bank__clahe_clip_limit",
        "filter_bank__sharpen_centers",
        "segmenter__method",
        "segmenter__normalizer",
        "cropper__margin",
        "classifier__estimator",
    ):
        assert key in params, key
    copy = clone(recognizer)
    copy.set_params(filter_bank__clahe_clip_limit=3.5, segmenter__method="projection")
    assert copy.filter_bank.clahe_clip_limit == 3.5
    assert copy.get_params(deep=True)["segmenter__method"] == "projection"
    assert recognizer.filter_bank.clahe_clip_limit == params["filter_bank__clahe_clip_limit"]
    assert recognizer.segmenter.method == "components"


def test_grid_search_does_not_refit_the_cnn(recognizer, tiny_char_model, plates):
    before = weights_of(tiny_char_model)
    search = GridSearchCV(
        recognizer,
        {"filter_bank__sharpen_centers": [(5,), (5, 7)]},
        scoring=plate_scorer,
        cv=2,
    )
    search.fit(plates.samples, plates.target)
    scores = search.cv_results_["mean_test_score"]
    assert scores.shape == (2,) and np.all((scores >= 0) & (scores <= 1))
    best = search.best_estimator_
    centers = search.best_params_["filter_bank__sharpen_centers"]
    sharpen = [name for name in best.filter_bank_.variant_names_ if name.startswith("sharpen_")]
    assert sharpen == [f"sharpen_{c}" for c in centers]
    assert best.classifier.estimator is tiny_char_model
    assert_same_weights(before, tiny_char_model)
    assert search.predict(plates.samples).shape == (len(TEXTS),)


def test_grid_search_in_parallel_processes_matches_serial(recognizer, plates):
    # GridSearchCV(n_jobs=2) pickles the recognizer, Keras network included, to loky workers.
    grid = {"voting": ["soft", "hard"], "skip_penalty": [-2.5, -1.0]}
    scores = [
        GridSearchCV(recognizer, grid, scoring=plate_scorer, cv=2, n_jobs=n_jobs)
        .fit(plates.samples, plates.target)
        .cv_results_["mean_test_score"]
        for n_jobs in (1, 2)
    ]
    np.testing.assert_array_equal(scores[0], scores[1])


def test_joblib_round_trip_in_a_fresh_process(recognizer, readings, plates, tmp_path):
    model_path, data_path, out_path = (tmp_path / n for n in ("r.joblib", "X.joblib", "y.json"))
    joblib.dump(recognizer, model_path)
    joblib.dump(list(plates.samples), data_path)
    script = textwrap.dedent(
        f"""
        import json, joblib
        model = joblib.load({str(model_path)!r})
        readings = model.predict_readings(joblib.load({str(data_path)!r}))
        out = [[r.text, r.confidence, r.variant_texts] for r in readings]
        open({str(out_path)!r}, "w").write(json.dumps(out))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr[-2000:]
    loaded = json.loads(out_path.read_text())
    assert [row[0] for row in loaded] == [r.text for r in readings]
    assert [row[2] for row in loaded] == [r.variant_texts for r in readings]
    np.testing.assert_allclose(
        [row[1] for row in loaded], [r.confidence for r in readings], atol=1e-6
    )


# -- metrics -------------------------------------------------------------------------------
def test_plate_accuracy_values():
    assert plate_accuracy(["1277DPZ", "1377LLV"], ["1277DPZ", "1377LLY"]) == 0.5
    assert plate_accuracy(["A", "B", "C", "D"], ["A", "B", "C", "D"]) == 1.0
    assert plate_accuracy(["1277DPZ"], [""]) == 0.0
    truth, guess = np.array(["AB", "CD", "EF"]), np.array(["AB", "XX", "EF"], dtype=object)
    assert plate_accuracy(truth, guess) == pytest.approx(2 / 3)
    assert plate_accuracy(["", "X"], [None, "X"]) == 1.0  # None reads as ""


def test_char_accuracy_values():
    assert char_accuracy(["1277DPZ"], ["1277DPZ"]) == 1.0
    assert char_accuracy(["1277DPZ"], ["1277DPX"]) == pytest.approx(6 / 7)
    assert char_accuracy(["1277DPZ"], ["277DPZ"]) == pytest.approx(6 / 7)  # one deletion
    assert char_accuracy(["1277DPZ"], [""]) == 0.0
    assert char_accuracy(["ABC"], ["ABCD"]) == pytest.approx(0.75)
    assert char_accuracy([""], [""]) == 1.0
    assert char_accuracy(["AAAA", "BBBB"], ["AAAA", "XXXX"]) == pytest.approx(0.5)


def test_edit_distance():
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("", "ABC") == 3
    assert edit_distance("1277DPZ", "1277DPZ") == 0
    assert edit_distance("ABCD", "BADC") == 3


@pytest.mark.parametrize("metric", [plate_accuracy, char_accuracy])
def test_metric_input_errors(metric):
    with pytest.raises(ValueError, match="different lengths: 2 and 1"):
        metric(["A", "B"], ["A"])
    with pytest.raises(ValueError, match="empty"):
        metric([], [])
    with pytest.raises(ValueError, match="1-D"):
        metric([["A", "B"]], [["A", "B"]])


def test_scorers_with_a_dummy_estimator():
    class Echo(BaseEstimator):
        """Reads every plate as the string it is given, except the last one."""

        def fit(self, X, y=None):
            return self

        def predict(self, X):
            return np.array([*X[:-1], "WRONG"], dtype=object)

    X = ["1277DPZ", "1377LLV", "1679HXD", "2537JJD"]
    assert plate_scorer(Echo(), X, X) == 0.75
    # "WRONG" shares no character position with "2537JJD": edit distance 7, score 0.
    assert char_scorer(Echo(), X, X) == pytest.approx(0.75)
    assert plate_scorer(Echo(), X, ["1277DPZ", "X", "1679HXD", "Y"]) == 0.5


# -- real plates ---------------------------------------------------------------------------
@pytest.mark.data
def test_real_spanish_plates_structure(data_home, recognizer):
    samples, target = load_plates(
        data_home / "test6Training.zip", plate_format="spanish", return_X_y=True
    )
    assert len(samples) == len(target) == 21
    readings = recognizer.predict_readings(samples)
    assert len(readings) == 21
    n = len(recognizer.filter_bank_.variant_names_)
    # + the flattened crop, + the deblurred one, + all
    n_variants = (n, 2 * n, 3 * n, len(recognizer.variant_names_))
    for reading in readings:
        assert fits_spanish(reading.text), reading.text
        assert 0.0 <= reading.confidence <= 1.0
        assert len(reading.variant_texts) in n_variants
        assert all(fits_spanish(text) for text in reading.variant_texts)
    score = recognizer.score(samples, target)
    assert score == plate_accuracy(target, [r.text for r in readings])
    assert 0.0 <= char_accuracy(target, [r.text for r in readings]) <= 1.0


def test_segmenter_reads_the_channels_the_classifier_was_trained_on(
    tiny_gray_char_model, tiny_char_model, plates
):
    from skplate.normalize import CharNormalizer

    model = make_plate_recognizer(tiny_gray_char_model, plate_format="spanish").fit([])
    assert model.segmenter_.normalizer_.gray_levels is True
    assert model.segmenter.normalizer is None  # the parameter is left as given
    segments = model._segment(list(plates.samples[:2]))
    assert segments.chars.shape[1:] == (32, 32, 2)
    assert all(fits_spanish(text) for text in model.predict(plates.samples[:2]))
    # A one-channel classifier keeps the binary maps.
    plain = make_plate_recognizer(tiny_char_model, plate_format="spanish").fit([])
    assert plain.segmenter_.normalizer_.gray_levels is False
    # A normaliser that disagrees with the classifier is named.
    mismatched = [
        (tiny_gray_char_model, CharacterSegmenter(normalizer=CharNormalizer())),
        (tiny_char_model, CharacterSegmenter(normalizer=CharNormalizer(gray_levels=True))),
    ]
    for classifier, segmenter in mismatched:
        with pytest.raises(ValueError, match=r"segmenter__normalizer: .* channel"):
            make_plate_recognizer(classifier, segmenter=segmenter).fit([])
