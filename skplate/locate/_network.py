"""The locator's network: a small fully convolutional net, its targets, loss and decoding.

The network reads a gray photo (any size, a multiple of 32) and gives, on a grid of
stride 4, a plate score (a logit) and the distances from the cell's centre to the four
sides of the plate box around it (FCOS-style: ``log(distance / stride)``). Cells near a
plate's centre are the positives; the other cells inside a plate are ignored by the score
loss; the distances are learned on the positives with an IoU loss.
"""

from __future__ import annotations

import numpy as np

from .._tensorflow import import_tensorflow

import_tensorflow()

import keras  # noqa: E402  (TensorFlow first, through skplate._tensorflow)
from keras import ops  # noqa: E402

__all__ = ["STRIDE", "build_locator_net", "decode_maps", "encode_targets", "locator_loss"]

#: Pixels of input per cell of the output grid.
STRIDE = 4
#: The input's height and width must be multiples of this (five halvings).
DIVISOR = 32
_MAX_LOG_DISTANCE = 7.0


def _conv(x, filters: int, *, strides: int = 1, kernel: int = 3):
    x = keras.layers.Conv2D(filters, kernel, strides=strides, padding="same", use_bias=False)(x)
    x = keras.layers.BatchNormalization(momentum=0.9)(x)
    return keras.layers.Activation("relu")(x)


def build_locator_net(width: int = 16) -> keras.Model:
    """Build the (uncompiled) locator network on gray ``(None, None, 1)`` uint8-range input.

    An encoder of five stride-2 stages (a 3x3 ``Conv-BN-ReLU`` of ``width`` filters, then
    2, 4, 6 and 8 times ``width`` filters, two 3x3 ``Conv-BN-ReLU`` each) and a
    feature-pyramid decoder back to stride 4 (nearest upsampling plus a 1x1 projection of
    the encoder's map at each scale), then a 3x3 head and a 1x1 layer giving 5 maps: the
    plate logit and the 4 log side distances.
    """
    inputs = keras.Input(shape=(None, None, 1))
    x = keras.layers.Rescaling(1.0 / 127.5, offset=-1.0)(inputs)
    x = _conv(x, width, strides=2)
    features = []
    for factor in (2, 4, 6, 8):
        x = _conv(x, factor * width, strides=2)
        x = _conv(x, factor * width)
        features.append(x)
    channels = 2 * width
    y = _conv(features[-1], channels, kernel=1)
    for skip in reversed(features[:-1]):
        y = keras.layers.UpSampling2D(2, interpolation="nearest")(y)
        y = keras.layers.Add()([y, _conv(skip, channels, kernel=1)])
    y = _conv(y, channels)
    outputs = keras.layers.Conv2D(
        5, 1, bias_initializer=keras.initializers.Constant([-4.6, 1.0, 0.0, 1.0, 0.0])
    )(y)
    return keras.Model(inputs, outputs, name="plate_locator")


def locator_loss(alpha: float = 0.25, gamma: float = 2.0):
    """The training loss: focal loss on the plate score plus ``1 - IoU`` on the positives.

    ``y_true`` holds per cell ``(target, l, t, r, b)``: target 1 (positive), 0 (negative) or
    -1 (ignored); the side distances in strides (used where the target is 1). Both terms are
    normalised by the batch's number of positives.
    """

    def loss(y_true, y_pred):
        target = y_true[..., 0]
        positive = ops.cast(target > 0.5, "float32")
        valid = ops.cast(target > -0.5, "float32")
        n_positive = ops.maximum(ops.sum(positive), 1.0)
        logit = y_pred[..., 0]
        prob = ops.sigmoid(logit)
        ce = ops.binary_crossentropy(positive, logit, from_logits=True)
        p_t = positive * prob + (1 - positive) * (1 - prob)
        alpha_t = positive * alpha + (1 - positive) * (1 - alpha)
        focal = ops.sum(valid * alpha_t * (1 - p_t) ** gamma * ce) / n_positive

        distance = ops.exp(ops.clip(y_pred[..., 1:], -_MAX_LOG_DISTANCE, _MAX_LOG_DISTANCE))
        truth = y_true[..., 1:]
        inter_w = ops.minimum(distance[..., 0], truth[..., 0]) + ops.minimum(
            distance[..., 2], truth[..., 2]
        )
        inter_h = ops.minimum(distance[..., 1], truth[..., 1]) + ops.minimum(
            distance[..., 3], truth[..., 3]
        )
        inter = inter_w * inter_h
        area_pred = (distance[..., 0] + distance[..., 2]) * (distance[..., 1] + distance[..., 3])
        area_true = (truth[..., 0] + truth[..., 2]) * (truth[..., 1] + truth[..., 3])
        iou = inter / ops.maximum(area_pred + area_true - inter, 1e-6)
        box = ops.sum(positive * (1 - iou)) / n_positive
        return focal + box

    return loss


def encode_targets(
    boxes: np.ndarray,
    shape: tuple[int, int],
    *,
    ignore: np.ndarray | None = None,
    center_fraction: float = 0.5,
) -> np.ndarray:
    """The ``(H / STRIDE, W / STRIDE, 5)`` training target of one image.

    Parameters
    ----------
    boxes : ndarray of shape (n, 4)
        Plate boxes in pixels of the (augmented) image.
    shape : tuple of int
        ``(height, width)`` of the image, multiples of :data:`STRIDE`.
    ignore : ndarray of shape (k, 4) or None
        Boxes whose cells are ignored (plates cut by the crop's border).
    center_fraction : float, default=0.5
        A cell is positive when its centre lies in the plate's box shrunk about its centre
        to this fraction of its width and height (at least one cell across and down).
    """
    rows, cols = shape[0] // STRIDE, shape[1] // STRIDE
    target = np.zeros((rows, cols, 5), dtype=np.float32)
    ys = (np.arange(rows) + 0.5) * STRIDE
    xs = (np.arange(cols) + 0.5) * STRIDE
    for box in np.asarray(ignore if ignore is not None else [], dtype=float).reshape(-1, 4):
        inside_x = (xs >= box[0]) & (xs <= box[2])
        inside_y = (ys >= box[1]) & (ys <= box[3])
        target[np.ix_(inside_y, inside_x, [0])] = -1
    boxes = np.asarray(boxes, dtype=float).reshape(-1, 4)
    # Large boxes first, so that a small plate's cells win where two overlap.
    order = np.argsort(-(boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]), kind="stable")
    for x1, y1, x2, y2 in boxes[order]:
        inside_x = (xs >= x1) & (xs <= x2)
        inside_y = (ys >= y1) & (ys <= y2)
        block = np.ix_(inside_y, inside_x, [0])
        target[block] = np.where(target[block] == 1, 1, -1)
        cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
        half_w = max(center_fraction * (x2 - x1) / 2, STRIDE / 2)
        half_h = max(center_fraction * (y2 - y1) / 2, STRIDE / 2)
        near_x = np.abs(xs - cx) <= half_w
        near_y = np.abs(ys - cy) <= half_h
        gy, gx = np.meshgrid(ys[near_y], xs[near_x], indexing="ij")
        sides = np.stack([gx - x1, gy - y1, x2 - gx, y2 - gy], axis=-1) / STRIDE
        target[np.ix_(near_y, near_x, [0])] = 1
        target[np.ix_(near_y, near_x, [1, 2, 3, 4])] = np.maximum(sides, 0.25)
    return target


def decode_maps(maps: np.ndarray, *, score_threshold: float) -> np.ndarray:
    """The candidate boxes of one image's output maps ``(rows, cols, 5)``.

    Every cell whose plate probability reaches ``score_threshold`` proposes the box its
    side distances give (overlapping candidates are left for
    :func:`~skplate.locate.non_max_suppression`).

    Returns
    -------
    candidates : ndarray of shape (n, 5)
        ``(x1, y1, x2, y2, score)`` in pixels of the network's input.
    """
    prob = 1.0 / (1.0 + np.exp(-maps[..., 0].astype(np.float64)))
    rows, cols = np.nonzero(prob >= score_threshold)
    scores = prob[rows, cols]
    sides = np.exp(np.clip(maps[rows, cols, 1:], -_MAX_LOG_DISTANCE, _MAX_LOG_DISTANCE)) * STRIDE
    cx, cy = (cols + 0.5) * STRIDE, (rows + 0.5) * STRIDE
    return np.column_stack(
        [cx - sides[:, 0], cy - sides[:, 1], cx + sides[:, 2], cy + sides[:, 3], scores]
    ).reshape(-1, 5)
