"""Shared pieces of the plotting tools (tools/plot.py, tools/plot_startups.py)."""
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import xarray as xr  # noqa: E402

from cf_units import readable  # noqa: E402


def open_run(path, prog):
    """The output file of a run, or None after telling the user why it cannot be opened."""
    try:
        return xr.open_dataset(path, engine="h5netcdf")
    except (OSError, ValueError) as error:
        print(f"{prog}: error: cannot open {path}: {error}", file=sys.stderr)
        return None


def label(var):
    """Axis label from a variable's long_name and units (the product unit written out)."""
    units = readable(var.attrs) if "units" in var.attrs else ""
    name = var.attrs.get("long_name", var.name)
    if len(name) > 48:
        name = name[:45] + "..."
    return f"{name}\n[{units}]" if units and units != "1" else name


def plot_by(ax, var, dim, title, keys=None):
    """One line per label of `dim` (all, or `keys`) against time."""
    keys = list(keys if keys is not None else var[dim].values)
    if len(keys) > 10:  # more lines than the default colour cycle
        ax.set_prop_cycle(color=plt.get_cmap("tab20").colors)
    for key in keys:
        ax.plot(var["time"].values, var.sel({dim: key}).values, label=str(key))
    ax.set_title(title)
    ax.set_ylabel(label(var), fontsize=8)
    ax.grid(alpha=0.3)


def finish(fig, ds, path, fallback_title, note=""):
    """Title from the run's attributes, dates on the x axis, and the image written to `path`."""
    fig.suptitle(f"{ds.attrs.get('title', fallback_title)} (seed {ds.attrs.get('seed')}{note})")
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
