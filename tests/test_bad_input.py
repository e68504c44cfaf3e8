"""Bad input everywhere: corrupt files, unusable samples, broken models, interrupted writes.

Each case must fail with the documented error type and a message naming the culprit (the
file, ``X[i]``, the label file, the parameter), and never leave a half-written file behind.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import cv2
import joblib
import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from skplate import cli
from skplate._validation import read_image
from skplate.crop import PlateCropper
from skplate.datasets import load_plates, make_synthetic_plates
from skplate.decode import decode_segments
from skplate.filters import FilterBank
from skplate.formats import ALPHABET, get_formats
from skplate.normalize import CharNormalizer
from skplate.persistence import (
    ModelFileError,
    atomic_open,
    atomic_write,
    load_model,
    save_model,
)
from skplate.recognizer import PlateRecognizer, make_plate_recognizer
from skplate.segment import CharacterSegmenter

REPO_ROOT = Path(__file__).resolve().parents[1]


def _png_bytes(shape=(30, 40, 3)) -> bytes:
    image = (np.random.default_rng(0).random(shape) * 255).astype(np.uint8)
    ok, encoded = cv2.imencode(".png", image)
    assert ok
    return encoded.tobytes()


# -- corrupt image files ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("garbage.jpg", b"this is not a JPEG at all" * 20),
        ("empty.jpg", b""),
        ("empty.png", b""),
        ("truncated.png", _png_bytes()[:200]),
        ("header_only.png", _png_bytes()[:24]),
        ("signature_only.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 16),
    ],
)
def test_read_image_corrupt_file_names_file(tmp_path, filename, content):
    path = tmp_path / filename
    path.write_bytes(content)
    with pytest.raises(ValueError, match=re.escape(str(path))):
        read_image(path)


def test_read_image_missing_file_and_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nope\.png"):
        read_image(tmp_path / "nope.png")
    with pytest.raises(FileNotFoundError, match=re.escape(str(tmp_path))):
        read_image(tmp_path)


def test_read_image_good_png_roundtrip(tmp_path):
    path = tmp_path / "good.png"
    path.write_bytes(_png_bytes())
    assert read_image(path).shape == (30, 40, 3)


# -- predict_readings with a mix of good and bad samples ----------------------------------
@pytest.fixture(scope="module")
def tiny_recognizer(tiny_model_file):
    return load_model(tiny_model_file)


@pytest.fixture(scope="module")
def good_samples():
    return make_synthetic_plates(["1234BCD", "5678FGH"], random_state=0).samples


def _bad_samples(good):
    image, box = good.image, good.box
    height, width = image.shape[:2]
    return {
        "empty image": (np.zeros((0, 0), np.uint8), box),
        "zero-size array": (np.zeros((0, 50, 3), np.uint8), box),
        "1-D array": (np.zeros(0, np.uint8), box),
        "float image": (image.astype(np.float32) / 255.0, box),
        "int32 image": (image.astype(np.int32), box),
        "box outside": (image, (width + 10, height + 10, width + 50, height + 40)),
        "empty box": (image, (10, 10, 10, 40)),
        "not a sample": "photo.jpg",
    }


BAD_KINDS = (
    "empty image",
    "zero-size array",
    "1-D array",
    "float image",
    "int32 image",
    "box outside",
    "empty box",
    "not a sample",
)


@pytest.mark.parametrize("bad_kind", BAD_KINDS)
def test_predict_readings_record_mixed(tiny_recognizer, good_samples, bad_kind):
    bad = _bad_samples(good_samples[0])[bad_kind]
    X = [tuple(good_samples[0][:2]), bad, tuple(good_samples[1][:2]), bad]
    readings = tiny_recognizer.predict_readings(X, errors="record")
    assert len(readings) == 4
    for index in (1, 3):
        assert readings[index].text == ""
        assert readings[index].confidence == 0.0
        assert f"X[{index}]" in readings[index].error, readings[index].error
    # The good plates are read as if alone.
    alone = tiny_recognizer.predict_readings([tuple(s[:2]) for s in good_samples])
    for index, reference in zip((0, 2), alone, strict=True):
        assert readings[index].error == ""
        assert readings[index].text == reference.text
        assert readings[index].variant_texts == reference.variant_texts
        assert readings[index].variant_names == reference.variant_names
    # errors="raise" (the default) stops at the first bad sample, naming its index.
    with pytest.raises((TypeError, ValueError), match=re.escape("X[1]")):
        tiny_recognizer.predict_readings(X)
    with pytest.raises((TypeError, ValueError), match=re.escape("X[1]")):
        tiny_recognizer.predict(X)


def test_predict_readings_record_names_sample(tiny_recognizer, good_samples):
    """A named sample's error names the sample (its file), not only its index."""
    bad = good_samples[0]._replace(image=np.zeros((0, 0), np.uint8), name="car42.jpg")
    readings = tiny_recognizer.predict_readings([good_samples[1], bad], errors="record")
    assert readings[0].error == ""
    assert "car42.jpg" in readings[1].error and readings[1].text == ""


def test_predict_readings_record_all_bad(tiny_recognizer):
    X = [(np.zeros((0, 0), np.uint8), (0, 0, 5, 5)), (np.zeros((5, 5), np.float64), (0, 0, 5, 5))]
    readings = tiny_recognizer.predict_readings(X, errors="record")
    assert [r.text for r in readings] == ["", ""]
    assert "X[0]" in readings[0].error and "X[1]" in readings[1].error
    assert tiny_recognizer.predict_readings([], errors="record") == []


@pytest.mark.parametrize("errors", ["ignore", "skip", "RAISE", None])
def test_predict_readings_unknown_errors(tiny_recognizer, good_samples, errors):
    with pytest.raises(ValueError, match="errors"):
        tiny_recognizer.predict_readings(good_samples[:1], errors=errors)


def test_predict_single_sample_not_wrapped(tiny_recognizer, good_samples):
    with pytest.raises(TypeError, match="single sample"):
        tiny_recognizer.predict(good_samples[0])


# -- load_plates and `skplate evaluate` on a folder with broken labels ---------------------
GOOD, MALFORMED, MISSING = "1277DPZ", "1377LLV", "1679HXD"


@pytest.fixture
def broken_plate_folder(data_home, tmp_path):
    """An extracted test6Training folder: 3 real photos, one label malformed, one missing."""
    root = tmp_path / "test6Training"
    (root / "images").mkdir(parents=True)
    (root / "labels").mkdir()
    with zipfile.ZipFile(data_home / "test6Training.zip") as archive:
        for text in (GOOD, MALFORMED, MISSING):
            member = f"test6Training/images/{text}.jpg"
            (root / "images" / f"{text}.jpg").write_bytes(archive.read(member))
        label = archive.read(f"test6Training/labels/{GOOD}.txt")
    (root / "labels" / f"{GOOD}.txt").write_bytes(label)
    (root / "labels" / f"{MALFORMED}.txt").write_text("0 0.5 zero.5 0.2 0.1\n")
    return root


@pytest.mark.data
def test_load_plates_broken_folder_raise(broken_plate_folder):
    labels = broken_plate_folder / "labels"
    with pytest.raises(ValueError, match=re.escape(f"{labels / MALFORMED}.txt, line 1")):
        load_plates(broken_plate_folder)
    (labels / f"{MALFORMED}.txt").unlink()
    with pytest.raises(ValueError, match=re.escape(f"{labels / MALFORMED}.txt: missing")):
        load_plates(broken_plate_folder)


@pytest.mark.data
def test_load_plates_broken_folder_skip(broken_plate_folder):
    with pytest.warns(UserWarning) as caught:
        data = load_plates(broken_plate_folder, errors="skip")
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    assert len(messages) == 2
    assert any(f"{MALFORMED}.txt, line 1" in m for m in messages), messages
    assert any(f"{MISSING}.txt: missing" in m for m in messages), messages
    assert data.target.tolist() == [GOOD]
    assert data.filenames.tolist() == [f"{GOOD}.jpg"]
    assert len(data.samples) == 1 and data.samples[0].image.shape == (416, 416, 3)


@pytest.mark.data
def test_load_plates_broken_image_skip(broken_plate_folder):
    """A corrupt photo is named and skipped like a broken label."""
    (broken_plate_folder / "images" / f"{MALFORMED}.jpg").write_bytes(b"\xff\xd8 not a jpeg")
    with pytest.raises(ValueError, match=re.escape(f"{MALFORMED}.jpg")):
        load_plates(broken_plate_folder)
    with pytest.warns(UserWarning) as caught:
        data = load_plates(broken_plate_folder, errors="skip")
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    assert any(f"{MALFORMED}.jpg" in m and "not a readable image" in m for m in messages)
    assert data.target.tolist() == [GOOD]


def test_load_plates_unknown_format(tmp_path):
    with pytest.raises(ValueError, match="plate_format"):
        load_plates(tmp_path, plate_format="klingon")


@pytest.mark.data
@pytest.mark.slow
def test_cli_evaluate_broken_folder(broken_plate_folder, tiny_model_file, tmp_path, capsys):
    results = tmp_path / "results.txt"
    report = tmp_path / "scores.json"
    argv = [
        "-q", "evaluate", "--plates", str(broken_plate_folder), "--model", str(tiny_model_file),
        "--format", "any", "--results", str(results), "--json", str(report),
    ]  # fmt: skip
    assert cli.main(argv) == 1  # some inputs failed
    captured = capsys.readouterr()
    assert f"{MALFORMED}.txt" in captured.err and f"{MISSING}.txt" in captured.err
    lines = results.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{GOOD},")
    import json

    scores = json.loads(report.read_text(encoding="utf-8"))
    assert scores["total"] == 1 and scores["skipped"] == 2
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.data
def test_cli_evaluate_every_plate_broken(broken_plate_folder, tiny_model_file, capsys):
    (broken_plate_folder / "labels" / f"{GOOD}.txt").write_text("garbage\n")
    argv = ["-q", "evaluate", "--plates", str(broken_plate_folder), "--model",
            str(tiny_model_file), "--format", "any"]  # fmt: skip
    assert cli.main(argv) == 2  # nothing to read: an error, not "some inputs failed"
    captured = capsys.readouterr()
    error_line = captured.err.strip().splitlines()[-1]
    assert error_line == (
        f"skplate: error: {broken_plate_folder}: every plate was skipped (3 unreadable "
        "images or labels); see the warnings above."
    ), error_line
    for text in (GOOD, MALFORMED, MISSING):  # each named in a warning above it
        assert f"{text}.txt" in captured.err
    assert captured.out == ""


# -- model files --------------------------------------------------------------------------
def test_load_model_garbage(tmp_path):
    path = tmp_path / "model.joblib"
    path.write_bytes(b"definitely not a pickle\x00\x01\x02" * 10)
    with pytest.raises(ModelFileError, match=re.escape(str(path))):
        load_model(path)


@pytest.mark.parametrize("content", [b"", b"\x80", b"\x80\x04"])
def test_load_model_empty_or_tiny(tmp_path, content):
    path = tmp_path / "model.joblib"
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match=re.escape(str(path))):
        load_model(path)


def test_load_model_missing(tmp_path):
    with pytest.raises(ModelFileError, match=r"nope\.joblib"):
        load_model(tmp_path / "nope.joblib")
    assert issubclass(ModelFileError, ValueError)


def test_load_model_truncated_real_model(tiny_model_file, tmp_path):
    content = tiny_model_file.read_bytes()
    path = tmp_path / "half.joblib"
    path.write_bytes(content[: len(content) // 2])
    with pytest.raises(ModelFileError, match=re.escape(str(path))):
        load_model(path)


@pytest.mark.parametrize("compress", [0, 3])
def test_load_model_truncated_anywhere(tmp_path, compress):
    """Every prefix of a saved model is refused with ModelFileError (or loads intact)."""
    from sklearn.preprocessing import StandardScaler

    model = StandardScaler().fit(np.random.default_rng(0).random((20, 5)))
    content = save_model(model, tmp_path / "full.joblib", compress=compress).read_bytes()
    path = tmp_path / "cut.joblib"
    for size in range(len(content)):
        path.write_bytes(content[:size])
        try:
            loaded = load_model(path)
        except ModelFileError as error:
            assert str(path) in str(error)
        else:  # zlib may not need the stream's last bytes: then the model must be whole
            np.testing.assert_array_equal(loaded.mean_, model.mean_)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(
            b"J",
            id="struct-error",
        ),
        pytest.param(
            b"\x80\x04\x95",  # how an uncompressed joblib file starts: PROTO 4, FRAME
            id="struct-error-frame",
        ),
        pytest.param(
            b"\x80\x04\x8e" + (2**62).to_bytes(8, "little"),
            id="memory-error",
        ),
        pytest.param(
            b"\x80\x04\x8e" + (2**63 - 2).to_bytes(8, "little"),
            id="overflow-error",
        ),
        pytest.param(b"\x80\x04K", id="eof"),
    ],
)
def test_load_model_tiny_corrupt_files(tmp_path, content):
    path = tmp_path / "model.joblib"
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match=re.escape(str(path))):
        load_model(path)


def test_load_model_other_version(tiny_recognizer, tmp_path, monkeypatch):
    """A recognizer saved by another skplate major.minor is refused, naming file and version."""
    import skplate.recognizer

    path = tmp_path / "old.joblib"
    monkeypatch.setattr(skplate.recognizer, "__version__", "9.9.0")
    save_model(tiny_recognizer, path)
    monkeypatch.undo()
    with pytest.raises(ModelFileError, match=re.escape(str(path)) + r".*9\.9\.0"):
        load_model(path)
    assert cli.main(["evaluate", "--model", str(path), "--format", "any"]) == 2
    # A patch release of the same major.minor still loads.
    monkeypatch.setattr(skplate.recognizer, "__version__", f"{skplate.__version__}.post7")
    save_model(tiny_recognizer, path)
    monkeypatch.undo()
    assert hasattr(load_model(path), "predict_readings")


def test_load_model_other_version_envelope(tmp_path):
    """The envelope of the first development builds: checked the same way."""
    path = tmp_path / "old.joblib"
    envelope = {"format": "skplate-model", "skplate_version": "9.9.0", "model": CharNormalizer()}
    joblib.dump(envelope, path)
    with pytest.raises(ModelFileError, match=re.escape(str(path)) + r".*9\.9\.0"):
        load_model(path)
    joblib.dump({"format": "skplate-model", "model": CharNormalizer()}, path)
    with pytest.raises(ModelFileError, match=re.escape(str(path))):
        load_model(path)


def test_load_model_not_a_model(tmp_path):
    path = tmp_path / "data.joblib"
    joblib.dump({"weights": [1, 2, 3]}, path)
    with pytest.raises(ModelFileError, match=re.escape(str(path)) + ".*dict"):
        load_model(path)


def test_cli_corrupt_model_is_usage_error(tmp_path, capsys):
    path = tmp_path / "model.joblib"
    path.write_bytes(b"garbage" * 30)
    assert cli.main(["evaluate", "--model", str(path), "--format", "any"]) == 2
    assert str(path) in capsys.readouterr().err


# -- unfitted estimators ------------------------------------------------------------------
PLATES = np.full((1, 80, 240), 200, np.uint8)
SAMPLES = [(np.full((100, 200), 200, np.uint8), (20, 20, 180, 60))]


def test_char_normalizer_needs_no_fit():
    assert CharNormalizer().transform([np.full((10, 10), 255, np.uint8)]).shape == (1, 32, 32, 1)


@pytest.mark.parametrize(
    ("estimator", "call"),
    [
        (PlateCropper(), lambda e: e.transform(SAMPLES)),
        (FilterBank(), lambda e: e.transform(PLATES)),
        (FilterBank(), lambda e: e.get_feature_names_out()),
        (CharacterSegmenter(), lambda e: e.transform(PLATES)),
    ],
    ids=["PlateCropper", "FilterBank", "FilterBank-names", "CharacterSegmenter"],
)
def test_unfitted_stage_raises(estimator, call):
    with pytest.raises(NotFittedError):
        call(estimator)


@pytest.mark.parametrize("method", ["predict", "predict_readings", "score"])
def test_unfitted_recognizer_raises(tiny_char_model, method):
    recognizer = PlateRecognizer(tiny_char_model)
    args = (SAMPLES, ["ABC123"]) if method == "score" else (SAMPLES,)
    with pytest.raises(NotFittedError):
        getattr(recognizer, method)(*args)


def test_recognizer_with_unfitted_classifier(tiny_char_model):
    from sklearn.base import clone

    with pytest.raises(NotFittedError, match="already fitted"):
        PlateRecognizer(clone(tiny_char_model)).fit([])


# -- formats and decoding -----------------------------------------------------------------
@pytest.mark.parametrize("spec", ["klingon", "", "NNQ", "spanish!", ["spanish", "bogus"], [], [3]])
def test_unknown_format(spec):
    with pytest.raises(ValueError, match="plate_format"):
        get_formats(spec)


def test_format_not_a_string_or_list():
    with pytest.raises((TypeError, ValueError)) as caught:
        get_formats(42)
    assert "plate_format" in str(caught.value), str(caught.value)


def test_recognizer_unknown_format(tiny_char_model):
    with pytest.raises(ValueError, match="plate_format"):
        make_plate_recognizer(tiny_char_model, plate_format="klingon").fit([])


@pytest.mark.parametrize(
    "shape", [(36,), (3, 35), (3, 37), (2, 3, 36), (), (0,)], ids=lambda s: str(s)
)
def test_decode_segments_wrong_shape(shape):
    with pytest.raises(ValueError, match="log_proba"):
        decode_segments(np.zeros(shape), ALPHABET, get_formats("any"))


def test_decode_segments_positive_skip_penalty():
    with pytest.raises(ValueError, match="skip_penalty"):
        decode_segments(np.zeros((3, 36)), ALPHABET, get_formats("any"), skip_penalty=1.0)


# -- interrupted writes -------------------------------------------------------------------
def _leftovers(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt, OSError, RuntimeError])
def test_atomic_write_interrupted_keeps_old_content(tmp_path, interrupt):
    target = tmp_path / "model.joblib"
    target.write_bytes(b"old good content")

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as handle:
            handle.write(b"half of the new")
            handle.flush()
        raise interrupt("interrupted mid-write")

    with pytest.raises(interrupt):
        atomic_write(target, write)
    assert target.read_bytes() == b"old good content"
    assert _leftovers(tmp_path) == []


def test_atomic_write_replaces_and_sets_permissions(tmp_path):
    target = tmp_path / "sub" / "file.txt"
    atomic_write(target, lambda tmp: tmp.write_text("one"))
    atomic_write(target, lambda tmp: tmp.write_text("two"))
    assert target.read_text() == "two"
    assert _leftovers(target.parent) == []
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt, OSError, RuntimeError])
def test_atomic_open_interrupted_keeps_old_content(tmp_path, interrupt):
    target = tmp_path / "rows.csv"
    target.write_text("old good content\n")
    with pytest.raises(interrupt), atomic_open(target, encoding="utf-8") as handle:
        handle.write("first batch\n")
        handle.flush()  # streamed rows reach the temporary sibling, not the target
        assert target.read_text() == "old good content\n"
        assert [p.read_text() for p in _leftovers(tmp_path)] == ["first batch\n"]
        raise interrupt("interrupted between batches")
    assert target.read_text() == "old good content\n"
    assert _leftovers(tmp_path) == []


def test_atomic_open_replaces_when_the_block_ends(tmp_path):
    target = tmp_path / "out" / "rows.jsonl"  # the folder is created
    with atomic_open(target, encoding="utf-8") as handle:
        handle.write("one\n")
        assert not target.exists()
    assert handle.closed
    assert target.read_text() == "one\n"
    with atomic_open(target, "wb") as handle:
        handle.write(b"two\n")
    assert target.read_bytes() == b"two\n"
    assert _leftovers(target.parent) == []
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_save_model_interrupted_keeps_old_model(tmp_path, monkeypatch):
    target = save_model(CharNormalizer(size=16), tmp_path / "m.joblib")
    before = target.read_bytes()

    def broken_dump(payload, filename, **kwargs):
        Path(filename).write_bytes(b"partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(joblib, "dump", broken_dump)
    with pytest.raises(KeyboardInterrupt):
        save_model(CharNormalizer(size=24), target)
    monkeypatch.undo()
    assert target.read_bytes() == before
    assert load_model(target).size == 16
    assert _leftovers(tmp_path) == []


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_atomic_write_survives_sigkill(tmp_path):
    target = tmp_path / "results.txt"
    target.write_text("old good content\n")
    started = tmp_path / "started"
    child = textwrap.dedent(
        f"""
        import sys, time, types
        from pathlib import Path
        # Import skplate.persistence without the package __init__ (sklearn, cv2): fast start.
        package = types.ModuleType("skplate")
        package.__path__ = [{str(REPO_ROOT / "skplate")!r}]
        sys.modules["skplate"] = package
        from skplate.persistence import atomic_write

        def write(tmp):
            with open(tmp, "w") as handle:
                handle.write("half of the new cont")
                handle.flush()
                Path({str(started)!r}).write_text(str(tmp))
                time.sleep(60)
                handle.write("ent\\n")

        atomic_write({str(target)!r}, write)
        """
    )
    process = subprocess.Popen([sys.executable, "-c", child])
    try:
        deadline = time.monotonic() + 20.0  # ~1 s unless the machine is busy
        while not started.exists() and time.monotonic() < deadline:
            assert process.poll() is None, "the child exited early"
            time.sleep(0.02)
        assert started.exists(), "the child never started writing"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=5)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL
    assert target.read_text() == "old good content\n"
    # The killed child could not clean up: its temp file is a hidden sibling, never the target.
    tmp = Path(started.read_text())
    assert tmp.parent == tmp_path and tmp.name.startswith(".results.txt.")
    assert tmp.read_text() == "half of the new cont"
