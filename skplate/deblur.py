"""Undo a plate crop's blur: estimate it, then deconvolve the crop.

A photo blurred by defocus, motion or a soft lens turns a plate's strokes into grey ramps
that every threshold of the filter bank either thins to slivers (read as ``1``) or merges.
:func:`estimate_blur` measures how blurred a crop is, as the standard deviation of a
Gaussian, from its own edges; :func:`deblur` deconvolves it by that Gaussian (a Wiener
filter), so that the strokes come back with steep edges before anything thresholds them.
:class:`~skplate.crop.PlateCropper` does both for the crops blurred beyond its ``deblur``.
"""

from __future__ import annotations

import cv2
import numpy as np

from ._validation import to_gray

__all__ = ["deblur", "estimate_blur"]


def _gradient_magnitude(gray: np.ndarray) -> np.ndarray:
    return cv2.magnitude(
        cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
    )


def estimate_blur(gray: np.ndarray, probe_sigma: float = 1.0, edge_quantile: float = 0.9) -> float:
    """The blur of an image, as the standard deviation (pixels) of a Gaussian.

    Re-blurring a step edge that is blurred by ``s`` with a Gaussian of ``probe_sigma``
    lowers its steepest gradient by ``sqrt(s**2 + probe_sigma**2) / s``, so that the ratio
    of the gradients before and after the probe gives ``s`` (the gradient-ratio method of
    Zhuo and Sim, "Defocus map estimation from a single image", 2011). The ratio is the
    median over the image's strongest edges (its gradients above ``edge_quantile``).

    Parameters
    ----------
    gray : ndarray of shape (H, W)
        The image (a plate crop), uint8.
    probe_sigma : float, default=1.0
        The re-blurring Gaussian's standard deviation, in pixels.
    edge_quantile : float, default=0.9
        The share of the image's pixels, by gradient, that are not edges.

    Returns
    -------
    sigma : float
        On the 117 reference photos' plates 0.5-0.9 (their fine texture counts as sharp
        edges), 0.9-1.3 once the photo is blurred by a Gaussian of 1 pixel, 1.4-2.1 by
        one of 2; about 1 on a drawn, perfectly sharp step edge; 0.0 when no edge can
        be measured (a flat image, or smooth ramps alone).

    Examples
    --------
    >>> import cv2, numpy as np
    >>> from skplate.deblur import estimate_blur
    >>> plate = np.full((90, 220), 200, np.uint8)
    >>> _ = cv2.putText(plate, "1234 ABC", (10, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 30, 3)
    >>> round(estimate_blur(cv2.GaussianBlur(plate, (0, 0), 2.0)), 1)
    1.8
    """
    image = to_gray(gray, name="gray").astype(np.float32)
    sharp = _gradient_magnitude(image)
    probed = _gradient_magnitude(cv2.GaussianBlur(image, (0, 0), probe_sigma))
    edges = sharp >= max(float(np.quantile(sharp, edge_quantile)), 1e-3)
    if not edges.any():
        return 0.0
    ratio = float(np.median(sharp[edges] / np.maximum(probed[edges], 1e-6)))
    if ratio <= 1.0:  # the probe steepened nothing: smooth ramps, no edge to measure
        return 0.0
    return probe_sigma / float(np.sqrt(ratio * ratio - 1.0))


def deblur(gray: np.ndarray, sigma: float, balance: float = 0.003) -> np.ndarray:
    """Deconvolve an image by a Gaussian of ``sigma`` pixels (a Wiener filter).

    The image is mirrored at its sides (by three ``sigma`` and two pixels) so that the
    filter does not wrap one side's content onto the other, filtered in the frequency
    domain by ``H / (H**2 + balance)`` (``H`` the Gaussian's transfer function), and cut
    back to its size.

    Parameters
    ----------
    gray : ndarray of shape (H, W), dtype uint8
        The blurred image.
    sigma : float
        The blur to undo, in pixels (:func:`estimate_blur`); 0 returns the image.
    balance : float, default=0.003
        The noise-to-signal ratio the filter assumes: smaller sharpens more and amplifies
        the noise more.

    Returns
    -------
    sharp : ndarray of shape (H, W), dtype uint8
    """
    image = to_gray(gray, name="gray")
    if not np.isfinite(sigma):
        raise ValueError(f"sigma must be a finite blur in pixels, got {sigma!r}.")
    if sigma <= 0:
        return image
    pad = int(np.ceil(3 * sigma)) + 2
    mirrored = cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_REFLECT)
    height, width = mirrored.shape
    fy = np.fft.fftfreq(height)[:, None]
    fx = np.fft.fftfreq(width)[None, :]
    transfer = np.exp(-2.0 * np.pi**2 * sigma**2 * (fx**2 + fy**2))
    spectrum = np.fft.fft2(mirrored.astype(np.float64)) * (transfer / (transfer**2 + balance))
    sharp = np.real(np.fft.ifft2(spectrum))[pad:-pad, pad:-pad]
    return np.clip(np.rint(sharp), 0, 255).astype(np.uint8)
