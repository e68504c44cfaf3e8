"""Loaders for UC3M-LP: real Spanish plates, as tight crops and as whole photos.

The training split is published as ``UC3M-LP-train.zip``; both loaders read it in place
(or its extracted folder), the way :func:`~skplate.datasets.load_plates` reads the
Roboflow export.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import numpy as np
from sklearn.utils import Bunch

from ..formats import ALPHABET
from ..metrics import PAINTED
from ..samples import PlateSample
from ._base import resolve_dataset_path
from ._images import IMAGE_SUFFIXES, decode_uint8
from ._plates import _plate_filter, _Source

if TYPE_CHECKING:
    from ..formats import PlateFormat

__all__ = [
    "PAINTED",
    "PLATE_TYPES",
    "is_uc3m",
    "load_uc3m_chars",
    "load_uc3m_crops",
    "load_uc3m_photos",
    "parse_uc3m_crop_name",
    "parse_yolo_boxes",
]

_ARCHIVE = "UC3M-LP-train.zip"
_FOLDER = "UC3M-LP-train"

#: Plate types of UC3M-LP: one-row white (A), two-row motorcycle (B), yellow light
#: motorcycle (C), blue taxi/VTC (D), red trailer (E).
PLATE_TYPES = "ABCDE"
_LIGHTS = {"D": "day", "N": "night"}

_SOURCE = (
    "UC3M-LP (Ramajo-Ballester et al., DOI 10.21950/OS5W4Z) is published as "
    f"{_ARCHIVE}; expected layout: {_FOLDER}/OCR/images/train/NNNNN_TL-TEXT.jpg with "
    f"{_FOLDER}/OCR/labels/train/NNNNN_TL-TEXT.txt (plate crops, one YOLO line "
    "'class x_center y_center width height' per visible character, class 0-9 = digits, "
    f"10-35 = A-Z) and {_FOLDER}/LP/images/train/NNNNN.jpg with "
    f"{_FOLDER}/LP/labels/train/NNNNN.txt (photos, one class-0 line per plate)."
)

_CROP_NAME = re.compile(r"^(?P<photo>\d+)_(?P<type>[A-Z])(?P<light>[A-Z])-(?P<text>[0-9A-Z-]+)$")

_DESCR_CROPS = """\
UC3M-LP plate crops (training split)
------------------------------------

{n} tight plate crops read from {source}{selection}.

Each crop is the plate box itself, cut from the full-resolution photo (no margin; at most
160 px wide). Its name ``NNNNN_TL-TEXT`` gives the photo it comes from, the plate type
(A one-row white, B two-row motorcycle, C yellow light motorcycle, D blue taxi/VTC,
E red trailer), the light (D day, N night) and the text, with ``-`` for each character
painted over for anonymisation (two per plate). ``target`` keeps the ``-``; a reading is
right when it equals ``visible``, the characters that can be read, in order (see
:func:`skplate.metrics.visible_text`). The label file gives a YOLO box and a class for
every visible character, in reading order. The full split has 2,056 crops of 1,580
photos. Licence: ODC-ODbL (the authors ask to be contacted for commercial use).
"""

_DESCR_PHOTOS = """\
UC3M-LP photos (training split)
-------------------------------

{n} car photos read from {source}.

The photos are downscaled to 320 px on their longer side (most are 320x240); ``boxes``
holds, per photo, the pixel box ``(x1, y1, x2, y2)`` of every plate (YOLO class 0),
``x2``/``y2`` exclusive. The full split has 1,580 photos and 2,056 plates.
``plate_texts`` lists the texts of the photo's crops (in crop file-name order, which need
not be the order of ``boxes``).
Licence: ODC-ODbL (the authors ask to be contacted for commercial use).
"""


class _Tree(_Source):
    """The files of a zip archive, or of a folder and all its sub-folders."""

    def __init__(self, path: Path):
        if not path.is_dir():
            super().__init__(path)
            return
        self.path = path
        self._zip = None
        self.names = sorted(
            file.relative_to(path).as_posix() for file in path.rglob("*") if file.is_file()
        )


def is_uc3m(path: str | os.PathLike) -> bool:
    """Return whether ``path`` looks like UC3M-LP: its archive or a folder in its layout.

    An archive counts when it holds an ``OCR/images/`` or ``LP/images/`` folder; a folder
    when it (or its ``UC3M-LP-train`` sub-folder) holds ``OCR/`` or ``LP/``. A folder that
    merely holds ``UC3M-LP-train.zip`` does not count (it may hold other data sets too): pass
    the archive. Nothing is decoded.

    Parameters
    ----------
    path : str or path-like
        A file or folder.

    Returns
    -------
    bool
    """
    path = Path(path).expanduser()
    if path.is_dir():
        roots = (path, path / _FOLDER)
        return any((root / part).is_dir() for root in roots for part in ("OCR", "LP"))
    if not path.is_file():
        return False
    try:
        tree = _Tree(path)
    except ValueError:
        return False
    try:
        return any(_member(name, "OCR") or _member(name, "LP") for name in tree.names)
    finally:
        tree.close()


def _locate(path: Path) -> Path:
    """Return the archive, or the folder holding ``OCR/`` and ``LP/``, ``path`` points to."""
    if not path.is_dir():
        return path
    for root in (path, path / _FOLDER):
        if (root / "OCR").is_dir() or (root / "LP").is_dir():
            return root
    if (path / _ARCHIVE).is_file():
        return path / _ARCHIVE
    raise FileNotFoundError(
        f"{path}: found neither {_ARCHIVE} nor the folders OCR/ and LP/ ({_FOLDER}/OCR) in "
        f"it. {_SOURCE}"
    )


def _member(name: str, part: str) -> re.Match | None:
    """Match an image member ``<root>/<part>/images/[<split>/]<file>``."""
    match = re.match(
        rf"^(?P<root>(?:.*/)?){part}/images/(?P<split>(?:[^/]+/)?)(?P<file>[^/]+)$", name
    )
    if (
        match is None
        or not match["file"].lower().endswith(IMAGE_SUFFIXES)
        or match["file"].startswith(".")
        or "__MACOSX" in name
    ):
        return None
    return match


def _entries(tree: _Tree, part: str) -> list[tuple[str, str, str]]:
    """``(file, image member, label member)`` of every image of ``part``, sorted by file."""
    entries = []
    for name in tree.names:
        match = _member(name, part)
        if match is None:
            continue
        stem = PurePosixPath(match["file"]).stem
        label = f"{match['root']}{part}/labels/{match['split']}{stem}.txt"
        entries.append((match["file"], name, label))
    if not entries:
        raise ValueError(f"{tree.path}: no image found in a '{part}/images' folder. {_SOURCE}")
    entries.sort()
    return entries


def parse_uc3m_crop_name(stem: str, *, name: str | None = None) -> dict[str, str]:
    """Read what a UC3M-LP crop's file name says about it.

    Parameters
    ----------
    stem : str
        The file name without its extension, ``NNNNN_TL-TEXT`` (e.g. ``"00002_AN-38-3-PV"``).
    name : str, default=None
        How the file is named in error messages; ``stem`` when None.

    Returns
    -------
    fields : dict
        ``photo_id`` (``"00002"``), ``plate_type`` (``"A"``), ``light`` (``"night"``),
        ``text`` (``"38-3-PV"``, a ``-`` for each painted character) and ``visible``
        (``"383PV"``).

    Raises
    ------
    ValueError
        If the name does not follow the pattern, the type is not A-E, the light not D/N,
        or the text has no visible character.

    Examples
    --------
    >>> parse_uc3m_crop_name("00002_AN-38-3-PV")["visible"]
    '383PV'
    """
    where = stem if name is None else name
    match = _CROP_NAME.match(stem)
    problem = None
    if match is None:
        problem = "the name does not follow the pattern NNNNN_TL-TEXT"
    elif match["type"] not in PLATE_TYPES:
        problem = f"unknown plate type {match['type']!r} (expected one of {PLATE_TYPES})"
    elif match["light"] not in _LIGHTS:
        problem = f"unknown light {match['light']!r} (expected D for day or N for night)"
    elif not match["text"].replace(PAINTED, ""):
        problem = "the text has no visible character"
    if problem is not None:
        raise ValueError(
            f"{where}: {problem}; a UC3M-LP crop is named NNNNN_TL-TEXT (photo number, plate "
            f"type A-E, light D/N, the text in 0-9 A-Z with '-' for a painted character), "
            f"e.g. 00002_AN-38-3-PV."
        )
    return {
        "photo_id": match["photo"],
        "plate_type": match["type"],
        "light": _LIGHTS[match["light"]],
        "text": match["text"],
        "visible": match["text"].replace(PAINTED, ""),
    }


def parse_yolo_boxes(
    text: str, shape: tuple[int, ...], *, name: str, n_classes: int
) -> tuple[np.ndarray, np.ndarray]:
    """Read every object of a YOLO label file, in file order, as pixel boxes.

    Parameters
    ----------
    text : str
        Content of the label file: ``class x_center y_center width height`` per line,
        coordinates relative to the image.
    shape : tuple of int
        Shape of the image the label belongs to.
    name : str
        The label file, named in error messages.
    n_classes : int
        Classes must be integers in ``[0, n_classes)``.

    Returns
    -------
    classes : ndarray of int, shape (n_objects,)
    boxes : ndarray of int, shape (n_objects, 4)
        ``(x1, y1, x2, y2)`` in pixels, ``x2``/``y2`` exclusive, clipped to the image.

    Raises
    ------
    ValueError
        If a line is malformed, has an unknown class, or its box has no area or lies
        outside the image; the message names the file and the line.
    """
    classes, boxes = [], []
    height, width = shape[:2]
    for lineno, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        where = f"{name}, line {lineno}"
        try:
            values = [float(field) for field in fields]
        except ValueError:
            raise ValueError(
                f"{where}: expected numbers 'class x_center y_center width height', "
                f"got {line.strip()!r}."
            ) from None
        if len(values) != 5:
            raise ValueError(
                f"{where}: expected 5 fields 'class x_center y_center width height', got "
                f"{len(fields)}: {line.strip()!r}."
            )
        if not np.isfinite(values).all():
            raise ValueError(f"{where}: the coordinates must be finite, got {line.strip()!r}.")
        if not float(values[0]).is_integer() or not 0 <= values[0] < n_classes:
            raise ValueError(
                f"{where}: the class must be an integer from 0 to {n_classes - 1}, got "
                f"{fields[0]!r}."
            )
        cx, cy, w, h = values[1:]
        if w <= 0 or h <= 0:
            raise ValueError(f"{where}: the box has no area: {line.strip()!r}.")
        # Rounded to whole pixels, at least one pixel each way: plates of the downscaled
        # photos can be a few pixels tall.
        x1 = min(max(round((cx - w / 2) * width), 0), width - 1)
        y1 = min(max(round((cy - h / 2) * height), 0), height - 1)
        x2 = max(min(round((cx + w / 2) * width), width), x1 + 1)
        y2 = max(min(round((cy + h / 2) * height), height), y1 + 1)
        if cx + w / 2 <= 0 or cy + h / 2 <= 0 or cx - w / 2 >= 1 or cy - h / 2 >= 1:
            raise ValueError(
                f"{where}: the box lies outside the {width}x{height} image: {line.strip()!r}."
            )
        classes.append(int(values[0]))
        boxes.append((x1, y1, x2, y2))
    return np.array(classes, dtype=np.int64), np.array(boxes, dtype=np.int64).reshape(-1, 4)


def _read_text(tree: _Tree, member: str) -> str:
    try:
        return tree.read(member).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{tree.describe(member)}: not a text file.") from None


def _check_errors(errors: str) -> None:
    if errors not in ("raise", "skip"):
        raise ValueError(f"errors must be 'raise' or 'skip', got {errors!r}.")


def _skip(errors: str, exc: ValueError, what: str) -> None:
    if errors == "raise":
        raise exc
    warnings.warn(f"{exc} Skipping {what}.", UserWarning, stacklevel=3)


def _check_types(plate_types: str | Iterable[str] | None) -> set[str] | None:
    if plate_types is None:
        return None
    items = [plate_types] if isinstance(plate_types, str) else list(plate_types)
    wanted = {str(letter).upper() for item in items for letter in str(item)}
    if not wanted or wanted - set(PLATE_TYPES):
        raise ValueError(
            f"plate_types must be letters among {PLATE_TYPES!r} (e.g. 'A' or ['A', 'B']), "
            f"got {plate_types!r}."
        )
    return wanted


def _check_light(light: str | None) -> str | None:
    if light is None:
        return None
    value = str(light).lower()
    value = {"d": "day", "n": "night"}.get(value, value)
    if value not in ("day", "night"):
        raise ValueError(f"light must be 'day', 'night' or None, got {light!r}.")
    return value


def _open(path: str | os.PathLike | None) -> _Tree:
    path = resolve_dataset_path(path, archive=_ARCHIVE, folders=(_FOLDER,), source=_SOURCE)
    return _Tree(_locate(path))


def load_uc3m_crops(
    path: str | os.PathLike | None = None,
    *,
    plate_types: str | Iterable[str] | None = None,
    light: str | None = None,
    plate_format: str | PlateFormat | Sequence[str | PlateFormat] | None = None,
    errors: str = "raise",
    return_X_y: bool = False,
) -> Bunch | tuple[list[PlateSample], np.ndarray]:
    """Load the UC3M-LP plate crops, their texts and their characters' boxes.

    Reads ``UC3M-LP-train.zip`` directly, without extracting it, or its extracted folder
    (``OCR/images/train/NNNNN_TL-TEXT.jpg`` and ``OCR/labels/train/NNNNN_TL-TEXT.txt``).
    Each crop is the plate itself, so its sample's plate box is the whole image.

    Parameters
    ----------
    path : str, path-like or None, default=None
        The zip archive, the ``UC3M-LP-train`` folder, the folder holding it, or a folder
        holding the archive. When None, ``UC3M-LP-train.zip`` or ``UC3M-LP-train/`` is
        looked for in :func:`get_data_home`.
    plate_types : str, list of str or None, default=None
        Keep only these plate types, e.g. ``"A"`` (one-row white plates) or ``["A", "D"]``.
        None keeps every type (A-E).
    light : {"day", "night"} or None, default=None
        Keep only the crops taken in this light; None keeps both.
    plate_format : str, PlateFormat, list or None, default=None
        Keep only the plates whose text, painted characters included, fits one of
        ``get_formats(plate_format)``, a painted character fitting any slot (``"38-3-PV"``
        fits ``"spanish"``, ``NNNNAAA``). None keeps every plate. This selects plates; a
        decoder given such a format still reads the visible characters only.
    errors : {"raise", "skip"}, default="raise"
        What to do with a crop whose name does not follow the pattern, whose label file is
        missing or malformed or does not list the visible characters of its name, or whose
        image cannot be decoded: raise a ValueError naming the file (and line), or warn
        (:class:`UserWarning` naming the file) and leave the crop out.
    return_X_y : bool, default=False
        Return ``(samples, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        images : list of ndarray
            uint8 BGR crops.
        boxes : ndarray of int, shape (n_crops, 4)
            The whole crop, ``(0, 0, width, height)``.
        target : ndarray of str, shape (n_crops,)
            Plate texts with ``-`` for each painted character (``"38-3-PV"``).
        visible : ndarray of str, shape (n_crops,)
            The characters that can be read, in order (``"383PV"``).
        char_boxes : list of ndarray of int, shape (n_visible, 4)
            Per crop, the pixel box ``(x1, y1, x2, y2)`` of each visible character, in
            reading order.
        char_labels : list of ndarray of str, shape (n_visible,)
            Per crop, the class of each visible character (``visible`` split up).
        plate_types : ndarray of str, shape (n_crops,)
            ``"A"`` to ``"E"``.
        light : ndarray of str, shape (n_crops,)
            ``"day"`` or ``"night"``.
        photo_ids : ndarray of str, shape (n_crops,)
            The photo the crop comes from (``"00002"``); use them as ``groups`` so that
            two plates of one photo never straddle cross-validation folds.
        filenames : ndarray of str, shape (n_crops,)
            Image file names; the data is sorted by them.
        samples : list of PlateSample
            ``PlateSample(image, (0, 0, width, height), name=filename)``.
        DESCR : str
            Description of the dataset.
    (samples, target) : tuple
        When ``return_X_y`` is True.

    Raises
    ------
    ValueError
        If the archive is corrupt, a parameter is not supported, or (with
        ``errors="raise"``) a name, label or image is unusable.
    FileNotFoundError
        If the data is not where it was looked for.

    Examples
    --------
    >>> from skplate.datasets import load_uc3m_crops
    >>> data = load_uc3m_crops(plate_types="A", light="night")  # doctest: +SKIP
    >>> data.target[0], data.visible[0]  # doctest: +SKIP
    ('074-C-V', '074CV')
    """
    _check_errors(errors)
    types = _check_types(plate_types)
    light = _check_light(light)
    keep = _plate_filter(plate_format)
    tree = _open(path)
    columns: dict[str, list] = {
        key: []
        for key in (
            "images",
            "boxes",
            "target",
            "visible",
            "char_boxes",
            "char_labels",
            "plate_types",
            "light",
            "photo_ids",
            "filenames",
        )
    }
    try:
        for filename, image_member, label_member in _entries(tree, "OCR"):
            try:
                fields = parse_uc3m_crop_name(
                    PurePosixPath(filename).stem, name=tree.describe(image_member)
                )
            except ValueError as exc:
                _skip(errors, exc, f"the crop {filename}")
                continue
            if (
                (types is not None and fields["plate_type"] not in types)
                or (light is not None and fields["light"] != light)
                or not keep(fields["text"])
            ):
                continue
            try:
                image = decode_uint8(tree.read(image_member), name=tree.describe(image_member))
                label_name = tree.describe(label_member)
                classes, char_boxes = parse_yolo_boxes(
                    _read_text(tree, label_member),
                    image.shape,
                    name=label_name,
                    n_classes=len(ALPHABET),
                )
                labels = "".join(ALPHABET[c] for c in classes)
                if labels != fields["visible"]:
                    raise ValueError(
                        f"{label_name}: the label file lists the characters {labels!r} but "
                        f"the name's visible characters are {fields['visible']!r}."
                    )
            except ValueError as exc:
                _skip(errors, exc, f"the crop {filename}")
                continue
            height, width = image.shape[:2]
            columns["images"].append(image)
            columns["boxes"].append((0, 0, width, height))
            columns["target"].append(fields["text"])
            columns["visible"].append(fields["visible"])
            columns["char_boxes"].append(char_boxes)
            columns["char_labels"].append(np.array(list(labels), dtype=str))
            columns["plate_types"].append(fields["plate_type"])
            columns["light"].append(fields["light"])
            columns["photo_ids"].append(fields["photo_id"])
            columns["filenames"].append(filename)
    finally:
        tree.close()

    samples = [
        PlateSample(image, box, filename)
        for image, box, filename in zip(
            columns["images"], columns["boxes"], columns["filenames"], strict=True
        )
    ]
    target = np.array(columns["target"], dtype=str)
    if return_X_y:
        return samples, target
    kept = []
    if types is not None:
        kept.append(f"plate types {''.join(sorted(types))}")
    if light is not None:
        kept.append(f"{light} light")
    if plate_format is not None:
        kept.append(f"plates matching {plate_format!r}")
    selection = f", keeping {' and '.join(kept)}" if kept else ""
    return Bunch(
        images=columns["images"],
        boxes=np.array(columns["boxes"], dtype=np.int64).reshape(-1, 4),
        target=target,
        visible=np.array(columns["visible"], dtype=str),
        char_boxes=columns["char_boxes"],
        char_labels=columns["char_labels"],
        plate_types=np.array(columns["plate_types"], dtype=str),
        light=np.array(columns["light"], dtype=str),
        photo_ids=np.array(columns["photo_ids"], dtype=str),
        filenames=np.array(columns["filenames"], dtype=str),
        samples=samples,
        DESCR=_DESCR_CROPS.format(n=len(samples), source=tree.path, selection=selection),
    )


def load_uc3m_photos(
    path: str | os.PathLike | None = None,
    *,
    errors: str = "raise",
    return_X_y: bool = False,
) -> Bunch | tuple[list[np.ndarray], list[np.ndarray]]:
    """Load the UC3M-LP car photos and the boxes of every plate in them.

    Reads ``UC3M-LP-train.zip`` directly, without extracting it, or its extracted folder
    (``LP/images/train/NNNNN.jpg`` and ``LP/labels/train/NNNNN.txt``). A photo whose label
    file is empty has no plate and is kept, with no box.

    Parameters
    ----------
    path : str, path-like or None, default=None
        As for :func:`load_uc3m_crops`.
    errors : {"raise", "skip"}, default="raise"
        What to do with a photo whose label file is missing or malformed (a line that is not
        ``0 x_center y_center width height``) or whose image cannot be decoded: raise a
        ValueError naming the file (and line), or warn (:class:`UserWarning` naming the
        file) and leave the photo out.
    return_X_y : bool, default=False
        Return ``(images, boxes)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        images : list of ndarray
            uint8 BGR photos (320 px on the longer side in the published split).
        boxes : list of ndarray of int, shape (n_plates, 4)
            Per photo, the pixel box ``(x1, y1, x2, y2)`` of every plate, ``x2``/``y2``
            exclusive, in label-file order; ``(0, 4)`` for a photo with no plate.
        photo_ids : ndarray of str, shape (n_photos,)
            The file name without its extension (``"00002"``), the ``photo_ids`` of
            :func:`load_uc3m_crops`.
        plate_texts : list of list of str
            Per photo, the texts of its crops (``-`` for a painted character), in crop
            file-name order; which box is which crop is not recorded in the data set.
        light : ndarray of str, shape (n_photos,)
            ``"day"`` or ``"night"`` as the photo's crops say; ``""`` when it has none.
        filenames : ndarray of str, shape (n_photos,)
            Image file names; the data is sorted by them.
        DESCR : str
            Description of the dataset.
    (images, boxes) : tuple
        When ``return_X_y`` is True.

    Raises
    ------
    ValueError
        If the archive is corrupt, ``errors`` is not supported, or (with
        ``errors="raise"``) a label or image is unusable.
    FileNotFoundError
        If the data is not where it was looked for.

    Examples
    --------
    >>> from skplate.datasets import load_uc3m_photos
    >>> images, boxes = load_uc3m_photos(return_X_y=True)  # doctest: +SKIP
    >>> len(images), sum(len(b) for b in boxes)  # doctest: +SKIP
    (1580, 2056)
    """
    _check_errors(errors)
    tree = _open(path)
    images, boxes, photo_ids, filenames = [], [], [], []
    crops: dict[str, list[tuple[str, str, str]]] = {}
    try:
        for name in tree.names:
            match = _member(name, "OCR")
            if match is None:
                continue
            try:
                fields = parse_uc3m_crop_name(PurePosixPath(match["file"]).stem)
            except ValueError:
                continue  # load_uc3m_crops reports it; the photo's boxes do not need it
            crops.setdefault(fields["photo_id"], []).append(
                (match["file"], fields["text"], fields["light"])
            )
        for filename, image_member, label_member in _entries(tree, "LP"):
            try:
                image = decode_uint8(tree.read(image_member), name=tree.describe(image_member))
                _, found = parse_yolo_boxes(
                    _read_text(tree, label_member),
                    image.shape,
                    name=tree.describe(label_member),
                    n_classes=1,
                )
            except ValueError as exc:
                _skip(errors, exc, f"the photo {filename}")
                continue
            images.append(image)
            boxes.append(found)
            photo_ids.append(PurePosixPath(filename).stem)
            filenames.append(filename)
    finally:
        tree.close()
    if return_X_y:
        return images, boxes
    texts = [[text for _, text, _ in sorted(crops.get(pid, []))] for pid in photo_ids]
    lights = [sorted({lit for _, _, lit in crops.get(pid, [])}) for pid in photo_ids]
    return Bunch(
        images=images,
        boxes=boxes,
        photo_ids=np.array(photo_ids, dtype=str),
        plate_texts=texts,
        light=np.array(["/".join(lit) for lit in lights], dtype=str),
        filenames=np.array(filenames, dtype=str),
        DESCR=_DESCR_PHOTOS.format(n=len(images), source=tree.path),
    )


def load_uc3m_chars(
    path: str | os.PathLike | None = None,
    *,
    plate_types: str | Iterable[str] | None = None,
    light: str | None = None,
    photo_ids: Iterable[str] | None = None,
    margin: float = 0.0,
    errors: str = "raise",
    return_X_y: bool = False,
) -> Bunch | tuple[list[np.ndarray], np.ndarray]:
    """Load the visible characters of the UC3M-LP plate crops, cut out by their boxes.

    Real plate characters (15-30 px tall, day and night) as a training source: each is the
    pixels of one character box of :func:`load_uc3m_crops`; painted characters have no box
    and give nothing.

    Parameters
    ----------
    path : str, path-like or None, default=None
        As for :func:`load_uc3m_crops`.
    plate_types, light : default=None
        As for :func:`load_uc3m_crops`.
    photo_ids : iterable of str, default=None
        Keep only the characters of these photos (``"00002"``), e.g. a cross-validation
        fold's training photos, so that no plate is trained and tested on; None keeps all.
    margin : float, default=0.0
        Widen each box by this fraction of its height on every side (clipped to the crop).
    errors : {"raise", "skip"}, default="raise"
        As for :func:`load_uc3m_crops`.
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        images : list of ndarray
            uint8 BGR character images.
        target : ndarray of str, shape (n_chars,)
            The characters, ``0``-``9`` and ``A``-``Z``.
        photo_ids, plate_types, light, filenames : ndarray of str, shape (n_chars,)
            Those of the crop each character was cut from.
        DESCR : str
            Description of the data.
    (images, target) : tuple
        When ``return_X_y`` is True.

    Examples
    --------
    >>> from skplate.datasets import load_uc3m_chars
    >>> images, target = load_uc3m_chars(return_X_y=True)  # doctest: +SKIP
    >>> len(target)  # doctest: +SKIP
    10299
    """
    if not (isinstance(margin, int | float) and 0 <= margin <= 1):
        raise ValueError(f"margin must be a number from 0 to 1, got {margin!r}.")
    wanted = None if photo_ids is None else {str(pid) for pid in photo_ids}
    crops = load_uc3m_crops(path, plate_types=plate_types, light=light, errors=errors)
    columns: dict[str, list] = {
        key: [] for key in ("images", "target", "photo_ids", "plate_types", "light", "filenames")
    }
    for index, image in enumerate(crops.images):
        if wanted is not None and crops.photo_ids[index] not in wanted:
            continue
        height, width = image.shape[:2]
        for (x1, y1, x2, y2), label in zip(
            crops.char_boxes[index], crops.char_labels[index], strict=True
        ):
            pad = round(margin * (y2 - y1))
            columns["images"].append(
                image[
                    max(y1 - pad, 0) : min(y2 + pad, height),
                    max(x1 - pad, 0) : min(x2 + pad, width),
                ]
            )
            columns["target"].append(str(label))
            for key in ("photo_ids", "plate_types", "light", "filenames"):
                columns[key].append(str(crops[key][index]))
    target = np.array(columns["target"], dtype=str)
    if return_X_y:
        return columns["images"], target
    return Bunch(
        images=columns["images"],
        target=target,
        **{
            key: np.array(columns[key], dtype=str)
            for key in ("photo_ids", "plate_types", "light", "filenames")
        },
        DESCR=(
            f"{len(target)} characters cut out of {len(set(columns['filenames']))} UC3M-LP "
            f"plate crops by their YOLO boxes (margin {margin:g} of the box height).\n\n"
            + crops.DESCR
        ),
    )
