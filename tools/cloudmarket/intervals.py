"""Means and 95% confidence intervals across replications (Student's t, NaN-aware).

With n replications of a quantity, the interval is mean ± t(0.975, n−1) · s / √n, s the sample
standard deviation; for paired differences (the same seed in both scenarios: common random
numbers) the same formula applied to the differences d_r = b_r − a_r. Cells with fewer than two
finite values get NaN bounds."""
import numpy as np

LEVEL = 0.95


def mean_interval(values, axis=0, level=LEVEL):
    """(mean, lo, hi, n) of `values` along `axis`, ignoring NaN."""
    from scipy import stats
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values)
    n = finite.sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = np.where(finite, values, 0.0).sum(axis=axis)
        mean = np.where(n > 0, total / np.maximum(n, 1), np.nan)
        deviation = np.where(finite, values - np.expand_dims(mean, axis), 0.0)
        variance = (deviation ** 2).sum(axis=axis) / np.maximum(n - 1, 1)
        half = stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1)) * np.sqrt(variance / np.maximum(n, 1))
    half = np.where(n >= 2, half, np.nan)
    return mean, mean - half, mean + half, n


def confidence_band(da, dim, level=LEVEL):
    """mean_interval of an xarray DataArray along dimension `dim`: a Dataset of mean, lower, upper
    and count (the finite values)."""
    import xarray as xr
    axis = da.get_axis_num(dim)
    mean, lower, upper, n = mean_interval(da.values, axis=axis, level=level)
    rest = [d for d in da.dims if d != dim]
    coords = {k: c for k, c in da.coords.items() if dim not in c.dims}
    return xr.Dataset({"mean": (rest, mean), "lower": (rest, lower), "upper": (rest, upper), "count": (rest, n)},
                      coords=coords)


# A run variable's description, kept on every statistic made of it (compare.h5, sweep.h5 series).
DESCRIBING = ("units", "long_name", "cell_methods", "product_unit")


def stack_replications(runs, name):
    """Variable `name` of several runs (Datasets) along a new `replication` dimension, as floats;
    labels (vendors, months) missing from some runs are NaN there."""
    import xarray as xr
    return xr.concat([ds[name].astype(float) for ds in runs], dim="replication", join="outer")
