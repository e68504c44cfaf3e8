"""The locator's verifier: a second look at each candidate box, from the photo around it.

The locator's network scores every cell of the photo from what a stride-4 grid sees;
wheels, windows, road signs and badges with lettering pass for plates. The verifier is a
small classifier that reads each candidate box's patch (the box with a quarter of its
width left and right and half its height above and below, warped to
:data:`PATCH_SHAPE`) and two numbers (the box's width, in pixels of the photo at the
locator's ``image_size``, and its aspect ratio, both as logarithms), and gives the
probability that the box is a plate.

It learns from the network's own candidates on the training photos (a candidate
overlapping a plate by IoU >= 0.5 is a plate, one under 0.3 is not, those between are
left out), from the true boxes, jittered, and from plates of other shapes drawn into some
of the photos, as the network learns them.
"""

from __future__ import annotations

import cv2
import numpy as np

from .._tensorflow import import_tensorflow
from ._boxes import box_iou
from ._paste import paste_plate

import_tensorflow()

import keras  # noqa: E402  (TensorFlow first, through skplate._tensorflow)

__all__ = [
    "PATCH_SHAPE",
    "TRAINING_THRESHOLD",
    "box_features",
    "box_patches",
    "build_verifier_net",
    "train_verifier",
    "verifier_examples",
]

#: ``(height, width)`` in pixels of the patch the verifier reads for one box.
PATCH_SHAPE = (32, 96)
#: Context around the box in the patch: fractions of its width (left and right) and of its
#: height (above and below).
CONTEXT = (0.25, 0.5)
#: The network's least score of the candidates the verifier learns from: low, so that it
#: sees many of the network's near misses.
TRAINING_THRESHOLD = 0.2
_PLATE_IOU, _NOT_PLATE_IOU = 0.5, 0.3
_JITTERED_COPIES, _JITTER = 2, 0.06


def box_patches(photo: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """The verifier's patches of ``boxes`` in a gray photo.

    Parameters
    ----------
    photo : ndarray of shape (H, W), uint8
    boxes : ndarray of shape (n, 4) or (n, 5)
        ``(x1, y1, x2, y2[, score])`` in the photo's pixels.

    Returns
    -------
    patches : ndarray of shape (n, 32, 96, 1), uint8
        Each box with its context (:data:`CONTEXT`), warped to :data:`PATCH_SHAPE`; what
        falls outside the photo repeats its border.
    """
    height, width = PATCH_SHAPE
    patches = np.empty((len(boxes), height, width, 1), dtype=np.uint8)
    target = np.float32([[0, 0], [width, 0], [0, height]])
    for row, (x1, y1, x2, y2) in enumerate(np.asarray(boxes, dtype=float)[:, :4]):
        dx, dy = CONTEXT[0] * (x2 - x1), CONTEXT[1] * (y2 - y1)
        source = np.float32([[x1 - dx, y1 - dy], [x2 + dx, y1 - dy], [x1 - dx, y2 + dy]])
        shrinking = (x2 - x1 + 2 * dx) > width
        patches[row, :, :, 0] = cv2.warpAffine(
            photo,
            cv2.getAffineTransform(source, target),
            (width, height),
            flags=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )
    return patches


def box_features(boxes: np.ndarray) -> np.ndarray:
    """``(log width, log width / height)`` of each box, as ``(n, 2)`` float32."""
    boxes = np.asarray(boxes, dtype=float)
    widths = np.maximum(boxes[:, 2] - boxes[:, 0], 1.0)
    heights = np.maximum(boxes[:, 3] - boxes[:, 1], 1.0)
    return np.column_stack([np.log(widths), np.log(widths / heights)]).astype(np.float32)


def build_verifier_net() -> keras.Model:
    """Build the (uncompiled) verifier: a patch and its box's two numbers in, a plate
    probability out.

    A 3x3 stride-2 convolution of 16 filters, 3x3 convolutions of 32 and 64 filters each
    followed by 2x2 max pooling, one more of 64, global average pooling; then, with the
    two numbers, a dense layer of 64 and the sigmoid output (about 70 k weights).
    """
    patch = keras.Input(shape=(*PATCH_SHAPE, 1))
    numbers = keras.Input(shape=(2,))
    x = keras.layers.Rescaling(1.0 / 255)(patch)
    x = keras.layers.Conv2D(16, 3, strides=2, padding="same", activation="relu")(x)
    for filters in (32, 64):
        x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Conv2D(64, 3, padding="same", activation="relu")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    x = keras.layers.Concatenate()([x, numbers])
    x = keras.layers.Dense(64, activation="relu")(x)
    output = keras.layers.Dense(1, activation="sigmoid")(x)
    return keras.Model([patch, numbers], output, name="plate_verifier")


def _jittered(true: np.ndarray, rng: np.random.RandomState) -> np.ndarray:
    """:data:`_JITTERED_COPIES` copies of each box, its sides moved at random."""
    sizes = np.tile(true[:, 2:] - true[:, :2], (_JITTERED_COPIES, 2))
    shifts = rng.normal(0, _JITTER, sizes.shape) * sizes
    jittered = np.tile(true, (_JITTERED_COPIES, 1)) + shifts
    return jittered[(jittered[:, 2] > jittered[:, 0]) & (jittered[:, 3] > jittered[:, 1])]


def verifier_examples(
    photos: list[np.ndarray],
    candidates: list[np.ndarray],
    truths: list[np.ndarray],
    rng: np.random.RandomState,
    *,
    drawn_plates: list[np.ndarray] | None = None,
    paste_probability: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The verifier's training examples: patches, box numbers and labels (1 a plate).

    Parameters
    ----------
    photos : list of ndarray
        Gray training photos (at the locator's ``image_size``).
    candidates : list of ndarray of shape (n_i, 5)
        The network's candidate boxes in each photo.
    truths : list of ndarray of shape (m_i, 4)
        The true plate boxes of each photo.
    rng : RandomState
        Draws the jitter of the true boxes and the pasted plates.
    drawn_plates : list of ndarray or None
        Plates of other shapes (:func:`~skplate.locate.draw_plate`): with probability
        ``paste_probability`` one is pasted into a copy of a photo (as the network's
        training crops get them), and its jittered box is a plate too.
    paste_probability : float, default=0.0
    """
    patches, boxes, labels = [], [], []

    def add(photo: np.ndarray, chosen: np.ndarray, is_plate: np.ndarray) -> None:
        patches.append(box_patches(photo, chosen))
        boxes.append(chosen)
        labels.append(is_plate)

    for photo, found, true in zip(photos, candidates, truths, strict=True):
        found = np.asarray(found, dtype=float).reshape(-1, 5)[:, :4]
        true = np.asarray(true, dtype=float).reshape(-1, 4)
        overlap = (
            box_iou(found, true).max(axis=1) if len(true) and len(found) else np.zeros(len(found))
        )
        clear = (overlap >= _PLATE_IOU) | (overlap < _NOT_PLATE_IOU)
        jittered = _jittered(true, rng)
        add(
            photo,
            np.concatenate([found[clear], jittered]),
            np.r_[overlap[clear] >= _PLATE_IOU, np.ones(len(jittered), dtype=bool)],
        )
        if drawn_plates and rng.uniform() < paste_probability:
            pasted, box = paste_plate(photo, true, drawn_plates, rng)
            if box is not None:
                jittered = _jittered(box[None], rng)
                add(pasted, jittered, np.ones(len(jittered), dtype=bool))
    chosen = np.concatenate(boxes) if boxes else np.zeros((0, 4))
    return (
        np.concatenate(patches) if patches else np.zeros((0, *PATCH_SHAPE, 1), np.uint8),
        box_features(chosen),
        np.concatenate(labels).astype(np.float32) if labels else np.zeros(0, np.float32),
    )


def train_verifier(
    patches: np.ndarray,
    numbers: np.ndarray,
    labels: np.ndarray,
    *,
    epochs: int,
    batch_size: int = 64,
    verbose: int = 0,
) -> keras.Model:
    """Train a verifier (:func:`build_verifier_net`) on examples and their mirror images.

    Binary cross-entropy, Adam at 1e-3, shuffled each epoch (seed TensorFlow's random
    state for a reproducible result).
    """
    network = build_verifier_net()
    network.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy")
    network.fit(
        [np.concatenate([patches, patches[:, :, ::-1]]), np.concatenate([numbers, numbers])],
        np.concatenate([labels, labels]),
        batch_size=batch_size,
        epochs=epochs,
        shuffle=True,
        verbose=verbose,
    )
    model = build_verifier_net()
    model.set_weights(network.get_weights())
    return model
