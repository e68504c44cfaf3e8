"""How a loaded model reads: the command line's reading options applied to a recognizer.

Each option the user gave sets a recognizer (or stage) parameter; those that change the
stages re-fit them, warning when that drops learned variant weights.
"""

from __future__ import annotations

import argparse

from ._log import Log
from ._options import UNSET
from ._output import format_label


def _refit(model: object, log: Log, reading_with: str, **params: object) -> None:
    """Set recognizer parameters and re-fit its stages, warning when that drops learned
    variant weights (``reading_with`` names what asked for it)."""
    learned = model._weights_learned()
    model.set_params(**params).fit([])
    log.debug(f"re-fitted the recognizer with {params}.")
    if learned:
        log.warn(
            f"reading with {reading_with} re-fits the model and drops its learned variant "
            "weights (every variant now weighs 1, the flattened crop's "
            f"{model.extra_flatten_weight:g})."
        )


def use_format(
    model: object,
    plate_format: str | None,
    voting: str | None,
    log: Log,
    max_hidden: int | None = None,
) -> object:
    """Set the model's format (re-fitting its stages when it changes) and voting;
    ``max_hidden`` (``--hidden``) widens the format to plates with hidden characters."""
    from ..formats import get_formats, with_hidden_characters

    current = model.get_params(deep=False)["plate_format"]
    if max_hidden:
        plate_format = with_hidden_characters(
            current if plate_format is None else plate_format, max_hidden
        )
    if plate_format is not None and get_formats(plate_format) != get_formats(current):
        reading_with = (
            f"the format {format_label(plate_format)!r} (the model was fitted for "
            f"{format_label(current)!r})"
        )
        _refit(model, log, reading_with, plate_format=plate_format)
        current = plate_format
    if voting is not None:
        model.set_params(voting=voting)
    return current


def use_extra_crops(
    model: object,
    margins: list[tuple[float, float] | None] | None,
    below_agreement: float | object | None,
    log: Log,
    flatten_lighting: float | None = None,
    flatten_smoothing: float | None = None,
    flatten_below_agreement: float | object = UNSET,
    pad_clipped: float | object | None = UNSET,
    deblur: float | object | None = UNSET,
) -> None:
    """``--extra-margin``, ``--extra-flatten-lighting``, ``--extra-flatten-smoothing``,
    ``--extra-pad-clipped`` and ``--extra-deblur`` (one re-fit of the stages for all),
    ``--extra-below-agreement`` and ``--extra-flatten-below-agreement``."""
    options, params = [], {}
    if margins is not None:
        options.append("--extra-margin")  # 'none' (None) reads no margin crop
        params["extra_margins"] = [margin for margin in margins if margin is not None]
    given = (  # option, parameter, value, the value when the option is not given
        ("--extra-flatten-lighting", "extra_flatten_lighting", flatten_lighting, None),
        ("--extra-flatten-smoothing", "extra_flatten_smoothing", flatten_smoothing, None),
        ("--extra-pad-clipped", "extra_pad_clipped", pad_clipped, UNSET),
        ("--extra-deblur", "extra_deblur", deblur, UNSET),
    )
    for option, param, value, unset in given:
        if value is not unset:
            options.append(option)
            params[param] = value
    if params:
        _refit(model, log, " and ".join(options), **params)
    if below_agreement is not UNSET:
        model.set_params(extra_below_agreement=below_agreement)
    if flatten_below_agreement is not UNSET:
        model.set_params(extra_flatten_below_agreement=flatten_below_agreement)


def use_cuts(
    model: object,
    skew_cut_runs: tuple | None,
    max_span: int | None,
    log: Log,
    remove_painted_blocks: bool | None = None,
    flatten_lighting: float | None = None,
    flatten_text: str | None = None,
) -> None:
    """``--skew-cut-runs``, ``--max-span``, ``--remove-painted-blocks``,
    ``--flatten-lighting`` and ``--flatten-text``: cropper and segmenter parameters, set by
    re-fitting the stages (the model's learned variant weights are dropped)."""
    from sklearn.base import clone

    from ..crop import PlateCropper
    from ..segment import CharacterSegmenter

    options, settings = [], {}
    for option, stage, default, name, value in (
        ("--skew-cut-runs", "cropper", PlateCropper, "skew_cut_runs", skew_cut_runs),
        ("--max-span", "segmenter", CharacterSegmenter, "max_span", max_span),
        (
            "--remove-painted-blocks",
            "cropper",
            PlateCropper,
            "remove_painted_blocks",
            remove_painted_blocks,
        ),
        ("--flatten-lighting", "cropper", PlateCropper, "flatten_lighting", flatten_lighting),
        ("--flatten-text", "cropper", PlateCropper, "flatten_text", flatten_text),
    ):
        if value is not None:
            options.append(option)
            settings.setdefault(stage, (default, {}))[1][name] = value  # one clone per stage
    if not options:
        return
    params = {}
    for stage, (default, setting) in settings.items():
        current = model.get_params(deep=False)[stage]
        params[stage] = (default() if current is None else clone(current)).set_params(**setting)
    _refit(model, log, " and ".join(options), **params)


def use_jobs(model: object, jobs: int | None, log: Log) -> None:
    """``--jobs``: the recognizer's ``n_jobs`` for reading (not saved with the model)."""
    if jobs is not None:
        model.set_params(n_jobs=jobs)
        log.debug(f"reading with n_jobs={jobs}.")


def configure_reading(model: object, args: argparse.Namespace, log: Log) -> object:
    """Apply :func:`~skplate.cli._options.model_options` and ``--jobs``; return the format."""
    plate_format = use_format(model, args.plate_format, args.voting, log, args.max_hidden)
    if args.lookalikes is not None:
        model.set_params(lookalikes=args.lookalikes)
    if args.prior_correction is not None:
        model.set_params(prior_correction=args.prior_correction)
    if args.located_margin is not UNSET:  # read at predict time: no re-fit
        model.set_params(located_margin=args.located_margin or (0.0, 0.0))
    use_extra_crops(
        model,
        args.extra_margins,
        args.extra_below_agreement,
        log,
        args.extra_flatten_lighting,
        args.extra_flatten_smoothing,
        args.extra_flatten_below_agreement,
        args.extra_pad_clipped,
        args.extra_deblur,
    )
    use_cuts(
        model,
        args.skew_cut_runs,
        args.max_span,
        log,
        args.remove_painted_blocks,
        args.flatten_lighting,
        args.flatten_text,
    )
    use_jobs(model, args.jobs, log)
    return plate_format
