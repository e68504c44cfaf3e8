"""Model files from the command line: the safe format, the fonts option and ``skplate info``."""

from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

import cv2
import pytest

import skplate.datasets._fonts as fonts_module
from skplate import cli
from skplate.datasets import make_synthetic_plates
from skplate.persistence import read_model_metadata

TINY_TRAINING = ["--sources", "synthetic", "--synthetic-per-class", "12", "--epochs", "2", "-q"]


def _train(tmp_path: Path, name: str, *extra: str) -> tuple[Path, dict]:
    out = tmp_path / name
    assert cli.main(["train", *TINY_TRAINING, "--out", str(out), *extra]) == 0
    return out, json.loads(Path(f"{out}.json").read_text())


@pytest.fixture(scope="module")
def safe_model(tmp_path_factory) -> tuple[Path, dict]:
    return _train(tmp_path_factory.mktemp("cli"), "tiny.skplate")


def test_train_writes_a_safe_model_with_its_report_inside(safe_model, capsys):
    path, record = safe_model
    report = record["training_report"]
    assert len(report["data_sha256"]) == 64
    assert record["system_fonts"] is False
    assert read_model_metadata(path)["metadata"] == record  # the same record, inside
    assert cli.main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"sha256 {report['data_sha256']}" in out
    assert "skplate safe format" in out and "seed 0, system fonts no, " in out
    assert "network                NumpyCharCNN: conv [16, 32, 64], dense [256]" in out
    assert cli.main(["info", str(path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["training"]["data_sha256"] == report["data_sha256"]
    assert info["network"]["n_classes"] == 36 and info["formats"][0] == "XX"


def test_the_same_seed_gives_the_same_data_and_system_fonts_change_them(
    safe_model, tmp_path, capsys
):
    _, record = safe_model
    _, again = _train(tmp_path, "again.joblib")
    assert again["training_report"]["data_sha256"] == record["training_report"]["data_sha256"]
    fonts_module.find_plate_fonts.cache_clear()
    with mock.patch.multiple(
        fonts_module, CANDIDATE_FONTS=(), _fc_list=mock.Mock(return_value=[])
    ):  # a machine without fonts: --system-fonts draws OpenCV's Hershey fonts
        _, system = _train(tmp_path, "system.skplate", "--system-fonts")
    fonts_module.find_plate_fonts.cache_clear()
    assert system["system_fonts"] is True
    assert system["training_report"]["data_sha256"] != record["training_report"]["data_sha256"]


def test_predict_reads_the_same_with_either_format_and_backend(safe_model, tmp_path, capsys):
    path, _ = safe_model
    joblib_path = tmp_path / "tiny.joblib"
    from skplate.persistence import load_model, save_model

    save_model(load_model(path, backend="keras"), joblib_path)
    sample = make_synthetic_plates(["4821BCD"], random_state=1).samples[0]
    image = tmp_path / "car.png"
    assert cv2.imwrite(str(image), sample.image)
    box = ",".join(map(str, sample.box))
    outputs = []
    runs = ((path, None), (path, "keras"), (joblib_path, None), (joblib_path, "numpy"))
    for model, backend in runs:
        argv = ["predict", "--model", str(model), str(image), "--box", box, "-q"]
        assert cli.main(argv + (["--backend", backend] if backend else [])) == 0
        outputs.append(capsys.readouterr().out)
    assert len(set(outputs)) == 1 and outputs[0].startswith(f"{image}\t")


def test_info_on_a_missing_or_broken_model_exits_2(tmp_path, capsys):
    assert cli.main(["info", str(tmp_path / "none.skplate")]) == 2
    assert "none.skplate: no such model file" in capsys.readouterr().err
    broken = tmp_path / "broken.skplate"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    assert cli.main(["info", str(broken)]) == 2
    assert "broken.skplate: not a readable" in capsys.readouterr().err
