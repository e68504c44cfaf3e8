"""Tests of skplate.filters on gray plates drawn with OpenCV."""

from __future__ import annotations

import pickle

import cv2
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline

from skplate.crop import PlateCropper
from skplate.filters import (
    DEFAULT_FILTERS,
    FILTERS,
    FilterBank,
    apply_filters,
    bilateral_sharpen,
    otsu,
    sharpen,
    stable_threshold,
    unsharp_mask,
    variant_names,
)

ALL_VARIANTS = [
    "gray",
    "otsu",
    "open",
    "clahe_tozero",
    "otsu_truncate",
    "stable_truncate",
    "stable_tozero",
    "brightness_tozero",
    "brightness_otsu",
    "sharpen_5",
    "sharpen_6",
    "sharpen_7",
    "bilateral_sharpen_5",
    "bilateral_sharpen_7",
    "bilateral_sharpen_9",
    "unsharp",
]


def draw_plate(
    seed: int = 0, text: str = "1234BCD", *, ink: int = 45, paper: int = 190
) -> tuple[np.ndarray, np.ndarray]:
    """A 240x80 gray plate: dark text on a light, unevenly lit, noisy background.

    Returns the plate and the boolean mask of the text pixels.
    """
    rng = np.random.default_rng(seed)
    mask = np.zeros((80, 240), np.uint8)
    cv2.putText(mask, text, (10, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 255, 5)
    lighting = np.linspace(-20, 20, 240, dtype=np.float32)[None, :]
    plate = np.where(mask > 0, ink, paper).astype(np.float32) + lighting
    plate += rng.normal(0, 6, plate.shape).astype(np.float32)
    plate = cv2.GaussianBlur(np.clip(plate, 0, 255).astype(np.uint8), (3, 3), 0)
    return plate, mask > 0


@pytest.fixture(scope="module")
def plates() -> np.ndarray:
    return np.stack([draw_plate(seed)[0] for seed in range(4)])


# --- the pure filters -------------------------------------------------------------------


@pytest.mark.parametrize("index, name", list(enumerate(ALL_VARIANTS)))
def test_every_variant_keeps_shape_dtype_and_polarity(index, name):
    plate, text = draw_plate()
    variants = apply_filters(plate)
    assert variants.shape == (len(ALL_VARIANTS), 80, 240)
    assert variants.dtype == np.uint8
    out = variants[index]
    # Text darker than the background, by a clear margin.
    assert out[text].mean() + 10 < out[~text].mean(), name


@pytest.mark.parametrize("name", list(FILTERS))
def test_registry_functions_are_gray_to_gray(name):
    plate, text = draw_plate(1)
    out = FILTERS[name](plate)
    assert out.shape == plate.shape
    assert out.dtype == np.uint8
    assert out[text].mean() < out[~text].mean()


def test_default_order_and_variant_names():
    assert variant_names() == ALL_VARIANTS
    assert DEFAULT_FILTERS == tuple(FILTERS)
    assert variant_names(["sharpen", "otsu"], {"sharpen_centers": (5.5, 8)}) == [
        "sharpen_5.5",
        "sharpen_8",
        "otsu",
    ]


def test_binary_filters_are_binary():
    plate, _ = draw_plate()
    for name in ("otsu", "open", "brightness_otsu"):
        assert set(np.unique(FILTERS[name](plate))) <= {0, 255}, name


@pytest.mark.parametrize("ink, paper", [(40, 200), (90, 160), (10, 250)])
def test_stable_threshold_lies_between_ink_and_background(ink, paper):
    plate = np.full((80, 240), paper, np.uint8)
    plate[20:60, 30:200] = ink
    assert ink < stable_threshold(plate) < paper
    noisy, _ = draw_plate(3, ink=ink, paper=paper)
    noisy[0, :10] = 255  # specular highlights in the tail must not attract it
    assert ink + 5 < stable_threshold(noisy) < paper - 5


def test_stable_threshold_flat_valley_takes_the_middle():
    plate = np.full((80, 240), 200, np.uint8)
    plate[20:60, 30:200] = 40
    assert stable_threshold(plate, stable_step=8) == pytest.approx(120, abs=16)


@pytest.mark.parametrize("level", [77, 200, 255])
def test_stable_threshold_uniform_plate(level):
    # One grey level: no candidate between two classes, so the Otsu level, which OpenCV
    # gives as 0; the plate stays all paper (no ink invented out of a flat image).
    plate = np.full((10, 10), level, np.uint8)
    otsu, binary = cv2.threshold(plate, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    assert stable_threshold(plate) == otsu == 0
    assert np.all(binary == 255)


def test_open_removes_specks():
    plate = np.full((80, 240), 220, np.uint8)
    plate[20:60, 30:80] = 30  # a character-sized blob
    plate[10, 150] = plate[70, 200] = 30  # single-pixel specks
    opened = FILTERS["open"](plate)
    assert opened[10, 150] == opened[70, 200] == 255
    assert opened[40, 55] == 0
    assert otsu(plate)[10, 150] == 0


def test_sharpen_kernel_is_normalised():
    flat = np.full((20, 30), 123, np.uint8)
    for center in (5, 6, 7, 9):
        np.testing.assert_array_equal(sharpen(flat, center=center), flat)
    plate, _ = draw_plate()
    strong, mild = sharpen(plate, center=5), sharpen(plate, center=9)
    assert np.abs(strong.astype(int) - plate).mean() > np.abs(mild.astype(int) - plate).mean()


def test_unsharp_mask_reopens_the_gaps_a_blur_filled():
    flat = np.full((20, 30), 123, np.uint8)
    np.testing.assert_array_equal(unsharp_mask(flat), flat)
    # Two dark bars 4 px apart, blurred as an out-of-focus photo blurs them: the gap
    # between them turns dark gray, and Otsu then sees one blob instead of two.
    bars = np.full((40, 60), 200, np.uint8)
    bars[8:32, 20:28] = bars[8:32, 32:40] = 40
    blurred = cv2.GaussianBlur(bars, (0, 0), 3.0)

    def blobs(image: np.ndarray) -> int:
        _, ink = cv2.threshold(image, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
        return cv2.connectedComponents(ink)[0] - 1

    assert blobs(bars) == 2 and blobs(blurred) == 1
    sharpened = unsharp_mask(blurred)
    assert sharpened.dtype == np.uint8 and sharpened.shape == blurred.shape
    assert blobs(sharpened) == 2
    # The gap is lighter than the bars again; 3x3 sharpening does not reach that far.
    assert int(sharpened[20, 30]) - int(sharpened[20, 24]) > 2 * (
        int(blurred[20, 30]) - int(blurred[20, 24])
    )
    assert blobs(sharpen(blurred, center=5)) == 1
    np.testing.assert_array_equal(unsharp_mask(blurred, unsharp_amount=0), blurred)


def test_banks_pickled_before_unsharp_keep_their_variants(plates):
    old = FilterBank().fit(plates)
    state = dict(old.__getstate__())  # as skplate 0.2.0 pickled it
    for key in ("unsharp_sigma", "unsharp_amount"):
        del state[key]
    state["variant_names_"] = ALL_VARIANTS[:-1]
    state["n_variants_"] = len(ALL_VARIANTS) - 1
    restored = FilterBank.__new__(FilterBank)
    restored.__setstate__(state)
    assert restored.get_params()["unsharp_sigma"] == 5.0
    assert restored.transform(plates).shape[1] == len(ALL_VARIANTS) - 1  # as fitted
    current = pickle.loads(pickle.dumps(old))  # today's banks are untouched
    assert current.filters is None and current.transform(plates).shape[1] == len(ALL_VARIANTS)


def test_bilateral_variants_match_the_pure_function():
    plate, _ = draw_plate()
    variants = apply_filters(plate, ["bilateral_sharpen"], {"bilateral_centers": (5, 9)})
    for out, center in zip(variants, (5, 9), strict=True):
        np.testing.assert_array_equal(out, bilateral_sharpen(plate, center=center))


def test_apply_filters_bad_input():
    with pytest.raises(ValueError, match="2-D uint8"):
        apply_filters(np.zeros((80, 240), np.float32))
    with pytest.raises(ValueError, match="2-D uint8"):
        apply_filters(np.zeros((2, 80, 240), np.uint8))
    with pytest.raises(ValueError, match="blur_kernel"):
        apply_filters(np.zeros((80, 240), np.uint8), ["open"], {"blur_kernel": 4})


# --- FilterBank -------------------------------------------------------------------------


def test_filter_bank_fit_transform(plates):
    bank = FilterBank()
    assert bank.fit(plates) is bank
    assert bank.variant_names_ == ALL_VARIANTS
    assert bank.n_variants_ == len(ALL_VARIANTS)
    assert list(bank.get_feature_names_out()) == ALL_VARIANTS
    out = bank.transform(plates)
    assert out.shape == (4, len(ALL_VARIANTS), 80, 240)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out[2], apply_filters(plates[2]))
    np.testing.assert_array_equal(out[:, 0], plates)


def test_filter_bank_accepts_list_of_plates(plates):
    bank = FilterBank(filters=["otsu"]).fit(list(plates))
    np.testing.assert_array_equal(bank.transform(list(plates)), bank.transform(plates))


def test_filters_select_and_order(plates):
    bank = FilterBank(filters=["sharpen", "otsu", "gray"]).fit(plates)
    assert bank.variant_names_ == ["sharpen_5", "sharpen_6", "sharpen_7", "otsu", "gray"]
    out = bank.transform(plates)
    assert out.shape == (4, 5, 80, 240)
    np.testing.assert_array_equal(out[1, 3], otsu(plates[1]))
    np.testing.assert_array_equal(out[:, 4], plates)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"filters": ["otsu", "bogus"]}, r"'bogus'.*known filters: gray, otsu"),
        ({"filters": "otsu"}, "filters"),
        ({"filters": []}, "at least one"),
        ({"filters": ["otsu", "otsu"]}, "once"),
        ({"blur_kernel": 4}, "blur_kernel"),
        ({"blur_kernel": 0}, "blur_kernel"),
        ({"clahe_clip_limit": 0}, "clahe_clip_limit"),
        ({"stable_step": 0}, "stable_step"),
        ({"brightness_factor": -1.0}, "brightness_factor"),
        ({"sharpen_centers": (4,)}, "sharpen_centers"),
        ({"sharpen_centers": ()}, "sharpen_centers"),
        ({"sharpen_centers": (5, 5)}, "sharpen_centers"),
        ({"sharpen_centers": 5}, "sharpen_centers"),
        ({"bilateral_centers": ("a",)}, "bilateral_centers"),
        ({"bilateral_diameter": 0}, "bilateral_diameter"),
        ({"unsharp_sigma": 0}, "unsharp_sigma"),
        ({"unsharp_amount": -1.0}, "unsharp_amount"),
    ],
)
def test_filter_bank_bad_params(plates, params, match):
    bank = FilterBank(**params)  # __init__ does not validate
    with pytest.raises(ValueError, match=match):
        bank.fit(plates)


@pytest.mark.parametrize(
    "X, match",
    [
        (np.zeros((2, 80, 240), np.float32), "uint8"),
        (np.zeros((80, 240), np.uint8), "shape"),
        (np.zeros((2, 80, 240, 3), np.uint8), "shape"),
        (np.zeros((2, 0, 240), np.uint8), "empty"),
        ([], "empty"),
        ([np.zeros((80, 240), np.uint8), np.zeros((40, 120), np.uint8)], "same shape"),
        ([np.zeros((80, 240, 3), np.uint8)], r"plates\[0\]"),
        ("plates.png", "list of 2-D"),
    ],
)
def test_filter_bank_bad_plates(plates, X, match):
    bank = FilterBank(filters=["gray"]).fit(plates)
    with pytest.raises((TypeError, ValueError), match=match):
        bank.transform(X)


def test_filter_bank_not_fitted(plates):
    with pytest.raises(NotFittedError):
        FilterBank().transform(plates)
    with pytest.raises(NotFittedError):
        FilterBank().get_feature_names_out()


def test_set_params_changes_output(plates):
    bank = FilterBank(filters=["sharpen"], sharpen_centers=(5,)).fit(plates)
    strong = bank.transform(plates)
    bank.set_params(sharpen_centers=(9,))
    with pytest.raises(ValueError, match="fit again"):
        bank.transform(plates)
    mild = bank.fit(plates).transform(plates)
    assert bank.variant_names_ == ["sharpen_9"]
    assert not np.array_equal(strong, mild)
    # A parameter that keeps the variants applies without refitting.
    bank = FilterBank(filters=["clahe_tozero"]).fit(plates)
    before = bank.transform(plates)
    after = bank.set_params(clahe_clip_limit=8.0).transform(plates)
    assert not np.array_equal(before, after)


def test_pipeline_set_params_and_clone(plates):
    pipe = Pipeline([("cropper", PlateCropper()), ("filter_bank", FilterBank())])
    pipe.set_params(filter_bank__clahe_clip_limit=3.0, filter_bank__filters=["otsu"])
    assert pipe.get_params()["filter_bank__clahe_clip_limit"] == 3.0
    photo = cv2.cvtColor(np.pad(plates[0], 40, constant_values=100), cv2.COLOR_GRAY2BGR)
    out = pipe.fit_transform([(photo, (40, 40, 280, 120))])
    assert out.shape == (1, 1, 80, 240)
    bank = FilterBank(filters=("otsu", "sharpen"), sharpen_centers=(6,), stable_step=4)
    copy = clone(bank)
    assert copy.get_params() == bank.get_params()
    assert not hasattr(copy, "variant_names_")
