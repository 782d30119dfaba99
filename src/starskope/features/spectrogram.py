"""Time–frequency images of a light curve: the original project's "computer vision on
spectrographs", put on a physical grid.

The flux is first averaged onto a uniform time grid of ``step`` (30 min by default: the
Kepler/K2 long cadence; TESS 2-min data are binned to it), gaps filled with the baseline,
then cut into overlapping segments ``segment`` long (4 d) whose periodograms
(:func:`scipy.signal.spectrogram`, Hann window) form the image columns. Frequency runs
from 1/segment to the grid's Nyquist frequency (24 d⁻¹ at 30 min) whatever the telescope,
so a 3-day planet puts its harmonics at the same rows in Kepler, K2 and TESS images. The
image is the base-10 log of power relative to the image's median, resampled to a fixed
``(n_freq, n_time)`` shape.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ParameterError

__all__ = ["SpectrogramSpec", "spectrogram_image", "spectrogram_images", "uniform_grid"]


@dataclass(frozen=True)
class SpectrogramSpec:
    """Grid and size of spectrogram images.

    Attributes
    ----------
    step_days : float
        Uniform grid step, days (default 30 min).
    segment_days : float
        Segment length of each column's periodogram, days.
    n_freq, n_time : int
        Image rows (frequency, low at row 0) and columns (time).
    """

    step_days: float = 30.0 / 1440.0
    segment_days: float = 4.0
    n_freq: int = 48
    n_time: int = 16

    def __post_init__(self) -> None:
        if not (self.step_days > 0 and self.segment_days >= 8 * self.step_days):
            raise ParameterError(
                f"spectrogram needs step_days > 0 and segment_days >= 8 steps; got {self.step_days}, {self.segment_days}"
            )
        if self.n_freq < 2 or self.n_time < 1:
            raise ParameterError(f"spectrogram image must be at least 2 x 1; got {self.n_freq} x {self.n_time}")

    def as_dict(self) -> dict[str, float]:
        return {"step_days": self.step_days, "segment_days": self.segment_days, "n_freq": self.n_freq, "n_time": self.n_time}


def uniform_grid(time: np.ndarray, flux: np.ndarray, step: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Average ``flux − median`` onto a uniform grid of ``step`` days.

    Returns
    -------
    grid_time, grid_flux, filled : ndarray
        Bin-centre times, mean relative flux per bin (0 where empty) and whether each
        bin had data.
    """
    t = np.asarray(time, float)
    f = np.asarray(flux, float)
    ok = np.isfinite(t) & np.isfinite(f)
    if ok.sum() < 2:
        raise ParameterError(f"a spectrogram needs at least 2 finite points; got {int(ok.sum())}")
    t, f = t[ok], f[ok]
    f = f - np.median(f)
    n = int(np.floor((t[-1] - t[0]) / step)) + 1
    idx = np.minimum(((t - t[0]) / step).astype(np.int64), n - 1)
    s = np.bincount(idx, weights=f, minlength=n)
    c = np.bincount(idx, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        g = np.where(c > 0, s / np.maximum(c, 1), 0.0)
    return t[0] + (np.arange(n) + 0.5) * step, g, c > 0


def _resample(a: np.ndarray, n: int, axis: int) -> np.ndarray:
    """Resample along ``axis`` to ``n`` samples: averaging when shrinking, linear
    interpolation when growing."""
    m = a.shape[axis]
    if m == n:
        return a
    a = np.moveaxis(a, axis, 0)
    if m > n:
        edges = np.linspace(0, m, n + 1)
        csum = np.concatenate([np.zeros((1, *a.shape[1:])), np.cumsum(a, axis=0)])
        lo = np.floor(edges[:-1]).astype(int)
        hi = np.maximum(np.ceil(edges[1:]).astype(int), lo + 1)
        out = (csum[hi] - csum[lo]) / (hi - lo).reshape((-1,) + (1,) * (a.ndim - 1))
    else:
        x_old = (np.arange(m) + 0.5) / m
        x_new = (np.arange(n) + 0.5) / n
        out = np.stack([np.interp(x_new, x_old, col) for col in a.reshape(m, -1).T], axis=1).reshape((n, *a.shape[1:]))
    return np.moveaxis(out, 0, axis)


def spectrogram_image(time: np.ndarray, flux: np.ndarray, *, spec: SpectrogramSpec | None = None) -> np.ndarray:
    """The spectrogram image of one light curve.

    Parameters
    ----------
    time : ndarray
        Times, days.
    flux : ndarray
        Normalised flux (≈ 1); not detrended, so stellar variability shows.
    spec : SpectrogramSpec, optional
        Grid and image size.

    Returns
    -------
    ndarray, shape (n_freq, n_time), float32
        log10(power / median power), low frequencies in row 0.
    """
    from scipy.signal import spectrogram

    spec = spec or SpectrogramSpec()
    _, g, _ = uniform_grid(time, flux, spec.step_days)
    nper = round(spec.segment_days / spec.step_days)
    if g.size < nper:
        g = np.concatenate([g, np.zeros(nper - g.size)])
    _, _, sxx = spectrogram(g, fs=1.0 / spec.step_days, window="hann", nperseg=nper, noverlap=nper // 2,
                            detrend="constant", scaling="density", mode="psd")
    sxx = sxx[1:]  # drop the zero-frequency row
    img = _resample(_resample(sxx, spec.n_freq, 0), spec.n_time, 1)
    tiny = np.finfo(float).tiny
    med = np.median(img[img > 0]) if np.any(img > 0) else 1.0
    out = np.log10(np.maximum(img, tiny) / max(med, tiny))
    return np.clip(out, -6.0, 10.0).astype(np.float32)


def spectrogram_images(time: np.ndarray, flux_matrix: np.ndarray, *, spec: SpectrogramSpec | None = None) -> np.ndarray:
    """Spectrogram images of many light curves sharing ``time`` (e.g. a Kaggle table).

    Returns
    -------
    ndarray, shape (n_stars, n_freq, n_time), float32
    """
    spec = spec or SpectrogramSpec()
    fm = np.atleast_2d(np.asarray(flux_matrix, float))
    return np.stack([spectrogram_image(time, row, spec=spec) for row in fm]) if fm.shape[0] else np.zeros((0, spec.n_freq, spec.n_time), np.float32)
