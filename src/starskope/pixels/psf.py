"""Point-spread functions per telescope, integrated over pixels, and fitting them to images.

Each telescope's PSF is described as two concentric circular Gaussians — a core and a
faint halo — integrated exactly over each square pixel (the pixel-response function,
"PRF"). That is a simple stand-in for the published PRFs (Bryson et al. 2010 for Kepler,
whose 95 % encircled energy lies within about 4 × 4 pixels of 3.98″; the TESS instrument
handbook, 50 % within one 21″ pixel and 90 % within 4 × 4), and it has two virtues here:
it is separable, so rendering thousands of cadences is a few outer products, and its
width can be fitted to a stamp when the real PRF is unknown (``fit_psf(..., fit_width=True)``).

Coordinates are (column, row) of the stamp with the centre of pixel (0, 0) at (0, 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import astropy.units as u
import numpy as np
from scipy import optimize, special

from ..errors import ParameterError
from ..missions import get_mission
from ..registry import Registry

__all__ = ["PSF", "PSFS", "PSFFit", "fit_psf", "get_psf", "psf_image", "psf_images"]

_SQRT2 = np.sqrt(2.0)


@dataclass(frozen=True)
class PSF:
    """A telescope's point-spread function: a Gaussian core and a Gaussian halo.

    Attributes
    ----------
    telescope : str
        'Kepler', 'K2' or 'TESS'.
    core_sigma : float
        Standard deviation of the core [pixels].
    halo_sigma : float
        Standard deviation of the halo [pixels].
    halo_fraction : float
        Share of the light in the halo (0–1).
    pixel_scale : Quantity [arcsec]
        Side of one pixel on the sky.
    note : str
        Where the numbers come from.
    """

    telescope: str
    core_sigma: float
    halo_sigma: float
    halo_fraction: float
    pixel_scale: u.Quantity
    note: str = ""

    def __post_init__(self) -> None:
        if not (self.core_sigma > 0 and self.halo_sigma > 0 and 0 <= self.halo_fraction < 1):
            raise ParameterError(f"PSF of {self.telescope}: widths must be positive and the halo fraction in [0, 1); "
                                 f"got {self.core_sigma}, {self.halo_sigma}, {self.halo_fraction}")

    def scaled(self, factor: float) -> PSF:
        """The same PSF with both widths multiplied by ``factor`` (focus, motion blur)."""
        if not factor > 0:
            raise ParameterError(f"PSF width factor must be positive; got {factor}")
        return PSF(self.telescope, self.core_sigma * factor, self.halo_sigma * factor, self.halo_fraction,
                   self.pixel_scale, self.note)

    @property
    def fwhm(self) -> u.Quantity:
        """Full width at half maximum of the core [arcsec]."""
        return 2.3548 * self.core_sigma * self.pixel_scale


#: The PSF of each telescope, by name.
PSFS: Registry[PSF] = Registry("telescope PSF")
PSFS.add("Kepler", PSF("Kepler", 0.55, 1.5, 0.15, get_mission("Kepler").pixel_scale,
                       "core FWHM ≈ 1.3 px (5.2″), 95 % of the light within 4 × 4 pixels (Bryson et al. 2010)"))
PSFS.add("K2", PSF("K2", 0.62, 1.6, 0.15, get_mission("K2").pixel_scale,
                   "Kepler's PRF broadened by the two-wheel pointing drift within a 30-min exposure"))
PSFS.add("TESS", PSF("TESS", 0.65, 1.7, 0.2, get_mission("TESS").pixel_scale,
                     "50 % of the light within one 21″ pixel, 90 % within 4 × 4 pixels (TESS instrument handbook)"))


def get_psf(telescope: str | None) -> PSF:
    """The PSF of ``telescope`` ('Kepler', 'K2', 'TESS'; aliases as for get_mission);
    Kepler's when it is unknown (None)."""
    if telescope is None:
        return PSFS.get("Kepler")
    return PSFS.get(get_mission(telescope).name)


def _edges_fraction(centres: np.ndarray, n: int, sigma: float) -> np.ndarray:
    """Share of a 1-D Gaussian at each of ``centres`` (shape (m,)) falling in pixels 0…n−1:
    shape (m, n)."""
    edges = np.arange(n + 1, dtype=np.float64) - 0.5
    cdf = special.erf((edges[None, :] - centres[:, None]) / (_SQRT2 * sigma))
    return 0.5 * np.diff(cdf, axis=1)


def psf_images(psf: PSF, shape: tuple[int, int], column: np.ndarray, row: np.ndarray) -> np.ndarray:
    """The pixel-integrated PSF at many positions.

    Parameters
    ----------
    psf : PSF
    shape : (int, int)
        (rows, columns) of the stamp.
    column, row : ndarray, shape (m,)
        Source positions in the stamp (pixels).

    Returns
    -------
    ndarray, shape (m, rows, columns)
        The share of the source's light in each pixel (sums to ≤ 1: light outside the stamp
        is lost).
    """
    column = np.atleast_1d(np.asarray(column, np.float64))
    row = np.atleast_1d(np.asarray(row, np.float64))
    ny, nx = shape
    out = np.zeros((column.size, ny, nx))
    for sigma, weight in ((psf.core_sigma, 1.0 - psf.halo_fraction), (psf.halo_sigma, psf.halo_fraction)):
        if weight <= 0:
            continue
        fx = _edges_fraction(column, nx, sigma)
        fy = _edges_fraction(row, ny, sigma)
        out += weight * fy[:, :, None] * fx[:, None, :]
    return out


def psf_image(psf: PSF, shape: tuple[int, int], column: float, row: float) -> np.ndarray:
    """The pixel-integrated PSF of one source at (``column``, ``row``): shape (rows, columns)."""
    return psf_images(psf, shape, np.array([column]), np.array([row]))[0]


@dataclass(frozen=True)
class PSFFit:
    """A PSF fitted to an image.

    Attributes
    ----------
    column, row : float
        Fitted position [pixels].
    column_err, row_err : float
        1-σ errors [pixels] (from the covariance, scaled by the reduced χ² when above 1).
    flux : float
        Total flux of the source (the image's unit, e.g. e⁻/s), including light off the stamp.
    flux_err : float
    background : float
        Fitted constant per pixel.
    width : float
        Factor applied to the PSF's widths (1 when not fitted).
    chi2_reduced : float
    converged : bool
    """

    column: float
    row: float
    column_err: float
    row_err: float
    flux: float
    flux_err: float
    background: float
    width: float
    chi2_reduced: float
    converged: bool


def _nan_fit() -> PSFFit:
    nan = float("nan")
    return PSFFit(nan, nan, nan, nan, nan, nan, nan, nan, nan, False)


def fit_psf(image: np.ndarray, error: np.ndarray, psf: PSF, start: tuple[float, float], *,
            fit_width: bool = False, background: bool = True, max_shift: float | None = None,
            mask: np.ndarray | None = None) -> PSFFit:
    """Least-squares fit of one PSF (free position and flux, optionally width and a constant).

    Parameters
    ----------
    image, error : ndarray, shape (rows, columns)
        Pixel values and their 1-σ errors; pixels where either is not finite (or the
        error is not positive) are left out.
    psf : PSF
    start : (float, float)
        Starting (column, row).
    fit_width : bool
        Also fit a factor on the PSF's widths (for a stamp whose PRF is not known).
    background : bool
        Fit a constant per pixel too.
    max_shift : float, optional
        Keep the position within this many pixels of ``start``.
    mask : ndarray of bool, optional
        Only these pixels.

    Returns
    -------
    PSFFit
        NaNs and ``converged=False`` when fewer pixels than parameters are usable or the
        fit fails.
    """
    img = np.asarray(image, np.float64)
    err = np.asarray(error, np.float64)
    use = np.isfinite(img) & np.isfinite(err) & (err > 0)
    if mask is not None:
        use &= np.asarray(mask, bool)
    n_par = 3 + int(background) + int(fit_width)
    if use.sum() <= n_par:
        return _nan_fit()
    shape = img.shape
    y, e = img[use], err[use]
    ny, nx = shape

    def model(p: np.ndarray) -> np.ndarray:
        col, row, amp = p[0], p[1], p[2]
        k = 3
        bkg = 0.0
        if background:
            bkg = p[k]
            k += 1
        width = p[k] if fit_width else 1.0
        ps = psf.scaled(width) if fit_width else psf
        return amp * psf_image(ps, shape, col, row)[use] + bkg

    def resid(p: np.ndarray) -> np.ndarray:
        return (model(p) - y) / e

    c0, r0 = float(start[0]), float(start[1])
    total = float(np.sum(np.where(use, img, 0.0)))
    p0 = [c0, r0, total if total != 0 else float(np.nanmax(np.abs(y)))]
    lo = [-1.0, -1.0, -np.inf]
    hi = [nx, ny, np.inf]
    if max_shift is not None:
        lo[:2] = [max(c0 - max_shift, -1.0), max(r0 - max_shift, -1.0)]
        hi[:2] = [min(c0 + max_shift, float(nx)), min(r0 + max_shift, float(ny))]
    p0[0] = float(np.clip(p0[0], lo[0] + 1e-6, hi[0] - 1e-6))
    p0[1] = float(np.clip(p0[1], lo[1] + 1e-6, hi[1] - 1e-6))
    if background:
        p0.append(0.0)
        lo.append(-np.inf)
        hi.append(np.inf)
    if fit_width:
        p0.append(1.0)
        lo.append(0.4)
        hi.append(3.0)
    try:
        res = optimize.least_squares(resid, np.asarray(p0), bounds=(np.asarray(lo), np.asarray(hi)), x_scale="jac",
                                     max_nfev=400)
    except (ValueError, np.linalg.LinAlgError):
        return _nan_fit()
    dof = max(int(use.sum()) - n_par, 1)
    chi2r = float(np.sum(res.fun**2) / dof)
    try:
        cov = np.linalg.inv(res.jac.T @ res.jac) * max(chi2r, 1.0)
        perr = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    except np.linalg.LinAlgError:
        perr = np.full(len(p0), np.nan)
    p = res.x
    k = 3 + int(background)
    return PSFFit(column=float(p[0]), row=float(p[1]), column_err=float(perr[0]), row_err=float(perr[1]),
                  flux=float(p[2]), flux_err=float(perr[2]), background=float(p[3]) if background else 0.0,
                  width=float(p[k]) if fit_width else 1.0, chi2_reduced=chi2r, converged=bool(res.success))
