"""PlateRecognizer: crop, filter, segment, classify every character once, decode and vote."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._version import __version__
from .adapt import adapt_classifier, harvest_characters
from .crop import PlateCropper, _check_margin
from .decode import (
    EMPTY_DECODING,
    UNREAD,
    Decoding,
    balance_classes,
    decode_segments,
    pool_lookalikes,
)
from .filters import FilterBank
from .formats import ALPHABET, NOT_A_CHARACTER, PlateFormat, get_formats
from .locate import has_photos, locate_samples
from .metrics import plate_accuracy, visible_text
from .normalize import CharNormalizer
from .persistence import VERSION_KEY
from .reading import PlateReading, photo_reading_order
from .samples import PlateSample, check_sample, check_samples, clip_box
from .segment import CharacterSegmenter, Segments
from .voting import hard_vote, soft_vote

__all__ = ["PlateReading", "PlateRecognizer", "make_plate_recognizer"]

_MIN_PROBA = 1e-9
#: The columns of ``PlateRecognizer._log_proba``: the plate characters, then "not a character".
_COLUMNS = ALPHABET + NOT_A_CHARACTER


def _valid_samples(X: Sequence) -> tuple[list[PlateSample], dict[int, str]]:
    """The samples of ``X`` that pass validation, and the reason for each one that does not."""
    samples: list[PlateSample] = []
    failures: dict[int, str] = {}
    for index in range(len(X)):
        try:
            sample = check_sample(X[index], index)
        except (TypeError, ValueError) as error:
            failures[index] = str(error)
        else:
            samples.append(sample)
    return samples, failures


def _plate_variants(
    croppers: Sequence[PlateCropper], filter_bank: FilterBank, samples: list[PlateSample]
) -> tuple[np.ndarray, np.ndarray]:
    """The first cropper's plates, and the filter variants of every cropper's plates.

    Returns the crops ``(n, H, W)`` and the variants ``(n, n_croppers * V, H, W)``: the
    variants of the first crop, then those of the second, and so on.
    """
    crops = [cropper.transform(samples) for cropper in croppers]
    variants = np.concatenate([filter_bank.transform(plates) for plates in crops], axis=1)
    return crops[0], variants


def _segment_samples(stages: tuple, samples: list[PlateSample]) -> Segments:
    """Crop, filter and segment a batch of plates (one joblib task)."""
    croppers, filter_bank, segmenter = stages
    return segmenter.transform(_plate_variants(croppers, filter_bank, samples)[1])


def _check_extra_margins(extra_margins: Sequence | None) -> list[tuple[float, float]]:
    """Each extra crop's margin: two fractions, as ``PlateCropper(margin=...)`` takes."""
    margins = []
    for index, margin in enumerate(extra_margins or ()):
        try:
            margins.append(_check_margin(margin))
        except ValueError as error:
            raise ValueError(f"extra_margins[{index}]: {error}") from None
    return margins


def _check_lookalikes(groups: Sequence[str] | None) -> None:
    """Each look-alike group: two or more plate characters, no character in two groups."""
    seen: set[str] = set()
    for group in groups or ():
        if not isinstance(group, str) or len(set(group)) < 2 or set(group) - set(ALPHABET):
            raise ValueError(
                f"lookalikes: each group must be a string of two or more characters from "
                f"0-9 and A-Z, such as '0O'; got {group!r}."
            )
        if seen & set(group):
            raise ValueError(
                f"lookalikes: {sorted(seen & set(group))} appear in more than one group."
            )
        seen |= set(group)


def _input_channels(classifier: object) -> int | None:
    """The channels of the characters a fitted (or frozen) Keras classifier was trained on."""
    for candidate in (classifier, getattr(classifier, "estimator", None)):
        shape = getattr(candidate, "X_shape_", None)
        if shape is not None and len(shape) == 4:
            return int(shape[-1])
    return None


def _fitted_segmenter(
    segmenter: CharacterSegmenter | None, classifier: object
) -> CharacterSegmenter:
    """The segmenter, its normaliser giving the characters the classifier was trained on.

    Without a normaliser of its own, the segmenter gets one with the grey-level channel
    when the classifier takes two channels. A normaliser that gives other channels than
    the classifier's is an error that names the parameter.
    """
    segmenter = CharacterSegmenter() if segmenter is None else clone(segmenter)
    channels = _input_channels(classifier)
    if segmenter.normalizer is None and channels == 2:
        segmenter.set_params(normalizer=CharNormalizer(gray_levels=True))
    segmenter.fit(None)
    given = getattr(segmenter.normalizer_, "output_shape_", (None,))[-1]
    if channels is not None and given is not None and given != channels:
        raise ValueError(
            f"segmenter__normalizer: it gives characters of {given} channel(s), but the "
            f"classifier was trained on {channels}; use the normaliser it was trained with "
            f"(CharNormalizer(gray_levels={channels == 2}))."
        )
    return segmenter


def _check_class_prior(classifier: object, classes: np.ndarray) -> None:
    """A classifier's ``class_prior_``, when it has one, must give one share per class."""
    prior = getattr(classifier, "class_prior_", None)
    if prior is None:
        return
    prior = np.asarray(prior)
    if (
        prior.shape != classes.shape
        or not np.issubdtype(prior.dtype, np.number)
        or not np.all(np.isfinite(prior))
        or np.any(prior < 0)
        or not prior.sum() > 0
    ):
        raise ValueError(
            f"classifier: class_prior_ must hold one non-negative share per class "
            f"({len(classes)}), got {prior!r}."
        )


def _is_fitted(estimator: object) -> bool:
    try:
        check_is_fitted(estimator)
    except NotFittedError:
        return False
    return True


class PlateRecognizer(MetaEstimatorMixin, BaseEstimator):
    """Read licence plates: crop, filter bank, segmenter, one classifier call, constrained voting.

    ``X`` is a sequence of :class:`~skplate.samples.PlateSample` (or ``(image, box)``
    tuples); ``y`` the plate strings. With a fitted ``locator``, a sample whose box is
    None (``PlateSample(photo, None)``) is a photo whose plates are found first:
    :meth:`predict_plates` reads every plate found, :meth:`predict` the one read with
    the most confidence (the recognizer checks the locator's boxes).
    The recognizer is not a ``ClassifierMixin``: plate texts are not a fixed set of
    classes, and cross-validation must not stratify on them.

    Parameters
    ----------
    classifier : estimator with ``predict_proba`` and ``classes_``
        A character classifier already fitted on normalised characters (e.g.
        :class:`~skplate.cnn.CharCNN`); its classes are plate characters (``0-9``, ``A-Z``)
        and optionally :data:`~skplate.formats.NOT_A_CHARACTER`. Ideally wrapped in
        :class:`sklearn.frozen.FrozenEstimator` so that ``clone`` (and so ``GridSearchCV``)
        keeps its weights. ``fit`` never trains it: an unfitted classifier is an error.
    cropper : PlateCropper, default=None
        ``PlateCropper()`` when None.
    filter_bank : FilterBank, default=None
        ``FilterBank()`` when None.
    segmenter : CharacterSegmenter, default=None
        ``CharacterSegmenter()`` when None; its normaliser must match the classifier's
        training inputs. A segmenter without a normaliser gets the one the classifier's
        input asks for (grey levels when it was trained on two channels).
    plate_format : str, PlateFormat or list, default="any"
        What a plate may read; see :func:`skplate.formats.get_formats`.
    voting : {"soft", "hard"}, default="soft"
        ``"hard"``: the most frequent variant reading (weighted); ``"soft"``: per-slot
        log-probabilities of the variants of one format summed, then read under the
        format (which format: ``format_by``).
    format_by : {"reading", "variants"}, default="reading"
        Which format's variants the soft vote combines: ``"reading"``, the format whose
        most common reading has the largest weight of variants; ``"variants"``, the one
        the largest weight of variants read, as models saved before this parameter do.
        They differ under several formats (``"any"``: one per length) when many variants
        read scattered texts of one length and fewer agree on a text of another; see
        :func:`skplate.voting.soft_vote`.
    skip_penalty : float, default=-2.5
        Log-score of leaving a segment unread (the EU band, border noise, ...). When the
        classifier has a :data:`~skplate.formats.NOT_A_CHARACTER` class (stickers, emblems,
        logos; see :func:`~skplate.datasets.make_synthetic_junk`), a segment's skip score is
        the larger of this and the log-probability of that class.
    switch_penalty : float, default=-1.0
        Log-score of each change between a digit and a letter in a reading: the prior
        that plates are runs of digits and runs of letters, which settles look-alikes
        (``0``/``O``, ``1``/``I``, ``8``/``B``) by their neighbours. The default is the
        log-odds of a change between neighbouring characters in common national formats
        (about one neighbour pair in four changes type: ``NNNNAAA``, ``AANNAAA``,
        ``AA-NNN-AA``, ...). 0 turns the prior off.
    merge_penalty : float, default=-1.0
        With a segmenter that hands over runs of pieces (``CharacterSegmenter(max_span=2)``,
        recognition-driven segmentation), the log-score of each piece beyond the first
        that a character read joins: a prior against reading two characters, or a
        character and a stroke beside it, as one. No effect when the segmenter gives the
        pieces alone.
    lookalikes : sequence of str or None, default=("0O", "1I")
        Groups of characters that plate fonts draw alike. The normaliser stretches every
        character to a square, so the classifier sees ``0`` and ``O`` as the same image,
        and a plain-bar ``1`` and ``I`` as the same solid block; its preference between
        them is a bias of its training data (it reads most plate ``O`` as ``0``, and one
        plate ``1`` in ten as ``I``). Their probabilities are pooled
        (:func:`~skplate.decode.pool_lookalikes`) and the format and ``switch_penalty``
        decide. None or ``()`` pools nothing.
    lookalike_weight : float, default=0.2
        The share of the classifier's preference within a group that is kept: 0 leaves
        the decision to the neighbours alone, 1 turns the pooling off.
    prior_correction : float, default=0.0
        How much of the classifier's training class mix is divided out of its
        probabilities (:func:`~skplate.decode.balance_classes`, with the classifier's
        ``class_prior_``, which :class:`~skplate.cnn.CharCNN` learns in ``fit``). The
        recipe's network learns Chars74K's natural-scene letter frequencies (``E`` and
        ``A`` more than ten times as common as ``8``), which plates do not follow: 1
        reads every character as equally likely a priori, 0 (default) reads the
        classifier's probabilities as they are. "Not a character" keeps its probability.
        A classifier without ``class_prior_`` is read as it is. Measured on the recipe's
        networks it moves look-alikes both ways (``W`` for ``I``, but also ``V`` read
        ``W`` and ``O`` read ``0``) and reads no more plates (see the benchmarks page),
        so it is an option for classifiers trained on a more uneven mix.
    extra_margins : sequence of (float, float) or None, default=((0.02, 0.0),)
        Test-time augmentation: a plate the first crop does not settle (see
        ``extra_below_agreement``) is also cropped with each of these margins (fractions
        of the box width and height, as ``PlateCropper(margin=...)`` takes; every other
        cropper parameter as ``cropper``'s) and read like the first crop, and the filter
        variants of all its crops vote together. The default adds a crop without the
        vertical margin, whose characters fill more of the plate's height (see the
        benchmarks page). None or ``()`` reads one crop.
    extra_pad_clipped : float or None, default=0.05
        The margin crops pad a side whose margin the photo's edge cuts off (a tight
        crop, the box the whole image), out to this fraction of the box's width
        (``PlateCropper(pad_clipped=...)``; the first crop is not padded): otherwise a
        tight crop's margin crop is the first crop again, and it is not read twice.
        Chosen on UC3M-LP (see the benchmarks page); None pads nothing, as models saved
        before it.
    extra_below_agreement : float or None, default=0.5
        Which plates the extra crops read: those whose first crop's variants agree
        less, that is where the most common reading of the first crop holds less than
        this share of the variants' weights (unread variants count against it; 0.5: no
        majority). Reading them costs a second classifier call for those plates. None
        reads the extra crops of every plate.
    extra_deblur : float or None, default=0.8
        A further extra crop, read with the margin crops by the plates below
        ``extra_below_agreement`` and with the flattened crop by those below
        ``extra_flatten_below_agreement``: the first crop deconvolved by its own estimated blur
        (``PlateCropper(deblur=...)``, :mod:`skplate.deblur`; variant names ending in
        ``@deblur``) where that blur exceeds this many pixels. A blurred photo's strokes
        come out of every threshold thinned to slivers or merged; deconvolved, they are
        read again: UC3M-LP's choose set blurred by a Gaussian of 1 pixel reads 430 of
        539 instead of 401, of 2 pixels 275 instead of 223, and as it is as many. A plate
        no more blurred reads the first crop's variants in its place, without reading it
        again; 0 deconvolves every such plate (as many on UC3M-LP, a few ms more per
        plate). None adds no such crop, as models saved before it.
    extra_flatten_below_agreement : float, default=0.6
        The plates that read the flattened extra crop (``extra_flatten_lighting``) and the
        deblurred one (``extra_deblur``) but not the margin crops: those whose first
        crop's most common reading holds at least
        ``extra_below_agreement`` of the variants' weights but less than this share (a
        slim majority). Those below ``extra_below_agreement`` read every extra crop; those
        at or above both read the first crop only. 0 (models saved before it) reads the
        flattened crop with the others. Chosen on UC3M-LP: where the majority is slim the
        flattened crop reads 4-6 more of 403 held-out one-row crops, and the margin crop
        read there too no more (see the benchmarks page).
    extra_flatten_lighting : float, default=0.2
        A further extra crop, read like those of ``extra_margins``: the first crop with
        its lighting flattened (``PlateCropper(flatten_lighting=...)``, variant names
        ending in ``@flat``), for plates lit unevenly, at night or under headlights. 0,
        or the first crop's own ``flatten_lighting``, adds none.
    extra_flatten_smoothing : float, default=1.0
        The flattened extra crop is blurred by a Gaussian of this many pixels before it
        is flattened (``PlateCropper(flatten_smoothing=...)``), so that a dark plate's
        noise does not come out as grain. Chosen on UC3M-LP (docs/benchmarks.md): on
        held-out crops 1-7 more one-row plates read (fold 0, seeds 0-2), and the 117
        reference plates 2-5 more (not used to choose). 0 flattens the crop as it is,
        as models saved before this parameter do.
    extra_flatten_weight : float, default=1.5
        The vote weight of each of the flattened extra crop's variants when ``fit`` learns
        no weights (``fit([])``, or ``learn_weights=False``); every other variant weighs 1.
        Where the first crop leaves doubt, the flattened one reads right more often:
        learned on UC3M-LP's choose set, its variants weigh about 0.7, the first crop's
        0.2-0.6. Chosen there (seeds 0, 1: 423 and 413 of 537 against 418 and 410 at 1,
        422 and 413 at 2); held out (fold 0, seeds 0-2) 318, 324, 316 of 403 against 316,
        319, 314; the 117 reference plates 94 each against 94, 95, 94. Models saved
        before this parameter weigh it 1.
    extra_deblur_weight : float, default=1.5
        A blurred plate's deblurred variants vote this many times their weight: on a
        plate that reads the deblurred crop (``extra_deblur``) and is blurred beyond it,
        so that the crop reads otherwise than the first one, each of its variants'
        weights (learned or not) is multiplied by it. Under blur the deconvolved crop's
        variants read right 2-3 times as often as the first crop's (UC3M-LP's held-out
        crops shrunk to 77 pixels and blurred by 1 pixel: 16-35 % against 3-16 %), but
        were outvoted by the other crops. Chosen on UC3M-LP's held-out fold (fold 0,
        seeds 0-2, type A): shrunk and blurred 193, 190, 172 of 403 against 169, 178,
        161 at 1, as they are 343, 348, 340 against 342, 348, 340 (at 2: 202, 193, 183
        and 344, 345, 339). 1 (models saved before it) weighs them as the others.
    learn_weights : bool, default=True
        ``fit`` weighs each filter variant (of every crop: ``fit`` reads the extra crops of
        every training plate) by how often it alone reads the training plates right
        (Laplace-smoothed); otherwise every variant weighs 1 (the flattened crop's
        ``extra_flatten_weight``).
    adapt_epochs : int, default=0
        The harvest mode: with ``adapt_epochs > 0``, ``fit(X, y)`` labels the segments of
        the training plates with their texts (the variants that cut exactly as many
        segments as the text has characters, :func:`~skplate.adapt.harvest_characters`)
        and fine-tunes a copy of the classifier on them for that many epochs
        (:func:`~skplate.adapt.adapt_classifier`); ``classifier`` itself is left as it is.
        Figures of this mode are only honest from grouped cross-validation, where a
        plate's characters never train the classifier that reads it. 0 (default) uses the
        classifier as given.
    adapt_junk : int, default=2400
        "Not a character" shapes (:func:`~skplate.datasets.make_synthetic_junk`, as the
        recipe draws them) mixed into the harvest mode's fine-tuning, when the classifier
        has that class: the harvest holds characters only, and without them the adapted
        classifier reads a painted block or a bolt as a character. UC3M-LP's held-out
        fold, tight-crop setting, seeds 0 and 1: 339 and 343 of 403 one-row plates with
        them, 313 and 313 without, 325 and 332 unadapted; the 117 by harvest
        cross-validation (seed 0): 98 with them, 91 without. 0: the harvest alone.
    batch_size : int, default=256
        Plates read together: each batch is cropped, filtered and segmented, then its
        characters go through the classifier in one call. Bounds the memory of large runs.
    locator : estimator or None, default=None
        A fitted plate locator (:class:`~skplate.locate.PlateLocator`, ideally wrapped in
        :class:`sklearn.frozen.FrozenEstimator` so that ``clone`` keeps it), used to find
        the plates of the samples without a box. ``fit`` never trains it. None: every
        sample needs a box.
    located_margin : (float, float), default=(0.05, 0.0)
        Added on each side of a located box, as fractions of its width and height, before
        the plate is read from it (the reading's ``box`` stays the located one). Located
        boxes are a little narrower than the plates and cut end characters: of 150
        generated photos (``make_synthetic_plates``, Spanish texts), 102 read right from
        the boxes of a locator trained on four fifths of UC3M-LP (seed 2, drawn plates in
        half its crops), 115-116 with a width margin of 0.03-0.08, 115-118 with height
        margins of 0.05-0.3 added: the height adds nothing, so none (the 117 are not used
        to choose it). Models saved before it existed read with none.
    n_jobs : int, default=None
        Parallel jobs for the image stages (crop, filters, segmentation) through joblib;
        ``joblib.parallel_config(backend=...)`` moves them to Dask or Ray. The classifier
        still runs once over all characters. None means 1 unless in a
        ``joblib.parallel_config`` context; -1 means all cores.

    Attributes
    ----------
    classifier_, cropper_, filter_bank_, segmenter_ : estimators
        The fitted stages.
    extra_croppers_ : list of PlateCropper
        The croppers of ``extra_margins``, then those of ``extra_deblur`` and
        ``extra_flatten_lighting``, fitted.
    formats_ : list of PlateFormat
        The resolved formats.
    variant_names_ : list of str
        The filter variants; those of an extra crop end in ``@`` and its margin
        (``"unsharp@0.02,0"``), ``@deblur`` for the deblurred crop, or ``@flat`` for the
        flattened crop.
    variant_weights_ : ndarray of shape (n_variants,)
        The weight of each variant's vote.
    variant_accuracy_ : ndarray of shape (n_variants,)
        Plate accuracy of each variant alone on the training plates (NaN without ``y``).
    """

    _parameter_constraints: dict = {
        "classifier": [HasMethods(["predict_proba"])],
        "cropper": [HasMethods(["transform"]), None],
        "filter_bank": [HasMethods(["transform"]), None],
        "segmenter": [HasMethods(["transform"]), None],
        "plate_format": [str, PlateFormat, list, tuple, None],
        "voting": [StrOptions({"soft", "hard"})],
        "format_by": [StrOptions({"reading", "variants"})],
        "skip_penalty": [Interval(Real, None, 0, closed="right")],
        "switch_penalty": [Interval(Real, None, 0, closed="right")],
        "merge_penalty": [Interval(Real, None, 0, closed="right")],
        "lookalikes": [list, tuple, None],
        "lookalike_weight": [Interval(Real, 0, 1, closed="both")],
        "prior_correction": [Interval(Real, 0, None, closed="left")],
        "extra_margins": [list, tuple, None],
        "extra_pad_clipped": [Interval(Real, 0, 1, closed="both"), None],
        "extra_below_agreement": [Interval(Real, 0, 1, closed="right"), None],
        "extra_flatten_below_agreement": [Interval(Real, 0, 1, closed="both")],
        "extra_deblur": [Interval(Real, 0, None, closed="left"), None],
        "extra_flatten_lighting": [Interval(Real, 0, 1, closed="both")],
        "extra_flatten_smoothing": [Interval(Real, 0, None, closed="left")],
        "extra_flatten_weight": [Interval(Real, 0, None, closed="neither")],
        "extra_deblur_weight": [Interval(Real, 0, None, closed="neither")],
        "learn_weights": ["boolean"],
        "adapt_epochs": [Interval(Integral, 0, None, closed="left")],
        "adapt_junk": [Interval(Integral, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "locator": [HasMethods(["predict"]), None],
        "located_margin": [tuple, list],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        classifier: object,
        cropper: PlateCropper | None = None,
        filter_bank: FilterBank | None = None,
        segmenter: CharacterSegmenter | None = None,
        plate_format: str | PlateFormat | Sequence = "any",
        voting: str = "soft",
        format_by: str = "reading",
        skip_penalty: float = -2.5,
        switch_penalty: float = -1.0,
        merge_penalty: float = -1.0,
        lookalikes: Sequence[str] | None = ("0O", "1I"),
        lookalike_weight: float = 0.2,
        prior_correction: float = 0.0,
        extra_margins: Sequence[tuple[float, float]] | None = ((0.02, 0.0),),
        extra_pad_clipped: float | None = 0.05,
        extra_below_agreement: float | None = 0.5,
        extra_deblur: float | None = 0.8,
        extra_flatten_below_agreement: float = 0.6,
        extra_flatten_lighting: float = 0.2,
        extra_flatten_smoothing: float = 1.0,
        extra_flatten_weight: float = 1.5,
        extra_deblur_weight: float = 1.5,
        learn_weights: bool = True,
        adapt_epochs: int = 0,
        adapt_junk: int = 2400,
        batch_size: int = 256,
        locator: object | None = None,
        located_margin: tuple[float, float] = (0.05, 0.0),
        n_jobs: int | None = None,
    ) -> None:
        self.classifier = classifier
        self.cropper = cropper
        self.filter_bank = filter_bank
        self.segmenter = segmenter
        self.plate_format = plate_format
        self.voting = voting
        self.format_by = format_by
        self.skip_penalty = skip_penalty
        self.switch_penalty = switch_penalty
        self.merge_penalty = merge_penalty
        self.lookalikes = lookalikes
        self.lookalike_weight = lookalike_weight
        self.prior_correction = prior_correction
        self.extra_margins = extra_margins
        self.extra_pad_clipped = extra_pad_clipped
        self.extra_below_agreement = extra_below_agreement
        self.extra_deblur = extra_deblur
        self.extra_flatten_below_agreement = extra_flatten_below_agreement
        self.extra_flatten_lighting = extra_flatten_lighting
        self.extra_flatten_smoothing = extra_flatten_smoothing
        self.extra_flatten_weight = extra_flatten_weight
        self.extra_deblur_weight = extra_deblur_weight
        self.learn_weights = learn_weights
        self.adapt_epochs = adapt_epochs
        self.adapt_junk = adapt_junk
        self.batch_size = batch_size
        self.locator = locator
        self.located_margin = located_margin
        self.n_jobs = n_jobs

    # -- fitting -------------------------------------------------------------------------
    def fit(self, X: Sequence[PlateSample], y: Sequence[str] | None = None) -> PlateRecognizer:
        """Fit the image stages and learn the variant weights from labelled plates.

        Parameters
        ----------
        X : sequence of PlateSample or (image, box)
            Training photos with their plate boxes.
        y : sequence of str, default=None
            The plate texts; without them every variant weighs 1. A ``-`` stands for a
            character nobody can read (see :meth:`score`); ``adapt_epochs`` harvests the
            visible characters of such plates.

        Returns
        -------
        self : PlateRecognizer
        """
        self._validate_params()
        if not _is_fitted(self.classifier):
            raise NotFittedError(
                "PlateRecognizer needs a character classifier that is already fitted: train "
                "it on characters first (skplate.training.train_char_classifier or "
                "make_char_pipeline), then pass FrozenEstimator(classifier)."
            )
        self.classifier_ = self.classifier
        self.classes_ = np.asarray(self.classifier_.classes_).astype(str)
        unknown = sorted(str(c) for c in set(self.classes_) - set(_COLUMNS))
        if unknown:
            raise ValueError(
                f"classifier: classes {unknown} are not plate characters (0-9, A-Z) or "
                f"{NOT_A_CHARACTER!r} (not a character)."
            )
        _check_class_prior(self.classifier_, self.classes_)
        if self.locator is not None and not _is_fitted(self.locator):
            raise NotFittedError(
                "locator: PlateRecognizer needs a plate locator that is already fitted "
                "(skplate.locate.PlateLocator().fit(photos, boxes))."
            )
        self.locator_ = self.locator
        self.formats_ = get_formats(self.plate_format)
        _check_lookalikes(self.lookalikes)
        extra_margins = _check_extra_margins(self.extra_margins)
        samples = check_samples(X)
        cropper = PlateCropper() if self.cropper is None else clone(self.cropper)
        self.cropper_ = cropper.fit(samples)
        self.extra_croppers_ = [
            clone(self.cropper_)
            .set_params(margin=margin, pad_clipped=self.extra_pad_clipped)
            .fit(samples)
            for margin in extra_margins
        ]
        deblur = self.extra_deblur
        deblur = deblur if deblur != self.cropper_.deblur else None
        if deblur is not None:
            deblurred = clone(self.cropper_).set_params(deblur=deblur)
            self.extra_croppers_.append(deblurred.fit(samples))
        flatten = self.extra_flatten_lighting
        flatten = flatten if flatten != self.cropper_.flatten_lighting else 0.0
        if flatten:
            flat = clone(self.cropper_).set_params(
                flatten_lighting=flatten, flatten_smoothing=self.extra_flatten_smoothing
            )
            self.extra_croppers_.append(flat.fit(samples))
        filter_bank = FilterBank() if self.filter_bank is None else clone(self.filter_bank)
        self.filter_bank_ = filter_bank.fit(self.cropper_.transform(samples[:1]))
        self.segmenter_ = _fitted_segmenter(self.segmenter, self.classifier_)
        names = list(self.filter_bank_.variant_names_)
        self.variant_names_ = names + [
            f"{name}@{mx:g},{my:g}" for mx, my in extra_margins for name in names
        ]
        if deblur is not None:
            self.variant_names_ += [f"{name}@deblur" for name in names]
        n_unflattened = len(self.variant_names_)
        if flatten:
            self.variant_names_ += [f"{name}@flat" for name in names]
        n_variants = len(self.variant_names_)
        self.variant_weights_ = np.ones(n_variants)
        self.variant_weights_[n_unflattened:] = self.extra_flatten_weight
        self.variant_accuracy_ = np.full(n_variants, np.nan)
        if y is not None:
            y = np.asarray(y).astype(str)
            if len(y) != len(X):
                raise ValueError(f"X has {len(X)} plates but y has {len(y)} texts.")
            if self.adapt_epochs:
                self.classifier_ = self._adapted_classifier(samples, y)
            decodings = self._decode(samples, every_crop=True)
            hits = np.array(
                [
                    [d.text == visible_text(t) for d in row]
                    for row, t in zip(decodings, y, strict=True)
                ]
            )
            self.variant_accuracy_ = hits.mean(axis=0)
            if self.learn_weights:
                self.variant_weights_ = (hits.sum(axis=0) + 1.0) / (len(y) + 2.0)
        return self

    def _weights_learned(self) -> bool:
        """Whether ``fit`` learned the variant weights from plate texts, rather than giving
        the defaults (1, and ``extra_flatten_weight`` for the flattened crop's variants)."""
        accuracy = getattr(self, "variant_accuracy_", None)  # NaN unless fit saw texts
        return accuracy is not None and self.learn_weights and not np.isnan(accuracy).all()

    def _adapted_classifier(self, samples: list[PlateSample], y: np.ndarray) -> object:
        """A copy of the classifier fine-tuned on the characters of the training plates."""
        chars, labels = [], []
        for start in range(0, len(samples), self.batch_size):
            batch = slice(start, start + self.batch_size)
            found = harvest_characters(self._segment(samples[batch]), y[batch], self.classes_)
            chars.append(found[0])
            labels.append(found[1])
        if self.adapt_junk and NOT_A_CHARACTER in self.classes_:
            from .training import load_training_chars  # the recipe's junk, drawn alike

            junk = load_training_chars(("junk",), n_junk=self.adapt_junk, random_state=0)
            chars.append(self.segmenter_.normalizer_.transform(junk.images))
            labels.append(np.full(len(junk.images), NOT_A_CHARACTER))
        return adapt_classifier(
            self.classifier,
            np.concatenate(chars),
            np.concatenate(labels),
            epochs=self.adapt_epochs,
        )

    # -- reading -------------------------------------------------------------------------
    def _check_reading_params(self) -> None:
        """Check the parameters that act while reading (voting, penalties, look-alikes,
        when to read the extra crops): one set after ``fit`` fails here, by name."""
        self._validate_params()
        _check_lookalikes(self.lookalikes)

    def _segment(
        self,
        samples: list[PlateSample],
        croppers: list[PlateCropper] | None = None,
        variants: np.ndarray | None = None,
    ) -> Segments:
        """Crop, filter and segment validated plates; in parallel chunks when ``n_jobs`` asks.

        ``croppers`` (default: all of them, ``_croppers()``) are the crops to read.
        ``variants``, when the caller already made them (the report shows them), are those
        crops' filter variants: segmented as they are in one process; parallel workers
        crop and filter their own chunk again, which costs less than shipping them.
        """
        croppers = self._croppers() if croppers is None else croppers
        stages = (croppers, self.filter_bank_, self.segmenter_)
        n_jobs = effective_n_jobs(self.n_jobs)
        if n_jobs == 1 or len(samples) < 2 * n_jobs:
            if variants is not None:
                return self.segmenter_.transform(variants)
            return _segment_samples(stages, samples)
        size = -(-len(samples) // (4 * n_jobs))
        chunks = [samples[i : i + size] for i in range(0, len(samples), size)]
        parts = Parallel(n_jobs=self.n_jobs)(
            delayed(_segment_samples)(stages, chunk) for chunk in chunks
        )
        return Segments.concatenate(parts)

    def _croppers(self) -> list[PlateCropper]:
        """The cropper, then the extra croppers."""
        return [self.cropper_, *self.extra_croppers_]

    def _plate_variants(self, samples: list[PlateSample]) -> tuple[np.ndarray, np.ndarray]:
        """The crops of validated plates and the filter variants of all their crops."""
        return _plate_variants(self._croppers(), self.filter_bank_, samples)

    def _log_proba(self, chars: np.ndarray) -> np.ndarray:
        """Log-probabilities over ``_COLUMNS``, one classifier call for all characters.

        The last column is "not a character" (``log(_MIN_PROBA)`` when the classifier has
        no such class).
        """
        log_proba = np.full((len(chars), len(_COLUMNS)), np.log(_MIN_PROBA))
        if len(chars):
            proba = np.asarray(self.classifier_.predict_proba(chars), dtype=np.float64)
            classifier_log_proba = np.log(np.clip(proba, _MIN_PROBA, 1.0))
            prior = getattr(self.classifier_, "class_prior_", None)
            if self.prior_correction and prior is not None:
                classifier_log_proba = balance_classes(
                    classifier_log_proba,
                    np.clip(np.asarray(prior, dtype=np.float64), _MIN_PROBA, None),
                    self.prior_correction,
                    keep=self.classes_ == NOT_A_CHARACTER,
                )
            columns = [_COLUMNS.index(c) for c in self.classes_]
            log_proba[:, columns] = classifier_log_proba
        if self.lookalikes and self.lookalike_weight < 1:
            log_proba[:, : len(ALPHABET)] = pool_lookalikes(
                log_proba[:, : len(ALPHABET)], ALPHABET, self.lookalikes, self.lookalike_weight
            )
        return log_proba

    def _decode(
        self, samples: list[PlateSample], *, every_crop: bool = False
    ) -> list[list[Decoding]]:
        """Decode the variants of validated plates, ``batch_size`` plates at a time.

        Each batch is read as :meth:`_read_batch` says (``every_crop``: every crop of
        every plate, as ``fit`` needs).
        """
        decodings: list[list[Decoding]] = []
        for start in range(0, len(samples), self.batch_size):
            batch = samples[start : start + self.batch_size]
            decodings.extend(self._read_batch(batch, self._decode_crops, every_crop=every_crop))
        return decodings

    def _decode_crops(
        self, samples: list[PlateSample], croppers: list[PlateCropper]
    ) -> list[list[Decoding]]:
        """Decode the variants of ``croppers``' crops of plates, one classifier call."""
        return self._decode_segments(self._segment(samples, croppers))

    def _read_batch(
        self, batch: list[PlateSample], read, *, every_crop: bool = False
    ) -> list[list[Decoding]]:
        """A batch's decodings, the crops read through ``read(samples, croppers)``.

        Every crop of every plate at once with ``every_crop``,
        ``extra_below_agreement=None`` or no extra crops; otherwise the first crop of
        every plate, then the extra crops :meth:`_extra_crops` asks for (all of them, or
        the flattened and deblurred ones), one call for each such set of crops. An extra crop that
        is the first crop again (:meth:`_same_as_first`: a margin crop of a tight crop,
        whose margins the photo's edges clip away, or the deblurred crop of a plate that
        is not blurred) is not read again: it gives the first crop's variants. A plate's
        list holds its first crop's variants, then, if it read any, every extra crop's in
        order, those of a crop it did not read standing as :data:`~skplate.decode.UNREAD`.
        ``read`` is :meth:`_decode_crops`, or a timed copy of it (``benchmarks/speed.py``).
        """
        if every_crop or self.extra_below_agreement is None or not self.extra_croppers_:
            return read(batch, self._croppers())
        first = read(batch, [self.cropper_])
        wanted = [self._extra_crops(row) for row in first]
        same = self._same_as_first(batch, wanted)
        to_read = [tuple(c for c in w if c not in s) for w, s in zip(wanted, same, strict=True)]
        extra: dict[int, list[Decoding]] = {}
        for crops in sorted({c for c in to_read if c}, key=len, reverse=True):
            plates = [p for p, c in enumerate(to_read) if c == crops]
            rows = read([batch[p] for p in plates], [self.extra_croppers_[c] for c in crops])
            extra.update(zip(plates, rows, strict=True))
        for p, crops in enumerate(wanted):
            if crops:
                first[p] = first[p] + self._in_place(
                    extra.get(p, []), to_read[p], same=same[p], first_crop=first[p]
                )
        return first

    def _same_as_first(
        self, batch: list[PlateSample], wanted: list[tuple[int, ...]]
    ) -> list[tuple[int, ...]]:
        """Per plate, those of its ``wanted`` extra crops that are the first crop: margin
        crops (croppers that differ from the first in ``margin`` alone) whose window
        (:meth:`PlateCropper.windows`) is the first crop's, and deblurred crops (croppers
        that differ in ``deblur`` alone) of a plate no more blurred than their ``deblur``
        (:meth:`PlateCropper.blurs`)."""
        first = self.cropper_.get_params()
        margin_crops, deblur_crops = [], []
        for c, cropper in enumerate(self.extra_croppers_):
            if cropper.get_params() == {**first, "margin": cropper.margin}:
                margin_crops.append(c)
            elif cropper.get_params() == {**first, "deblur": cropper.deblur}:
                deblur_crops.append(c)
        asked = [p for p, crops in enumerate(wanted) if set(crops) & {*margin_crops, *deblur_crops}]
        same: list[tuple[int, ...]] = [() for _ in batch]
        if not asked:
            return same
        samples = [batch[p] for p in asked]
        first_windows = self.cropper_.windows(samples)
        windows = {c: self.extra_croppers_[c].windows(samples) for c in margin_crops}
        sharp = {
            c: self.extra_croppers_[c].blurs(samples) <= self.extra_croppers_[c].deblur
            for c in deblur_crops
        }
        for k, p in enumerate(asked):
            same[p] = tuple(
                c
                for c in wanted[p]
                if (c in windows and windows[c][k] == first_windows[k])
                or (c in sharp and sharp[c][k])
            )
        return same

    def _in_place(
        self,
        read: list[Decoding],
        crops: tuple[int, ...],
        *,
        same: tuple[int, ...] = (),
        first_crop: list[Decoding] | None = None,
    ) -> list[Decoding]:
        """Every extra crop's variants, from the variants of the extra ``crops`` read (in
        that order) and, for the crops in ``same``, the first crop's variants: a crop
        neither read nor the same gives :data:`~skplate.decode.UNREAD` variants."""
        n = len(self.filter_bank_.variant_names_)
        placed = [UNREAD] * (n * len(self.extra_croppers_))
        for k, crop in enumerate(crops):
            placed[crop * n : (crop + 1) * n] = read[k * n : (k + 1) * n]
        for crop in same:
            placed[crop * n : (crop + 1) * n] = first_crop[:n]
        return placed

    def _agreement(self, first_crop: list[Decoding]) -> float:
        """The share of the first crop's variant weights held by its most common reading
        (unread variants count against it)."""
        weights = self.variant_weights_[: len(first_crop)]
        totals: dict[str, float] = defaultdict(float)
        for decoding, weight in zip(first_crop, weights, strict=True):
            if decoding.text:
                totals[decoding.text] += weight
        return max(totals.values(), default=0.0) / max(float(weights.sum()), 1e-12)

    def _extra_crops(self, first_crop: list[Decoding]) -> tuple[int, ...]:
        """The extra crops (indexes into ``extra_croppers_``) a plate reads, from its first
        crop's variants: all of them below ``extra_below_agreement`` (or when it is None),
        the deblurred and the flattened ones below ``extra_flatten_below_agreement``, else
        none."""
        n_extra = len(self.extra_croppers_)
        if not n_extra:
            return ()
        if self.extra_below_agreement is None:
            return tuple(range(n_extra))
        agreement = self._agreement(first_crop)
        if agreement < self.extra_below_agreement:
            return tuple(range(n_extra))
        if self.variant_names_[-1].endswith("@flat") and (
            agreement < self.extra_flatten_below_agreement
        ):
            n = len(self.filter_bank_.variant_names_)
            deblurred = self.variant_names_[-2 * n].endswith("@deblur")
            # The flattened crop is the last one, the deblurred one before it.
            return (n_extra - 2, n_extra - 1) if deblurred else (n_extra - 1,)
        return ()

    def _voting_variants(self, decodings: list[Decoding]) -> list[Decoding]:
        """The variants that vote, out of every crop's, as :meth:`_read_batch` reads them:
        the first crop's, then the extra crops' it asks for, the others
        :data:`~skplate.decode.UNREAD`."""
        n = len(self.filter_bank_.variant_names_)
        first = decodings[:n]
        crops = self._extra_crops(first)
        if not crops:
            return first
        read = [d for crop in crops for d in decodings[n * (crop + 1) : n * (crop + 2)]]
        return first + self._in_place(read, crops)

    def _decode_segments(
        self, segments: Segments, log_proba: np.ndarray | None = None
    ) -> list[list[Decoding]]:
        """Classify every character of every variant in one call, then decode each row.

        ``log_proba`` may be given when the caller already classified ``segments.chars``
        (the output of ``_log_proba``, "not a character" in its last column).
        """
        if log_proba is None:
            log_proba = self._log_proba(segments.chars)
        char_log_proba = log_proba[:, : len(ALPHABET)]
        # The classifier's "not a character" evidence (log(_MIN_PROBA) without the class).
        skip_scores = np.maximum(float(self.skip_penalty), log_proba[:, len(ALPHABET)])
        masks = [fmt.allowed_mask(ALPHABET) for fmt in self.formats_]
        runs = np.column_stack([segments.position, segments.span])
        joined = bool(np.any(segments.span > 1))  # pieces alone: each row its own piece
        return [
            [
                decode_segments(
                    char_log_proba[row],
                    ALPHABET,
                    self.formats_,
                    skip_penalty=skip_scores[row],
                    switch_penalty=self.switch_penalty,
                    masks=masks,
                    spans=runs[row] if joined else None,
                    merge_penalty=self.merge_penalty,
                )
                if len(row)
                else EMPTY_DECODING
                for row in plate_rows
            ]
            for plate_rows in segments.rows()
        ]

    def _vote_weights(self, decodings: list[Decoding]) -> np.ndarray:
        """The variant weights of a plate's vote: ``variant_weights_``, the deblurred
        crop's multiplied by ``extra_deblur_weight`` where that crop was read and reads
        otherwise than the first crop (a plate no more blurred than ``extra_deblur`` gives
        the first crop's variants in its place, which keep their weights)."""
        weights = self.variant_weights_[: len(decodings)]
        if self.extra_deblur_weight == 1.0:
            return weights
        start = next(
            (v for v, name in enumerate(self.variant_names_) if name.endswith("@deblur")), None
        )
        n = len(self.filter_bank_.variant_names_)
        if start is None or len(decodings) < start + n:
            return weights
        deblurred, first = decodings[start : start + n], decodings[:n]
        if deblurred[0] is UNREAD or all(
            a.text == b.text and a.score == b.score for a, b in zip(deblurred, first, strict=True)
        ):
            return weights
        weights = weights.copy()
        weights[start : start + n] *= self.extra_deblur_weight
        return weights

    def _vote(self, decodings: list[Decoding]) -> tuple[str, float]:
        """Vote over a plate's decodings: its first crop's variants, then any extra crops'
        (those not read, :data:`~skplate.decode.UNREAD`, do not vote)."""
        weights = self._vote_weights(decodings)
        read = [v for v, decoding in enumerate(decodings) if decoding is not UNREAD]
        if len(read) < len(decodings):
            decodings, weights = [decodings[v] for v in read], weights[read]
        if self.voting == "hard":
            return hard_vote(decodings, weights)
        return soft_vote(
            decodings,
            weights,
            self.formats_,
            ALPHABET,
            switch_penalty=self.switch_penalty,
            format_by=self.format_by,
        )

    def predict_readings(
        self, X: Sequence[PlateSample], *, errors: str = "raise"
    ) -> list[PlateReading]:
        """Read every plate and keep the evidence: confidence and each variant's reading.

        Parameters
        ----------
        X : sequence of PlateSample or (image, box)
            The photos and their plate boxes; a photo without a box (None) is read at
            the located plate read with the most confidence (see :meth:`predict_plates`),
            and gives an empty reading when no plate is found.
        errors : {"raise", "record"}, default="raise"
            What a sample that cannot be read (bad image, empty box) does: raise an error
            naming it, or give a reading with ``text=""`` and the reason in ``error`` while
            the other plates are read as usual.

        Returns
        -------
        readings : list of PlateReading
        """
        check_is_fitted(self, "variant_weights_")
        self._check_reading_params()
        if errors not in ("raise", "record"):
            raise ValueError(f"errors must be 'raise' or 'record', got {errors!r}.")
        if has_photos(X):
            return [
                plates[0] if plates else PlateReading("", 0.0)
                for plates in self.predict_plates(X, errors=errors)
            ]
        if errors == "raise":
            samples, failures = check_samples(X), {}
        else:
            samples, failures = _valid_samples(X)
        decoded = iter(self._decode(samples))
        readings = []
        for index in range(len(samples) + len(failures)):
            if index in failures:
                readings.append(PlateReading("", 0.0, error=failures[index]))
                continue
            decodings = next(decoded)
            text, confidence = self._vote(decodings)
            read = [v for v, decoding in enumerate(decodings) if decoding is not UNREAD]
            readings.append(
                PlateReading(
                    text=text,
                    confidence=confidence,
                    variant_texts=[decodings[v].text for v in read],
                    variant_scores=[decodings[v].score for v in read],
                    variant_names=[self.variant_names_[v] for v in read],
                )
            )
        return readings

    def predict_plates(
        self, X: Sequence[PlateSample], *, errors: str = "raise"
    ) -> list[list[PlateReading]]:
        """Read every plate of every sample: those given by a box, and those located.

        Parameters
        ----------
        X : sequence of PlateSample or (image, box)
            Samples; one whose box is None is a photo whose plates the ``locator`` finds.
        errors : {"raise", "record"}, default="raise"
            As for :meth:`predict_readings`; a photo that cannot be located (an unusable
            image, no locator) gives one reading with the reason in ``error``.

        Returns
        -------
        plates : list of list of PlateReading
            Per sample, in order: one reading for a sample with a box; for a photo, one
            reading per located plate (an empty list when no plate was found), the most
            confident readings first, then those that fit no format by ``box_score``. The
            first is the photo's reading (:meth:`predict`): the recognizer checks the
            locator's boxes, so a false box that outscores the plate but reads nothing,
            or reads with less confidence, does not stand for the photo. Each
            reading's ``box`` is the given box, or the located one (the plate is read
            from it grown by ``located_margin``).
        """
        check_is_fitted(self, "variant_weights_")
        if errors not in ("raise", "record"):
            raise ValueError(f"errors must be 'raise' or 'record', got {errors!r}.")
        try:
            margin = _check_margin(self.located_margin)
        except ValueError as error:
            raise ValueError(f"located_margin: {error}") from None
        located = locate_samples(getattr(self, "locator_", None), X, errors=errors, margin=margin)
        readings = self.predict_readings(located.samples, errors=errors)
        plates: list[list[PlateReading]] = [[] for _ in range(len(X))]
        for index, reason in located.failures.items():
            plates[index].append(PlateReading("", 0.0, error=reason))
        for sample, found, owner, box_score, reading in zip(
            located.samples,
            located.located_boxes,
            located.owners,
            located.box_scores,
            readings,
            strict=True,
        ):
            if not reading.error:
                box = sample[1] if np.isnan(found).any() else found
                reading.box = clip_box(box, sample[0].shape, name="box")
            reading.box_score = None if np.isnan(box_score) else float(box_score)
            plates[owner].append(reading)
        for index, readings_of_photo in enumerate(plates):
            if len(readings_of_photo) > 1:
                plates[index] = sorted(readings_of_photo, key=photo_reading_order)
        return plates

    def predict(self, X: Sequence[PlateSample]) -> np.ndarray:
        """Read every plate (for a photo without a box, its most confidently read plate).

        Returns
        -------
        texts : ndarray of shape (n_plates,), dtype object
            The plate strings; ``""`` where nothing fits the format.
        """
        return np.array([r.text for r in self.predict_readings(X)], dtype=object)

    def score(self, X: Sequence[PlateSample], y: Sequence[str]) -> float:
        """Plate accuracy: the fraction of plates read exactly right.

        A ``-`` in a truth is a character nobody can read (painted over): the reading is
        right when it equals the truth's other characters in order (``"38-3-PV"`` is read
        right as ``"383PV"``; see :func:`skplate.metrics.visible_text`).
        """
        return plate_accuracy(y, self.predict(X))

    def __getstate__(self) -> dict:
        # Record the skplate version in saved models; load_model checks it.
        return {**super().__getstate__(), VERSION_KEY: __version__}

    def __setstate__(self, state: dict) -> None:
        # Recognizers saved before extra_margins read one crop; those saved before
        # extra_below_agreement read every crop of every plate; those saved before
        # extra_flatten_below_agreement read the flattened crop with the others.
        # Those saved before prior_correction read the classifier's probabilities as they are.
        # Those saved before located_margin read located plates from the bare boxes.
        # Those saved before adapt_junk fine-tuned on the harvest alone; those saved before
        # extra_flatten_smoothing flattened the extra crop unblurred (and weighed it 1,
        # before extra_flatten_weight); those saved before
        # format_by combined the format most variants read; those saved before
        # extra_deblur_weight weighed the deblurred crop's variants as the others.
        state = {
            "format_by": "variants",
            "adapt_junk": 0,
            "extra_margins": None,
            "extra_below_agreement": None,
            "extra_flatten_below_agreement": 0.0,
            "extra_pad_clipped": None,
            "extra_deblur": None,
            "extra_flatten_lighting": 0.0,
            "extra_flatten_smoothing": 0.0,
            "extra_flatten_weight": 1.0,
            "extra_deblur_weight": 1.0,
            "prior_correction": 0.0,
            "merge_penalty": -1.0,
            "locator": None,
            "located_margin": (0.0, 0.0),
            **state,
        }
        if "cropper_" in state:  # fitted: no extra croppers (an unfitted one stays unfitted)
            state = {"extra_croppers_": [], **state}
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.target_tags.required = False
        tags.non_deterministic = False
        return tags


def make_plate_recognizer(
    classifier: object,
    *,
    plate_format: str | PlateFormat | Sequence = "any",
    voting: str = "soft",
    **stage_params: object,
) -> PlateRecognizer:
    """A :class:`PlateRecognizer` with explicit default stages, ready for grid search.

    Every stage is an instance (not None), so ``filter_bank__clahe_clip_limit`` and the like
    are reachable with ``set_params``. A fitted ``classifier`` (and a fitted
    ``locator``) is wrapped in :class:`~sklearn.frozen.FrozenEstimator` so ``clone`` keeps it.

    Parameters
    ----------
    classifier : estimator
        The fitted character classifier.
    plate_format, voting : see PlateRecognizer
    **stage_params
        Further PlateRecognizer parameters (``cropper=...``, ``skip_penalty=...``).
    """
    from sklearn.frozen import FrozenEstimator

    if not isinstance(classifier, FrozenEstimator) and _is_fitted(classifier):
        classifier = FrozenEstimator(classifier)
    locator = stage_params.get("locator")
    if locator is not None and not isinstance(locator, FrozenEstimator) and _is_fitted(locator):
        stage_params["locator"] = FrozenEstimator(locator)
    params = {
        "cropper": PlateCropper(),
        "filter_bank": FilterBank(),
        "segmenter": CharacterSegmenter(),
        **stage_params,
    }
    return PlateRecognizer(classifier, plate_format=plate_format, voting=voting, **params)
