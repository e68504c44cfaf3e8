"""The benchmark scripts that need no model: ``benchmarks/seeds.py``, the UC3M-LP
figures' tally (``benchmarks/uc3m.py``), the damage ``uc3m_reading.py`` does and the
models the UC3M benchmarks refuse."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[1] / "benchmarks" / "seeds.py"


def _run(spanish: int, plates: int, held_out: float | None, harvest: int | None, seed) -> dict:
    """A ``skplate benchmark --json`` payload with the figures the summary reads."""
    return {
        "spanish": {"hits": spanish, "total": 21},
        "any": {"hits": plates, "total": 117, "char_accuracy": plates / 117},
        "harvest_mode": None if harvest is None else {"any": {"hits": harvest, "total": 117}},
        "held_out_accuracy": held_out,
        "training_seconds": None if held_out is None else 170.0,
        "seconds_per_plate": 0.05,
        "reused_model": held_out is None,
        "random_state": seed,
    }


def test_seeds_summary_gives_each_run_a_column_and_the_min_and_median(tmp_path):
    runs = [_run(21, 88, 0.920, 90, 0), _run(20, 89, 0.924, None, 1), _run(21, 87, None, 92, None)]
    paths = []
    for index, run in enumerate(runs):
        paths.append(tmp_path / f"bench_{index}.json")
        paths[-1].write_text(json.dumps(run))
    done = subprocess.run(
        [sys.executable, str(SEEDS), *map(str, paths)], capture_output=True, text=True, check=True
    )
    rows = {
        cells[0]: cells[1:]
        for cells in ([c.strip() for c in line.strip("|").split("|")] for line in
                      done.stdout.splitlines())
    }
    assert rows["measure"] == ["seed 0", "seed 1", "bench_2", "min / median"]
    assert rows["117 plates, `--format any`"] == ["88", "89", "87", "87 / 88"]
    assert rows["21 Spanish plates, `--format spanish`"] == ["21", "20", "21", "20 / 21"]
    # A figure a run lacks reads "-" and stays out of the min / median.
    assert rows["GoodImg held-out accuracy"] == ["92.0 %", "92.4 %", "-", "92.0 % / 92.2 %"]
    assert rows["117 plates, harvest mode (CV)"] == ["90", "-", "92", "90 / 91"]
    assert rows["21 Spanish plates, harvest mode (CV)"] == ["-", "-", "-", "-"]


def test_seeds_summary_names_a_file_that_is_not_a_benchmark(tmp_path):
    wrong = tmp_path / "other.json"
    wrong.write_text(json.dumps({"hits": 3}))
    done = subprocess.run([sys.executable, str(SEEDS), str(wrong)], capture_output=True, text=True)
    assert done.returncode != 0
    assert f"{wrong}: not the JSON of `skplate benchmark --json`" in done.stderr


def test_uc3m_figures_count_the_misses_due_only_to_a_painted_block():
    sys.path.insert(0, str(SEEDS.parent))
    try:
        from uc3m import figures
    finally:
        sys.path.remove(str(SEEDS.parent))
    truths = ["87-2-GT", "87-2-GT", "87-2-GT", "874--HP", "874--HP", "1234ABC"]
    readings = ["872GT", "8712GT", "8712G", "87CIHP", "874IIHP", "1234ABC"]
    result = figures(truths, readings, ["A"] * 6, ["day"] * 6)
    assert result["all"]["hits"] == 2
    # a block read as one character each: "8712GT" and "874IIHP"; not "87CIHP" (a wrong
    # character too) nor "8712G" (a block read, a character lost)
    assert result["misses"]["block_read"] == 2
    assert result["misses"]["too_many"] == 3 and result["misses"]["wrong_chars"] == 1


def test_reading_benchmark_shrinks_and_blurs_the_crops_it_reads(monkeypatch):
    """``uc3m_reading.py --shrink W --blur S``: each crop shrunk to W px wide, its aspect
    kept, then blurred; the sample's box follows the new size; neither leaves it as is."""
    import importlib

    import numpy as np

    from skplate.samples import PlateSample

    monkeypatch.syspath_prepend(str(SEEDS.parent))
    damaged = importlib.import_module("uc3m_reading")._damaged
    image = np.full((40, 160, 3), 220, np.uint8)
    image[10:30, 20:24] = 0  # a stroke 4 px wide
    sample = PlateSample(image, (0, 0, 160, 40), "crop.jpg")
    assert damaged(sample, None, None) is sample
    small = damaged(sample, 80, None)
    assert small.image.shape == (20, 80, 3) and small.box == (0, 0, 80, 20)
    assert small.name == "crop.jpg" and small.image.min() == 0  # a sharp stroke 2 px wide
    soft = damaged(sample, 80, 1.0)
    assert soft.image.shape == small.image.shape and soft.image.min() > 40


def test_uc3m_benchmarks_refuse_a_model_that_learned_uc3m(tmp_path, monkeypatch, capsys):
    """``uc3m.py``, ``uc3m_reading.py`` and ``uc3m_cv.py --baseline`` score networks on UC3M
    crops they never saw: a model whose training record names the ``uc3m`` source is
    refused before anything is read."""
    import importlib

    monkeypatch.syspath_prepend(str(SEEDS.parent))
    reading = importlib.import_module("uc3m_reading")
    cv = importlib.import_module("uc3m_cv")
    whole = importlib.import_module("uc3m")
    seen, unseen = tmp_path / "seen.joblib", tmp_path / "unseen.joblib"
    for path, sources in ((seen, {"goodimg": 4636, "uc3m": 10299}), (unseen, {"goodimg": 9})):
        Path(f"{path}.json").write_text(json.dumps({"training_report": {"sources": sources}}))
    for main, argv in ((reading.main, ["--models", str(unseen), str(seen)]),
                       (cv.main, ["--baseline", str(seen)]),
                       (whole.main, ["--model", str(unseen), "--model", str(seen)])):
        with pytest.raises(SystemExit) as stopped:
            main(argv)
        assert stopped.value.code == 2
        err = capsys.readouterr().err
        assert f"{seen} learned UC3M-LP's characters" in err and str(unseen) not in err
