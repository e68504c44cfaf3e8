"""A visual HTML report of what a fitted recognizer saw and read on each plate.

Pure presentation: the report runs the recognizer's own fitted stages (cropper, filter bank,
segmenter, one classifier call per batch, the same constrained decoding and vote as
:meth:`~skplate.recognizer.PlateRecognizer.predict_readings`) and lays out, for every plate,
the crop, each filter variant with its character boxes and reading, the segmented
characters with their top-3 classes, and the vote. Misreads come first.

The file is self-contained: images are embedded as base64 PNG, the style sheet is inline,
there is no script, and every text is HTML-escaped.
"""

from __future__ import annotations

import base64
import html
import os
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._version import __version__
from .decode import UNREAD, Decoding
from .formats import ALPHABET
from .metrics import char_accuracy, is_read_right, visible_text
from .persistence import atomic_write
from .recognizer import _valid_samples

__all__ = ["build_report"]

_TOP_K = 3
_PHOTO_WIDTH = 480  # the widest a photo with its located boxes is shown, in pixels
_PNG_OPTIONS = [
    cv2.IMWRITE_PNG_COMPRESSION,
    6,
    cv2.IMWRITE_PNG_STRATEGY,
    cv2.IMWRITE_PNG_STRATEGY_FILTERED,
]


@dataclass
class _Card:
    """One plate's section of the report and what it is sorted and summarised by."""

    index: int
    name: str
    truth: str | None
    text: str
    confidence: float
    html: str

    @property
    def hit(self) -> bool | None:
        return None if self.truth is None else is_read_right(self.truth, self.text)


@dataclass
class _PlateTrace:
    """What the recognizer saw and read on one plate: the stages' output, as ``predict``.

    ``rows[v]`` indexes the characters of variant ``v`` in the batch's segments
    (``segments.boxes``, ``segments.chars`` and ``log_proba`` of :func:`_trace_batch`).
    """

    crop: np.ndarray
    variants: np.ndarray
    rows: list[np.ndarray]
    decodings: list[Decoding]
    voting: list[Decoding]
    text: str
    confidence: float


def _trace_batch(recognizer, samples: list) -> tuple[object, np.ndarray, list[_PlateTrace]]:
    """Crop, filter and segment validated plates once, classify their characters in one
    call, decode every variant and vote as ``predict`` does.

    Returns the batch's segments, their log-probabilities and one trace per plate. The
    segmentation, the costly stage, runs in parallel chunks as in ``predict`` when the
    recognizer's ``n_jobs`` asks.
    """
    crops, variants = recognizer._plate_variants(samples)
    segments = recognizer._segment(samples, variants=variants)
    log_proba = recognizer._log_proba(segments.chars)
    traces = []
    all_decodings = recognizer._decode_segments(segments, log_proba)
    for p, (rows, decodings) in enumerate(zip(segments.rows(), all_decodings, strict=True)):
        voting = recognizer._voting_variants(decodings)  # what predict reads for this plate
        text, confidence = recognizer._vote(voting)
        traces.append(_PlateTrace(crops[p], variants[p], rows, decodings, voting, text, confidence))
    return segments, log_proba, traces


# -- small HTML helpers --------------------------------------------------------------------
def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _png(image: np.ndarray) -> str:
    ok, buffer = cv2.imencode(".png", image, _PNG_OPTIONS)
    if not ok:  # pragma: no cover - a uint8 image always encodes
        raise ValueError("could not encode an image of the report as PNG.")
    return base64.b64encode(buffer.tobytes()).decode("ascii")


def _img(image: np.ndarray, css_class: str, alt: str, width: int | None = None) -> str:
    size = f' width="{width}"' if width else ""
    return (
        f'<img class="{css_class}"{size} alt="{_esc(alt)}" '
        f'src="data:image/png;base64,{_png(image)}">'
    )


def _plate_text(text: str, truth: str | None) -> str:
    """The reading, its characters that differ from the truth marked (same length only).

    The truth's painted characters (``-``) are no characters: the reading is compared with
    the visible ones.
    """
    if not text:
        return '<span class="empty">(none)</span>'
    truth = None if truth is None else visible_text(truth)
    if truth is None or text == truth:
        return _esc(text)
    if len(text) != len(truth):
        return f'<span class="bad">{_esc(text)}</span>'
    return "".join(
        _esc(c) if c == t else f'<span class="bad">{_esc(c)}</span>'
        for c, t in zip(text, truth, strict=True)
    )


def _status(hit: bool | None) -> str:
    if hit is None:
        return '<span class="badge">read</span>'
    return '<span class="badge hit">hit</span>' if hit else '<span class="badge miss">miss</span>'


# -- the pieces of one plate -----------------------------------------------------------------
def _shown_cuts(segments, row: np.ndarray, decoding: Decoding) -> tuple[np.ndarray, Decoding]:
    """The positions of ``row`` to show, and ``decoding`` with its segments counted among them.

    With runs of pieces (``CharacterSegmenter(max_span=...)``) a row holds every candidate
    cut; shown are the runs that were read and the pieces outside them, the cuts the
    decoder chose, in order (every position when the row holds pieces alone).
    """
    read = {int(k) for k in decoding.segments}
    inside: set[int] = set()
    for k in read:
        first, count = segments.position[row[k]], segments.span[row[k]]
        if count > 1:
            inside.update(range(first, first + count))
    shown = np.array(
        [
            k
            for k, index in enumerate(row)
            if k in read or (segments.span[index] == 1 and segments.position[index] not in inside)
        ],
        dtype=int,
    )
    where = {int(k): i for i, k in enumerate(shown)}
    counted = np.array([where[int(k)] for k in decoding.segments], dtype=int)
    return shown, replace(decoding, segments=counted)


def _boxed_variant(gray: np.ndarray, boxes: np.ndarray, read: set[int], name: str) -> str:
    """The gray variant with its character boxes drawn over it in CSS (so the PNG stays gray
    and small): boxes the decoder read into a slot in green, skipped ones in orange."""
    height, width = gray.shape
    marks = []
    for position, (x1, y1, x2, y2) in enumerate(boxes):
        kind = "r" if position in read else "s"
        marks.append(
            f'<i class="box {kind}" style="left:{100 * x1 / width:.2f}%;'
            f"top:{100 * y1 / height:.2f}%;width:{100 * (x2 - x1) / width:.2f}%;"
            f'height:{100 * (y2 - y1) / height:.2f}%"></i>'
        )
    return f'<div class="boxed">{_img(gray, "variant", name)}{"".join(marks)}</div>'


def _photo_figure(
    image: np.ndarray, located: np.ndarray, true_boxes: np.ndarray | None, name: str
) -> str:
    """The photo, at most :data:`_PHOTO_WIDTH` pixels wide (JPEG, to stay small), with the
    boxes the locator found (blue: solid the one read, dashed the others, each with its
    score) and the true box(es) (magenta) drawn over it in CSS."""
    height, width = image.shape[:2]
    if image.dtype == np.uint16:  # JPEG holds 8 bits per channel
        image = (image >> 8).astype(np.uint8)
    if image.ndim == 3 and image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    factor = min(1.0, _PHOTO_WIDTH / width)
    if factor < 1:
        size = (max(1, round(width * factor)), max(1, round(height * factor)))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    ok, buffer = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 80])
    if not ok:  # pragma: no cover - a uint8 image always encodes
        raise ValueError("could not encode a photo of the report as JPEG.")
    source = base64.b64encode(buffer.tobytes()).decode("ascii")

    def mark(box, kind: str, label: str = "") -> str:
        x1, y1, x2, y2 = (float(v) for v in box[:4])
        tag = f"<b>{_esc(label)}</b>" if label else ""
        return (
            f'<i class="pbox {kind}" style="left:{100 * x1 / width:.2f}%;'
            f"top:{100 * y1 / height:.2f}%;width:{100 * (x2 - x1) / width:.2f}%;"
            f'height:{100 * (y2 - y1) / height:.2f}%">{tag}</i>'
        )

    marks = [mark(box, "truth") for box in ([] if true_boxes is None else true_boxes)]
    marks += [
        mark(box, "found" if number == 0 else "found other", f"{box[4]:.2f}")
        for number, box in enumerate(located)
    ]
    found = f"{len(located)} box{'es' if len(located) != 1 else ''} found"
    return (
        f'<figure class="photo"><div class="boxed">'
        f'<img class="photo" alt="{_esc(f"photo {name}")}" '
        f'src="data:image/jpeg;base64,{source}">{"".join(marks)}</div>'
        f"<figcaption>photo, {found}</figcaption></figure>"
    )


def _label(column: int) -> str:
    """How a column of the recognizer's log-probabilities is shown."""
    return ALPHABET[column] if column < len(ALPHABET) else "not a character"


def _char_image(char: np.ndarray) -> np.ndarray:
    """A normalised character (ink 1 in its first channel) as dark ink on white, uint8."""
    return np.round(255.0 * (1.0 - np.clip(char[..., 0], 0.0, 1.0))).astype(np.uint8)


def _top_k(scores: np.ndarray, k: int = _TOP_K) -> list[tuple[str, float]]:
    """The ``k`` most probable characters of one row of log-probabilities, with their
    probabilities (the documentation's figures show them as the report does)."""
    proba = np.exp(scores)
    return [(_label(int(column)), float(proba[column])) for column in np.argsort(-proba)[:k]]


def _char_cells(chars: np.ndarray, log_proba: np.ndarray, decoding: Decoding) -> str:
    """Each character of one variant: its image, the slot it was read into, its top-3."""
    if len(chars) == 0:
        return '<p class="note">no characters found</p>'
    slot_of = {int(segment): slot for slot, segment in enumerate(decoding.segments)}
    cells = []
    for position, (char, scores) in enumerate(zip(chars, log_proba, strict=True)):
        image = _char_image(char)
        lines = "".join(f"<li><b>{_esc(label)}</b> {p:.2f}</li>" for label, p in _top_k(scores))
        if position in slot_of:
            slot = slot_of[position]
            read = f'<span class="slot">{_esc(decoding.text[slot])}</span>'
        else:
            read = '<span class="slot skip">skip</span>'
        cells.append(
            f'<div class="char">{_img(image, "char", f"character {position + 1}")}'
            f"{read}<ol>{lines}</ol></div>"
        )
    return f'<div class="chars">{"".join(cells)}</div>'


def _vote_rows(recognizer, decodings: list[Decoding]) -> list[tuple[str, int, float, float]]:
    """The variants' readings grouped: ``(reading, variants, summed weight, share)``, the
    heaviest first and no reading (``""``, share 0) last."""
    groups: dict[str, list[int]] = defaultdict(list)
    for v, decoding in enumerate(decodings):
        if decoding is not UNREAD:  # a crop predict does not read for this plate
            groups[decoding.text].append(v)
    weights = np.asarray(recognizer.variant_weights_, dtype=float)
    total = float(sum(weights[v] for v, d in enumerate(decodings) if d.text)) or 1.0
    ordered = sorted(groups.items(), key=lambda item: (not item[0], -sum(weights[item[1]])))
    rows = []
    for reading, members in ordered:
        weight = float(sum(weights[members]))
        rows.append((reading, len(members), weight, weight / total if reading else 0.0))
    return rows


def _vote_table(recognizer, decodings: list[Decoding], text: str, confidence: float) -> str:
    """The variants' readings grouped, with their summed weights, and the voted result."""
    rows = []
    for reading, n_members, weight, fraction in _vote_rows(recognizer, decodings):
        share = f"{fraction:.0%}" if reading else ""
        cls = ' class="won"' if reading and reading == text else ""
        rows.append(
            f'<tr{cls}><td class="mono">{_esc(reading) if reading else "(none)"}</td>'
            f"<td>{n_members}</td><td>{weight:.2f}</td><td>{share}</td></tr>"
        )
    return (
        f'<div class="vote"><h3>vote ({_esc(recognizer.voting)})</h3>'
        "<table><thead><tr><th>reading</th><th>variants</th><th>weight</th><th>share</th>"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f'<p>result <b class="mono">{_esc(text) or "(none)"}</b>, confidence '
        f"{confidence:.3f}</p></div>"
    )


def _header(index: int, name: str, truth: str | None, text: str, confidence: float) -> str:
    hit = None if truth is None else is_read_right(truth, text)
    truth_html = "" if truth is None else f'<span>truth <b class="mono">{_esc(truth)}</b></span>'
    return (
        f'<div class="head">{_status(hit)}<span class="name">{_esc(name)}</span>{truth_html}'
        f'<span>read <b class="mono">{_plate_text(text, truth)}</b></span>'
        f"<span>confidence {confidence:.3f}</span>"
        f'<span class="index">#{index}</span></div>'
    )


def _plate_card(
    recognizer,
    index: int,
    name: str,
    truth: str | None,
    trace: _PlateTrace,
    segments,
    log_proba: np.ndarray,
    n_shown: int,
    photo: str = "",
) -> _Card:
    crop, variants, rows, decodings = trace.crop, trace.variants, trace.rows, trace.decodings
    voting, text, confidence = trace.voting, trace.text, trace.confidence
    hit = None if truth is None else is_read_right(truth, text)
    names = recognizer.variant_names_
    figures, strips = [], []
    for v in range(n_shown):
        shown, decoding = _shown_cuts(segments, rows[v], decodings[v])
        row = rows[v][shown]
        read = set(decoding.segments.tolist())
        reading = decoding.text
        ok = " ok" if truth is not None and reading and is_read_right(truth, reading) else ""
        score = f"{decoding.score:.1f}" if reading else "&ndash;"
        figures.append(
            f'<figure class="variant">'
            f"{_boxed_variant(variants[v], segments.boxes[row], read, names[v])}"
            f'<figcaption><span class="vname">{_esc(names[v])}</span>'
            f'<span class="mono{ok}">{_plate_text(reading, truth) if reading else "&ndash;"}'
            "</span>"
            f'<span class="score">{score}</span></figcaption></figure>'
        )
        strips.append(
            f'<tr><th>{_esc(names[v])}<br><span class="mono">{_esc(reading) or "&ndash;"}'
            f"</span></th><td>{_char_cells(segments.chars[row], log_proba[row], decoding)}"
            "</td></tr>"
        )
    hidden = len(names) - n_shown
    more = f'<p class="note">{hidden} more variants are not shown.</p>' if hidden else ""
    n_voting = sum(decoding is not UNREAD for decoding in voting)
    if len(voting) < len(decodings):
        more += (
            f'<p class="note">The first {len(voting)} variants (the first crop) agreed, so '
            "the extra crops' variants did not vote.</p>"
        )
    elif n_voting < len(decodings):
        more += (
            f'<p class="note">The first crop\'s variants had a slim majority, so the '
            f"flattened crop's variants voted with them ({n_voting} in all) and the other "
            "extra crops' did not.</p>"
        )
    first = strips[0] if strips else ""
    body = (
        _header(index, name, truth, text, confidence)
        + f'<div class="top">{photo}<figure class="crop">'
        + _img(crop, "crop", f"crop of {name}")
        + "<figcaption>crop</figcaption></figure>"
        + _vote_table(recognizer, voting, text, confidence)
        + "</div>"
        + f'<div class="variants">{"".join(figures)}</div>{more}'
        + f"<h3>characters of {_esc(names[0]) if n_shown else 'the first variant'}</h3>"
        + f'<table class="strips">{first}</table>'
        + (
            f"<details><summary>characters of the other {n_shown - 1} variants</summary>"
            f'<table class="strips">{"".join(strips[1:])}</table></details>'
            if n_shown > 1
            else ""
        )
    )
    status = "read" if hit is None else ("hit" if hit else "miss")
    section = f'<section class="plate {status}" id="plate-{index}">{body}</section>'
    return _Card(index, name, truth, text, confidence, section)


def _error_card(index: int, name: str, truth: str | None, error: str, photo: str = "") -> _Card:
    """A sample that gave no reading: the reason (``error``), or, for a photo in which
    the locator found no plate (``error`` empty), the photo."""
    hit = None if truth is None else is_read_right(truth, "")
    status = "read" if hit is None else ("hit" if hit else "miss")
    note = (
        f'<p class="error">could not be read: {_esc(error)}</p>'
        if error
        else '<p class="note">no plate found in this photo</p>'
    )
    section = (
        f'<section class="plate {status}" id="plate-{index}">'
        f"{_header(index, name, truth, '', 0.0)}{note}{photo}</section>"
    )
    return _Card(index, name, truth, "", 0.0, section)


def _batch_cards(
    recognizer, samples, indices, truths, n_shown: int, photos: dict[int, str]
) -> list[_Card]:
    """Trace a batch (:func:`_trace_batch`) and lay out each plate's section (with its
    photo, from ``photos`` by sample index, when it was located)."""
    segments, log_proba, traces = _trace_batch(recognizer, samples)
    return [
        _plate_card(
            recognizer,
            indices[p],
            samples[p].name,
            truths[p],
            trace,
            segments,
            log_proba,
            n_shown,
            photos.get(indices[p], ""),
        )
        for p, trace in enumerate(traces)
    ]


def _locate(recognizer, X: Sequence, true_boxes: Sequence | None):
    """Replace each photo without a box by the located plate ``predict`` reads (the first
    of :meth:`~skplate.recognizer.PlateRecognizer.predict_plates`); return the samples,
    the photos' pictures by index, and the indices of the photos where no plate was
    found, or that could not be located (index -> reason)."""
    from .samples import PlateSample

    to_locate = [index for index in range(len(X)) if _needs_locating(X[index])]
    if not to_locate:
        return list(X), {}, {}, {}
    found = recognizer.predict_plates([X[index] for index in to_locate], errors="record")
    samples: list = list(X)
    photos: dict[int, str] = {}
    empty: dict[int, str] = {}
    failures: dict[int, str] = {}
    for index, plates in zip(to_locate, found, strict=True):
        read = [r for r in plates if not r.error]
        if plates and not read:  # the photo could not be located
            failures[index] = plates[0].error
            continue
        boxes = np.array([[*r.box, r.box_score] for r in read], dtype=float).reshape(-1, 5)
        truth = None
        if true_boxes is not None and true_boxes[index] is not None:
            truth = np.asarray(true_boxes[index], dtype=float).reshape(-1, 4)
        name = _sample_name(X[index], index)
        photos[index] = _photo_figure(X[index][0], boxes, truth, name)
        if read:  # the plate predict reads, under the photo's own name
            samples[index] = PlateSample(X[index][0], read[0].box, name)
        else:
            empty[index] = photos[index]
    return samples, photos, empty, failures


def _needs_locating(item: object) -> bool:
    from .locate import has_no_box

    return has_no_box(item)


# -- the page ----------------------------------------------------------------------------------
_CSS = """
*{box-sizing:border-box}
body{font:13px/1.35 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;
 background:#f3f4f6;margin:0;padding:16px}
h1{font-size:20px;margin:0 0 8px}
h3{font-size:12px;margin:8px 0 4px;color:#555;font-weight:600;text-transform:uppercase;
 letter-spacing:.03em}
.mono,.name{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.summary{background:#fff;border:1px solid #ddd;border-radius:6px;padding:12px 16px;
 margin-bottom:16px}
.summary dl{display:flex;flex-wrap:wrap;gap:4px 24px;margin:0}
.summary dt{color:#666}
.summary dd{margin:0 0 0 6px;font-weight:600}
.summary dl div{display:flex}
.summary ul{margin:8px 0 0;padding-left:20px;columns:3 300px}
.summary a{color:#1a56db;text-decoration:none}
.plate{background:#fff;border:1px solid #ddd;border-left:6px solid #999;border-radius:6px;
 padding:8px 12px 10px;margin-bottom:14px}
.plate.hit{border-left-color:#2e9e44}
.plate.miss{border-left-color:#d93025}
.head{display:flex;flex-wrap:wrap;align-items:baseline;gap:6px 18px;font-size:14px;
 margin-bottom:6px}
.head .name{font-weight:600}
.head .index{margin-left:auto;color:#999;font-size:12px}
.badge{display:inline-block;min-width:42px;text-align:center;border-radius:10px;
 padding:1px 8px;font-size:12px;font-weight:700;background:#ddd;color:#333}
.badge.hit{background:#d7f2dc;color:#1e6b2f}
.badge.miss{background:#fbdad7;color:#a3221a}
.bad{color:#d93025;text-decoration:underline}
.empty{color:#999;font-style:italic}
.top{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
figure{margin:0}
figcaption{font-size:12px;color:#555}
img.crop,img.variant{display:block}
img.crop{border:1px solid #ccc}
.boxed{position:relative;display:inline-block;line-height:0;border:1px solid #ccc}
.box{position:absolute;border:1px solid;pointer-events:none}
.box.r{border-color:#22c03a}.box.s{border-color:#ff8c00;border-style:dashed}
.vote table{border-collapse:collapse;font-size:12px}
.vote th,.vote td{padding:1px 8px;text-align:right;border-bottom:1px solid #eee}
.vote th:first-child,.vote td:first-child{text-align:left}
.vote tr.won td{background:#eef6ff;font-weight:700}
.vote p{margin:4px 0 0}
.vote h3{margin-top:0}
.variants{display:grid;grid-template-columns:repeat(auto-fill,minmax(244px,1fr));gap:8px;
 margin-top:8px}
.variant figcaption{display:flex;gap:8px;align-items:baseline}
.variant .vname{flex:1;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.variant .score{color:#888;font-size:11px}
.ok{color:#1e6b2f;font-weight:700}
.wrong{color:#d93025;font-weight:700}
table.strips{border-collapse:collapse}
table.strips th{font-weight:normal;text-align:left;vertical-align:top;padding:4px 8px 4px 0;
 font-size:12px;width:130px;color:#555}
table.strips td{padding:2px 0}
.chars{display:flex;flex-wrap:wrap;gap:4px}
.char{width:62px;border:1px solid #e3e3e3;border-radius:4px;padding:2px;text-align:center;
 background:#fafafa}
img.char{width:40px;height:40px;image-rendering:pixelated;border:1px solid #ddd;
 background:#fff}
.char .slot{display:block;font-weight:700;font-size:13px}
.char .slot.skip{color:#e07000;font-weight:normal;font-size:11px}
.char ol{list-style:none;margin:0;padding:0;font-size:11px;text-align:left;
 font-family:ui-monospace,Menlo,Consolas,monospace}
.char ol li{white-space:nowrap}
.char ol li:first-child{color:#000}
.char ol li+li{color:#777}
details{margin-top:4px}
summary{cursor:pointer;color:#1a56db;font-size:12px}
.note{color:#888;font-size:12px;margin:4px 0}
.error{color:#a3221a}
.legend{color:#666;font-size:12px;margin:6px 0 0}
.legend .r{color:#2e9e44;font-weight:700}.legend .s{color:#e07000;font-weight:700}
img.photo{display:block;max-width:480px}
.pbox{position:absolute;border:2px solid;pointer-events:none}
.pbox.truth{border-color:#d81b90}
.pbox.found{border-color:#1a56db}.pbox.found.other{border-style:dashed}
.pbox b{position:absolute;left:0;bottom:100%;font:10px/1 sans-serif;color:#fff;
 background:#1a56db;padding:1px 2px}
.legend .truth{color:#d81b90;font-weight:700}.legend .found{color:#1a56db;font-weight:700}
"""


def _summary(
    recognizer, cards: list[_Card], title: str, n_failed: int, located: bool = False
) -> str:
    n = len(cards)
    formats = ", ".join(fmt.name for fmt in recognizer.formats_)
    items = [("plates", str(n))]
    misses: list[_Card] = []
    if n and cards[0].truth is not None:
        hits = sum(bool(c.hit) for c in cards)
        misses = [c for c in cards if not c.hit]
        accuracy = char_accuracy([c.truth for c in cards], [c.text for c in cards])
        items += [
            ("hits", f"{hits}/{n} ({hits / n:.1%})"),
            ("char accuracy", f"{accuracy:.1%}"),
        ]
    if n:
        items.append(("mean confidence", f"{np.mean([c.confidence for c in cards]):.3f}"))
    if n_failed:
        items.append(("unreadable", str(n_failed)))
    items += [
        ("format", formats),
        ("voting", str(recognizer.voting)),
        ("variants", str(len(recognizer.variant_names_))),
        ("skplate", __version__),
        ("generated", time.strftime("%Y-%m-%d %H:%M")),
    ]
    facts = "".join(f"<div><dt>{_esc(k)}</dt><dd>{_esc(v)}</dd></div>" for k, v in items)
    links = "".join(
        f'<li><a href="#plate-{c.index}"><span class="name">{_esc(c.name)}</span></a> '
        f'<span class="mono">{_esc(c.truth)} &rarr; {_plate_text(c.text, c.truth)}</span></li>'
        for c in misses
    )
    misread = f"<h3>misreads ({len(misses)})</h3><ul>{links}</ul>" if misses else ""
    legend = (
        '<p class="legend">boxes: <span class="r">green</span> read into a slot, '
        '<span class="s">orange</span> skipped by the decoder; under each character: the '
        "character it was read as, then the classifier's top-3 with probabilities.</p>"
    )
    if located:
        legend += (
            '<p class="legend">photos: <span class="found">blue</span> the plate boxes the '
            "locator found, with their scores (solid: the one read, the most confident reading; "
            'dashed: the others), <span class="truth">magenta</span> the true box.</p>'
        )
    return (
        f'<header class="summary"><h1>{_esc(title)}</h1><dl>{facts}</dl>{misread}{legend}</header>'
    )


def build_report(
    recognizer,
    X: Sequence,
    y: Sequence[str] | None = None,
    *,
    path: str | os.PathLike,
    max_variants: int | None = None,
    title: str = "skplate plate report",
    true_boxes: Sequence | None = None,
) -> Path:
    """Write a self-contained HTML report of how ``recognizer`` reads every plate of ``X``.

    For each plate: its name, the truth, the reading, hit or miss and the confidence; the
    crop; every filter variant with its character boxes (green: read, orange: skipped)
    and its own reading; the characters of the first variant (and, folded, of every
    shown variant) with the character read and the classifier's top-3; the vote.
    Misreads come first, then hits, each group in the order of ``X``; a summary with the
    hits and the character accuracy heads the page.

    A photo without a box (``PlateSample(image, None)``) is located with the recognizer's
    ``locator`` and read at the plate ``predict`` reads (the most confident reading); its section
    also shows the photo with every box found (blue, with its score) and, given
    ``true_boxes``, the true box (magenta). A photo in which no plate is found is listed
    with its picture.

    The readings are the recognizer's own (same stages, decoding and vote as
    :meth:`~skplate.recognizer.PlateRecognizer.predict_readings`); each batch of
    ``recognizer.batch_size`` plates is segmented once (in parallel chunks when
    ``recognizer.n_jobs`` asks) and classified in one call.

    Parameters
    ----------
    recognizer : PlateRecognizer
        A fitted recognizer.
    X : sequence of PlateSample or (image, box)
        The plates. A sample that cannot be read is listed with the reason.
    y : sequence of str, default=None
        The true texts; without them there is no hit/miss and no accuracy.
    path : path-like
        The HTML file to write (atomically: a temporary sibling renamed into place).
    max_variants : int, default=None
        Show only the first ``max_variants`` filter variants of each plate (all of them
        still vote); all when None.
    title : str, default="skplate plate report"
        The page title.
    true_boxes : sequence, default=None
        Per sample, its true plate box ``(x1, y1, x2, y2)`` (or an ``(n, 4)`` array of
        them, or None), drawn on the pictures of the photos that were located.

    Returns
    -------
    path : Path
        The written file.
    """
    check_is_fitted(recognizer, "variant_weights_")
    recognizer._check_reading_params()  # the report votes as predict does
    if max_variants is not None and (
        isinstance(max_variants, bool) or not isinstance(max_variants, int) or max_variants < 1
    ):
        raise ValueError(f"max_variants must be a positive integer or None, got {max_variants!r}.")
    truths: list[str | None] = [None] * len(X)
    if y is not None:
        truths = ["" if t is None else str(t) for t in np.asarray(y, dtype=object).ravel()]
        if len(truths) != len(X):
            raise ValueError(f"X has {len(X)} plates but y has {len(truths)} texts.")
    n_variants = len(recognizer.variant_names_)
    n_shown = n_variants if max_variants is None else min(max_variants, n_variants)

    if true_boxes is not None and len(true_boxes) != len(X):
        raise ValueError(f"X has {len(X)} samples but true_boxes has {len(true_boxes)} boxes.")
    located, photos, empty, unlocated = _locate(recognizer, X, true_boxes)
    to_read = [i for i in range(len(X)) if i not in empty and i not in unlocated]
    samples, failures = _valid_samples([located[i] for i in to_read])
    failures = {to_read[i]: error for i, error in failures.items()}
    valid = [i for i in to_read if i not in failures]
    cards = [
        _error_card(i, _sample_name(X[i], i), truths[i], error)
        for i, error in {**unlocated, **failures}.items()
    ]
    cards += [
        _error_card(i, _sample_name(X[i], i), truths[i], "", photo) for i, photo in empty.items()
    ]
    for start in range(0, len(samples), recognizer.batch_size):
        stop = start + recognizer.batch_size
        indices = valid[start:stop]
        cards += _batch_cards(
            recognizer, samples[start:stop], indices, [truths[i] for i in indices], n_shown, photos
        )
    cards.sort(key=lambda c: (c.hit is True, c.index))

    plates = "".join(c.html for c in cards) or '<p class="note">no plates</p>'
    document = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{_esc(title)}</title><style>{_CSS}</style></head><body>"
        f"{_summary(recognizer, cards, title, len(failures) + len(unlocated), bool(photos))}"
        f"<main>{plates}</main>"
        "</body></html>\n"
    )
    return atomic_write(path, lambda tmp: tmp.write_text(document, encoding="utf-8"))


def _sample_name(item: object, index: int) -> str:
    if isinstance(item, tuple | list) and len(item) == 3 and item[2]:
        return str(item[2])
    return f"X[{index}]"
