"""What a saved model is: version, recipe, training data, format, stages, held-out figures.

:func:`describe_model` is what ``skplate info MODEL`` prints. A ``.skplate`` file is read
as :func:`~skplate.persistence.load_model` reads it (safely, without TensorFlow); a
joblib file is unpickled, so describe only joblib files you trust.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .persistence import is_safe_model_path, load_model, read_model_metadata

__all__ = ["describe_model", "learned_sources", "read_training_record"]


def _network(classifier: object) -> dict:
    """The character network's architecture, classes and input, whatever runs it."""
    from .numpy_cnn import NumpyCharCNN

    inner = getattr(classifier, "estimator", classifier)
    summary: dict = {"type": type(inner).__name__}
    if not isinstance(inner, NumpyCharCNN) and hasattr(inner, "model_"):
        inner = NumpyCharCNN.from_char_cnn(inner)
    if isinstance(inner, NumpyCharCNN):
        layers = inner.layers_
        summary["conv_filters"] = [int(v[0].shape[-1]) for k, v in layers if k.startswith("conv")]
        dense = [int(v[0].shape[-1]) for k, v in layers if k.startswith("dense")]
        summary["dense_units"] = dense[:-1]
        summary["input_shape"] = list(inner.X_shape_[1:])
        summary["parameters"] = int(
            sum(a.size for _, v in layers if isinstance(v, tuple) for a in v)
        )
    classes = [str(c) for c in getattr(inner, "classes_", [])]
    summary["classes"] = "".join(c if len(c) == 1 else f"[{c}]" for c in classes)
    summary["n_classes"] = len(classes)
    return summary


def _stages(model: object) -> dict:
    """Each fitted stage as the estimator's repr, and the recognizer's own parameters."""
    stages = {}
    for name in ("cropper_", "filter_bank_", "segmenter_", "locator"):
        stage = getattr(model, name, None)
        if stage is not None:
            stages[name.rstrip("_")] = repr(stage)
    names = getattr(model, "variant_names_", None)
    if names is not None:
        stages["filter_variants"] = list(names)
    return stages


def locator_summary(locator: object) -> dict:
    """A fitted plate locator's class, its parameters that differ from the defaults, and
    the number of photos it was trained on (``n_photos``)."""
    locator = getattr(locator, "estimator", locator)  # a FrozenEstimator's
    params = locator.get_params(deep=False)
    defaults = type(locator)().get_params(deep=False)
    changed = {
        key: value if isinstance(value, int | float | str | bool | None) else repr(value)
        for key, value in params.items()
        if key != "verbose" and value != defaults.get(key)
    }
    return {
        "type": type(locator).__name__,
        "params": changed,
        "n_photos": int(getattr(locator, "n_photos_", 0)),
    }


def _reading_params(model: object) -> dict:
    """The recognizer's parameters that are plain values (not estimators)."""
    params = {}
    for key, value in model.get_params(deep=False).items():
        if hasattr(value, "get_params") or key == "classifier":
            continue
        plain = isinstance(value, str | int | float | bool | None)
        params[key] = value if plain else repr(value)
    return params


def read_training_record(path: str | os.PathLike) -> dict:
    """Read the training record ``skplate train`` saved with a model.

    Parameters
    ----------
    path : path-like
        A model file: the record is read inside a ``.skplate`` file, else from
        ``<model>.json`` beside it. Nothing is unpickled.

    Returns
    -------
    record : dict
        ``training_report`` (images per source, held-out accuracy, ...), ``sources``,
        ``random_state`` and the rest of the recipe; empty when the model has none.
    """
    path = Path(path)
    if is_safe_model_path(path):
        metadata = read_model_metadata(path).get("metadata") or {}
        if "training_report" in metadata:
            return metadata
    beside = Path(f"{path}.json")
    try:
        return json.loads(beside.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def learned_sources(path: str | os.PathLike) -> set[str]:
    """Name the character sources a saved model's network was trained on.

    Parameters
    ----------
    path : path-like
        A model file (its training record is read as :func:`read_training_record`
        reads it).

    Returns
    -------
    sources : set of str
        The sources of the training report (``{"goodimg", ..., "uc3m"}``); empty when the
        model has no record. A model that learned ``"uc3m"`` has seen every UC3M-LP crop.
    """
    report = read_training_record(path).get("training_report") or {}
    return set(report.get("sources") or {})


def describe_model(path: str | os.PathLike) -> dict:
    """Describe a model saved by :func:`~skplate.persistence.save_model`.

    Parameters
    ----------
    path : path-like
        A ``.skplate`` file, or a joblib file (unpickled: only from a trusted source).

    Returns
    -------
    info : dict
        ``path``, ``file_format``, ``skplate_version`` (that saved it), ``model`` (its
        class), ``plate_format`` and ``formats`` (the patterns read), ``network``
        (architecture, classes, input), ``reading`` (the recognizer's parameters),
        ``stages`` (the fitted cropper, filter bank and segmenter and the filter
        variants), ``locator`` (the plate locator's class, non-default parameters,
        ``n_photos`` trained on and, from the training report, ``source``; None when the
        model has none), ``variant_weights`` (when learned from labelled plates), and
        ``training`` (the training report and recipe: held-out accuracy, images per
        source, ``data_sha256``, seed, ...; empty when the model came without one).

    Raises
    ------
    ModelFileError
        If the file is missing, broken, unsafe or from an incompatible version.
    """
    path = Path(path)
    safe = is_safe_model_path(path)
    model = load_model(path)
    record = read_training_record(path)
    info: dict = {
        "path": str(path),
        "file_format": "skplate safe format (.skplate)" if safe else "joblib pickle",
        "skplate_version": (
            read_model_metadata(path)["skplate_version"]
            if safe
            else str(vars(model).get("_skplate_version", record.get("skplate_version", "unknown")))
        ),
        "model": type(model).__name__,
    }
    formats = getattr(model, "formats_", None)
    if formats is not None:
        info["plate_format"] = (
            model.plate_format if isinstance(model.plate_format, str) else repr(model.plate_format)
        )
        info["formats"] = [fmt.pattern for fmt in formats]
    classifier = getattr(model, "classifier_", None) or getattr(model, "classifier", None)
    if classifier is not None:
        info["network"] = _network(classifier)
    if hasattr(model, "get_params") and formats is not None:
        info["reading"] = _reading_params(model)
        info["stages"] = _stages(model)
        locator = getattr(model, "locator_", None)
        info["locator"] = None if locator is None else locator_summary(locator)
        if locator is not None and isinstance(record.get("locator"), dict):
            info["locator"]["source"] = record["locator"].get("source")
        if model._weights_learned():
            info["variant_weights"] = [round(float(w), 4) for w in model.variant_weights_]
    # the run's record (sources asked for, seed, fonts), then the report's figures over it
    training = {
        key: value for key, value in record.items() if key not in ("training_report", "locator")
    }
    training.update(record.get("training_report") or {})
    info["training"] = training
    return info
