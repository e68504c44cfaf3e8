"""The safe model format (.skplate) and the network run by NumPy."""

from __future__ import annotations

import io
import json
import pickle
import subprocess
import sys
import zipfile
from pathlib import Path
from unittest import mock

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator

from skplate.datasets import make_synthetic_plates
from skplate.numpy_cnn import NumpyCharCNN, layers_from_keras
from skplate.persistence import (
    ModelFileError,
    load_model,
    read_model_metadata,
    save_model,
)
from skplate.recognizer import make_plate_recognizer

TEXTS = ["4821BCD", "7305KLM", "1964FHT", "5058RZX", "2390PVN", "8847JGW"]


@pytest.fixture(scope="module")
def plates():
    return make_synthetic_plates(TEXTS, random_state=3).samples


@pytest.fixture(scope="module")
def recognizer(tiny_char_model, plates):
    model = make_plate_recognizer(tiny_char_model, plate_format="spanish")
    return model.fit(plates, TEXTS)  # learned variant weights travel too


@pytest.fixture(scope="module")
def safe_file(recognizer, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("safe") / "model.skplate"
    return save_model(recognizer, path, metadata={"training_report": {"epochs": 3}})


def _params(model) -> dict:
    """Every nested parameter but the classifier's, as text (estimators compare by identity)."""
    params = model.get_params(deep=True)
    return {k: repr(v) for k, v in params.items() if not k.startswith("classifier")}


def _readings(model, plates):
    readings = model.predict_readings(plates)
    return [(r.text, r.variant_texts, round(r.confidence, 5)) for r in readings]


def test_numpy_network_gives_the_keras_probabilities(tiny_char_model, tiny_gray_char_model):
    rng = np.random.default_rng(0)
    for network in (tiny_char_model, tiny_gray_char_model):
        chars = rng.random((300, *network.X_shape_[1:]), dtype=np.float32)
        fast = NumpyCharCNN.from_char_cnn(FrozenEstimator(network))
        expected = network.predict_proba(chars)
        proba = fast.predict_proba(chars)
        assert proba.shape == expected.shape
        np.testing.assert_allclose(proba, expected, atol=2e-6)
        assert np.array_equal(fast.predict(chars), network.predict(chars))
        assert np.array_equal(fast.classes_, network.classes_)
        # batches of any size give the same answer, to BLAS rounding
        smaller = fast.set_params(batch_size=7).predict_proba(chars)
        np.testing.assert_allclose(smaller, proba, atol=1e-6)


def test_numpy_network_reads_what_it_was_given_and_cannot_be_trained(tiny_char_model):
    fast = NumpyCharCNN.from_char_cnn(tiny_char_model)
    with pytest.raises(ValueError, match=r"shape \(n, 32, 32, 1\); got shape \(4, 32, 32\)"):
        fast.predict_proba(np.zeros((4, 32, 32)))
    assert fast.predict_proba(np.zeros((0, 32, 32, 1))).shape == (0, len(fast.classes_))
    with pytest.raises(TypeError, match="cannot be trained"):
        fast.fit(np.zeros((2, 32, 32, 1)), ["A", "B"])
    with pytest.raises(NotFittedError):
        NumpyCharCNN().predict_proba(np.zeros((1, 32, 32, 1)))


def test_only_layers_of_the_character_network_are_converted():
    import keras

    inputs = keras.Input((8, 8, 1))
    x = keras.layers.AveragePooling2D(2)(inputs)
    x = keras.layers.Flatten()(x)
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(x))
    with pytest.raises(ValueError, match="AveragePooling2D layer is not part"):
        layers_from_keras(model)


def test_safe_file_round_trips_to_the_same_readings(recognizer, safe_file, plates):
    expected = _readings(recognizer, plates)
    assert sum(text == truth for (text, _, _), truth in zip(expected, TEXTS, strict=True)) >= 4
    fast = load_model(safe_file)
    assert isinstance(fast.classifier_.estimator, NumpyCharCNN)
    assert _readings(fast, plates) == expected
    keras_model = load_model(safe_file, backend="keras")
    assert type(keras_model.classifier_.estimator).__name__ == "CharCNN"
    assert _readings(keras_model, plates) == expected
    for loaded in (fast, keras_model):
        np.testing.assert_array_equal(loaded.variant_weights_, recognizer.variant_weights_)
        assert loaded.variant_names_ == recognizer.variant_names_
        assert loaded.formats_[0].pattern == "NNNNAAA"
        assert _params(loaded) == _params(recognizer)
        assert clone(loaded).get_params()["voting"] == "soft"
    # the Keras network comes back with the very weights that were saved
    saved = recognizer.classifier_.estimator
    rebuilt = keras_model.classifier_.estimator
    for a, b in zip(saved.model_.get_weights(), rebuilt.model_.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(rebuilt.class_prior_, saved.class_prior_)


def test_loading_a_safe_file_unpickles_nothing(safe_file, plates, recognizer):
    def refuse(*args, **kwargs):
        raise AssertionError("pickle was used")

    with (
        mock.patch.object(pickle, "loads", refuse),
        mock.patch.object(pickle, "load", refuse),
        mock.patch.object(pickle, "Unpickler", refuse),
        mock.patch.object(pickle._Unpickler, "load", refuse),
    ):
        model = load_model(safe_file)
    assert model.predict(plates[:2]).tolist() == recognizer.predict(plates[:2]).tolist()
    with zipfile.ZipFile(safe_file) as archive:
        names = set(archive.namelist())
        header = json.loads(archive.read("skplate.json"))
    assert names == {"skplate.json", "arrays.npz"}
    assert header["format"] == "skplate-safe-model"
    with np.load(_arrays(safe_file), allow_pickle=False) as arrays:  # no object arrays
        assert all(arrays[key].dtype.kind != "O" for key in arrays.files)


def _arrays(path: Path) -> io.BytesIO:
    with zipfile.ZipFile(path) as archive:
        return io.BytesIO(archive.read("arrays.npz"))


def test_reading_with_numpy_imports_no_tensorflow(safe_file):
    code = (
        "import sys\n"
        "from skplate.datasets import make_synthetic_plates\n"
        "from skplate.persistence import load_model\n"
        f"model = load_model({str(safe_file)!r})\n"
        f"print(model.predict(make_synthetic_plates({TEXTS[:2]!r}, random_state=3).samples))\n"
        "print(sorted(m for m in ('tensorflow', 'keras', 'scikeras') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"


def _rewrite(source: Path, target: Path, change) -> Path:
    with zipfile.ZipFile(source) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    header = json.loads(entries["skplate.json"])
    change(header)
    entries["skplate.json"] = json.dumps(header).encode()
    with zipfile.ZipFile(target, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return target


@pytest.mark.parametrize(
    "name", ["subprocess.Popen", "builtins.eval", "os.system", "skplate_evil.Payload"]
)
def test_a_file_naming_another_class_is_refused_before_any_import(safe_file, tmp_path, name):
    def swap_class(header):
        header["model"]["__object__"] = name

    tampered = _rewrite(safe_file, tmp_path / "tampered.skplate", swap_class)
    with (
        mock.patch("importlib.import_module", side_effect=AssertionError("imported")),
        pytest.raises(ModelFileError, match=rf"tampered.skplate: .*{name}.*may not"),
    ):
        load_model(tampered)


def test_a_skplate_class_that_does_not_exist_is_an_error(safe_file, tmp_path):
    def swap_class(header):
        header["model"]["__object__"] = "skplate.recognizer.NoSuchThing"

    tampered = _rewrite(safe_file, tmp_path / "unknown.skplate", swap_class)
    with pytest.raises(ModelFileError, match=r"unknown class 'skplate\.recognizer\.NoSuchThing'"):
        load_model(tampered)


def test_old_versions_broken_files_and_unsavable_models_are_clear_errors(
    safe_file, tmp_path, recognizer
):
    def old(header):
        header["skplate_version"] = "0.1.0"

    with pytest.raises(ModelFileError, match=r"saved by skplate 0\.1\.0"):
        load_model(_rewrite(safe_file, tmp_path / "old.skplate", old))
    broken = tmp_path / "broken.skplate"
    broken.write_bytes(safe_file.read_bytes()[:5000])
    with pytest.raises(ModelFileError, match=r"broken\.skplate: not a readable model file"):
        load_model(broken)
    with pytest.raises(ModelFileError, match="no such model file"):
        load_model(tmp_path / "missing.skplate")
    with pytest.raises(ValueError, match="backend must be"):
        load_model(safe_file, backend="torch")
    odd = clone(recognizer).set_params(lookalikes=[lambda c: c])
    target = tmp_path / "odd.skplate"
    with pytest.raises(ModelFileError, match=r"odd.skplate: .*function cannot be written"):
        save_model(odd, target)
    assert not target.exists() and list(tmp_path.glob(".odd*")) == []


def test_metadata_reads_without_the_model(safe_file):
    header = read_model_metadata(safe_file)
    assert header["metadata"] == {"training_report": {"epochs": 3}}
    assert header["format_version"] == 1 and "model" not in header


def test_joblib_models_load_as_before_or_with_the_numpy_network(recognizer, tmp_path, plates):
    path = save_model(recognizer, tmp_path / "model.joblib")
    assert type(joblib.load(path)).__name__ == "PlateRecognizer"
    as_saved = load_model(path)
    assert type(as_saved.classifier_.estimator).__name__ == "CharCNN"
    fast = load_model(path, backend="numpy")
    assert isinstance(fast.classifier_.estimator, NumpyCharCNN)
    assert _readings(fast, plates) == _readings(recognizer, plates)


def test_a_reading_only_install_reads_safe_models_and_names_the_extra_for_the_rest(
    safe_file, recognizer, tmp_path
):
    joblib_path = save_model(recognizer, tmp_path / "model.joblib")
    code = (
        "import sys\n"
        "for name in ('tensorflow', 'keras', 'scikeras'):\n"
        "    sys.modules[name] = None  # as if not installed\n"
        "from skplate.datasets import make_synthetic_plates\n"
        "from skplate.persistence import ModelFileError, load_model\n"
        f"plates = make_synthetic_plates({TEXTS[:2]!r}, random_state=3).samples\n"
        f"print(list(load_model({str(safe_file)!r}).predict(plates)))\n"
        "try:\n"
        f"    load_model({str(joblib_path)!r})\n"
        "except ModelFileError as error:\n"
        "    print(error)\n"
        "try:\n"
        "    import skplate.cnn\n"
        "except ModuleNotFoundError as error:\n"
        "    print(error)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    readings, joblib_error, training_error = result.stdout.strip().splitlines()[-3:]
    expected = recognizer.predict(make_synthetic_plates(TEXTS[:2], random_state=3).samples)
    assert readings == str(list(expected))
    assert "model.joblib: this joblib model needs the module" in joblib_error
    for message in (joblib_error, training_error):
        assert "pip install 'skplate[train]'" in message


def test_a_recognizer_with_a_locator_round_trips(tiny_char_model, tmp_path):
    from skplate.locate import PlateLocator
    from skplate.samples import PlateSample

    data = make_synthetic_plates(
        ["1234BCD", "5678FGH"] * 6, random_state=0, image_size=(160, 160), font="skplate-din"
    )
    boxes = [box[None].astype(float) for box in data.boxes]
    locator = PlateLocator(
        image_size=160,
        width=8,
        epochs=2,
        batch_size=8,
        crop_size=96,
        pyramid=(1.0,),
        verify=True,
        candidate_threshold=0.0,
        score_threshold=0.0,
        max_plates=2,
        random_state=0,
    ).fit(data.images, boxes)  # two plates per photo to read
    reader = make_plate_recognizer(tiny_char_model, plate_format="any", locator=locator).fit([])
    path = save_model(reader, tmp_path / "located.skplate")
    # the locator's network and its verifier travel as .keras files
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if n.endswith(".keras")]
        assert names == ["networks/n0.keras", "networks/n1.keras"]
    loaded = load_model(path)
    assert loaded.locator.verifier_ is not None
    photos = [PlateSample(image, None, f"photo{i}") for i, image in enumerate(data.images[:4])]
    for expected, got in zip(
        locator.predict(data.images[:4]), loaded.locator.predict(data.images[:4]), strict=True
    ):
        np.testing.assert_array_equal(got, expected)
    expected_plates = reader.predict_plates(photos)
    assert sum(map(len, expected_plates)) > 0  # plates were located, so read
    got_plates = loaded.predict_plates(photos)
    assert [[(r.text, r.box) for r in plates] for plates in got_plates] == [
        [(r.text, r.box) for r in plates] for plates in expected_plates
    ]


@pytest.mark.parametrize(
    "check",
    [
        "check_estimator_cloneable",
        "check_estimator_tags_renamed",
        "check_valid_tag_types",
        "check_estimator_repr",
        "check_no_attributes_set_in_init",
        "check_do_not_raise_errors_in_init_or_set_params",
        "check_mixin_order",
        "check_parameters_default_constructible",
        "check_get_params_invariance",
        "check_set_params",
    ],
)
def test_numpy_network_passes_the_api_checks_of_an_estimator_that_only_reads(check):
    # The checks that fit on generated 2-D data do not apply: NumpyCharCNN is made from a
    # trained network (from_char_cnn, load_model) and its fit refuses to train.
    from sklearn.utils import estimator_checks

    getattr(estimator_checks, check)("NumpyCharCNN", NumpyCharCNN())


def test_numpy_network_is_a_classifier_that_clones_unfitted(tiny_char_model):
    from sklearn.base import is_classifier

    fast = NumpyCharCNN.from_char_cnn(tiny_char_model, batch_size=64)
    assert is_classifier(fast)
    copy = clone(fast)
    assert copy.get_params() == {"batch_size": 64} and not hasattr(copy, "layers_")
    with pytest.raises(NotFittedError):
        copy.predict(np.zeros((1, 32, 32, 1), np.float32))
