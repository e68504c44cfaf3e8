"""The safe model format: a zip of JSON and NumPy arrays that runs no code when loaded.

A pickle (and so a joblib file) can execute anything when it is loaded. A ``.skplate``
file holds instead:

- ``skplate.json``: the format, the skplate version, optional metadata (the training
  report) and the model as a tree of plain values. An object is written as its class
  name and its attributes; only skplate's own classes and a short list of scikit-learn
  containers (:data:`ALLOWED_SKLEARN_CLASSES`) can be named, and loading makes them with
  ``cls.__new__`` and their ``__setstate__``, as unpickling does, but calls nothing else.
- ``arrays.npz``: every NumPy array, read with ``allow_pickle=False``.
- ``networks/*.keras``: Keras networks other than the character CNN (loaded with
  ``safe_mode=True``, which refuses code in the file).

The character network (:class:`~skplate.cnn.CharCNN`) is written as its parameters, its
classes and its weights. Loaded with ``backend="numpy"`` it becomes a
:class:`~skplate.numpy_cnn.NumpyCharCNN` and TensorFlow is never imported; with
``backend="keras"`` the :class:`CharCNN` is rebuilt from skplate's own network code and
the weights set, which gives the very network that was saved.
"""

from __future__ import annotations

import importlib
import io
import json
import math
import tempfile
import zipfile
from collections import defaultdict
from pathlib import Path

import numpy as np

from ._version import __version__

__all__ = [
    "ALLOWED_SKLEARN_CLASSES",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "SAFE_SUFFIX",
    "UnsafeModelError",
    "read_metadata",
    "read_safe_model",
    "write_safe_model",
]

FORMAT_NAME = "skplate-safe-model"
FORMAT_VERSION = 1
SAFE_SUFFIX = ".skplate"
_MODEL_ENTRY, _ARRAYS_ENTRY = "skplate.json", "arrays.npz"

#: The scikit-learn classes a safe model file may name, besides skplate's own.
ALLOWED_SKLEARN_CLASSES = frozenset(
    {"sklearn.frozen._frozen.FrozenEstimator", "sklearn.pipeline.Pipeline"}
)
_CHAR_CNN = "skplate.cnn.CharCNN"


class UnsafeModelError(ValueError):
    """A safe model file names a class it may not, or holds something it cannot."""


def _class_name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _allowed(name: str) -> bool:
    return name.startswith("skplate.") or name in ALLOWED_SKLEARN_CLASSES


def _resolve(name: str) -> type:
    """The allowed class ``module.Class``; anything else is refused before any import."""
    if not isinstance(name, str) or not _allowed(name):
        raise UnsafeModelError(f"the file names the class {name!r}, which a safe model may not.")
    module_name, _, qualname = name.rpartition(".")
    try:
        cls = getattr(importlib.import_module(module_name), qualname)
    except (ImportError, AttributeError) as error:
        raise UnsafeModelError(f"the file names the unknown class {name!r}.") from error
    if not isinstance(cls, type) or _class_name(cls) != name:
        raise UnsafeModelError(f"the file names {name!r}, which is not a class.")
    return cls


def _is_keras_model(value: object) -> bool:
    return any(_class_name(c) == "keras.src.models.model.Model" for c in type(value).__mro__)


class _Writer:
    """Turns a model into JSON-able values, arrays and Keras files (shared objects once)."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self.files: dict[str, bytes] = {}
        self._seen: dict[int, int] = {}
        self._keep: list[object] = []  # keeps encoded objects alive, so ids stay unique

    def _array(self, array: np.ndarray) -> dict:
        if array.dtype.kind not in "biufcUS":
            return {"__list_array__": [self.encode(v) for v in array.ravel().tolist()],
                    "shape": list(array.shape), "dtype": array.dtype.str}
        key = f"a{len(self.arrays)}"
        self.arrays[key] = np.ascontiguousarray(array)
        return {"__array__": key}

    def _shared(self, value: object, encode) -> dict:
        """Encode an object once; later occurrences refer to the first."""
        if id(value) in self._seen:
            return {"__ref__": self._seen[id(value)]}
        number = len(self._seen)
        self._seen[id(value)] = number
        self._keep.append(value)
        return {"__id__": number, **encode()}

    def encode(self, value: object, where: str = "model") -> object:
        if value is None or isinstance(value, bool | str):
            return value
        if isinstance(value, int) and not isinstance(value, np.integer):
            return value
        if isinstance(value, float) and not isinstance(value, np.floating):
            return value if math.isfinite(value) else {"__float__": repr(value)}
        if isinstance(value, np.generic):
            return {"__scalar__": value.dtype.str, "value": self.encode(value.item(), where)}
        if isinstance(value, np.dtype):
            return {"__dtype__": value.str}
        if isinstance(value, np.ndarray):
            return self._shared(value, lambda: self._array(value))
        if isinstance(value, tuple):
            return {"__tuple__": [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]}
        if isinstance(value, list):
            return [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, dict):
            items = [[self.encode(k, where), self.encode(v, f"{where}.{k}")]
                     for k, v in value.items()]
            return {"__dict__": items, "default_list": isinstance(value, defaultdict)}
        if _is_keras_model(value):
            return self._shared(value, lambda: self._keras(value))
        name = _class_name(type(value))
        if name == _CHAR_CNN or (
            name.startswith("skplate.") and _CHAR_CNN in map(_class_name, type(value).__mro__)
        ):
            return self._shared(value, lambda: self._char_cnn(value, name, where))
        if _allowed(name) and hasattr(value, "__dict__"):
            state = value.__getstate__()
            if not isinstance(state, dict):
                raise UnsafeModelError(f"{where}: a {name} has no attribute dictionary to save.")
            return self._shared(value, lambda: {"__object__": name,
                                                "state": self.encode(state, where)})
        raise UnsafeModelError(
            f"{where}: a {type(value).__name__} cannot be written in the safe format; "
            "save the model as .joblib instead."
        )

    def _keras(self, model) -> dict:
        name = f"networks/n{len(self.files)}.keras"
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "network.keras"
            model.save(path)
            self.files[name] = path.read_bytes()
        return {"__keras__": name}

    def _char_cnn(self, classifier, name: str, where: str) -> dict:
        from .numpy_cnn import layers_from_keras

        if not hasattr(classifier, "model_"):
            raise UnsafeModelError(f"{where}: the character network is not fitted.")
        return {
            "__char_cnn__": name,
            "params": self.encode(classifier.get_params(deep=False), f"{where}.params"),
            "classes": self.encode(np.asarray(classifier.classes_)),
            "class_prior": self.encode(getattr(classifier, "class_prior_", None)),
            "X_shape": [int(v) for v in classifier.X_shape_],
            "history": self.encode(dict(getattr(classifier, "history_", {}))),
            "weights": [self.encode(np.asarray(w)) for w in classifier.model_.get_weights()],
            "layers": self.encode(layers_from_keras(classifier.model_)),
        }


class _Reader:
    """Rebuilds the model from the JSON tree, the arrays and the Keras files."""

    def __init__(self, archive: zipfile.ZipFile, arrays, backend: str) -> None:
        self.archive, self.arrays, self.backend = archive, arrays, backend
        self._objects: dict[int, object] = {}

    def decode(self, value: object) -> object:
        if isinstance(value, list):
            return [self.decode(v) for v in value]
        if not isinstance(value, dict):
            return value
        if "__ref__" in value:
            return self._objects[value["__ref__"]]
        if "__float__" in value:
            return float(value["__float__"])
        if "__scalar__" in value:
            return np.dtype(value["__scalar__"]).type(self.decode(value["value"]))
        if "__dtype__" in value:
            return np.dtype(value["__dtype__"])
        if "__tuple__" in value:
            return tuple(self.decode(v) for v in value["__tuple__"])
        if "__dict__" in value:
            items = {self.decode(k): self.decode(v) for k, v in value["__dict__"]}
            return defaultdict(list, items) if value.get("default_list") else items
        decoded = self._decode_shared(value)
        if "__id__" in value:
            self._objects[value["__id__"]] = decoded
        return decoded

    def _decode_shared(self, value: dict) -> object:
        if "__array__" in value:
            return self.arrays[value["__array__"]]
        if "__list_array__" in value:
            items = [self.decode(v) for v in value["__list_array__"]]
            return np.array(items, dtype=np.dtype(value["dtype"])).reshape(value["shape"])
        if "__keras__" in value:
            return self._keras(value["__keras__"])
        if "__char_cnn__" in value:
            return self._char_cnn(value)
        if "__object__" in value:
            cls = _resolve(value["__object__"])
            number = value.get("__id__")
            obj = cls.__new__(cls)
            if number is not None:  # register before the state: it may refer back
                self._objects[number] = obj
            state = self.decode(value["state"])
            if hasattr(obj, "__setstate__"):
                obj.__setstate__(state)
            else:
                obj.__dict__.update(state)
            return obj
        raise UnsafeModelError(f"unknown entry {sorted(value)[:3]} in the model tree.")

    def _keras(self, name: str):
        from ._tensorflow import import_tensorflow

        import_tensorflow()
        import keras

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "network.keras"
            path.write_bytes(self.archive.read(name))
            return keras.saving.load_model(path, compile=False, safe_mode=True)

    def _char_cnn(self, value: dict) -> object:
        classes = self.decode(value["classes"])
        prior = self.decode(value["class_prior"])
        if self.backend == "numpy":
            from .numpy_cnn import NumpyCharCNN

            network = NumpyCharCNN()
            network.layers_ = self.decode(value["layers"])
            network.classes_ = classes
            network.class_prior_ = prior
            network.X_shape_ = tuple(value["X_shape"])
            return network
        cls = _resolve(value["__char_cnn__"])
        classifier = cls(**self.decode(value["params"]))
        shape = tuple(value["X_shape"])
        classifier.initialize(np.zeros((len(classes), *shape[1:]), np.float32), classes)
        if not np.array_equal(np.asarray(classifier.classes_), classes):
            raise UnsafeModelError("the character network's classes do not rebuild in order.")
        classifier.model_.set_weights([self.decode(w) for w in value["weights"]])
        # build the optimizer's slots, as training leaves them, so that a joblib copy of the
        # rebuilt network reloads without Keras warning about missing optimizer variables
        classifier.model_.optimizer.build(classifier.model_.trainable_variables)
        classifier.class_prior_ = prior
        classifier.history_ = defaultdict(list, self.decode(value["history"]))
        return classifier


def write_safe_model(model: object, path: Path, *, metadata: dict | None = None) -> None:
    """Write ``model`` to ``path`` in the safe format (not atomically: see save_model).

    Raises
    ------
    UnsafeModelError
        When the model holds an object the format cannot write (the message names where).
    """
    writer = _Writer()
    tree = writer.encode(model)
    header = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "skplate_version": __version__,
        "metadata": metadata or {},
        "model": tree,
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_MODEL_ENTRY, json.dumps(header, allow_nan=False))
        buffer = io.BytesIO()
        np.savez(buffer, **writer.arrays)
        archive.writestr(_ARRAYS_ENTRY, buffer.getvalue())
        for name, content in writer.files.items():
            archive.writestr(name, content)


def _header(archive: zipfile.ZipFile) -> dict:
    header = json.loads(archive.read(_MODEL_ENTRY))
    if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
        raise UnsafeModelError("not a skplate safe model (no format header).")
    if header.get("format_version") != FORMAT_VERSION:
        raise UnsafeModelError(
            f"safe-format version {header.get('format_version')!r}; this skplate reads "
            f"version {FORMAT_VERSION}."
        )
    return header


def read_metadata(path: Path) -> dict:
    """The header of a safe model file: format, skplate version and metadata (no model)."""
    with zipfile.ZipFile(path) as archive:
        header = _header(archive)
    return {key: value for key, value in header.items() if key != "model"}


def read_safe_model(path: Path, *, backend: str = "numpy") -> tuple[object, str]:
    """Read a safe model file: ``(model, skplate version that wrote it)``.

    Parameters
    ----------
    path : Path
        The ``.skplate`` file.
    backend : {"numpy", "keras"}, default="numpy"
        How the character network comes back: a NumPy forward pass (no TensorFlow) or the
        Keras :class:`~skplate.cnn.CharCNN` with its weights.
    """
    with zipfile.ZipFile(path) as archive:
        header = _header(archive)
        with np.load(io.BytesIO(archive.read(_ARRAYS_ENTRY)), allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
        model = _Reader(archive, arrays, backend).decode(header["model"])
    return model, str(header.get("skplate_version", "unknown"))
