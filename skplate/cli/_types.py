"""The argument types of the ``skplate`` options: each parses one option's text or fails
with an :class:`argparse.ArgumentTypeError` that says what was expected.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable


def int_at_least(minimum: int, wanted: str) -> Callable[[str], int]:
    """An argparse type: an integer of at least ``minimum``, else ``expected <wanted>``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum:
            raise argparse.ArgumentTypeError(f"expected {wanted}, got {text!r}")
        return value

    return parse


positive_int = int_at_least(1, "a positive integer")
non_negative_int = int_at_least(0, "an integer >= 0")


def jobs(text: str) -> int:
    """``--jobs``: a number of jobs other than 0 (-1 for every core)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value == 0:
        raise argparse.ArgumentTypeError(
            f"expected a number of jobs (1, 2, ...; -1 for all cores), got {text!r}"
        )
    return value


def sources(text: str) -> tuple[str, ...]:
    """``--sources``: comma-separated character sources."""
    names = tuple(part.strip().lower() for part in text.split(",") if part.strip())
    if not names:
        raise argparse.ArgumentTypeError("expected a comma-separated list such as goodimg,fnt")
    return names


def lookalike_groups(text: str) -> tuple[str, ...]:
    """``--lookalikes``: comma-separated groups such as ``0O,1I``; ``none`` pools nothing."""
    from ..recognizer import _check_lookalikes

    if text.strip().lower() == "none":
        return ()
    groups = tuple(part.strip().upper() for part in text.split(","))
    try:
        _check_lookalikes(groups)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error).removeprefix("lookalikes: ")) from None
    return groups


def margin(text: str) -> tuple[float, float] | None:
    """``--extra-margin``: two fractions ``MX,MY`` of the box width and height; None for 'none'."""
    from ..crop import _check_margin

    if text.strip().lower() == "none":
        return None
    try:
        return _check_margin(tuple(float(part) for part in text.split(",")))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected two fractions of the box width and height MX,MY (such as 0.02,0), "
            f"each above -0.5; got {text!r}"
        ) from None


def cut_runs(text: str) -> tuple[float, ...]:
    """``--skew-cut-runs``: comma-separated fractions of the plate width, or 'none'."""
    from ..crop import _check_cut_runs

    if text.strip().lower() == "none":
        return ()
    try:
        return _check_cut_runs([float(part) for part in text.split(",")], "--skew-cut-runs")
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected fractions of the plate width in (0, 1) such as 0.03,0.06,0.1, or "
            f"'none'; got {text!r}"
        ) from None


def _number(text: str) -> float:
    """``text`` as a float; NaN when it is not a number, which every range check refuses."""
    try:
        return float(text)
    except ValueError:
        return float("nan")


def _unit_fraction(
    text: str, none: float | None, what: str, example: str, *, above_zero: bool = False
) -> float | None:
    """``text`` as a number in [0, 1] (in (0, 1] with ``above_zero``), or ``none`` for
    'none'; anything else is refused naming ``what`` and an ``example``."""
    if text.strip().lower() == "none":
        return none
    value = _number(text)
    if not ((0 < value) if above_zero else (0 <= value)) or not value <= 1:
        interval = "(0, 1]" if above_zero else "[0, 1]"
        raise argparse.ArgumentTypeError(
            f"expected {what} in {interval} (such as {example}) or 'none'; got {text!r}"
        )
    return value


def agreement(text: str) -> float | None:
    """``--extra-below-agreement``: a share in (0, 1], or 'none'."""
    return _unit_fraction(text, None, "a share of the variants", "0.5", above_zero=True)


def pad_fraction(text: str) -> float | None:
    """``--extra-pad-clipped``: a fraction of the box's width in [0, 1], or 'none'."""
    return _unit_fraction(text, None, "a fraction of the box's width", "0.05")


def flatten_agreement(text: str) -> float:
    """``--extra-flatten-below-agreement``: a share in [0, 1]; 'none' is 0 (the flattened
    crop is read only with the other extra crops)."""
    return _unit_fraction(text, 0.0, "a share of the variants", "0.6")


def lighting(text: str) -> float:
    """``--flatten-lighting``: a fraction of the plate's height in [0, 1]; 0 or 'none' is off."""
    return _unit_fraction(text, 0.0, "a fraction of the plate's height", "0.2")


def _blur_pixels(text: str, none: float | None, example: str) -> float | None:
    """``text`` as a blur in pixels >= 0, or ``none`` for 'none'; anything else is refused
    with an ``example``."""
    if text.strip().lower() == "none":
        return none
    sigma = _number(text)
    if not 0 <= sigma < float("inf"):
        raise argparse.ArgumentTypeError(
            f"expected a blur in pixels >= 0 (such as {example}) or 'none'; got {text!r}"
        )
    return sigma


def smoothing(text: str) -> float:
    """``--extra-flatten-smoothing``: a blur in pixels >= 0; 0 or 'none' is off."""
    return _blur_pixels(text, 0.0, "1.0")


def deblur_threshold(text: str) -> float | None:
    """``--extra-deblur``: a blur in pixels >= 0, or 'none' (no deblurred crop)."""
    return _blur_pixels(text, None, "0.8")


def prior_correction(text: str) -> float:
    """``--prior-correction``: a number >= 0."""
    strength = _number(text)
    if not 0 <= strength < float("inf"):
        raise argparse.ArgumentTypeError(
            f"expected a number >= 0 (1 divides the training class mix out, 0 keeps it); "
            f"got {text!r}"
        )
    return strength


def box(text: str) -> tuple[float, float, float, float]:
    """``--box``: four pixel coordinates ``x1,y1,x2,y2``."""
    parts = text.split(",")
    try:
        values = tuple(float(part) for part in parts)
    except ValueError:
        values = ()
    if len(values) != 4:
        raise argparse.ArgumentTypeError(
            f"expected four pixel coordinates x1,y1,x2,y2, got {text!r}"
        )
    return values  # type: ignore[return-value]
