"""Saving and loading fitted models: atomic writes, clear errors, version checks."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import joblib

from ._version import __version__

__all__ = [
    "VERSION_KEY",
    "ModelFileError",
    "atomic_open",
    "atomic_path",
    "atomic_write",
    "load_model",
    "save_model",
]

VERSION_KEY = "_skplate_version"
"""Attribute under which estimators record, in their pickled state, the skplate version."""


class ModelFileError(ValueError):
    """A model file is missing, corrupt, not a skplate model, or from an incompatible version."""


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary sibling of ``path`` to write; rename it onto ``path`` on success.

    The parent folder is created. When the ``with`` block ends normally, the temporary file
    gets normal permissions and is moved onto ``path`` (an atomic rename on the same file
    system); when it raises (or is interrupted), the temporary file is removed and ``path``
    is left as it was, so a failed run never leaves a truncated file where a good one was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        yield tmp
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file normal permissions
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write(path: str | os.PathLike, write: Callable[[Path], object]) -> Path:
    """Write a file through a temporary sibling and rename it into place.

    ``write(tmp_path)`` writes the content; only when it returns is the file moved onto
    ``path`` (see :func:`atomic_path`), so an interrupted run never leaves a truncated file
    where a good one was.
    """
    with atomic_path(path) as tmp:
        write(tmp)
    return Path(path)


@contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w", **kwargs) -> Iterator[IO]:
    """Open a temporary sibling of ``path`` for streaming writes; rename it into place on success.

    For output written bit by bit (a row per batch, flushed as it goes): readers of
    ``path`` see the old file, or none, until the ``with`` block ends normally; if it
    raises, ``path`` is left untouched (see :func:`atomic_path`).

    Parameters
    ----------
    path : path-like
        The file to write.
    mode : str, default="w"
        A writing mode of :func:`open` (``"w"``, ``"wb"``, ...).
    **kwargs
        Passed to :func:`open` (``encoding``, ``newline``, ...).

    Examples
    --------
    >>> with atomic_open("readings.csv", encoding="utf-8", newline="") as handle:  # doctest: +SKIP
    ...     handle.write("image,text\\n")
    """
    with atomic_path(path) as tmp, open(tmp, mode, **kwargs) as handle:
        yield handle


def _compatible(saved: str) -> bool:
    """Models are compatible within the same major.minor release."""
    return saved.split(".")[:2] == __version__.split(".")[:2]


def save_model(model: object, path: str | os.PathLike, *, compress: int = 3) -> Path:
    """Save a fitted estimator with joblib, atomically.

    The file holds the estimator itself, so a plain ``joblib.load`` returns it. A
    :class:`~skplate.recognizer.PlateRecognizer` records the skplate version in its
    pickled state, which :func:`load_model` checks.

    Parameters
    ----------
    model : estimator
        Any fitted skplate or scikit-learn estimator.
    path : path-like
        Destination file (conventionally ``*.joblib``).
    compress : int, default=3
        joblib compression level.

    Returns
    -------
    path : Path
    """
    return atomic_write(path, lambda tmp: joblib.dump(model, tmp, compress=compress))


def load_model(path: str | os.PathLike) -> object:
    """Load a model written by :func:`save_model` (or a plain ``joblib.dump`` of an estimator).

    Raises
    ------
    ModelFileError
        If the file is missing, unreadable, corrupt, or was saved by an incompatible
        skplate version; the message names the file.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"{path}: no such model file; train one with 'skplate train'.")
    try:
        payload = joblib.load(path)
    except Exception as error:  # any unpickling failure means a damaged file
        raise ModelFileError(
            f"{path}: not a readable model file (corrupt or truncated?): {error}"
        ) from error
    saved = None
    if isinstance(payload, dict) and payload.get("format") == "skplate-model":
        # the envelope written by the first development builds
        saved, payload = str(payload.get("skplate_version", "unknown")), payload.get("model")
    elif hasattr(payload, "__dict__") and VERSION_KEY in vars(payload):
        saved = str(vars(payload)[VERSION_KEY])
    if saved is not None and not _compatible(saved):
        raise ModelFileError(
            f"{path}: saved by skplate {saved}, which this skplate {__version__} cannot "
            "read; retrain the model or install the matching skplate version."
        )
    if hasattr(payload, "predict") or hasattr(payload, "transform"):
        return _check_estimator(payload, path)
    raise ModelFileError(f"{path}: the file holds a {type(payload).__name__}, not a model.")


def _check_estimator(model: object, path: Path) -> object:
    """Reject a model pickled by an older development build whose estimators lack parameters."""
    if hasattr(model, "get_params"):
        try:
            model.get_params(deep=True)
        except AttributeError as error:
            raise ModelFileError(
                f"{path}: saved by an incompatible skplate build ({error}); retrain the model."
            ) from error
    return model
