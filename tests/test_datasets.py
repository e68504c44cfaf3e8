"""Tests of skplate.datasets: the Chars74K and plate loaders and the synthetic generators."""

from __future__ import annotations

import io
import tarfile
import warnings
import zipfile
from pathlib import Path

import cv2
import numpy as np
import pytest

from skplate.datasets import (
    get_data_home,
    load_chars74k,
    load_plates,
    make_synthetic_chars,
    make_synthetic_junk,
    make_synthetic_plates,
)
from skplate.datasets._fonts import (
    BUILTIN_FONTS,
    STROKE_FONT,
    STROKE_FONTS,
    default_fonts,
    render_glyph,
    render_text_line,
)
from skplate.datasets._junk import JUNK_KINDS
from skplate.datasets._plates import parse_yolo_plate_box
from skplate.datasets._stroke_font import draw_stroke_glyph
from skplate.datasets._synthetic import _spread_ink
from skplate.formats import NOT_A_CHARACTER
from skplate.normalize import CharNormalizer
from skplate.samples import PlateSample, check_samples

CLASSES = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
GOODIMG_BMP = "English/Img/GoodImg/Bmp"


def _png(value: int = 0) -> bytes:
    return cv2.imencode(".png", np.full((8, 6), value, np.uint8))[1].tobytes()


def _write_tgz(path: Path, members: dict[str, bytes]) -> None:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


# --------------------------------------------------------------------------- data home


def test_get_data_home_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv("SKPLATE_DATA", str(tmp_path / "env"))
    assert get_data_home(tmp_path / "arg") == tmp_path / "arg"
    assert get_data_home(str(tmp_path / "arg")) == tmp_path / "arg"
    assert get_data_home() == tmp_path / "env"
    monkeypatch.delenv("SKPLATE_DATA")
    assert get_data_home() == Path.home() / "skplate_data"
    monkeypatch.setenv("SKPLATE_DATA", "")
    assert get_data_home() == Path.home() / "skplate_data"


@pytest.mark.parametrize(
    ("loader", "kwargs", "archive", "url"),
    [
        (load_chars74k, {}, "EnglishImg.tgz", "teodecampos.github.io/chars74k"),
        (load_chars74k, {"subset": "Fnt"}, "EnglishFnt.tgz", "teodecampos.github.io/chars74k"),
        (load_plates, {}, "test6Training.zip", "test6Training/labels"),
    ],
)
def test_missing_data_names_file_folder_and_source(tmp_path, monkeypatch, loader, kwargs,
                                                   archive, url):
    monkeypatch.setenv("SKPLATE_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError) as info:
        loader(**kwargs)
    message = str(info.value)
    assert archive in message
    assert str(tmp_path) in message
    assert url in message
    with pytest.raises(FileNotFoundError, match="nowhere"):
        loader(tmp_path / "nowhere", **kwargs)


# --------------------------------------------------------------------------- Chars74K


@pytest.fixture(scope="module")
def goodimg(data_home):
    return load_chars74k(data_home / "EnglishImg.tgz")


@pytest.mark.data
def test_load_chars74k_goodimg(goodimg):
    assert len(goodimg.images) == len(goodimg.target) == len(goodimg.filenames) == 5795
    assert sorted(set(goodimg.target)) == list(CLASSES)
    assert list(goodimg.filenames) == sorted(goodimg.filenames)
    assert all(image.dtype == np.uint8 and image.ndim in (2, 3) for image in goodimg.images)
    names = list(goodimg.filenames)
    first = next(i for i, name in enumerate(names) if name.startswith("Sample001/"))
    last = next(i for i, name in enumerate(names) if name.startswith("Sample036/"))
    assert goodimg.target[first] == "0"
    assert goodimg.target[last] == "Z"
    assert goodimg.target[names.index(next(n for n in names if n.startswith("Sample011/")))] == "A"
    assert "GoodImg" in goodimg.DESCR


@pytest.mark.data
def test_load_chars74k_default_location_and_return_X_y(goodimg, data_home, monkeypatch):
    monkeypatch.setenv("SKPLATE_DATA", str(data_home))
    images, target = load_chars74k(return_X_y=True)
    np.testing.assert_array_equal(target, goodimg.target)
    assert all(np.array_equal(a, b) for a, b in zip(images, goodimg.images, strict=True))


@pytest.mark.data
@pytest.mark.slow
def test_load_chars74k_fnt(data_home):
    data = load_chars74k(data_home / "EnglishFnt.tgz", subset="Fnt")
    assert len(data.images) == 34544
    assert len(set(data.target)) == 34
    assert not {"I", "O"} & set(data.target)
    assert data.filenames[0].startswith("Sample001/") and data.target[0] == "0"


@pytest.mark.data
def test_load_chars74k_extracted_folder_equals_archive(goodimg, data_home, tmp_path):
    wanted = [name for prefix in ("Sample001/", "Sample018/", "Sample036/")
              for name in goodimg.filenames if name.startswith(prefix)][:2]
    wanted += [name for name in goodimg.filenames if name.startswith("Sample018/")][:1]
    wanted += [name for name in goodimg.filenames if name.startswith("Sample036/")][:2]
    members = {f"{GOODIMG_BMP}/{name}" for name in wanted}
    with tarfile.open(data_home / "EnglishImg.tgz", "r|gz") as archive:
        for member in archive:
            if member.name in members:
                target = tmp_path / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.extractfile(member).read())
    expected = {name: goodimg.images[list(goodimg.filenames).index(name)] for name in wanted}
    for path in (tmp_path, tmp_path / "English", tmp_path / GOODIMG_BMP):
        data = load_chars74k(path)
        assert sorted(data.filenames) == sorted(wanted)
        for name, image, char in zip(data.filenames, data.images, data.target, strict=True):
            np.testing.assert_array_equal(image, expected[name])
            assert char == CLASSES[int(name[6:9]) - 1]


def test_load_chars74k_bad_subset():
    with pytest.raises(ValueError, match="subset"):
        load_chars74k(subset="BadImag")


def test_load_chars74k_small_archive_maps_classes(tmp_path):
    path = tmp_path / "EnglishFnt.tgz"
    _write_tgz(path, {
        "English/Fnt/Sample036/img036-00001.png": _png(1),
        "English/Fnt/Sample001/img001-00002.png": _png(2),
        "English/Fnt/Sample001/img001-00001.png": _png(3),
        "English/Fnt/Sample037/img037-00001.png": _png(4),  # lower case: left out
        "English/Fnt/Sample011/notes.txt": b"not an image",
    })
    data = load_chars74k(path, subset="Fnt")
    assert data.filenames.tolist() == [
        "Sample001/img001-00001.png", "Sample001/img001-00002.png", "Sample036/img036-00001.png"
    ]
    assert data.target.tolist() == ["0", "0", "Z"]
    assert [int(image[0, 0]) for image in data.images] == [3, 2, 1]
    with pytest.raises(ValueError, match="no GoodImg image"):
        load_chars74k(path, subset="GoodImg")


def test_load_chars74k_corrupt_archive(tmp_path):
    path = tmp_path / "EnglishImg.tgz"
    path.write_bytes(b"this is not a tar archive at all" * 100)
    with pytest.raises(ValueError, match=r"EnglishImg\.tgz") as info:
        load_chars74k(path)
    assert "corrupt" in str(info.value)


def test_load_chars74k_undecodable_member(tmp_path):
    path = tmp_path / "EnglishImg.tgz"
    member = f"{GOODIMG_BMP}/Sample002/img002-00001.png"
    _write_tgz(path, {f"{GOODIMG_BMP}/Sample001/img001-00001.png": _png(), member: b"garbage"})
    with pytest.raises(ValueError, match=r"EnglishImg\.tgz") as info:
        load_chars74k(path)
    assert member in str(info.value)


@pytest.mark.data
def test_load_chars74k_truncated_archive(data_home, tmp_path):
    data = (data_home / "EnglishFnt.tgz").read_bytes()
    path = tmp_path / "EnglishFnt.tgz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"EnglishFnt\.tgz") as info:
        load_chars74k(path, subset="Fnt")
    assert "truncated" in str(info.value)


# --------------------------------------------------------------------------- plates


@pytest.fixture(scope="module")
def plates(data_home):
    return load_plates(data_home / "test6Training.zip")


@pytest.mark.data
def test_load_plates(plates):
    assert len(plates.samples) == len(plates.images) == len(plates.target) == 117
    assert plates.boxes.shape == (117, 4) and plates.boxes.dtype.kind == "i"
    assert list(plates.filenames) == sorted(plates.filenames)
    assert "1277DPZ" in plates.target
    for sample, image, box, text, name in zip(plates.samples, plates.images, plates.boxes,
                                              plates.target, plates.filenames, strict=True):
        assert isinstance(sample, PlateSample)
        assert sample.image is image and sample.name == name and tuple(box) == sample.box
        assert Path(name).stem == text
        height, width = image.shape[:2]
        x1, y1, x2, y2 = box
        assert 0 <= x1 < x2 <= width and 0 <= y1 < y2 <= height
    assert len(check_samples(plates.samples)) == 117


@pytest.mark.data
def test_load_plates_box_is_the_class0_line(plates):
    index = list(plates.target).index("1277DPZ")
    # labels/1277DPZ.txt: "0 0.2860576923076923 0.7355769230769231 0.21634... 0.07692..."
    x1, y1, x2, y2 = plates.boxes[index]
    assert abs((x1 + x2) / 2 - 0.2860576923 * 416) <= 1
    assert abs((y1 + y2) / 2 - 0.7355769231 * 416) <= 1
    assert abs((x2 - x1) - 0.2163461538 * 416) <= 1


@pytest.mark.data
def test_load_plates_plate_format(data_home):
    samples, target = load_plates(data_home / "test6Training.zip", plate_format="NNNNAAA",
                                  return_X_y=True)
    assert len(samples) == len(target) == 21
    assert all(len(text) == 7 and text[:4].isdigit() and text[4:].isalpha() for text in target)


@pytest.mark.data
def test_load_plates_folder_equals_zip(plates, data_home, tmp_path, monkeypatch):
    with zipfile.ZipFile(data_home / "test6Training.zip") as archive:
        archive.extractall(tmp_path)
    monkeypatch.setenv("SKPLATE_DATA", str(data_home))
    for path in (tmp_path, tmp_path / "test6Training", data_home, None):
        data = load_plates(path)
        np.testing.assert_array_equal(data.boxes, plates.boxes)
        np.testing.assert_array_equal(data.target, plates.target)
        np.testing.assert_array_equal(data.filenames, plates.filenames)
        assert all(np.array_equal(a, b) for a, b in zip(data.images, plates.images, strict=True))


def _plate_folder(tmp_path: Path, labels: dict[str, bytes | None]) -> Path:
    root = tmp_path / "test6Training"
    (root / "images").mkdir(parents=True)
    (root / "labels").mkdir()
    photo = cv2.imencode(".jpg", np.full((100, 200, 3), 128, np.uint8))[1].tobytes()
    for text, label in labels.items():
        (root / "images" / f"{text}.jpg").write_bytes(photo)
        if label is not None:
            (root / "labels" / f"{text}.txt").write_bytes(label)
    return root


@pytest.mark.parametrize(
    ("label", "match"),
    [
        (b"1 0.5 0.5 0.9 0.9\n0 0.5 abc 0.1 0.1\n", r"BAD\.txt, line 2"),
        (b"0 0.5 0.5 0.1\n", r"BAD\.txt, line 1"),
        (b"1 0.5 0.5 0.9 0.9\n", r"BAD\.txt: no plate line"),
        (None, r"BAD\.txt: missing"),
    ],
)
def test_load_plates_bad_label(tmp_path, label, match):
    good = b"1 0.5 0.5 1 1\r\n0 0.5 0.5 0.2 0.1\r\n0 0.25 0.25 0.5 0.5"  # CRLF, largest plate
    root = _plate_folder(tmp_path, {"AAA111": good, "BAD": label, "ZZZ999": good})
    with pytest.raises(ValueError, match=match):
        load_plates(root)
    with pytest.warns(UserWarning, match=match):
        data = load_plates(root, errors="skip")
    assert data.target.tolist() == ["AAA111", "ZZZ999"]
    np.testing.assert_array_equal(data.boxes, [[0, 0, 100, 50], [0, 0, 100, 50]])
    with pytest.raises(ValueError, match="errors"):
        load_plates(root, errors="ignore")


def test_load_plates_corrupt_zip(tmp_path):
    path = tmp_path / "test6Training.zip"
    path.write_bytes(b"garbage" * 50)
    with pytest.raises(ValueError, match=r"test6Training\.zip"):
        load_plates(path)


def test_parse_yolo_plate_box():
    shape = (100, 200, 3)
    assert parse_yolo_plate_box("0 0.5 0.5 0.5 0.2", shape, name="x") == (50, 40, 150, 60)
    # a box running past the image is clipped; a polygon line reads as its bounding box
    assert parse_yolo_plate_box("0 0.9 0.5 0.4 0.2", shape, name="x") == (140, 40, 200, 60)
    assert parse_yolo_plate_box("0 0.1 0.1 0.6 0.1 0.6 0.3 0.1 0.3", shape,
                                name="x") == (20, 10, 120, 30)
    with pytest.raises(ValueError, match=r"lab\.txt, line 1"):
        parse_yolo_plate_box("0 2 2 0.1 0.1", shape, name="lab.txt")


# --------------------------------------------------------------------------- synthetic


def test_make_synthetic_chars():
    data = make_synthetic_chars(3, random_state=0)
    assert len(data.images) == len(data.target) == 3 * 36
    assert sorted(set(data.target)) == list(CLASSES)
    assert all((data.target == char).sum() == 3 for char in CLASSES)
    assert data.target[:36].tolist() == list(CLASSES)  # round-robin order
    paper_lighter = 0
    for image in data.images:
        assert image.dtype == np.uint8 and image.ndim == 2
        assert 24 <= image.shape[0] <= 64 and image.shape[1] >= 6
        assert np.percentile(image, 98) - np.percentile(image, 2) > 30  # visible ink
        corners = image[[0, 0, -1, -1], [0, -1, 0, -1]]
        paper_lighter += np.median(corners) > np.percentile(image, 5) + 20
    assert paper_lighter >= 0.9 * len(data.images)  # dark ink on lighter paper
    images, target = make_synthetic_chars(3, random_state=0, return_X_y=True)
    np.testing.assert_array_equal(target, data.target)
    assert all(np.array_equal(a, b) for a, b in zip(images, data.images, strict=True))
    other = make_synthetic_chars(3, random_state=1).images
    assert not all(a.shape == b.shape and np.array_equal(a, b)
                   for a, b in zip(other, data.images, strict=True))


def test_spread_ink_fills_notches_of_bold_letters():
    """Blur and a low threshold: the M's middle notch gets shallower, strokes bolder."""
    glyph = np.pad(render_glyph(STROKE_FONTS[1], "M"), 40)  # the bold face
    height = glyph.shape[0] - 80
    spread = _spread_ink(glyph, 0.05 * height, 0.3)
    assert spread.dtype == np.uint8 and set(np.unique(spread)) <= {0, 255}

    def notch_depth(mask: np.ndarray) -> int:  # first ink row from the top, centre columns
        centre = mask.shape[1] // 2
        return int(np.argmax(mask[:, centre - 1 : centre + 2].max(axis=1) > 0))

    top = int(np.argmax(glyph.max(axis=1) > 0))
    assert notch_depth(spread) - top < 0.8 * (notch_depth(glyph) - top)
    assert np.count_nonzero(spread) > 1.05 * np.count_nonzero(glyph)
    # At this level the glyph keeps all its own ink; above half ink, ink is lost instead.
    assert np.all(spread[glyph > 0] == 255)
    assert np.count_nonzero(_spread_ink(glyph, 0.05 * height, 0.7)) < np.count_nonzero(glyph)


def test_make_synthetic_chars_ink_spread_parameter():
    """``ink_spread`` is the share of spread glyphs: more of it, bolder normalised letters."""
    normalizer = CharNormalizer()

    def ink_share(spread: float) -> float:
        images, _ = make_synthetic_chars(
            30,
            characters="MW",
            fonts=STROKE_FONTS[1],
            ink_spread=spread,
            random_state=0,
            return_X_y=True,
        )
        return float(normalizer.fit_transform(images).mean())

    assert ink_share(1.0) > ink_share(0.0) + 0.01
    assert "ink spread" not in make_synthetic_chars(1).DESCR  # off by default
    assert "about 21% of the glyphs" in make_synthetic_chars(1, ink_spread=0.3).DESCR
    for bad in (-0.1, 1.5, "0.3", True, None):
        with pytest.raises(ValueError, match="ink_spread"):
            make_synthetic_chars(1, ink_spread=bad)


def test_make_synthetic_chars_fonts_and_errors(tmp_path):
    data = make_synthetic_chars(2, characters="0A", fonts="hershey-simplex", random_state=0)
    assert data.target.tolist() == ["0", "A", "0", "A"]
    with pytest.raises(ValueError, match=r"no-such-font\.ttf"):
        make_synthetic_chars(1, fonts=tmp_path / "no-such-font.ttf")
    with pytest.raises(ValueError, match="n_per_class"):
        make_synthetic_chars(0)
    with pytest.raises(ValueError, match="characters"):
        make_synthetic_chars(1, characters="AA")


def test_stroke_font_draws_every_plate_character():
    masks = {char: render_glyph(STROKE_FONT, char) for char in CLASSES}
    for char, mask in masks.items():
        assert mask.dtype == np.uint8 and mask.max() == 255, char
        # Capitals about 0.73 of the size high, like the other fonts; Q's tail descends.
        assert 68 <= mask.shape[0] <= (82 if char == "Q" else 75), (char, mask.shape)
    signatures = {
        char: cv2.resize(mask, (16, 24), interpolation=cv2.INTER_AREA).tobytes()
        + bytes(mask.shape[1] // 4)
        for char, mask in masks.items()
    }
    assert len(set(signatures.values())) == len(CLASSES)  # 36 different glyphs
    with pytest.raises(ValueError, match=f"{STROKE_FONT}.*'a'"):
        render_glyph(STROKE_FONT, "a")
    assert set(STROKE_FONTS) <= set(BUILTIN_FONTS) and default_fonts()[-1] == STROKE_FONT
    # The faces: bold has more ink per glyph, narrow is narrower with the same height.
    regular, bold, narrow = (render_glyph(face, "H") for face in STROKE_FONTS)
    assert bold.sum() > 1.2 * regular.sum() and bold.shape[0] >= regular.shape[0]
    assert narrow.shape[1] < 0.9 * regular.shape[1] and narrow.shape[0] == regular.shape[0]
    with pytest.raises(ValueError, match="skplate-din-bold"):
        draw_stroke_glyph("A", font="din")


def test_stroke_font_has_plate_shapes():
    """The shapes it is there for: a Z-like 2, a footless 1, a bar I, a condensed W."""
    glyph = {char: render_glyph(STROKE_FONT, char) > 127 for char in "12IWZ0"}
    height = glyph["0"].shape[0]

    def ink_span(rows: np.ndarray) -> float:  # inked fraction of the columns
        return rows.any(axis=0).mean()

    # 2 and Z both stand on a flat base; the 2 has a round top, the Z a sharp corner.
    assert ink_span(glyph["2"][-6:-3]) > 0.9 and ink_span(glyph["Z"][-6:-3]) > 0.9
    assert glyph["Z"][2:6, 2:6].mean() > 0.8 and not glyph["2"][:6, :6].any()
    # A footless 1 (one stroke wide at the bottom), narrower than a 0; I a plain bar.
    assert ink_span(glyph["1"][-6:-3]) < 0.5
    assert glyph["1"].shape[1] < 0.75 * glyph["0"].shape[1]
    assert glyph["I"].shape[1] < 0.2 * height and glyph["I"][8:-8].mean() > 0.7
    assert glyph["W"].shape[1] < 0.75 * height  # condensed
    # It writes lines that the segmenter's blob rule can cut: one blob per character.
    line = render_text_line("W2Z1I0", STROKE_FONT, cap_height=60)
    count, _ = cv2.connectedComponents((line > 127).astype(np.uint8))
    assert count - 1 == 6


def test_stroke_font_in_the_generators():
    data = make_synthetic_chars(2, characters="2Z", fonts=STROKE_FONT, random_state=0)
    assert data.target.tolist() == ["2", "Z", "2", "Z"] and STROKE_FONT in data.DESCR
    plates = make_synthetic_plates(["2471WXZ", "MW2021K"], random_state=0, font=STROKE_FONT)
    for image, box, text in zip(plates.images, plates.boxes, plates.target, strict=True):
        assert _dark_blobs(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), box) == len(text)
    with pytest.raises(ValueError, match=STROKE_FONT):  # the error lists the built-in fonts
        make_synthetic_chars(1, fonts="no-such-font")


def test_make_synthetic_junk():
    data = make_synthetic_junk(20, random_state=0)
    assert len(data.images) == len(data.target) == len(data.kind) == 20
    assert set(data.target) == {NOT_A_CHARACTER}
    assert data.kind[: len(JUNK_KINDS)].tolist() == list(JUNK_KINDS)  # kinds cycle
    for image in data.images:
        assert image.dtype == np.uint8 and image.ndim == 2
        assert set(np.unique(image)) <= {0, 255}  # binary, like the segmenter's crops
        border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
        assert (border == 255).all()  # dark shapes on white, a white margin around
        assert (image == 0).any()
    # Every crop leaves ink for the network once normalised.
    chars = CharNormalizer().fit_transform(data.images)
    assert (chars.reshape(len(chars), -1).max(axis=1) > 0).all()
    again = make_synthetic_junk(20, random_state=0)
    assert all(np.array_equal(a, b) for a, b in zip(again.images, data.images, strict=True))
    other = make_synthetic_junk(20, random_state=1)
    assert not all(a.shape == b.shape and np.array_equal(a, b)
                   for a, b in zip(other.images, data.images, strict=True))
    assert make_synthetic_junk(0).images == []


@pytest.mark.parametrize("n_samples", [-1, 2.5, "3", True])
def test_make_synthetic_junk_bad_count(n_samples):
    with pytest.raises(ValueError, match="n_samples"):
        make_synthetic_junk(n_samples)


def _dark_blobs(gray: np.ndarray, box) -> int:
    """Count the character-sized dark blobs on the plate in ``box``."""
    x1, y1, x2, y2 = box
    plate = gray[y1:y2, x1:x2]
    _, dark = cv2.threshold(plate, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    _, _, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=4)
    height = y2 - y1
    return sum(0.45 * height <= h <= 0.85 * height for h in stats[1:, cv2.CC_STAT_HEIGHT])


def test_make_synthetic_plates():
    texts = ["1277DPZ", "4516CSH", "AB123CD", "M1234XY", "1234 BCD", "Q0O8B"] * 3
    data = make_synthetic_plates(texts, random_state=0)
    assert data.target.tolist() == texts
    assert data.boxes.shape == (len(texts), 4)
    for sample, image, box, text in zip(data.samples, data.images, data.boxes, texts,
                                        strict=True):
        assert image.shape == (416, 416, 3) and image.dtype == np.uint8
        x1, y1, x2, y2 = box
        assert 0 <= x1 < x2 <= 416 and 0 <= y1 < y2 <= 416
        assert 0.2 * 416 <= x2 - x1 <= 0.41 * 416
        assert tuple(box) == sample.box and sample.image is image and text in sample.name
        gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        plate = gray[y1:y2, x1:x2]
        assert np.percentile(plate, 60) > 180  # a white plate ...
        assert _dark_blobs(gray, box) == len(text.replace(" ", ""))  # ... one blob per char
    again = make_synthetic_plates(texts[:2], random_state=0)
    np.testing.assert_array_equal(again.boxes, data.boxes[:2])
    assert all(np.array_equal(a, b) for a, b in zip(again.images, data.images, strict=False))
    check_samples(data.samples)


def test_make_synthetic_plates_options():
    data = make_synthetic_plates("1234BCD", random_state=0, image_size=(240, 320),
                                 font="hershey-duplex")
    assert data.images[0].shape == (240, 320, 3)
    assert _dark_blobs(cv2.cvtColor(data.images[0], cv2.COLOR_BGR2GRAY), data.boxes[0]) == 7
    with pytest.raises(ValueError, match="texts"):
        make_synthetic_plates(["OK", ""])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        make_synthetic_plates([], random_state=0)
