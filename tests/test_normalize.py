"""Tests of skplate.normalize on character images drawn with OpenCV."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from sklearn.base import clone

from skplate.normalize import CharNormalizer, ink_levels, ink_mask, normalize_char

FONT = cv2.FONT_HERSHEY_SIMPLEX


def draw_glyph(
    char: str = "7",
    canvas: tuple[int, int] = (60, 40),
    origin: tuple[int, int] = (5, 50),
    scale: float = 1.5,
    thickness: int = 4,
    *,
    ink: int = 0,
    paper: int = 255,
) -> np.ndarray:
    """A gray uint8 image of one character: ``ink`` on ``paper``."""
    image = np.full(canvas, paper, np.uint8)
    cv2.putText(image, char, origin, FONT, scale, ink, thickness)
    return image


def ink_columns(out: np.ndarray) -> np.ndarray:
    """Columns of a normalised (H, W) map that hold ink."""
    return np.flatnonzero(out.max(axis=0) > 0.5)


def ink_rows(out: np.ndarray) -> np.ndarray:
    return np.flatnonzero(out.max(axis=1) > 0.5)


@pytest.fixture
def seven() -> np.ndarray:
    return draw_glyph("7")


@pytest.fixture
def bar() -> np.ndarray:
    """A narrow glyph: Hershey "I" is a single vertical stroke, ~10 px wide, 40 px high."""
    return draw_glyph("I", canvas=(80, 60), origin=(20, 65), scale=2, thickness=5)


# -- output format -----------------------------------------------------------------------
def test_transform_shape_dtype_range(seven):
    images = [seven, draw_glyph("3"), draw_glyph("A", canvas=(90, 70), origin=(8, 75), scale=2.5)]
    out = CharNormalizer().fit_transform(images)
    assert out.shape == (3, 32, 32, 1)
    assert out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0
    # Every glyph has ink, and the ink reaches full intensity.
    assert np.all(out.reshape(3, -1).max(axis=1) == 1.0)
    # Different glyphs give different maps.
    assert np.abs(out[0] - out[1]).mean() > 0.1


def test_normalize_char_matches_transformer(seven):
    direct = normalize_char(seven)
    batched = CharNormalizer().fit_transform([seven])[0, :, :, 0]
    assert direct.shape == (32, 32) and direct.dtype == np.float32
    np.testing.assert_array_equal(direct, batched)


def test_fit_sets_output_shape_and_returns_self():
    normalizer = CharNormalizer(size=20, margin=1)
    assert normalizer.fit([]) is normalizer
    assert normalizer.output_shape_ == (20, 20, 1)


def test_empty_input_gives_empty_batch():
    out = CharNormalizer().fit_transform([])
    assert out.shape == (0, 32, 32, 1) and out.dtype == np.float32


def test_stack_of_gray_images_is_a_batch(seven):
    stack = np.stack([seven, draw_glyph("3")])
    out = CharNormalizer().fit_transform(stack)
    assert out.shape == (2, 32, 32, 1)
    np.testing.assert_array_equal(out[0, :, :, 0], normalize_char(seven))


# -- polarity ----------------------------------------------------------------------------
@pytest.mark.parametrize("char", ["7", "A", "3"])
def test_polarity_auto_light_on_dark_matches_dark_on_light(char):
    dark_on_light = draw_glyph(char, ink=0, paper=255)
    light_on_dark = draw_glyph(char, ink=255, paper=0)
    a, b = normalize_char(dark_on_light), normalize_char(light_on_dark)
    assert a.max() == 1.0
    assert np.abs(a - b).mean() < 0.01


def test_polarity_auto_mid_gray_levels(seven):
    low_contrast = draw_glyph("7", ink=90, paper=170)
    inverted = draw_glyph("7", ink=170, paper=90)
    reference = normalize_char(seven)
    assert np.abs(normalize_char(low_contrast) - reference).mean() < 0.01
    assert np.abs(normalize_char(inverted) - reference).mean() < 0.01


def test_explicit_polarity(seven):
    inverted = 255 - seven
    np.testing.assert_array_equal(
        normalize_char(inverted, polarity="light"), normalize_char(seven, polarity="dark")
    )
    # With the wrong polarity the "ink" is the background: the crop covers the whole image
    # and the map is mostly ink, unlike the character.
    wrong = normalize_char(seven, polarity="light")
    assert wrong.mean() > 0.5 > normalize_char(seven).mean()


def test_ink_mask_polarities(seven):
    dark = ink_mask(seven, "dark")
    assert dark.dtype == np.uint8 and set(np.unique(dark)) == {0, 255}
    # The ink is where the glyph was drawn (putText anti-aliases: edge pixels may go either way).
    assert np.all(dark[seven == 0] == 255) and np.all(dark[seven == 255] == 0)
    np.testing.assert_array_equal(ink_mask(seven, "light"), 255 - dark)
    np.testing.assert_array_equal(ink_mask(seven, "auto"), dark)
    np.testing.assert_array_equal(ink_mask(255 - seven, "auto"), dark)


# -- crop to ink -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("canvas", "origin", "scale", "thickness"),
    [
        ((200, 150), (60, 150), 3.0, 8),
        ((120, 300), (200, 90), 1.5, 4),
        ((60, 40), (5, 50), 1.5, 4),
        ((100, 100), (0, 95), 2.0, 5),
    ],
)
def test_crop_to_ink_position_and_size_invariant(canvas, origin, scale, thickness):
    reference = normalize_char(draw_glyph("7"))
    moved = normalize_char(draw_glyph("7", canvas, origin, scale, thickness))
    assert np.abs(moved - reference).mean() < 0.05
    # Both maps are stretched to the same inner box: ink spans margin..size-margin.
    for out in (moved, reference):
        assert ink_columns(out)[[0, -1]].tolist() == [2, 29]
        assert ink_rows(out)[[0, -1]].tolist() == [2, 29]


def test_different_glyphs_stay_different():
    reference = normalize_char(draw_glyph("7"))
    other = normalize_char(draw_glyph("5"))
    assert np.abs(other - reference).mean() > 0.2


def test_small_specks_do_not_widen_the_crop(bar):
    clean = normalize_char(bar)
    specked = bar.copy()
    specked[2:4, 2:4] = 0  # a 2x2 dot in the corner, far from the stroke
    specked[70:72, 55:57] = 0
    np.testing.assert_array_equal(normalize_char(specked), clean)
    # Counting every component, the dot widens the crop and shows in the output.
    widened = normalize_char(specked, min_component_ratio=0.0)
    assert np.abs(widened - clean).mean() > 0.1


def test_large_second_component_widens_the_crop(bar):
    two = bar.copy()
    cv2.rectangle(two, (45, 30), (52, 60), 0, -1)  # a second stroke of similar size
    single, double = normalize_char(bar), normalize_char(two)
    # The lone bar fills the whole width; with the second stroke there is a gap between.
    assert ink_columns(single).size == 28
    assert ink_columns(double).size < 24


# -- inputs ------------------------------------------------------------------------------
def test_gray_bgr_bgra_uint16_and_single_channel_inputs(seven):
    reference = normalize_char(seven)
    variants = {
        "bgr": cv2.cvtColor(seven, cv2.COLOR_GRAY2BGR),
        "bgra": cv2.cvtColor(seven, cv2.COLOR_GRAY2BGRA),
        "uint16": seven.astype(np.uint16) * 257,
        "hw1": seven[:, :, None],
    }
    out = CharNormalizer().fit_transform(list(variants.values()))
    for index, name in enumerate(variants):
        assert np.abs(out[index, :, :, 0] - reference).max() < 1e-6, name


def test_bgra_transparent_background_reads_as_paper(seven):
    # Black pixels everywhere; only the glyph is opaque. Transparent means background.
    rgba = np.zeros((*seven.shape, 4), np.uint8)
    rgba[:, :, 3] = 255 - seven  # anti-aliased edges are half transparent
    out, reference = normalize_char(rgba), normalize_char(seven)
    assert out.max() == 1.0
    assert np.abs(out - reference).mean() < 0.01


def test_coloured_glyph_on_coloured_background(seven):
    bgr = np.empty((*seven.shape, 3), np.uint8)
    bgr[:] = (40, 200, 240)  # yellow plate
    bgr[seven < 128] = (120, 20, 10)  # dark blue ink
    assert np.abs(normalize_char(bgr) - normalize_char(seven)).mean() < 0.01


@pytest.mark.parametrize("value", [0, 128, 255])
def test_blank_image_gives_zeros(value):
    blank = np.full((40, 30), value, np.uint8)
    out = CharNormalizer().fit_transform([blank, blank.astype(np.uint16)])
    assert out.shape == (2, 32, 32, 1)
    assert not out.any()


# -- parameters --------------------------------------------------------------------------
@pytest.mark.parametrize(("size", "margin"), [(16, 0), (20, 3), (48, 5), (8, 3)])
def test_size_and_margin(seven, size, margin):
    out = CharNormalizer(size=size, margin=margin).fit_transform([seven])
    assert out.shape == (1, size, size, 1)
    image = out[0, :, :, 0]
    # Ink stretched to the inner box: exactly `margin` empty pixels on every side.
    columns, rows = np.flatnonzero(image.any(axis=0)), np.flatnonzero(image.any(axis=1))
    assert columns[[0, -1]].tolist() == [margin, size - margin - 1]
    assert rows[[0, -1]].tolist() == [margin, size - margin - 1]
    assert not image[:margin].any() and not image[size - margin :].any()
    assert not image[:, :margin].any() and not image[:, size - margin :].any()


def test_keep_aspect_keeps_narrow_glyph_narrow(bar):
    stretched = normalize_char(bar, keep_aspect=False)
    kept = normalize_char(bar, keep_aspect=True)
    # Without keep_aspect the bar fills the inner box in both directions.
    assert ink_columns(stretched)[[0, -1]].tolist() == [2, 29]
    # With it, the bar stays ~1/4 as wide as it is high, centred.
    columns, rows = ink_columns(kept), ink_rows(kept)
    assert rows[[0, -1]].tolist() == [2, 29]
    assert 4 <= columns.size <= 10
    assert abs((columns[0] + columns[-1]) / 2 - 15.5) <= 1.5


def test_keep_aspect_wide_glyph(seven):
    wide = np.full((40, 120), 255, np.uint8)
    cv2.rectangle(wide, (10, 15), (110, 24), 0, -1)  # a 100x10 dash
    kept = normalize_char(wide, keep_aspect=True)
    columns, rows = ink_columns(kept), ink_rows(kept)
    assert columns[[0, -1]].tolist() == [2, 29]
    assert rows.size <= 5
    assert ink_rows(normalize_char(wide, keep_aspect=False)).size == 28


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"size": 4}, "size"),
        ({"size": 32.5}, "size"),
        ({"margin": -1}, "margin"),
        ({"polarity": "x"}, "polarity"),
        ({"keep_aspect": "yes"}, "keep_aspect"),
        ({"min_component_ratio": 1.5}, "min_component_ratio"),
    ],
)
def test_bad_params_raise_value_error_naming_the_param(seven, params, name):
    with pytest.raises(ValueError, match=name):
        CharNormalizer(**params).fit([seven])
    with pytest.raises(ValueError, match=name):
        CharNormalizer(**params).transform([seven])


@pytest.mark.parametrize(("size", "margin"), [(32, 16), (32, 20), (8, 4)])
def test_margin_too_big_for_size(seven, size, margin):
    with pytest.raises(ValueError, match=rf"margin={margin}.*size={size}"):
        CharNormalizer(size=size, margin=margin).fit([seven])


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int32, np.int8, bool])
def test_bad_dtype_raises_type_error_naming_the_item(seven, dtype):
    bad = seven.astype(dtype)
    with pytest.raises(TypeError, match=r"X\[1\].*dtype"):
        CharNormalizer().fit_transform([seven, bad])


@pytest.mark.parametrize(
    ("image", "pattern"),
    [
        (np.zeros((0, 10), np.uint8), r"X\[0\].*empty"),
        (np.zeros((10, 10, 5), np.uint8), r"X\[0\].*shape"),
        (np.zeros((10,), np.uint8), r"X\[0\].*shape"),
        (np.zeros((2, 10, 10, 3), np.uint8), r"X\[0\].*shape"),
    ],
)
def test_bad_shapes_raise_value_error_naming_the_item(image, pattern):
    with pytest.raises(ValueError, match=pattern):
        CharNormalizer().fit_transform([image])


def test_not_an_array_raises_type_error():
    with pytest.raises(TypeError, match=r"X\[0\].*numpy array"):
        CharNormalizer().fit_transform([[[0, 255], [255, 0]]])


# -- scikit-learn API --------------------------------------------------------------------
def test_get_params_clone_set_params(seven):
    normalizer = CharNormalizer(size=24, keep_aspect=True, margin=1, polarity="dark")
    assert normalizer.get_params() == {
        "size": 24,
        "keep_aspect": True,
        "margin": 1,
        "polarity": "dark",
        "min_component_ratio": 0.1,
        "gray_levels": False,
    }
    copy = clone(normalizer)
    assert copy is not normalizer and copy.get_params() == normalizer.get_params()
    np.testing.assert_array_equal(copy.fit_transform([seven]), normalizer.fit_transform([seven]))
    assert copy.set_params(size=16) is copy
    assert copy.fit_transform([seven]).shape == (1, 16, 16, 1)
    assert normalizer.size == 24


def test_transform_without_fit_is_allowed(seven):
    # requires_fit is False: the normaliser learns nothing.
    assert CharNormalizer().transform([seven]).shape == (1, 32, 32, 1)
    assert CharNormalizer().__sklearn_tags__().requires_fit is False


# -- the grey-level channel ----------------------------------------------------------------
def closed_w() -> tuple[np.ndarray, np.ndarray]:
    """A plain image of a thick ``W``-like glyph whose two gaps a threshold closed.

    Returns ``(plain, blob)``: the plain image (strokes 20, gaps 150, paper 230) and the
    binarised character, one solid blob where the gaps are.
    """
    plain = np.full((60, 60), 230, np.uint8)
    plain[10:50, 10:50] = 20
    plain[10:40, 21:25] = 150  # the two gaps between the strokes, lighter than the ink
    plain[10:40, 35:39] = 150
    blob = np.full_like(plain, 255)
    blob[10:50, 10:50] = 0
    return plain, blob


def test_ink_levels_scale_the_ink_to_one_and_keep_lighter_gaps():
    plain, blob = closed_w()
    levels = ink_levels(plain, blob == 0)
    assert levels[blob == 255].max() == 0  # nothing off the ink
    assert levels[45, 15] == 255  # a stroke: the ink's median level
    # a closed gap: (150 - 230) / (20 - 230) of the way from the paper to the ink
    assert levels[20, 22] == round(255 * 80 / 210)
    # ink as light as the paper carries no levels: the mask itself
    flat = ink_levels(np.full((8, 8), 100, np.uint8), np.eye(8))
    np.testing.assert_array_equal(flat, np.eye(8, dtype=np.uint8) * 255)


def test_gray_levels_add_a_channel_that_shows_closed_gaps():
    plain, blob = closed_w()
    pair = np.dstack([blob, plain])
    out = CharNormalizer(gray_levels=True).fit_transform([pair])
    assert out.shape == (1, 32, 32, 2) and out.dtype == np.float32
    ink, levels = out[0, :, :, 0], out[0, :, :, 1]
    # The ink channel is the binarised character alone: a solid square, no gaps.
    assert ink[4:28, 4:28].min() == 1.0
    # The grey levels show the gaps: a column lighter than the strokes beside it.
    row = levels[10]  # across the gaps
    assert row[10] < 0.5 < row[5] and row[20] < 0.5 < row[15] and row[26] > 0.5
    # Without gray_levels a pair is read as its character: the binary map of old.
    np.testing.assert_array_equal(
        CharNormalizer().fit_transform([pair]), CharNormalizer().fit_transform([blob])
    )


def test_gray_levels_of_a_plain_image_come_from_the_image_itself(seven):
    normalizer = CharNormalizer(gray_levels=True).fit([seven])
    assert normalizer.output_shape_ == (32, 32, 2)
    out = normalizer.transform([seven, np.full((10, 10), 255, np.uint8)])
    ink, levels = out[0, :, :, 0], out[0, :, :, 1]
    # A clean black-on-white glyph: its levels are its ink.
    assert np.abs(ink - levels).mean() < 0.02 and levels.max() == 1.0
    assert not out[1].any()  # no ink, no levels


def test_normalizers_pickled_before_gray_levels_read_binary_maps(seven):
    old = CharNormalizer(size=24)
    state = old.__getstate__()
    del state["gray_levels"]
    restored = CharNormalizer.__new__(CharNormalizer)
    restored.__setstate__(state)
    assert restored.gray_levels is False
    assert restored.fit_transform([seven]).shape == (1, 24, 24, 1)
