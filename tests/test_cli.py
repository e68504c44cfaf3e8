"""The ``skplate`` command, run in-process through :func:`skplate.cli.main`."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import textwrap
import weakref
import zipfile
from pathlib import Path

import cv2
import pytest

from skplate import __version__, cli
from skplate.cli import _options, _output
from skplate.datasets import make_synthetic_plates
from skplate.recognizer import PlateReading, PlateRecognizer

COMMANDS = ("train", "evaluate", "predict", "benchmark", "info")
SPANISH_PLATES = (
    "1277DPZ 1377LLV 1679HXD 2537JJD 2592BDK 3008GWK 3147HWW 3561HFR 3646HBH 4286LBF 4516CSH "
    "4679FYV 4718LSC 5524LPX 5752FXX 6662GKS 7945DDK 7963FKW 8648CKR 8723GPZ 9636HXB"
).split()


def _photo_with_label(folder: Path, text: str = "1234BCD") -> Path:
    """Write a synthetic plate photo as <folder>/images/<text>.png with its YOLO label."""
    sample = make_synthetic_plates([text], random_state=0).samples[0]
    (folder / "images").mkdir(parents=True)
    (folder / "labels").mkdir()
    image_path = folder / "images" / f"{text}.png"
    assert cv2.imwrite(str(image_path), sample.image)
    height, width = sample.image.shape[:2]
    x1, y1, x2, y2 = sample.box
    (folder / "labels" / f"{text}.txt").write_text(
        f"1 0.5 0.5 0.9 0.9\n0 {(x1 + x2) / 2 / width} {(y1 + y2) / 2 / height} "
        f"{(x2 - x1) / width} {(y2 - y1) / height}\n"
    )
    return image_path


# -- parsing, help and usage errors ---------------------------------------------------------
def test_version(capsys):
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"skplate {__version__}"


def test_main_help_documents_commands_and_exit_codes(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "exit status" in out
    for code in ("0  success", "1  some inputs failed", "2  usage error"):
        assert code in out
    for command in COMMANDS:
        assert command in out


@pytest.mark.parametrize("command", COMMANDS)
def test_command_help_has_examples(command, capsys):
    assert cli.main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert f"usage: skplate {command}" in out
    assert "examples:" in out
    assert f"skplate {command}" in out.split("examples:")[1]


def test_no_command_is_a_usage_error(capsys):
    assert cli.main([]) == 2
    assert "skplate: error: a command is required" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["evaluate"],  # --model is required
        ["predict", "--model", "m.joblib", "a.jpg", "--box", "1,2,3"],
        ["predict", "--model", "m.joblib", "a.jpg", "--box", "1,2,3,4", "--label", "a.txt"],
        ["train", "--epochs", "0"],
        ["evaluate", "--model", "m.joblib", "--lookalikes", "0"],
        ["predict", "--model", "m.joblib", "a.jpg", "--lookalikes", "0O,O1"],
        ["evaluate", "--model", "m.joblib", "--extra-margin", "0.02"],
        ["predict", "--model", "m.joblib", "a.jpg", "--extra-margin", "0.02,-0.6"],
        ["evaluate", "--model", "m.joblib", "--extra-below-agreement", "0"],
        ["predict", "--model", "m.joblib", "a.jpg", "--extra-below-agreement", "half"],
        ["evaluate", "--model", "m.joblib", "--extra-flatten-below-agreement", "1.5"],
        ["evaluate", "--model", "m.joblib", "--extra-pad-clipped", "wide"],
        ["predict", "--model", "m.joblib", "a.jpg", "--extra-pad-clipped", "1.5"],
        ["evaluate", "--model", "m.joblib", "--extra-deblur", "-1"],
        ["predict", "--model", "m.joblib", "a.jpg", "--extra-deblur", "auto"],
        ["predict", "--model", "m.joblib", "a.jpg", "--extra-flatten-below-agreement", "-0.1"],
        ["evaluate", "--model", "m.joblib", "--skew-cut-runs", "0.03,1.5"],
        ["predict", "--model", "m.joblib", "a.jpg", "--skew-cut-runs", "wide"],
        ["evaluate", "--model", "m.joblib", "--max-span", "0"],
        ["evaluate", "--model", "m.joblib", "--prior-correction", "-1"],
        ["predict", "--model", "m.joblib", "a.jpg", "--prior-correction", "balanced"],
        ["no-such-command"],
    ],
)
def test_bad_arguments_exit_2(argv, capsys):
    assert cli.main(argv) == 2
    assert "error:" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("value", "groups"), [("0O,1I", ("0O", "1I")), ("0o, 8b", ("0O", "8B")), ("none", ())]
)
@pytest.mark.parametrize("command", [["evaluate"], ["predict", "a.jpg"]])
def test_lookalikes_option(command, value, groups):
    argv = [command[0], "--model", "m.joblib", *command[1:], "--lookalikes", value]
    assert cli.build_parser().parse_args(argv).lookalikes == groups


@pytest.mark.parametrize("command", [["evaluate"], ["predict", "a.jpg"]])
def test_prior_correction_option(command):
    argv = [command[0], "--model", "m.joblib", *command[1:]]
    assert cli.build_parser().parse_args(argv).prior_correction is None  # the model's
    more = ["--prior-correction", "0.5"]
    assert cli.build_parser().parse_args(argv + more).prior_correction == 0.5


@pytest.mark.parametrize("command", [["evaluate"], ["predict", "a.jpg"]])
def test_tight_crop_options(command):
    argv = [command[0], "--model", "m.joblib", *command[1:]]
    parsed = cli.build_parser().parse_args(argv)
    assert parsed.skew_cut_runs is None and parsed.max_span is None  # the model's
    assert parsed.remove_painted_blocks is None
    more = ["--skew-cut-runs", "0.03, 0.06,0.1", "--max-span", "2", "--remove-painted-blocks"]
    parsed = cli.build_parser().parse_args(argv + more)
    assert parsed.skew_cut_runs == (0.03, 0.06, 0.1) and parsed.max_span == 2
    assert parsed.remove_painted_blocks is True
    parsed = cli.build_parser().parse_args([*argv, "--no-remove-painted-blocks"])
    assert parsed.remove_painted_blocks is False
    assert cli.build_parser().parse_args([*argv, "--skew-cut-runs", "None"]).skew_cut_runs == ()


@pytest.mark.parametrize("command", [["evaluate"], ["predict", "a.jpg"]])
def test_lighting_options(command, capsys):
    argv = [command[0], "--model", "m.joblib", *command[1:]]
    parsed = cli.build_parser().parse_args(argv)
    assert parsed.flatten_lighting is None and parsed.extra_flatten_lighting is None
    more = ["--flatten-lighting", "0.25", "--extra-flatten-lighting", "none"]
    parsed = cli.build_parser().parse_args(argv + more)
    assert (parsed.flatten_lighting, parsed.extra_flatten_lighting) == (0.25, 0.0)
    assert parsed.extra_flatten_smoothing is None
    for text, sigma in (("1.5", 1.5), ("none", 0.0), ("0", 0.0)):
        more = ["--extra-flatten-smoothing", text]
        assert cli.build_parser().parse_args(argv + more).extra_flatten_smoothing == sigma
    for bad in ("-1", "inf", "soft"):
        with pytest.raises(SystemExit):
            cli.build_parser().parse_args([*argv, "--extra-flatten-smoothing", bad])
        assert "expected a blur in pixels >= 0" in capsys.readouterr().err
    for bad in ("1.5", "-0.1", "wide"):
        with pytest.raises(SystemExit):
            cli.build_parser().parse_args([*argv, "--flatten-lighting", bad])
        assert "expected a fraction of the plate's height in [0, 1]" in capsys.readouterr().err
    assert parsed.flatten_text is None
    assert cli.build_parser().parse_args([*argv, "--flatten-text", "dark"]).flatten_text == "dark"
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args([*argv, "--flatten-text", "light"])
    assert "--flatten-text" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["evaluate"], ["predict", "a.jpg"]])
def test_extra_margin_option(command):
    argv = [command[0], "--model", "m.joblib", *command[1:]]
    assert cli.build_parser().parse_args(argv).extra_margins is None
    more = ["--extra-margin", "0.02,0", "--extra-margin", " 0, 0.1"]
    assert cli.build_parser().parse_args(argv + more).extra_margins == [(0.02, 0.0), (0.0, 0.1)]
    assert cli.build_parser().parse_args([*argv, "--extra-margin", "None"]).extra_margins == [None]


@pytest.mark.parametrize("command", [["evaluate"], ["predict", "a.jpg"]])
def test_located_margin_option(command, capsys):
    argv = [command[0], "--model", "m.joblib", *command[1:]]
    assert cli.build_parser().parse_args(argv).located_margin is _options.UNSET
    parsed = cli.build_parser().parse_args([*argv, "--located-margin", "0.1, 0.05"])
    assert parsed.located_margin == (0.1, 0.05)
    assert cli.build_parser().parse_args([*argv, "--located-margin", "none"]).located_margin is None
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args([*argv, "--located-margin", "0.1"])
    assert "expected two fractions of the box width and height" in capsys.readouterr().err


def test_located_margin_is_set_without_refitting(tiny_model_file):
    from skplate.cli._log import Log
    from skplate.cli._reading import configure_reading
    from skplate.persistence import load_model

    model = load_model(tiny_model_file)
    fitted = model.cropper_
    argv = ["evaluate", "--model", str(tiny_model_file), "--located-margin", "0.1,0.2"]
    configure_reading(model, cli.build_parser().parse_args(argv), Log(quiet=True, verbose=0))
    assert model.located_margin == (0.1, 0.2) and model.cropper_ is fitted
    argv[-1] = "none"
    configure_reading(model, cli.build_parser().parse_args(argv), Log(quiet=True, verbose=0))
    assert model.located_margin == (0.0, 0.0)


@pytest.mark.parametrize("command", [["evaluate"], ["predict", "a.jpg"]])
@pytest.mark.parametrize(("value", "share"), [("0.5", 0.5), ("1", 1.0), ("none", None)])
def test_extra_below_agreement_option(command, value, share):
    argv = [command[0], "--model", "m.joblib", *command[1:]]
    assert cli.build_parser().parse_args(argv).extra_below_agreement is _options.UNSET
    parsed = cli.build_parser().parse_args([*argv, "--extra-below-agreement", value])
    assert parsed.extra_below_agreement == share


@pytest.mark.parametrize("command", [["evaluate"], ["predict", "a.jpg"]])
@pytest.mark.parametrize(
    ("option", "dest", "cases"),
    [
        ("--extra-pad-clipped", "extra_pad_clipped", (("0.05", 0.05), ("0", 0.0), ("none", None))),
        ("--extra-deblur", "extra_deblur", (("0", 0.0), ("1.2", 1.2), ("none", None))),
    ],
)
def test_extra_crop_options_parse(command, option, dest, cases):
    argv = [command[0], "--model", "m.joblib", *command[1:]]
    assert getattr(cli.build_parser().parse_args(argv), dest) is _options.UNSET
    for value, expected in cases:
        parsed = cli.build_parser().parse_args([*argv, option, value])
        assert getattr(parsed, dest) == expected


@pytest.mark.parametrize("command", [["evaluate"], ["predict", "a.jpg"]])
@pytest.mark.parametrize(("value", "share"), [("0.6", 0.6), ("0", 0.0), ("none", 0.0)])
def test_extra_flatten_below_agreement_option(command, value, share):
    argv = [command[0], "--model", "m.joblib", *command[1:]]
    assert cli.build_parser().parse_args(argv).extra_flatten_below_agreement is _options.UNSET
    parsed = cli.build_parser().parse_args([*argv, "--extra-flatten-below-agreement", value])
    assert parsed.extra_flatten_below_agreement == share


@pytest.mark.parametrize("command", ["evaluate", "predict"])
def test_missing_model_file_exits_2_naming_it(command, tmp_path, capsys):
    missing = tmp_path / "no_such_model.joblib"
    argv = [command, "--model", str(missing)]
    if command == "predict":
        argv += [str(tmp_path / "photo.jpg"), "--box", "1,2,30,40"]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("skplate: error: ")
    assert str(missing) in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_corrupt_model_file_exits_2(tmp_path, capsys):
    bad = tmp_path / "model.joblib"
    bad.write_bytes(b"not a model")
    assert cli.main(["evaluate", "--model", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"skplate: error: {bad}")
    assert "Traceback" not in err


def test_bad_format_fails_before_training(tmp_path, capsys):
    out = tmp_path / "model.joblib"
    assert cli.main(["train", "--format", "NNQ", "--out", str(out)]) == 2
    assert "skplate: error: plate_format: unknown format 'NNQ'" in capsys.readouterr().err
    assert not out.exists()


def test_training_defaults_quoted_by_the_help_are_the_library_defaults(capsys):
    import inspect

    from skplate.training import RECIPE_CNN_PARAMS, load_training_chars

    signature = inspect.signature(load_training_chars).parameters
    counts = [name for name in _options.TRAINING_DEFAULTS if name != "epochs"]
    expected = {name: signature[name].default for name in counts}
    expected["epochs"] = RECIPE_CNN_PARAMS["epochs"]
    assert _options.TRAINING_DEFAULTS == expected
    assert cli.main(["train", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert f"most training epochs (default: the recipe's, {expected['epochs']};" in help_text
    for phrase, name in [("EnglishFnt images drawn per class", "fnt_per_class"),
                         ("rendered characters per class", "synthetic_per_class"),
                         ("are the 'plates' source", "n_plates"),
                         ("the 'junk' source", "n_junk"),
                         ("the 'pairs' source", "n_pairs")]:
        assert f"{phrase} (default: {expected[name]})" in help_text


@pytest.mark.parametrize("argv", [["--generated-plates", "0"], ["--junk", "-1"]])
def test_bad_training_counts_exit_2(argv, capsys):
    assert cli.main(["train", *argv]) == 2
    assert f"argument {argv[0]}" in capsys.readouterr().err


# -- train ------------------------------------------------------------------------------------
@pytest.mark.slow
def test_train_passes_generated_plate_and_junk_counts(tmp_path, monkeypatch, capsys):
    import skplate.training

    real, seen = skplate.training.load_training_chars, {}

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(skplate.training, "load_training_chars", spy)
    out = tmp_path / "tiny.joblib"
    argv = ["-q", "train", "--sources", "synthetic,junk", "--synthetic-per-class", "2",
            "--junk", "5", "--generated-plates", "3", "--epochs", "1", "--gray-levels",
            "--out", str(out)]
    assert cli.main(argv) == 0
    assert (seen["n_junk"], seen["n_plates"]) == (5, 3)
    report = json.loads(Path(f"{out}.json").read_text())
    assert report["training_report"]["n_images"] == 2 * 36 + 5

    from skplate.persistence import load_model

    # --gray-levels: ink and grey levels, in training and in the saved recognizer's segmenter
    model = load_model(out)
    assert model.segmenter_.normalizer_.gray_levels is True
    assert model.classifier_.X_shape_[1:] == (32, 32, 2)


@pytest.mark.slow
def test_train_saves_model_and_report(tmp_path, capsys):
    out = tmp_path / "models" / "tiny.joblib"
    argv = ["-q", "train", "--sources", "synthetic", "--synthetic-per-class", "8",
            "--epochs", "1", "--format", "spanish", "--out", str(out)]
    assert cli.main(argv) == 0
    captured = capsys.readouterr()
    assert captured.err == ""  # -q: no progress lines
    assert f"model             {out}" in captured.out
    assert "held-out accuracy n/a" in captured.out
    report = json.loads(Path(f"{out}.json").read_text())
    assert report["plate_format"] == "spanish"
    assert report["training_report"]["n_images"] == 8 * 36
    assert report["training_report"]["epochs"] == 1
    assert report["training_report"]["held_out_accuracy"] is None

    from skplate.persistence import load_model

    model = load_model(out)
    assert model.plate_format == "spanish"
    assert len(model.variant_weights_) == len(model.variant_names_)
    # the recipe's characters: binary ink maps, read alike from plates
    assert model.classifier_.X_shape_[1:] == (32, 32, 1)
    assert model.segmenter_.normalizer_.gray_levels is False


# -- predict ----------------------------------------------------------------------------------
@pytest.mark.slow
def test_predict_reports_bad_images_and_goes_on(tiny_model_file, tmp_path, capsys):
    good = _photo_with_label(tmp_path / "plates")  # box from labels/<stem>.txt
    missing = tmp_path / "missing.jpg"
    corrupt = tmp_path / "corrupt.jpg"
    corrupt.write_bytes(b"\xff\xd8 truncated jpeg")
    argv = ["predict", "--model", str(tiny_model_file), str(missing), str(good), str(corrupt)]
    assert cli.main(argv) == 1
    captured = capsys.readouterr()
    rows = captured.out.strip().splitlines()
    assert len(rows) == 1
    name, text, confidence = rows[0].split("\t")
    assert name == str(good)
    assert re.fullmatch(r"[0-9A-Z]*", text)
    assert 0.0 <= float(confidence) <= 1.0
    errors = [line for line in captured.err.splitlines() if "\tERROR\t" in line]
    assert errors[0].startswith(f"{missing}\tERROR\t") and "no such image file" in errors[0]
    assert errors[1].startswith(f"{corrupt}\tERROR\t")
    assert "Traceback" not in captured.err


@pytest.mark.slow
def test_predict_box_label_and_format(tiny_model_file, tmp_path, capsys):
    photo = _photo_with_label(tmp_path / "plates")
    label = tmp_path / "plates" / "labels" / f"{photo.stem}.txt"
    model = str(tiny_model_file)
    assert cli.main(["-q", "predict", "--model", model, str(photo), "--label", str(label),
                     "--format", "spanish"]) == 0
    text = capsys.readouterr().out.split("\t")[1]
    assert re.fullmatch(r"([0-9]{4}[BCDFGHJKLMNPRSTVWXYZ]{3})?", text)

    # A box outside the image is that image's error; no box at all is one too.
    loose = tmp_path / "loose.png"
    loose.write_bytes(photo.read_bytes())
    assert cli.main(["predict", "--model", model, str(photo), "--box", "5000,5000,5100,5050"]) == 1
    assert "empty or lies outside" in capsys.readouterr().err
    assert cli.main(["predict", "--model", model, str(loose)]) == 1
    assert "no plate box" in capsys.readouterr().err
    # A missing --label file is a usage error.
    assert cli.main(["predict", "--model", model, str(photo), "--label", "nope.txt"]) == 2
    assert "nope.txt" in capsys.readouterr().err


# -- predict: folders, patterns, streaming, output files -------------------------------------
GOOD = ("1277DPZ", "1377LLV", "1679HXD")  # plates/images/; 3008GWK goes to plates/more/images/
ERRORS = {  # image stem: what its error row must say
    "BROKEN": "line 1: expected numbers",  # a label that is not YOLO
    "CORRUPT": "not a readable image",  # garbage bytes named .jpg, with a good label
    "NOLABEL": "no plate box",  # no labels/NOLABEL.txt
    "OUTSIDE": "lies outside",  # a label whose box is off the image
}


@pytest.fixture
def plate_folder(data_home, tmp_path) -> Path:
    """tmp_path/plates: four real plates from the zip (one in a subfolder) and four bad ones."""
    root = tmp_path / "plates"
    with zipfile.ZipFile(data_home / "test6Training.zip") as archive:

        def copy(stem: str, folder: Path, as_stem: str | None = None) -> None:
            (folder / "images").mkdir(parents=True, exist_ok=True)
            (folder / "labels").mkdir(exist_ok=True)
            for kind, suffix in (("images", ".jpg"), ("labels", ".txt")):
                data = archive.read(f"test6Training/{kind}/{stem}{suffix}")
                (folder / kind / f"{as_stem or stem}{suffix}").write_bytes(data)

        for stem in GOOD:
            copy(stem, root)
        copy("3008GWK", root / "more")
        copy("1277DPZ", root, "BROKEN")
        copy("1277DPZ", root, "CORRUPT")
        copy("1277DPZ", root, "OUTSIDE")
    (root / "labels" / "BROKEN.txt").write_text("0 0.5 middle 0.2 0.1\n")
    (root / "images" / "CORRUPT.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    (root / "labels" / "OUTSIDE.txt").write_text("0 3.5 3.5 0.2 0.1\n")
    (root / "images" / "NOLABEL.png").write_bytes((root / "images" / "1377LLV.jpg").read_bytes())
    (root / "labels" / "notes.txt").write_text("not an image: never read\n")
    return root


def _expected_order(root: Path) -> list[str]:
    """The images of ``plate_folder`` in the order predict reads them: walked, sorted."""
    images = ["1277DPZ.jpg", "1377LLV.jpg", "1679HXD.jpg", "BROKEN.jpg", "CORRUPT.jpg",
              "NOLABEL.png", "OUTSIDE.jpg"]
    return [*(str(root / "images" / name) for name in images),
            str(root / "more" / "images" / "3008GWK.jpg")]


def _good(names: list[str]) -> list[str]:
    return [name for name in names if Path(name).stem not in ERRORS]


def _api_readings(model_file: Path, images: list[str]) -> dict[str, PlateReading]:
    """What the Python API reads on good images, with the box from their YOLO labels."""
    from skplate._validation import read_image
    from skplate.datasets._plates import parse_yolo_plate_box
    from skplate.persistence import load_model
    from skplate.samples import PlateSample

    samples = []
    for name in images:
        path = Path(name)
        image = read_image(path)
        label = (path.parent.parent / "labels" / f"{path.stem}.txt").read_text()
        samples.append(PlateSample(image, parse_yolo_plate_box(label, image.shape, name="l"), name))
    readings = [plate for (plate,) in load_model(model_file).predict_plates(samples)]
    return dict(zip(images, readings, strict=True))


def _csv_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        lines = handle.read().splitlines()
    assert lines[0] == "image,text,confidence,box,box_score,error"
    return list(csv.DictReader(lines))


def _jsonl_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.slow
@pytest.mark.data
def test_predict_folder_writes_csv_and_jsonl(tiny_model_file, plate_folder, tmp_path, capsys):
    order = _expected_order(plate_folder)
    expected = _api_readings(tiny_model_file, _good(order))
    model = str(tiny_model_file)

    out_csv = tmp_path / "x.csv"
    assert cli.main(["-q", "predict", "--model", model, str(plate_folder),
                     "--output", str(out_csv)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""  # the rows went to the file
    assert "4 of 8 images could not be read" in captured.err
    rows = _csv_rows(out_csv)
    assert [row["image"] for row in rows] == order  # notes.txt is not an image
    for row in rows:
        stem = Path(row["image"]).stem
        if stem in ERRORS:
            assert row["text"] == "" and row["confidence"] == ""
            assert row["error"].startswith(str(plate_folder))  # names the image or label
            assert ERRORS[stem] in row["error"], row
            continue
        reading = expected[row["image"]]
        assert row["text"] == reading.text
        assert re.fullmatch(r"[0-9A-Z]*", row["text"])
        assert row["confidence"] == f"{reading.confidence:.3f}"
        assert row["error"] == ""
        # The labelled box, as read (clipped, whole pixels); no locator score.
        assert row["box"] == ",".join(map(str, reading.box)) and row["box_score"] == ""

    out_jsonl = tmp_path / "x.jsonl"
    assert cli.main(["-q", "predict", "--model", model, str(plate_folder),
                     "--output", str(out_jsonl)]) == 1
    records = _jsonl_rows(out_jsonl)
    keys = {"image", "text", "confidence", "box", "box_score", "error"}
    assert all(set(record) == keys for record in records)
    assert [r["image"] for r in records] == order
    for record, row in zip(records, rows, strict=True):
        assert record["text"] == row["text"]
        if row["error"]:
            assert record["error"] == row["error"] and record["confidence"] is None
        else:
            assert record["error"] is None
            assert record["confidence"] == pytest.approx(float(row["confidence"]), abs=5e-4)
            assert ",".join(map(str, record["box"])) == row["box"]
            assert record["box_score"] is None
    assert _leftovers(tmp_path) == []

    # -v adds every filter variant's reading to the JSON lines.
    assert cli.main(["-v", "predict", "--model", model, order[1], "--output-format", "jsonl"]) == 0
    (record,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    reading = expected[order[1]]
    assert [v["name"] for v in record["variants"]] == reading.variant_names
    assert [v["text"] for v in record["variants"]] == reading.variant_texts


@pytest.mark.slow
@pytest.mark.data
def test_predict_quoted_glob(tiny_model_file, plate_folder, capsys):
    # As the shell passes a quoted pattern: skplate expands it, '**' into subfolders.
    pattern = str(plate_folder / "**" / "[13]*.jpg")
    assert cli.main(["-q", "predict", "--model", str(tiny_model_file), pattern]) == 0
    captured = capsys.readouterr()
    rows = [line.split("\t") for line in captured.out.splitlines()]
    assert [row[0] for row in rows] == _good(_expected_order(plate_folder))
    expected = _api_readings(tiny_model_file, [row[0] for row in rows])
    for name, text, confidence in rows:  # today's IMAGE<TAB>TEXT<TAB>CONFIDENCE lines
        assert text == expected[name].text
        assert confidence == f"{expected[name].confidence:.3f}"
    assert captured.err == ""


@pytest.mark.slow
@pytest.mark.data
def test_predict_tsv_error_lines_go_to_stderr(tiny_model_file, plate_folder, capsys):
    order = _expected_order(plate_folder)
    argv = ["-q", "predict", "--model", str(tiny_model_file), str(plate_folder / "images")]
    assert cli.main(argv) == 1
    captured = capsys.readouterr()
    assert [line.split("\t")[0] for line in captured.out.splitlines()] == order[:3]
    errors = [line.split("\t") for line in captured.err.splitlines()]
    assert [e[0] for e in errors] == order[3:7]
    assert all(e[1] == "ERROR" and ERRORS[Path(e[0]).stem] in e[2] for e in errors)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["{tmp}/plates/*.gif"], "{tmp}/plates/*.gif: no image file matches this pattern"),
        (["{tmp}/plates/labels/*"], "{tmp}/plates/labels/*: no image file matches"),
        (["{tmp}/plates/labels"], "{tmp}/plates/labels: no image file (.jpg"),
        (["{tmp}/plates", "--output", "{tmp}/out.json"], "{tmp}/out.json: predict writes JSON"),
    ],
)
def test_predict_inputs_matching_nothing_exit_2(argv, message, tmp_path, capsys):
    (tmp_path / "plates" / "labels").mkdir(parents=True)
    (tmp_path / "plates" / "labels" / "A.txt").write_text("0 0.5 0.5 0.2 0.1\n")
    (tmp_path / "plates" / "a.jpg").write_bytes(b"x")
    # The model does not exist: the inputs are checked before it is loaded.
    argv = ["predict", "--model", str(tmp_path / "missing.joblib"),
            *(arg.format(tmp=tmp_path) for arg in argv)]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"skplate: error: {message.format(tmp=tmp_path)}")
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out.json").exists()


@pytest.fixture
def predict_calls(monkeypatch):
    """Spy on PlateRecognizer.predict_readings: the batch size and n_jobs of every call."""
    calls = []
    original = PlateRecognizer.predict_readings

    def spy(self, X, **kwargs):
        calls.append({"n": len(X), "n_jobs": self.n_jobs, **kwargs})
        return original(self, X, **kwargs)

    monkeypatch.setattr(PlateRecognizer, "predict_readings", spy)
    return calls


@pytest.mark.slow
@pytest.mark.data
def test_predict_batch_size_and_jobs_give_the_same_rows(
    tiny_model_file, plate_folder, tmp_path, predict_calls
):
    def run(name: str, *options: str) -> list[dict]:
        out = tmp_path / name
        argv = ["-q", "predict", "--model", str(tiny_model_file), str(plate_folder),
                "--output", str(out), *options]
        assert cli.main(argv) == 1
        return _csv_rows(out)

    default = run("default.csv")
    # One batch; only the 4 images that could be read and boxed reach the recognizer.
    assert [c["n"] for c in predict_calls] == [4]
    assert all(c["errors"] == "record" and c["n_jobs"] is None for c in predict_calls)
    predict_calls.clear()

    assert run("one.csv", "--batch-size", "1") == default
    assert [c["n"] for c in predict_calls] == [1] * 4
    predict_calls.clear()

    assert run("jobs.csv", "--jobs", "2") == default
    assert [(c["n"], c["n_jobs"]) for c in predict_calls] == [(4, 2)]
    assert len(default) == 8 and sum(bool(row["error"]) for row in default) == 4


@pytest.mark.slow
@pytest.mark.data
def test_predict_streams_one_batch_at_a_time(
    tiny_model_file, plate_folder, tmp_path, monkeypatch, predict_calls
):
    import skplate._validation

    out = tmp_path / "rows.jsonl"
    read = skplate._validation.read_image
    seen = []  # per image read: rows already flushed to the output, earlier images alive
    images: list[weakref.ref] = []

    def spy(path):
        (tmp,) = (p for p in tmp_path.iterdir() if p.name.startswith(".rows.jsonl."))
        alive = sum(ref() is not None for ref in images)
        seen.append((len(tmp.read_text().splitlines()), alive))
        image = read(path)
        images.append(weakref.ref(image))
        return image

    monkeypatch.setattr(skplate._validation, "read_image", spy)
    argv = ["-q", "predict", "--model", str(tiny_model_file), str(plate_folder),
            "--output", str(out), "--batch-size", "3"]
    assert cli.main(argv) == 1
    # 8 images in batches of 3: each batch's rows are written before the next is read,
    # and the images of earlier batches are freed by then (those that fail are at once).
    assert [rows for rows, _ in seen] == [0, 0, 0, 3, 3, 3, 6, 6]
    assert [alive for _, alive in seen] == [0, 1, 2, 0, 0, 0, 0, 0]
    # 1277 1377 1679 | BROKEN CORRUPT NOLABEL (none readable) | OUTSIDE 3008GWK
    assert [c["n"] for c in predict_calls] == [3, 1]
    assert len(_jsonl_rows(out)) == 8


@pytest.mark.slow
@pytest.mark.data
def test_predict_output_not_replaced_when_the_run_fails(
    tiny_model_file, plate_folder, tmp_path, monkeypatch, capsys
):
    previous = tmp_path / "keep.csv"
    previous.write_text("previous,rows\n")
    new = tmp_path / "new.csv"
    model = str(tiny_model_file)

    def run(*argv: str) -> str:
        for out in (previous, new):
            assert cli.main(["-q", "predict", *argv, "--output", str(out)]) == 2
        assert previous.read_text() == "previous,rows\n"
        assert not new.exists()
        assert _leftovers(tmp_path) == []
        return capsys.readouterr().err

    # Failing before the first row: a missing model, a pattern matching nothing.
    assert "no such model file" in run("--model", str(tmp_path / "nope.joblib"), str(plate_folder))
    assert "no image file matches" in run("--model", model, str(plate_folder / "*.gif"))

    # Failing after rows were streamed: the second batch cannot be read at all.
    original = PlateRecognizer.predict_readings
    calls = []

    def fail_second(self, X, **kwargs):
        calls.append(len(X))
        if len(calls) % 2 == 0:
            raise OSError(28, "No space left on device")
        return original(self, X, **kwargs)

    monkeypatch.setattr(PlateRecognizer, "predict_readings", fail_second)
    err = run("--model", model, str(plate_folder), "--batch-size", "2")
    assert "skplate: error: [Errno 28] No space left on device" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", ["predict", "evaluate", "benchmark"])
def test_jobs_option(command, capsys):
    parser = cli.build_parser()
    argv = [command] + (["--model", "m.joblib"] if command != "benchmark" else [])
    argv += ["a.jpg"] if command == "predict" else []
    assert parser.parse_args([*argv, "--jobs", "2"]).jobs == 2
    assert parser.parse_args([*argv, "--jobs", "-1"]).jobs == -1
    assert parser.parse_args(argv).jobs is None
    assert cli.main([*argv, "--jobs", "0"]) == 2
    assert "--jobs: expected a number of jobs" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.data
def test_evaluate_and_benchmark_read_with_jobs(
    tiny_model_file, data_home, tmp_path, monkeypatch, capsys
):
    calls = []

    def fake_read(self, X, **kwargs):  # records the reading set-up; no real reading
        calls.append((len(X), self.n_jobs))
        return [PlateReading("", 0.0) for _ in X]

    monkeypatch.setattr(PlateRecognizer, "predict_readings", fake_read)
    before = tiny_model_file.read_bytes()
    assert cli.main(["-q", "evaluate", "--model", str(tiny_model_file), "--plates",
                     str(data_home), "--format", "spanish", "--jobs", "2"]) == 0
    assert calls and all(n_jobs == 2 for _, n_jobs in calls)
    assert sum(n for n, _ in calls) == 21
    calls.clear()
    assert cli.main(["-q", "benchmark", "--data-home", str(data_home), "--model",
                     str(tiny_model_file), "--jobs", "3", "--harvest-folds", "0"]) == 0
    assert all(n_jobs == 3 for _, n_jobs in calls) and sum(n for n, _ in calls) == 21 + 117
    assert tiny_model_file.read_bytes() == before  # --jobs is not saved into the model
    capsys.readouterr()


# -- evaluate ---------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.data
def test_evaluate_spanish_plates_end_to_end(tiny_model_file, data_home, tmp_path, capsys):
    results, scores = tmp_path / "LicenseResults.txt", tmp_path / "out" / "scores.json"
    argv = ["evaluate", "--model", str(tiny_model_file), "--plates", str(data_home),
            "--format", "spanish", "--results", str(results), "--json", str(scores)]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out

    lines = results.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 21
    pairs = [line.split(",") for line in lines]
    assert all(re.fullmatch(r"[0-9A-Z]*", p) for _, p in pairs)
    assert [t for t, _ in pairs] == SPANISH_PLATES

    payload = json.loads(scores.read_text())
    assert {"hits", "total", "plate_accuracy", "char_accuracy", "seconds_per_plate",
            "format"} <= set(payload)
    assert payload["total"] == 21
    assert payload["format"] == "spanish"
    assert payload["lookalikes"] == ["0O", "1I"]  # the model's own groups
    assert payload["prior_correction"] == 0.0
    assert payload["hits"] == sum(t == p for t, p in pairs)
    assert payload["plate_accuracy"] == pytest.approx(payload["hits"] / 21)
    assert 0.0 <= payload["char_accuracy"] <= 1.0
    assert payload["seconds_per_plate"] > 0
    assert f"hits {payload['hits']}/21" in out
    assert out.splitlines()[0].split() == ["true", "predicted", "confidence", "hit"]
    # The per-plate table has one row per plate.
    assert sum(line.split()[0] in SPANISH_PLATES for line in out.splitlines() if line) == 21


def _evaluate_spanish(model_file, data_home, scores, *options: str) -> dict:
    """``skplate -q evaluate`` of the 21 Spanish plates read with ``options``: its JSON."""
    argv = ["-q", "evaluate", "--model", str(model_file), "--plates", str(data_home),
            "--format", "spanish", *options, "--json", str(scores)]
    assert cli.main(argv) == 0
    return json.loads(scores.read_text())


@pytest.mark.slow
@pytest.mark.data
def test_evaluate_with_other_lookalikes(tiny_model_file, data_home, tmp_path, capsys):
    before = tiny_model_file.read_bytes()
    runs = {
        value: _evaluate_spanish(
            tiny_model_file, data_home, tmp_path / f"{value}.json",
            "--lookalikes", value, "--prior-correction", "1",
        )
        for value in ("none", "0O,1I")
    }
    capsys.readouterr()
    # The scores name the groups the recognizer read with; the option is not saved into
    # the model (what pooling changes is tested in test_recognizer and test_decoding).
    assert runs["none"]["lookalikes"] == [] and runs["0O,1I"]["lookalikes"] == ["0O", "1I"]
    assert runs["none"]["prior_correction"] == runs["0O,1I"]["prior_correction"] == 1.0
    assert runs["none"]["total"] == runs["0O,1I"]["total"] == 21
    assert tiny_model_file.read_bytes() == before


@pytest.mark.slow
@pytest.mark.data
def test_evaluate_with_an_extra_crop(tiny_model_file, data_home, tmp_path, capsys):
    before = tiny_model_file.read_bytes()
    scores = tmp_path / "scores.json"
    payload = _evaluate_spanish(tiny_model_file, data_home, scores, "--extra-margin", "0.02,0")
    capsys.readouterr()
    assert payload["extra_margins"] == [[0.02, 0.0]] and payload["total"] == 21
    assert payload["extra_below_agreement"] == 0.5  # the model's
    assert payload["skew_cut_runs"] == [0.03, 0.06, 0.1]  # the model's: made since the default
    assert payload["max_span"] == 1
    assert payload["remove_painted_blocks"] is False
    assert payload["flatten_text"] == "auto"  # a model made since it exists
    assert 0 <= payload["extra_crops_read"] <= 21
    assert tiny_model_file.read_bytes() == before  # the option is not saved into the model

    runs = {
        option: _evaluate_spanish(tiny_model_file, data_home, scores, option, "none")
        for option in ("--extra-margin", "--extra-flatten-lighting", "--extra-below-agreement")
    }
    one_crop = _evaluate_spanish(tiny_model_file, data_home, scores, "--extra-margin", "none",
                                 "--extra-flatten-lighting", "none", "--extra-deblur", "none")
    capsys.readouterr()
    assert runs["--extra-margin"]["extra_margins"] == []
    # The flattened crop is read without the margin crops, and the margin crop without it.
    assert runs["--extra-margin"]["extra_crops_read"] == payload["extra_crops_read"] > 0
    assert runs["--extra-flatten-lighting"]["extra_flatten_lighting"] == 0.0
    assert payload["extra_flatten_smoothing"] == 1.0  # the model's
    unblurred = _evaluate_spanish(
        tiny_model_file, data_home, scores, "--extra-flatten-smoothing", "none"
    )
    capsys.readouterr()
    assert unblurred["extra_flatten_smoothing"] == 0.0
    # The first crop decides which plates read the extra crops: as many as before.
    assert unblurred["extra_crops_read"] == payload["extra_crops_read"]
    # Without the flattened crop, the plates with a slim majority read no extra crop;
    # --extra-flatten-below-agreement none gives them none either.
    assert payload["extra_flatten_below_agreement"] == 0.6  # the model's (the default)
    assert payload["extra_pad_clipped"] == 0.05  # the model's (the default)
    unpadded = _evaluate_spanish(tiny_model_file, data_home, scores, "--extra-pad-clipped", "none")
    capsys.readouterr()
    assert unpadded["extra_pad_clipped"] is None
    assert payload["extra_deblur"] == 0.8  # the model's (the default)
    undeblurred = _evaluate_spanish(tiny_model_file, data_home, scores, "--extra-deblur", "none")
    capsys.readouterr()
    assert undeblurred["extra_deblur"] is None
    assert undeblurred["extra_crops_read"] == payload["extra_crops_read"]  # the same plates
    slim_none = _evaluate_spanish(
        tiny_model_file, data_home, scores, "--extra-flatten-below-agreement", "none"
    )
    capsys.readouterr()
    assert slim_none["extra_flatten_below_agreement"] == 0.0
    no_flat = runs["--extra-flatten-lighting"]["extra_crops_read"]
    assert no_flat == slim_none["extra_crops_read"] <= payload["extra_crops_read"]
    assert one_crop["extra_crops_read"] == 0
    assert runs["--extra-below-agreement"]["extra_below_agreement"] is None
    assert runs["--extra-below-agreement"]["extra_crops_read"] == 21


@pytest.mark.slow
@pytest.mark.data
def test_evaluate_with_tight_crop_options(tiny_model_file, data_home, tmp_path, capsys):
    before = tiny_model_file.read_bytes()
    payload = _evaluate_spanish(
        tiny_model_file, data_home, tmp_path / "scores.json",
        "--skew-cut-runs", "0.04,0.08", "--max-span", "2", "--remove-painted-blocks",
        "--flatten-text", "dark",
    )
    capsys.readouterr()
    assert payload["skew_cut_runs"] == [0.04, 0.08] and payload["max_span"] == 2
    assert payload["remove_painted_blocks"] is True  # with the other cropper options
    assert payload["flatten_text"] == "dark"
    assert payload["total"] == 21
    assert tiny_model_file.read_bytes() == before  # the options are not saved into it


@pytest.mark.slow
@pytest.mark.data
def test_results_file_is_not_truncated_when_writing_fails(
    tiny_model_file, data_home, tmp_path, capsys, monkeypatch
):
    results = tmp_path / "LicenseResults.txt"
    results.write_text("previous,results\n")
    written = []

    def failing_line(true: str, predicted: str) -> str:
        if len(written) == 5:
            raise OSError(28, "No space left on device")
        written.append(true)
        return f"{true},{predicted}\n"

    monkeypatch.setattr(_output, "result_line", failing_line)
    argv = ["-q", "evaluate", "--model", str(tiny_model_file), "--plates", str(data_home),
            "--format", "spanish", "--results", str(results)]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert "skplate: error:" in err and "No space left on device" in err
    assert "Traceback" not in err
    assert results.read_text() == "previous,results\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["LicenseResults.txt"]


@pytest.mark.slow
def test_model_from_an_incompatible_version_exits_2(tiny_model_file, tmp_path, capsys):
    from skplate.persistence import load_model, save_model

    model = load_model(tiny_model_file)
    del model.filter_bank.clahe_clip_limit  # as if pickled before the parameter existed
    stale = save_model(model, tmp_path / "stale.joblib")
    assert cli.main(["evaluate", "--model", str(stale), "--format", "spanish"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"skplate: error: {stale}: saved by an incompatible")
    assert "Traceback" not in err


# -- benchmark --------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.data
def test_benchmark_reusing_a_model(tiny_model_file, data_home, tmp_path, capsys, monkeypatch):
    from sklearn.utils import Bunch

    from skplate.cli import benchmark

    # The harvest mode over all 138 plates took minutes: the first 12 plates of each set
    # give the same table and JSON, which are what this test is about.
    load_plates = benchmark.load_plates

    def first_plates(*args, **kwargs):
        data, skipped = load_plates(*args, **kwargs)
        return Bunch(**{k: v if k == "DESCR" else v[:12] for k, v in data.items()}), skipped

    monkeypatch.setattr(benchmark, "load_plates", first_plates)
    out = tmp_path / "benchmark.json"
    argv = ["-q", "benchmark", "--data-home", str(data_home), "--model", str(tiny_model_file),
            "--json", str(out), "--harvest-folds", "2"]
    before = tiny_model_file.read_bytes()
    assert cli.main(argv) == 0
    assert tiny_model_file.read_bytes() == before  # the harvest mode trains copies only
    captured = capsys.readouterr()
    table = captured.out.splitlines()
    assert [cell.strip() for cell in table[0].split("|")] == [
        "measure", "skplate", "reference CNN", "Tesseract+filters", "target"
    ]
    rows = {line.split("|")[0].strip(): [c.strip() for c in line.split("|")[1:]]
            for line in table[2:]}
    payload = json.loads(out.read_text())
    assert payload["spanish"]["total"] == 12 and payload["any"]["total"] == 12
    assert rows["21 Spanish plates (--format spanish)"] == [
        f"{payload['spanish']['hits']}/12", "11-14", "15 (17 reported)", ">=20"
    ]
    assert rows["117 plates (--format any)"][0] == f"{payload['any']['hits']}/12"
    assert rows["117 plates (--format any)"][-1] == ">=90"
    # The harvest mode: every plate read by a copy of the CNN tuned on the other fold.
    for name in ("spanish", "any"):
        harvest = payload["harvest_mode"][name]
        assert (harvest["total"], harvest["folds"], harvest["epochs"]) == (12, 2, 3)
        assert 0 <= harvest["hits"] <= 12
    assert rows["21 Spanish plates, harvest mode (CV)"][0] == (
        f"{payload['harvest_mode']['spanish']['hits']}/12 (2-fold)"
    )
    assert rows["117 plates, harvest mode (CV)"][0] == (
        f"{payload['harvest_mode']['any']['hits']}/12 (2-fold)"
    )
    # The fixture saved no training report beside the model: said so, not invented.
    assert rows["GoodImg held-out accuracy"][0] == "n/a (reused model, no report)"
    assert payload["held_out_accuracy"] is None and payload["reused_model"] is True
    assert payload["random_state"] == 0  # the run's seed (training, harvest folds)
    assert "no training report" in captured.err


def test_chars_may_be_given_twice():
    from skplate.cli import build_parser

    args = build_parser().parse_args(
        ["train", "--chars", "a/EnglishImg.tgz", "--chars", "b/EnglishFnt.tgz"]
    )
    assert args.chars == ["a/EnglishImg.tgz", "b/EnglishFnt.tgz"]


def test_a_closed_output_pipe_ends_quietly(tmp_path):
    # 'skplate predict ... | head -1': the reader goes away while rows are still coming.
    script = textwrap.dedent(
        """
        import sys
        from skplate import cli
        from skplate.cli import predict

        def many_rows(args, log):
            for index in range(1_000_000):
                print(f"image{index}.jpg\\tTEXT\\t0.900")
            return 0

        predict.run = many_rows  # build_parser looks the command up when it runs
        sys.exit(cli.main(["predict", "--model", "m.joblib", "photo.jpg"]))
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout.readline().startswith(b"image0.jpg")
    process.stdout.close()
    _, err = process.communicate(timeout=60)
    assert process.returncode == 141
    assert err == b""
