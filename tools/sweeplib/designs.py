"""Experimental designs for batch sweeps.

Every design here is a pure function: it returns a NumPy array and is deterministic given
``seed`` (NumPy's ``default_rng`` or ``scipy.stats.qmc`` engines seeded with it).

Most designs work in the *unit hypercube*: each column is a number in [0, 1] that
:func:`to_values` later maps onto the parameter's real values (uniform or log-uniform
ranges, integers, or a list of choices).  :func:`grid` is the exception: it takes the
parameter values directly.

Designs and their row layouts
-----------------------------
``grid(levels)``
    Full factorial, row-major: the LAST parameter varies fastest.
``lhs(n, d, seed)``
    ``n`` Latin-hypercube points in [0, 1)^d.
``saltelli(n, d, seed)``
    ``n * (2d + 2)`` rows in ``2d + 2`` blocks of ``n``: A, AB_0..AB_{d-1}, BA_0..BA_{d-1}, B
    (see :func:`saltelli_blocks`), for :func:`sweeplib.analysis.sobol_indices`.
``morris(r, d, levels, seed)``
    ``r`` trajectories of ``d + 1`` consecutive rows, for
    :func:`sweeplib.analysis.morris_indices`.
"""
from collections.abc import Mapping
import numbers

import numpy as np
from scipy.stats import qmc

__all__ = [
    "grid",
    "lhs",
    "saltelli",
    "saltelli_size",
    "saltelli_blocks",
    "morris",
    "morris_delta",
    "to_values",
]


def _column_array(columns, n):
    """Stack per-parameter value lists (each of length n) into an (n, d) array.

    The array is float64 when every value is a real number (ints included; they are exact
    in float64 up to 2**53), otherwise dtype=object so that strings, booleans of a choice
    list and the like keep their Python type.
    """
    numeric = all(isinstance(v, numbers.Real) and not isinstance(v, bool)
                  for col in columns for v in col)
    out = np.empty((n, len(columns)), dtype=float if numeric else object)
    for j, col in enumerate(columns):
        out[:, j] = col
    return out


# ---------------------------------------------------------------------------------------
# Full factorial grid
# ---------------------------------------------------------------------------------------

def grid(levels):
    """Full factorial design over explicit parameter values.

    ``levels`` is a list with one entry per parameter, each a non-empty list of that
    parameter's values.  Returns an array of shape ``(prod(len(l) for l in levels), d)``
    in row-major (C) order: the LAST parameter varies fastest, the first slowest, exactly
    like nested for-loops or ``itertools.product``::

        grid([[1, 2], [10, 20, 30]]) ->
            [[1, 10], [1, 20], [1, 30], [2, 10], [2, 20], [2, 30]]

    The array is float64 for numeric values and dtype=object otherwise.
    """
    levels = [list(lv) for lv in levels]
    if not levels:
        raise ValueError("grid: need at least one parameter")
    if any(len(lv) == 0 for lv in levels):
        raise ValueError("grid: every parameter needs at least one value")
    shape = tuple(len(lv) for lv in levels)
    # np.indices has the first axis slowest; flattening it in C order gives row-major.
    idx = np.indices(shape).reshape(len(shape), -1)
    columns = [[lv[k] for k in idx[j]] for j, lv in enumerate(levels)]
    return _column_array(columns, idx.shape[1])


# ---------------------------------------------------------------------------------------
# Latin hypercube
# ---------------------------------------------------------------------------------------

def lhs(n, d, seed):
    """Latin hypercube of ``n`` points in [0, 1)^d.

    Each dimension is cut into ``n`` equal strata [k/n, (k+1)/n) and every stratum holds
    exactly one point; the position inside the stratum is random.  Returns ``(n, d)``.
    """
    if n < 1 or d < 1:
        raise ValueError("lhs: need n >= 1 and d >= 1")
    return qmc.LatinHypercube(d=d, seed=seed).random(n)


# ---------------------------------------------------------------------------------------
# Saltelli (Sobol indices)
# ---------------------------------------------------------------------------------------

def saltelli_size(n, d):
    """Number of rows of ``saltelli(n, d, seed)``: ``n * (2d + 2)``."""
    return n * (2 * d + 2)


def saltelli_blocks(n, d):
    """Row slices of the blocks of ``saltelli(n, d, seed)`` (and of its outputs).

    Returns a dict::

        {"A": slice, "AB": [slice for i in range(d)], "BA": [slice for i in range(d)],
         "B": slice}

    Block ``k`` (0-based) covers rows ``k*n .. (k+1)*n - 1``: A is block 0, AB_i block
    1 + i, BA_i block 1 + d + i and B block 2d + 1.  Row ``j`` of every block comes from
    the same base sample ``j``.
    """
    def block(k):
        return slice(k * n, (k + 1) * n)

    return {
        "A": block(0),
        "AB": [block(1 + i) for i in range(d)],
        "BA": [block(1 + d + i) for i in range(d)],
        "B": block(2 * d + 1),
    }


def saltelli(n, d, seed):
    """Saltelli's sampling scheme for first-order and total Sobol indices.

    Draws ``n`` base samples (``n`` must be a power of 2) of a scrambled Sobol sequence of
    dimension ``2d``; A is its first ``d`` columns and B its last ``d``.  Returns the
    ``(n * (2d + 2), d)`` array made of ``2d + 2`` blocks of ``n`` rows, in this order:

    ============  ===========================================
    block         rows
    ============  ===========================================
    A             A
    AB_i          A with column i taken from B, i = 0..d-1
    BA_i          B with column i taken from A, i = 0..d-1
    B             B
    ============  ===========================================

    :func:`saltelli_blocks` gives the row slices of each block.  (BA_i are not needed by
    the first-order / total estimators of :func:`sweeplib.analysis.sobol_indices`; they
    are kept so the layout also supports second-order and alternative estimators.)
    """
    if d < 1:
        raise ValueError("saltelli: need d >= 1")
    if n < 1 or (n & (n - 1)) != 0:
        raise ValueError(f"saltelli: n must be a power of 2 (got {n})")
    base = qmc.Sobol(d=2 * d, scramble=True, seed=seed).random_base2(int(n).bit_length() - 1)
    a, b = base[:, :d], base[:, d:]

    out = np.empty((saltelli_size(n, d), d))
    blocks = saltelli_blocks(n, d)
    out[blocks["A"]] = a
    out[blocks["B"]] = b
    for i in range(d):
        ab = a.copy()
        ab[:, i] = b[:, i]
        out[blocks["AB"][i]] = ab
        ba = b.copy()
        ba[:, i] = a[:, i]
        out[blocks["BA"][i]] = ba
    return out


# ---------------------------------------------------------------------------------------
# Morris (elementary effects)
# ---------------------------------------------------------------------------------------

def morris_delta(levels):
    """Morris's step ``delta = levels / (2 (levels - 1))`` on the ``levels``-level grid."""
    return levels / (2.0 * (levels - 1))


def morris(r, d, levels, seed):
    """Morris (1991) elementary-effects design: ``r`` trajectories in [0, 1]^d.

    The grid is ``{0, 1/(levels-1), ..., 1}``; ``levels`` must be even (>= 2) so that the
    step ``delta = levels / (2 (levels - 1))`` (= ``levels/2`` grid steps) lands on the
    grid.  Each trajectory is ``d + 1`` consecutive rows: a random grid base point, then
    ``d`` moves, each changing ONE factor by +delta or -delta; the factors move in a random
    order and each moves exactly once.  Returns ``(r * (d + 1), d)``; trajectory ``t`` is
    rows ``t*(d+1) .. t*(d+1) + d``.

    Construction (equivalent to Morris's randomised orientation matrix): for each factor
    pick a low value ``x`` among the grid points ``<= 1 - delta`` and a direction; an upward
    factor starts at ``x`` and moves to ``x + delta``, a downward one starts at
    ``x + delta`` and moves to ``x``.
    """
    if r < 1 or d < 1:
        raise ValueError("morris: need r >= 1 and d >= 1")
    if levels < 2 or levels % 2:
        raise ValueError(f"morris: levels must be even and >= 2 (got {levels})")
    rng = np.random.default_rng(seed)
    half = levels // 2                      # delta in grid steps
    step = 1.0 / (levels - 1)

    out = np.empty((r * (d + 1), d))
    for t in range(r):
        low = rng.integers(0, levels - half, size=d)      # grid index of the low value
        up = rng.random(d) < 0.5                          # direction of each factor
        order = rng.permutation(d)                        # which factor moves at each step
        start = np.where(up, low, low + half)
        end = np.where(up, low + half, low)

        point = start.copy()
        rows = [point.copy()]
        for i in order:
            point[i] = end[i]
            rows.append(point.copy())
        out[t * (d + 1):(t + 1) * (d + 1)] = np.array(rows) * step
    return out


# ---------------------------------------------------------------------------------------
# Unit hypercube -> parameter values
# ---------------------------------------------------------------------------------------

def _map_column(u, spec):
    """Map one column of unit values onto one parameter (see :func:`to_values`)."""
    if "values" in spec:
        values = list(spec["values"])
        if not values:
            raise ValueError("to_values: 'values' must not be empty")
        # floor(u * len); u == 1 (possible in Morris designs) picks the last value.
        k = np.minimum(np.floor(u * len(values)).astype(int), len(values) - 1)
        return [values[i] for i in k]

    lo, hi = float(spec["min"]), float(spec["max"])
    if not lo <= hi:
        raise ValueError(f"to_values: need min <= max (got {lo}, {hi})")
    integer = bool(spec.get("integer", False))
    dist = spec.get("distribution", "uniform")
    # Integers: draw a continuous value on [min, max + 1) and floor it, so every integer of
    # [min, max] is reachable (equally likely for a uniform distribution).
    top = hi + 1.0 if integer else hi
    if integer and (lo != np.floor(lo) or hi != np.floor(hi)):
        raise ValueError(f"to_values: integer parameter needs integer min/max ({lo}, {hi})")

    if dist == "uniform":
        x = lo + u * (top - lo)
    elif dist == "loguniform":
        if lo <= 0:
            raise ValueError(f"to_values: loguniform needs min > 0 (got {lo})")
        x = np.exp(np.log(lo) + u * (np.log(top) - np.log(lo)))
    else:
        raise ValueError(f"to_values: unknown distribution {dist!r}")

    if integer:
        return [int(v) for v in np.clip(np.floor(x), lo, hi)]
    return np.clip(x, lo, hi).tolist()      # clip: exp/log round-off at the ends


def to_values(unit, specs):
    """Map unit-hypercube design rows onto parameter values.

    ``unit`` is an ``(n_points, d)`` array of numbers in [0, 1]; ``specs`` is a list of
    ``d`` dicts (or a mapping name -> dict, in order), one per column:

    * ``{"min": a, "max": b, "distribution": "uniform" | "loguniform", "integer": bool}``
      ``distribution`` defaults to ``"uniform"`` and ``integer`` to False.  Uniform maps
      ``u -> a + u (b - a)``; log-uniform maps ``u -> exp(log a + u (log b - log a))``
      (needs ``a > 0``).  With ``integer`` true, the same map is applied to
      ``[a, b + 1)`` and floored, so each integer of ``[a, b]`` is reachable (equally
      likely for uniform).
    * ``{"values": [v0, v1, ...]}``: choose ``values[floor(u * len(values))]``.

    ``u == 1`` maps onto the largest value / last choice.  Returns an ``(n_points, d)``
    array: float64 when every value is numeric, dtype=object otherwise.  Pure: neither
    argument is modified.
    """
    if isinstance(specs, Mapping):
        specs = list(specs.values())
    unit = np.asarray(unit, dtype=float)
    if unit.ndim != 2 or unit.shape[1] != len(specs):
        raise ValueError(f"to_values: unit has shape {unit.shape}, expected (n, {len(specs)})")
    if unit.size and (unit.min() < 0 or unit.max() > 1):
        raise ValueError("to_values: unit values must lie in [0, 1]")
    columns = [_map_column(unit[:, j], spec) for j, spec in enumerate(specs)]
    return _column_array(columns, unit.shape[0])
