"""Drawn plates of many shapes pasted into the locator's training crops (paste_plates)."""

from __future__ import annotations

import numpy as np
import pytest

from skplate.locate import PlateLocator
from skplate.locate._augment import random_crop
from skplate.locate._paste import draw_plate, draw_plates, paste_plate


def _ink_rows(plate: np.ndarray) -> int:
    """Bands of rows holding ink (the characters' rows), a plate's border left out."""
    inner = plate[6:-6, 6:-6]
    paper = np.median(inner)
    ink = np.abs(inner - paper) > 40
    rows = ink.mean(axis=1) > 0.03
    return int(np.sum(rows[1:] & ~rows[:-1]) + rows[0])


def test_drawn_plates_cover_the_world_shapes():
    plates = draw_plates(200, np.random.RandomState(0))
    aspects = np.array([p.shape[1] / p.shape[0] for p in plates])
    assert all(p.shape[0] == 64 and p.dtype == np.float32 for p in plates)
    assert aspects.min() >= 1.0 and aspects.max() <= 5.0 + 1 / 64
    assert (aspects < 1.6).sum() >= 20 and (aspects > 4.0).sum() >= 20  # square and EU-long
    # Characters stand out from the paper: dark on light and light on dark plates alike.
    for plate in plates:
        assert plate.max() - plate.min() >= 90
    dark = [np.median(p) < 100 for p in plates]
    assert 30 <= sum(dark) <= 90
    # Some narrow plates carry two rows of characters; long ones one (plus a small line).
    narrow_rows = [_ink_rows(p) for p, a in zip(plates, aspects, strict=True) if a < 1.8]
    assert max(narrow_rows) >= 2


def test_drawing_is_deterministic():
    a, b = draw_plate(np.random.RandomState(3)), draw_plate(np.random.RandomState(3))
    np.testing.assert_array_equal(a, b)


def test_pasted_plate_is_a_new_box_clear_of_the_others():
    rng = np.random.RandomState(0)
    plates = draw_plates(20, rng)
    crop = np.full((128, 128), 120, np.uint8)
    occupied = np.array([[0.0, 0, 128, 40]])
    found, contrasts = 0, []
    for _ in range(50):
        pasted, box = paste_plate(crop, occupied, plates, rng)
        assert pasted.shape == crop.shape and pasted.dtype == np.uint8
        if box is None:
            np.testing.assert_array_equal(pasted, crop)
            continue
        found += 1
        x1, y1, x2, y2 = box
        assert 0 <= x1 < x2 <= 128 and 40 <= y1 < y2 <= 128  # inside, below the occupied band
        assert 12 * 0.9 <= x2 - x1  # at least the least width (tilt only widens the box)
        inside = pasted[int(np.ceil(y1)) : int(y2), int(np.ceil(x1)) : int(x2)]
        contrasts.append(np.abs(inside.astype(int) - 120).max())  # the plate is drawn there
        outside = pasted.copy()
        # and nowhere else (beyond the pixel its smoothed edge may touch)
        outside[max(0, int(y1) - 1) : int(y2) + 2, max(0, int(x1) - 1) : int(x2) + 2] = 120
        np.testing.assert_array_equal(outside, crop)
    assert found >= 40
    assert min(contrasts) >= 10 and np.median(contrasts) >= 50  # small, blurred, dark: fainter


def test_no_room_pastes_nothing():
    rng = np.random.RandomState(0)
    crop = np.zeros((64, 64), np.uint8)
    pasted, box = paste_plate(crop, np.array([[0.0, 0, 64, 64]]), draw_plates(3, rng), rng)
    assert box is None
    np.testing.assert_array_equal(pasted, crop)


def test_random_crop_adds_the_pasted_plate():
    photo = np.full((240, 320), 90, np.uint8)
    boxes = np.array([[100.0, 150, 160, 165]])
    plates = draw_plates(10, np.random.RandomState(1))
    plain = random_crop(photo, boxes, np.random.RandomState(5), size=128, scale_range=(1, 1))
    unused = random_crop(
        photo,
        boxes,
        np.random.RandomState(5),
        size=128,
        scale_range=(1, 1),
        drawn_plates=plates,
        paste_probability=0.0,
    )
    for a, b in zip(plain, unused, strict=True):  # probability 0: the very same crop
        np.testing.assert_array_equal(a, b)
    added = [
        len(
            random_crop(
                photo,
                boxes,
                np.random.RandomState(seed),
                size=128,
                scale_range=(1, 1),
                drawn_plates=plates,
                paste_probability=1.0,
            )[1]
        )
        - len(
            random_crop(photo, boxes, np.random.RandomState(seed), size=128, scale_range=(1, 1))[1]
        )
        for seed in range(20)
    ]
    assert set(added) <= {0, 1} and sum(added) >= 15


def test_locator_parameter(synthetic_photos):
    images, boxes = synthetic_photos
    with pytest.raises(ValueError, match="paste_plates"):
        PlateLocator(paste_plates=1.5).fit(images[:2], boxes[:2])
    from conftest import TINY_LOCATOR_PARAMS

    params = {**TINY_LOCATOR_PARAMS, "epochs": 1, "paste_plates": 0.5, "random_state": 0}
    first = PlateLocator(**params).fit(images[:8], boxes[:8])
    second = PlateLocator(**params).fit(images[:8], boxes[:8])
    np.testing.assert_array_equal(first.history_, second.history_)
    without = PlateLocator(**{**params, "paste_plates": 0.0}).fit(images[:8], boxes[:8])
    assert not np.array_equal(first.history_, without.history_)
    state = first.__getstate__()
    del state["paste_plates"]
    old = PlateLocator.__new__(PlateLocator)
    old.__setstate__(state)
    assert old.get_params()["paste_plates"] == 0.0
