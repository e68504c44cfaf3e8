"""The ``skplate`` command, run in-process through :func:`skplate.cli.main`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import cv2
import pytest

from skplate import __version__, cli
from skplate.datasets import make_synthetic_plates

COMMANDS = ("train", "evaluate", "predict", "benchmark")
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
        ["no-such-command"],
    ],
)
def test_bad_arguments_exit_2(argv, capsys):
    assert cli.main(argv) == 2
    assert "error:" in capsys.readouterr().err


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


# -- train ------------------------------------------------------------------------------------
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
    assert payload["hits"] == sum(t == p for t, p in pairs)
    assert payload["plate_accuracy"] == pytest.approx(payload["hits"] / 21)
    assert 0.0 <= payload["char_accuracy"] <= 1.0
    assert payload["seconds_per_plate"] > 0
    assert f"hits {payload['hits']}/21" in out
    assert out.splitlines()[0].split() == ["true", "predicted", "confidence", "hit"]
    # The per-plate table has one row per plate.
    assert sum(line.split()[0] in SPANISH_PLATES for line in out.splitlines() if line) == 21


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

    monkeypatch.setattr(cli, "_result_line", failing_line)
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
def test_benchmark_reusing_a_model(tiny_model_file, data_home, tmp_path, capsys):
    out = tmp_path / "benchmark.json"
    argv = ["-q", "benchmark", "--data-home", str(data_home), "--model", str(tiny_model_file),
            "--json", str(out)]
    assert cli.main(argv) == 0
    captured = capsys.readouterr()
    table = captured.out.splitlines()
    assert [cell.strip() for cell in table[0].split("|")] == [
        "measure", "skplate", "reference CNN", "Tesseract+filters", "target"
    ]
    rows = {line.split("|")[0].strip(): [c.strip() for c in line.split("|")[1:]]
            for line in table[2:]}
    payload = json.loads(out.read_text())
    assert payload["spanish"]["total"] == 21 and payload["any"]["total"] == 117
    assert rows["21 Spanish plates (--format spanish)"] == [
        f"{payload['spanish']['hits']}/21", "11-14", "15 (17 reported)", ">=20"
    ]
    assert rows["117 plates (--format any)"][0] == f"{payload['any']['hits']}/117"
    assert rows["117 plates (--format any)"][-1] == ">=90"
    # The fixture saved no training report beside the model: said so, not invented.
    assert rows["GoodImg held-out accuracy"][0] == "n/a (reused model, no report)"
    assert payload["held_out_accuracy"] is None and payload["reused_model"] is True
    assert "no training report" in captured.err


def test_chars_may_be_given_twice():
    from skplate.cli import build_parser

    args = build_parser().parse_args(
        ["train", "--chars", "a/EnglishImg.tgz", "--chars", "b/EnglishFnt.tgz"]
    )
    assert args.chars == ["a/EnglishImg.tgz", "b/EnglishFnt.tgz"]
