"""The character network's forward pass in NumPy: reading plates without TensorFlow.

A trained :class:`~skplate.cnn.CharCNN` is a plain stack of 3x3 convolutions, batch
normalisations, ReLUs, max-poolings and dense layers (:func:`skplate.cnn.build_char_cnn`).
At inference, dropout and the augmentation layers do nothing and each batch
normalisation is a fixed per-channel affine map, folded here into the convolution or
dense layer before it. What is left is a few matrix products, which NumPy's BLAS runs
about as fast as TensorFlow on a CPU, without TensorFlow's seconds of start-up.

:class:`NumpyCharCNN` holds those folded layers and the classifier's ``classes_`` and
``class_prior_``, and answers ``predict_proba``/``predict`` like the network it came from
(equal to float32 rounding). It is what :func:`skplate.persistence.load_model` gives for
the network of a model saved in the safe ``.skplate`` format.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

__all__ = ["NumpyCharCNN", "layers_from_keras"]

_IGNORED_AT_INFERENCE = ("InputLayer", "Dropout", "RandomRotation", "RandomTranslation",
                         "RandomZoom")


def _fold_batch_norm(kernel: np.ndarray, bias: np.ndarray, layer) -> tuple:
    """Fold an inference-time batch normalisation into the kernel and bias before it."""
    gamma, beta, mean, variance = (np.asarray(w, dtype=np.float64) for w in layer.get_weights())
    scale = gamma / np.sqrt(variance + layer.epsilon)
    return (kernel * scale).astype(np.float32), ((bias - mean) * scale + beta).astype(np.float32)


def layers_from_keras(model) -> list[tuple[str, object]]:
    """The folded inference layers of a network built by :func:`skplate.cnn.build_char_cnn`.

    Parameters
    ----------
    model : keras.Model
        A built (usually trained) character network.

    Returns
    -------
    layers : list of (str, object)
        ``("conv", (kernel, bias))``, ``("conv_relu", ...)``, ``("pool", size)``,
        ``("flatten", None)``, ``("dense", (kernel, bias))``, ``("dense_relu", ...)`` and a
        final ``("softmax", None)``; kernels ``(3, 3, C_in, C_out)`` or
        ``(n_in, n_out)``, float32, batch normalisations folded in.

    Raises
    ------
    ValueError
        For a layer that is not part of skplate's character network.
    """
    layers: list[tuple[str, object]] = []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind in _IGNORED_AT_INFERENCE:
            continue
        if kind in ("Conv2D", "Dense"):
            if kind == "Conv2D" and (
                tuple(layer.strides) != (1, 1)
                or layer.padding != "same"
                or tuple(layer.kernel_size) != (3, 3)
                or tuple(layer.dilation_rate) != (1, 1)
            ):
                raise ValueError(f"layer {layer.name}: only 3x3 'same' convolutions of stride 1.")
            weights = layer.get_weights()
            kernel = np.asarray(weights[0], dtype=np.float64)
            bias = (
                np.asarray(weights[1], dtype=np.float64)
                if layer.use_bias
                else np.zeros(kernel.shape[-1])
            )
            activation = layer.activation.__name__
            name = "conv" if kind == "Conv2D" else "dense"
            if activation == "softmax" and kind == "Dense":
                layers += [("dense", (kernel.astype(np.float32), bias.astype(np.float32))),
                           ("softmax", None)]
                continue
            if activation != "linear":
                raise ValueError(f"layer {layer.name}: unexpected activation {activation!r}.")
            layers.append((name, (kernel, bias)))
        elif kind == "BatchNormalization":
            if not layers or layers[-1][0] not in ("conv", "dense") or layer.axis not in (-1, [-1]):
                raise ValueError(f"layer {layer.name}: a batch normalisation must follow a "
                                 "convolution or a dense layer.")
            name, (kernel, bias) = layers[-1]
            layers[-1] = (name, _fold_batch_norm(kernel, bias, layer))
        elif kind == "Activation":
            if layer.activation.__name__ != "relu" or not layers or layers[-1][0] not in (
                "conv",
                "dense",
            ):
                raise ValueError(f"layer {layer.name}: only a ReLU after a convolution or dense.")
            layers[-1] = (f"{layers[-1][0]}_relu", layers[-1][1])
        elif kind == "MaxPooling2D":
            size = tuple(layer.pool_size)
            if size[0] != size[1] or tuple(layer.strides) != size or layer.padding != "valid":
                raise ValueError(f"layer {layer.name}: only square 'valid' max-pooling.")
            layers.append(("pool", int(size[0])))
        elif kind == "Flatten":
            layers.append(("flatten", None))
        else:
            raise ValueError(f"layer {layer.name}: a {kind} layer is not part of skplate's "
                             "character network.")
    if not layers or layers[-1][0] != "softmax":
        raise ValueError("the network must end in a softmax dense layer.")
    return [
        (name, tuple(np.asarray(a, dtype=np.float32) for a in value))
        if isinstance(value, tuple)
        else (name, value)
        for name, value in layers
    ]


def _conv3x3(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """A 3x3 'same' convolution of NHWC ``x`` as one matrix product over its windows."""
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    windows = sliding_window_view(padded, (3, 3), axis=(1, 2))  # (n, H, W, C, 3, 3)
    columns = windows.transpose(0, 1, 2, 4, 5, 3).reshape(*x.shape[:3], -1)
    return columns @ kernel.reshape(-1, kernel.shape[-1]) + bias


def _max_pool(x: np.ndarray, size: int) -> np.ndarray:
    """'valid' max-pooling of NHWC ``x`` with stride ``size``: the maximum of strided views."""
    height, width = x.shape[1] // size * size, x.shape[2] // size * size
    pooled = x[:, :height:size, :width:size].copy()
    for row in range(size):
        for col in range(size):
            if row or col:
                np.maximum(pooled, x[:, row:height:size, col:width:size], out=pooled)
    return pooled


def _forward(layers: Sequence[tuple[str, object]], x: np.ndarray) -> np.ndarray:
    for name, value in layers:
        if name.startswith("conv"):
            x = _conv3x3(x, *value)
        elif name.startswith("dense"):
            x = x @ value[0] + value[1]
        elif name == "pool":
            x = _max_pool(x, value)
        elif name == "flatten":
            x = x.reshape(len(x), -1)
        elif name == "softmax":
            x = np.exp(x - x.max(axis=1, keepdims=True))
            x /= x.sum(axis=1, keepdims=True)
        if name.endswith("_relu"):
            np.maximum(x, 0, out=x)
    return x


class NumpyCharCNN(ClassifierMixin, BaseEstimator):
    """A trained character network run by NumPy: the same probabilities, no TensorFlow.

    It is made from a fitted :class:`~skplate.cnn.CharCNN` (:meth:`from_char_cnn`) or by
    :func:`skplate.persistence.load_model` from a ``.skplate`` file; it cannot be
    trained (``fit`` explains how to get one).

    Parameters
    ----------
    batch_size : int, default=512
        Characters per matrix product (bounds the memory of the convolution windows).

    Attributes
    ----------
    layers_ : list of (str, tuple or int or None)
        The folded inference layers (see :func:`layers_from_keras`).
    classes_ : ndarray of str
        The characters, in the order of ``predict_proba``'s columns.
    class_prior_ : ndarray of float or None
        The training labels' class shares, as the network it came from had them.
    X_shape_ : tuple of int
        ``(n, size, size, channels)`` of the inputs, as :class:`CharCNN` records it.

    Examples
    --------
    >>> fast = NumpyCharCNN.from_char_cnn(char_cnn)  # doctest: +SKIP
    >>> fast.predict_proba(chars)  # doctest: +SKIP
    """

    def __init__(self, batch_size: int = 512) -> None:
        self.batch_size = batch_size

    @classmethod
    def from_char_cnn(cls, classifier, *, batch_size: int = 512) -> NumpyCharCNN:
        """The NumPy forward pass of a fitted :class:`~skplate.cnn.CharCNN`.

        Parameters
        ----------
        classifier : CharCNN or FrozenEstimator of one
            A fitted character network.
        batch_size : int, default=512
            See the class parameters.
        """
        classifier = getattr(classifier, "estimator", classifier)
        check_is_fitted(classifier)
        fast = cls(batch_size=batch_size)
        fast.layers_ = layers_from_keras(classifier.model_)
        fast.classes_ = np.asarray(classifier.classes_)
        prior = getattr(classifier, "class_prior_", None)
        fast.class_prior_ = None if prior is None else np.asarray(prior, dtype=np.float64)
        fast.X_shape_ = tuple(int(v) for v in classifier.X_shape_)
        return fast

    def fit(self, X, y) -> NumpyCharCNN:
        """Not available: train a :class:`~skplate.cnn.CharCNN` and convert it.

        Raises
        ------
        TypeError
            Always; the NumPy network only reads.
        """
        raise TypeError(
            "NumpyCharCNN runs a trained network and cannot be trained: fit a CharCNN "
            "(skplate.cnn) and convert it with NumpyCharCNN.from_char_cnn, or load the "
            "model with skplate.persistence.load_model(path, backend='keras')."
        )

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities of normalised characters ``(n, size, size, channels)``.

        Returns
        -------
        proba : ndarray of float32, shape (n, n_classes)
        """
        check_is_fitted(self)
        X = np.asarray(X, dtype=np.float32)
        expected = tuple(self.X_shape_[1:])
        if X.ndim != 4 or X.shape[1:] != expected:
            raise ValueError(
                f"X must be normalised characters of shape (n, {', '.join(map(str, expected))}); "
                f"got shape {X.shape}."
            )
        step = max(1, int(self.batch_size))
        parts = [_forward(self.layers_, X[i : i + step]) for i in range(0, len(X), step)]
        if not parts:
            return np.zeros((0, len(self.classes_)), dtype=np.float32)
        return np.concatenate(parts).astype(np.float32, copy=False)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The most probable character of each input."""
        best = self.predict_proba(X).argmax(axis=1)  # checks that it is fitted first
        return self.classes_[best]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.non_deterministic = False
        return tags
