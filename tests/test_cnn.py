"""Tests of skplate.cnn: tiny networks trained on synthetic characters."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import joblib
import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from skplate.cnn import CharCNN, build_char_cnn, make_char_pipeline
from skplate.datasets import make_synthetic_chars
from skplate.normalize import CharNormalizer

DIGITS = "0123456789"

# A network small enough to train in ~2 s on 2 CPU cores, yet well above chance. It keeps
# the random parts (augmentation, dropout, shuffled validation split with early stopping)
# so the determinism test covers them.
TINY = {
    "conv_filters": (8, 8),
    "dense_units": (32,),
    "epochs": 3,
    "learning_rate": 3e-3,
    "batch_size": 16,
    "validation_split": 0.1,
    "patience": 2,
    "augment": True,
    "random_state": 0,
}


@pytest.fixture(scope="module")
def raw_chars() -> tuple[list[np.ndarray], np.ndarray]:
    images, target = make_synthetic_chars(
        20, characters=DIGITS, random_state=0, return_X_y=True
    )
    return images, target


@pytest.fixture(scope="module")
def chars(raw_chars) -> tuple[np.ndarray, np.ndarray]:
    images, target = raw_chars
    return CharNormalizer().fit_transform(images), target


@pytest.fixture(scope="module")
def fitted(chars) -> CharCNN:
    X, y = chars
    return CharCNN(**TINY).fit(X, y)


# -- build_char_cnn ------------------------------------------------------------------------
def test_build_char_cnn_architecture():
    model = build_char_cnn((32, 32, 1), 7, conv_filters=(4, 6), dense_units=(16, 8))
    assert model.output_shape == (None, 7)
    assert model.input_shape == (None, 32, 32, 1)
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert [layer.filters for layer in convs] == [4, 6]
    assert [layer.units for layer in dense] == [16, 8, 7]
    assert dense[-1].activation is keras.activations.softmax
    assert not any("random" in layer.name for layer in model.layers)
    proba = np.asarray(model(np.zeros((3, 32, 32, 1), np.float32)))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)


def test_build_char_cnn_augment_adds_random_layers():
    model = build_char_cnn((32, 32, 1), 3, conv_filters=(4,), dense_units=(), augment=True)
    kinds = {type(layer).__name__ for layer in model.layers}
    assert {"RandomRotation", "RandomTranslation", "RandomZoom"} <= kinds


def test_build_char_cnn_needs_a_convolution():
    with pytest.raises(ValueError, match="conv_filters"):
        build_char_cnn((32, 32, 1), 3, conv_filters=())


# -- fitting -------------------------------------------------------------------------------
def test_fit_classes_and_predict_proba(fitted, chars):
    X, _ = chars
    assert isinstance(fitted.classes_, np.ndarray)
    assert fitted.classes_.tolist() == list(DIGITS)
    assert all(isinstance(c, str) for c in fitted.classes_)
    proba = fitted.predict_proba(X)
    assert proba.shape == (len(X), len(DIGITS))
    assert np.all(proba >= 0)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    predicted = fitted.predict(X)
    assert predicted.shape == (len(X),)
    assert set(predicted) <= set(DIGITS)
    np.testing.assert_array_equal(predicted, fitted.classes_[proba.argmax(axis=1)])
    # The underlying network has the configured shape.
    assert fitted.model_.output_shape == (None, len(DIGITS))
    assert len(fitted.history_["loss"]) == TINY["epochs"]


def test_class_prior_is_each_class_share_of_the_labels(chars):
    X, y = chars
    keep = y != "3"
    keep[np.flatnonzero(y == "3")[::4]] = True  # a quarter of the 3s
    model = CharCNN(**{**TINY, "epochs": 1}).fit(X[keep], y[keep])
    counts = np.array([np.count_nonzero(y[keep] == c) for c in model.classes_])
    np.testing.assert_allclose(model.class_prior_, counts / counts.sum())
    three = model.class_prior_[model.classes_.tolist().index("3")]
    assert three == pytest.approx(model.class_prior_[0] / 4, rel=0.2)
    prior = model.class_prior_.copy()
    model.partial_fit(X[:20], y[:20])  # fine-tuning keeps the training mix it was fitted on
    np.testing.assert_array_equal(model.class_prior_, prior)


def test_training_accuracy_well_above_chance(fitted, chars):
    X, y = chars
    accuracy = np.mean(fitted.predict(X) == y)
    assert accuracy > 0.6  # chance is 0.1
    assert fitted.score(X, y) == pytest.approx(accuracy)


def test_fit_is_deterministic_for_an_integer_random_state(fitted, chars):
    """Same seed, same weights, including augmentation, dropout and the validation split."""
    X, y = chars
    again = CharCNN(**TINY).fit(X, y)
    assert again.history_["loss"] == fitted.history_["loss"]
    np.testing.assert_allclose(again.predict_proba(X), fitted.predict_proba(X), rtol=0, atol=1e-6)
    for mine, theirs in zip(again.model_.get_weights(), fitted.model_.get_weights(), strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-6)


def test_ema_keeps_the_moving_average_of_the_weights(fitted, chars):
    """Same training steps, but the weights kept are the averaged ones (not overwritten by
    early stopping's restore, which restores the best *averaged* weights)."""
    X, y = chars
    averaged = CharCNN(**TINY, ema_momentum=0.9).fit(X, y)
    optimizer = averaged.model_.optimizer
    assert optimizer.use_ema and optimizer.ema_momentum == pytest.approx(0.9)
    steps = min(len(averaged.history_["loss"]), len(fitted.history_["loss"]))
    # The same steps: the average never feeds back into training. Keras'
    # SwapEMAWeights swaps by addition (a += b; b = a - b; a -= b), which is exact only up
    # to float32 rounding, so the raw weights come back within a few ulps of themselves;
    # that drift compounds over the epochs (measured up to 4e-5 relative by the third),
    # far below what training from averaged weights would change.
    assert averaged.history_["loss"][:steps] == pytest.approx(
        fitted.history_["loss"][:steps], rel=2e-4
    )
    differences = [
        np.abs(mine - theirs).max()
        for mine, theirs in zip(averaged.model_.get_weights(), fitted.model_.get_weights(),
                                strict=True)
    ]
    assert max(differences) > 1e-3
    assert np.mean(averaged.predict(X) == y) > 0.6
    again = CharCNN(**TINY, ema_momentum=0.9).fit(X, y)
    np.testing.assert_allclose(again.predict_proba(X), averaged.predict_proba(X), atol=1e-6)


@pytest.mark.parametrize("momentum", [0, 1, 1.5, "0.9"])
def test_bad_ema_momentum_is_named(chars, momentum):
    X, y = chars
    with pytest.raises(ValueError, match="ema_momentum"):
        CharCNN(**TINY, ema_momentum=momentum).fit(X, y)


@pytest.mark.parametrize("shape", [(10, 32, 32), (10, 1024), (10,), (2, 10, 32, 32, 1)])
def test_fit_rejects_non_4d_input_with_a_hint(shape):
    y = np.array(list(DIGITS))[np.arange(shape[0]) % 10]
    with pytest.raises(ValueError, match=r"\(n, size, size, 1\).*CharNormalizer"):
        CharCNN(**TINY).fit(np.zeros(shape, np.float32), y)


def test_fit_rejects_raw_images_with_a_hint(raw_chars):
    _, target = raw_chars
    same_size = [np.zeros((40, 30), np.uint8)] * 4
    with pytest.raises(ValueError, match="make_char_pipeline"):
        CharCNN(**TINY).fit(same_size, target[:4])


# -- scikit-learn API ----------------------------------------------------------------------
def test_get_params_clone_set_params(fitted, chars):
    params = fitted.get_params()
    for name, value in TINY.items():
        assert params[name] == value, name
    assert params["pool_size"] == 3 and params["conv_dropout"] == 0.25
    copy = clone(fitted)
    assert copy.get_params() == params
    assert not hasattr(copy, "model_")  # clone drops the fitted state
    assert copy.set_params(dense_dropout=0.1, conv_filters=(4,)) is copy
    assert copy.dense_dropout == 0.1 and copy.conv_filters == (4,)
    assert fitted.dense_dropout == 0.5 and fitted.conv_filters == (8, 8)


def test_make_char_pipeline_nested_params_and_raw_images(raw_chars):
    images, target = raw_chars
    pipe = make_char_pipeline(classifier=CharCNN(**TINY))
    assert isinstance(pipe, Pipeline)
    assert list(pipe.named_steps) == ["normalizer", "classifier"]
    assert isinstance(pipe.named_steps["normalizer"], CharNormalizer)
    params = pipe.get_params(deep=True)
    assert params["classifier__epochs"] == 3 and params["normalizer__size"] == 32
    pipe.set_params(classifier__epochs=2, normalizer__size=24)
    assert pipe.named_steps["classifier"].epochs == 2
    pipe.fit(images, target)  # raw, variously sized uint8 images
    classifier = pipe.named_steps["classifier"]
    assert len(classifier.history_["loss"]) == 2
    assert classifier.model_.input_shape == (None, 24, 24, 1)
    proba = pipe.predict_proba(images[:7])
    assert proba.shape == (7, 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    assert np.mean(pipe.predict(images) == target) > 0.4


def test_make_char_pipeline_defaults():
    pipe = make_char_pipeline()
    assert isinstance(pipe.named_steps["classifier"], CharCNN)
    assert pipe.get_params()["classifier__dense_units"] == (1024, 512, 256)
    assert clone(pipe).get_params()["classifier__epochs"] == 25


def test_grid_search_over_pipeline(raw_chars):
    """scikeras 0.13 is unmaintained: clone and GridSearchCV must still work with CharCNN."""
    images, target = raw_chars
    images, target = images[:80], target[:80]
    fast = {"epochs": 1, "augment": False, "validation_split": 0.0}
    pipe = make_char_pipeline(classifier=CharCNN(**{**TINY, **fast}))
    # refit=False: the four fold fits already exercise clone + fit + score (and save time).
    search = GridSearchCV(
        pipe, {"classifier__dense_dropout": [0.0, 0.3]}, cv=2, refit=False,
        return_train_score=True,
    )
    search.fit(images, target)
    results = search.cv_results_
    assert [p["classifier__dense_dropout"] for p in results["params"]] == [0.0, 0.3]
    for key in ("mean_test_score", "mean_train_score", "split0_test_score", "split1_test_score"):
        scores = np.asarray(results[key], dtype=float)
        assert np.all(np.isfinite(scores)) and np.all((scores >= 0) & (scores <= 1)), key
    # The folds trained real networks: better than chance on their own training half.
    assert np.max(results["mean_train_score"]) > 0.2
    assert search.best_params_["classifier__dense_dropout"] in (0.0, 0.3)
    assert not hasattr(pipe.named_steps["classifier"], "model_")  # the original is untouched


def test_joblib_round_trip_in_a_fresh_process(fitted, chars, tmp_path):
    X, _ = chars
    model_path, x_path, out_path = (tmp_path / name for name in ("m.joblib", "X.npy", "p.npy"))
    joblib.dump(fitted, model_path)
    np.save(x_path, X[:40])
    script = textwrap.dedent(
        f"""
        import joblib, numpy as np
        model = joblib.load({str(model_path)!r})
        assert type(model).__name__ == "CharCNN", type(model)
        assert model.classes_.tolist() == list("0123456789"), model.classes_
        assert np.allclose(model.class_prior_, {fitted.class_prior_.tolist()!r})
        np.save({str(out_path)!r}, model.predict_proba(np.load({str(x_path)!r})))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    np.testing.assert_allclose(np.load(out_path), fitted.predict_proba(X[:40]), atol=1e-6)


@pytest.mark.parametrize(("level", "quiet"), [(None, True), ("0", False)])
def test_importing_the_network_is_quiet_unless_logs_are_asked_for(level, quiet):
    # TensorFlow's oneDNN notice ignores TF_CPP_MIN_LOG_LEVEL; skplate hides it unless the
    # user asks for TensorFlow's logs with TF_CPP_MIN_LOG_LEVEL=0.
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    if level is not None:
        env["TF_CPP_MIN_LOG_LEVEL"] = level
    result = subprocess.run(
        [sys.executable, "-c", "import skplate.cnn; print('imported')"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "imported"
    assert (result.stderr == "") is quiet, result.stderr
