"""``plate-figure`` directive: pictures of one plate going through skplate's stages.

When the documentation is built, :func:`make_figures` runs skplate's own stages on one plate
and writes PNG files (with OpenCV) into ``docs/generated/figures/`` (git-ignored):

``photo``        the photo and its plate box
``crops``        the crop as cut, the crop that is read (deskewed, deslanted, EU band painted
                 out) and the second, tighter crop
``variants``     the filter bank's variants of the crop
``segments``     the text band of the plain variant and the character boxes found in it
``characters``   the normalised characters the classifier reads (with its top-3 when a
                 network is at hand)
``vote``         each filter variant's reading and the vote (only with a network)

The plate is the first Spanish plate of the reference data (``$SKPLATE_DATA``); without
the data, a plate drawn by :func:`skplate.datasets.make_synthetic_plates`. The network is
the saved recognizer ``$SKPLATE_MODEL`` when it is set; without it the stages run with
their defaults and nothing is classified (no network is trained at build time). The
drawing data come from the code the HTML report uses (:mod:`skplate.report`).

In a page: ``.. plate-figure:: variants`` with the caption as content (MyST:
```` ```{plate-figure} variants ````).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

GENERATED = Path(__file__).resolve().parent.parent / "generated" / "figures"
FIGURES = ("photo", "crops", "variants", "segments", "characters", "vote")
# The plate drawn from the reference data (the first Spanish plate if it is not there): it
# has an EU band to paint out, a last letter joined to the frame in the plain variant, and
# filter variants that disagree.
PLATE = "9636HXB"
SYNTHETIC_TEXT = "1234BCD"

_FONT = cv2.FONT_HERSHEY_SIMPLEX
_WHITE = (255, 255, 255)
_INK = (40, 40, 40)
_READ = (60, 180, 60)  # green: a box read into a slot (the report's colours)
_SKIPPED = (0, 140, 255)  # orange: a box the decoder skipped
_BAND = (60, 60, 220)  # red: the text band's rows


@dataclass
class Figures:
    """What :func:`make_figures` drew: the PNG of each figure, and where the plate came from."""

    paths: dict[str, Path] = field(default_factory=dict)
    plate: str = ""
    source: str = ""
    model: str | None = None
    text: str | None = None


# -- the plate and the stages -------------------------------------------------------------
def _plate(data_home: str | None):
    """One labelled plate: the first Spanish plate of the data, else a synthetic one."""
    from skplate.datasets import load_plates, make_synthetic_plates

    try:
        data = load_plates(data_home, plate_format="spanish")
    except (OSError, ValueError) as error:
        logger.info(f"plate figures: no reference plates ({error}); drawing a synthetic plate")
    else:
        texts = [str(t) for t in data.target]
        pick = texts.index(PLATE) if PLATE in texts else int(np.argmin(texts))
        return data.samples[pick], texts[pick], "test6Training.zip"
    data = make_synthetic_plates([SYNTHETIC_TEXT], random_state=0)
    return data.samples[0], SYNTHETIC_TEXT, "make_synthetic_plates"


def _recognizer(model_path: str | None):
    """The saved recognizer at ``model_path``, or None."""
    if not model_path:
        return None
    from skplate.persistence import load_model

    try:
        model = load_model(model_path)
        model.variant_weights_  # noqa: B018 - a fitted PlateRecognizer
    except (OSError, ValueError, AttributeError) as error:
        logger.info(f"plate figures: SKPLATE_MODEL={model_path} not used ({error})")
        return None
    return model


# -- drawing helpers ------------------------------------------------------------------------
def _bgr(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) if image.ndim == 2 else image


def _scale(image: np.ndarray, factor: float, nearest: bool = False) -> np.ndarray:
    interpolation = cv2.INTER_NEAREST if nearest else cv2.INTER_LINEAR
    return cv2.resize(image, None, fx=factor, fy=factor, interpolation=interpolation)


def _label(text: str, width: int, height: int = 22, scale: float = 0.5) -> np.ndarray:
    """A white strip of ``width`` pixels with ``text`` on it."""
    strip = np.full((height, width, 3), 255, np.uint8)
    cv2.putText(strip, text, (4, height - 7), _FONT, scale, _INK, 1, cv2.LINE_AA)
    return strip


def _pad(image: np.ndarray, width: int, height: int) -> np.ndarray:
    out = np.full((height, width, 3), 255, np.uint8)
    out[: image.shape[0], : image.shape[1]] = _bgr(image)
    return out


def _stack(images: list[np.ndarray], *, vertical: bool, gap: int = 8) -> np.ndarray:
    images = [_bgr(image) for image in images]
    if vertical:
        width = max(image.shape[1] for image in images)
        parts = [_pad(image, width, image.shape[0]) for image in images]
        spacer = np.full((gap, width, 3), 255, np.uint8)
    else:
        height = max(image.shape[0] for image in images)
        parts = [_pad(image, image.shape[1], height) for image in images]
        spacer = np.full((height, gap, 3), 255, np.uint8)
    joined = [part for image in parts for part in (image, spacer)][:-1]
    return np.concatenate(joined, axis=0 if vertical else 1)


def _grid(images: list[np.ndarray], columns: int, gap: int = 8) -> np.ndarray:
    rows = [images[i : i + columns] for i in range(0, len(images), columns)]
    return _stack([_stack(row, vertical=False, gap=gap) for row in rows], vertical=True, gap=gap)


def _framed(image: np.ndarray) -> np.ndarray:
    return cv2.copyMakeBorder(_bgr(image), 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=(190, 190, 190))


# -- the figures ------------------------------------------------------------------------------
def _photo(sample) -> np.ndarray:
    photo = _bgr(sample.image).copy()
    x1, y1, x2, y2 = np.round(np.asarray(sample.box, dtype=float)).astype(int).tolist()
    thickness = max(2, photo.shape[1] // 300)
    cv2.rectangle(photo, (x1, y1), (x2 - 1, y2 - 1), _READ, thickness)
    factor = min(1.0, 480 / photo.shape[1])
    return _scale(photo, factor) if factor < 1 else photo


def _crops(sample, cropper, extra_croppers) -> tuple[np.ndarray, np.ndarray]:
    """The figure of the crops, and the crop that is read."""
    from sklearn.base import clone

    plain = clone(cropper).set_params(deskew=False, max_slant=0.0, remove_eu_band=False)
    as_cut = plain.fit([sample]).transform([sample])[0]
    read = cropper.transform([sample])[0]
    panels = [
        ("the box and its margin, as cut", as_cut),
        ("deskewed, deslanted (an EU band found is painted out): the crop read", read),
    ]
    for extra in extra_croppers:
        mx, my = extra.margin
        panels.append((f"second crop, margin {mx:g}, {my:g}: read when the variants disagree",
                       extra.transform([sample])[0]))
    parts = []
    for title, crop in panels:
        image = _framed(_scale(crop, 2.0))
        parts.append(_stack([_label(title, image.shape[1]), image], vertical=True, gap=0))
    return _stack(parts, vertical=True), read


def _variants(variants: np.ndarray, names: list[str]) -> np.ndarray:
    cells = []
    for image, name in zip(variants, names, strict=True):
        framed = _framed(image)
        cells.append(_stack([framed, _label(name, framed.shape[1])], vertical=True, gap=0))
    return _grid(cells, columns=4)


def _boxed(gray: np.ndarray, boxes: np.ndarray, read: set[int] | None, factor: int) -> np.ndarray:
    """A variant enlarged ``factor`` times with its character boxes: green read into a slot
    (every box without a decoding), orange skipped by the decoder."""
    boxed = _scale(_bgr(gray), factor)
    for position, (x1, y1, x2, y2) in enumerate(boxes):
        colour = _READ if read is None or position in read else _SKIPPED
        top_left, bottom_right = (factor * x1, factor * y1), (factor * x2 - 1, factor * y2 - 1)
        cv2.rectangle(boxed, top_left, bottom_right, colour, 2)
    return boxed


def _segments(gray: np.ndarray, boxes: np.ndarray, read: set[int] | None) -> np.ndarray:
    from skplate.segment import text_mask

    ink = text_mask(gray)
    mask = _bgr(cv2.bitwise_not(ink))
    rows = np.flatnonzero(ink.any(axis=1))
    if len(rows):  # the text band: everything outside it was cleared
        for y in (int(rows[0]), int(rows[-1])):
            cv2.line(mask, (0, y), (mask.shape[1] - 1, y), _BAND, 1)
    factor = 2
    mask = _framed(_scale(mask, factor, nearest=True))
    boxed = _framed(_boxed(gray, boxes, read, factor))
    legend = "boxes: green read into a slot, orange skipped" if read is not None else (
        "the character boxes (no network: every box shown alike)")
    return _stack(
        [
            _label("text mask: the ink cut to the text band (red: the band's rows)", mask.shape[1]),
            mask,
            _label(legend, boxed.shape[1]),
            boxed,
        ],
        vertical=True,
        gap=0,
    )


def _characters(chars: np.ndarray, log_proba: np.ndarray | None, decoding) -> np.ndarray:
    from skplate.report import _char_image, _top_k

    slot_of = {} if decoding is None else {
        int(segment): slot for slot, segment in enumerate(decoding.segments)
    }
    cells = []
    for position, char in enumerate(chars):
        image = _framed(_scale(_char_image(char), 3, nearest=True))
        width = max(image.shape[1], 100)
        lines = [_label(f"#{position + 1}", width)]
        if log_proba is not None:
            read = decoding.text[slot_of[position]] if position in slot_of else "skip"
            lines = [_label(f"read: {read}", width)]
            for label, p in _top_k(log_proba[position]):
                label = "none" if len(label) > 1 else label  # "not a character"
                lines.append(_label(f"{label}  {p:.2f}", width, height=18, scale=0.45))
        cells.append(_stack([image, *lines], vertical=True, gap=0))
    return _grid(cells, columns=9) if cells else _label("no characters found", 300)


def _row(cells: list[str], width: int, height: int = 22) -> np.ndarray:
    """A white strip with ``cells`` at fixed columns (the first left-aligned, then right)."""
    strip = np.full((height, width, 3), 255, np.uint8)
    for column, (cell, x) in enumerate(zip(cells, _VOTE_COLUMNS, strict=False)):
        if column:  # numbers right-aligned at x
            x -= cv2.getTextSize(cell, _FONT, 0.5, 1)[0][0]
        cv2.putText(strip, cell, (x, height - 7), _FONT, 0.5, _INK, 1, cv2.LINE_AA)
    return strip


_VOTE_COLUMNS = (4, 230, 320, 400)


def _vote(recognizer, trace) -> np.ndarray:
    from skplate.report import _vote_rows

    width = 420
    header = f"vote ({recognizer.voting}): {trace.text or '(none)'}, "
    header += f"confidence {trace.confidence:.3f}"
    lines = [
        _label(header, width, height=26, scale=0.6),
        _row(["reading", "variants", "weight", "share"], width),
    ]
    for reading, n_members, weight, share in _vote_rows(recognizer, trace.voting):
        cells = [reading or "(none)", str(n_members), f"{weight:.2f}"]
        line = _row([*cells, f"{share:.0%}" if reading else ""], width)
        if reading and reading == trace.text:
            line[np.all(line == 255, axis=2)] = (255, 238, 220)  # the winner, light blue
        lines.append(line)
    return _stack(lines, vertical=True, gap=0)


def make_figures(
    outdir: str | os.PathLike = GENERATED,
    *,
    data_home: str | None = None,
    model_path: str | None = None,
) -> Figures:
    """Draw the figures of one plate into ``outdir``; return what was drawn.

    A file whose bytes are unchanged is not rewritten, so Sphinx re-reads the pages only
    when a picture changed. ``vote`` is drawn only with a recognizer (``model_path``).
    """
    from sklearn.base import clone

    from skplate.crop import PlateCropper
    from skplate.filters import FilterBank
    from skplate.normalize import CharNormalizer
    from skplate.report import _trace_batch
    from skplate.segment import CharacterSegmenter

    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    sample, text, source = _plate(data_home)
    recognizer = _recognizer(model_path)
    drawn = Figures(plate=text, source=source, model=model_path if recognizer else None)
    images = {"photo": _photo(sample)}
    if recognizer is not None:
        cropper, extra = recognizer.cropper_, recognizer.extra_croppers_
        filter_bank = recognizer.filter_bank_
    else:
        cropper = PlateCropper().fit([sample])
        extra = [clone(cropper).set_params(margin=(0.02, 0.0)).fit([sample])]
        filter_bank = FilterBank().fit(cropper.transform([sample]))
    images["crops"], crop = _crops(sample, cropper, extra)
    names = list(filter_bank.variant_names_)
    if recognizer is not None:
        segments, log_proba, (trace,) = _trace_batch(recognizer, [sample])
        variants = trace.variants[: len(names)]
        rows, decoding = trace.rows[0], trace.decodings[0]
        read = {int(s) for s in decoding.segments}
        char_log_proba = log_proba[rows]
        drawn.text = trace.text
        images["vote"] = _vote(recognizer, trace)
    else:
        variants = filter_bank.transform(crop[None])[0]
        segmenter = CharacterSegmenter(normalizer=CharNormalizer()).fit()
        segments = segmenter.transform(variants[None, :1])
        rows, decoding, read, char_log_proba = segments.rows()[0][0], None, None, None
    images["variants"] = _variants(variants, names)
    images["segments"] = _segments(variants[0], segments.boxes[rows], read)
    images["characters"] = _characters(segments.chars[rows], char_log_proba, decoding)
    for name, image in images.items():
        path = outdir / f"{name}.png"
        ok, encoded = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 9])
        if not ok:  # pragma: no cover - a uint8 BGR image always encodes
            raise ValueError(f"could not encode the figure {name!r} as PNG.")
        if not path.is_file() or path.read_bytes() != encoded.tobytes():
            path.write_bytes(encoded.tobytes())
        drawn.paths[name] = path
    for name in set(FIGURES) - set(images):  # a figure this build cannot draw
        (outdir / f"{name}.png").unlink(missing_ok=True)
    return drawn


def make_readme_picture(
    path: str | os.PathLike, model_path: str, text: str = "4821KBT", random_state: int = 4
) -> str:
    """Draw the README's picture: a generated plate read by the recognizer at ``model_path``.

    The photo around its box, the crop with the plain variant's character boxes, and the
    reading. A generated plate, not one of the data set, which stays out of the
    repository. Returns the reading::

        python docs/_ext/plate_figures.py readme MODEL docs/images/plate_read.png
    """
    from skplate.datasets import make_synthetic_plates
    from skplate.persistence import load_model
    from skplate.report import _trace_batch

    recognizer = load_model(model_path).set_params(plate_format="spanish").fit([])
    sample = make_synthetic_plates([text], random_state=random_state).samples[0]
    segments, _, (trace,) = _trace_batch(recognizer, [sample])
    read = {int(s) for s in trace.decodings[0].segments}
    crop = _framed(_boxed(trace.variants[0], segments.boxes[trace.rows[0]], read, 2))
    # The photo around the plate, with the box, as tall as the crop.
    x1, y1, x2, y2 = np.asarray(sample.box, dtype=float)
    height, width = sample.image.shape[:2]
    dx, dy = (x2 - x1) / 2, 1.5 * (y2 - y1)
    left, top = int(max(0, x1 - dx)), int(max(0, y1 - dy))
    right, bottom = int(min(width, x2 + dx)), int(min(height, y2 + dy))
    photo = _bgr(sample.image)[top:bottom, left:right].copy()
    box = np.round([x1 - left, y1 - top, x2 - left, y2 - top]).astype(int).tolist()
    cv2.rectangle(photo, tuple(box[:2]), (box[2] - 1, box[3] - 1), _READ, 2)
    factor = crop.shape[0] / photo.shape[0]
    photo = cv2.resize(photo, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    n_voting = len(trace.voting)
    caption = f"read: {trace.text}, confidence {trace.confidence:.2f}, {n_voting} variants voting"
    top = _stack([photo, crop], vertical=False)
    top = cv2.resize(top, None, fx=0.75, fy=0.75, interpolation=cv2.INTER_AREA)  # < 100 KB
    picture = _stack([top, _label(caption, top.shape[1], height=30, scale=0.65)], vertical=True)
    ok, encoded = cv2.imencode(".png", picture, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    if not ok:  # pragma: no cover
        raise ValueError("could not encode the README picture as PNG.")
    Path(path).write_bytes(encoded.tobytes())
    return trace.text


# -- Sphinx ----------------------------------------------------------------------------------
_DRAWN: Figures | None = None


def _draw(app) -> None:
    global _DRAWN
    _DRAWN = make_figures(
        GENERATED,
        data_home=os.environ.get("SKPLATE_DATA") or None,
        model_path=os.environ.get("SKPLATE_MODEL") or None,
    )
    logger.info(
        f"plate figures: {len(_DRAWN.paths)} pictures of {_DRAWN.plate} ({_DRAWN.source}), "
        f"network: {_DRAWN.model or 'none'}"
    )


class PlateFigure(SphinxDirective):
    """A figure drawn by :func:`make_figures`; the content is its caption."""

    required_arguments = 1
    has_content = True

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0]
        if name not in FIGURES:
            raise self.error(f"plate-figure: unknown figure {name!r}; one of {FIGURES}")
        path = None if _DRAWN is None else _DRAWN.paths.get(name)
        content = self.parse_content_to_nodes()
        if path is None:  # the vote needs a network
            note = nodes.paragraph(
                "",
                "(The picture of the vote is drawn when the documentation is built with a "
                "saved recognizer: SKPLATE_MODEL=model.joblib.)",
            )
            return [nodes.block_quote("", note)]
        self.env.note_dependency(str(path))
        here = Path(self.env.doc2path(self.env.docname)).parent
        uri = Path(os.path.relpath(path, here)).as_posix()
        image = nodes.image(uri=uri, alt=f"{name} of plate {_DRAWN.plate}")
        figure = nodes.figure("", image)
        if content and isinstance(content[0], nodes.paragraph):
            first = content[0]
            caption = nodes.caption(first.rawsource, "", *first.children)
            if name == "photo":  # say which plate and which network this build drew
                network = Path(_DRAWN.model).name if _DRAWN.model else "none"
                caption += nodes.Text(
                    f" [Drawn when this page was built: plate {_DRAWN.plate} "
                    f"({_DRAWN.source}); network: {network}.]"
                )
            figure += caption
            content = content[1:]
        if content:
            figure += nodes.legend("", *content)
        return [figure]


def setup(app):
    app.connect("builder-inited", _draw)
    app.add_directive("plate-figure", PlateFigure)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":  # python docs/_ext/plate_figures.py readme MODEL OUT.png
    import sys

    if len(sys.argv) != 4 or sys.argv[1] != "readme":
        sys.exit("usage: python docs/_ext/plate_figures.py readme MODEL OUT.png")
    print(make_readme_picture(sys.argv[3], sys.argv[2]))
