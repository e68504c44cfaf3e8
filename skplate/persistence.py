"""Saving and loading fitted models: atomic writes, clear errors, version checks."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import joblib

from ._version import __version__

__all__ = ["VERSION_KEY", "ModelFileError", "atomic_write", "load_model", "save_model"]

VERSION_KEY = "_skplate_version"
"""Attribute under which estimators record, in their pickled state, the skplate version."""


class ModelFileError(ValueError):
    """A model file is missing, corrupt, not a skplate model, or from an incompatible version."""


def atomic_write(path: str | os.PathLike, write: Callable[[Path], object]) -> Path:
    """Write a file through a temporary sibling and rename it into place.

    ``write(tmp_path)`` writes the content; only when it returns is the file moved onto
    ``path`` (an atomic rename on the same file system), so an interrupted run never leaves
    a truncated file where a good one was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file normal permissions
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


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
