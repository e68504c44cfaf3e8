"""The plate locator from the command line: predict locates and reads every plate, train
saves a locator with the model, evaluate --locate scores from the boxes found, the report
draws them.

The photos are 320x320 tiles of 160x160 synthetic photos, so that conftest's
``tiny_located_model_file`` (its locator reads at 320 px) sees their plates at the scale
it learned. Its character network is tiny: the texts read are not checked, the boxes are.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from skplate import cli
from skplate.datasets import make_synthetic_plates
from skplate.locate import box_iou

TINY_TRAINING = ["--sources", "synthetic", "--synthetic-per-class", "12", "--epochs", "2", "-q"]
TEXTS = ("4821BCD", "7310KLM", "2468XYZ")
FLAT = np.full((160, 160, 3), 128, dtype=np.uint8)


def _tiled(tiles: dict[tuple[int, int], int], plates) -> tuple[np.ndarray, list]:
    """A 320x320 photo of 2x2 tiles: ``plates``' photo ``i`` at tile (row, column), flat
    gray elsewhere; and the plates' boxes in it."""
    grid = [[FLAT, FLAT], [FLAT, FLAT]]
    boxes = []
    for (row, column), index in tiles.items():
        grid[row][column] = plates.images[index]
        x1, y1, x2, y2 = plates.boxes[index]
        boxes.append([x1 + 160 * column, y1 + 160 * row, x2 + 160 * column, y2 + 160 * row])
    return np.vstack([np.hstack(grid[0]), np.hstack(grid[1])]), boxes


def _reference_layout(root: Path, plates) -> Path:
    """``root`` in the test6Training layout: the three plates, each alone in a tiled photo
    named by its text, with its YOLO label."""
    (root / "images").mkdir(parents=True)
    (root / "labels").mkdir()
    for index, (text, tile) in enumerate(zip(TEXTS, [(0, 1), (1, 1), (1, 0)], strict=True)):
        photo, (box,) = _tiled({tile: index}, plates)
        assert cv2.imwrite(str(root / "images" / f"{text}.png"), photo)
        x1, y1, x2, y2 = box
        (root / "labels" / f"{text}.txt").write_text(
            f"0 {(x1 + x2) / 640} {(y1 + y2) / 640} {(x2 - x1) / 320} {(y2 - y1) / 320}\n"
        )
    return root


@pytest.fixture(scope="module")
def plates():
    return make_synthetic_plates(list(TEXTS), random_state=9, image_size=(160, 160),
                                 font="skplate-din")


@pytest.fixture(scope="module")
def photos(plates, tmp_path_factory) -> tuple[Path, dict[str, list]]:
    """photos/: two plates in one photo, one plate, no plate, an unreadable file; and the
    true boxes of each."""
    folder = tmp_path_factory.mktemp("photos")
    two, two_boxes = _tiled({(0, 0): 0, (1, 1): 1}, plates)
    one, one_boxes = _tiled({(1, 0): 2}, plates)
    empty = np.full((320, 320, 3), 128, dtype=np.uint8)
    for name, image in (("two.png", two), ("one.png", one), ("empty.png", empty)):
        assert cv2.imwrite(str(folder / name), image)
    (folder / "broken.jpg").write_bytes(b"\xff\xd8 not a jpeg")
    truths = {"two.png": two_boxes, "one.png": one_boxes, "empty.png": [], "broken.jpg": []}
    return folder, {str(folder / name): boxes for name, boxes in truths.items()}


def _predict(model: Path, *argv: str) -> int:
    return cli.main(["-q", "predict", "--model", str(model), *argv])


def _best_iou(box, truths) -> float:
    return float(box_iou(np.array([box], float), np.array(truths, float)).max(initial=0.0))


# -- predict --------------------------------------------------------------------------------
def test_predict_locates_every_plate(tiny_located_model_file, photos, tmp_path, capsys):
    folder, truths = photos
    out = tmp_path / "plates.jsonl"
    assert _predict(tiny_located_model_file, str(folder), "--output", str(out)) == 1
    assert "1 of 4 images could not be read" in capsys.readouterr().err
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert all(
        set(r) == {"image", "text", "confidence", "box", "box_score", "error"} for r in records
    )
    by_image: dict[str, list] = {}
    for record in records:
        by_image.setdefault(record["image"], []).append(record)
    assert list(by_image) == sorted(truths)  # every photo accounted for, in order
    (broken,) = by_image[str(folder / "broken.jpg")]
    assert "broken.jpg" in broken["error"] and broken["box"] is None
    assert broken["confidence"] is None and broken["text"] == ""
    (empty,) = by_image[str(folder / "empty.png")]  # nothing found: no error, no box
    assert empty == {"image": str(folder / "empty.png"), "text": "", "confidence": None,
                     "box": None, "box_score": None, "error": None}
    for name in ("two.png", "one.png"):
        found = by_image[str(folder / name)]
        assert len(found) == len(truths[str(folder / name)])  # measured: no false box
        # The photo's reading first: readings that fit by confidence, then the others.
        order = [(not r["text"], -r["confidence"] if r["text"] else -r["box_score"])
                 for r in found]
        assert order == sorted(order) and all(0.5 <= r["box_score"] <= 1 for r in found)
        for record in found:
            assert record["error"] is None and 0 <= record["confidence"] <= 1
            assert all(isinstance(v, int) for v in record["box"])
            assert _best_iou(record["box"], truths[record["image"]]) >= 0.5
    # The two plates of one photo are two different plates.
    first, second = (r["box"] for r in by_image[str(folder / "two.png")])
    assert _best_iou(first, [second]) < 0.1

    # csv: the same rows, the box as X1,Y1,X2,Y2; tsv: a fourth column for located plates.
    out_csv = tmp_path / "plates.csv"
    assert _predict(tiny_located_model_file, str(folder), "--output", str(out_csv)) == 1
    with open(out_csv, newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["image", "text", "confidence", "box", "box_score", "error"]
    assert [row[0] for row in rows[1:]] == [r["image"] for r in records]
    for row, record in zip(rows[1:], records, strict=True):
        assert row[3] == ("" if record["box"] is None else ",".join(map(str, record["box"])))
        assert row[4] == ("" if record["box_score"] is None else f"{record['box_score']:.3f}")
    capsys.readouterr()
    two_photos = [str(folder / "empty.png"), str(folder / "two.png")]
    assert _predict(tiny_located_model_file, *two_photos) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{folder / 'empty.png'}\t\t\t"
    assert [line.split("\t")[3] for line in lines[1:]] == [row[3] for row in rows[-2:]]


def test_predict_locate_overrides_labels(tiny_located_model_file, tiny_model_file, photos,
                                         tmp_path, capsys):
    folder, truths = photos
    (tmp_path / "images").mkdir()
    (tmp_path / "labels").mkdir()
    image = tmp_path / "images" / "two.png"
    image.write_bytes((folder / "two.png").read_bytes())
    x1, y1, x2, y2 = truths[str(folder / "two.png")][1]  # the label names one plate only
    (tmp_path / "labels" / "two.txt").write_text(
        f"0 {(x1 + x2) / 640} {(y1 + y2) / 640} {(x2 - x1) / 320} {(y2 - y1) / 320}\n"
    )
    model = tiny_located_model_file
    assert _predict(model, str(image), "--output-format", "jsonl") == 0
    (labelled,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert labelled["box"] == [x1, y1, x2, y2] and labelled["box_score"] is None
    assert _predict(model, str(image), "--output-format", "jsonl", "--locate") == 0
    located = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(located) == 2 and all(r["box_score"] >= 0.5 for r in located)
    # tsv keeps three columns for a labelled plate.
    assert _predict(model, str(image)) == 0
    assert len(capsys.readouterr().out.rstrip("\n").split("\t")) == 3

    # --locate with a box is a usage error; a model without a locator says how to get one.
    assert _predict(model, str(image), "--locate", "--box", "1,2,30,40") == 2
    assert "not allowed with argument" in capsys.readouterr().err
    assert _predict(tiny_model_file, str(image), "--locate") == 2
    assert "--locate needs a model that holds a plate locator" in capsys.readouterr().err
    assert _predict(tiny_model_file, str(folder / "one.png")) == 1
    err = capsys.readouterr().err
    assert "one.png: no plate box" in err and "skplate train --locator FILE" in err


# -- train and info ---------------------------------------------------------------------------
def test_train_saves_the_locator_it_is_given(tiny_located_model_file, photos, tmp_path, capsys):
    from skplate.persistence import load_model, read_model_metadata

    folder, _ = photos
    out = tmp_path / "again.skplate"
    argv = ["train", *TINY_TRAINING, "--out", str(out), "--locator", str(tiny_located_model_file)]
    assert cli.main(argv) == 0
    assert "plate locator     PlateLocator(" in capsys.readouterr().out
    given = load_model(tiny_located_model_file).locator_
    saved = load_model(out).locator_  # round trip through the safe format
    photo = [cv2.imread(str(folder / "two.png"))]
    np.testing.assert_allclose(saved.predict(photo)[0], given.predict(photo)[0], atol=1e-4)
    record = read_model_metadata(out)["metadata"]["locator"]
    assert record["source"] == str(tiny_located_model_file) and record["n_photos"] == 40
    assert record["params"]["width"] == 8  # the fixture's, not the default 16

    assert cli.main(["info", str(out)]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("plate locator"))
    assert "width=8" in line and "trained on 40 photos" in line
    assert cli.main(["info", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["locator"]["n_photos"] == 40


def test_a_saved_plate_locator_is_a_locator_file(tiny_locator, tmp_path):
    from sklearn.frozen import FrozenEstimator

    from skplate.cli._locator import load_locator
    from skplate.persistence import ModelFileError, save_model

    save_model(tiny_locator, tmp_path / "locator.joblib")
    save_model(FrozenEstimator(tiny_locator), tmp_path / "frozen.joblib")
    for name in ("locator.joblib", "frozen.joblib"):
        loaded = load_locator(str(tmp_path / name))
        assert type(loaded).__name__ == "PlateLocator" and loaded.n_photos_ == 40
    save_model(type(tiny_locator)(), tmp_path / "unfitted.joblib")
    with pytest.raises(ModelFileError, match=r"unfitted\.joblib: the PlateLocator .* not fitted"):
        load_locator(str(tmp_path / "unfitted.joblib"))


def test_train_help_quotes_the_locator_defaults(capsys):
    from skplate.locate import PlateLocator

    assert cli.main(["train", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert f"(default: PlateLocator's, {PlateLocator().epochs})" in out
    assert f"for the default {PlateLocator().epochs} passes" in out


def test_train_locator_errors(tiny_model_file, tmp_path, capsys):
    base = ["train", *TINY_TRAINING, "--out", str(tmp_path / "m.skplate")]
    # A model without a locator, a missing file: before any training.
    assert cli.main([*base, "--locator", str(tiny_model_file)]) == 2
    assert "holds no plate locator" in capsys.readouterr().err
    assert cli.main([*base, "--locator", str(tmp_path / "none.joblib")]) == 2
    assert "none.joblib: no such locator file" in capsys.readouterr().err
    assert cli.main([*base, "--train-locator", str(tmp_path)]) == 2
    assert "not UC3M-LP" in capsys.readouterr().err
    assert cli.main([*base, "--locator-epochs", "2"]) == 2
    assert cli.main([*base, "--locator-verify"]) == 2
    assert "--locator-verify: give --train-locator too" in capsys.readouterr().err
    assert cli.main([*base, "--locator", "a", "--train-locator"]) == 2
    assert not (tmp_path / "m.skplate").exists()


def test_train_locator_on_uc3m_photos(plates, tmp_path, capsys):
    """--train-locator trains a PlateLocator on UC3M-LP's photos and boxes (here the
    locator alone: test_train_saves_the_locator_it_is_given saves one with a model)."""
    from skplate.cli._locator import check_locator_args, get_locator
    from skplate.cli._log import Log

    root = tmp_path / "uc3m"
    for kind in ("images", "labels"):
        (root / "LP" / kind / "train").mkdir(parents=True)
    for index, (image, (x1, y1, x2, y2)) in enumerate(zip(plates.images, plates.boxes,
                                                           strict=True)):
        assert cv2.imwrite(str(root / "LP" / "images" / "train" / f"0000{index}.jpg"), image)
        (root / "LP" / "labels" / "train" / f"0000{index}.txt").write_text(
            f"0 {(x1 + x2) / 320} {(y1 + y2) / 320} {(x2 - x1) / 160} {(y2 - y1) / 160}\n"
        )
    args = cli.build_parser().parse_args(
        ["train", "--train-locator", str(root), "--locator-epochs", "1", "--random-state", "3"]
    )
    check_locator_args(args)
    locator, record = get_locator(args, Log(quiet=True, verbose=0))
    assert locator.n_photos_ == 3 and locator.epochs == 1 and locator.random_state == 3
    assert len(locator.history_) == 1 and len(locator.predict(plates.images[:1])) == 1
    assert record["source"] == str(root) and record["n_photos"] == 3
    assert record["params"] == {"epochs": 1, "random_state": 3}
    # --locator-verify trains the verifier too, and locates at its threshold
    args = cli.build_parser().parse_args(
        ["train", "--train-locator", str(root), "--locator-epochs", "1", "--locator-verify"]
    )
    check_locator_args(args)
    verified, record = get_locator(args, Log(quiet=True, verbose=0))
    assert verified.verify and verified.verifier_ is not None
    assert record["params"]["verify"] is True and record["params"]["score_threshold"] == 0.65
    # evaluate --locate refuses UC3M-LP's plate crops (before loading the model).
    argv = ["evaluate", "--model", str(tmp_path / "none.skplate"), "--plates", str(root)]
    assert cli.main([*argv, "--locate"]) == 2
    assert "UC3M-LP's plates are read as crops" in capsys.readouterr().err


# -- evaluate --locate and the report ---------------------------------------------------------
def test_evaluate_locate_scores_and_reports(tiny_located_model_file, tiny_model_file, plates,
                                            tmp_path, capsys):
    root = _reference_layout(tmp_path / "test6Training", plates)
    # A labelled plate the locator cannot find: a flat photo.
    assert cv2.imwrite(str(root / "images" / "1111AAA.png"), np.full((320, 320, 3), 128, np.uint8))
    (root / "labels" / "1111AAA.txt").write_text("0 0.5 0.5 0.2 0.05\n")
    scores, report = tmp_path / "scores.json", tmp_path / "report.html"
    argv = ["evaluate", "--model", str(tiny_located_model_file), "--plates", str(root),
            "--format", "any", "--locate", "--json", str(scores), "--report", str(report)]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "located 3/4 true boxes at IoU >= 0.5" in out  # measured: no false box
    evaluated = json.loads(scores.read_text())
    assert evaluated["total"] == 4
    locating = evaluated["locating"]
    assert locating["photos"] == locating["true_boxes"] == 4
    assert locating["found"] == locating["read_box_right"] == 3
    assert locating["boxes"] == 3 and locating["unmatched_boxes"] == 0
    assert locating["photos_without_box"] == 1
    assert locating["average_precision"] == pytest.approx(0.75)
    page = report.read_text()
    assert page.count('src="data:image/jpeg;base64,') == 4  # each photo once
    assert page.count('class="pbox truth"') == 4 and page.count('class="pbox found"') == 3
    assert page.count("no plate found in this photo") == 1
    assert "the plate boxes the locator found" in page  # the legend

    # A model without a locator cannot --locate.
    argv[2] = str(tiny_model_file)
    assert cli.main(argv) == 2
    assert "--locate needs a model that holds a plate locator" in capsys.readouterr().err


# -- benchmarks/locate_read.py ----------------------------------------------------------------
def test_locate_read_benchmark_reads_each_pair(tiny_located_model_file, plates, tmp_path, capsys):
    """The end-to-end benchmark reads the photos from the true boxes, then from each
    locator's boxes, and reports each pair as evaluate --locate does."""
    import importlib.util

    root = _reference_layout(tmp_path / "test6Training", plates)
    script = Path(__file__).resolve().parents[1] / "benchmarks" / "locate_read.py"
    spec = importlib.util.spec_from_file_location("locate_read", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "pairs.json"
    model = str(tiny_located_model_file)
    argv = ["--models", model, "--locators", model, model, "--plates", str(root)]
    assert module.main([*argv, "--located-margin", "none", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "3 photos; 1 models x 2 locators" in printed
    pairs = json.loads(out.read_text())["pairs"]
    assert len(pairs) == 2 and pairs[0] == pairs[1]  # the same locator twice reads the same
    assert pairs[0]["found"] == pairs[0]["read_box_right"] == 3 and pairs[0]["boxes"] == 3
    assert 0 <= pairs[0]["read"] <= 3
    assert f"median {pairs[0]['read']}" in printed
