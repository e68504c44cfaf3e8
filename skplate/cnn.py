"""The character classifier: a small Keras CNN wrapped as a scikit-learn estimator (scikeras)."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Real

from ._tensorflow import import_tensorflow

import_tensorflow()

import keras
import numpy as np
from scikeras.wrappers import KerasClassifier
from sklearn.pipeline import Pipeline
from sklearn.utils import ClassifierTags, check_random_state

from .normalize import CharNormalizer

__all__ = ["CharCNN", "build_char_cnn", "make_char_pipeline"]


def build_char_cnn(
    input_shape: tuple[int, int, int],
    n_classes: int,
    *,
    conv_filters: Sequence[int | Sequence[int]] = (16, 32),
    pool_size: int = 3,
    conv_dropout: float = 0.25,
    dense_units: Sequence[int] = (1024, 512, 256),
    dense_dropout: float = 0.5,
    augment: bool = False,
    seed: int | None = None,
) -> keras.Model:
    """Build the character network (uncompiled).

    ``conv_filters`` lists convolution blocks; a block is one number of filters or a tuple
    of them (3x3 ``Conv-BN-ReLU`` each). Every block but the last is followed by
    ``MaxPool(pool_size)-Dropout(conv_dropout)``. Then ``Flatten``, a ``Dense-BN-ReLU``
    block for every size in ``dense_units``, ``Dropout(dense_dropout)`` and a softmax over
    ``n_classes``. The default is the reference network: ``Conv16-BN-ReLU-MaxPool3-
    Dropout.25, Conv32-BN-ReLU, Flatten, Dense 1024/512/256 (BN+ReLU), Dropout.5``.
    With ``augment=True``, random small rotations, translations and zooms are applied to
    the inputs during training only.
    """
    if not conv_filters:
        raise ValueError("conv_filters must name at least one convolution.")
    inputs = keras.Input(shape=input_shape)
    x = inputs
    if augment:
        x = keras.layers.RandomRotation(0.025, fill_mode="constant", seed=seed)(x)
        x = keras.layers.RandomTranslation(0.06, 0.06, fill_mode="constant", seed=seed)(x)
        x = keras.layers.RandomZoom(0.1, fill_mode="constant", seed=seed)(x)
    for index, block in enumerate(conv_filters):
        for filters in np.atleast_1d(block):
            x = keras.layers.Conv2D(int(filters), 3, padding="same", use_bias=False)(x)
            x = keras.layers.BatchNormalization(momentum=0.9)(x)
            x = keras.layers.Activation("relu")(x)
        if index < len(conv_filters) - 1:
            x = keras.layers.MaxPooling2D(pool_size)(x)
            x = keras.layers.Dropout(conv_dropout, seed=seed)(x)
    x = keras.layers.Flatten()(x)
    for units in dense_units:
        x = keras.layers.Dense(int(units), use_bias=False)(x)
        x = keras.layers.BatchNormalization(momentum=0.9)(x)
        x = keras.layers.Activation("relu")(x)
    x = keras.layers.Dropout(dense_dropout, seed=seed)(x)
    outputs = keras.layers.Dense(n_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="char_cnn")


class CharCNN(KerasClassifier):
    """Character classifier on normalised ``(n, size, size, 1)`` inputs (scikeras).

    Labels are the characters themselves, so ``classes_`` is e.g. ``['0', ..., 'Z']``.
    Training is reproducible for an integer ``random_state`` (scikeras seeds Python, NumPy
    and TensorFlow and enables TensorFlow's deterministic ops during ``fit``).

    Parameters
    ----------
    conv_filters : tuple, default=(16, 32)
        Convolution blocks: each an int (filters of one 3x3 convolution) or a tuple of
        them; every block but the last is followed by max-pooling and dropout.
    pool_size : int, default=3
        Max-pooling size between blocks.
    conv_dropout : float, default=0.25
        Dropout after each pooling.
    dense_units : tuple of int, default=(1024, 512, 256)
        Sizes of the dense blocks.
    dense_dropout : float, default=0.5
        Dropout before the softmax.
    augment : bool, default=True
        Random rotation, translation and zoom of the inputs during training.
    learning_rate : float, default=1e-3
        Adam's learning rate.
    epochs : int, default=25
        Most epochs to train.
    batch_size : int, default=128
        Mini-batch size.
    validation_split : float, default=0.1
        Fraction of the training data held out for early stopping (0 disables it).
    patience : int, default=4
        Epochs without improvement of the validation loss before training stops; the best
        weights are restored. 0 disables early stopping.
    lr_patience : int, default=0
        Epochs without improvement of the validation loss before the learning rate is
        divided by 5 (``keras.callbacks.ReduceLROnPlateau``); 0 keeps it constant. Needs
        a ``validation_split``.
    ema_momentum : float or None, default=None
        Keep an exponential moving average of the weights with this momentum (Keras'
        ``use_ema``); the averaged weights are the ones validated, early-stopped on and
        kept (``keras.callbacks.SwapEMAWeights``). None trains without it. The momentum
        is per step: 0.99 averages about the last 100 steps, a good part of a short
        training, whose average then lags behind (measured: 6 epochs on GoodImg + Fnt,
        held-out accuracy 88.3 % without, 83.2 % with 0.99).
    random_state : int, RandomState or None, default=None
        Seed for initialisation, shuffling, dropout and augmentation.
    verbose : int, default=0
        Keras' verbosity.
    **kwargs
        Any other scikeras ``KerasClassifier`` parameter.

    Attributes
    ----------
    classes_ : ndarray of str
        The characters, in the order of ``predict_proba``'s columns.
    class_prior_ : ndarray of shape (n_classes,)
        Each class's share of the training labels (``fit``'s ``y``, validation rows
        included): the prior the network's probabilities are posteriors under.
        :class:`~skplate.recognizer.PlateRecognizer` divides it out
        (``prior_correction``). ``partial_fit`` leaves it as ``fit`` set it.
    """

    def __init__(
        self,
        conv_filters: Sequence[int | Sequence[int]] = (16, 32),
        pool_size: int = 3,
        conv_dropout: float = 0.25,
        dense_units: Sequence[int] = (1024, 512, 256),
        dense_dropout: float = 0.5,
        augment: bool = True,
        learning_rate: float = 1e-3,
        epochs: int = 25,
        batch_size: int = 128,
        validation_split: float = 0.1,
        patience: int = 4,
        lr_patience: int = 0,
        ema_momentum: float | None = None,
        random_state: int | np.random.RandomState | None = None,
        verbose: int = 0,
        **kwargs,
    ) -> None:
        super().__init__(
            epochs=epochs,
            batch_size=batch_size,
            validation_split=validation_split,
            random_state=random_state,
            verbose=verbose,
            **kwargs,
        )
        self.conv_filters = conv_filters
        self.pool_size = pool_size
        self.conv_dropout = conv_dropout
        self.dense_units = dense_units
        self.dense_dropout = dense_dropout
        self.augment = augment
        self.learning_rate = learning_rate
        self.patience = patience
        self.lr_patience = lr_patience
        self.ema_momentum = ema_momentum

    def _keras_build_fn(self, compile_kwargs: dict) -> keras.Model:
        seed = self._random_state if isinstance(self._random_state, int) else None
        model = build_char_cnn(
            tuple(self.X_shape_[1:]),
            self.n_classes_,
            conv_filters=self.conv_filters,
            pool_size=self.pool_size,
            conv_dropout=self.conv_dropout,
            dense_units=self.dense_units,
            dense_dropout=self.dense_dropout,
            augment=self.augment,
            seed=seed,
        )
        model.compile(
            optimizer=keras.optimizers.Adam(
                learning_rate=self.learning_rate,
                use_ema=self.ema_momentum is not None,
                ema_momentum=0.99 if self.ema_momentum is None else self.ema_momentum,
            ),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        return model

    def _initialize_callbacks(self) -> None:
        super()._initialize_callbacks()
        if not self.validation_split:
            return
        if self.ema_momentum is not None:
            # Validate on the averaged weights, and hand them to the callbacks below at the
            # end of each epoch, so that early stopping keeps the best averaged weights.
            swap = keras.callbacks.SwapEMAWeights(swap_on_epoch=True)
            self._fit_callbacks = [*self._fit_callbacks, swap]
        if self.lr_patience:
            reducer = keras.callbacks.ReduceLROnPlateau(
                monitor="val_loss", factor=0.2, patience=self.lr_patience
            )
            self._fit_callbacks = [*self._fit_callbacks, reducer]
        if self.patience:
            stopper = keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=self.patience, restore_best_weights=True
            )
            self._fit_callbacks = [*self._fit_callbacks, stopper]

    def __sklearn_tags__(self):
        # scikeras 0.13 declares its tags with ``_more_tags``, which scikit-learn >= 1.6 no
        # longer reads, and puts ClassifierMixin after BaseEstimator, so that
        # ClassifierMixin's own tags are never reached: without this, ``is_classifier`` is
        # False and ``cross_val_score(..., cv=5)`` splits with an unstratified KFold.
        tags = super().__sklearn_tags__()
        tags.estimator_type = "classifier"
        # scikeras' "poor_score"; one label per character image (its "multilabel" and
        # "multioutput" do not hold here: fit reads y as one string per image).
        tags.classifier_tags = ClassifierTags(poor_score=True, multi_class=True)
        tags.target_tags.required = True
        # (n, size, size, 1) images, not the 2-D arrays scikit-learn's checks feed.
        tags.input_tags.two_d_array = False
        tags.non_deterministic = False
        return tags

    def fit(self, X: np.ndarray, y: np.ndarray, sample_weight=None, **kwargs) -> CharCNN:
        """Train on normalised characters ``X`` of shape ``(n, size, size, 1)``.

        Returns
        -------
        self : CharCNN
        """
        ema = self.ema_momentum
        if ema is not None and not (isinstance(ema, Real) and 0 < ema < 1):
            raise ValueError(f"ema_momentum must be None or a number in (0, 1), got {ema!r}.")
        X = np.asarray(X)
        if X.ndim != 4:
            raise ValueError(
                "CharCNN expects normalised characters of shape (n, size, size, 1); got "
                f"shape {X.shape}. Put a CharNormalizer in front (see make_char_pipeline)."
            )
        y = np.asarray(y).astype(str)
        if self.validation_split:
            # Keras holds out the *last* rows for validation: shuffle so that data sorted by
            # class does not leave whole classes out of training.
            order = check_random_state(self.random_state).permutation(len(X))
            X, y = X[order], y[order]
            if sample_weight is not None:
                sample_weight = np.asarray(sample_weight)[order]
        super().fit(X, y, sample_weight=sample_weight, **kwargs)
        counts = np.array([np.count_nonzero(y == str(c)) for c in self.classes_], dtype=float)
        self.class_prior_ = counts / counts.sum()
        return self


def make_char_pipeline(
    normalizer: CharNormalizer | None = None, classifier: CharCNN | None = None
) -> Pipeline:
    """A ``Pipeline`` of a :class:`CharNormalizer` and a :class:`CharCNN` on raw images.

    Examples
    --------
    >>> pipe = make_char_pipeline(classifier=CharCNN(epochs=1))
    >>> sorted(pipe.named_steps)
    ['classifier', 'normalizer']
    """
    return Pipeline(
        [
            ("normalizer", CharNormalizer() if normalizer is None else normalizer),
            ("classifier", CharCNN() if classifier is None else classifier),
        ]
    )
