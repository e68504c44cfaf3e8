"""The HTML report: content, order, escaping, atomic write, CLI option."""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest

from skplate import recognizer as recognizer_module
from skplate.datasets import make_synthetic_plates
from skplate.recognizer import make_plate_recognizer
from skplate.report import build_report
from skplate.samples import PlateSample

TEXTS = ["1234BCD", "5678FGH", "9012JKL", "3456MNP"]
SCRIPT = "<script>alert(1)</script>"
WRONG = "0000ZZZ"


@pytest.fixture(scope="module")
def recognizer(tiny_char_model):
    # 0.9: the tiny network's variants agree that much on three of the four plates, so the
    # fourth reads its extra crop too.
    return make_plate_recognizer(
        tiny_char_model, plate_format="spanish", extra_below_agreement=0.9
    ).fit([])


@pytest.fixture(scope="module")
def plates(recognizer):
    """Four synthetic plates, the second named with markup; truths: three hits, one miss.

    The hits' truths are the recognizer's own readings, so the test does not depend on how
    well the tiny model reads; the last plate's truth is wrong, so it must move to the top.
    """
    data = make_synthetic_plates(TEXTS, random_state=0)
    samples = list(data.samples)
    samples[1] = PlateSample(samples[1].image, samples[1].box, SCRIPT)
    predicted = [str(t) for t in recognizer.predict(samples)]
    assert WRONG not in predicted
    return samples, [*predicted[:-1], WRONG], predicted


@pytest.fixture(scope="module")
def report(recognizer, plates, tmp_path_factory):
    samples, truths, _ = plates
    folder = tmp_path_factory.mktemp("report")
    path = build_report(recognizer, samples, truths, path=folder / "report.html")
    return folder, path, path.read_text(encoding="utf-8")


def _sections(text: str) -> list[tuple[str, str]]:
    """(status, body) of each plate section, in page order."""
    return re.findall(r'<section class="plate (\w+)" id="plate-\d+">(.*?)</section>', text, re.S)


def test_report_is_a_self_contained_html_file(report):
    folder, path, text = report
    assert path == folder / "report.html" and path.is_file()
    assert text.startswith("<!DOCTYPE html>")
    assert text.rstrip().endswith("</html>")
    assert text.count("<body>") == 1 and text.count("</body>") == 1
    assert text.count("<section") == text.count("</section>") == len(TEXTS)
    # no external assets: every image is inline, nothing is fetched
    assert "http://" not in text and "https://" not in text
    sources = re.findall(r'<img [^>]*src="([^"]*)"', text)
    assert sources and all(s.startswith("data:image/png;base64,") for s in sources)


def test_report_names_every_plate_with_truth_and_reading(report, plates):
    _, _, text = report
    samples, truths, predicted = plates
    for sample, truth in zip(samples, truths, strict=True):
        if sample.name != SCRIPT:
            assert sample.name in text
        assert truth in text
    # the readings are the recognizer's own
    for reading in predicted:
        assert reading in text
    assert "hits</dt><dd>3/4 (75.0%)" in text
    assert "char accuracy" in text


def test_one_image_per_crop_and_variant(report, recognizer):
    _, _, text = report
    n_variants = len(recognizer.variant_names_)
    assert text.count('<img class="crop"') == len(TEXTS)
    assert text.count('<img class="variant"') == len(TEXTS) * n_variants
    assert text.count('<img class="char"') > 0
    for name in recognizer.variant_names_:
        assert f'<span class="vname">{name}</span>' in text


def test_misreads_come_before_hits(report, plates):
    _, _, text = report
    statuses = [status for status, _ in _sections(text)]
    assert statuses == ["miss", "hit", "hit", "hit"]
    first = _sections(text)[0][1]
    assert WRONG in first and plates[0][-1].name in first


def test_text_is_escaped(report):
    _, _, text = report
    assert SCRIPT not in text
    assert "<script" not in text.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_write_is_atomic_and_replaces_the_file(report, recognizer, plates, tmp_path):
    folder, _, _ = report
    assert [p.name for p in folder.iterdir()] == ["report.html"]  # no temp file left
    samples, truths, _ = plates
    path = tmp_path / "out" / "report.html"
    path.parent.mkdir()
    path.write_text("old", encoding="utf-8")
    build_report(recognizer, samples[:1], truths[:1], path=path, max_variants=2)
    assert [p.name for p in path.parent.iterdir()] == ["report.html"]
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert text.count('<img class="variant"') == 2
    assert "more variants are not shown" in text


def test_unreadable_samples_and_no_truth(recognizer, plates, tmp_path):
    samples, _, _ = plates
    bad = (np.zeros((20, 20), np.uint8), (50, 50, 60, 60), "broken.jpg")
    path = build_report(recognizer, [samples[0], bad], path=tmp_path / "r.html")
    text = path.read_text(encoding="utf-8")
    assert "broken.jpg" in text and "could not be read" in text
    assert text.count('<img class="crop"') == 1
    assert "hits</dt>" not in text  # no truth, no score
    assert [status for status, _ in _sections(text)] == ["read", "read"]


def test_bad_arguments(recognizer, plates, tmp_path):
    samples, truths, _ = plates
    with pytest.raises(ValueError, match="max_variants"):
        build_report(recognizer, samples, truths, path=tmp_path / "r.html", max_variants=0)
    with pytest.raises(ValueError, match="y has"):
        build_report(recognizer, samples, truths[:2], path=tmp_path / "r.html")
    # A reading parameter set wrong after fit is named, as predict names it.
    misset = copy.deepcopy(recognizer).set_params(voting="majority")
    with pytest.raises(ValueError, match="voting"):
        build_report(misset, samples, truths, path=tmp_path / "r.html")
    assert not list(tmp_path.iterdir())


def test_cli_evaluate_has_a_report_option():
    from skplate.cli import build_parser

    args = build_parser().parse_args(["evaluate", "--model", "m.joblib", "--report", "r.html"])
    assert args.report == "r.html"
    assert build_parser().parse_args(["evaluate", "--model", "m.joblib"]).report is None


def test_the_vote_shown_is_the_one_predict_makes(report, recognizer, plates):
    """Every crop's variants are shown; only those predict read vote (extra crops or not)."""
    _, _, text = report
    samples, _, _ = plates
    readings = recognizer.predict_readings(samples)
    n_first = len(recognizer.filter_bank_.variant_names_)
    by_name = {m.group(1): m.group(2) for m in re.finditer(
        r'<span class="name">(.*?)</span>.*?<p>result <b class="mono">(.*?)</b>', text, re.S
    )}
    assert len(by_name) == len(TEXTS)
    for sample, reading in zip(samples, readings, strict=True):
        name = sample.name.replace("<", "&lt;").replace(">", "&gt;")
        assert by_name[name] == reading.text
    settled = sum(len(r.variant_names) == n_first for r in readings)
    assert 0 < settled < len(TEXTS)
    assert text.count("the extra crops' variants did not vote") == settled


def test_report_segments_in_parallel_with_n_jobs(report, recognizer, plates, tmp_path, monkeypatch):
    """``n_jobs=2`` splits the segmentation into parallel joblib tasks; the page is the same."""
    _, _, text = report
    samples, truths, _ = plates
    calls = []

    class SpyParallel(recognizer_module.Parallel):
        def __call__(self, tasks):
            tasks = list(tasks)
            calls.append((self.n_jobs, len(tasks)))
            return super().__call__(tasks)

    monkeypatch.setattr(recognizer_module, "Parallel", SpyParallel)
    parallel = copy.deepcopy(recognizer).set_params(n_jobs=2)
    path = build_report(parallel, samples, truths, path=tmp_path / "parallel.html")
    assert calls == [(2, len(samples))]  # one batch, cut into chunks of one plate
    assert _sections(path.read_text(encoding="utf-8")) == _sections(text)


def test_located_photo_is_drawn_small_with_its_boxes():
    import base64

    import cv2

    from skplate.report import _photo_figure

    photo = np.full((100, 960, 4), 40000, dtype=np.uint16)  # 16-bit BGRA: shown as 8-bit BGR
    found = np.array([[96, 20, 192, 40, 0.91], [480, 50, 576, 70, 0.6]])
    html = _photo_figure(photo, found, np.array([[100, 22, 190, 40]]), "car <1>")
    (data,) = re.findall(r'src="data:image/jpeg;base64,([^"]+)"', html)
    shown = cv2.imdecode(np.frombuffer(base64.b64decode(data), np.uint8), cv2.IMREAD_UNCHANGED)
    assert shown.shape == (50, 480, 3) and abs(int(shown.mean()) - 40000 // 256) <= 1
    # Boxes in percent of the photo, so they sit right whatever size it is shown at.
    assert 'class="pbox found" style="left:10.00%;top:20.00%;width:10.00%' in html
    assert 'class="pbox found other" style="left:50.00%' in html and "<b>0.60</b>" in html
    assert html.count('class="pbox truth"') == 1 and "car &lt;1&gt;" in html
    assert "2 boxes found" in html


def test_runs_of_pieces_show_only_the_cuts_read():
    """With runs of pieces (max_span=2) a variant shows the runs read and the pieces
    outside them, in order: not the candidate runs left unread, nor the pieces of a run."""
    from skplate.decode import Decoding
    from skplate.report import _shown_cuts
    from skplate.segment import Segments

    # pieces 0-3, then the runs (1, 2) and (2, 2); stored in another order than read
    position, span = np.array([2, 0, 1, 3, 1, 2]), np.array([1, 1, 2, 1, 1, 2])
    segments = Segments(
        chars=np.zeros((6, 32, 32, 1), np.float32), plate=np.zeros(6, int),
        variant=np.zeros(6, int), position=position, boxes=np.zeros((6, 4), int),
        n_plates=1, n_variants=1, span=span,
    )
    row = segments.rows()[0][0]
    assert [(position[i], span[i]) for i in row] == [(0, 1), (1, 1), (1, 2), (2, 1), (2, 2), (3, 1)]
    read_run = Decoding("AMB", -1.0, 0, np.array([0, 2, 5]))  # piece 0, run (1, 2), piece 3
    shown, counted = _shown_cuts(segments, row, read_run)
    np.testing.assert_array_equal(shown, [0, 2, 5])
    np.testing.assert_array_equal(counted.segments, [0, 1, 2])
    assert counted.text == "AMB"
    pieces = Decoding("AB", -1.0, 0, np.array([1, 3]))  # pieces 1 and 2 read, 0 and 3 skipped
    shown, counted = _shown_cuts(segments, row, pieces)
    np.testing.assert_array_equal(shown, [0, 1, 3, 5])
    np.testing.assert_array_equal(counted.segments, [1, 2])
