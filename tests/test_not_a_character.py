"""The "not a character" class: junk shapes in training, skipped by the recognizer."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from sklearn.base import clone

from skplate.cnn import CharCNN
from skplate.datasets import make_synthetic_chars, make_synthetic_junk
from skplate.datasets._fonts import find_plate_fonts, render_text_line
from skplate.formats import ALPHABET, NOT_A_CHARACTER
from skplate.normalize import CharNormalizer
from skplate.recognizer import make_plate_recognizer
from skplate.report import build_report
from skplate.samples import PlateSample
from skplate.training import _predict_character, load_training_chars

CAP_HEIGHT = 60


@pytest.fixture(scope="module")
def junk_aware_cnn(tiny_char_model) -> CharCNN:
    """The tiny test CNN, a little wider and longer trained, on the 36 characters
    (synthetic) and the "not a character" class."""
    chars = make_synthetic_chars(20, random_state=0)
    junk = make_synthetic_junk(300, random_state=0)
    images = list(chars.images) + list(junk.images)
    target = np.concatenate([chars.target, junk.target])
    classifier = clone(tiny_char_model).set_params(
        conv_filters=(8, 16), dense_units=(64,), epochs=6, batch_size=32
    )
    return classifier.fit(CharNormalizer().fit_transform(images), target)


def _sticker_ink(height: int) -> np.ndarray:
    """An inspection sticker (a frame with small digits) the test did not train on."""
    junk = make_synthetic_junk(40, random_state=12345)
    image = next(im for im, kind in zip(junk.images, junk.kind, strict=True) if kind == "sticker")
    ink = 255 - image
    ys, xs = np.nonzero(ink)
    ink = ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    width = max(4, round(ink.shape[1] * height / ink.shape[0]))
    return cv2.resize(ink, (width, height), interpolation=cv2.INTER_NEAREST)


def _plate_with_sticker(left: str, right: str) -> PlateSample:
    """A white plate reading ``left`` + ``right`` with a sticker between the two groups."""
    font = (find_plate_fonts() or ("hershey-duplex",))[0]
    parts = [
        render_text_line(left, font, cap_height=CAP_HEIGHT),
        _sticker_ink(int(0.85 * CAP_HEIGHT)),
        render_text_line(right, font, cap_height=CAP_HEIGHT),
    ]
    height = max(part.shape[0] for part in parts)
    gap = np.zeros((height, CAP_HEIGHT // 4), np.uint8)
    line = [gap]
    for part in parts:
        top = (height - part.shape[0]) // 2
        line += [np.pad(part, ((top, height - part.shape[0] - top), (0, 0))), gap]
    ink = np.hstack(line)
    margin = CAP_HEIGHT // 3
    plate = 255 - np.pad(ink, margin)
    photo = np.full((plate.shape[0] + 80, plate.shape[1] + 80), 90, np.uint8)
    photo[40 : 40 + plate.shape[0], 40 : 40 + plate.shape[1]] = plate
    photo = cv2.cvtColor(photo, cv2.COLOR_GRAY2BGR)
    return PlateSample(photo, (40, 40, 40 + plate.shape[1], 40 + plate.shape[0]), "sticker")


def test_training_sources_and_held_out_prediction_skip_the_junk_class(junk_aware_cnn):
    data = load_training_chars(("synthetic", "junk"), synthetic_per_class=2, n_junk=30)
    assert (data.target == NOT_A_CHARACTER).sum() == 30
    assert set(data.source) == {"synthetic", "junk"}
    assert set(data.target) == set(ALPHABET) | {NOT_A_CHARACTER}
    # The network learned the class: unseen junk is mostly called junk ...
    junk = CharNormalizer().fit_transform(make_synthetic_junk(70, random_state=99).images)
    assert np.mean(junk_aware_cnn.predict(junk) == NOT_A_CHARACTER) > 0.7
    # ... but the held-out character accuracy of training only ever names characters.
    assert set(_predict_character(junk_aware_cnn, junk)) <= set(ALPHABET)
    chars = make_synthetic_chars(3, random_state=99)
    normalised = CharNormalizer().fit_transform(chars.images)
    assert np.mean(junk_aware_cnn.predict(normalised) == NOT_A_CHARACTER) < 0.1


def test_recognizer_skips_a_sticker_between_the_characters(junk_aware_cnn):
    sample = _plate_with_sticker("KBS", "167")
    recognizer = make_plate_recognizer(junk_aware_cnn, plate_format="any").fit([])
    reading = recognizer.predict_readings([sample])[0]
    assert reading.text == "KBS167"
    # The evidence: the sticker's segment reads "not a character" and is left out.
    segments = recognizer.segmenter_.transform(
        recognizer.filter_bank_.transform(recognizer.cropper_.transform([sample]))
    )
    log_proba = recognizer._log_proba(segments.chars)
    decodings = recognizer._decode_segments(segments, log_proba)[0]
    rows = [row for row in segments.rows()[0] if len(row) == 7]
    assert len(rows) >= 3
    for row in rows:
        assert log_proba[row, len(ALPHABET)].argmax() == 3  # the sticker is the junkiest
    assert all(
        3 not in decoding.segments
        for row, decoding in zip(segments.rows()[0], decodings, strict=True)
        if len(row) == 7
    )
    # The skip score of a segment is the larger of skip_penalty and log P(not a character):
    # a sticker the classifier reads "E" with 0.3 and "not a character" with 0.6 is skipped.
    doubtful = np.full_like(log_proba, np.log(0.1 / len(ALPHABET)))
    doubtful[:, ALPHABET.index("K")] = np.log(0.9)  # every segment a confident K ...
    for row in rows:
        doubtful[row[3]] = np.log(0.1 / len(ALPHABET))
        doubtful[row[3], ALPHABET.index("E")] = np.log(0.3)  # ... but the sticker
        doubtful[row[3], len(ALPHABET)] = np.log(0.6)
    texts = [d.text for d in recognizer._decode_segments(segments, doubtful)[0] if d.text]
    assert "KKKKKK" in texts and "KKKEKKK" not in texts
    without_class = doubtful.copy()
    without_class[:, len(ALPHABET)] = np.log(1e-9)  # a classifier without the class
    texts = [d.text for d in recognizer._decode_segments(segments, without_class)[0] if d.text]
    assert "KKKEKKK" in texts



def test_report_names_the_class(junk_aware_cnn, tmp_path):
    sample = _plate_with_sticker("KBS", "167")
    recognizer = make_plate_recognizer(junk_aware_cnn, plate_format="any").fit([])
    path = build_report(recognizer, [sample], ["KBS167"], path=tmp_path / "report.html")
    html = path.read_text(encoding="utf-8")
    # The sticker's cell lists "not a character" among its top-3, and it is skipped.
    assert "<li><b>not a character</b>" in html
    assert 'class="slot skip"' in html
