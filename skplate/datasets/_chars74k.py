"""Loader for the Chars74K English character images (digits and upper-case letters)."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import re
import tarfile
import zlib
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ._base import resolve_dataset_path
from ._images import IMAGE_SUFFIXES, decode_uint8

__all__ = ["CHARS74K_CLASSES", "load_chars74k"]

#: The 36 plate characters; Chars74K ``SampleNNN`` holds ``CHARS74K_CLASSES[NNN - 1]``.
CHARS74K_CLASSES = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

_URL = "https://teodecampos.github.io/chars74k/"

# subset -> (archive name, folder of the SampleNNN folders inside the archive)
_SUBSETS = {
    "GoodImg": ("EnglishImg.tgz", "English/Img/GoodImg/Bmp"),
    "Fnt": ("EnglishFnt.tgz", "English/Fnt"),
}

_SAMPLE_DIR = re.compile(r"Sample(\d{3})")

_DESCR = """\
Chars74K English characters ({subset} subset), digits 0-9 and letters A-Z
-------------------------------------------------------------------------

{n_images} images in {n_classes} classes, read from {source}.

GoodImg holds natural-scene crops of characters photographed in Bangalore (signs,
hoardings, number plates); Fnt holds characters rendered from computer fonts in normal,
bold and italic styles. Only the folders Sample001-Sample036 are read: Sample001-010
are the digits '0'-'9' and Sample011-036 the letters 'A'-'Z' (the lower-case classes are
not plate characters). Images keep the size and colour they have in the files (some
copies resize them), so callers must not assume a fixed input size.

Source: T. E. de Campos, B. R. Babu and M. Varma, "Character recognition in natural
images", VISAPP 2009. Published at {url}
"""


def _source_hint(subset: str) -> str:
    archive, folder = _SUBSETS[subset]
    return (
        f"The official Chars74K {subset} data is published as {archive} at {_URL}; "
        f"its images are in {folder}/SampleNNN/*.png."
    )


def _read_tar(path: Path) -> tarfile.TarFile:
    """Open a (possibly compressed) tar archive fully in memory, naming it on failure."""
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        elif raw[:3] == b"BZh":
            raw = bz2.decompress(raw)
        elif raw[:6] == b"\xfd7zXZ\x00":
            raw = lzma.decompress(raw)
        return tarfile.open(fileobj=io.BytesIO(raw), mode="r:")
    except (OSError, EOFError, zlib.error, lzma.LZMAError, tarfile.TarError) as exc:
        raise ValueError(
            f"{path}: cannot read this tar archive ({type(exc).__name__}: {exc}); the file "
            f"is corrupt or truncated. Download it again from {_URL}"
        ) from exc


def _members_from_archive(
    path: Path, subset: str
) -> tuple[list[tuple[str, int, bytes]], dict[str, str]]:
    """Read the subset's images from a tar archive.

    Returns ``(filename, class index, bytes)`` items and, for error messages, the member
    name of each filename.
    """
    folder = _SUBSETS[subset][1].split("/", 1)[1]  # "Img/GoodImg/Bmp" or "Fnt"
    pattern = re.compile(rf"(?:^|/){re.escape(folder)}/Sample(\d{{3}})/([^/]+)$")
    items, members_of = [], {}
    with _read_tar(path) as archive:
        try:
            members = archive.getmembers()
        except (tarfile.TarError, EOFError) as exc:
            raise ValueError(
                f"{path}: cannot list this tar archive ({exc}); the file is corrupt or "
                f"truncated. Download it again from {_URL}"
            ) from exc
        for member in members:
            match = pattern.search(member.name)
            if match is None or not member.isfile():
                continue
            index, filename = int(match[1]), match[2]
            if not 1 <= index <= len(CHARS74K_CLASSES) or filename.startswith("."):
                continue
            if not filename.lower().endswith(IMAGE_SUFFIXES):
                continue
            try:
                data = archive.extractfile(member).read()
            except (tarfile.TarError, OSError, EOFError) as exc:
                raise ValueError(
                    f"{path}: cannot read member {member.name} ({exc}); the archive is "
                    f"corrupt or truncated."
                ) from exc
            if len(data) != member.size:
                raise ValueError(
                    f"{path}: member {member.name} is truncated ({len(data)} of "
                    f"{member.size} bytes); the archive is corrupt or truncated."
                )
            name = f"Sample{index:03d}/{filename}"
            items.append((name, index - 1, data))
            members_of[name] = member.name
    return items, members_of


def _sample_root(path: Path, subset: str) -> Path | None:
    """Find the folder holding ``SampleNNN`` folders below or at ``path``."""
    folder = _SUBSETS[subset][1]  # "English/Img/GoodImg/Bmp" or "English/Fnt"
    parts = folder.split("/")
    for start in range(len(parts) + 1):
        candidate = path.joinpath(*parts[start:])
        if candidate.is_dir() and any(
            _SAMPLE_DIR.fullmatch(child.name) for child in candidate.iterdir() if child.is_dir()
        ):
            return candidate
    return None


def _members_from_folder(root: Path) -> list[tuple[str, int, bytes]]:
    """Return ``(filename, class index, bytes)`` of the images under ``root/SampleNNN``."""
    items = []
    for sample_dir in root.iterdir():
        match = _SAMPLE_DIR.fullmatch(sample_dir.name)
        if match is None or not sample_dir.is_dir():
            continue
        index = int(match[1])
        if not 1 <= index <= len(CHARS74K_CLASSES):
            continue
        for file in sample_dir.iterdir():
            name = file.name
            if name.startswith(".") or not name.lower().endswith(IMAGE_SUFFIXES):
                continue
            if file.is_file():
                items.append((f"{sample_dir.name}/{name}", index - 1, file.read_bytes()))
    return items


def load_chars74k(
    path: str | os.PathLike | None = None,
    *,
    subset: str = "GoodImg",
    return_X_y: bool = False,
) -> Bunch | tuple[list[np.ndarray], np.ndarray]:
    """Load the digit and upper-case letter images of Chars74K English.

    Reads the published archive (``EnglishImg.tgz`` or ``EnglishFnt.tgz``) directly,
    without extracting it, or a folder extracted from it.

    Parameters
    ----------
    path : str, path-like or None, default=None
        The archive, or a folder: the one holding ``English/``, the ``English`` folder,
        the folder of the ``SampleNNN`` folders (``.../GoodImg/Bmp`` or
        ``.../English/Fnt``), or a folder holding the archive. When None, the archive or
        the extracted ``English`` folder is looked for in :func:`get_data_home`.
    subset : {"GoodImg", "Fnt"}, default="GoodImg"
        ``"GoodImg"``: natural-scene crops (``EnglishImg.tgz``). ``"Fnt"``: characters
        rendered from computer fonts (``EnglishFnt.tgz``).
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        images : list of ndarray
            uint8 gray ``(H, W)`` or BGR ``(H, W, 3)`` images as decoded; sizes vary.
        target : ndarray of str, shape (n_images,)
            The character of each image, one of ``0-9`` and ``A-Z``.
        filenames : ndarray of str, shape (n_images,)
            ``SampleNNN/<file>.png``, the same whether read from the archive or a folder.
            The data is sorted by it.
        DESCR : str
            Description of the dataset.
    (images, target) : tuple
        When ``return_X_y`` is True.

    Raises
    ------
    ValueError
        If ``subset`` is not supported, if the archive is corrupt or truncated, if an
        image cannot be decoded (the message names the archive and the member), or if no
        image of the subset is found.
    FileNotFoundError
        If the data is not where it was looked for.

    Examples
    --------
    >>> from skplate.datasets import load_chars74k
    >>> images, target = load_chars74k(return_X_y=True)  # doctest: +SKIP
    >>> len(images), len(set(target))  # doctest: +SKIP
    (5795, 36)
    """
    if subset not in _SUBSETS:
        raise ValueError(f"subset must be one of {sorted(_SUBSETS)}, got {subset!r}.")
    archive_name, folder = _SUBSETS[subset]
    hint = _source_hint(subset)
    path = resolve_dataset_path(path, archive=archive_name, folders=("English",), source=hint)

    root = _sample_root(path, subset) if path.is_dir() else None
    if root is not None:
        items = _members_from_folder(root)
        describe = f"the folder {root}"

        def where(filename: str) -> str:
            return str(root / filename)
    else:
        if path.is_dir():
            if not (path / archive_name).is_file():
                raise FileNotFoundError(
                    f"{path}: found neither {archive_name} nor the folder {folder}/SampleNNN "
                    f"in it. {hint}"
                )
            path = path / archive_name
        items, members = _members_from_archive(path, subset)
        describe = f"the archive {path}"

        def where(filename: str) -> str:
            return f"{path}, member {members[filename]}"

    if not items:
        raise ValueError(
            f"{path}: no {subset} image found (expected {folder}/Sample001 ... Sample036 "
            f"holding image files). {hint}"
        )
    items.sort(key=lambda item: item[0])
    images = [decode_uint8(data, name=where(filename)) for filename, _, data in items]
    target = np.array([CHARS74K_CLASSES[label] for _, label, _ in items])
    if return_X_y:
        return images, target
    filenames = np.array([filename for filename, _, _ in items])
    descr = _DESCR.format(
        subset=subset,
        n_images=len(images),
        n_classes=len(np.unique(target)),
        source=describe,
        url=_URL,
    )
    return Bunch(images=images, target=target, filenames=filenames, DESCR=descr)
