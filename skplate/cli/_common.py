"""The steps the ``skplate`` commands share: load data and models, read, train.

Heavy modules (TensorFlow through :mod:`skplate.training`) are imported inside the
functions, so that ``--help`` answers at once.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from .._version import __version__
from ..persistence import ModelFileError
from ._log import Log
from ._output import format_label, json_number, percent, report_path, write_json


# -- data and models -----------------------------------------------------------------------
def check_format(plate_format: str | None) -> None:
    """Fail on a bad ``--format`` before anything slow (None: the model's format)."""
    if plate_format is not None:
        from ..formats import get_formats

        get_formats(plate_format)


def char_paths(paths: Sequence[str] | None) -> dict[str, str]:
    """Map ``--chars`` paths to ``goodimg_path`` / ``fnt_path`` by their names."""
    found: dict[str, str] = {}
    for raw in paths or ():
        path = Path(raw).expanduser()
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such file or folder (--chars).")
        kind = None
        for part in reversed(path.parts):
            lowered = part.lower()
            if "fnt" in lowered:
                kind = "fnt_path"
                break
            if "img" in lowered:
                kind = "goodimg_path"
                break
        if kind is None:
            raise ValueError(
                f"{path}: cannot tell whether this is EnglishImg or EnglishFnt (--chars); "
                "its name should hold 'Img' or 'Fnt'."
            )
        if kind in found:
            raise ValueError(f"--chars: two {kind.split('_')[0]} paths: {found[kind]} and {path}.")
        found[kind] = str(path)
    return found


def load_plates(
    path: str | None,
    data_home: str | None,
    plate_format: object,
    log: Log,
    *,
    all_plates: bool = False,
):
    """Load the labelled plates fitting ``plate_format``; return them and the skip count.

    ``"any"`` (or ``all_plates``) keeps every plate, including texts no format fits.
    """
    from ..datasets import get_data_home
    from ..datasets import load_plates as load

    if path is None and data_home is not None:
        path = str(get_data_home(data_home))
    everything = all_plates or (isinstance(plate_format, str) and plate_format.lower() == "any")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        data = load(path, plate_format=None if everything else plate_format, errors="skip")
    skipped = [w for w in caught if issubclass(w.category, UserWarning)]
    for warning in skipped:
        log.warn(str(warning.message))
    if not len(data.samples) and skipped:
        raise ValueError(
            f"{path or 'the data home'}: every plate was skipped ({len(skipped)} unreadable "
            "images or labels); see the warnings above."
        )
    if not len(data.samples):
        raise ValueError(
            f"{path or 'the data home'}: no plate text fits the format "
            f"{format_label(plate_format)!r}; use --format any to read every plate."
        )
    return data, len(skipped)


def load_recognizer(path: str, backend: str | None = None) -> object:
    """The plate recognizer saved in ``path``; a clear error for anything else.

    ``backend`` is :func:`~skplate.persistence.load_model`'s: how the character network
    runs (None: NumPy for a ``.skplate`` file, as pickled for a joblib file).
    """
    from ..persistence import load_model

    model = load_model(path, backend=backend)
    if not hasattr(model, "predict_readings"):
        raise ModelFileError(
            f"{path}: holds a {type(model).__name__}, not a skplate plate recognizer; "
            "train one with 'skplate train'."
        )
    try:
        model.get_params(deep=True)
    except AttributeError as error:  # pickled before a parameter was added to a stage
        raise ModelFileError(
            f"{path}: saved by an incompatible development version of skplate ({error}); "
            "retrain it with 'skplate train'."
        ) from error
    return model


def read_report(model_path: str) -> dict | None:
    """The training report saved beside a model, or None."""
    import json

    path = report_path(model_path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))["training_report"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


# -- reading and scoring -------------------------------------------------------------------
def read(
    model: object, samples: Sequence, batch_size: int, log: Log, plates: list | None = None
) -> tuple[list, float]:
    """Read all plates, ``batch_size`` per call; return the readings and the seconds.

    With a list ``plates``, every plate of every sample is read
    (:meth:`~skplate.recognizer.PlateRecognizer.predict_plates`: each plate the locator
    finds in a photo without a box) and appended to it, one list per sample; the reading
    returned for a sample is its first plate (the most confident reading), as
    ``predict_readings`` gives.
    """
    from ..reading import PlateReading

    readings: list = []
    start = time.perf_counter()
    with log.bar(len(samples), "plate") as bar:
        for first in range(0, len(samples), batch_size):
            batch = samples[first : first + batch_size]
            if plates is None:
                readings.extend(model.predict_readings(batch))
            else:
                found = model.predict_plates(batch)
                plates.extend(found)
                readings.extend(each[0] if each else PlateReading("", 0.0) for each in found)
            bar.update(len(batch))
    return readings, time.perf_counter() - start


def score(
    model, data, plate_format, batch_size: int, log: Log, plates: list | None = None
) -> tuple[dict, list]:
    """Read ``data.samples`` and score them against ``data.target`` (``-``: painted);
    ``plates`` collects every plate found, as :func:`read`'s."""
    from ..metrics import char_accuracy, is_read_right, plate_accuracy

    readings, seconds = read(model, data.samples, batch_size, log, plates)
    true = [str(t) for t in data.target]
    predicted = [r.text for r in readings]
    params = model.get_params(deep=False)
    scores = {
        "hits": sum(is_read_right(t, p) for t, p in zip(true, predicted, strict=True)),
        "total": len(true),
        "plate_accuracy": plate_accuracy(true, predicted),
        "char_accuracy": char_accuracy(true, predicted),
        "seconds_per_plate": seconds / len(true),
        "format": format_label(plate_format),
        "voting": params["voting"],
        "format_by": params["format_by"],
        "lookalikes": list(params["lookalikes"] or ()),
        "prior_correction": params["prior_correction"],
        "extra_margins": [list(m) for m in params["extra_margins"] or ()],
        "extra_below_agreement": params["extra_below_agreement"],
        "extra_flatten_below_agreement": params["extra_flatten_below_agreement"],
        "extra_pad_clipped": params["extra_pad_clipped"],
        "extra_deblur": params["extra_deblur"],
        "extra_flatten_lighting": params["extra_flatten_lighting"],
        "extra_flatten_smoothing": params["extra_flatten_smoothing"],
        "extra_flatten_weight": params["extra_flatten_weight"],
        "extra_deblur_weight": params["extra_deblur_weight"],
        "skew_cut_runs": list(getattr(model.cropper_, "skew_cut_runs", ())),
        "max_span": int(getattr(model.segmenter_, "max_span", 1)),
        "remove_painted_blocks": bool(getattr(model.cropper_, "remove_painted_blocks", False)),
        "flatten_lighting": float(getattr(model.cropper_, "flatten_lighting", 0.0)),
        "flatten_text": getattr(model.cropper_, "flatten_text", "dark"),
        "extra_crops_read": sum(
            len(r.variant_names) > len(model.filter_bank_.variant_names_) for r in readings
        ),
    }
    return scores, readings


# -- training and saving -------------------------------------------------------------------
def train(
    args: argparse.Namespace,
    plate_format: str,
    voting: str,
    log: Log,
    plates=None,
    locator=None,
):
    """Load characters, train the CNN, build and fit the recognizer (with ``locator``, a
    fitted plate locator, when given)."""
    from ..normalize import CharNormalizer
    from ..recognizer import make_plate_recognizer
    from ..training import load_training_chars, train_char_classifier

    counts = {
        key: value
        for key, value in (
            ("fnt_per_class", args.fnt_per_class),
            ("synthetic_per_class", args.synthetic_per_class),
            ("n_plates", args.n_plates),
            ("n_junk", args.n_junk),
            ("n_pairs", args.n_pairs),
        )
        if value is not None
    }
    paths = char_paths(args.chars)
    fonts = None
    if args.system_fonts:
        from ..datasets import default_fonts

        fonts = default_fonts(system=True)
    named = "the recipe's" if args.sources is None else ", ".join(args.sources)
    log.info(f"[1/4] loading characters ({named}) ...")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        chars = load_training_chars(
            args.sources,
            data_home=args.data_home,
            random_state=args.random_state,
            fonts=fonts,
            **paths,
            **counts,
        )
    for warning in caught:
        if issubclass(warning.category, UserWarning):
            log.warn(str(warning.message))
    args.sources = tuple(dict.fromkeys(chars.source))  # those used: the training record's
    log.info(f"      {len(chars.images)} character images ({', '.join(args.sources)})")
    epochs = {} if args.epochs is None else {"epochs": args.epochs}
    log.info("[2/4] normalising and training the character CNN ...")
    classifier, report = train_char_classifier(
        chars,
        random_state=args.random_state,
        normalizer=CharNormalizer(gray_levels=args.gray_levels),
        verbose=2 if log.verbose else 0,
        **epochs,
    )
    log.info(
        f"      {report.epochs} epochs in {report.seconds:.1f} s, held-out GoodImg accuracy "
        f"{percent(report.held_out_accuracy)}"
    )
    log.info(f"[3/4] building the plate recognizer (format {plate_format}) ...")
    located = {} if locator is None else {"locator": locator}
    model = make_plate_recognizer(classifier, plate_format=plate_format, voting=voting, **located)
    if plates is None:
        model.fit([])
    else:
        model.fit(plates.samples, plates.target)
        log.info(f"      variant weights learned from {len(plates.samples)} plates")
        for name, weight in zip(model.variant_names_, model.variant_weights_, strict=True):
            log.debug(f"      {name:<22} {weight:.3f}")
    return model, report


def training_record(args: argparse.Namespace, plate_format: str, voting: str) -> dict:
    """What the training report says of the run, beside the training figures."""
    return {
        "plate_format": format_label(plate_format),
        "voting": voting,
        "sources": list(args.sources),
        "random_state": args.random_state,
        "system_fonts": bool(args.system_fonts),
        "weights_from_plates": getattr(args, "plates", None),
    }


def save(model, report, path: str, extra: dict, log: Log) -> Path:
    """Save the model, and its training report beside it (``MODEL.json``) and, for a
    ``.skplate`` file, inside it (``skplate info`` shows it)."""
    from ..persistence import save_model

    log.info(f"[4/4] saving {path} ...")
    report_dict = {key: json_number(value) for key, value in asdict(report).items()}
    record = {"skplate_version": __version__, "training_report": report_dict, **extra}
    saved = save_model(model, path, metadata=record)
    write_json(report_path(saved), record)
    return saved
