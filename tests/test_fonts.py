"""The generators draw with the fonts shipped with skplate: the same training data everywhere."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import numpy as np
import pytest

import skplate.datasets._fonts as fonts_module
from skplate.datasets import default_fonts
from skplate.datasets._fonts import (
    BUNDLED_FONTS,
    HERSHEY_FONTS,
    STROKE_FONT,
    render_glyph,
)
from skplate.formats import ALPHABET
from skplate.training import load_training_chars, training_data_sha256

#: SHA-256 of ``_small_training_data()`` as drawn with the shipped fonts (Pillow 13,
#: OpenCV 5.0): it moves only if the generated training characters change.
SMALL_DATA_SHA256 = "bdc68faff3fd2b160475175b188b37dc6f828f239b04941cc459ccb414ab48fa"


def _small_training_data():
    """Rendered characters and characters cut from generated plates, small sizes."""
    return load_training_chars(
        ("synthetic", "plates"), synthetic_per_class=2, n_plates=14, random_state=0
    )


def _no_system_fonts():
    """Patch font discovery so that this machine seems to have no font at all."""
    fonts_module.find_plate_fonts.cache_clear()
    return mock.patch.multiple(
        fonts_module, CANDIDATE_FONTS=(), _fc_list=mock.Mock(return_value=[])
    )


def test_the_default_fonts_are_the_shipped_faces_and_the_stroke_font():
    assert default_fonts() == (*BUNDLED_FONTS, STROKE_FONT)
    assert len(BUNDLED_FONTS) == 5
    for path in BUNDLED_FONTS:
        assert Path(path).is_file() and Path(path).parent.name == "fonts"
        assert (Path(path).parent / "LICENSE").is_file()
        masks = [render_glyph(path, char) for char in ALPHABET]
        assert all(mask.max() == 255 for mask in masks)
        assert len({mask.tobytes() for mask in masks}) == len(ALPHABET)  # 36 distinct glyphs


def test_system_fonts_only_on_request():
    with _no_system_fonts():
        assert default_fonts() == (*BUNDLED_FONTS, STROKE_FONT)
        assert default_fonts(system=True) == (*HERSHEY_FONTS, STROKE_FONT)
    fonts_module.find_plate_fonts.cache_clear()


def test_training_data_do_not_depend_on_the_machines_fonts():
    here = _small_training_data()
    with _no_system_fonts():
        bare = _small_training_data()
    fonts_module.find_plate_fonts.cache_clear()
    assert len(bare.images) == len(here.images) > 36
    digest = training_data_sha256(here.images, here.target)
    assert training_data_sha256(bare.images, bare.target) == digest
    # Stable for the seed (and so across machines with the same libraries).
    assert digest == SMALL_DATA_SHA256


def test_the_hash_follows_pixels_labels_and_order():
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, (20, 12), dtype=np.uint8) for _ in range(3)]
    target = ["A", "B", "C"]
    digest = training_data_sha256(images, target)
    assert training_data_sha256([image.copy() for image in images], list(target)) == digest
    changed = [image.copy() for image in images]
    changed[1][5, 5] ^= 1
    assert training_data_sha256(changed, target) != digest
    assert training_data_sha256(images, ["A", "B", "D"]) != digest
    assert training_data_sha256(images[::-1], target[::-1]) != digest
    # The same pixels in another shape are other images.
    assert training_data_sha256([images[0].reshape(12, 20), *images[1:]], target) != digest
    with pytest.raises(ValueError, match="2 labels"):
        training_data_sha256(images, target[:2])
