"""Sensitivity analysis of sweep outputs.

* :func:`sobol_indices` -- first-order and total Sobol indices from outputs evaluated on
  :func:`sweeplib.designs.saltelli` rows (same row order).
* :func:`morris_indices` -- Morris elementary-effects statistics from outputs evaluated
  on :func:`sweeplib.designs.morris` rows.

Both are pure functions of their arguments (the bootstrap is seeded).
"""
import numpy as np
from scipy.stats import norm

try:  # package import (``from sweeplib import analysis``) or a plain script next to it
    from .designs import saltelli_blocks, saltelli_size
except ImportError:  # pragma: no cover
    from designs import saltelli_blocks, saltelli_size

__all__ = ["sobol_indices", "morris_indices"]


def _sobol_estimates(f_a, f_b, f_ab):
    """S1 and ST for (possibly bootstrapped) output blocks.

    ``f_a`` and ``f_b`` have shape ``(..., n)``; ``f_ab`` has shape ``(d, ..., n)``.
    Returns ``(S1, ST)``, each of shape ``(d, ...)``.
    """
    # Total variance from all 2n independent evaluations of A and B.
    var = np.var(np.concatenate([f_a, f_b], axis=-1), axis=-1)
    # First order, Saltelli et al. (2010): V_i = E[f_B (f_ABi - f_A)].
    s1 = np.mean(f_b * (f_ab - f_a), axis=-1) / var
    # Total, Jansen (1999): VT_i = E[(f_A - f_ABi)^2] / 2.
    st = 0.5 * np.mean((f_a - f_ab) ** 2, axis=-1) / var
    return s1, st


def sobol_indices(y, n, d, conf_level=0.95, n_boot=200, seed=0):
    """First-order and total Sobol indices with bootstrap confidence intervals.

    ``y`` holds the model output for each row of ``saltelli(n, d, seed)``, in the same
    order (``n * (2d + 2)`` values).  Returns a dict of arrays of length ``d``:

    ``S1``, ``ST``
        Point estimates: ``S1_i = mean(f_B (f_ABi - f_A)) / V`` (Saltelli 2010) and
        ``ST_i = mean((f_A - f_ABi)^2) / (2 V)`` (Jansen), with ``V`` the variance of the
        concatenation of f_A and f_B.
    ``S1_conf``, ``ST_conf``
        Half-widths of the ``conf_level`` confidence intervals: ``z * std`` of ``n_boot``
        bootstrap estimates, resampling the ``n`` base samples (the same rows in every
        block) with replacement; ``z`` is the normal quantile.  Seeded by ``seed``.
    """
    y = np.asarray(y, dtype=float).ravel()
    if y.size != saltelli_size(n, d):
        raise ValueError(f"sobol_indices: expected {saltelli_size(n, d)} outputs "
                         f"(n(2d+2) with n={n}, d={d}), got {y.size}")
    if not 0 < conf_level < 1:
        raise ValueError("sobol_indices: conf_level must be in (0, 1)")
    if n_boot < 2:
        raise ValueError("sobol_indices: need n_boot >= 2")

    blocks = saltelli_blocks(n, d)
    f_a, f_b = y[blocks["A"]], y[blocks["B"]]
    f_ab = np.stack([y[s] for s in blocks["AB"]])            # (d, n)
    s1, st = _sobol_estimates(f_a, f_b, f_ab)

    # Bootstrap: resample base-sample indices; idx has shape (n_boot, n) and indexing the
    # last axis gives f_a[idx]: (n_boot, n) and f_ab[:, idx]: (d, n_boot, n).
    idx = np.random.default_rng(seed).integers(0, n, size=(n_boot, n))
    s1_boot, st_boot = _sobol_estimates(f_a[idx], f_b[idx], f_ab[:, idx])
    z = norm.ppf(0.5 + conf_level / 2)
    return {
        "S1": s1,
        "S1_conf": z * np.std(s1_boot, axis=1, ddof=1),
        "ST": st,
        "ST_conf": z * np.std(st_boot, axis=1, ddof=1),
    }


def morris_indices(x_unit, y, r, d):
    """Morris elementary-effects statistics.

    ``x_unit`` is the ``(r * (d + 1), d)`` output of ``morris(r, d, levels, seed)`` (unit
    values, before :func:`sweeplib.designs.to_values`) and ``y`` the model output of each
    row.  Within each trajectory, consecutive rows differ in one factor ``i``; its
    elementary effect is ``(y[k+1] - y[k]) / (x[k+1, i] - x[k, i])`` (a signed step, so a
    downward move of an increasing model still gives a positive effect).

    Returns a dict of arrays of length ``d``: ``mu`` (mean effect), ``mu_star`` (mean
    absolute effect, Campolongo et al. 2007) and ``sigma`` (standard deviation of the
    effects, ddof=1; NaN when r == 1).
    """
    x = np.asarray(x_unit, dtype=float)
    y = np.asarray(y, dtype=float).ravel()
    if x.shape != (r * (d + 1), d) or y.size != x.shape[0]:
        raise ValueError(f"morris_indices: expected x of shape {(r * (d + 1), d)} and as many "
                         f"outputs, got {x.shape} and {y.size}")

    x = x.reshape(r, d + 1, d)
    y = y.reshape(r, d + 1)
    dx = np.diff(x, axis=1)                                  # (r, d, d): step k, factor j
    dy = np.diff(y, axis=1)                                  # (r, d)

    moved = dx != 0
    if not np.all(moved.sum(axis=2) == 1):
        raise ValueError("morris_indices: consecutive rows must differ in exactly one factor")
    factor = np.argmax(moved, axis=2)                        # (r, d): factor moved at step k
    if not np.all(np.sort(factor, axis=1) == np.arange(d)):
        raise ValueError("morris_indices: each factor must move once per trajectory")

    step = np.take_along_axis(dx, factor[..., None], axis=2)[..., 0]
    effects = np.empty((r, d))                               # (trajectory, factor)
    np.put_along_axis(effects, factor, dy / step, axis=1)

    sigma = np.std(effects, axis=0, ddof=1) if r > 1 else np.full(d, np.nan)
    return {
        "mu": effects.mean(axis=0),
        "mu_star": np.abs(effects).mean(axis=0),
        "sigma": sigma,
    }
