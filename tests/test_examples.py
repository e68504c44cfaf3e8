"""The example scripts run end to end (as a user runs them: a fresh interpreter)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

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
