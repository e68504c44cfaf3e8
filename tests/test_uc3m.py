"""Tests of the UC3M-LP loaders and of partial ground truth (painted characters)."""

from __future__ import annotations

import collections
import os
import zipfile
from pathlib import Path

import cv2
import numpy as np
import pytest

from skplate.datasets import is_uc3m, load_uc3m_chars, load_uc3m_crops, load_uc3m_photos
from skplate.datasets._uc3m import parse_uc3m_crop_name, parse_yolo_boxes
from skplate.metrics import char_accuracy, is_read_right, plate_accuracy, visible_text
from skplate.samples import check_samples

REPO_ROOT = Path(__file__).resolve().parents[1]
ARCHIVE = "UC3M-LP-train.zip"
ROOT = "UC3M-LP-train"
CLASSES = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
PV_LABEL = "OCR/labels/train/00002_AN-38-3-PV.txt"


@pytest.fixture(scope="module")
def uc3m_archive() -> Path:
    home = Path(os.environ.get("SKPLATE_DATA", REPO_ROOT.parent / "shared" / "data"))
    path = home / ARCHIVE
    if not path.is_file():
        pytest.skip(f"UC3M-LP not found: {path} is missing; set SKPLATE_DATA to its folder.")
    return path


# --------------------------------------------------------------------------- a tiny copy


def _jpg(width: int, height: int, value: int = 200) -> bytes:
    image = np.full((height, width, 3), value, np.uint8)
    cv2.rectangle(image, (2, 2), (width // 3, height - 3), (0, 0, 0), -1)
    return cv2.imencode(".jpg", image)[1].tobytes()


def _char_lines(visible: str) -> str:
    """One YOLO line per visible character, spread left to right over the crop."""
    n = len(visible)
    return "".join(
        f"{CLASSES.index(c)} {(i + 0.5) / n:.4f} 0.5 {0.8 / n:.4f} 0.6\n"
        for i, c in enumerate(visible)
    )


def _members() -> dict[str, bytes]:
    """Three good crops of two photos (one at night, one two-row plate) and the photos."""
    crops = {
        "00001_AD-12-4-BC": (120, 30),
        "00001_BN-M1-34-B": (60, 40),
        "00002_AN-38-3-PV": (100, 25),
    }
    members = {}
    for stem, (width, height) in crops.items():
        visible = stem.split("-", 1)[1].replace("-", "")
        members[f"{ROOT}/OCR/images/train/{stem}.jpg"] = _jpg(width, height)
        members[f"{ROOT}/OCR/labels/train/{stem}.txt"] = _char_lines(visible).encode()
    members[f"{ROOT}/LP/images/train/00001.jpg"] = _jpg(320, 240)
    members[f"{ROOT}/LP/labels/train/00001.txt"] = (
        b"0 0.5 0.5 0.2 0.1\n0 0.1 0.9 0.05 0.02\n"
    )
    members[f"{ROOT}/LP/images/train/00002.jpg"] = _jpg(320, 240)
    members[f"{ROOT}/LP/labels/train/00002.txt"] = b"0 0.25 0.75 0.1 0.05\n"
    members[f"{ROOT}/LP/images/train/00003.jpg"] = _jpg(320, 240)  # no plate
    members[f"{ROOT}/LP/labels/train/00003.txt"] = b""
    members[f"{ROOT}/README.md"] = b"tiny copy"
    return members


def _write(tmp_path: Path, members: dict[str, bytes], *, as_zip: bool) -> Path:
    if as_zip:
        path = tmp_path / ARCHIVE
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in members.items():
                archive.writestr(name, data)
        return path
    for name, data in members.items():
        file = tmp_path / name
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(data)
    return tmp_path / ROOT


@pytest.mark.parametrize("as_zip", [True, False])
def test_tiny_copy_crops(tmp_path, as_zip):
    path = _write(tmp_path, _members(), as_zip=as_zip)
    assert is_uc3m(path)
    data = load_uc3m_crops(path)
    assert list(data.target) == ["12-4-BC", "M1-34-B", "38-3-PV"]
    assert list(data.visible) == ["124BC", "M134B", "383PV"]
    assert list(data.plate_types) == ["A", "B", "A"]
    assert list(data.light) == ["day", "night", "night"]
    assert list(data.photo_ids) == ["00001", "00001", "00002"]
    assert ["".join(labels) for labels in data.char_labels] == list(data.visible)
    # The crop is the plate: the box is the whole image.
    assert data.boxes.tolist() == [[0, 0, 120, 30], [0, 0, 60, 40], [0, 0, 100, 25]]
    assert [s.box for s in check_samples(data.samples)] == [tuple(b) for b in data.boxes]
    # Character boxes in pixels, left to right, inside the crop: the first of 5 in 120 px is
    # centred at 12 px and 0.16 * 120 = 19.2 px wide.
    boxes = data.char_boxes[0]
    assert boxes.shape == (5, 4)
    assert boxes[0].tolist() == [2, 6, 22, 24]
    assert (np.diff(boxes[:, 0]) > 0).all()
    assert (boxes[:, 2] <= 120).all()
    # The folder holding the extracted folder works too.
    if not as_zip:
        assert list(load_uc3m_crops(tmp_path).target) == list(data.target)


def test_tiny_copy_filters_and_return_X_y(tmp_path):
    path = _write(tmp_path, _members(), as_zip=True)
    assert list(load_uc3m_crops(path, plate_types="A").target) == ["12-4-BC", "38-3-PV"]
    assert list(load_uc3m_crops(path, plate_types=["B"]).target) == ["M1-34-B"]
    assert list(load_uc3m_crops(path, light="night").target) == ["M1-34-B", "38-3-PV"]
    assert list(load_uc3m_crops(path, plate_types="a", light="day").target) == ["12-4-BC"]
    samples, target = load_uc3m_crops(path, return_X_y=True)
    assert [s.name for s in samples] == [
        "00001_AD-12-4-BC.jpg", "00001_BN-M1-34-B.jpg", "00002_AN-38-3-PV.jpg"
    ]
    assert list(target) == ["12-4-BC", "M1-34-B", "38-3-PV"]
    with pytest.raises(ValueError, match="plate_types"):
        load_uc3m_crops(path, plate_types="F")
    with pytest.raises(ValueError, match="light"):
        load_uc3m_crops(path, light="dusk")
    with pytest.raises(ValueError, match="errors"):
        load_uc3m_crops(path, errors="ignore")


@pytest.mark.parametrize("as_zip", [True, False])
def test_load_plates_reads_uc3m_crops(tmp_path, as_zip):
    from skplate.datasets import load_plates

    path = _write(tmp_path, _members(), as_zip=as_zip)
    data = load_plates(path)
    assert list(data.target) == ["12-4-BC", "M1-34-B", "38-3-PV"]
    assert list(data.visible) == ["124BC", "M134B", "383PV"]
    # A painted character fits any slot: the provincial plate is no NNNNAAA.
    spanish = load_plates(path, plate_format="spanish")
    assert list(spanish.target) == ["12-4-BC", "38-3-PV"]
    samples, target = load_plates(path, plate_format="ANNNNNA", return_X_y=True)
    assert list(target) == ["M1-34-B"] and samples[0].box == (0, 0, 60, 40)
    assert list(load_uc3m_crops(path, plate_format=["NNNNAAA"]).target) == list(spanish.target)


def test_tiny_copy_chars(tmp_path):
    path = _write(tmp_path, _members(), as_zip=True)
    crops = load_uc3m_crops(path)
    data = load_uc3m_chars(path)
    assert "".join(data.target) == "".join(crops.visible)
    assert list(data.photo_ids) == ["00001"] * 10 + ["00002"] * 5
    boxes = np.concatenate(crops.char_boxes)
    assert [im.shape[:2] for im in data.images] == [(y2 - y1, x2 - x1) for x1, y1, x2, y2 in boxes]
    # The first character is the crop's pixels under its box.
    x1, y1, x2, y2 = boxes[0]
    np.testing.assert_array_equal(data.images[0], crops.images[0][y1:y2, x1:x2])
    night = load_uc3m_chars(path, light="night", photo_ids=["00002"])
    assert "".join(night.target) == "383PV" and set(night.filenames) == {"00002_AN-38-3-PV.jpg"}
    # A margin of 0.5 of the 15 px box height: 8 px more on each side, clipped to the crop.
    wide, _ = load_uc3m_chars(path, photo_ids=["00002"], margin=0.5, return_X_y=True)
    x1, y1, x2, y2 = crops.char_boxes[2][0]
    assert y2 - y1 == 15
    height, width = min(y2 + 8, 25) - max(y1 - 8, 0), min(x2 + 8, 100) - max(x1 - 8, 0)
    assert wide[0].shape[:2] == (height, width)
    with pytest.raises(ValueError, match="margin"):
        load_uc3m_chars(path, margin=-1)


@pytest.mark.parametrize("as_zip", [True, False])
def test_tiny_copy_photos(tmp_path, as_zip):
    path = _write(tmp_path, _members(), as_zip=as_zip)
    data = load_uc3m_photos(path)
    assert list(data.photo_ids) == ["00001", "00002", "00003"]
    assert [b.shape for b in data.boxes] == [(2, 4), (1, 4), (0, 4)]
    # 0.5 +- 0.1 of 320 and 0.5 +- 0.05 of 240; the 16x4.8 px plate rounds to 16x5.
    assert data.boxes[0].tolist() == [[128, 108, 192, 132], [24, 214, 40, 218]]
    assert data.plate_texts == [["12-4-BC", "M1-34-B"], ["38-3-PV"], []]
    assert list(data.light) == ["day/night", "night", ""]
    assert data.images[0].shape == (240, 320, 3)
    images, boxes = load_uc3m_photos(path, return_X_y=True)
    assert len(images) == 3 and [len(b) for b in boxes] == [2, 1, 0]


@pytest.mark.parametrize(
    ("member", "data", "message"),
    [
        ("OCR/images/train/car_photo.jpg", None, r"car_photo\.jpg: the name does not follow"),
        ("OCR/images/train/00009_FD-12-4-BC.jpg", None, r"00009_FD-12-4-BC\.jpg: unknown plate"),
        ("OCR/images/train/00009_AX-12-4-BC.jpg", None, r"00009_AX-12-4-BC\.jpg: unknown light"),
        ("OCR/images/train/00009_AD----.jpg", None, "no visible character"),
        ("OCR/images/train/00009_AD-12-4-BC.jpg", b"not a jpeg", r"00009_AD-12-4-BC\.jpg: not a"),
        (PV_LABEL, b"3 0.1 0.5 0.1\n", r"PV\.txt, line 1: expected 5"),
        (PV_LABEL, b"3 a 0.5 0.1 0.2\n", r"PV\.txt, line 1: expected n"),
        (PV_LABEL, b"36 0.1 0.5 0.1 0.2\n", r"PV\.txt, line 1: the class"),
        (PV_LABEL, b"3 0.1 0.5 0 0.2\n", r"PV\.txt, line 1: .*no area"),
        (PV_LABEL, b"3 1.5 0.5 0.1 0.2\n", r"PV\.txt, line 1: .*outside"),
        (PV_LABEL, _char_lines("383PY").encode(),
         r"PV\.txt: the label file lists the characters '383PY'"),
        (PV_LABEL, b"\xff\xfe\x00bad", r"PV\.txt: not a text"),
    ],
)
def test_broken_crop_named_and_others_kept(tmp_path, member, data, message):
    members = _members()
    members[f"{ROOT}/{member}"] = _jpg(100, 25) if data is None else data
    path = _write(tmp_path, members, as_zip=True)
    with pytest.raises(ValueError, match=message) as info:
        load_uc3m_crops(path)
    assert ARCHIVE in str(info.value)
    with pytest.warns(UserWarning, match=message):
        data = load_uc3m_crops(path, errors="skip")
    good = ["00001_AD-12-4-BC.jpg", "00001_BN-M1-34-B.jpg", "00002_AN-38-3-PV.jpg"]
    if "00002_AN-38-3-PV" in member:
        good.remove("00002_AN-38-3-PV.jpg")
    assert list(data.filenames) == good


def test_missing_crop_label_named(tmp_path):
    members = _members()
    del members[f"{ROOT}/OCR/labels/train/00002_AN-38-3-PV.txt"]
    path = _write(tmp_path, members, as_zip=False)
    with pytest.raises(ValueError, match=r"00002_AN-38-3-PV\.txt: missing file"):
        load_uc3m_crops(path)
    with pytest.warns(UserWarning, match="Skipping the crop 00002_AN-38-3-PV.jpg"):
        assert len(load_uc3m_crops(path, errors="skip").target) == 2


@pytest.mark.parametrize(
    ("label", "image", "message"),
    [
        (b"1 0.5 0.5 0.2 0.1\n", None, r"00002\.txt, line 1: the class must be an integer from 0"),
        (b"0 0.5 0.5 0.2\n", None, r"00002\.txt, line 1: expected 5"),
        (None, b"", r"00002\.jpg: the file is empty"),
        (None, b"GIF89a broken", r"00002\.jpg: not a readable image"),
    ],
)
def test_broken_photo_named_and_others_kept(tmp_path, label, image, message):
    members = _members()
    if label is not None:
        members[f"{ROOT}/LP/labels/train/00002.txt"] = label
    if image is not None:
        members[f"{ROOT}/LP/images/train/00002.jpg"] = image
    path = _write(tmp_path, members, as_zip=True)
    with pytest.raises(ValueError, match=message):
        load_uc3m_photos(path)
    with pytest.warns(UserWarning, match="Skipping the photo 00002.jpg"):
        data = load_uc3m_photos(path, errors="skip")
    assert list(data.photo_ids) == ["00001", "00003"]


def test_not_uc3m(tmp_path, monkeypatch):
    (tmp_path / "images").mkdir()
    assert not is_uc3m(tmp_path)
    assert not is_uc3m(tmp_path / "nothing.zip")
    with pytest.raises(FileNotFoundError, match="OCR/ and LP/"):
        load_uc3m_crops(tmp_path)
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("test6Training/images/1277DPZ.jpg", _jpg(10, 10))
    assert not is_uc3m(other)
    with pytest.raises(ValueError, match=r"other\.zip: no image found in a 'OCR/images'"):
        load_uc3m_crops(other)
    broken = tmp_path / ARCHIVE
    broken.write_bytes(b"PK not really")
    with pytest.raises(ValueError, match="cannot read this zip archive"):
        load_uc3m_crops(broken)
    monkeypatch.setenv("SKPLATE_DATA", str(tmp_path / "empty"))
    with pytest.raises(FileNotFoundError, match=r"UC3M-LP-train\.zip not found.*10\.21950"):
        load_uc3m_photos()


def test_parse_crop_name_and_boxes():
    assert parse_uc3m_crop_name("00002_AN--385-MW") == {
        "photo_id": "00002", "plate_type": "A", "light": "night",
        "text": "-385-MW", "visible": "385MW",
    }
    assert parse_uc3m_crop_name("01234_BD-AANNN-A-")["visible"] == "AANNNA"
    with pytest.raises(ValueError, match=r"^file\.jpg: the name does not follow"):
        parse_uc3m_crop_name("00002-AN-38-3-PV", name="file.jpg")
    classes, boxes = parse_yolo_boxes("\n4 0.5 0.5 1.0 1.0\n\n", (10, 20), name="x", n_classes=36)
    assert classes.tolist() == [4] and boxes.tolist() == [[0, 0, 20, 10]]
    classes, boxes = parse_yolo_boxes("", (10, 20), name="x", n_classes=1)
    assert classes.shape == (0,) and boxes.shape == (0, 4)


# --------------------------------------------------------------------------- partial truth


def test_partial_truth_in_metrics():
    assert visible_text("38-3-PV") == "383PV"
    assert is_read_right("38-3-PV", "383PV")
    assert not is_read_right("38-3-PV", "38-3-PV")
    assert not is_read_right("38-3-PV", "3833PV")
    truth = ["38-3-PV", "-385-MW", "1277DPZ"]
    assert plate_accuracy(truth, ["383PV", "385MV", "1277DPZ"]) == pytest.approx(2 / 3)
    # One substitution in 5 visible characters; a full plate unaffected.
    assert char_accuracy(["-385-MW"], ["385MV"]) == pytest.approx(0.8)
    assert char_accuracy(["1277DPZ"], ["1277DPX"]) == pytest.approx(6 / 7)


# --------------------------------------------------------------------------- the real archive


@pytest.mark.data
def test_real_crops(uc3m_archive):
    data = load_uc3m_crops(uc3m_archive)
    assert len(data.samples) == 2056
    assert len(set(data.photo_ids)) == 1580
    counts = collections.Counter(data.plate_types)
    assert counts == {"A": 2018, "B": 23, "D": 9, "E": 5, "C": 1}
    assert collections.Counter(data.light) == {"day": 1753, "night": 303}
    # Two painted characters on every plate, 5 or 6 visible, one box per visible one.
    assert all(t.count("-") == 2 for t in data.target)
    assert {len(v) for v in data.visible} == {5, 6}
    assert all(len(b) == len(v) for b, v in zip(data.char_boxes, data.visible, strict=True))
    widths = np.array([image.shape[1] for image in data.images])
    assert widths.max() <= 160
    inside = [
        (b[:, 2] <= image.shape[1]).all() and (b[:, 3] <= image.shape[0]).all()
        for b, image in zip(data.char_boxes, data.images, strict=True)
    ]
    assert all(inside)
    night_a = load_uc3m_crops(uc3m_archive, plate_types="A", light="night")
    assert len(night_a.target) == 287
    chars = load_uc3m_chars(uc3m_archive)
    assert len(chars.target) == sum(len(v) for v in data.visible) == 10299
    assert set(chars.target) <= set(CLASSES)


@pytest.mark.data
def test_real_photos(uc3m_archive):
    assert is_uc3m(uc3m_archive)
    data = load_uc3m_photos(uc3m_archive)
    assert len(data.images) == 1580
    assert sum(len(b) for b in data.boxes) == 2056
    assert [len(b) for b in data.boxes] == [len(t) for t in data.plate_texts]
    # Downscaled to 320 px on the longer side (most are 320x240).
    assert {max(image.shape[:2]) for image in data.images} == {320}
    for image, boxes in zip(data.images, data.boxes, strict=True):
        assert (boxes[:, 2] > boxes[:, 0]).all() and (boxes[:, 3] > boxes[:, 1]).all()
        assert (boxes[:, 2] <= image.shape[1]).all() and (boxes[:, 3] <= image.shape[0]).all()


def test_partial_truth_in_recognizer(tiny_char_model):
    from skplate.datasets import make_synthetic_plates
    from skplate.recognizer import make_plate_recognizer

    visible = ["12BCD", "3456FG", "78HJK", "90LMN"]
    partial = ["12-BC-D", "3456F--G", "-78HJK-", "90LM-N-"]
    plates = make_synthetic_plates(visible, random_state=0)
    model = make_plate_recognizer(tiny_char_model, plate_format="any")
    on_visible = model.fit(plates.samples, visible).variant_accuracy_
    on_partial = model.fit(plates.samples, partial).variant_accuracy_
    np.testing.assert_array_equal(on_partial, on_visible)
    assert on_partial.max() > 0  # some variant reads some plate: the comparison is real
    assert model.score(plates.samples, partial) == model.score(plates.samples, visible)
    assert model.score(plates.samples, partial) > 0


def test_partial_truth_in_report(tiny_char_model, tmp_path):
    import re

    from skplate.datasets import make_synthetic_plates
    from skplate.recognizer import make_plate_recognizer
    from skplate.report import build_report

    model = make_plate_recognizer(tiny_char_model, plate_format="any").fit([])
    samples = make_synthetic_plates(["1234BCD", "5678FGH", "9012JKL"], random_state=0).samples
    readings = [str(t) for t in model.predict(samples)]
    assert all(len(r) >= 3 for r in readings)
    # The first two truths are the readings with two painted characters: hits; the third
    # has a visible character more than the reading: a miss.
    truths = [f"{r[:1]}-{r[1:2]}-{r[2:]}" for r in readings[:2]] + [f"Z-{readings[2]}-"]
    path = build_report(model, samples, truths, path=tmp_path / "report.html")
    text = path.read_text(encoding="utf-8")
    statuses = re.findall(r'<section class="plate (\w+)"', text)
    assert statuses == ["miss", "hit", "hit"]
    assert "hits</dt><dd>2/3 (66.7%)" in text
    for truth in truths:
        assert truth in text  # shown as given, painted characters and all


# --------------------------------------------------------------------------- benchmarks/uc3m.py

BENCHMARK = REPO_ROOT / "benchmarks" / "uc3m.py"


def _benchmark_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("uc3m_benchmark", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_figures_count_partial_hits_and_misses_by_kind():
    figures = _benchmark_module().figures
    truths = ["38-3-PV", "-385-MW", "12-4-BC", "M1-34-B", "074-C-V", "99-9-ZZ"]
    readings = ["383PV", "385M", "124BCD", "M134B", "074CX", ""]
    types = ["A", "A", "A", "B", "A", "A"]
    light = ["day", "night", "day", "day", "night", "day"]
    result = figures(truths, readings, types, light)
    assert result["A day"] == {"hits": 1, "total": 3, "accuracy": 1 / 3}
    assert result["A night"] == {"hits": 0, "total": 2, "accuracy": 0.0}
    assert result["A"]["hits"] == 1 and result["A"]["total"] == 5
    assert result["all"] == {"hits": 2, "total": 6, "accuracy": 2 / 6}
    assert result["misses"] == {
        "total": 4, "too_few": 2, "empty": 1, "too_many": 1, "wrong_chars": 1, "block_read": 0
    }
    assert result["char_accuracy"] == pytest.approx(char_accuracy(truths, readings))


def test_benchmark_script_on_a_tiny_copy(tmp_path, tiny_model_file):
    import json
    import subprocess
    import sys

    from skplate.persistence import load_model

    path = _write(tmp_path, _members(), as_zip=True)
    out = tmp_path / "uc3m.json"
    done = subprocess.run(
        [sys.executable, str(BENCHMARK), "--model", str(tiny_model_file), "--plates", str(path),
         "--json", str(out)],
        capture_output=True, text=True, check=True,
    )
    assert "UC3M-LP crops (3 plates), plate format any" in done.stdout
    assert "| type A, night (1 plates) |" in done.stdout
    run = json.loads(out.read_text())["runs"][0]
    data = load_uc3m_crops(path)
    readings = [str(r) for r in load_model(tiny_model_file).predict(data.samples)]
    assert run["readings"] == readings
    assert run["all"]["hits"] == sum(
        is_read_right(t, r) for t, r in zip(data.target, readings, strict=True)
    )
    assert run["misses"]["total"] == 3 - run["all"]["hits"]
    # --runs prints the same table from the JSON, without reading again.
    again = subprocess.run(
        [sys.executable, str(BENCHMARK), "--runs", str(out)],
        capture_output=True, text=True, check=True,
    )
    assert again.stdout == done.stdout


# --------------------------------------------------------------------------- skplate evaluate


def test_cli_evaluate_reads_uc3m_with_partial_truth(tiny_model_file, tmp_path, monkeypatch,
                                                   capsys):
    import json

    from skplate import cli
    from skplate.recognizer import PlateReading, PlateRecognizer

    path = _write(tmp_path, _members(), as_zip=False)
    # The reader answers the visible characters of two crops and a 7-character guess for
    # the third: a comparison with the painted truths would count no hit at all.
    answers = {"00001_AD-12-4-BC.jpg": "124BC", "00001_BN-M1-34-B.jpg": "M134B",
               "00002_AN-38-3-PV.jpg": "3813PVV"}

    def fake_read(self, X, **kwargs):
        return [PlateReading(answers[sample.name], 0.5) for sample in X]

    monkeypatch.setattr(PlateRecognizer, "predict_readings", fake_read)
    results, scores = tmp_path / "results.txt", tmp_path / "scores.json"
    argv = ["evaluate", "--model", str(tiny_model_file), "--plates", str(path), "--format",
            "any", "--results", str(results), "--json", str(scores)]
    assert cli.main(argv) == 0
    out = capsys.readouterr()
    payload = json.loads(scores.read_text())
    assert (payload["hits"], payload["total"]) == (2, 3)
    assert payload["plate_accuracy"] == pytest.approx(2 / 3)
    assert results.read_text().splitlines() == [
        "12-4-BC,124BC", "M1-34-B,M134B", "38-3-PV,3813PVV"
    ]
    assert "hits 2/3" in out.out and "warning" not in out.err
    assert "3 of 3 plates have painted characters ('-'): --flatten-lighting 0.2" in out.err
    assert "--remove-painted-blocks paints them over" in out.err
    # A model that learned UC3M-LP's characters (its training record says so) is not
    # scored on held-out plates there: said.
    trained_here = tmp_path / "uc3m_model.joblib"
    trained_here.write_bytes(Path(tiny_model_file).read_bytes())
    Path(f"{trained_here}.json").write_text(json.dumps(
        {"training_report": {"sources": {"goodimg": 4636, "uc3m": 10299}}}))
    assert cli.main([*argv[:2], str(trained_here), *argv[3:]]) == 0
    err = capsys.readouterr().err
    assert f"warning: {trained_here} learned the characters of these plates" in err
    assert "not held out" in err
    assert cli.main([*argv, "--remove-painted-blocks"]) == 0
    out = capsys.readouterr()
    assert json.loads(scores.read_text())["remove_painted_blocks"] is True
    assert "plates have painted characters" not in out.err
    assert cli.main([*argv, "--flatten-lighting", "0.2", "--extra-flatten-lighting", "none"]) == 0
    out = capsys.readouterr()
    payload = json.loads(scores.read_text())
    assert (payload["flatten_lighting"], payload["extra_flatten_lighting"]) == (0.2, 0.0)
    assert "plates have painted characters" not in out.err
    # A 7-character format cannot give 5 visible characters: said, not silently scored 0.
    assert cli.main(["-q", "evaluate", "--model", str(tiny_model_file), "--plates",
                     str(tmp_path), "--format", "spanish"]) == 0
    err = capsys.readouterr().err
    assert "2 of 2 plates have painted characters" in err and "--format any" in err
    assert "--hidden N" in err
    # --hidden 2 widens the format to the visible characters: no warning, the JSON names
    # the widened formats, and the re-fitted model reads them.
    assert cli.main(["-q", "evaluate", "--model", str(tiny_model_file), "--plates",
                     str(tmp_path), "--format", "spanish", "--hidden", "2", "--json",
                     str(scores)]) == 0
    err = capsys.readouterr().err
    assert "painted characters" not in err.replace("--flatten-lighting", "")
    assert json.loads(scores.read_text())["format"] == "spanish,spanish-1,spanish-2"
    assert cli.main(["evaluate", "--model", str(tiny_model_file), "--hidden", "-1"]) == 2
    assert "--hidden: expected an integer >= 0" in capsys.readouterr().err


# --------------------------------------------------------------------------- training source


def test_uc3m_characters_as_a_training_source(tmp_path):
    from skplate.normalize import CharNormalizer
    from skplate.training import CHAR_SOURCES, OPTIONAL_CHAR_SOURCES, load_training_chars

    assert "uc3m" in CHAR_SOURCES and "uc3m" not in OPTIONAL_CHAR_SOURCES
    path = _write(tmp_path, _members(), as_zip=True)
    data = load_training_chars(("uc3m",), uc3m_path=str(path))
    assert "".join(data.target) == "124BCM134B383PV"
    assert set(data.source) == {"uc3m"}
    fold = load_training_chars(("uc3m",), uc3m_path=str(path), uc3m_photo_ids=["00002"])
    assert "".join(fold.target) == "383PV"
    # The data home is searched like the other sources' archives.
    home = load_training_chars(("uc3m",), data_home=str(tmp_path))
    assert list(home.target) == list(data.target)
    chars = CharNormalizer().fit_transform(data.images)
    assert chars.shape[0] == 15 and np.isfinite(chars).all()
    # Named, the source must be found: the error names the archive.
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match=ARCHIVE):
        load_training_chars(("uc3m",), data_home=str(empty))
    with pytest.raises(ValueError, match="'uc3m'"):
        load_training_chars(("goodimg", "real"))


def test_the_recipe_takes_uc3m_characters_where_the_archive_is(tmp_path, data_home):
    from skplate.training import CHAR_SOURCES, load_training_chars, training_data_sha256

    few = {"fnt_per_class": 1, "synthetic_per_class": 1, "n_plates": 2, "n_junk": 2,
           "goodimg_path": str(data_home / "EnglishImg.tgz"),
           "fnt_path": str(data_home / "EnglishFnt.tgz")}
    _write(tmp_path, _members(), as_zip=True)
    found = load_training_chars(data_home=str(tmp_path), **few)
    assert list(dict.fromkeys(found.source)) == list(CHAR_SOURCES)
    assert "".join(found.target[found.source == "uc3m"]) == "124BCM134B383PV"
    # Without the archive the recipe trains on the rest, and says why.
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.warns(UserWarning, match=f"without the recipe's 'uc3m'.*{ARCHIVE}"):
        missing = load_training_chars(data_home=str(empty), **few)
    assert list(dict.fromkeys(missing.source)) == [s for s in CHAR_SOURCES if s != "uc3m"]
    kept = found.source != "uc3m"
    rest = [image for image, keep in zip(found.images, kept, strict=True) if keep]
    assert training_data_sha256(rest, found.target[kept]) == (
        training_data_sha256(missing.images, missing.target)
    )
    # A path given for it is a named source: it must exist.
    with pytest.raises(FileNotFoundError, match=r"no_such\.zip"):
        load_training_chars(data_home=str(empty), uc3m_path=str(empty / "no_such.zip"), **few)
