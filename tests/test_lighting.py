"""Tests of the lighting flattener and the cropper's use of it."""

from __future__ import annotations

import pickle

import cv2
import numpy as np
import pytest

from skplate.crop import PlateCropper
from skplate.lighting import background_light, flatten_lighting
from skplate.samples import PlateSample
from skplate.segment import CharacterSegmenter


def _text_ink() -> np.ndarray:
    """'12 34 BC' drawn on a 240x80 plate: 255 on the strokes, 0 elsewhere."""
    ink = np.zeros((80, 240), np.uint8)
    cv2.putText(ink, "12 34 BC", (20, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 255, 5)
    return ink


def _drawn_plate(
    ink_level: float, plate_level: float, light: tuple[float, float], noise: float, seed: int
) -> np.ndarray:
    """:func:`_text_ink`'s plate: the strokes at ``ink_level``, the rest at ``plate_level``,
    both times a light running from ``light[0]`` at the left end to ``light[1]`` at the
    right, plus Gaussian sensor noise of ``noise`` grey levels."""
    rng = np.random.RandomState(seed)
    ink = _text_ink()
    lit = np.tile(np.linspace(*light, 240), (80, 1))
    gray = lit * np.where(ink > 0, ink_level, plate_level) + rng.normal(0, noise, ink.shape)
    return np.clip(gray, 0, 255).astype(np.uint8)


def _lit_plate(seed: int = 0) -> np.ndarray:
    """A 240x80 plate, '12 34 BC' in dark ink, lit from the right: the background runs from
    50 at the left end to 230 at the right, and the left end's ink is darker still."""
    return _drawn_plate(0.35, 1.0, (50, 230), 2, seed)


def test_flattening_evens_the_background_and_keeps_the_strokes():
    gray = _lit_plate()
    flat = flatten_lighting(gray)
    assert flat.shape == gray.shape and flat.dtype == np.uint8
    # Away from the characters, the background is near white at both ends.
    assert np.median(flat[:8, :40]) > 235 and np.median(flat[:8, -40:]) > 235
    assert np.median(gray[:8, :40]) < 80  # it was dark at the left end
    # The strokes keep about their contrast against the background beside them (0.35).
    assert flat[:, :60].min() < 0.5 * 255 and flat[:, -60:].min() < 0.5 * 255
    # One Otsu threshold now finds every character's ink, not the dark end.
    _, plain = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    _, even = cv2.threshold(flat, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    assert plain[:, :60].mean() > 200  # the dark end taken for ink as a whole
    assert even[:, :60].mean() < 120 and even[:, -60:].mean() > 20  # strokes at both ends


def test_the_segmenter_finds_the_characters_once_the_lighting_is_flat():
    gray = _lit_plate()
    segmenter = CharacterSegmenter().fit(None)
    before, _ = segmenter.segment_variant(gray)
    after, _ = segmenter.segment_variant(flatten_lighting(gray))
    assert len(after) == 6 and len(before) != 6


def test_background_light_is_the_closing_by_a_square_of_the_height():
    gray = _lit_plate()
    background = background_light(gray, 0.2)
    assert (background >= gray).all()
    side = 17  # 0.2 of 80 rows, made odd
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (side, side))
    assert np.array_equal(background, cv2.morphologyEx(gray, cv2.MORPH_CLOSE, kernel))
    # A colour plate is converted first.
    colour = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    assert np.array_equal(flatten_lighting(colour), flatten_lighting(gray))


def test_a_dark_patch_wider_than_the_square_is_background():
    """A painted block (or a shadow) as wide as a character is lifted to the background;
    a stroke narrower than the square stays dark."""
    gray = np.full((80, 240), 200, np.uint8)
    gray[10:70, 100:140] = 110  # a flat block, 40 px wide
    gray[10:70, 30:38] = 40  # a stroke, 8 px wide
    flat = flatten_lighting(gray, 0.2)
    assert flat[40, 120] > 240 and flat[40, 34] < 60


@pytest.mark.parametrize("size", [0, -0.1, 1.5, "0.2", True, None])
def test_bad_sizes_are_named(size):
    with pytest.raises(ValueError, match="size must be a fraction"):
        flatten_lighting(np.zeros((20, 60), np.uint8), size)


def test_bad_images_are_named():
    with pytest.raises(ValueError, match="gray"):
        flatten_lighting(np.zeros((2, 3, 4, 5), np.uint8))


def test_the_cropper_flattens_only_when_asked():
    gray = _lit_plate()
    sample = PlateSample(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR), (0, 0, 240, 80), "lit.png")
    options = {"margin": (0.0, 0.0), "deskew": False, "max_slant": 0.0}
    plain = PlateCropper(**options).fit_transform([sample])[0]
    flat = PlateCropper(flatten_lighting=0.2, **options).fit_transform([sample])[0]
    assert np.array_equal(plain, gray)
    assert np.array_equal(flat, flatten_lighting(gray, 0.2))
    with pytest.raises(ValueError, match="flatten_lighting"):
        PlateCropper(flatten_lighting=2.0).fit([])


def test_old_croppers_keep_their_lighting():
    """A cropper pickled before flatten_lighting existed reads as it did."""
    cropper = PlateCropper().fit([])
    state = cropper.__getstate__()
    state.pop("flatten_lighting")
    old = PlateCropper.__new__(PlateCropper)
    old.__setstate__(state)
    assert old.flatten_lighting == 0.0
    assert pickle.loads(pickle.dumps(old)).flatten_lighting == 0.0


def _dark_noisy_plate(seed: int = 0) -> np.ndarray:
    """A night plate: '12 34 BC' at 0.5 of a dark background (40), with sensor noise of
    sigma 6 grey levels: flattened, the noise is lifted as much as the characters."""
    return _drawn_plate(0.5, 1.0, (40, 40), 6, seed)


def test_smoothing_before_flattening_keeps_a_dark_plates_noise_from_turning_to_grain():
    """Measured: flattened as it is, Otsu's ink has 903 specks besides the characters and
    the segmenter finds 4 of the 6 characters; blurred by a pixel first, no speck and all
    6."""
    gray = _dark_noisy_plate()
    segmenter = CharacterSegmenter().fit(None)

    def specks(flat: np.ndarray) -> int:
        _, ink = cv2.threshold(flat, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
        _, _, stats, _ = cv2.connectedComponentsWithStats(ink)
        return int(np.sum(stats[1:, cv2.CC_STAT_AREA] < 20))

    grainy, smooth = flatten_lighting(gray), flatten_lighting(gray, smoothing=1.0)
    assert specks(grainy) > 700 and specks(smooth) <= 3
    assert len(segmenter.segment_variant(smooth)[0]) == 6
    assert len(segmenter.segment_variant(grainy)[0]) <= 4
    assert np.array_equal(flatten_lighting(gray, smoothing=0), grainy)


@pytest.mark.parametrize("smoothing", [-1, "1", True, None, float("nan")])
def test_bad_smoothings_are_named(smoothing):
    with pytest.raises(ValueError, match="smoothing must be"):
        flatten_lighting(np.zeros((20, 60), np.uint8), smoothing=smoothing)


def test_the_cropper_and_the_recognizer_pass_the_smoothing_on(tiny_char_model):
    from skplate.recognizer import make_plate_recognizer

    gray = _dark_noisy_plate()
    sample = PlateSample(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR), (0, 0, 240, 80), "night.png")
    options = {"margin": (0.0, 0.0), "deskew": False, "max_slant": 0.0}
    cropper = PlateCropper(flatten_lighting=0.2, flatten_smoothing=1.0, **options)
    assert np.array_equal(cropper.fit_transform([sample])[0], flatten_lighting(gray, 0.2, 1.0))
    with pytest.raises(ValueError, match="flatten_smoothing"):
        PlateCropper(flatten_smoothing=-1.0).fit([])
    reader = make_plate_recognizer(tiny_char_model, cropper=PlateCropper(**options)).fit([])
    assert reader.get_params()["extra_flatten_smoothing"] == 1.0
    flat = reader.extra_croppers_[-1]
    assert (flat.flatten_lighting, flat.flatten_smoothing) == (0.2, 1.0)
    assert reader.cropper_.flatten_smoothing == 0.0  # the first crop is left as it is


def test_old_croppers_and_recognizers_flatten_unblurred(tiny_char_model):
    from skplate.recognizer import PlateRecognizer, make_plate_recognizer

    state = PlateCropper().fit([]).__getstate__()
    state.pop("flatten_smoothing")
    old = PlateCropper.__new__(PlateCropper)
    old.__setstate__(state)
    assert old.flatten_smoothing == 0.0
    state = make_plate_recognizer(tiny_char_model).fit([]).__getstate__()
    state.pop("extra_flatten_smoothing")
    old_reader = PlateRecognizer.__new__(PlateRecognizer)
    old_reader.__setstate__(state)
    assert old_reader.get_params()["extra_flatten_smoothing"] == 0.0
    assert old_reader.fit([]).extra_croppers_[-1].flatten_smoothing == 0.0


def _light_text_plate(seed: int = 0) -> np.ndarray:
    """A dark plate (as many outside Europe): '12 34 BC' in light paint (200) on 40, lit
    brighter towards the right, with a little sensor noise."""
    return _drawn_plate(200, 40, (0.6, 1.2), 2, seed)


def test_light_text_is_flattened_as_light_text():
    """Flattened as dark text, the closing takes the light strokes for the background
    light: the dark plate between them comes out as the ink and the segmenter finds no
    six characters. Flattened as light text, the plate stays dark and the strokes light."""
    gray = _light_text_plate()
    segmenter = CharacterSegmenter().fit(None)
    as_light = flatten_lighting(gray, text="light")
    as_dark = flatten_lighting(gray)
    assert np.median(as_light[:8]) < 30 and np.median(as_light[-8:]) < 30  # a dark plate
    assert np.median(as_light[_text_ink() > 0]) > 150  # light strokes
    assert len(segmenter.segment_variant(as_light)[0]) == 6
    assert len(segmenter.segment_variant(as_dark)[0]) != 6
    with pytest.raises(ValueError, match="text must be one of"):
        flatten_lighting(gray, text="auto")


def test_text_polarity_tells_light_from_dark_text_also_on_a_tight_crop():
    from skplate.crop import text_polarity

    light = _light_text_plate()
    dark = _lit_plate()
    assert text_polarity(light) == "light" and text_polarity(dark) == "dark"
    assert text_polarity(cv2.bitwise_not(light)) == "dark"
    assert text_polarity(cv2.cvtColor(light, cv2.COLOR_GRAY2BGR)) == "light"
    # Tight crops: the dark characters run off the top and bottom, so none of them is
    # character-shaped, while the plate seen through their loops is. The loops are too
    # short and too small to be the text. (Without the two limits, the class with more
    # text-like area called these light: 0.15 and 0.22 of the plate.)
    plate = np.full((80, 240), 200, np.uint8)
    cv2.putText(plate, "980 688", (4, 66), cv2.FONT_HERSHEY_SIMPLEX, 2.2, 40, 7)
    assert text_polarity(plate) == "dark"
    assert text_polarity(plate[14:64]) == "dark" and text_polarity(plate[18:60]) == "dark"
    assert text_polarity(cv2.bitwise_not(plate)) == "light"


def test_the_cropper_flattens_each_plate_by_its_polarity():
    options = {"margin": (0.0, 0.0), "deskew": False, "max_slant": 0.0, "flatten_lighting": 0.2}
    samples = [
        PlateSample(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR), (0, 0, 240, 80), name)
        for gray, name in [(_light_text_plate(), "light.png"), (_lit_plate(), "dark.png")]
    ]
    auto = PlateCropper(**options).fit_transform(samples)
    assert PlateCropper().flatten_text == "auto"
    assert np.array_equal(auto[0], flatten_lighting(_light_text_plate(), 0.2, text="light"))
    assert np.array_equal(auto[1], flatten_lighting(_lit_plate(), 0.2))
    dark = PlateCropper(flatten_text="dark", **options).fit_transform(samples)
    assert np.array_equal(dark[0], flatten_lighting(_light_text_plate(), 0.2))
    with pytest.raises(ValueError, match="flatten_text"):
        PlateCropper(flatten_text="light").fit([])
    # Croppers saved before the parameter flattened every plate as dark text.
    state = PlateCropper().fit([]).__getstate__()
    state.pop("flatten_text")
    old = PlateCropper.__new__(PlateCropper)
    old.__setstate__(state)
    assert old.flatten_text == "dark"
