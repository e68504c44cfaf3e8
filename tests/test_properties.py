"""Property-based tests (hypothesis) of the image stages and the constrained decoder.

Every stage must take any image it documents (any size from 1 px, uint8/uint16, gray, BGR or
BGRA, dark or light ink, noise) and either return the documented shape and dtype or raise
the documented error type naming the input. The examples are kept small and few so the
whole module runs in well under a minute on a busy machine.
"""

from __future__ import annotations

import itertools
import re

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skplate.crop import PlateCropper
from skplate.decode import decode_segments
from skplate.filters import FilterBank
from skplate.formats import ALPHABET, DIGITS, get_formats
from skplate.normalize import CharNormalizer
from skplate.segment import CharacterSegmenter, Segments

SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FAST_SETTINGS = settings(max_examples=40, deadline=None)

CONTENTS = ("noise", "constant", "dark_text", "light_text", "gradient", "blocks")


def _content(rng: np.random.Generator, kind: str, height: int, width: int) -> np.ndarray:
    """A (height, width) float image in [0, 1] of the given kind."""
    if kind == "noise":
        return rng.random((height, width))
    if kind == "constant":
        return np.full((height, width), rng.random())
    if kind == "gradient":
        return np.tile(np.linspace(0.0, 1.0, width), (height, 1))
    if kind == "blocks":
        out = np.full((height, width), rng.random())
        for _ in range(int(rng.integers(1, 6))):
            y1, x1 = int(rng.integers(0, height)), int(rng.integers(0, width))
            y2 = int(rng.integers(y1, height)) + 1
            x2 = int(rng.integers(x1, width)) + 1
            out[y1:y2, x1:x2] = rng.random()
        return out
    # Text: characters drawn with OpenCV, dark on light or light on dark.
    ink, paper = (0, 255) if kind == "dark_text" else (255, 0)
    canvas = np.full((height, width), paper, dtype=np.uint8)
    text = "".join(rng.choice(list(ALPHABET), size=int(rng.integers(1, 8))))
    scale = max(0.2, height / 40.0)
    thickness = max(1, round(scale * 2))
    cv2.putText(
        canvas,
        text,
        (int(rng.integers(0, max(1, width // 4))), int(height * 0.8)),
        cv2.FONT_HERSHEY_SIMPLEX,
        scale,
        ink,
        thickness,
    )
    return canvas / 255.0


@st.composite
def images(draw, max_side: int = 120) -> np.ndarray:
    """Any supported image: 1..max_side px per side, uint8/uint16, gray/BGR/BGRA."""
    height = draw(st.integers(1, max_side))
    width = draw(st.integers(1, max_side))
    dtype = draw(st.sampled_from([np.uint8, np.uint16]))
    channels = draw(st.sampled_from([None, 1, 3, 4]))
    kind = draw(st.sampled_from(CONTENTS))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    gray = _content(rng, kind, height, width)
    if channels is None:
        pixels = gray
    else:
        tint = rng.uniform(0.6, 1.0, size=channels)
        pixels = np.clip(gray[:, :, None] * tint, 0.0, 1.0)
        if channels == 4:  # a random alpha channel, sometimes fully opaque
            pixels[:, :, 3] = 1.0 if rng.random() < 0.5 else rng.random((height, width))
    top = np.iinfo(dtype).max
    return np.round(pixels * top).astype(dtype)


@st.composite
def plates(draw, max_n: int = 3, max_side: int = 100) -> np.ndarray:
    """A random (n, H, W) uint8 stack of gray plates."""
    n = draw(st.integers(1, max_n))
    height = draw(st.integers(1, max_side))
    width = draw(st.integers(1, max_side))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kinds = draw(st.lists(st.sampled_from(CONTENTS), min_size=n, max_size=n))
    stack = [_content(rng, kind, height, width) for kind in kinds]
    return np.round(np.stack(stack) * 255).astype(np.uint8)


# -- CharNormalizer -----------------------------------------------------------------------
@SETTINGS
@given(image=images())
def test_char_normalizer_any_image(image):
    out = CharNormalizer().fit_transform([image])
    assert out.shape == (1, 32, 32, 1)
    assert out.dtype == np.float32
    assert np.isfinite(out).all()
    assert out.min() >= 0.0 and out.max() <= 1.0


@FAST_SETTINGS
@given(image=images(max_side=40), keep_aspect=st.booleans(), size=st.integers(8, 40))
def test_char_normalizer_params(image, keep_aspect, size):
    normalizer = CharNormalizer(size=size, keep_aspect=keep_aspect, margin=size // 4)
    out = normalizer.fit_transform([image, image])
    assert out.shape == (2, size, size, 1)
    assert out.dtype == np.float32
    assert 0.0 <= out.min() and out.max() <= 1.0
    np.testing.assert_array_equal(out[0], out[1])  # deterministic


@FAST_SETTINGS
@given(
    dtype=st.sampled_from([np.float32, np.float64, np.int32, np.int64, np.int8, np.bool_]),
    height=st.integers(1, 30),
    width=st.integers(1, 30),
    index=st.integers(0, 2),
)
def test_char_normalizer_bad_dtype_names_input(dtype, height, width, index):
    good = np.full((10, 10), 255, np.uint8)
    batch = [good, good, good]
    batch[index] = np.zeros((height, width), dtype=dtype)
    with pytest.raises(TypeError, match=re.escape(f"X[{index}]")):
        CharNormalizer().fit_transform(batch)


# -- PlateCropper -------------------------------------------------------------------------
boxes = st.tuples(
    st.floats(-60, 180, allow_nan=False),
    st.floats(-60, 180, allow_nan=False),
    st.floats(-60, 180, allow_nan=False),
    st.floats(-60, 180, allow_nan=False),
)


@SETTINGS
@given(
    image=images(),
    box=boxes,
    named=st.booleans(),
    integer_box=st.booleans(),
    deskew=st.booleans(),
)
def test_plate_cropper_any_image_and_box(image, box, named, integer_box, deskew):
    if integer_box:
        box = tuple(int(v) for v in box)
    sample = (image, box, "photo.jpg") if named else (image, box)
    X = [sample]
    name = "photo.jpg" if named else "X[0]"
    cropper = PlateCropper(deskew=deskew)
    try:
        plates = cropper.fit(X).transform(X)
    except ValueError as error:
        message = str(error)
        assert name in message, message
        assert re.search(r"empty|outside", message), message
        # Only a box with less than 2 px inside the image may be refused.
        height, width = image.shape[:2]
        x1, y1, x2, y2 = box
        inside_w = min(width, round(x2)) - max(0, round(x1))
        inside_h = min(height, round(y2)) - max(0, round(y1))
        assert inside_w < 2 or inside_h < 2, message
        return
    assert plates.shape == (1, 80, 240)
    assert plates.dtype == np.uint8


@FAST_SETTINGS
@given(
    dtype=st.sampled_from([np.float32, np.float64, np.int32, np.int16]),
    channels=st.sampled_from([None, 3]),
)
def test_plate_cropper_bad_dtype_names_sample(dtype, channels):
    shape = (40, 60) if channels is None else (40, 60, channels)
    X = [
        (np.full((40, 60), 200, np.uint8), (5, 5, 50, 30)),
        (np.zeros(shape, dtype), (5, 5, 50, 30)),
    ]
    with pytest.raises(TypeError, match=re.escape("X[1]")):
        PlateCropper().fit(X)
    cropper = PlateCropper().fit(X[:1])
    with pytest.raises(TypeError, match=re.escape("X[1]")):
        cropper.transform(X)


# -- FilterBank ---------------------------------------------------------------------------
@SETTINGS
@given(P=plates())
def test_filter_bank_keeps_shape(P):
    bank = FilterBank().fit(P)
    out = bank.transform(P)
    n, height, width = P.shape
    assert out.shape == (n, bank.n_variants_, height, width)
    assert out.dtype == np.uint8
    assert len(bank.variant_names_) == bank.n_variants_
    # Plates are filtered independently: the first plate alone gives the same variants.
    np.testing.assert_array_equal(bank.transform(P[:1])[0], out[0])


@FAST_SETTINGS
@given(dtype=st.sampled_from([np.float32, np.float64, np.int32, np.uint16]))
def test_filter_bank_bad_dtype_raises_naming_plates(dtype):
    good = np.full((2, 20, 30), 128, np.uint8)
    bank = FilterBank(filters=["gray"]).fit(good)
    with pytest.raises(
        (TypeError, ValueError), match=re.compile(r"plates.*" + np.dtype(dtype).name)
    ):
        bank.transform(good.astype(dtype))


# -- CharacterSegmenter -------------------------------------------------------------------
def _check_segments(segments: Segments, V: np.ndarray) -> None:
    n_plates, n_variants, height, width = V.shape
    n = len(segments)
    assert segments.n_plates == n_plates and segments.n_variants == n_variants
    assert len(segments.chars) == len(segments.plate) == len(segments.variant) == n
    assert len(segments.position) == len(segments.boxes) == n
    assert segments.chars.shape == (n, 32, 32, 1)
    assert segments.chars.dtype == np.float32
    if n:
        assert segments.chars.min() >= 0.0 and segments.chars.max() <= 1.0
        assert segments.plate.min() >= 0 and segments.plate.max() < n_plates
        assert segments.variant.min() >= 0 and segments.variant.max() < n_variants
    x1, y1, x2, y2 = segments.boxes.T if n else (np.zeros(0),) * 4
    assert np.all(x1 >= 0) and np.all(y1 >= 0), segments.boxes
    assert np.all(x2 <= width) and np.all(y2 <= height), segments.boxes
    assert np.all(x2 > x1) and np.all(y2 > y1), segments.boxes
    rows = segments.rows()
    assert len(rows) == n_plates and all(len(row) == n_variants for row in rows)
    seen = 0
    for p, v in itertools.product(range(n_plates), range(n_variants)):
        index = rows[p][v]
        seen += len(index)
        assert np.all(segments.plate[index] == p) and np.all(segments.variant[index] == v)
        position = segments.position[index]
        assert np.all(np.diff(position) > 0), position
        np.testing.assert_array_equal(position, np.arange(len(index)))
        assert np.all(np.diff(segments.boxes[index, 0]) >= 0)  # left to right
    assert seen == n


@SETTINGS
@given(
    P=plates(max_n=2),
    n_variants=st.integers(1, 3),
    method=st.sampled_from(["components", "projection"]),
)
def test_segmenter_consistent_segments(P, n_variants, method):
    rng = np.random.default_rng(int(P.sum()) % 2**32)
    V = np.stack([P] + [rng.permutation(P, axis=1) for _ in range(n_variants - 1)], axis=1)
    segments = CharacterSegmenter(method=method).fit(None).transform(V)
    _check_segments(segments, V)


@SETTINGS
@given(text=st.text(alphabet=ALPHABET, min_size=1, max_size=8), seed=st.integers(0, 2**16))
def test_segmenter_on_synthetic_plates(text, seed):
    from skplate.datasets import make_synthetic_plates

    data = make_synthetic_plates([text], random_state=seed)
    P = PlateCropper().fit(data.samples).transform(data.samples)
    V = FilterBank(filters=["gray", "otsu", "sharpen"]).fit(P).transform(P)
    segments = CharacterSegmenter().fit(None).transform(V)
    _check_segments(segments, V)


@FAST_SETTINGS
@given(
    dtype=st.sampled_from([np.float32, np.float64, np.int32, np.uint16]),
    ndim=st.sampled_from([3, 4]),
)
def test_segmenter_bad_dtype_raises(dtype, ndim):
    shape = (1, 20, 30) if ndim == 3 else (1, 2, 20, 30)
    segmenter = CharacterSegmenter().fit(None)
    with pytest.raises((TypeError, ValueError), match=np.dtype(dtype).name):
        segmenter.transform(np.zeros(shape, dtype))


@pytest.mark.parametrize("stage", ["filter_bank", "segmenter"])
def test_wrong_dtype_is_type_error_in_every_stage(stage):
    good = np.full((1, 20, 30), 128, np.uint8)
    if stage == "filter_bank":
        estimator = FilterBank(filters=["gray"]).fit(good)
    else:
        estimator = CharacterSegmenter().fit(None)
    with pytest.raises(TypeError, match=r"X|plates"):
        estimator.transform(good.astype(np.float32))


# -- decode_segments ----------------------------------------------------------------------
@st.composite
def log_probas(draw, max_rows: int = 12) -> np.ndarray:
    m = draw(st.integers(0, max_rows))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    sharpness = draw(st.sampled_from([0.1, 1.0, 5.0, 30.0]))
    logits = rng.normal(size=(m, len(ALPHABET))) * sharpness
    log_proba = logits - np.logaddexp.reduce(logits, axis=1, keepdims=True) if m else logits
    if m and draw(st.booleans()):  # some impossible classes: log(0) = -inf
        log_proba[rng.random(log_proba.shape) < 0.3] = -np.inf
    return log_proba


def _brute_force(log_proba, formats, skip_penalty, switch_penalty):
    """Best score over every increasing assignment of segments to slots, every format, and
    every digit/letter choice per slot (exhaustive over types too: at most 2**8 per row)."""
    m = len(log_proba)
    is_digit = np.array([c in DIGITS for c in ALPHABET])
    best = -np.inf
    for fmt in formats:
        mask = fmt.allowed_mask(ALPHABET)
        k = len(fmt)
        # table[digit][segment][slot]: best allowed class of that type
        table = {
            digit: np.where(
                (mask & (is_digit == digit))[None], log_proba[:, None, :], -np.inf
            ).max(axis=2, initial=-np.inf).tolist()
            for digit in (True, False)
        }
        for chosen in itertools.combinations(range(m), k):
            for types in itertools.product((True, False), repeat=k):
                score = skip_penalty * (m - k) + switch_penalty * sum(
                    a != b for a, b in itertools.pairwise(types)
                )
                for slot, (segment, digit) in enumerate(zip(chosen, types, strict=True)):
                    score += table[digit][segment][slot]
                best = max(best, score)
    return best


def _switches(text: str) -> int:
    return sum((a in DIGITS) != (b in DIGITS) for a, b in itertools.pairwise(text))


@settings(max_examples=40, deadline=None)
@given(
    log_proba=log_probas(),
    spec=st.sampled_from(["spanish", "any"]),
    skip_penalty=st.sampled_from([0.0, -0.5, -2.5, -20.0]),
    switch_penalty=st.sampled_from([0.0, -1.0, -4.0]),
)
def test_decode_segments_fits_a_format(log_proba, spec, skip_penalty, switch_penalty):
    formats = get_formats(spec)
    decoding = decode_segments(
        log_proba, ALPHABET, formats, skip_penalty=skip_penalty, switch_penalty=switch_penalty
    )
    m = len(log_proba)
    if decoding.text == "":
        assert decoding.format_index == -1
        assert decoding.score == -np.inf
        assert len(decoding.segments) == 0
    else:
        assert any(fmt.matches(decoding.text) for fmt in formats), decoding.text
        assert formats[decoding.format_index].matches(decoding.text)
        segments = np.asarray(decoding.segments)
        assert len(segments) == len(decoding.text)
        assert np.all(np.diff(segments) > 0), segments
        assert segments.min() >= 0 and segments.max() < m
        assert decoding.slot_log_proba.shape == (len(decoding.text), len(ALPHABET))
        # The score is exactly that of the reading: characters read, segments skipped,
        # type changes; and each character is the best allowed one of its type.
        mask = formats[decoding.format_index].allowed_mask(ALPHABET)
        read = sum(
            log_proba[segment, ALPHABET.index(char)]
            for segment, char in zip(segments, decoding.text, strict=True)
        )
        expected_score = (
            read + skip_penalty * (m - len(segments)) + switch_penalty * _switches(decoding.text)
        )
        assert decoding.score == pytest.approx(expected_score)
        for slot, (segment, char) in enumerate(zip(segments, decoding.text, strict=True)):
            same_type = np.array([(c in DIGITS) == (char in DIGITS) for c in ALPHABET])
            allowed = np.where(mask[slot] & same_type, log_proba[segment], -np.inf)
            assert log_proba[segment, ALPHABET.index(char)] == allowed.max()
    if m <= 9:
        expected = _brute_force(log_proba, formats, skip_penalty, switch_penalty)
        if np.isfinite(expected):
            assert decoding.score == pytest.approx(expected)
        else:
            assert decoding.text == ""


@FAST_SETTINGS
@given(
    shape=st.one_of(
        st.tuples(st.integers(0, 40)),
        st.tuples(st.integers(0, 5), st.integers(0, 40).filter(lambda c: c != 36)),
        st.tuples(st.integers(1, 3), st.integers(1, 3), st.just(36)),
    )
)
def test_decode_segments_wrong_shape(shape):
    with pytest.raises(ValueError, match="log_proba"):
        decode_segments(np.zeros(shape), ALPHABET, get_formats("any"))
