"""Blur estimation and deconvolution of plate crops (skplate.deblur, PlateCropper(deblur=))."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from skplate.crop import PlateCropper, crop_plate
from skplate.deblur import deblur, estimate_blur


def _plate(scale: float = 1.0) -> np.ndarray:
    """A made plate: dark characters 24 px high on a light plate, in a gray photo."""
    photo = np.full((90, 220), 200, np.uint8)
    cv2.putText(photo, "1234 ABC", (10, 60), cv2.FONT_HERSHEY_SIMPLEX, scale, 30, 3)
    return photo


@pytest.mark.parametrize("sigma", [1.5, 2.0, 2.5])
def test_estimate_blur_measures_a_gaussian_blur(sigma):
    blurred = cv2.GaussianBlur(_plate(), (0, 0), sigma)
    assert estimate_blur(blurred) == pytest.approx(sigma, abs=0.35)


def test_estimate_blur_grows_with_the_blur_and_is_low_on_sharp_edges():
    sigmas = [0.0, 1.0, 1.5, 2.0, 2.5]
    blurs = [
        estimate_blur(cv2.GaussianBlur(_plate(), (0, 0), s) if s else _plate()) for s in sigmas
    ]
    assert blurs == sorted(blurs)
    assert blurs[0] < 1.1  # a perfect step edge: about 1 (a photo's fine texture: less)
    assert estimate_blur(np.full((20, 30), 128, np.uint8)) == 0.0  # no edges
    flat_ramp = np.tile(np.linspace(100, 110, 60), (20, 1)).astype(np.uint8)
    assert np.isfinite(estimate_blur(flat_ramp))


def test_deblur_names_a_blur_it_cannot_undo():
    with pytest.raises(ValueError, match="sigma"):
        deblur(_plate(), float("inf"))


def test_deblur_undoes_most_of_a_known_blur():
    sharp = _plate().astype(float)
    blurred = cv2.GaussianBlur(_plate(), (0, 0), 2.0)
    restored = deblur(blurred, 2.0)
    assert restored.shape == blurred.shape
    assert restored.dtype == np.uint8
    error_before = np.abs(blurred - sharp).mean()
    error_after = np.abs(restored - sharp).mean()
    assert error_after < 0.6 * error_before
    assert estimate_blur(restored) < estimate_blur(blurred) - 0.5
    assert np.array_equal(deblur(blurred, 0.0), blurred)  # nothing to undo


def test_deblur_keeps_the_sides_apart():
    """The image is mirrored before the filter: a dark left side does not wrap onto the
    light right side."""
    image = np.full((40, 80), 220, np.uint8)
    image[:, :20] = 20
    restored = deblur(cv2.GaussianBlur(image, (0, 0), 1.5), 1.5)
    assert restored[:, -10:].min() >= 200
    assert restored[:, :10].max() <= 40


def test_cropper_deblurs_only_the_crops_blurred_beyond_its_threshold():
    sharp = _plate()
    blurred = cv2.GaussianBlur(sharp, (0, 0), 2.0)
    box = (0, 0, sharp.shape[1], sharp.shape[0])
    samples = [(sharp, box), (blurred, box)]
    plain = PlateCropper(margin=(0.0, 0.0)).fit(samples)
    deblurring = PlateCropper(margin=(0.0, 0.0), deblur=1.2).fit(samples)
    blurs = deblurring.blurs(samples)
    assert blurs[0] < 1.2 < blurs[1]
    assert blurs[1] == pytest.approx(estimate_blur(blurred))
    plain_plates, deblurred_plates = plain.transform(samples), deblurring.transform(samples)
    assert np.array_equal(plain_plates[0], deblurred_plates[0])  # sharp: as it was
    assert not np.array_equal(plain_plates[1], deblurred_plates[1])
    # The deblurred plate's strokes are steeper: a larger share of dark and light pixels.
    mid_tones = [np.mean((p > 70) & (p < 160)) for p in (plain_plates[1], deblurred_plates[1])]
    assert mid_tones[1] < 0.75 * mid_tones[0]
    assert np.array_equal(
        crop_plate(blurred, box, (0, 0), deblur=1.2), deblurred_plates[1]
    )  # the function the cropper wraps


@pytest.mark.parametrize("deblur_value", [-0.5, "auto"])
def test_cropper_names_a_bad_deblur(deblur_value):
    with pytest.raises(ValueError, match="deblur"):
        PlateCropper(deblur=deblur_value).fit([(_plate(), (0, 0, 220, 90))])


def test_croppers_saved_before_deblur_do_not_deblur():
    cropper = PlateCropper().fit([(_plate(), (0, 0, 220, 90))])
    state = dict(cropper.__getstate__())
    del state["deblur"]
    old = PlateCropper.__new__(PlateCropper)
    old.__setstate__(state)
    assert old.get_params()["deblur"] is None
