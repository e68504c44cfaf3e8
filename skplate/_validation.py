"""Input validation shared by every stage: images enter here and leave as clean arrays."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

__all__ = ["check_image", "read_image", "to_gray", "to_uint8"]

_SUPPORTED_DTYPES = (np.uint8, np.uint16)


def check_image(image: object, *, name: str = "image") -> np.ndarray:
    """Check that ``image`` is a non-empty uint8/uint16 gray, BGR or BGRA array.

    Parameters
    ----------
    image : array-like
        The image to check.
    name : str, default="image"
        How the image is named in error messages (a file name or ``"X[3]"``).

    Returns
    -------
    image : ndarray
        The same pixels as a C-contiguous array.

    Raises
    ------
    TypeError
        If ``image`` is not an array or has an unsupported dtype.
    ValueError
        If ``image`` is empty or does not have 1, 3 or 4 channels.
    """
    if not isinstance(image, np.ndarray):
        raise TypeError(f"{name}: expected a numpy array, got {type(image).__name__}.")
    if image.dtype not in _SUPPORTED_DTYPES:
        raise TypeError(
            f"{name}: unsupported dtype {image.dtype}; expected uint8 or uint16 pixels."
        )
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (3, 4)):
        raise ValueError(
            f"{name}: expected a gray (H, W), BGR (H, W, 3) or BGRA (H, W, 4) image, "
            f"got shape {image.shape}."
        )
    if image.shape[0] == 0 or image.shape[1] == 0:
        raise ValueError(f"{name}: the image is empty (shape {image.shape}).")
    return np.ascontiguousarray(image)


def to_uint8(image: np.ndarray, *, name: str = "image") -> np.ndarray:
    """Return ``image`` as a uint8 gray ``(H, W)`` or BGR ``(H, W, 3)`` image.

    uint16 images are rescaled to the full 8-bit range; BGRA images are composed onto
    white so transparent pixels read as background.
    """
    image = check_image(image, name=name)
    if image.dtype == np.uint16:
        image = cv2.convertScaleAbs(image, alpha=255.0 / 65535.0)
    if image.ndim == 3 and image.shape[2] == 4:
        alpha = image[:, :, 3:4].astype(np.float32) / 255.0
        bgr = image[:, :, :3].astype(np.float32) * alpha + 255.0 * (1.0 - alpha)
        image = np.round(bgr).astype(np.uint8)
    return image


def to_gray(image: np.ndarray, *, name: str = "image") -> np.ndarray:
    """Return ``image`` as a 2-D uint8 gray image (see :func:`to_uint8`)."""
    image = to_uint8(image, name=name)
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def read_image(path: str | Path) -> np.ndarray:
    """Read an image file as a BGR (or gray) uint8 array, naming the file on failure.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If the file is empty or OpenCV cannot decode it.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such image file.")
    data = np.fromfile(path, dtype=np.uint8)
    return decode_image(data, name=str(path))


def decode_image(data: bytes | np.ndarray, *, name: str) -> np.ndarray:
    """Decode encoded image bytes (PNG, JPEG, BMP, ...), naming ``name`` on failure."""
    buffer = np.frombuffer(data, dtype=np.uint8) if isinstance(data, bytes) else data
    if buffer.size == 0:
        raise ValueError(f"{name}: the file is empty; expected an encoded image.")
    image = cv2.imdecode(buffer, cv2.IMREAD_UNCHANGED)
    if image is None:
        raise ValueError(f"{name}: not a readable image (corrupt or unsupported format).")
    return check_image(image, name=name)
