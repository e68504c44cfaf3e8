"""Tests of skplate.crop on plates drawn with OpenCV at a known box and angle."""

from __future__ import annotations

import pickle

import cv2
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from skplate.crop import (
    PlateCropper,
    crop_plate,
    deskew,
    deslant,
    estimate_skew,
    estimate_slant,
    eu_band_mask,
)
from skplate.samples import PlateSample

PLATE_BOX = (120, 110, 360, 190)  # x1, y1, x2, y2 of the unrotated 240x80 plate
INK, PLATE, BACKGROUND = 20, 235, 110


def draw_plate(
    angle: float = 0.0, *, text: str = "1234BCD", invert: bool = False, background: int = 110
) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """Draw a plate on a noisy 300x480 BGR photo, rotated by ``angle`` (CCW) about its centre.

    Returns the photo and the axis-aligned box of the rotated plate (what a detector gives).
    """
    rng = np.random.default_rng(0)
    photo = np.full((300, 480), background, np.uint8)
    photo = cv2.add(photo, rng.integers(0, 30, photo.shape, dtype=np.uint8))
    x1, y1, x2, y2 = PLATE_BOX
    ink, plate = (PLATE, INK) if invert else (INK, PLATE)
    cv2.rectangle(photo, (x1, y1), (x2 - 1, y2 - 1), plate, thickness=-1)
    cv2.putText(photo, text, (x1 + 12, y2 - 22), cv2.FONT_HERSHEY_SIMPLEX, 1.4, ink, 4, cv2.LINE_AA)
    photo, box = rotate_about_plate(photo, PLATE_BOX, angle)
    return cv2.cvtColor(photo, cv2.COLOR_GRAY2BGR), box


def rotate_about_plate(
    photo: np.ndarray, plate: tuple[int, int, int, int], angle: float
) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """Rotate a gray photo by ``angle`` (CCW) about the centre of its ``plate`` box; return
    it and the axis-aligned box of the rotated plate (what a detector gives)."""
    x1, y1, x2, y2 = plate
    matrix = cv2.getRotationMatrix2D(((x1 + x2) / 2.0, (y1 + y2) / 2.0), angle, 1.0)
    height, width = photo.shape
    photo = cv2.warpAffine(
        photo, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    corners = np.array([[x1, y1, 1], [x2, y1, 1], [x1, y2, 1], [x2, y2, 1]], float) @ matrix.T
    box = (
        int(np.floor(corners[:, 0].min())),
        int(np.floor(corners[:, 1].min())),
        int(np.ceil(corners[:, 0].max())),
        int(np.ceil(corners[:, 1].max())),
    )
    return photo, box


def native_crop(photo: np.ndarray, box: tuple[int, ...]) -> np.ndarray:
    """The box at its own size (no resize, so angles are not distorted)."""
    return crop_plate(photo, box, (0.0, 0.0), (box[2] - box[0], box[3] - box[1]))


# --- crop_plate -------------------------------------------------------------------------


def test_crop_plate_shape_and_text():
    photo, box = draw_plate()
    plate = crop_plate(photo, box)
    assert plate.shape == (80, 240)
    assert plate.dtype == np.uint8
    # The text band holds ink; the plate around it is light.
    band = plate[20:60, 20:220]
    assert 0.05 < np.mean(band < 80) < 0.6
    assert np.median(plate) > 200


def test_crop_plate_exact_region_without_margin():
    photo, box = draw_plate()
    x1, y1, x2, y2 = box
    plate = crop_plate(photo, box, margin=(0, 0), output_size=(x2 - x1, y2 - y1))
    expected = cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY)[y1:y2, x1:x2]
    np.testing.assert_array_equal(plate, expected)


@pytest.mark.parametrize("output_size", [(480, 160), (60, 20)])
def test_crop_plate_interpolation(output_size):
    photo, box = draw_plate()
    x1, y1, x2, y2 = box
    region = cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY)[y1:y2, x1:x2]
    enlarge = output_size[0] > x2 - x1
    expected = cv2.resize(
        region, output_size, interpolation=cv2.INTER_CUBIC if enlarge else cv2.INTER_AREA
    )
    np.testing.assert_array_equal(crop_plate(photo, box, (0, 0), output_size), expected)


def test_crop_plate_margin():
    photo, box = draw_plate()
    tight = crop_plate(photo, box, margin=(0, 0))
    wide = crop_plate(photo, box, margin=(0.1, 0.25))
    narrow = crop_plate(photo, box, margin=(-0.1, -0.2))
    assert tight[:3].mean() > 200  # the plate's own edge
    assert wide[:3].mean() < 150  # the photo around it
    assert narrow.shape == (80, 240)
    assert np.mean(narrow < 80) > np.mean(tight < 80)  # the text fills more of the crop


def test_crop_plate_clips_box_to_image():
    photo, _ = draw_plate()
    plate = crop_plate(photo, (-50, -20, 100, 60))
    assert plate.shape == (80, 240)
    plate = crop_plate(photo, (400, 250, 600, 400), output_size=(64, 32))
    assert plate.shape == (32, 64)


def test_cropper_windows_are_the_pixels_crop_plate_cuts():
    photo, box = draw_plate()
    x1, y1, x2, y2 = box
    cropper = PlateCropper(margin=(0.1, 0.25), deskew=False, max_slant=0).fit([(photo, box)])
    (wx1, wy1, wx2, wy2), = cropper.windows([(photo, box)])
    assert (wx1, wx2) == (round(x1 - 0.1 * (x2 - x1)), round(x2 + 0.1 * (x2 - x1)))
    assert (wy1, wy2) == (round(y1 - 0.25 * (y2 - y1)), round(y2 + 0.25 * (y2 - y1)))
    cut = cv2.resize(
        cv2.cvtColor(photo[wy1:wy2, wx1:wx2], cv2.COLOR_BGR2GRAY), (240, 80),
        interpolation=cv2.INTER_AREA if (wx2 - wx1) * (wy2 - wy1) > 240 * 80 else cv2.INTER_CUBIC,
    )
    plate = crop_plate(photo, box, margin=(0.1, 0.25), remove_eu_band=False)
    np.testing.assert_array_equal(plate, cut)
    # A tight crop, the box the whole photo: every margin is clipped away.
    height, width = photo.shape[:2]
    whole = (0, 0, width, height)
    assert cropper.windows([(photo, whole)]) == [whole]
    assert clone(cropper).set_params(margin=(0.02, 0)).windows([(photo, whole)]) == [whole]
    with pytest.raises(ValueError, match=r"car\.jpg"):
        cropper.windows([PlateSample(photo, (500, 500, 600, 600), "car.jpg")])


def test_crop_plate_pads_the_margin_the_photo_clips():
    photo, box = draw_plate()
    x1, y1, x2, y2 = box
    # The box inside the photo: nothing clipped, nothing padded.
    np.testing.assert_array_equal(
        crop_plate(photo, box, margin=(0.02, 0.0), pad_clipped=0.05),
        crop_plate(photo, box, margin=(0.02, 0.0)),
    )
    # A tight crop, the box the whole image: the sides the margin reaches past are padded
    # with their edge pixels out to 0.05 of the box's width; no vertical margin, no padding.
    tight = np.ascontiguousarray(photo[y1:y2, x1:x2])
    width, height = x2 - x1, y2 - y1
    whole = (0, 0, width, height)
    pad = round(0.05 * width)
    expected = cv2.resize(
        cv2.copyMakeBorder(
            cv2.cvtColor(tight, cv2.COLOR_BGR2GRAY), 0, 0, pad, pad, cv2.BORDER_REPLICATE
        ),
        (240, 80),
        interpolation=cv2.INTER_AREA if (width + 2 * pad) * height > 240 * 80 else cv2.INTER_CUBIC,
    )
    padded = crop_plate(tight, whole, margin=(0.02, 0.0), pad_clipped=0.05, remove_eu_band=False)
    np.testing.assert_array_equal(padded, expected)
    unpadded = crop_plate(tight, whole, margin=(0.02, 0.0), remove_eu_band=False)
    assert not np.array_equal(padded, unpadded)
    # The cropper's parameter; old croppers pad nothing.
    cropper = PlateCropper(margin=(0.02, 0.0), pad_clipped=0.05, remove_eu_band=False)
    cropper.set_params(deskew=False, max_slant=0).fit([(tight, whole)])
    np.testing.assert_array_equal(cropper.transform([(tight, whole)])[0], padded)
    state = dict(cropper.__getstate__())
    del state["pad_clipped"]
    old = PlateCropper.__new__(PlateCropper)
    old.__setstate__(state)
    assert old.pad_clipped is None
    with pytest.raises(ValueError, match="pad_clipped"):
        clone(cropper).set_params(pad_clipped=2.0).fit([(tight, whole)])


@pytest.mark.parametrize("box", [(500, 10, 600, 50), (-100, -100, -10, -10), (10, 10, 11, 11)])
def test_crop_plate_box_outside_image(box):
    photo, _ = draw_plate()
    with pytest.raises(ValueError, match="outside"):
        crop_plate(photo, box, name="car.jpg")


def test_crop_plate_bad_arguments():
    photo, box = draw_plate()
    with pytest.raises(ValueError, match="four numbers"):
        crop_plate(photo, (1, 2, 3))
    with pytest.raises(ValueError, match="margin"):
        crop_plate(photo, box, margin=(0.1,))
    with pytest.raises(ValueError, match="margin"):
        crop_plate(photo, box, margin=(-0.5, 0))
    with pytest.raises(ValueError, match="output_size"):
        crop_plate(photo, box, output_size=(240, 0))
    with pytest.raises(ValueError, match="output_size"):
        crop_plate(photo, box, output_size=(240.0, 80))
    with pytest.raises(TypeError, match="dtype"):
        crop_plate(photo.astype(np.float32), box)


def test_crop_plate_uint16_and_bgra():
    photo, box = draw_plate()
    expected = crop_plate(photo, box)
    as_uint16 = photo.astype(np.uint16) * 257
    np.testing.assert_allclose(crop_plate(as_uint16, box), expected, atol=1)
    bgra = cv2.cvtColor(photo, cv2.COLOR_BGR2BGRA)
    np.testing.assert_allclose(crop_plate(bgra, box), expected, atol=1)
    gray = cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY)
    np.testing.assert_array_equal(crop_plate(gray, box), expected)


# --- estimate_skew / deskew -------------------------------------------------------------


@pytest.mark.parametrize("angle", [-12.0, -6.0, -2.0, 0.0, 3.0, 8.0, 12.0])
def test_estimate_skew_recovers_known_rotation(angle):
    photo, box = draw_plate(angle)
    assert estimate_skew(native_crop(photo, box)) == pytest.approx(angle, abs=1.0)
    # Measured with the horizontal runs cut out (the median of three cuts): the same.
    cut = estimate_skew(native_crop(photo, box), cut_runs=(0.03, 0.06, 0.1))
    assert cut == pytest.approx(angle, abs=1.0)


def draw_framed_tight_crop(angle: float) -> np.ndarray:
    """A plate with a dark frame that its characters touch, rotated by ``angle`` and cut
    out by its axis-aligned box (no margin), as a detector or a dataset gives it."""
    rng = np.random.default_rng(0)
    photo = cv2.add(np.full((300, 480), 60, np.uint8), rng.integers(0, 30, (300, 480), np.uint8))
    x1, y1, x2, y2 = 120, 120, 360, 163
    cv2.rectangle(photo, (x1, y1), (x2 - 1, y2 - 1), 230, thickness=-1)
    cv2.rectangle(photo, (x1, y1), (x2 - 1, y2 - 1), 30, thickness=3)
    cv2.putText(photo, "1234BCD", (x1 + 8, y2 - 2), cv2.FONT_HERSHEY_SIMPLEX, 1.75, 30, 5)
    return native_crop(*rotate_about_plate(photo, (x1, y1, x2, y2), angle))


def test_cut_runs_measure_the_skew_of_a_tight_crop_whose_frame_joins_the_text():
    angles = [-10.0, -8.0, -6.0, -4.0, 4.0, 6.0, 8.0, 10.0]
    crops = [draw_framed_tight_crop(angle) for angle in angles]
    cut_runs = PlateCropper().get_params()["skew_cut_runs"]  # the default
    assert tuple(cut_runs) == (0.03, 0.06, 0.1)

    def errors(runs):
        measured = [estimate_skew(crop, cut_runs=runs) for crop in crops]
        return np.abs(np.subtract(measured, angles))

    uncut, cut = errors(()), errors(cut_runs)
    # Measured (drawn plates): uncut off by up to 1.1 degrees (mean 0.68), cut by up to
    # 0.48 (mean 0.12).
    assert cut.max() <= 0.6 and cut.mean() <= 0.2
    assert uncut.mean() > 3 * cut.mean()


@pytest.mark.parametrize("cut_runs", [(0.0,), (0.1, 1.0), "0.1", 0.1, (None,)])
def test_estimate_skew_rejects_bad_cut_runs(cut_runs):
    photo, box = draw_plate(3.0)
    with pytest.raises(ValueError, match="cut_runs"):
        estimate_skew(native_crop(photo, box), cut_runs=cut_runs)


@pytest.mark.parametrize("angle", [-7.0, 5.0])
@pytest.mark.parametrize("background", [0, 250])
def test_estimate_skew_other_surroundings_and_polarity(angle, background):
    photo, box = draw_plate(angle, background=background)
    assert estimate_skew(native_crop(photo, box)) == pytest.approx(angle, abs=1.0)
    photo, box = draw_plate(angle, invert=True, background=background)
    assert estimate_skew(native_crop(photo, box)) == pytest.approx(angle, abs=1.0)


def test_estimate_skew_blank_and_limits():
    assert estimate_skew(np.full((80, 240), 200, np.uint8)) == 0.0
    photo, box = draw_plate(8.0)
    crop = native_crop(photo, box)
    assert estimate_skew(crop, max_angle=0) == 0.0
    assert abs(estimate_skew(crop, max_angle=4)) <= 4
    with pytest.raises(ValueError, match="max_angle"):
        estimate_skew(crop, max_angle=-1)
    with pytest.raises(ValueError, match="max_angle"):
        estimate_skew(crop, max_angle=90)


@pytest.mark.parametrize("mode", ["rotate", "shear"])
def test_deskew_makes_text_horizontal(mode):
    photo, box = draw_plate(-9.0)
    crop = native_crop(photo, box)
    straight = deskew(crop, mode=mode)
    assert straight.shape == crop.shape
    assert straight.dtype == np.uint8
    assert abs(estimate_skew(straight)) < 1.0


def test_deskew_leaves_straight_plate_alone():
    photo, box = draw_plate(0.0)
    crop = native_crop(photo, box)
    assert abs(estimate_skew(deskew(crop))) < 1.0
    blank = np.full((80, 240), 200, np.uint8)
    assert deskew(blank) is blank
    with pytest.raises(ValueError, match="mode"):
        deskew(crop, mode="affine")


# --- estimate_slant / deslant -----------------------------------------------------------


def draw_upright_plate(text: str = "1234BCD") -> np.ndarray:
    """A 240x80 gray plate with a frame and upright dark lettering."""
    plate = np.full((80, 240), PLATE, np.uint8)
    cv2.rectangle(plate, (2, 2), (237, 77), INK, thickness=2)
    cv2.putText(plate, text, (14, 58), cv2.FONT_HERSHEY_SIMPLEX, 1.4, INK, 4, cv2.LINE_AA)
    return plate


def lean(plate: np.ndarray, slant: float) -> np.ndarray:
    """Shear a plate so its characters lean right by ``slant`` pixels per row (italic)."""
    height, width = plate.shape
    matrix = np.array([[1.0, -slant, slant * (height - 1) / 2.0], [0.0, 1.0, 0.0]])
    return cv2.warpAffine(plate, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE)


def column_sharpness(plate: np.ndarray) -> float:
    """Sum of squared column counts of the dark pixels: higher when strokes stand upright."""
    counts = np.count_nonzero(plate[15:65] < 128, axis=0).astype(float)
    return float(np.sum(counts**2))


@pytest.mark.parametrize("slant", [-0.25, -0.1, 0.1, 0.2, 0.35])
def test_estimate_slant_recovers_a_known_lean(slant):
    assert estimate_slant(lean(draw_upright_plate(), slant)) == pytest.approx(slant, abs=0.04)


def test_estimate_slant_upright_blank_and_limits():
    for text in ("1234BCD", "HELLO12", "0000000"):
        assert estimate_slant(draw_upright_plate(text)) == 0.0
    assert estimate_slant(np.full((80, 240), 200, np.uint8)) == 0.0
    leaning = lean(draw_upright_plate(), 0.3)
    assert estimate_slant(leaning, max_slant=0) == 0.0
    assert abs(estimate_slant(leaning, max_slant=0.1)) <= 0.1
    for bad in (-0.1, 1.5, "0.4"):
        with pytest.raises(ValueError, match="max_slant"):
            estimate_slant(leaning, max_slant=bad)


def test_deslant_stands_the_characters_up():
    upright = draw_upright_plate()
    leaning = lean(upright, 0.3)
    straight = deslant(leaning)
    assert straight.shape == leaning.shape
    assert straight.dtype == np.uint8
    assert abs(estimate_slant(straight)) <= 0.04
    assert column_sharpness(straight) > 1.2 * column_sharpness(leaning)
    assert column_sharpness(straight) > 0.85 * column_sharpness(upright)
    blank = np.full((80, 240), 200, np.uint8)
    assert deslant(blank) is blank


# --- PlateCropper -----------------------------------------------------------------------


def test_cropper_fit_transform():
    photo, box = draw_plate(5.0)
    samples = [PlateSample(photo, box, "a.jpg"), (photo, box), (photo[:, :, 0], box, "c")]
    cropper = PlateCropper()
    assert cropper.fit(samples) is cropper
    assert cropper.output_shape_ == (80, 240)
    plates = cropper.transform(samples)
    assert plates.shape == (3, 80, 240)
    assert plates.dtype == np.uint8
    np.testing.assert_array_equal(plates[0], plates[1])
    np.testing.assert_array_equal(PlateCropper().fit_transform(samples), plates)


def test_cropper_output_size_and_no_deskew():
    photo, box = draw_plate(5.0)
    cropper = PlateCropper(output_size=(120, 30), deskew=False, max_slant=0, margin=(0, 0))
    plates = cropper.fit_transform([(photo, box)])
    assert plates.shape == (1, 30, 120)
    np.testing.assert_array_equal(plates[0], crop_plate(photo, box, (0, 0), (120, 30)))


def test_cropper_deskew_straightens_plate():
    photo, box = draw_plate(-10.0)
    x1, y1, x2, y2 = box
    isotropic = dict(margin=(0, 0), output_size=(x2 - x1, y2 - y1))
    skewed = PlateCropper(deskew=False, **isotropic).fit_transform([(photo, box)])[0]
    straight = PlateCropper(**isotropic).fit_transform([(photo, box)])[0]
    assert estimate_skew(skewed) == pytest.approx(-10.0, abs=1.0)
    assert abs(estimate_skew(straight)) < 1.0
    # With the default output size the plate is straightened in its resized pixel grid.
    default = PlateCropper().fit_transform([(photo, box)])[0]
    assert abs(estimate_skew(default)) < 1.0


def test_cropper_deslants_italic_lettering():
    photo = np.full((200, 400), BACKGROUND, np.uint8)
    photo[60:140, 80:320] = lean(draw_upright_plate(), 0.25)
    exact = dict(margin=(0, 0), output_size=(240, 80))
    sample = [(photo, (80, 60, 320, 140))]
    kept = PlateCropper(max_slant=0, **exact).fit_transform(sample)[0]
    upright = PlateCropper(**exact).fit_transform(sample)[0]
    assert estimate_slant(kept) == pytest.approx(0.25, abs=0.04)
    assert abs(estimate_slant(upright)) <= 0.04
    assert column_sharpness(upright) > 1.2 * column_sharpness(kept)


def test_croppers_pickled_before_the_deslant_keep_their_plates():
    photo = np.full((200, 400), BACKGROUND, np.uint8)
    photo[60:140, 80:320] = lean(draw_upright_plate(), 0.25)
    sample = [(photo, (80, 60, 320, 140))]
    state = dict(PlateCropper().fit(sample).__getstate__())
    del state["max_slant"]  # as skplate 0.2.0 pickled it
    restored = PlateCropper.__new__(PlateCropper)
    restored.__setstate__(state)
    assert restored.get_params()["max_slant"] == 0.0
    np.testing.assert_array_equal(
        restored.transform(sample), PlateCropper(max_slant=0).fit_transform(sample)
    )


def test_croppers_pickled_before_skew_cut_runs_keep_their_plates():
    photo, box = draw_plate(6.0)
    state = dict(PlateCropper().fit([(photo, box)]).__getstate__())
    del state["skew_cut_runs"]
    restored = PlateCropper.__new__(PlateCropper)
    restored.__setstate__(state)
    assert restored.get_params()["skew_cut_runs"] == ()
    np.testing.assert_array_equal(
        restored.transform([(photo, box)]),
        PlateCropper(skew_cut_runs=()).fit_transform([(photo, box)]),
    )


def test_cropper_errors_name_the_sample():
    photo, box = draw_plate()
    cropper = PlateCropper().fit([(photo, box)])
    with pytest.raises(ValueError, match=r"X\[1\].*outside"):
        cropper.transform([(photo, box), (photo, (900, 900, 950, 950))])
    with pytest.raises(ValueError, match=r"car\.jpg"):
        cropper.transform([PlateSample(photo, (900, 900, 950, 950), "car.jpg")])
    with pytest.raises(TypeError, match="single sample"):
        cropper.transform((photo, box))
    with pytest.raises(TypeError, match=r"X\[0\]"):
        cropper.transform([photo])


def test_cropper_not_fitted():
    photo, box = draw_plate()
    with pytest.raises(NotFittedError):
        PlateCropper().transform([(photo, box)])


@pytest.mark.parametrize(
    "params, match",
    [
        ({"margin": (0.1,)}, "margin"),
        ({"margin": (-0.6, 0.0)}, "margin"),
        ({"margin": 0.1}, "margin"),
        ({"output_size": (240, 0)}, "output_size"),
        ({"output_size": (240, 80, 3)}, "output_size"),
        ({"deskew": "yes"}, "deskew"),
        ({"max_skew": 60}, "max_skew"),
        ({"max_skew": -1}, "max_skew"),
        ({"max_slant": -0.1}, "max_slant"),
        ({"max_slant": 1.5}, "max_slant"),
        ({"skew_cut_runs": (0.1, 2.0)}, "skew_cut_runs"),
        ({"skew_cut_runs": "0.1"}, "skew_cut_runs"),
    ],
)
def test_cropper_bad_params(params, match):
    photo, box = draw_plate()
    cropper = PlateCropper(**params)  # __init__ does not validate
    with pytest.raises(ValueError, match=match):
        cropper.fit([(photo, box)])


def test_cropper_params_changed_after_fit():
    photo, box = draw_plate()
    cropper = PlateCropper().fit([(photo, box)])
    cropper.set_params(output_size=(100, 40))
    with pytest.raises(ValueError, match="fit again"):
        cropper.transform([(photo, box)])
    assert cropper.fit([(photo, box)]).transform([(photo, box)]).shape == (1, 40, 100)


def test_cropper_clone_params_pickle():
    photo, box = draw_plate(4.0)
    cropper = PlateCropper(margin=(0.0, 0.1), output_size=(200, 50), max_skew=10.0)
    copy = clone(cropper)
    assert copy.get_params() == cropper.get_params()
    assert not hasattr(copy, "output_shape_")
    cropper.fit([(photo, box)])
    restored = pickle.loads(pickle.dumps(cropper))
    np.testing.assert_array_equal(
        restored.transform([(photo, box)]), cropper.transform([(photo, box)])
    )


# --- the EU band ------------------------------------------------------------------------

EU_BLUE = (160, 50, 10)  # BGR


def draw_eu_plate(*, lettering: tuple[int, int, int] = (20, 20, 20)) -> np.ndarray:
    """A 240x80 colour plate: a blue EU band (30 px, a white "E" on it), then dark text."""
    plate = np.full((80, 240, 3), 235, np.uint8)
    cv2.rectangle(plate, (4, 4), (33, 75), EU_BLUE, thickness=-1)
    cv2.putText(plate, "E", (10, 66), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (255, 255, 255), 2)
    cv2.putText(plate, "1234BCD", (44, 58), cv2.FONT_HERSHEY_SIMPLEX, 1.2, lettering, 4)
    return plate


def test_eu_band_mask_covers_the_band_with_its_letter_and_nothing_else():
    plate = draw_eu_plate()
    mask = eu_band_mask(plate)
    assert mask[4:76, 4:34].all()  # the band, the "E" on it included
    assert not mask[:, 36:].any()  # the text and the plate are left alone


def test_eu_band_mask_is_empty_for_blue_lettering_and_plain_plates():
    assert not eu_band_mask(draw_eu_plate(lettering=EU_BLUE)).any()
    plain = np.full((80, 240, 3), 235, np.uint8)
    cv2.putText(plain, "1234BCD", (44, 58), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (20, 20, 20), 4)
    assert not eu_band_mask(plain).any()


def draw_tight_plate(band: tuple[int, int, int], *, band_left: int = 0) -> np.ndarray:
    """A 160x40 tight crop: a band of colour ``band`` from ``band_left`` (12 px wide), text."""
    plate = np.full((40, 160, 3), 225, np.uint8)
    cv2.rectangle(plate, (band_left, 0), (band_left + 11, 39), band, thickness=-1)
    cv2.putText(plate, "1234BCD", (24, 31), cv2.FONT_HERSHEY_SIMPLEX, 0.75, (25, 25, 25), 2)
    return plate


@pytest.mark.parametrize(
    "band",
    [(50, 40, 150), (150, 60, 160), (140, 60, 125)],  # red, magenta, violet (BGR)
    ids=["red", "magenta", "violet"],
)
def test_eu_band_mask_finds_a_band_of_any_colour_against_the_left_edge(band):
    plate = draw_tight_plate(band)
    mask = eu_band_mask(plate)
    assert mask[:, :12].all()  # the band
    assert not mask[:, 14:].any()  # the text and the plate
    assert not eu_band_mask(plate, hue="blue").any()  # not blue: blue-only misses it


def test_eu_band_mask_of_any_hue_leaves_coloured_text_and_plates_alone():
    # A coloured strip further in (a red first character, a sticker) is no band...
    assert not eu_band_mask(draw_tight_plate((50, 40, 150), band_left=8)).any()
    # ...nor is a plate that is coloured all over (a yellow or red plate)...
    yellow = np.full((40, 160, 3), (40, 200, 230), np.uint8)
    cv2.putText(yellow, "1234BCD", (24, 31), cv2.FONT_HERSHEY_SIMPLEX, 0.75, (25, 25, 25), 2)
    assert not eu_band_mask(yellow).any()
    # ...and the blue band is found as before, wherever it lies within the left fifth.
    np.testing.assert_array_equal(
        eu_band_mask(draw_eu_plate()), eu_band_mask(draw_eu_plate(), hue="blue")
    )
    with pytest.raises(ValueError, match="hue must be one of"):
        eu_band_mask(draw_eu_plate(), hue="red")


def test_cropper_eu_band_hue_reaches_the_crop_and_old_croppers_keep_blue():
    plate = draw_tight_plate((50, 40, 150))
    box = (0, 0, 160, 40)
    any_hue = PlateCropper(margin=(0.0, 0.0), deskew=False, max_slant=0.0).fit([(plate, box)])
    blue = clone(any_hue).set_params(eu_band_hue="blue").fit([(plate, box)])
    assert any_hue.transform([(plate, box)])[0][:, :30].min() >= 200  # band painted out
    assert blue.transform([(plate, box)])[0][5:75, 5:20].mean() < 160  # band kept
    np.testing.assert_array_equal(
        crop_plate(plate, box, (0.0, 0.0), eu_band_hue="blue"),
        crop_plate(plate, box, (0.0, 0.0), remove_eu_band=False),
    )
    with pytest.raises(ValueError, match="eu_band_hue"):
        crop_plate(plate, box, (0.0, 0.0), eu_band_hue="red")
    with pytest.raises(ValueError, match="eu_band_hue"):
        PlateCropper(eu_band_hue="red").fit([(plate, box)])
    # A cropper pickled before eu_band_hue found the band blue only: it still does.
    state = any_hue.__getstate__()
    del state["eu_band_hue"]
    old = PlateCropper.__new__(PlateCropper)
    old.__setstate__(state)
    assert old.eu_band_hue == "blue"


def test_crop_plate_paints_the_eu_band_in_the_plate_level():
    plate = draw_eu_plate()
    box = (0, 0, 240, 80)
    removed = crop_plate(plate, box, (0.0, 0.0))
    kept = crop_plate(plate, box, (0.0, 0.0), remove_eu_band=False)
    assert kept[10:70, 8:30].mean() < 120  # the dark band
    assert removed[:, :36].min() >= 200  # band and "E" painted like the plate
    np.testing.assert_array_equal(removed[:, 40:], kept[:, 40:])  # text untouched
    # A gray photo has no colour to find the band by: it is cropped as it is.
    gray = cv2.cvtColor(plate, cv2.COLOR_BGR2GRAY)
    np.testing.assert_array_equal(crop_plate(gray, box, (0.0, 0.0)), kept)
    # The estimator passes the switch on.
    cropper = PlateCropper(margin=(0.0, 0.0), deskew=False).fit([(plate, box)])
    np.testing.assert_array_equal(cropper.transform([(plate, box)])[0], removed)
    cropper.set_params(remove_eu_band=False)
    np.testing.assert_array_equal(cropper.transform([(plate, box)])[0], kept)
