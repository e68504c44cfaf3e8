"""Loader for the licence-plate photos of the Roboflow ``test6Training`` YOLO export."""

from __future__ import annotations

import os
import re
import warnings
import zipfile
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import numpy as np
from sklearn.utils import Bunch

from ..metrics import PAINTED
from ..samples import PlateSample, clip_box
from ._base import resolve_dataset_path
from ._images import IMAGE_SUFFIXES, decode_uint8

if TYPE_CHECKING:
    from ..formats import PlateFormat

__all__ = ["load_plates", "parse_yolo_plate_box"]

_ARCHIVE = "test6Training.zip"
_FOLDER = "test6Training"
_PLATE_CLASS = 0

_SOURCE = (
    "The plates are the Roboflow 'test6Training' licence-plate export in YOLO format, "
    f"published as {_ARCHIVE}; expected layout: {_FOLDER}/images/<PLATE>.jpg and "
    f"{_FOLDER}/labels/<PLATE>.txt (one 'class x_center y_center width height' line per "
    "object, class 0 = plate, 1 = car; the file name is the plate text)."
)

_DESCR = """\
Licence-plate photos (Roboflow "test6Training" export)
------------------------------------------------------

{n_images} labelled car photos read from {source}{selection}.

Each photo comes with a YOLO label file (class 0 = licence plate, 1 = car; coordinates
relative to the image); the plate box is the class-0 object (the largest when there are
several) converted to pixels ``(x1, y1, x2, y2)``, ``x2``/``y2`` exclusive, clipped to the
image. The ground-truth text is the file name without its extension. The full export has
117 photos (416x416), 21 of them Spanish plates in the NNNNAAA format.
"""

_IMAGE_MEMBER = re.compile(r"^(?P<root>(?:.*/)?)images/(?P<file>[^/]+)$")


def parse_yolo_plate_box(
    text: str, shape: tuple[int, ...], *, name: str
) -> tuple[int, int, int, int]:
    """Return the pixel box of the plate (class 0) in a YOLO label file.

    Parameters
    ----------
    text : str
        Content of the label file: ``class x_center y_center width height`` per line,
        relative coordinates. A polygon line (``class x1 y1 x2 y2 ...``) is read as its
        bounding box.
    shape : tuple of int
        Shape of the image the label belongs to.
    name : str
        The label file, named in error messages.

    Returns
    -------
    box : tuple of int
        ``(x1, y1, x2, y2)`` of the largest class-0 object, clipped to the image.

    Raises
    ------
    ValueError
        If a line is malformed (the message names the file and line), if no line has class
        0, or if the plate box lies outside the image.
    """
    best, best_area, best_line = None, -1.0, 0
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
        if not np.isfinite(values).all() or not float(values[0]).is_integer():
            raise ValueError(
                f"{where}: the class must be an integer and coordinates finite, got "
                f"{line.strip()!r}."
            )
        if len(values) == 5:
            cx, cy, w, h = values[1:]
            x1, y1, x2, y2 = cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2
        elif len(values) >= 7 and len(values) % 2 == 1:
            xs, ys = values[1::2], values[2::2]
            x1, y1, x2, y2 = min(xs), min(ys), max(xs), max(ys)
        else:
            raise ValueError(
                f"{where}: expected 5 fields 'class x_center y_center width height', got "
                f"{len(fields)}: {line.strip()!r}."
            )
        if x2 <= x1 or y2 <= y1:
            raise ValueError(f"{where}: the box has no area: {line.strip()!r}.")
        area = (x2 - x1) * (y2 - y1)
        if int(values[0]) == _PLATE_CLASS and area > best_area:
            best, best_area, best_line = (x1, y1, x2, y2), area, lineno
    if best is None:
        raise ValueError(f"{name}: no plate line (class {_PLATE_CLASS}) in the label file.")
    height, width = shape[:2]
    x1, y1, x2, y2 = best
    return clip_box(
        (x1 * width, y1 * height, x2 * width, y2 * height),
        shape,
        name=f"{name}, line {best_line}",
    )


class _Source:
    """The files of one export, in a zip archive or a folder, read by relative name."""

    def __init__(self, path: Path):
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        if path.is_dir():
            self.names = sorted(
                f"{sub}/{file.name}"
                for sub in ("images", "labels")
                if (path / sub).is_dir()
                for file in (path / sub).iterdir()
                if file.is_file()
            )
            return
        try:
            self._zip = zipfile.ZipFile(path)
            self.names = [info.filename for info in self._zip.infolist() if not info.is_dir()]
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise ValueError(
                f"{path}: cannot read this zip archive ({exc}); the file is corrupt or truncated."
            ) from exc

    def describe(self, name: str) -> str:
        """How a member is named in messages: the file, or the archive and member."""
        if self._zip is None:
            return str(self.path / name)
        return f"{self.path}, member {name}"

    def read(self, name: str) -> bytes:
        """Return the bytes of ``name``; a missing file raises ValueError naming it."""
        if self._zip is None:
            file = self.path / name
            if not file.is_file():
                raise ValueError(f"{file}: missing file.")
            return file.read_bytes()
        try:
            return self._zip.read(name)
        except KeyError:
            raise ValueError(f"{self.describe(name)}: missing file.") from None
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
            raise ValueError(
                f"{self.describe(name)}: cannot read this member ({exc}); the archive is "
                f"corrupt or truncated."
            ) from exc

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def _locate(path: Path) -> Path:
    """Return the zip archive or the folder holding ``images/`` that ``path`` points to."""
    if not path.is_dir():
        return path
    for root in (path, path / _FOLDER):
        if (root / "images").is_dir():
            return root
    if (path / _ARCHIVE).is_file():
        return path / _ARCHIVE
    raise FileNotFoundError(
        f"{path}: found neither {_ARCHIVE} nor an 'images' folder ({_FOLDER}/images) in "
        f"it. {_SOURCE}"
    )


def _plate_filter(
    plate_format: str | PlateFormat | Sequence[str | PlateFormat] | None,
) -> Callable[[str], bool]:
    """Return a predicate telling whether a plate text matches ``plate_format``."""
    if plate_format is None:
        return lambda text: True
    from ..formats import get_formats

    formats = get_formats(plate_format)
    return lambda text: any(_fits(fmt, text) for fmt in formats)


def _fits(fmt: PlateFormat, text: str) -> bool:
    """Whether ``text`` fits ``fmt``; a painted character (``-``) fits any slot."""
    if PAINTED not in text:
        return fmt.matches(text)
    return len(text) == len(fmt) and all(
        ch == PAINTED or ch in chars for ch, chars in zip(text, fmt.slot_characters(), strict=True)
    )


def load_plates(
    path: str | os.PathLike | None = None,
    *,
    plate_format: str | PlateFormat | Sequence[str | PlateFormat] | None = None,
    errors: str = "raise",
    return_X_y: bool = False,
) -> Bunch | tuple[list[PlateSample], np.ndarray]:
    """Load the licence-plate photos, their plate boxes and plate texts.

    Reads ``test6Training.zip`` directly, without extracting it, or the extracted
    ``test6Training`` folder (``images/<PLATE>.jpg`` and ``labels/<PLATE>.txt``).

    Parameters
    ----------
    path : str, path-like or None, default=None
        The zip archive, the ``test6Training`` folder, the folder holding it, or a folder
        holding the archive. When None, ``test6Training.zip`` or ``test6Training/`` is
        looked for in :func:`get_data_home`. A path to UC3M-LP (``UC3M-LP-train.zip`` or a
        folder in its layout, see :func:`is_uc3m`) reads its plate crops instead: the
        result is :func:`load_uc3m_crops`'s, whose truths mark painted characters ``-``.
    plate_format : str, PlateFormat, list or None, default=None
        Keep only the plates whose text matches one of ``get_formats(plate_format)``
        (a preset such as ``"spanish"`` or a pattern such as ``"NNNNAAA"``); a painted
        character (``-``) fits any slot. None keeps every plate.
    errors : {"raise", "skip"}, default="raise"
        What to do with a plate whose label file is missing or malformed, has no plate
        line, or whose image cannot be decoded: raise a ValueError naming the file (and
        line), or warn (:class:`UserWarning` naming the file) and leave the plate out.
    return_X_y : bool, default=False
        Return ``(samples, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        images : list of ndarray
            uint8 BGR (or gray) photos.
        boxes : ndarray of int, shape (n_plates, 4)
            Plate boxes ``(x1, y1, x2, y2)`` in pixels, ``x2``/``y2`` exclusive.
        target : ndarray of str, shape (n_plates,)
            Plate texts (the image file names without extension).
        filenames : ndarray of str, shape (n_plates,)
            Image file names; the data is sorted by them.
        samples : list of PlateSample
            ``PlateSample(image, box, name=filename)``, the input of the estimators.
        DESCR : str
            Description of the dataset.
    (samples, target) : tuple
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
    >>> from skplate.datasets import load_plates
    >>> samples, target = load_plates(plate_format="NNNNAAA", return_X_y=True)  # doctest: +SKIP
    >>> len(samples)  # doctest: +SKIP
    21
    """
    if errors not in ("raise", "skip"):
        raise ValueError(f"errors must be 'raise' or 'skip', got {errors!r}.")
    from ._uc3m import is_uc3m, load_uc3m_crops

    if path is not None and is_uc3m(path):
        return load_uc3m_crops(
            path, plate_format=plate_format, errors=errors, return_X_y=return_X_y
        )
    keep = _plate_filter(plate_format)
    path = resolve_dataset_path(path, archive=_ARCHIVE, folders=(_FOLDER,), source=_SOURCE)
    source = _Source(_locate(path))
    try:
        entries = []
        for member in source.names:
            match = _IMAGE_MEMBER.match(member)
            if (
                match is None
                or not match["file"].lower().endswith(IMAGE_SUFFIXES)
                or match["file"].startswith(".")
                or "__MACOSX" in member
            ):
                continue
            stem = PurePosixPath(match["file"]).stem
            label = f"{match['root']}labels/{stem}.txt"
            entries.append((match["file"], stem, member, label))
        if not entries:
            raise ValueError(f"{source.path}: no image found in an 'images' folder. {_SOURCE}")
        entries.sort(key=lambda entry: (entry[0], entry[2]))

        images, boxes, texts, filenames = [], [], [], []
        for filename, text, image_member, label_member in entries:
            if not keep(text):
                continue
            try:
                image = decode_uint8(source.read(image_member), name=source.describe(image_member))
                raw = source.read(label_member)
                label_name = source.describe(label_member)
                try:
                    label_text = raw.decode("utf-8-sig")
                except UnicodeDecodeError:
                    raise ValueError(f"{label_name}: not a text file.") from None
                box = parse_yolo_plate_box(label_text, image.shape, name=label_name)
            except ValueError as exc:
                if errors == "raise":
                    raise
                warnings.warn(f"{exc} Skipping the plate {filename}.", UserWarning, stacklevel=2)
                continue
            images.append(image)
            boxes.append(box)
            texts.append(text)
            filenames.append(filename)
    finally:
        source.close()

    samples = [
        PlateSample(image, box, filename)
        for image, box, filename in zip(images, boxes, filenames, strict=True)
    ]
    target = np.array(texts, dtype=str)
    if return_X_y:
        return samples, target
    selection = "" if plate_format is None else f", keeping plates matching {plate_format!r}"
    return Bunch(
        images=images,
        boxes=np.array(boxes, dtype=np.int64).reshape(-1, 4),
        target=target,
        filenames=np.array(filenames, dtype=str),
        samples=samples,
        DESCR=_DESCR.format(n_images=len(samples), source=source.path, selection=selection),
    )
