"""Saving and loading fitted models: atomic writes, clear errors, version checks.

Two formats, chosen by the file's suffix: ``.skplate``, the safe format (JSON and NumPy
arrays; loading runs no code from the file and needs no TensorFlow), and joblib (any
other suffix; a pickle, to load only from a trusted source).
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import joblib

from ._safe_format import (
    SAFE_SUFFIX,
    UnsafeModelError,
    read_metadata,
    read_safe_model,
    write_safe_model,
)
from ._version import __version__

__all__ = [
    "VERSION_KEY",
    "ModelFileError",
    "atomic_open",
    "atomic_path",
    "atomic_write",
    "is_safe_model_path",
    "load_model",
    "read_model_metadata",
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


def _backend(backend: str | None) -> str | None:
    if backend not in (None, "numpy", "keras"):
        raise ValueError(f"backend must be None, 'numpy' or 'keras', got {backend!r}.")
    return backend


def is_safe_model_path(path: str | os.PathLike) -> bool:
    """Whether ``path`` names a model in the safe format (its suffix is ``.skplate``)."""
    return Path(path).suffix.lower() == SAFE_SUFFIX


def save_model(
    model: object,
    path: str | os.PathLike,
    *,
    compress: int = 3,
    metadata: dict | None = None,
) -> Path:
    """Save a fitted estimator atomically, in the format its suffix names.

    - ``*.skplate``: the safe format, a zip of JSON and NumPy arrays whose loading runs
      no code from the file (see :func:`load_model`); the character network is stored
      as its parameters and weights, so the model can be read without TensorFlow.
    - any other suffix (conventionally ``*.joblib``): a joblib pickle of the estimator
      itself, so a plain ``joblib.load`` returns it. A
      :class:`~skplate.recognizer.PlateRecognizer` records the skplate version in its
      pickled state, which :func:`load_model` checks.

    Parameters
    ----------
    model : estimator
        Any fitted skplate or scikit-learn estimator (``.skplate``: skplate's estimators,
        ``FrozenEstimator`` and ``Pipeline`` of them).
    path : path-like
        Destination file.
    compress : int, default=3
        joblib compression level (joblib files only).
    metadata : dict, default=None
        JSON-able information stored beside the model in a ``.skplate`` file (e.g. the
        training report); :func:`read_model_metadata` reads it back without loading the
        model. Ignored for joblib files.

    Returns
    -------
    path : Path

    Raises
    ------
    ModelFileError
        When the model holds something the safe format cannot store (the message names
        the attribute); save it as ``.joblib`` then.
    """
    if is_safe_model_path(path):
        try:
            return atomic_write(path, lambda tmp: write_safe_model(model, tmp, metadata=metadata))
        except UnsafeModelError as error:
            raise ModelFileError(f"{path}: {error}") from error
    return atomic_write(path, lambda tmp: joblib.dump(model, tmp, compress=compress))


def load_model(path: str | os.PathLike, *, backend: str | None = None) -> object:
    """Load a model written by :func:`save_model` (or a plain ``joblib.dump`` of an estimator).

    .. warning::

       A joblib file is a pickle: loading it can execute arbitrary code. Load joblib
       (and pickle) models only from a source you trust, as scikit-learn's documentation
       warns for its own models. A ``.skplate`` file holds only JSON and NumPy arrays
       (read without pickle) and names only skplate's own classes and a few
       scikit-learn containers: loading it executes nothing from the file. Prefer it
       for models you share or download.

    Parameters
    ----------
    path : path-like
        A ``.skplate`` file (the safe format) or a joblib file (any other suffix).
    backend : {None, "numpy", "keras"}, default=None
        How the character network comes back. ``"numpy"``: a
        :class:`~skplate.numpy_cnn.NumpyCharCNN`, the same probabilities computed by
        NumPy (reading only; no TensorFlow is imported for a ``.skplate`` file).
        ``"keras"``: the Keras :class:`~skplate.cnn.CharCNN` (needed to fine-tune it,
        e.g. ``adapt_epochs``). None: ``"numpy"`` for ``.skplate`` files, the network as
        pickled for joblib files.

    Raises
    ------
    ModelFileError
        If the file is missing, unreadable, corrupt, unsafe, or was saved by an
        incompatible skplate version; the message names the file.
    """
    backend = _backend(backend)
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"{path}: no such model file; train one with 'skplate train'.")
    if is_safe_model_path(path):
        payload, saved = _load_safe(path, backend or "numpy")
    else:
        payload, saved = _load_joblib(path)
    if saved is not None and not _compatible(saved):
        raise ModelFileError(
            f"{path}: saved by skplate {saved}, which this skplate {__version__} cannot "
            "read; retrain the model or install the matching skplate version."
        )
    if hasattr(payload, "predict") or hasattr(payload, "transform"):
        model = _check_estimator(payload, path)
        if backend == "numpy" and not is_safe_model_path(path):
            model = _with_numpy_network(model)
        return model
    raise ModelFileError(f"{path}: the file holds a {type(payload).__name__}, not a model.")


def read_model_metadata(path: str | os.PathLike) -> dict:
    """What a ``.skplate`` file says of itself, without loading the model.

    Returns
    -------
    header : dict
        ``format``, ``format_version``, ``skplate_version`` and ``metadata`` (what
        :func:`save_model` was given, e.g. the training report).

    Raises
    ------
    ModelFileError
        If the file is missing, not a zip, or not a safe model.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"{path}: no such model file.")
    try:
        return read_metadata(path)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise ModelFileError(f"{path}: not a readable skplate model file: {error}") from error


def _load_safe(path: Path, backend: str) -> tuple[object, str]:
    try:
        return read_safe_model(path, backend=backend)
    except UnsafeModelError as error:
        raise ModelFileError(f"{path}: {error}") from error
    except (OSError, KeyError, ValueError, TypeError, zipfile.BadZipFile) as error:
        raise ModelFileError(
            f"{path}: not a readable model file (corrupt or truncated?): {error}"
        ) from error


def _load_joblib(path: Path) -> tuple[object, str | None]:
    try:
        payload = joblib.load(path)
    except ModuleNotFoundError as error:  # a reading-only install: no scikeras/keras
        from ._tensorflow import TRAIN_EXTRA_HINT

        raise ModelFileError(
            f"{path}: this joblib model needs the module {error.name!r}, which is not "
            f"installed; {TRAIN_EXTRA_HINT}."
        ) from error
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
    return payload, saved


def _with_numpy_network(model: object) -> object:
    """A recognizer (or network) whose Keras character network is run by NumPy."""
    from sklearn.frozen import FrozenEstimator

    from .numpy_cnn import NumpyCharCNN

    def convert(classifier: object) -> object:
        inner = getattr(classifier, "estimator", classifier)
        if not hasattr(inner, "model_"):
            return classifier
        network = NumpyCharCNN.from_char_cnn(inner)
        return FrozenEstimator(network) if inner is not classifier else network

    if hasattr(model, "classifier_"):
        converted = convert(model.classifier_)
        frozen_same = model.classifier is model.classifier_
        model.classifier_ = converted
        if frozen_same:
            model.classifier = converted
        return model
    return convert(model)


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
