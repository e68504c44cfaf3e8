"""Tests of the painted-block finder (anonymised characters) and the cropper's use of it."""

from __future__ import annotations

import pickle

import cv2
import numpy as np
import pytest

from skplate.crop import PlateCropper, crop_plate
from skplate.painted import paint_over_blocks, painted_block_mask
from skplate.samples import PlateSample


def _plate(seed: int = 0, block_level: int | None = 120) -> tuple[np.ndarray, tuple]:
    """A noisy 200x48 plate, '1234 ABC' in dark ink; the '3' painted over with a flat box."""
    rng = np.random.RandomState(seed)
    gray = np.full((48, 200), 200, np.uint8)
    cv2.putText(gray, "1234 ABC", (6, 38), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 40, 3)
    noisy = gray.astype(float) + rng.normal(0, 3, gray.shape)
    gray = np.clip(noisy, 0, 255).astype(np.uint8)
    box = (58, 8, 80, 40)  # over the '3'
    if block_level is not None:
        gray[box[1] : box[3], box[0] : box[2]] = block_level
    return gray, box


@pytest.mark.parametrize("level", [60, 120, 160])
def test_finds_the_painted_box_and_nothing_else(level):
    gray, (x1, y1, x2, y2) = _plate(block_level=level)
    mask = painted_block_mask(gray)
    assert mask[y1:y2, x1:x2].all()  # the whole box, rim included
    outside = mask.copy()
    outside[max(0, y1 - 2) : y2 + 2, max(0, x1 - 2) : x2 + 2] = False
    assert not outside.any()


def test_a_plate_without_blocks_has_none():
    gray, _ = _plate(block_level=None)
    assert not painted_block_mask(gray).any()
    assert paint_over_blocks(gray) is gray


def test_flat_background_and_clipped_levels_are_no_block():
    gray, (x1, y1, x2, y2) = _plate(block_level=None)
    gray[y1:y2, x1:x2] = np.median(gray)  # flat, but the plate's own background level
    assert not painted_block_mask(gray).any()
    gray[y1:y2, x1:x2] = 255  # a clipped highlight
    assert not painted_block_mask(gray).any()
    gray[y1:y2, x1:x2] = 0  # a clipped shadow
    assert not painted_block_mask(gray).any()


def test_too_small_or_too_wide_patches_are_no_block():
    gray, _ = _plate(block_level=None)
    small = gray.copy()
    small[20:28, 60:66] = 120  # a sixth of the height: a speck, not a character
    assert not painted_block_mask(small).any()
    wide = gray.copy()
    wide[10:40, 40:120] = 120  # wider than any character
    assert not painted_block_mask(wide).any()


def test_paint_over_blocks_paints_the_plate_background():
    gray, (x1, y1, x2, y2) = _plate()
    painted = paint_over_blocks(gray)
    assert painted is not gray and painted.dtype == np.uint8
    inside = painted[y1:y2, x1:x2]
    assert inside.min() == inside.max() >= 195  # the background's 90th percentile
    untouched = np.ones(gray.shape, bool)
    untouched[y1 - 2 : y2 + 2, x1 - 2 : x2 + 2] = False
    np.testing.assert_array_equal(painted[untouched], gray[untouched])


def test_bad_image_is_named():
    with pytest.raises(ValueError, match="2-D uint8"):
        painted_block_mask(np.zeros((10, 10, 3), np.uint8))
    with pytest.raises(ValueError, match="2-D uint8"):
        painted_block_mask(np.zeros((10, 10), np.float32))
    assert not painted_block_mask(np.zeros((2, 5), np.uint8)).any()


def test_cropper_paints_blocks_only_when_asked():
    gray, (x1, y1, x2, y2) = _plate()
    photo = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    whole = (0, 0, gray.shape[1], gray.shape[0])
    kept = crop_plate(photo, whole, (0, 0), (200, 48))
    painted = crop_plate(photo, whole, (0, 0), (200, 48), remove_painted_blocks=True)
    assert kept[y1:y2, x1:x2].max() == 120
    assert painted[y1:y2, x1:x2].min() >= 195
    cropper = PlateCropper(margin=(0, 0), output_size=(200, 48), deskew=False, max_slant=0.0)
    sample = [PlateSample(photo, whole)]
    np.testing.assert_array_equal(cropper.fit_transform(sample)[0], kept)
    cropper.set_params(remove_painted_blocks=True)
    np.testing.assert_array_equal(cropper.fit_transform(sample)[0], painted)


def test_croppers_pickled_before_the_option_keep_the_blocks():
    cropper = PlateCropper().fit([])
    state = cropper.__getstate__()
    del state["remove_painted_blocks"]
    old = pickle.loads(pickle.dumps(cropper))
    old.__dict__.clear()
    old.__setstate__(state)
    assert old.get_params()["remove_painted_blocks"] is False


# ----------------------------------------------------------------------------- real plates
@pytest.mark.data
def test_finds_uc3m_blocks_and_few_on_the_117(data_home):
    """Measured: of UC3M-LP's 2,056 crops (two characters of each painted over) 1,821 show
    exactly two blocks, 38 none; of the 117 reference plates, which have no painted
    characters, 10 show one or two flat patches darker than their background (a gap
    between characters in shadow, a smooth frame)."""
    from skplate.crop import _expanded_box
    from skplate.datasets import load_plates, load_uc3m_crops

    archive = data_home / "UC3M-LP-train.zip"
    if not archive.is_file():
        pytest.skip(f"UC3M-LP not found: {archive} is missing; set SKPLATE_DATA to its folder.")

    def blocks(image: np.ndarray) -> int:
        gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        return cv2.connectedComponents(painted_block_mask(gray).astype(np.uint8))[0] - 1

    crops = load_uc3m_crops(archive)
    found = np.array([blocks(s.image) for s in crops.samples])
    assert np.mean(found == 2) >= 0.87
    assert np.mean(found == 0) <= 0.025
    plates = load_plates(data_home / "test6Training.zip", plate_format=None)
    flagged = 0
    for sample in plates.samples:
        x1, y1, x2, y2 = (int(v) for v in _expanded_box(sample.box, (0.02, 0.05)))
        flagged += blocks(sample.image[max(0, y1) : y2, max(0, x1) : x2]) > 0
    assert flagged <= 11
