"""PlateLocator: photos in, plate boxes with scores out (a small network trained here)."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real

import cv2
import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from .._validation import to_gray
from ._augment import random_crop
from ._boxes import average_precision, non_max_suppression
from ._network import (
    DIVISOR,
    STRIDE,
    build_locator_net,
    decode_maps,
    encode_targets,
    locator_loss,
)
from ._paste import draw_plates
from ._verifier import (
    TRAINING_THRESHOLD,
    box_features,
    box_patches,
    train_verifier,
    verifier_examples,
)

__all__ = ["PlateLocator", "check_photo_boxes"]

#: Plates drawn once per fit for ``paste_plates`` (each pasted at its own size and tilt).
_N_DRAWN_PLATES = 400
#: Passes over the verifier's training examples.
_VERIFIER_EPOCHS = 8


def _photo(image: object, index: int) -> np.ndarray:
    """``images[index]`` as a gray uint8 array; errors name the index."""
    return to_gray(image, name=f"images[{index}]")


def check_photo_boxes(boxes: object, index: int, shape: tuple[int, ...]) -> np.ndarray:
    """``boxes[index]`` as a float ``(n, 4)`` array of valid boxes, clipped to the photo.

    Raises
    ------
    ValueError
        If the boxes are not ``(n, 4)`` finite numbers with ``x2 > x1`` and ``y2 > y1``, or a
        box lies wholly outside the photo; the message names ``boxes[index]``.
    """
    name = f"boxes[{index}]"
    try:
        array = np.asarray(boxes, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected an (n, 4) array of boxes, got {boxes!r}.") from None
    if array.size == 0:
        return np.zeros((0, 4))
    if array.ndim == 1 and array.shape[0] == 4:
        array = array[None]
    if array.ndim != 2 or array.shape[1] != 4:
        raise ValueError(
            f"{name}: expected an (n, 4) array of boxes (x1, y1, x2, y2), got shape {array.shape}."
        )
    if not np.isfinite(array).all():
        raise ValueError(f"{name}: a box holds a non-finite number.")
    if np.any(array[:, 2] <= array[:, 0]) or np.any(array[:, 3] <= array[:, 1]):
        raise ValueError(f"{name}: every box needs x2 > x1 and y2 > y1.")
    height, width = shape[:2]
    clipped = np.clip(array, 0, [width, height, width, height])
    if np.any((clipped[:, 2] <= clipped[:, 0]) | (clipped[:, 3] <= clipped[:, 1])):
        raise ValueError(f"{name}: a box lies outside the {width}x{height} photo.")
    return clipped


class PlateLocator(BaseEstimator):
    """Find licence plates in photos: boxes with scores, from a network trained here.

    A small fully convolutional network (five stride-2 stages and a feature-pyramid
    decoder, about 0.4 M weights) reads the gray photo resized so that its longer side is
    ``image_size`` pixels; on a grid of stride 4 it scores each cell as a plate centre and
    regresses the distances to the plate's four sides (FCOS-style). Cells scoring at least
    ``score_threshold`` propose boxes, at each level of an image ``pyramid``;
    non-maximum suppression keeps the best of overlapping ones. Training cuts random
    ``crop_size`` squares from the photos at random scales, mirrors them and jitters their
    lighting.

    Parameters
    ----------
    image_size : int, default=320
        Longer side, in pixels, the photo is resized to before the network reads it (for
        training and locating alike). Boxes are returned in the original photo's pixels.
    width : int, default=16
        Filters of the first stage; the others have 2, 4, 6 and 8 times as many.
    epochs : int, default=60
        Passes over the training photos; each pass cuts one random crop from each.
    batch_size : int, default=16
        Crops per training step.
    crop_size : int, default=128
        Side of the square training crops (a multiple of 32).
    scale_range : tuple of float, default=(0.6, 2.0)
        Range of the random scale of the training crops (log-uniform), relative to the
        photo resized to ``image_size``.
    paste_plates : float, default=0.25
        Share of the training crops that get a drawn plate pasted in, a plate to find
        (:func:`~skplate.locate.draw_plate`: aspect ratio 1 to 5, one or two rows of
        characters, light or dark, 12-100 px wide, tilted and blurred at random). UC3M-LP's
        photos show Spanish plates only (long, white, one row); the drawn ones teach the
        other shapes (square, two-row, yellow, dark plates). 0 learns from the photos
        alone. See Notes.
    pyramid : tuple of float, default=(0.8, 1.0, 2.0)
        Scales, relative to ``image_size``, the photo is located at; the boxes of all
        levels are pooled before non-maximum suppression. The level 2.0 (the photo
        enlarged twice) finds small plates the level 1.0 misses; the level 0.8 finds
        plates larger than the training crops showed them (close-ups: 0.864-0.875 of the
        plates >= 20 px found instead of 0.838-0.860, see Notes). Locators saved with
        ``(1.0, 2.0)`` keep it.
    small_plate_width : float or None, default=30
        On levels above 1.0, only boxes narrower than this many pixels of the photo at
        ``image_size`` are kept: enlarged photos serve the small plates, and the boxes
        they give for large ones are mostly false. None keeps every level's boxes.
    learning_rate : float, default=3e-3
        Adam's initial learning rate, decayed to 0 along a cosine over the training.
    verify : bool, default=False
        Re-score each candidate box with a verifier: a small classifier, trained in
        ``fit`` after the network (about 3 more minutes on the UC3M photos), that reads
        the box's patch of the photo (with some context) and the box's size. A box's
        score is then the network's score and the verifier's probability combined
        (``verify_weight``). Fewer false boxes (wheels, windows, signs, badges), at some
        cost in plates found: for when a false box costs more than a missed plate (see
        Notes; 0.65 is its best ``score_threshold``). False locates with the network
        alone.
    candidate_threshold : float, default=0.4
        With ``verify``, the network's least score of a candidate box the verifier
        checks.
    verify_weight : float, default=0.3
        With ``verify``, a box's score is ``network ** (1 - w) * verifier ** w``: 0 keeps
        the network's score, 1 takes the verifier's.
    score_threshold : float, default=0.6
        Least score of a returned box: lower finds more plates and more false boxes (see
        the figures below).
    nms_threshold : float, default=0.3
        Boxes overlapping a better one by more than this IoU are dropped.
    vote_iou : float or None, default=0.3
        Box voting: each kept box is the score-weighted mean of the candidate boxes
        overlapping it by at least this IoU (see
        :func:`~skplate.locate.non_max_suppression`); None keeps the best cell's box.
    max_plates : int, default=20
        Most boxes returned per photo (the best scored).
    batch_predict : int, default=16
        Photos per network call when locating.
    random_state : int, RandomState or None, default=None
        Seed of the network's initialisation, the crops and their order. An int makes
        ``fit`` reproducible (TensorFlow's deterministic ops are enabled during it).
    verbose : int, default=0
        Keras' verbosity during training.

    Notes
    -----
    Measured with ``benchmarks/locate.py --run-folds 1 --seed S`` (S = 1, 2: trained on
    four fifths of the 1,580 UC3M-LP photos, split by photo, about 725 s of CPU on a
    2-core machine; located on the held-out fifth, 406 and 426 plates, and on the 117
    reference photos, never trained on), at IoU 0.5, seed 1 / seed 2:

    ====================== ============= ============= ============= =============
    pyramid, threshold     recall >=20px recall (all)  precision     117 recall
    ====================== ============= ============= ============= =============
    (1.0,), 0.5 (before)   0.923 / 0.930 0.739 / 0.700 0.852 / 0.890 0.855 / 0.838
    (1.0, 2.0), 0.5        0.972 / 0.982 0.877 / 0.854 0.745 / 0.822 0.855 / 0.838
    (1.0, 2.0), 0.6        0.955 / 0.965 0.845 / 0.791 0.877 / 0.911 0.846 / 0.803
    (1.0, 2.0), 0.7        0.944 / 0.944 0.796 / 0.735 0.950 / 0.960 0.812 / 0.761
    ====================== ============= ============= ============= =============

    The defaults are the row with the best F1 of recall (plates >= 20 px) and precision
    on the held-out UC3M photos (0.914 / 0.937, against 0.886 / 0.910 before the 2.0
    level); ``small_plate_width`` 30 beat 40 and a level 1.5 on the same photos. Many of
    the "false" boxes are plates the UC3M labels leave out (blurred, or on cars in the
    background). Locating took 26 ms per 416x416 photo, batched (8 ms with the level
    1.0 alone). The side distances are the weaker part: on a shorter training (20
    passes) 99 % of the held-out plates >= 20 px had a box at IoU >= 0.3 and 92 % at
    IoU >= 0.5. More passes raised the average precision (0.31 after 8, 0.57 after 20,
    0.73 after 40), and 60 passes over 128 px crops beat 40 over 160 px ones.

    Drawn plates (``paste_plates``), measured the same way on fold 0 of seeds 0, 1, 2,
    threshold 0.6; 0.25 (the default) / 0.5 / none: recall of plates >= 20 px 0.963,
    0.955, 0.979 / 0.946, 0.955, 0.972 / 0.953, 0.955, 0.965; recall of all plates
    0.823, 0.818, 0.817 / 0.816, 0.810, 0.798 / 0.830, 0.845, 0.791; precision 0.878,
    0.853, 0.835 / 0.809, 0.787, 0.821 / 0.908, 0.877, 0.911; average precision 0.805,
    0.806, 0.802 / 0.795, 0.790, 0.786 / 0.820, -, 0.785. 0.25 was chosen over 0.5 on
    these UC3M-LP figures (better median average precision and recall). The 117
    reference photos' recall (not used to choose): 0.897, 0.940, 0.949 / 0.889, 0.915,
    0.923 / 0.838, 0.846, 0.812. The plates of other shapes are found, at some cost in
    precision on UC3M-LP: wheels, rails, signs and windows pass for plates more often
    (about a third of the "false" boxes are plates the labels leave out). Decoys
    (plate-shaped panels without characters, pasted as background) lowered every figure
    (seed 2, with 0.5: precision 0.844, the 117's recall 0.803): dropped.

    The reduced level 0.8, measured on the same networks (fold 0 of seeds 0, 1, 2,
    threshold 0.6; ``benchmarks/locate.py --seed S --load L --close-ups --set
    pyramid=...``), against ``(1.0, 2.0)`` before: on close-ups of the held-out photos
    (a 160x120 window around a plate enlarged 2.6 times, plates about 75 px wide as in
    the 117 photos) recall of the plates >= 20 px 0.864, 0.875, 0.872 (0.838, 0.847,
    0.860) and average precision 0.831, 0.828, 0.836 (0.799, 0.801, 0.823); on the
    held-out photos as they are 0.966, 0.955, 0.979 (0.956, 0.955, 0.979), precision
    0.855, 0.855, 0.845 (0.864, 0.859, 0.862). The 117's recall, not used to choose:
    0.906, 0.940, 0.923 (0.863, 0.897, 0.897). The levels 0.5, 0.6 and 0.7 found fewer
    close-up plates than 0.8 (seed 0); training with crops scaled up to 3.0 rather than
    2.0 found more (0.873 with ``(1.0, 2.0)``) but lowered the precision (0.835).

    The verifier (``verify=True``), trained by ``fit``'s code on the same networks' fold-0
    training photos (seeds 0, 1, 2; 172-198 s wall on 2 cores; ``benchmarks/locate.py
    --seed S --load L --thresholds 0.6 0.65 0.7``), at ``score_threshold`` 0.65 against
    the network alone at 0.6: recall of the plates >= 20 px 0.946, 0.902, 0.965 (0.966,
    0.955, 0.979), precision 0.945, 0.953, 0.941 (0.855, 0.855, 0.845), recall of all
    plates 0.795, 0.746, 0.791 (0.809, 0.810, 0.793); the 117's recall 0.872, 0.880, 0.897
    (0.906, 0.940, 0.923), and the 117 read end to end (``benchmarks/locate_read.py``,
    recipe network 0) 79, 84, 84 (85, 88, 87): the verifier, trained on UC3M-LP's
    plates, turns down some of the 117's. Hence not the default. Without drawn plates
    among its examples: precision 0.952, 0.942, 0.962, recall >= 20 px 0.936, 0.930,
    0.975, the 117's recall 0.863, 0.906, 0.889, read end to end 77, 86, 81. Chosen on
    the held-out candidates of the same folds by the median F1 of recall >= 20 px and
    precision: weight 0.3 and threshold 0.65 (0.948, against 0.908 for the network alone
    at 0.6 and 0.923 at 0.65); 8 passes over the examples beat 5 (0.931), 32x96 patches
    beat 24x72 (0.943), and the network's score as an input did no better.

    Attributes
    ----------
    model_ : keras.Model
        The trained network (uncompiled; rebuilt by
        :func:`~skplate.locate.build_locator_net` from ``width``, so its weights are all
        it holds).
    history_ : ndarray of shape (epochs,)
        The training loss of each epoch.
    verifier_ : keras.Model or None
        With ``verify``, the trained verifier (a patch of 32x96 pixels and the box's log
        width and log aspect ratio in, a plate probability out); None without.
    n_photos_ : int
        Photos trained on.

    Examples
    --------
    >>> from skplate.datasets import make_synthetic_plates
    >>> from skplate.locate import PlateLocator
    >>> data = make_synthetic_plates(["1234BCD"] * 8, random_state=0, image_size=(128, 128))
    >>> locator = PlateLocator(epochs=1, random_state=0).fit(
    ...     data.images, [box[None] for box in data.boxes])
    >>> detections = locator.predict(data.images[:2])
    >>> [d.shape[1] for d in detections]  # (x1, y1, x2, y2, score) per located plate
    [5, 5]
    """

    _parameter_constraints: dict = {
        "image_size": [Interval(Integral, 32, None, closed="left")],
        "width": [Interval(Integral, 1, None, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "crop_size": [Interval(Integral, 32, None, closed="left")],
        "scale_range": [tuple, list],
        "paste_plates": [Interval(Real, 0, 1, closed="both")],
        "pyramid": [tuple, list],
        "small_plate_width": [Interval(Real, 0, None, closed="neither"), None],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "verify": ["boolean"],
        "candidate_threshold": [Interval(Real, 0, 1, closed="both")],
        "verify_weight": [Interval(Real, 0, 1, closed="both")],
        "score_threshold": [Interval(Real, 0, 1, closed="both")],
        "nms_threshold": [Interval(Real, 0, 1, closed="both")],
        "vote_iou": [Interval(Real, 0, 1, closed="both"), None],
        "max_plates": [Interval(Integral, 1, None, closed="left")],
        "batch_predict": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        image_size: int = 320,
        width: int = 16,
        epochs: int = 60,
        batch_size: int = 16,
        crop_size: int = 128,
        scale_range: tuple[float, float] = (0.6, 2.0),
        paste_plates: float = 0.25,
        pyramid: tuple[float, ...] = (0.8, 1.0, 2.0),
        small_plate_width: float | None = 30,
        learning_rate: float = 3e-3,
        verify: bool = False,
        candidate_threshold: float = 0.4,
        verify_weight: float = 0.3,
        score_threshold: float = 0.6,
        nms_threshold: float = 0.3,
        vote_iou: float | None = 0.3,
        max_plates: int = 20,
        batch_predict: int = 16,
        random_state: int | np.random.RandomState | None = None,
        verbose: int = 0,
    ) -> None:
        self.image_size = image_size
        self.width = width
        self.epochs = epochs
        self.batch_size = batch_size
        self.crop_size = crop_size
        self.scale_range = scale_range
        self.paste_plates = paste_plates
        self.pyramid = pyramid
        self.small_plate_width = small_plate_width
        self.learning_rate = learning_rate
        self.verify = verify
        self.candidate_threshold = candidate_threshold
        self.verify_weight = verify_weight
        self.score_threshold = score_threshold
        self.nms_threshold = nms_threshold
        self.vote_iou = vote_iou
        self.max_plates = max_plates
        self.batch_predict = batch_predict
        self.random_state = random_state
        self.verbose = verbose

    def __setstate__(self, state: dict) -> None:
        # Locators saved before small_plate_width existed located on their own pyramid
        # without it: keep their boxes as they were. Those saved before paste_plates learned
        # from the photos alone; those saved before verify located with the network alone.
        defaults = {
            "small_plate_width": None,
            "paste_plates": 0.0,
            "verify": False,
            "candidate_threshold": 0.4,
            "verify_weight": 0.3,
            "verifier_": None,
        }
        super().__setstate__({**defaults, **state})

    # ------------------------------------------------------------------ helpers
    def _resized(self, photo: np.ndarray, side: float | None = None) -> tuple[np.ndarray, float]:
        """The gray photo resized so that its longer side is ``side`` (default
        ``image_size``), and the factor."""
        height, width = photo.shape[:2]
        factor = (self.image_size if side is None else side) / max(height, width)
        if factor == 1:
            return photo, 1.0
        size = (max(1, round(width * factor)), max(1, round(height * factor)))
        interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
        return cv2.resize(photo, size, interpolation=interpolation), factor

    def _check_scale_range(self) -> tuple[float, float]:
        try:
            low, high = (float(v) for v in self.scale_range)
        except (TypeError, ValueError):
            raise ValueError(
                f"scale_range must be two numbers (low, high), got {self.scale_range!r}."
            ) from None
        if not 0 < low <= high:
            raise ValueError(f"scale_range must satisfy 0 < low <= high, got {self.scale_range!r}.")
        return low, high

    # ------------------------------------------------------------------ fit
    def fit(self, images: Sequence[np.ndarray], boxes: Sequence[object]) -> PlateLocator:
        """Train the network on photos and every plate box in them.

        Parameters
        ----------
        images : sequence of ndarray
            Photos: uint8/uint16 gray, BGR or BGRA arrays of any size.
        boxes : sequence of array-like of shape (n_i, 4)
            Per photo, the box ``(x1, y1, x2, y2)`` in pixels of every plate in it (a photo
            with no plate has an empty array). A plate left out is learned as background.

        Returns
        -------
        self : PlateLocator
        """
        self._validate_params()
        if boxes is None:
            raise ValueError(
                "PlateLocator requires y to be passed, but the target y is None: fit needs "
                "boxes, the plate boxes of each photo."
            )
        scale_range = self._check_scale_range()
        if self.crop_size % DIVISOR:
            raise ValueError(f"crop_size must be a multiple of {DIVISOR}, got {self.crop_size}.")
        if len(images) != len(boxes):
            raise ValueError(
                f"images and boxes must have one entry per photo, got {len(images)} and "
                f"{len(boxes)}."
            )
        if len(images) == 0:
            raise ValueError("fit needs at least one photo.")
        photos, truths = [], []
        for index, image in enumerate(images):
            photo = _photo(image, index)
            plates = check_photo_boxes(boxes[index], index, photo.shape)
            photo, factor = self._resized(photo)
            photos.append(photo)
            truths.append(plates * factor)
        if self.verify and not any(len(plates) for plates in truths):
            raise ValueError(
                "verify=True: the verifier learns what a plate looks like from the plate "
                "boxes, and no training photo has one; give photos with plates, or set "
                "verify=False."
            )

        from scikeras.utils.random_state import tensorflow_random_state

        rng = check_random_state(self.random_state)
        seed = (
            int(self.random_state)
            if isinstance(self.random_state, Integral)
            else int(rng.randint(2**31 - 1))
        )
        with tensorflow_random_state(seed):
            self.model_, self.history_ = self._train(photos, truths, rng, scale_range)
            self.verifier_ = self._train_verifier(photos, truths, rng) if self.verify else None
        self.n_photos_ = len(photos)
        return self

    def _train(self, photos, truths, rng, scale_range):
        import keras

        n = len(photos)
        size = self.crop_size
        steps = int(np.ceil(n / self.batch_size)) * self.epochs
        network = build_locator_net(self.width)
        schedule = keras.optimizers.schedules.CosineDecay(self.learning_rate, steps)
        network.compile(optimizer=keras.optimizers.Adam(schedule), loss=locator_loss())
        crops = np.empty((n, size, size, 1), dtype=np.uint8)
        targets = np.empty((n, size // STRIDE, size // STRIDE, 5), dtype=np.float32)
        drawn = draw_plates(_N_DRAWN_PLATES, rng) if self.paste_plates > 0 else None
        history = []
        for _ in range(self.epochs):
            for row, index in enumerate(rng.permutation(n)):
                crop, plates, cut = random_crop(
                    photos[index],
                    truths[index],
                    rng,
                    size=size,
                    scale_range=scale_range,
                    drawn_plates=drawn,
                    paste_probability=self.paste_plates,
                )
                crops[row, :, :, 0] = crop
                targets[row] = encode_targets(plates, (size, size), ignore=cut)
            result = network.fit(
                crops,
                targets,
                batch_size=self.batch_size,
                epochs=1,
                shuffle=False,
                verbose=self.verbose,
            )
            history.append(float(result.history["loss"][-1]))
        model = build_locator_net(self.width)
        model.set_weights(network.get_weights())
        return model, np.array(history)

    def _train_verifier(self, photos, truths, rng):
        """Train the verifier on the network's candidates in the (resized) training
        photos, on their true boxes and on drawn plates pasted into ``paste_plates`` of
        them."""
        candidates = self._network_boxes(photos, TRAINING_THRESHOLD, max_boxes=None)
        drawn = draw_plates(_N_DRAWN_PLATES, rng) if self.paste_plates > 0 else None
        patches, numbers, labels = verifier_examples(
            photos,
            candidates,
            truths,
            rng,
            drawn_plates=drawn,
            paste_probability=self.paste_plates,
        )
        return train_verifier(
            patches, numbers, labels, epochs=_VERIFIER_EPOCHS, verbose=self.verbose
        )

    # ------------------------------------------------------------------ predict
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False  # photos of any size, not a feature matrix
        tags.target_tags.required = True  # the plate boxes
        return tags

    def predict(self, images: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Locate the plates of each photo.

        Parameters
        ----------
        images : sequence of ndarray
            Photos: uint8/uint16 gray, BGR or BGRA arrays of any size.

        Returns
        -------
        detections : list of ndarray of shape (n_i, 5)
            Per photo, one row ``(x1, y1, x2, y2, score)`` per located plate, best score
            first: the box in the photo's pixels (floats, clipped to the photo) and the
            plate probability in ``[score_threshold, 1]``. A photo with no plate found has
            an empty ``(0, 5)`` array.

        Raises
        ------
        TypeError, ValueError
            If a photo is not a usable image; the message names it (``images[i]``).
        """
        check_is_fitted(self, "model_")
        self._check_pyramid()
        verifying = self._check_verifier()
        photos = [_photo(image, index) for index, image in enumerate(images)]
        if not verifying:
            return self._network_boxes(photos, self.score_threshold, max_boxes=self.max_plates)
        candidates = self._network_boxes(photos, self.candidate_threshold, max_boxes=None)
        scored = self._verified(photos, candidates)
        results = []
        for found in scored:
            found = found[found[:, 4] >= self.score_threshold]
            results.append(found[np.argsort(-found[:, 4], kind="stable")][: self.max_plates])
        return results

    def _network_boxes(
        self, photos: list[np.ndarray], threshold: float, *, max_boxes: int | None
    ) -> list[np.ndarray]:
        """The network's boxes in each gray photo (its pixels), scoring at least
        ``threshold`` at any level of the pyramid, after non-maximum suppression."""
        candidates: list[list[np.ndarray]] = [[] for _ in photos]
        for level in self._check_pyramid():
            resized = [self._resized(photo, self.image_size * level) for photo in photos]
            for index, maps in self._network_maps([r[0] for r in resized]):
                found = decode_maps(maps, score_threshold=threshold)
                if level > 1 and self.small_plate_width is not None:
                    # widths at image_size: the level's pixels divided by the level
                    small = (found[:, 2] - found[:, 0]) / level < self.small_plate_width
                    found = found[small]
                found[:, :4] /= resized[index][1]
                candidates[index].append(found)
        results = []
        for photo, found in zip(photos, candidates, strict=True):
            height, width = photo.shape[:2]
            found = np.concatenate(found) if found else np.zeros((0, 5))
            found[:, :4] = np.clip(found[:, :4], 0, [width, height, width, height])
            found = found[(found[:, 2] > found[:, 0]) & (found[:, 3] > found[:, 1])]
            results.append(
                non_max_suppression(
                    found,
                    iou_threshold=self.nms_threshold,
                    max_boxes=max_boxes,
                    vote_iou=self.vote_iou,
                )
            )
        return results

    def _verified(self, photos: list[np.ndarray], candidates: list[np.ndarray]) -> list[np.ndarray]:
        """``candidates`` re-scored by the verifier (all photos' boxes in one call)."""
        patches, numbers = [], []
        for photo, found in zip(photos, candidates, strict=True):
            resized, factor = self._resized(photo)
            boxes = found[:, :4] * factor
            patches.append(box_patches(resized, boxes))
            numbers.append(box_features(boxes))
        counts = [len(found) for found in candidates]
        if not sum(counts):
            return candidates
        probabilities = np.asarray(
            self.verifier_.predict_on_batch([np.concatenate(patches), np.concatenate(numbers)])
        ).reshape(-1)
        weight = self.verify_weight
        scored = []
        chunks = np.split(probabilities, np.cumsum(counts)[:-1])
        for found, chunk in zip(candidates, chunks, strict=True):
            found = found.copy()
            found[:, 4] = found[:, 4] ** (1 - weight) * chunk.astype(float) ** weight
            scored.append(found)
        return scored

    def _check_verifier(self) -> bool:
        """Whether to verify: ``verify``, with a verifier fitted for it."""
        if self.verify and getattr(self, "verifier_", None) is None:
            raise ValueError(
                "verify=True, but this locator was fitted without a verifier (verify=False, "
                "or saved before verify existed): fit it again with verify=True, or set "
                "verify=False."
            )
        return bool(self.verify)

    def _network_maps(self, photos: list[np.ndarray]):
        """Yield ``(index, maps)`` for each photo; photos padded to the same shape go
        through the network together, ``batch_predict`` at a time."""
        groups: dict[tuple[int, ...], list[int]] = {}
        for index, photo in enumerate(photos):
            shape = tuple(-(-s // DIVISOR) * DIVISOR for s in photo.shape[:2])
            groups.setdefault(shape, []).append(index)
        for (height, width), members in groups.items():
            for start in range(0, len(members), self.batch_predict):
                chunk = members[start : start + self.batch_predict]
                batch = np.full((len(chunk), height, width, 1), 127, dtype=np.uint8)
                for row, index in enumerate(chunk):
                    photo = photos[index]
                    batch[row, : photo.shape[0], : photo.shape[1], 0] = photo
                maps = np.asarray(self.model_.predict_on_batch(batch))
                yield from zip(chunk, maps, strict=True)

    def _check_pyramid(self) -> tuple[float, ...]:
        try:
            levels = tuple(float(level) for level in self.pyramid)
        except (TypeError, ValueError):
            levels = ()
        if not levels or not all(0 < level <= 4 for level in levels):
            raise ValueError(
                f"pyramid must be a non-empty sequence of scales in (0, 4], got {self.pyramid!r}."
            )
        return levels

    def score(self, images: Sequence[np.ndarray], boxes: Sequence[object]) -> float:
        """Average precision at IoU 0.5 of the located plates (see
        :func:`~skplate.locate.average_precision`).

        Parameters
        ----------
        images : sequence of ndarray
            Photos.
        boxes : sequence of array-like of shape (n_i, 4)
            Per photo, every true plate box.

        Returns
        -------
        ap : float
        """
        detections = self.predict(images)
        if len(boxes) != len(images):
            raise ValueError(
                f"images and boxes must have one entry per photo, got {len(images)} and "
                f"{len(boxes)}."
            )
        truths = [
            check_photo_boxes(boxes[index], index, np.shape(images[index]))
            for index in range(len(images))
        ]
        return average_precision(detections, truths, iou_threshold=0.5)
