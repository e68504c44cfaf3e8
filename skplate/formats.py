"""Plate formats: a small pattern language for what a plate may read.

A pattern is a string of slot codes, one per character:

* ``N`` -- a digit from ``digits`` (default ``0-9``);
* ``A`` -- a letter from ``letters`` (default ``A-Z``);
* ``X`` -- any digit or letter.

Named presets cover common cases: ``"spanish"`` is ``NNNNAAA`` with the 20 consonants Spanish
plates use since 2000, ``"any"`` is 2 to 8 alphanumerics. :func:`with_hidden_characters`
widens formats to plates with characters nobody can see (anonymised datasets, a tow bar).
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Sequence
from itertools import combinations

import numpy as np

__all__ = [
    "ALPHABET",
    "DIGITS",
    "LETTERS",
    "NOT_A_CHARACTER",
    "PRESETS",
    "SPANISH_LETTERS",
    "PlateFormat",
    "get_formats",
    "with_hidden_characters",
]

#: The characters an ``N`` slot allows by default: ``"0123456789"``.
DIGITS = string.digits
#: The characters an ``A`` slot allows by default: ``"A"`` to ``"Z"``.
LETTERS = string.ascii_uppercase
#: Every plate character: the ten digits, then ``A`` to ``Z``.
ALPHABET = DIGITS + LETTERS
#: The class label of "not a character" (stickers, emblems, logos) a classifier may add to
#: :data:`ALPHABET`; the decoder skips segments read as it.
NOT_A_CHARACTER = "_"
#: The 20 consonants Spanish plates use (no vowels, ``Ñ`` or ``Q``).
SPANISH_LETTERS = "BCDFGHJKLMNPRSTVWXYZ"

_SLOT_CODES = "NAX"


class PlateFormat:
    """One plate layout: a pattern of slots, each allowing a set of characters.

    Parameters
    ----------
    pattern : str
        Slot codes ``N`` (digit), ``A`` (letter) and ``X`` (digit or letter), e.g. ``"NNNNAAA"``.
    letters : str, default=None
        The letters an ``A`` slot allows; all of ``A-Z`` when None.
    digits : str, default=None
        The digits an ``N`` slot allows; all of ``0-9`` when None.
    name : str, default=None
        A label for reports; the pattern when None.

    Examples
    --------
    >>> spanish = PlateFormat("NNNNAAA", letters="BCDFGHJKLMNPRSTVWXYZ")
    >>> spanish.matches("1277DPZ"), spanish.matches("1277DPA")
    (True, False)
    """

    def __init__(
        self,
        pattern: str,
        letters: str | None = None,
        digits: str | None = None,
        name: str | None = None,
    ) -> None:
        if not isinstance(pattern, str) or not pattern:
            raise ValueError(f"PlateFormat pattern must be a non-empty string, got {pattern!r}.")
        bad = sorted(set(pattern) - set(_SLOT_CODES))
        if bad:
            raise ValueError(
                f"PlateFormat pattern {pattern!r} has unknown slot codes {bad}; use N (digit), "
                "A (letter) or X (digit or letter)."
            )
        letters = LETTERS if letters is None else str(letters).upper()
        digits = DIGITS if digits is None else str(digits)
        if not letters or set(letters) - set(LETTERS):
            raise ValueError(f"PlateFormat letters must be a subset of A-Z, got {letters!r}.")
        if not digits or set(digits) - set(DIGITS):
            raise ValueError(f"PlateFormat digits must be a subset of 0-9, got {digits!r}.")
        self.pattern = pattern
        self.letters = "".join(sorted(set(letters)))
        self.digits = "".join(sorted(set(digits)))
        self.name = name or pattern

    def slot_characters(self) -> list[str]:
        """Return, for each slot, the string of characters it allows."""
        allowed = {"N": self.digits, "A": self.letters, "X": self.digits + self.letters}
        return [allowed[code] for code in self.pattern]

    def allowed_mask(self, classes: Sequence[str]) -> np.ndarray:
        """Return a ``(n_slots, n_classes)`` boolean mask of the classes each slot allows."""
        classes = [str(c) for c in classes]
        return np.array(
            [[c in chars for c in classes] for chars in self.slot_characters()], dtype=bool
        )

    def matches(self, text: str) -> bool:
        """Return whether ``text`` fits this format exactly."""
        return len(text) == len(self.pattern) and all(
            ch in chars for ch, chars in zip(text, self.slot_characters(), strict=True)
        )

    def __len__(self) -> int:
        return len(self.pattern)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PlateFormat) and (self.pattern, self.letters, self.digits) == (
            other.pattern,
            other.letters,
            other.digits,
        )

    def __hash__(self) -> int:
        return hash((self.pattern, self.letters, self.digits))

    def __repr__(self) -> str:
        extras = []
        if self.letters != LETTERS:
            extras.append(f"letters={self.letters!r}")
        if self.digits != DIGITS:
            extras.append(f"digits={self.digits!r}")
        if self.name != self.pattern:
            extras.append(f"name={self.name!r}")
        return f"PlateFormat({', '.join([repr(self.pattern), *extras])})"


#: Named formats for ``plate_format=``: ``"spanish"`` (``NNNNAAA``, :data:`SPANISH_LETTERS`)
#: and ``"any"`` (2 to 8 digits or letters: national formats and vanity plates alike).
PRESETS: dict[str, tuple[PlateFormat, ...]] = {
    "spanish": (PlateFormat("NNNNAAA", letters=SPANISH_LETTERS, name="spanish"),),
    "any": tuple(PlateFormat("X" * n, name=f"any{n}") for n in range(2, 9)),
}


def get_formats(spec: str | PlateFormat | Iterable | None) -> list[PlateFormat]:
    """Resolve a format specification into a list of :class:`PlateFormat`.

    Parameters
    ----------
    spec : str, PlateFormat, list of those, or None
        A preset name (``"spanish"``, ``"any"``), a pattern such as ``"NNNNAAA"``, a
        ``PlateFormat``, or a list mixing them. None means ``"any"``.

    Returns
    -------
    formats : list of PlateFormat
        Without duplicates, in the order given.
    """
    if spec is None:
        spec = "any"
    if isinstance(spec, str | PlateFormat):
        items = [spec]
    elif isinstance(spec, Iterable):
        items = list(spec)
    else:
        raise TypeError(
            f"plate_format: expected a preset name, a pattern, a PlateFormat or a list of "
            f"those, got {type(spec).__name__}."
        )
    if not items:
        raise ValueError("plate_format: an empty list allows no plate; give at least one format.")
    formats: list[PlateFormat] = []
    for item in items:
        if isinstance(item, PlateFormat):
            resolved: Iterable[PlateFormat] = [item]
        elif isinstance(item, str) and item.lower() in PRESETS:
            resolved = PRESETS[item.lower()]
        elif isinstance(item, str) and item and set(item) <= set(_SLOT_CODES):
            resolved = [PlateFormat(item)]
        else:
            raise ValueError(
                f"plate_format: unknown format {item!r}; use a preset ({', '.join(PRESETS)}), "
                "a pattern of N/A/X slot codes such as 'NNNNAAA', or a PlateFormat."
            )
        formats.extend(f for f in resolved if f not in formats)
    return formats


def with_hidden_characters(
    spec: str | PlateFormat | Iterable | None, max_hidden: int
) -> list[PlateFormat]:
    """Widen formats to plates of which up to ``max_hidden`` characters cannot be seen.

    A plate with hidden characters (painted over to anonymise a dataset, as UC3M-LP's two
    per plate; behind a tow bar) shows the rest in order: its visible reading fits the
    format with those slots left out. The widened formats are every such subsequence of
    each format's slots, so the decoder still knows which characters may stand where:
    ``NNNNAAA`` with one hidden character adds ``NNNNAA`` and ``NNNAAA``, with two also
    ``NNNNA``, ``NNNAA`` and ``NNAAA``. Only how many characters may hide is given, not
    which: a visible ``1234B`` reads as ``NNNNA``, a visible ``123BC`` as ``NNNAA``.

    Parameters
    ----------
    spec : str, PlateFormat, list of those, or None
        The formats, as :func:`get_formats` takes them.
    max_hidden : int
        The most characters a plate may hide, 0 or more (0: the formats as they are).

    Returns
    -------
    formats : list of PlateFormat
        The formats themselves first, then those with one hidden character, and so on;
        without duplicates and with at least one slot each. A widened format is named
        after its source, e.g. ``"spanish-2"`` for ``spanish`` with two hidden.

    Examples
    --------
    >>> [f.pattern for f in with_hidden_characters("spanish", 1)]
    ['NNNNAAA', 'NNNNAA', 'NNNAAA']
    """
    if isinstance(max_hidden, bool) or not isinstance(max_hidden, int) or max_hidden < 0:
        raise ValueError(f"max_hidden must be an integer >= 0, got {max_hidden!r}.")
    sources = get_formats(spec)
    formats: list[PlateFormat] = []
    for hidden in range(max_hidden + 1):
        for source in sources:
            n_shown = len(source.pattern) - hidden
            if n_shown < 1:
                continue
            for shown in combinations(source.pattern, n_shown):
                name = source.name if hidden == 0 else f"{source.name}-{hidden}"
                fmt = PlateFormat("".join(shown), source.letters, source.digits, name)
                if fmt not in formats:
                    formats.append(fmt)
    return formats
