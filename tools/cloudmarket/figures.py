"""Figures of a comparison: both scenarios' means with their 95% bands, and the paired difference
with its band, one panel per label (vendor, segment, ...)."""
import math

import numpy as np

from .report import scale_of

A_COLOUR = "#7f7f7f"  # the reference scenario, grey, under the alternative's colour


def _labels(result, name, only=None):
    dims = [d for d in result[f"{name}_diff"].dims if d != "time"]
    if not dims:
        return None, [None]
    dim = dims[0]
    values = [str(v) for v in result[dim].values]
    return dim, [v for v in values if only is None or dim != "vendor" or v in only]


def comparison_figure(result, name, path, vendors=None):
    """Levels (top block of panels) and paired differences (bottom block) of time series `name`."""
    import matplotlib
    import matplotlib.legend_handler
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from plotting import VendorPalette, save

    a, b = result.attrs["scenario_a"], result.attrs["scenario_b"]
    factor, unit, diff_unit = scale_of(result, name)
    dim, labels = _labels(result, name, vendors)
    columns = min(3, len(labels))
    rows = math.ceil(len(labels) / columns)
    fig, axes = plt.subplots(2 * rows, columns, figsize=(4.2 * columns + 1.8, 2.6 * 2 * rows + 1.2),
                             sharex=True, squeeze=False, layout="constrained")
    time = result["time"].values
    long_name = result[name].attrs.get("long_name", name)
    palette = VendorPalette([str(v) for v in result["vendor"].values]) if "vendor" in result.dims else None
    for k, label in enumerate(labels):
        top, bottom = axes[(k // columns)][k % columns], axes[rows + k // columns][k % columns]
        pick = {dim: label} if dim else {}
        colour = palette.color(label) if dim == "vendor" else "#0072B2"
        for scenario, c, style in ((a, A_COLOUR, "--"), (b, colour, "-")):
            mean = result[f"{name}_mean"].sel(scenario=scenario, **pick).values * factor
            lo = result[f"{name}_lo"].sel(scenario=scenario, **pick).values * factor
            hi = result[f"{name}_hi"].sel(scenario=scenario, **pick).values * factor
            top.fill_between(time, lo, hi, color=c, alpha=0.25, linewidth=0)
            top.plot(time, mean, style, color=c, linewidth=1.6, label=scenario)
        diff = result[f"{name}_diff"].sel(**pick).values * factor
        bottom.fill_between(time, result[f"{name}_diff_lo"].sel(**pick).values * factor,
                            result[f"{name}_diff_hi"].sel(**pick).values * factor, color=colour, alpha=0.25,
                            linewidth=0)
        bottom.plot(time, diff, color=colour, linewidth=1.6, label=f"{b} - {a}")
        bottom.axhline(0, color="black", linewidth=0.7)
        title = label if label is not None else long_name
        top.set_title(title, fontsize=10)
        bottom.set_title(f"{title}: {b} - {a}", fontsize=10)
        if k % columns == 0:
            top.set_ylabel(unit)
            bottom.set_ylabel(diff_unit)
        for ax in (top, bottom):
            ax.grid(alpha=0.3)
            ax.tick_params(labelsize=8)
    for k in range(len(labels), rows * columns):  # unused cells of the last row
        axes[(k // columns)][k % columns].set_visible(False)
        axes[rows + k // columns][k % columns].set_visible(False)
    # The alternative's colour is its vendor's in each panel; the legend shows it in black.
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    handles = [(Patch(color=A_COLOUR, alpha=0.25), Line2D([], [], color=A_COLOUR, linestyle="--")),
               (Patch(color="black", alpha=0.2), Line2D([], [], color="black")),
               (Patch(color="black", alpha=0.2), Line2D([], [], color="black"))]
    names = [f"{a}: mean and 95% band (top)", f"{b}: mean and 95% band (top)",
             f"paired difference {b} - {a}: mean and 95% interval (bottom)"]
    # below the panels, outside the data; bbox_inches="tight" keeps it in the image
    fig.legend(handles, names, loc="upper center", bbox_to_anchor=(0.5, 0), ncol=1 if columns < 3 else 3,
               fontsize=9, frameon=False,
               handler_map={tuple: matplotlib.legend_handler.HandlerTuple(ndivide=None, pad=0)})
    n = result.attrs.get("replications")
    fig.suptitle(f"{name}: {long_name}\n{b} against {a}, {n} replications with common random numbers", fontsize=11)
    for ax in axes[-1]:
        for tick in ax.get_xticklabels():
            tick.set_rotation(30)
            tick.set_ha("right")
    save(fig, path)
