"""Training data recipes: characters cut out of generated plates by the inference stages."""

import numpy as np
import pytest

from skplate.crop import PlateCropper
from skplate.filters import FilterBank
from skplate.formats import ALPHABET
from skplate.segment import CharacterSegmenter
from skplate.training import _loosen, load_training_chars, make_plate_chars


def test_make_plate_chars_cuts_labelled_characters_from_filter_variants():
    one = make_plate_chars(12, variants_per_plate=1, random_state=0)
    every = make_plate_chars(12, variants_per_plate=100, random_state=0)
    assert len(one.images) == len(one.target) > 0
    assert set(every.target) <= set(ALPHABET)
    for image in every.images:
        assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 2
        character, levels = image[:, :, 0], image[:, :, 1]
        # dark ink on a white margin, as CharacterSegmenter.character_images cuts them
        assert character[0].min() == 255 and character.min() == 0
        # the filter variant under the box: darker on the ink than off it
        assert levels[character == 0].mean() < levels[character == 255].mean()
    # The draw of variants is a prefix of one permutation per plate: more variants per
    # plate cut a superset of the characters.
    assert len(every.images) > 3 * len(one.images)


def test_make_plate_chars_is_deterministic_and_uses_the_given_filter_bank():
    first = make_plate_chars(6, random_state=3)
    again = make_plate_chars(6, random_state=3)
    assert list(first.target) == list(again.target)
    assert all(np.array_equal(a, b) for a, b in zip(first.images, again.images, strict=True))
    gray_only = make_plate_chars(
        6, filter_bank=FilterBank(filters=["gray"]), variants_per_plate=5, random_state=3
    )
    # one variant per plate at most: no more characters than the plates' texts hold
    assert 0 < len(gray_only.target) <= 6 * 8


def _same_chars(a, b):
    return len(a.images) == len(b.images) and all(
        np.array_equal(x, y) for x, y in zip(a.images, b.images, strict=True)
    )


def test_make_plate_chars_cuts_without_freeing_attached_characters_by_default():
    # The recipe's training characters are cut as before the segmenter's free_attached.
    default = make_plate_chars(24, variants_per_plate=100, random_state=0)
    strict_cut = CharacterSegmenter(free_attached=False)
    strict = make_plate_chars(24, variants_per_plate=100, random_state=0, segmenter=strict_cut)
    freeing = make_plate_chars(
        24, variants_per_plate=100, random_state=0, segmenter=CharacterSegmenter()
    )
    assert _same_chars(default, strict)
    assert not _same_chars(default, freeing)  # the parameter does reach these plates


def test_make_plate_chars_measures_the_skew_without_cuts_by_default():
    # The recipe's generated plates are deskewed on the ink as it is, as before the cuts
    # were the reading's default: its training characters stay as measured.
    default = make_plate_chars(24, variants_per_plate=100, random_state=0)
    uncut = make_plate_chars(
        24, variants_per_plate=100, random_state=0, cropper=PlateCropper(skew_cut_runs=())
    )
    cut = make_plate_chars(24, variants_per_plate=100, random_state=0, cropper=PlateCropper())
    assert _same_chars(default, uncut)
    assert not _same_chars(default, cut)  # the cuts do reach these plates


@pytest.mark.parametrize("bad", [0, -1, 1.5, "3"])
def test_make_plate_chars_rejects_bad_variants_per_plate(bad):
    with pytest.raises(ValueError, match="variants_per_plate"):
        make_plate_chars(2, variants_per_plate=bad)


def test_loosened_boxes_hold_the_plate_and_stay_in_the_photo():
    rng = np.random.RandomState(0)
    box, shape = (100, 80, 220, 120), (240, 320, 3)
    grown = [_loosen(box, shape, rng) for _ in range(200)]
    for x1, y1, x2, y2 in grown:
        assert 0 <= x1 <= 100 and 0 <= y1 <= 80 and 220 <= x2 <= 320 and 120 <= y2 <= 240
    heights = np.array([y2 - y1 for _, y1, _, y2 in grown]) / 40
    widths = np.array([x2 - x1 for x1, _, x2, _ in grown]) / 120
    # Labels are loose mostly in height: up to 1.7 times as tall, barely wider.
    assert 1.0 <= heights.min() and heights.max() <= 1.71 and 1.25 < np.median(heights) < 1.45
    assert widths.max() <= 1.14  # 6 % a side, plus rounding outwards
    # Clipped at the photo's edges.
    x1, y1, x2, y2 = _loosen((0, 0, 320, 240), shape, rng)
    assert (x1, y1, x2, y2) == (0, 0, 320, 240)


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"n_junk": -1}, "n_junk"),
        ({"n_plates": 0}, "n_plates"),
        ({"synthetic_per_class": 0}, "synthetic_per_class"),
        ({"synthetic_ink_spread": 1.5}, "synthetic_ink_spread"),
        ({"fnt_per_class": 1.5}, "fnt_per_class"),
        ({"random_state": "x"}, "random_state"),
        ({"data_home": 3}, "data_home"),
        ({"sources": ("goodimg", "nope")}, "sources"),
    ],
)
def test_load_training_chars_names_a_bad_parameter(params, name):
    params = {"sources": ("junk",), **params}
    with pytest.raises(ValueError, match=name):
        load_training_chars(**params)


def test_load_training_chars_passes_the_ink_spread_to_the_rendered_characters():
    def rendered(spread: float) -> list[np.ndarray]:
        data = load_training_chars(
            ("synthetic",), synthetic_per_class=3, synthetic_ink_spread=spread, random_state=0
        )
        return data.images

    plain, spread = rendered(0.0), rendered(1.0)
    assert len(plain) == len(spread) == 3 * 36
    assert any(a.shape != b.shape or np.any(a != b) for a, b in zip(plain, spread, strict=True))
    again = rendered(0.0)
    assert all(np.array_equal(a, b) for a, b in zip(plain, again, strict=True))


def test_runs_of_two_characters_come_beside_the_same_characters():
    plain = make_plate_chars(24, variants_per_plate=100, random_state=0)
    with_runs = make_plate_chars(24, variants_per_plate=100, random_state=0, runs=True)
    assert list(with_runs.target) == list(plain.target)
    assert all(np.array_equal(a, b) for a, b in zip(with_runs.images, plain.images, strict=True))
    assert "run_images" not in plain and len(with_runs.run_images) > 0
    for image in with_runs.run_images:
        character = image[:, :, 0]
        assert image.dtype == np.uint8 and image.shape[2] == 2
        # at most as wide as tall (the same margin all round)
        assert character.min() == 0 and character.shape[1] <= character.shape[0]
    # one run per pair of neighbours narrow enough: fewer runs than characters
    assert len(with_runs.run_images) < len(with_runs.images)


def test_pairs_source_is_drawn_last_and_labelled_not_a_character():
    from skplate.formats import NOT_A_CHARACTER

    kwargs = {"n_plates": 24, "n_junk": 10, "random_state": 0}
    base = load_training_chars(("plates", "junk"), **kwargs)
    paired = load_training_chars(("plates", "junk", "pairs"), n_pairs=5, **kwargs)
    kept = paired.source != "pairs"
    assert list(paired.target[kept]) == list(base.target)
    others = [image for image, k in zip(paired.images, kept, strict=True) if k]
    assert all(np.array_equal(a, b) for a, b in zip(others, base.images, strict=True))
    assert (paired.source == "pairs").sum() == 5
    assert set(paired.target[~kept]) == {NOT_A_CHARACTER}
    alone = load_training_chars(("pairs",), n_pairs=10_000, **kwargs)
    assert set(alone.source) == {"pairs"} and 5 < len(alone.images) < 10_000
