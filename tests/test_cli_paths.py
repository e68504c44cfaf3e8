"""The command-line paths that train or read real data, run end to end on the reference data.

``skplate train`` on the real character sources with ``--plates``, ``skplate evaluate
--report`` and ``--all-plates`` with the model it saved, and ``skplate benchmark`` when it
trains and when it reuses the model it saved (with the training report beside it). The
networks are small (one or two epochs) and read poorly; the tests pin what each path does
with the real data, not accuracy (tests/test_real_plates.py guards that).
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest

from skplate import cli
from skplate.datasets import load_plates
from skplate.persistence import load_model
from skplate.recognizer import make_plate_recognizer

pytestmark = [pytest.mark.data, pytest.mark.slow]

GOODIMG_IMAGES = 5795  # Chars74K GoodImg images of the 36 plate characters
FNT_CLASSES = 34  # Chars74K Fnt as loaded: the plate characters but I and O


def _run(argv: list[str]) -> tuple[int, str, str]:
    """``skplate ARGV`` in this process: exit status, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def trained(tmp_path_factory, data_home):
    """``skplate train`` on GoodImg, Fnt and rendered characters (20 per class of each),
    3 epochs, format spanish, variant weights learned from the 21 Spanish plates: (model
    path, stdout, stderr, report). It reads 20 of the 21 (measured), so the variants'
    accuracies differ."""
    path = tmp_path_factory.mktemp("train") / "real.joblib"
    code, out, err = _run([
        "train", "--data-home", str(data_home), "--sources", "goodimg,fnt,synthetic",
        "--fnt-per-class", "20", "--synthetic-per-class", "20", "--epochs", "3",
        "--format", "spanish",
        "--plates", str(data_home / "test6Training.zip"), "--out", str(path),
    ])
    assert code == 0, err
    report = json.loads(Path(f"{path}.json").read_text(encoding="utf-8"))
    return path, out, err, report


def test_train_on_the_real_sources(trained):
    _, out, err, record = trained
    report = record["training_report"]
    assert report["sources"]["goodimg"] == GOODIMG_IMAGES
    assert report["sources"]["fnt"] == FNT_CLASSES * 20  # --fnt-per-class 20
    assert report["sources"]["synthetic"] == 36 * 20  # --synthetic-per-class 20
    held_out = report["n_held_out"]
    assert held_out == pytest.approx(0.2 * GOODIMG_IMAGES, abs=1)
    assert report["n_images"] == GOODIMG_IMAGES - held_out + FNT_CLASSES * 20 + 36 * 20
    assert report["n_classes"] == 36 and report["epochs"] == 3
    # three epochs: far above chance (1/36), below the recipe's 92 % (measured 0.860)
    assert 0.6 < report["held_out_accuracy"] < 0.95
    assert record["sources"] == ["goodimg", "fnt", "synthetic"]
    assert record["plate_format"] == "spanish"
    assert f"held-out accuracy {100 * report['held_out_accuracy']:.1f}%" in out
    assert "[1/4] loading characters" in err  # progress on stderr, results on stdout


def test_train_takes_the_recipe_without_uc3m_where_its_archive_is_missing(tmp_path, data_home):
    """The default sources are the recipe's; without UC3M-LP's archive in the data home
    training goes on without its characters, says so, and records the sources used."""
    path = tmp_path / "recipe.joblib"
    code, _, err = _run([
        "train", "--data-home", str(tmp_path), "--chars", str(data_home / "EnglishImg.tgz"),
        str(data_home / "EnglishFnt.tgz"), "--fnt-per-class", "2", "--synthetic-per-class",
        "2", "--generated-plates", "2", "--junk", "4", "--epochs", "1", "--out", str(path),
    ])
    assert code == 0, err
    assert "loading characters (the recipe's)" in err
    assert "warning: Training without the recipe's 'uc3m' characters" in err
    assert "UC3M-LP-train.zip" in err
    record = json.loads(Path(f"{path}.json").read_text(encoding="utf-8"))
    assert record["sources"] == ["goodimg", "fnt", "synthetic", "plates", "junk"]
    assert set(record["training_report"]["sources"]) == set(record["sources"])


def test_train_plates_learns_the_variant_weights_the_api_learns(trained, data_home):
    """``--plates`` fits the recognizer on the plates fitting ``--format``: the same
    weights as ``fit`` on the 21 Spanish plates through the Python API."""
    path, _, _, record = trained
    model = load_model(path)
    assert record["weights_from_plates"] == str(data_home / "test6Training.zip")
    assert np.isfinite(model.variant_accuracy_).all()
    assert np.ptp(model.variant_weights_) > 0  # learned, not the equal weights of fit([])
    spanish = load_plates(data_home / "test6Training.zip", plate_format="spanish")
    api = make_plate_recognizer(model.classifier_, plate_format="spanish")
    api.fit(spanish.samples, spanish.target)
    assert api.variant_names_ == model.variant_names_
    np.testing.assert_allclose(api.variant_accuracy_, model.variant_accuracy_)
    np.testing.assert_allclose(api.variant_weights_, model.variant_weights_)
    # Learned weights are shown by 'skplate info'; the defaults of fit([]) are not.
    from skplate.model_info import describe_model

    shown = describe_model(path)["variant_weights"]
    np.testing.assert_allclose(shown, model.variant_weights_, atol=1e-4)
    assert api._weights_learned() and not api.fit([])._weights_learned()


def test_evaluate_report_and_all_plates(trained, data_home, tmp_path):
    """``--report`` draws one card per plate with its verdict; ``--all-plates`` reads the
    96 plates whose text is not Spanish too: all misses under the Spanish format, the
    same hits on the 21."""
    path, *_ = trained
    html, scores = tmp_path / "report.html", tmp_path / "scores.json"
    code, _, err = _run(["-q", "evaluate", "--model", str(path), "--plates", str(data_home),
                         "--report", str(html), "--json", str(scores)])
    assert code == 0, err
    payload = json.loads(scores.read_text())
    assert payload["total"] == 21 and payload["format"] == "spanish"  # the model's format
    page = html.read_text(encoding="utf-8")
    spanish = load_plates(data_home / "test6Training.zip", plate_format="spanish")
    cards = re.findall(r'<div class="head">.*?<span class="name">([^<]*)</span>', page)
    assert sorted(Path(name).stem for name in cards) == sorted(map(str, spanish.target))
    assert page.count('class="badge hit"') == payload["hits"]
    assert page.count('class="badge miss"') == 21 - payload["hits"]
    misreads = re.findall(r'<li><a href="#plate-[0-9]+"><span class="name">', page)
    assert len(misreads) == 21 - payload["hits"]  # the summary links every misread

    results, every = tmp_path / "all.txt", tmp_path / "all.json"
    code, _, err = _run(["-q", "evaluate", "--model", str(path), "--plates", str(data_home),
                         "--all-plates", "--results", str(results), "--json", str(every)])
    assert code == 0, err
    wide = json.loads(every.read_text())
    assert wide["total"] == 117 and wide["format"] == "spanish"
    assert wide["hits"] == payload["hits"]
    rows = [line.split(",") for line in results.read_text(encoding="utf-8").splitlines()]
    everything = load_plates(data_home / "test6Training.zip", plate_format=None)
    assert [truth for truth, _ in rows] == list(map(str, everything.target))
    assert all(re.fullmatch(r"([0-9]{4}[A-Z]{3})?", read) for _, read in rows)


def test_benchmark_trains_then_reuses_the_saved_model(data_home, tmp_path):
    """A benchmark that trains saves the model with its training report; a second
    benchmark reuses that model, reads the same plates, and quotes the report's
    held-out accuracy and training time."""
    model, first, second = tmp_path / "bench.joblib", tmp_path / "1.json", tmp_path / "2.json"
    common = ["-q", "benchmark", "--data-home", str(data_home), "--model", str(model),
              "--harvest-folds", "0"]
    code, out, err = _run([*common, "--sources", "goodimg,synthetic", "--epochs", "2",
                           "--synthetic-per-class", "20", "--json", str(first)])
    assert code == 0, err
    trained = json.loads(first.read_text())
    assert trained["reused_model"] is False
    assert model.is_file() and Path(f"{model}.json").is_file()
    assert 0.0 <= trained["held_out_accuracy"] <= 1.0
    assert trained["training_seconds"] > 0
    assert (trained["spanish"]["total"], trained["any"]["total"]) == (21, 117)
    assert trained["any"]["hits"] > 0  # so that reading the same plates below means something
    rows = {line.split("|")[0].strip(): line.split("|")[1].strip()
            for line in out.splitlines()[2:]}
    assert rows["GoodImg held-out accuracy"] == f"{100 * trained['held_out_accuracy']:.1f}%"
    assert rows["training time"] == f"{trained['training_seconds']:.0f} s"

    code, out, err = _run([*common, "--json", str(second)])
    assert code == 0, err
    assert "no training report" not in err
    reused = json.loads(second.read_text())
    assert reused["reused_model"] is True
    for measure in ("spanish", "any"):
        assert reused[measure]["hits"] == trained[measure]["hits"], measure
    assert reused["held_out_accuracy"] == trained["held_out_accuracy"]
    assert reused["training_seconds"] == trained["training_seconds"]
    rows = {line.split("|")[0].strip(): line.split("|")[1].strip()
            for line in out.splitlines()[2:]}
    assert rows["training time"] == f"{trained['training_seconds']:.0f} s (reused model)"
