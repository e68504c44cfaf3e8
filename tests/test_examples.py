"""The example scripts run end to end (as a user runs them: a fresh interpreter)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

pytestmark = [pytest.mark.slow, pytest.mark.data]


def _run(script: str, *args: str, data_home: Path, budget: float) -> str:
    env = {**os.environ, "SKPLATE_DATA": str(data_home), "TF_CPP_MIN_LOG_LEVEL": "3"}
    env.pop("SKPLATE_MODEL", None)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        env=env, capture_output=True, text=True, timeout=budget,
    )
    elapsed = time.perf_counter() - start
    assert result.returncode == 0, f"{script} failed:\n{result.stdout}\n{result.stderr}"
    assert elapsed < budget
    return result.stdout


def test_train_char_model(data_home, tmp_path):
    # --quick: synthetic characters only, 3 epochs (the full recipe takes minutes); the
    # saved recognizer is what skplate's own commands load.
    out = tmp_path / "example.joblib"
    printed = _run("train_char_model.py", str(out), "--quick", data_home=data_home, budget=180)
    lines = printed.splitlines()
    assert lines[0] == "trained on 1080 images ({'synthetic': 1080}), 36 classes"
    assert lines[1].startswith("held-out GoodImg accuracy: nan (0 images); 3 epochs in ")
    assert lines[2] == f"saved {out}"
    from skplate.persistence import load_model

    model = load_model(out)
    assert model.plate_format == "any"
    assert model.classifier_.classes_.tolist() == list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    # fit([]): equal weights, but the flattened crop's variants weigh extra_flatten_weight.
    flat = np.array([name.endswith("@flat") for name in model.variant_names_])
    assert flat.any()
    np.testing.assert_array_equal(model.variant_weights_, np.where(flat, 1.5, 1.0))


def test_grid_search_filters(data_home):
    # Trains its own small CNN, grid-searches 2 candidates x 3 folds on the 21 plates,
    # saves, reloads and compares the predictions; about 40 s on 2 cores.
    out = _run("grid_search_filters.py", data_home=data_home, budget=240)
    assert "best parameters: {'filter_bank__clahe_clip_limit':" in out
    assert "best cross-validated plate accuracy:" in out
    assert "reloaded recognizer reads the same: True" in out


def test_read_one_plate(data_home, tiny_model_file):
    out = _run("read_one_plate.py", str(tiny_model_file), "1277DPZ",
               data_home=data_home, budget=120)
    assert out.startswith("plate 1277DPZ.jpg: true 1277DPZ, read ")
    assert "clahe_tozero" in out


def test_inspect_misreads(data_home, tiny_model_file, tmp_path):
    report = tmp_path / "misreads.html"
    out = _run("inspect_misreads.py", str(tiny_model_file), str(report),
               data_home=data_home, budget=120)
    assert out.startswith("plate accuracy ")
    assert f"report written to {report}" in out
    assert report.read_text(encoding="utf-8").count("1277DPZ") >= 1


def test_evaluate_folder(data_home, tiny_model_file, tmp_path):
    # Three Spanish plates copied out of the export into a folder, and a fourth whose label
    # is malformed: it is skipped with a message, the others get a row each.
    texts = ("1277DPZ", "1377LLV", "2537JJD")
    folder = tmp_path / "plates"
    (folder / "images").mkdir(parents=True)
    (folder / "labels").mkdir()
    with zipfile.ZipFile(data_home / "test6Training.zip") as archive:
        for text in (*texts, "3008GWK"):
            image = archive.read(f"test6Training/images/{text}.jpg")
            (folder / "images" / f"{text}.jpg").write_bytes(image)
        for text in texts:
            label = archive.read(f"test6Training/labels/{text}.txt")
            (folder / "labels" / f"{text}.txt").write_bytes(label)
    (folder / "labels" / "3008GWK.txt").write_text("0 0.5 oops\n", encoding="utf-8")

    out = _run("evaluate_folder.py", str(tiny_model_file), str(folder),
               data_home=data_home, budget=120)
    lines = out.splitlines()
    assert lines[0] == f"model {tiny_model_file}"
    assert lines[1].startswith("skipped: ") and "3008GWK" in lines[1]
    assert lines[2] == "3 plates, format spanish"
    rows = [line.split() for line in lines[4:7]]
    assert [row[:2] for row in rows] == [[f"{text}.jpg", text] for text in texts]
    for row in rows:
        assert re.fullmatch(r"[0-9]{4}[A-Z]{3}|-", row[2])  # a Spanish reading, or none
        assert 0.0 <= float(row[3]) <= 1.0
        assert row[4] == ("ok" if row[2] == row[1] else "miss")
    hits = sum(row[4] == "ok" for row in rows)
    summary = re.fullmatch(
        r"plate accuracy ([0-9.]+) \(([0-9]+)/3\), char accuracy ([0-9.]+)", lines[7]
    )
    assert summary, lines[7]
    assert int(summary[2]) == hits
    assert float(summary[1]) == round(hits / 3, 3)
    assert 0.0 <= float(summary[3]) <= 1.0
    assert len(lines) == 8
